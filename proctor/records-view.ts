// What records/ reads of the proctor console: the incidents (违纪) invigilators recorded, by session for
// the score reports and room log, by person for the person file (一人一档). A read; proctor/incidents.ts
// alone writes them.
import type { Db } from '../storage/index.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './incidents.ts';

export interface IncidentRecord {
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
/** The person file's name for the same record. */
export type PersonIncident = IncidentRecord;

const COLUMNS = 'id, at, session_id AS sessionId, room_id AS roomId, seat, id_number AS idNumber, category, note, recorded_by AS recordedBy';

function worded(rows: Omit<IncidentRecord, 'categoryText'>[]): IncidentRecord[] {
  return rows.map((r) => {
    const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category);
    return { ...r, categoryText: { zh: c?.zh ?? r.category, en: c?.en ?? r.category } };
  });
}

/** The incidents recorded in one exam session, oldest first. */
export function incidentsOfSession(db: Db, sessionId: string): IncidentRecord[] {
  return worded(
    db.prepare(`SELECT ${COLUMNS} FROM proctor_incidents WHERE session_id = ? ORDER BY at, id`).all(sessionId) as Omit<IncidentRecord, 'categoryText'>[],
  );
}

/** The incidents recorded against one person, in every session, oldest first. */
export function incidentsOf(db: Db, idNumber: string): IncidentRecord[] {
  return worded(
    db.prepare(`SELECT ${COLUMNS} FROM proctor_incidents WHERE id_number = ? ORDER BY at, id`).all(idNumber) as Omit<IncidentRecord, 'categoryText'>[],
  );
}
