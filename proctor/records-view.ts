// What records/ reads of the proctor console for a session's score reports and room log: the
// incidents (违纪) invigilators recorded. A read; proctor/incidents.ts alone writes them.
import type { Db } from '../storage/index.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './incidents.ts';

export interface IncidentRecord {
  id: string;
  at: number;
  seat: string | null;
  idNumber: string | null;
  category: IncidentCategory;
  categoryText: { zh: string; en: string };
  note: string;
  recordedBy: string;
}

/** The incidents recorded in one exam session, oldest first. */
export function incidentsOfSession(db: Db, sessionId: string): IncidentRecord[] {
  const rows = db
    .prepare(
      `SELECT id, at, seat, id_number AS idNumber, category, note, recorded_by AS recordedBy
         FROM proctor_incidents WHERE session_id = ? ORDER BY at, id`,
    )
    .all(sessionId) as Omit<IncidentRecord, 'categoryText'>[];
  return rows.map((r) => {
    const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category);
    return { ...r, categoryText: { zh: c?.zh ?? r.category, en: c?.en ?? r.category } };
  });
}
