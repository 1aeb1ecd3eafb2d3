// What records/ reads of the exam terminals for a session's score reports and room log: attempts
// (log-in, submission and by whom, locks), pauses, added time, integrity incidents, seat re-check
// snapshots and moves between terminals. Reads only; the terminal service alone writes these tables.
import type { Db } from '../storage/index.ts';

export interface AttemptRecord {
  idNumber: string;
  terminalId: string | null;
  status: 'active' | 'submitted';
  loggedInAt: number;
  submittedAt: number | null;
  submittedBy: 'candidate' | 'auto' | 'invigilator' | null;
  submittedActor: string | null;
  locked: boolean;
  lockReason: string | null;
}

export interface PauseRecord {
  id: string;
  /** null: the whole room. */
  idNumber: string | null;
  startedAt: number;
  endedAt: number | null;
  reason: string | null;
  startedBy: string;
  endedBy: string | null;
}

export interface TimeAddedRecord {
  id: string;
  idNumber: string | null;
  ms: number;
  reason: string;
  addedBy: string;
  addedAt: number;
}

export interface IntegrityRecord {
  id: string;
  at: number;
  idNumber: string | null;
  terminalId: string;
  kind: string;
  source: 'terminal' | 'server';
  detail: string | null;
}

export interface SnapshotRecord {
  id: string;
  at: number;
  idNumber: string;
  terminalId: string;
  /** Relative to the data folder's captures/. */
  file: string;
  identity: 'unchecked' | 'match' | 'mismatch' | 'no_face' | 'several_faces';
  distance: number | null;
  detail: string | null;
}

export interface MoveRecord {
  id: string;
  idNumber: string;
  fromTerminal: string | null;
  toTerminal: string;
  toSeat: string;
  requestedAt: number;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  decidedBy: string | null;
  decidedAt: number | null;
}

export interface TerminalSessionRecord {
  attempts: AttemptRecord[];
  pauses: PauseRecord[];
  timeAdded: TimeAddedRecord[];
  integrity: IntegrityRecord[];
  snapshots: SnapshotRecord[];
  moves: MoveRecord[];
}

/** Everything the terminals recorded of one exam session, each list oldest first. */
export function terminalRecordOfSession(db: Db, sessionId: string): TerminalSessionRecord {
  const attempts = (
    db
      .prepare(
        `SELECT id_number AS idNumber, terminal_id AS terminalId, status, logged_in_at AS loggedInAt, submitted_at AS submittedAt,
                submitted_by AS submittedBy, submitted_actor AS submittedActor, locked, lock_reason AS lockReason
           FROM terminal_attempts WHERE session_id = ? ORDER BY logged_in_at, id_number`,
      )
      .all(sessionId) as (Omit<AttemptRecord, 'locked'> & { locked: number })[]
  ).map((a) => ({ ...a, locked: a.locked === 1 }));
  return {
    attempts,
    pauses: db
      .prepare(
        `SELECT id, id_number AS idNumber, started_at AS startedAt, ended_at AS endedAt, reason, started_by AS startedBy, ended_by AS endedBy
           FROM terminal_pauses WHERE session_id = ? ORDER BY started_at, id`,
      )
      .all(sessionId) as PauseRecord[],
    timeAdded: db
      .prepare(
        `SELECT id, id_number AS idNumber, ms, reason, added_by AS addedBy, added_at AS addedAt
           FROM terminal_time_added WHERE session_id = ? ORDER BY added_at, id`,
      )
      .all(sessionId) as TimeAddedRecord[],
    integrity: db
      .prepare(
        `SELECT id, at, id_number AS idNumber, terminal_id AS terminalId, kind, source, detail
           FROM terminal_incidents WHERE session_id = ? ORDER BY at, id`,
      )
      .all(sessionId) as IntegrityRecord[],
    snapshots: db
      .prepare(
        `SELECT id, at, id_number AS idNumber, terminal_id AS terminalId, file, identity, distance, detail
           FROM terminal_snapshots WHERE session_id = ? ORDER BY at, id`,
      )
      .all(sessionId) as SnapshotRecord[],
    moves: db
      .prepare(
        `SELECT id, id_number AS idNumber, from_terminal AS fromTerminal, to_terminal AS toTerminal, to_seat AS toSeat, requested_at AS requestedAt,
                status, decided_by AS decidedBy, decided_at AS decidedAt
           FROM terminal_moves WHERE session_id = ? ORDER BY requested_at, id`,
      )
      .all(sessionId) as MoveRecord[],
  };
}
