// Seat assignment (随机编排座位): a seeded random permutation of the room's seats, with the seed stored
// so that anyone can replay the draw and see that nobody chose who sits where. Moving one candidate
// afterwards (a broken terminal) is a separate, audited step.
import { Conflict, NotFound, ValidationError } from '../../core/index.ts';
import { seatIds } from '../../config/index.ts';
import { newSeed, seededRng, shuffleInPlace } from '../papers/random.ts';
import type { ExamSession, PlansDeps, RosterEntry } from './model.ts';
import type { Plans } from './plans.ts';
import type { Roster } from './roster.ts';

/**
 * The draw: candidates in ticket order receive the seats of the room in shuffled order. Pure, so the
 * stored seed and the roster reproduce it exactly.
 */
export function seatPlan(seed: string, tickets: readonly string[], seats: readonly string[]): Map<string, string> {
  if (tickets.length > seats.length) throw new Conflict(`${tickets.length} candidates cannot sit in ${seats.length} seats`);
  const order = shuffleInPlace([...seats], seededRng(`seats:${seed}`));
  const sorted = [...tickets].sort();
  return new Map(sorted.map((t, i) => [t, order[i]!]));
}

export function createSeats(deps: PlansDeps, plans: Plans, roster: Roster) {
  const { db, audit, bus, config, clock } = deps;

  function seatsOf(s: ExamSession): string[] {
    const room = config.rooms.find((r) => r.id === s.roomId);
    if (!room) throw new Conflict(`exam session ${s.id} is in room ${s.roomId}, which the config no longer lists`);
    return seatIds(room);
  }

  return {
    seatsOf,

    /** Draws every seat afresh. Only before check-in: once candidates are told their seats, seats move one at a time. */
    assignSeats(sessionId: string, actor: string, ip: string | null = null): { seed: string; seated: number; entries: RosterEntry[] } {
      const out = db
        .transaction(() => {
          const s = plans.session(sessionId);
          if (s.status !== 'scheduled' && s.status !== 'papers_ready') {
            throw new Conflict(`exam session ${s.id} is ${s.status}; seats are drawn only before check-in opens (move one candidate with a re-seat instead)`);
          }
          const entries = roster.entries(s.id);
          if (entries.length === 0) throw new Conflict(`exam session ${s.id} has nobody on its roster; import the roster first`);
          const seed = newSeed();
          const plan = seatPlan(
            seed,
            entries.map((e) => e.ticketNo),
            seatsOf(s),
          );
          // Cleared first: the unique (session, seat) index would trip over a half-done swap.
          db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ?').run(s.id);
          const set = db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND ticket_no = ?');
          for (const [ticket, seat] of plan) set.run(seat, s.id, ticket);
          db.prepare('UPDATE exam_sessions SET seat_seed = ?, updated_at = ? WHERE id = ?').run(seed, clock.now(), s.id);
          audit.append({ actor, action: 'exam.seats.assign', target: s.id, detail: { seed, seated: plan.size, redraw: s.seatSeed !== null }, ip });
          return { session: s, seed, seated: plan.size };
        })
        .immediate();
      bus.emit('seats.assigned', { sessionId: out.session.id, roomId: out.session.roomId, seated: out.seated });
      return { seed: out.seed, seated: out.seated, entries: roster.entries(out.session.id) };
    },

    /** Moves one candidate to a free seat, e.g. when their terminal fails; possible until the session ends. */
    reseat(sessionId: string, idNumber: string, seat: string, actor: string, opts: { reason?: string | null; ip?: string | null } = {}): RosterEntry {
      const out = db
        .transaction(() => {
          const s = plans.session(sessionId);
          if (!['scheduled', 'papers_ready', 'checkin', 'in_progress'].includes(s.status))
            throw new Conflict(`exam session ${s.id} is ${s.status}; seats can no longer change`, 'seats_closed', { status: s.status });
          const seats = seatsOf(s);
          if (!seats.includes(seat))
            throw new ValidationError([{ path: 'seat', problem: `room ${s.roomId} has seats ${seats[0]}–${seats.at(-1)}`, got: seat }]);
          const entry = roster.entries(s.id).find((e) => e.idNumber === idNumber);
          if (!entry) throw new NotFound(`${idNumber} is not on the roster of exam session ${s.id}`);
          if (entry.seat === seat) return { s, entry, from: seat };
          const occupant = db.prepare('SELECT ticket_no AS ticketNo, name FROM roster_entries WHERE session_id = ? AND seat = ?').get(s.id, seat) as
            | { ticketNo: string; name: string }
            | undefined;
          if (occupant)
            throw new Conflict(
              `seat ${seat} of room ${s.roomId} is taken by ${occupant.name} (ticket ${occupant.ticketNo}); choose a free seat`,
              'seat_taken',
              {
                seat,
                room: s.roomId,
                name: occupant.name,
              },
            );
          db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run(seat, s.id, idNumber);
          audit.append({
            actor,
            action: 'exam.seat.change',
            target: s.id,
            detail: { ticketNo: entry.ticketNo, from: entry.seat, to: seat, reason: opts.reason ?? null },
            ip: opts.ip ?? null,
          });
          return { s, entry: { ...entry, seat }, from: entry.seat };
        })
        .immediate();
      if (out.from !== seat) bus.emit('seat.changed', { sessionId: out.s.id, roomId: out.s.roomId, idNumber, from: out.from, to: seat });
      return out.entry;
    },

    /** Seats nobody holds, in room order: what a re-seat may choose from. */
    freeSeats(sessionId: string): string[] {
      const s = plans.session(sessionId);
      const taken = new Set(roster.entries(s.id).map((e) => e.seat));
      return seatsOf(s).filter((x) => !taken.has(x));
    },
  };
}

export type Seats = ReturnType<typeof createSeats>;
