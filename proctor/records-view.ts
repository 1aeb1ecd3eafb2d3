// What records/ reads of the proctor console: the incidents (违纪) invigilators recorded, by session for
// the score reports, room log and session archive, by person for the person file (一人一档); and, for the
// archive, the alerts raised with what was decided on each (acknowledged by whom, with which note, or
// cleared by itself); and the seat confirmations of candidates who declined face recognition. Reads
// only; proctor/incidents.ts, the alert store and seat-identity.ts alone write these tables.
import type { Db } from '../storage/index.ts';
import { INCIDENT_CATEGORIES, type ProctorIncident } from './incidents.ts';
import { SEAT_CHECK_COLUMNS } from './seat-identity.ts';

export type IncidentRecord = ProctorIncident;
/** The person file's name for the same record. */
export type PersonIncident = IncidentRecord;

const COLUMNS = 'id, at, session_id AS sessionId, room_id AS roomId, seat, id_number AS idNumber, category, note, recorded_by AS recordedBy';

function worded(rows: Omit<IncidentRecord, 'categoryText'>[]): IncidentRecord[] {
  return rows.map((r) => {
    const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category);
    return { ...r, categoryText: { zh: c?.zh ?? r.category, en: c?.en ?? r.category } };
  });
}

/** The incidents recorded in one exam session, oldest first (ties in id order). */
export function incidentsOfSession(db: Db, sessionId: string): IncidentRecord[] {
  return worded(
    db.prepare(`SELECT ${COLUMNS} FROM proctor_incidents WHERE session_id = ? ORDER BY at, id`).all(sessionId) as Omit<IncidentRecord, 'categoryText'>[],
  );
}

/**
 * The same incidents for the session archive, ties in the order they were recorded (rowid): kept apart from
 * incidentsOfSession because incidents.json has always been in that order and an archive's format does not move.
 */
export function sessionIncidents(db: Db, sessionId: string): IncidentRecord[] {
  return worded(
    db.prepare(`SELECT ${COLUMNS} FROM proctor_incidents WHERE session_id = ? ORDER BY at, rowid`).all(sessionId) as Omit<IncidentRecord, 'categoryText'>[],
  );
}

/** The incidents recorded against one person, in every session, oldest first. */
export function incidentsOf(db: Db, idNumber: string): IncidentRecord[] {
  return worded(
    db.prepare(`SELECT ${COLUMNS} FROM proctor_incidents WHERE id_number = ? ORDER BY at, id`).all(idNumber) as Omit<IncidentRecord, 'categoryText'>[],
  );
}

export interface ArchivedAlert {
  id: string;
  at: number;
  lastAt: number;
  repeats: number;
  seat: string | null;
  terminalId: string | null;
  sourceId: string | null;
  idNumber: string | null;
  kind: string;
  severity: string;
  text: { zh: string; en: string };
  clearedAt: number | null;
  ackedBy: string | null;
  ackedAt: number | null;
  ackNote: string | null;
}

/** Every alert raised in the session, oldest first, with how it was decided. */
export function sessionAlerts(db: Db, sessionId: string): ArchivedAlert[] {
  const rows = db.prepare('SELECT * FROM proctor_alerts WHERE session_id = ? ORDER BY at, rowid').all(sessionId) as Record<string, string | number | null>[];
  return rows.map((r) => ({
    id: r.id as string,
    at: r.at as number,
    lastAt: r.last_at as number,
    repeats: r.repeats as number,
    seat: r.seat as string | null,
    terminalId: r.terminal_id as string | null,
    sourceId: r.source_id as string | null,
    idNumber: r.id_number as string | null,
    kind: r.kind as string,
    severity: r.severity as string,
    text: { zh: r.text_zh as string, en: r.text_en as string },
    clearedAt: r.cleared_at as number | null,
    ackedBy: r.acked_by as string | null,
    ackedAt: r.acked_at as number | null,
    ackNote: r.ack_note as string | null,
  }));
}

/** A seat confirmation of a candidate who declined face recognition (seat_identity_confirmations, 029). */
export interface SeatConfirmationRecord {
  id: string;
  sessionId: string;
  roomId: string;
  idNumber: string;
  seat: string | null;
  terminalId: string | null;
  reason: 'login' | 'alert';
  alertId: string | null;
  dueAt: number;
  alerts: number;
  /** When and by whom it was decided, either way (outcome); null while due. */
  confirmedAt: number | null;
  confirmedBy: string | null;
  /** confirmed, or not_the_person (someone else was at the seat: incidentId names the incident recorded). */
  outcome: 'confirmed' | 'not_the_person' | null;
  incidentId: string | null;
  note: string | null;
}

/** The seat confirmations of one exam session, oldest first (the room log and the session archive). */
export function seatConfirmationsOfSession(db: Db, sessionId: string): SeatConfirmationRecord[] {
  return db
    .prepare(`SELECT ${SEAT_CHECK_COLUMNS} FROM seat_identity_confirmations WHERE session_id = ? ORDER BY due_at, rowid`)
    .all(sessionId) as SeatConfirmationRecord[];
}

/** The seat confirmations of one person, in every session, oldest first (the person file). */
export function seatConfirmationsOf(db: Db, idNumber: string): SeatConfirmationRecord[] {
  return db
    .prepare(`SELECT ${SEAT_CHECK_COLUMNS} FROM seat_identity_confirmations WHERE id_number = ? ORDER BY due_at, rowid`)
    .all(idNumber) as SeatConfirmationRecord[];
}
