// What the session archive (records/archive) reads of the terminal gateway for one session: each
// candidate's attempt and the answers that count, and the integrity record (incidents, seat re-check
// snapshots, moves between terminals, pauses and added time). Read only, oldest first.
import type { Db } from '../storage/index.ts';
import type { Attempt, Incident, Move, StoredSnapshot } from './store.ts';

export interface ArchivedAnswer {
  no: number;
  /** Chosen options, as shown to the candidate (0-based). */
  choice: number[];
  savedAt: number;
}

export interface SessionIntegrity {
  incidents: Incident[];
  snapshots: StoredSnapshot[];
  moves: Move[];
  pauses: {
    id: string;
    idNumber: string | null;
    startedAt: number;
    endedAt: number | null;
    reason: string | null;
    startedBy: string;
    endedBy: string | null;
  }[];
  timeAdded: { id: string; idNumber: string | null; ms: number; reason: string; addedBy: string; addedAt: number }[];
}

/** The candidate's attempt at a terminal (login, submit, by whom), or null when they never logged in. */
export function sessionAttempt(db: Db, sessionId: string, idNumber: string): Omit<Attempt, 'lastSeq'> | null {
  const r = db
    .prepare(
      `SELECT session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, status, locked, lock_reason AS lockReason,
              logged_in_at AS loggedInAt, submitted_at AS submittedAt, submitted_by AS submittedBy, submitted_actor AS submittedActor
       FROM terminal_attempts WHERE session_id = ? AND id_number = ?`,
    )
    .get(sessionId, idNumber) as (Record<string, unknown> & { locked: number }) | undefined;
  return r ? ({ ...r, locked: r.locked === 1 } as unknown as Omit<Attempt, 'lastSeq'>) : null;
}

/** The answers that count (the newest save per question), by question number. */
export function sessionAnswers(db: Db, sessionId: string, idNumber: string): ArchivedAnswer[] {
  const rows = db
    .prepare('SELECT no, choice, saved_at AS savedAt FROM terminal_answers WHERE session_id = ? AND id_number = ? ORDER BY no')
    .all(sessionId, idNumber) as { no: number; choice: string; savedAt: number }[];
  return rows.map((r) => ({ no: r.no, choice: JSON.parse(r.choice) as number[], savedAt: r.savedAt }));
}

export function sessionIntegrity(db: Db, sessionId: string): SessionIntegrity {
  return {
    incidents: db
      .prepare(
        'SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, kind, source, detail FROM terminal_incidents WHERE session_id = ? ORDER BY at, rowid',
      )
      .all(sessionId) as Incident[],
    snapshots: db
      .prepare(
        `SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, file, bytes, identity, distance, detail, checked_at AS checkedAt
         FROM terminal_snapshots WHERE session_id = ? ORDER BY at, id`,
      )
      .all(sessionId) as StoredSnapshot[],
    moves: db
      .prepare(
        `SELECT id, session_id AS sessionId, id_number AS idNumber, from_terminal AS fromTerminal, to_terminal AS toTerminal, to_seat AS toSeat,
                requested_at AS requestedAt, status, decided_by AS decidedBy, decided_at AS decidedAt
         FROM terminal_moves WHERE session_id = ? ORDER BY requested_at, id`,
      )
      .all(sessionId) as Move[],
    pauses: db
      .prepare(
        `SELECT id, id_number AS idNumber, started_at AS startedAt, ended_at AS endedAt, reason, started_by AS startedBy, ended_by AS endedBy
         FROM terminal_pauses WHERE session_id = ? ORDER BY started_at, id`,
      )
      .all(sessionId) as SessionIntegrity['pauses'],
    timeAdded: db
      .prepare(
        `SELECT id, id_number AS idNumber, ms, reason, added_by AS addedBy, added_at AS addedAt
         FROM terminal_time_added WHERE session_id = ? ORDER BY added_at, id`,
      )
      .all(sessionId) as SessionIntegrity['timeAdded'],
  };
}
