// What records/ reads of the exam terminals: for the score reports and room log, a session's attempts
// (log-in, submission and by whom, locks), pauses, added time, integrity incidents, seat re-check
// snapshots and moves between terminals; for the session archive, each candidate's attempt and the
// answers that count, and the same integrity record. Reads only; the terminal service alone writes these tables.
import type { Db } from '../storage/index.ts';
import type { Attempt, Incident, Move, StoredSnapshot } from './store.ts';

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

/** A seat re-check snapshot as stored (the file is relative to the data folder's captures/). */
export type SnapshotRecord = StoredSnapshot;
export type MoveRecord = Move;

export interface TerminalSessionRecord {
  attempts: AttemptRecord[];
  pauses: PauseRecord[];
  timeAdded: TimeAddedRecord[];
  integrity: IntegrityRecord[];
  snapshots: SnapshotRecord[];
  moves: MoveRecord[];
}

export interface ArchivedAnswer {
  no: number;
  /** Chosen options, as shown to the candidate (0-based). */
  choice: number[];
  savedAt: number;
}

export interface SessionIntegrity {
  incidents: Incident[];
  snapshots: SnapshotRecord[];
  moves: MoveRecord[];
  pauses: PauseRecord[];
  timeAdded: TimeAddedRecord[];
}

function pausesOf(db: Db, sessionId: string): PauseRecord[] {
  return db
    .prepare(
      `SELECT id, id_number AS idNumber, started_at AS startedAt, ended_at AS endedAt, reason, started_by AS startedBy, ended_by AS endedBy
         FROM terminal_pauses WHERE session_id = ? ORDER BY started_at, id`,
    )
    .all(sessionId) as PauseRecord[];
}

function timeAddedOf(db: Db, sessionId: string): TimeAddedRecord[] {
  return db
    .prepare(
      `SELECT id, id_number AS idNumber, ms, reason, added_by AS addedBy, added_at AS addedAt
         FROM terminal_time_added WHERE session_id = ? ORDER BY added_at, id`,
    )
    .all(sessionId) as TimeAddedRecord[];
}

function snapshotsOf(db: Db, sessionId: string): SnapshotRecord[] {
  return db
    .prepare(
      `SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, file, bytes, identity, distance, detail, checked_at AS checkedAt
         FROM terminal_snapshots WHERE session_id = ? ORDER BY at, id`,
    )
    .all(sessionId) as SnapshotRecord[];
}

function movesOf(db: Db, sessionId: string): MoveRecord[] {
  return db
    .prepare(
      `SELECT id, session_id AS sessionId, id_number AS idNumber, from_terminal AS fromTerminal, to_terminal AS toTerminal, to_seat AS toSeat,
              requested_at AS requestedAt, status, decided_by AS decidedBy, decided_at AS decidedAt
         FROM terminal_moves WHERE session_id = ? ORDER BY requested_at, id`,
    )
    .all(sessionId) as MoveRecord[];
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
    pauses: pausesOf(db, sessionId),
    timeAdded: timeAddedOf(db, sessionId),
    // Ties at the same instant in id order; the archive's terminal-incidents.json keeps insertion (rowid) order.
    integrity: db
      .prepare(
        `SELECT id, at, id_number AS idNumber, terminal_id AS terminalId, kind, source, detail
           FROM terminal_incidents WHERE session_id = ? ORDER BY at, id`,
      )
      .all(sessionId) as IntegrityRecord[],
    snapshots: snapshotsOf(db, sessionId),
    moves: movesOf(db, sessionId),
  };
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

/** The archive's integrity record of one session, each list oldest first. */
export function sessionIntegrity(db: Db, sessionId: string): SessionIntegrity {
  return {
    incidents: db
      .prepare(
        'SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, kind, source, detail FROM terminal_incidents WHERE session_id = ? ORDER BY at, rowid',
      )
      .all(sessionId) as Incident[],
    snapshots: snapshotsOf(db, sessionId),
    moves: movesOf(db, sessionId),
    pauses: pausesOf(db, sessionId),
    timeAdded: timeAddedOf(db, sessionId),
  };
}
