// Seat confirmations of candidates who declined face recognition (issue 23; 人脸识别技术应用安全管理办法:
// face recognition may not be the only way to verify someone). Nothing compares such a candidate's
// snapshots with a face, so a person does: the invigilator looks at the ID card and the person at the
// seat once after log-in, and again whenever an alert concerns that seat. Each is a to-do on the seat that
// stays until someone confirms it with a click (audited). Table: seat_identity_confirmations (029).
import { Conflict, NotFound, newId, type Clock, type EventBus, type EventMap } from '../core/index.ts';
import type { AuditLog, Db } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';
import { declinedAtSeat } from '../terminal/index.ts';
import type { Alert, AlertKind, SeatCheckReason, SeatIdentityCheck } from './protocol.ts';

export const SEAT_CHECK_COLUMNS =
  'id, session_id AS sessionId, room_id AS roomId, id_number AS idNumber, seat, terminal_id AS terminalId, reason, alert_id AS alertId, due_at AS dueAt, alerts, confirmed_at AS confirmedAt, confirmed_by AS confirmedBy, outcome, incident_id AS incidentId, note';

/** A row of seat_identity_confirmations, with the session, room and person it concerns. */
export interface SeatCheckRow extends SeatIdentityCheck {
  sessionId: string;
  roomId: string;
  idNumber: string;
  seat: string | null;
  terminalId: string | null;
}

/**
 * Alerts that are about the entrance, not the seat: the kiosk's own refusals and overrides are raised
 * before the person ever sits down (the log-in check covers them); the site-wide ones name no seat.
 */
const NOT_ABOUT_THE_SEAT: readonly AlertKind[] = [
  'kiosk_mismatch',
  'kiosk_refused',
  'kiosk_override',
  'disk_forecast',
  'disk_low',
  'tier_backlog',
  'tier_integrity',
  // Raised by a check's own outcome: the chief examiner decides now, not another check.
  'seat_not_the_person',
];

export interface SeatIdentityDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
  alert: (id: string) => Alert;
  /** Who sits at a seat of a session now (roster), for an alert that names the seat but no candidate. */
  candidateAtSeat: (sessionId: string, seat: string) => string | null;
  /** The seat of a candidate (roster), for an alert that names the candidate but no seat. */
  seatOf: (sessionId: string, idNumber: string) => string | null;
  /** The session open in a room (check-in or in progress), for an alert that names no session. */
  openSessionOf: (roomId: string) => string | null;
  log?: { error(o: object, m: string): void };
}

export function createSeatIdentityChecks(deps: SeatIdentityDeps) {
  const { db, clock, bus, audit } = deps;
  const stmt = statementCache(db);

  const openOf = (sessionId: string, idNumber: string) =>
    stmt(
      `SELECT ${SEAT_CHECK_COLUMNS} FROM seat_identity_confirmations WHERE session_id = ? AND id_number = ? AND confirmed_at IS NULL ORDER BY due_at, rowid LIMIT 1`,
    ).get(sessionId, idNumber) as SeatCheckRow | undefined;

  function get(id: string): SeatCheckRow {
    const r = stmt(`SELECT ${SEAT_CHECK_COLUMNS} FROM seat_identity_confirmations WHERE id = ?`).get(id) as SeatCheckRow | undefined;
    if (!r) throw new NotFound(`no seat identity check ${JSON.stringify(id)}`);
    return r;
  }

  function undecided(id: string): SeatCheckRow {
    const c = get(id);
    if (c.confirmedAt === null) return c;
    const how = c.outcome === 'not_the_person' ? 'decided (not the person)' : 'confirmed';
    throw new Conflict(`the seat check ${id} was already ${how} by ${c.confirmedBy} at ${new Date(c.confirmedAt).toISOString()}`, 'already_confirmed', {
      by: c.confirmedBy ?? '',
    });
  }

  function due(c: {
    sessionId: string;
    roomId: string;
    idNumber: string;
    seat: string | null;
    terminalId: string | null;
    reason: SeatCheckReason;
    alertId: string | null;
  }) {
    const id = newId(clock.now());
    stmt(
      `INSERT INTO seat_identity_confirmations (id, session_id, room_id, id_number, seat, terminal_id, reason, alert_id, due_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, c.sessionId, c.roomId, c.idNumber, c.seat, c.terminalId, c.reason, c.alertId, clock.now());
    bus.emit('seat.identity', { checkId: id, sessionId: c.sessionId, roomId: c.roomId, idNumber: c.idNumber, seat: c.seat, change: 'due' });
  }

  const guard =
    <K extends keyof EventMap>(name: K, fn: (p: EventMap[K]) => void) =>
    (p: EventMap[K]) => {
      try {
        fn(p);
      } catch (err) {
        deps.log?.error({ err, event: name }, 'opening a seat identity check failed');
      }
    };

  const offs = [
    // Once after log-in at a seat: a reconnect or a resumed attempt at the same seat asks nothing again,
    // a move to another seat does (a person is to be seen there).
    bus.on(
      'terminal.login',
      guard('terminal.login', (p) => {
        if (!declinedAtSeat(db, p.sessionId, p.idNumber)) return;
        const seen = stmt("SELECT 1 FROM seat_identity_confirmations WHERE session_id = ? AND id_number = ? AND reason = 'login' AND seat IS ?").get(
          p.sessionId,
          p.idNumber,
          p.seat,
        );
        if (seen || openOf(p.sessionId, p.idNumber)) return;
        due({ sessionId: p.sessionId, roomId: p.roomId, idNumber: p.idNumber, seat: p.seat, terminalId: p.terminalId, reason: 'login', alertId: null });
      }),
    ),
    // Any alert of the seat, new or a repeat folded into an open one (the alert store folds a condition's
    // repeats into one row; an 'update' of an alert still open and not cleared is such a repeat — a clear,
    // an acknowledgement or a settlement leaves it cleared or acknowledged). One open check per person,
    // however many alerts come while it is due.
    bus.on(
      'proctor.alert',
      guard('proctor.alert', (p) => {
        if (p.change === 'ack' || !p.roomId) return;
        const a = deps.alert(p.alertId);
        if (a.resolvedAt !== null || a.acknowledged || a.clearedAt !== null || NOT_ABOUT_THE_SEAT.includes(a.kind)) return;
        const sessionId = a.sessionId ?? deps.openSessionOf(p.roomId);
        if (!sessionId) return;
        const idNumber = a.idNumber ?? (a.seat ? deps.candidateAtSeat(sessionId, a.seat) : null);
        if (!idNumber || !declinedAtSeat(db, sessionId, idNumber)) return;
        // Someone else was found at the seat: the chief examiner decides from here, no further check asks.
        if (stmt("SELECT 1 FROM seat_identity_confirmations WHERE session_id = ? AND id_number = ? AND outcome = 'not_the_person'").get(sessionId, idNumber))
          return;
        const open = openOf(sessionId, idNumber);
        // A repeat of a condition still open (focus lost for the fifth time) asks once: not again when a
        // check was due, open or decided since the alert was first raised. A condition that had cleared and
        // came back (the terminal went away again) is a new occurrence and asks again.
        if (!open && p.change === 'update' && !p.reopened) {
          const asked = stmt(
            'SELECT 1 FROM seat_identity_confirmations WHERE session_id = ? AND id_number = ? AND (confirmed_at IS NULL OR confirmed_at >= ?) LIMIT 1',
          ).get(sessionId, idNumber, a.at);
          if (asked) return;
        }
        if (open) {
          stmt('UPDATE seat_identity_confirmations SET alerts = alerts + 1 WHERE id = ?').run(open.id);
          bus.emit('seat.identity', { checkId: open.id, sessionId, roomId: p.roomId, idNumber, seat: open.seat, change: 'due' });
          return;
        }
        const seat = a.seat ?? deps.seatOf(sessionId, idNumber);
        due({ sessionId, roomId: p.roomId, idNumber, seat, terminalId: a.terminalId, reason: 'alert', alertId: a.id });
      }),
    ),
  ];

  return {
    get,

    /** The open check of each candidate of a session who has one (the seat map and the console's to-do list). */
    openBySession(sessionId: string): Map<string, SeatCheckRow> {
      const rows = stmt(
        `SELECT ${SEAT_CHECK_COLUMNS} FROM seat_identity_confirmations WHERE session_id = ? AND confirmed_at IS NULL ORDER BY due_at DESC, rowid DESC`,
      ).all(sessionId) as SeatCheckRow[];
      // Oldest wins should there ever be two (read newest first, so the oldest is set last).
      return new Map(rows.map((r) => [r.idNumber, r]));
    },

    /**
     * The invigilator saw the person at the seat and the ID card agree: durable and audited before the
     * reply and the push. A check already confirmed (a colleague was quicker) is a Conflict naming who.
     */
    confirm(id: string, note: string | null, actor: string, ip: string | null = null): SeatCheckRow {
      const c = undecided(id);
      const now = clock.now();
      const clean = note?.trim() || null;
      db.transaction(() => {
        const r = stmt(
          "UPDATE seat_identity_confirmations SET confirmed_at = ?, confirmed_by = ?, note = ?, outcome = 'confirmed' WHERE id = ? AND confirmed_at IS NULL",
        ).run(now, actor, clean, id);
        if (r.changes !== 1) throw new Conflict(`the seat check ${id} was confirmed by someone else just now`, 'already_confirmed');
        audit.append({
          actor,
          action: 'proctor.seat_identity.confirm',
          target: c.sessionId,
          detail: { check: id, idNumber: c.idNumber, seat: c.seat, reason: c.reason, alertId: c.alertId, alerts: c.alerts, note: clean },
          ip,
        });
      }).immediate();
      bus.emit('seat.identity', { checkId: id, sessionId: c.sessionId, roomId: c.roomId, idNumber: c.idNumber, seat: c.seat, change: 'confirmed' });
      return get(id);
    },

    /** The check, still due; a Conflict naming who decided it and how when it is not. */
    undecided,

    /**
     * The person at the seat is not the candidate: the check is decided that way, naming the incident the
     * caller recorded in the same transaction (proctor/service.ts notThePerson runs the whole outcome).
     * Audited here; the event (and with it the alert) is the caller's, once the paper is locked.
     */
    decideNotThePerson(id: string, note: string, incidentId: string, actor: string, ip: string | null = null): SeatCheckRow {
      const c = undecided(id);
      const r = stmt(
        "UPDATE seat_identity_confirmations SET confirmed_at = ?, confirmed_by = ?, note = ?, outcome = 'not_the_person', incident_id = ? WHERE id = ? AND confirmed_at IS NULL",
      ).run(clock.now(), actor, note, incidentId, id);
      if (r.changes !== 1) throw new Conflict(`the seat check ${id} was decided by someone else just now`, 'already_confirmed');
      audit.append({
        actor,
        action: 'proctor.seat_identity.not_the_person',
        target: c.sessionId,
        detail: { check: id, idNumber: c.idNumber, seat: c.seat, reason: c.reason, alertId: c.alertId, incidentId, note },
        ip,
      });
      return get(id);
    },

    stop(): void {
      for (const off of offs.splice(0)) off();
    },
  };
}

export type SeatIdentityChecks = ReturnType<typeof createSeatIdentityChecks>;

/** The protocol's view of a row (the seat map's identityCheck). */
export const seatCheckView = (r: SeatCheckRow): SeatIdentityCheck => ({
  id: r.id,
  reason: r.reason,
  alertId: r.alertId,
  dueAt: r.dueAt,
  alerts: r.alerts,
  confirmedAt: r.confirmedAt,
  confirmedBy: r.confirmedBy,
  outcome: r.outcome,
  incidentId: r.incidentId,
  note: r.note,
});
