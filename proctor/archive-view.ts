// What the session archive (records/archive) reads of the proctor console for one session: the
// incidents (违纪) invigilators recorded, and the alerts raised with what was decided on each
// (acknowledged by whom, with which note, or cleared by itself). Read only, oldest first.
import type { Db } from '../storage/index.ts';
import { INCIDENT_CATEGORIES, type ProctorIncident } from './incidents.ts';

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

export function sessionIncidents(db: Db, sessionId: string): ProctorIncident[] {
  const rows = db.prepare('SELECT * FROM proctor_incidents WHERE session_id = ? ORDER BY at, rowid').all(sessionId) as Record<string, string | number | null>[];
  return rows.map((r) => {
    const c = INCIDENT_CATEGORIES.find((x) => x.code === r.category)!;
    return {
      id: r.id as string,
      at: r.at as number,
      sessionId: r.session_id as string,
      roomId: r.room_id as string,
      seat: r.seat as string | null,
      idNumber: r.id_number as string | null,
      category: c.code,
      categoryText: { zh: c.zh, en: c.en },
      note: r.note as string,
      recordedBy: r.recorded_by as string,
    };
  });
}

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
