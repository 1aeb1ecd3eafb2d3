// What the person file (一人一档, records/people) reads of the proctor module: the incidents (违纪)
// invigilators recorded against a person, in every session. Read-only, by ID number.
import type { Db } from '../storage/index.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './incidents.ts';

export interface PersonIncident {
  id: string;
  at: number;
  sessionId: string;
  roomId: string;
  seat: string | null;
  category: IncidentCategory;
  categoryText: { zh: string; en: string };
  note: string;
  recordedBy: string;
}

export function incidentsOf(db: Db, idNumber: string): PersonIncident[] {
  const rows = db
    .prepare(
      `SELECT id, at, session_id AS sessionId, room_id AS roomId, seat, category, note, recorded_by AS recordedBy
       FROM proctor_incidents WHERE id_number = ? ORDER BY at, id`,
    )
    .all(idNumber) as Omit<PersonIncident, 'categoryText'>[];
  return rows.map((r) => {
    const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category)!;
    return { ...r, categoryText: { zh: c.zh, en: c.en } };
  });
}
