// Incidents (违纪) invigilators record by hand, from a fixed list of categories. They are kept apart
// from the terminal's automatic integrity incidents (focus lost, fullscreen left …): those are facts
// a machine observed, these are an invigilator's finding, and only these go on a candidate's record.
import { NotFound, ValidationError, newId, type Clock, type EventBus } from '../core/index.ts';
import type { AuditLog, Db } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';

export const INCIDENT_CATEGORIES = [
  { code: 'impersonation', zh: '替考', en: 'Impersonation (sitting for someone else)' },
  { code: 'crib_notes', zh: '夹带', en: 'Unauthorised materials' },
  { code: 'talking', zh: '交谈', en: 'Talking' },
  { code: 'copying', zh: '抄袭', en: 'Copying' },
  { code: 'communication_device', zh: '使用通讯工具', en: 'Using a communication device' },
  { code: 'leaving_seat', zh: '擅自离座', en: 'Leaving the seat without permission' },
  { code: 'other', zh: '其他', en: 'Other' },
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number]['code'];

export interface ProctorIncident {
  id: string;
  at: number;
  sessionId: string;
  roomId: string;
  seat: string | null;
  idNumber: string | null;
  category: IncidentCategory;
  categoryText: { zh: string; en: string };
  note: string;
  recordedBy: string;
}

interface Row {
  id: string;
  at: number;
  session_id: string;
  room_id: string;
  seat: string | null;
  id_number: string | null;
  category: IncidentCategory;
  note: string;
  recorded_by: string;
}

function toIncident(r: Row): ProctorIncident {
  const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category)!;
  return {
    id: r.id,
    at: r.at,
    sessionId: r.session_id,
    roomId: r.room_id,
    seat: r.seat,
    idNumber: r.id_number,
    category: r.category,
    categoryText: { zh: c.zh, en: c.en },
    note: r.note,
    recordedBy: r.recorded_by,
  };
}

export interface IncidentDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
  /** The session's room and roster (exam plans). */
  session: (id: string) => { id: string; roomId: string };
  roster: (sessionId: string) => Array<{ idNumber: string; ticketNo: string; name: string; seat: string | null }>;
  seats: (roomId: string) => string[];
}

export function createIncidents(deps: IncidentDeps) {
  const { db, clock, bus, audit } = deps;
  const stmt = statementCache(db);

  return {
    categories: INCIDENT_CATEGORIES,

    record(
      sessionId: string,
      input: { category: string; note: string; candidate?: string | null; seat?: string | null },
      actor: string,
      ip: string | null = null,
    ): ProctorIncident {
      const s = deps.session(sessionId);
      const problems = [];
      if (!INCIDENT_CATEGORIES.some((c) => c.code === input.category)) {
        problems.push({ path: 'category', problem: `must be one of ${INCIDENT_CATEGORIES.map((c) => `${c.code} (${c.zh})`).join(', ')}`, got: input.category });
      }
      const note = input.note.trim();
      if (!note) problems.push({ path: 'note', problem: 'must say what happened', got: input.note });
      let entry: ReturnType<IncidentDeps['roster']>[number] | null = null;
      if (input.candidate) {
        const c = input.candidate.toUpperCase();
        entry = deps.roster(s.id).find((e) => e.ticketNo === input.candidate || e.idNumber === c) ?? null;
        if (!entry) throw new NotFound(`${input.candidate} is neither a ticket number nor an ID number on the roster of exam session ${s.id}`);
      }
      const seat = input.seat ?? entry?.seat ?? null;
      if (input.seat && !deps.seats(s.roomId).includes(input.seat))
        problems.push({ path: 'seat', problem: `room ${s.roomId} has no seat ${input.seat}`, got: input.seat });
      if (problems.length) throw new ValidationError(problems);
      if (!entry && seat) entry = deps.roster(s.id).find((e) => e.seat === seat) ?? null;
      const id = newId(clock.now());
      const at = clock.now();
      db.transaction(() => {
        stmt(
          'INSERT INTO proctor_incidents (id, at, session_id, room_id, seat, id_number, category, note, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, at, s.id, s.roomId, seat, entry?.idNumber ?? null, input.category, note, actor);
        audit.append({
          actor,
          action: 'proctor.incident.record',
          target: s.id,
          detail: { incidentId: id, category: input.category, seat, ticketNo: entry?.ticketNo ?? null, note },
          ip,
        });
      }).immediate();
      bus.emit('proctor.incident', { incidentId: id, sessionId: s.id, roomId: s.roomId });
      return this.get(id);
    },

    get(id: string): ProctorIncident {
      const r = stmt('SELECT * FROM proctor_incidents WHERE id = ?').get(id) as Row | undefined;
      if (!r) throw new NotFound(`no incident ${JSON.stringify(id)}`);
      return toIncident(r);
    },

    /** Oldest first, as the session happened. */
    list(sessionId: string): ProctorIncident[] {
      return (stmt('SELECT * FROM proctor_incidents WHERE session_id = ? ORDER BY at, rowid').all(sessionId) as Row[]).map(toIncident);
    },

    countBySession(sessionId: string): Map<string, number> {
      const rows = stmt(
        'SELECT id_number AS idNumber, COUNT(*) AS n FROM proctor_incidents WHERE session_id = ? AND id_number IS NOT NULL GROUP BY id_number',
      ).all(sessionId) as { idNumber: string; n: number }[];
      return new Map(rows.map((r) => [r.idNumber, r.n]));
    },
  };
}

export type Incidents = ReturnType<typeof createIncidents>;
