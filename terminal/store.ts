// The gateway's tables (migrations 005 and 025): rows in, rows out. No policy here; the service decides.
import { newId, type Clock } from '../core/index.ts';
import { statementCache, type Db } from '../storage/index.ts';
import type { PauseSpan } from './timer.ts';

export type SubmittedBy = 'candidate' | 'auto' | 'invigilator';
export type SnapshotIdentity = 'match' | 'mismatch' | 'no_face' | 'several_faces' | 'unchecked';

export interface Attempt {
  sessionId: string;
  idNumber: string;
  terminalId: string | null;
  status: 'active' | 'submitted';
  locked: boolean;
  lockReason: string | null;
  loggedInAt: number;
  lastSeq: number;
  submittedAt: number | null;
  submittedBy: SubmittedBy | null;
  submittedActor: string | null;
}

interface AttemptRow {
  session_id: string;
  id_number: string;
  terminal_id: string | null;
  status: 'active' | 'submitted';
  locked: number;
  lock_reason: string | null;
  logged_in_at: number;
  last_seq: number;
  submitted_at: number | null;
  submitted_by: SubmittedBy | null;
  submitted_actor: string | null;
}

const toAttempt = (r: AttemptRow): Attempt => ({
  sessionId: r.session_id,
  idNumber: r.id_number,
  terminalId: r.terminal_id,
  status: r.status,
  locked: r.locked === 1,
  lockReason: r.lock_reason,
  loggedInAt: r.logged_in_at,
  lastSeq: r.last_seq,
  submittedAt: r.submitted_at,
  submittedBy: r.submitted_by,
  submittedActor: r.submitted_actor,
});

export interface StoredAnswer {
  no: number;
  choice: number[];
  seq: number;
}

export interface Incident {
  id: string;
  at: number;
  sessionId: string | null;
  idNumber: string | null;
  terminalId: string;
  kind: string;
  source: 'terminal' | 'server';
  detail: string | null;
}

export interface StoredSnapshot {
  id: string;
  at: number;
  sessionId: string;
  idNumber: string;
  terminalId: string;
  /** Relative to the data folder's captures/. */
  file: string;
  bytes: number;
  identity: SnapshotIdentity;
  /** The face engine's distance to the roster photo, when it measured one. */
  distance: number | null;
  detail: string | null;
  checkedAt: number | null;
}

export interface Move {
  id: string;
  sessionId: string;
  idNumber: string;
  fromTerminal: string | null;
  toTerminal: string;
  toSeat: string;
  requestedAt: number;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  decidedBy: string | null;
  decidedAt: number | null;
}

const MOVE_COLS = `id, session_id AS sessionId, id_number AS idNumber, from_terminal AS fromTerminal, to_terminal AS toTerminal, to_seat AS toSeat,
  requested_at AS requestedAt, status, decided_by AS decidedBy, decided_at AS decidedAt`;

export function createTerminalStore(db: Db, clock: Clock) {
  const sql = statementCache(db);
  const attemptStmt = db.prepare<[string, string], AttemptRow>('SELECT * FROM terminal_attempts WHERE session_id = ? AND id_number = ?');
  const saveStmt = db.prepare<[string, string, number], { no: number; choice: string }>(
    'SELECT no, choice FROM terminal_saves WHERE session_id = ? AND id_number = ? AND seq = ?',
  );
  // A seq already taken inserts nothing (changes = 0): one statement both checks for a replay and records.
  const insertSave = sql(
    'INSERT INTO terminal_saves (session_id, id_number, seq, no, choice, received_at, terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  // The answer changes only for a newer seq (out-of-order saves keep the newest): changes = 0 when older.
  const upsertAnswer = sql(
    `INSERT INTO terminal_answers (session_id, id_number, no, choice, seq, saved_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(session_id, id_number, no) DO UPDATE SET choice = excluded.choice, seq = excluded.seq, saved_at = excluded.saved_at WHERE excluded.seq > terminal_answers.seq`,
  );
  const bumpSeq = sql('UPDATE terminal_attempts SET last_seq = ? WHERE session_id = ? AND id_number = ? AND last_seq < ?');
  const sessionStatus = db.prepare<[string], string>('SELECT status FROM exam_sessions WHERE id = ?').pluck();
  const openSessions = db.prepare<[], { id: string; roomId: string; status: string }>(
    "SELECT id, room_id AS roomId, status FROM exam_sessions WHERE status IN ('checkin', 'in_progress') ORDER BY starts_at, id",
  );

  return {
    attempt(sessionId: string, idNumber: string): Attempt | null {
      const r = attemptStmt.get(sessionId, idNumber);
      return r ? toAttempt(r) : null;
    },
    /** The attempt a terminal holds in one of the given sessions, newest first. */
    attemptOnTerminal(terminalId: string, sessionIds: readonly string[]): Attempt | null {
      if (sessionIds.length === 0) return null;
      const r = db
        .prepare(
          `SELECT * FROM terminal_attempts WHERE terminal_id = ? AND session_id IN (${sessionIds.map(() => '?').join(',')}) ORDER BY status = 'active' DESC, logged_in_at DESC LIMIT 1`,
        )
        .get(terminalId, ...sessionIds) as AttemptRow | undefined;
      return r ? toAttempt(r) : null;
    },
    attemptsOf(sessionId: string): Attempt[] {
      return (sql('SELECT * FROM terminal_attempts WHERE session_id = ? ORDER BY id_number').all(sessionId) as AttemptRow[]).map(toAttempt);
    },
    activeAttempts(): Attempt[] {
      return (sql("SELECT * FROM terminal_attempts WHERE status = 'active'").all() as AttemptRow[]).map(toAttempt);
    },
    createAttempt(sessionId: string, idNumber: string, terminalId: string): void {
      sql('INSERT INTO terminal_attempts (session_id, id_number, terminal_id, logged_in_at) VALUES (?, ?, ?, ?)').run(
        sessionId,
        idNumber,
        terminalId,
        clock.now(),
      );
    },
    /** Binds the attempt to a terminal; any other attempt of the session held there lets go of it. */
    bindTerminal(sessionId: string, idNumber: string, terminalId: string): void {
      sql('UPDATE terminal_attempts SET terminal_id = NULL WHERE session_id = ? AND terminal_id = ? AND id_number <> ?').run(sessionId, terminalId, idNumber);
      sql('UPDATE terminal_attempts SET terminal_id = ? WHERE session_id = ? AND id_number = ?').run(terminalId, sessionId, idNumber);
    },
    setLock(sessionId: string, idNumber: string, locked: boolean, reason: string | null): void {
      sql('UPDATE terminal_attempts SET locked = ?, lock_reason = ? WHERE session_id = ? AND id_number = ?').run(
        locked ? 1 : 0,
        locked ? reason : null,
        sessionId,
        idNumber,
      );
    },
    markSubmitted(sessionId: string, idNumber: string, by: SubmittedBy, actor: string): void {
      sql(
        "UPDATE terminal_attempts SET status = 'submitted', submitted_at = ?, submitted_by = ?, submitted_actor = ?, locked = 0, lock_reason = NULL WHERE session_id = ? AND id_number = ?",
      ).run(clock.now(), by, actor, sessionId, idNumber);
    },

    /** A save received earlier under this seq, if any. */
    saveBySeq(sessionId: string, idNumber: string, seq: number): { no: number; choice: number[] } | null {
      const r = saveStmt.get(sessionId, idNumber, seq);
      return r ? { no: r.no, choice: JSON.parse(r.choice) as number[] } : null;
    },
    /**
     * Records a save and makes it the answer when it is the newest for its question; `choice` is the
     * sorted choice as JSON text. The caller runs this in a transaction. 'applied': the answer changed;
     * 'older': recorded, but a newer save is the answer; 'replay': this seq was saved with this very
     * answer before (nothing written); 'reused': this seq was saved with another answer (nothing written).
     */
    recordSave(sessionId: string, idNumber: string, terminalId: string, seq: number, no: number, choice: string): 'applied' | 'older' | 'replay' | 'reused' {
      const now = clock.now();
      if (insertSave.run(sessionId, idNumber, seq, no, choice, now, terminalId).changes === 0) {
        const prior = saveStmt.get(sessionId, idNumber, seq);
        return prior && prior.no === no && prior.choice === choice ? 'replay' : 'reused';
      }
      bumpSeq.run(seq, sessionId, idNumber, seq);
      return upsertAnswer.run(sessionId, idNumber, no, choice, seq, now).changes > 0 ? 'applied' : 'older';
    },
    /** The session's status, read afresh (another process may have moved it). */
    sessionStatus(sessionId: string): string | null {
      return sessionStatus.get(sessionId) ?? null;
    },
    /** Sessions open for check-in or in progress, in the order a room picks the one its terminals serve. */
    openSessions(): { id: string; roomId: string; status: string }[] {
      return openSessions.all();
    },
    /** Every input of the clock that a command changes, for the whole session: time added and pauses. */
    clockInputs(sessionId: string): {
      added: { idNumber: string | null; ms: number }[];
      pauses: (PauseSpan & { idNumber: string | null })[];
      latest: { idNumber: string | null; ms: number; reason: string; at: number }[];
    } {
      const added = sql('SELECT id_number AS idNumber, SUM(ms) AS ms FROM terminal_time_added WHERE session_id = ? GROUP BY id_number').all(sessionId) as {
        idNumber: string | null;
        ms: number;
      }[];
      const pauses = (
        sql(
          'SELECT id_number AS idNumber, started_at AS startedAt, ended_at AS endedAt, reason FROM terminal_pauses WHERE session_id = ? ORDER BY started_at',
        ).all(sessionId) as {
          idNumber: string | null;
          startedAt: number;
          endedAt: number | null;
          reason: string | null;
        }[]
      ).map((p) => ({
        idNumber: p.idNumber,
        scope: p.idNumber === null ? ('room' as const) : ('candidate' as const),
        startedAt: p.startedAt,
        endedAt: p.endedAt,
        reason: p.reason,
      }));
      // The newest addition of each scope (the room's under null), for telling the candidate.
      const latest = sql(
        `SELECT id_number AS idNumber, ms, reason, added_at AS at FROM terminal_time_added t WHERE session_id = ?
         AND added_at = (SELECT MAX(added_at) FROM terminal_time_added u WHERE u.session_id = t.session_id AND u.id_number IS t.id_number)`,
      ).all(sessionId) as { idNumber: string | null; ms: number; reason: string; at: number }[];
      return { added, pauses, latest };
    },
    answers(sessionId: string, idNumber: string): StoredAnswer[] {
      return (
        sql('SELECT no, choice, seq FROM terminal_answers WHERE session_id = ? AND id_number = ? ORDER BY no').all(sessionId, idNumber) as {
          no: number;
          choice: string;
          seq: number;
        }[]
      ).map((r) => ({
        no: r.no,
        choice: JSON.parse(r.choice) as number[],
        seq: r.seq,
      }));
    },
    answeredCount(sessionId: string): Map<string, number> {
      const rows = sql("SELECT id_number AS idNumber, COUNT(*) AS n FROM terminal_answers WHERE session_id = ? AND choice <> '[]' GROUP BY id_number").all(
        sessionId,
      ) as { idNumber: string; n: number }[];
      return new Map(rows.map((r) => [r.idNumber, r.n]));
    },

    sessionStart(sessionId: string): number | null {
      return (sql('SELECT started_at AS s FROM terminal_session_clocks WHERE session_id = ?').get(sessionId) as { s: number } | undefined)?.s ?? null;
    },
    setSessionStart(sessionId: string, at: number): number {
      sql('INSERT OR IGNORE INTO terminal_session_clocks (session_id, started_at) VALUES (?, ?)').run(sessionId, at);
      return (sql('SELECT started_at AS s FROM terminal_session_clocks WHERE session_id = ?').get(sessionId) as { s: number }).s;
    },

    /** Pauses that apply to a candidate: theirs and the room's. */
    pausesFor(sessionId: string, idNumber: string): PauseSpan[] {
      return (
        db
          .prepare(
            'SELECT id_number AS idNumber, started_at AS startedAt, ended_at AS endedAt, reason FROM terminal_pauses WHERE session_id = ? AND (id_number IS NULL OR id_number = ?) ORDER BY started_at',
          )
          .all(sessionId, idNumber) as { idNumber: string | null; startedAt: number; endedAt: number | null; reason: string | null }[]
      ).map((p) => ({ scope: p.idNumber === null ? 'room' : 'candidate', startedAt: p.startedAt, endedAt: p.endedAt, reason: p.reason }));
    },
    openPause(sessionId: string, idNumber: string | null): { id: string; startedAt: number } | null {
      return (
        (sql('SELECT id, started_at AS startedAt FROM terminal_pauses WHERE session_id = ? AND id_number IS ? AND ended_at IS NULL').get(sessionId, idNumber) as
          | { id: string; startedAt: number }
          | undefined) ?? null
      );
    },
    startPause(sessionId: string, idNumber: string | null, reason: string | null, by: string): string {
      const id = newId(clock.now());
      sql('INSERT INTO terminal_pauses (id, session_id, id_number, started_at, reason, started_by) VALUES (?, ?, ?, ?, ?, ?)').run(
        id,
        sessionId,
        idNumber,
        clock.now(),
        reason,
        by,
      );
      return id;
    },
    endPause(id: string, by: string): void {
      sql('UPDATE terminal_pauses SET ended_at = ?, ended_by = ? WHERE id = ?').run(clock.now(), by, id);
    },
    addedMs(sessionId: string, idNumber: string): number {
      return (
        sql('SELECT COALESCE(SUM(ms), 0) AS ms FROM terminal_time_added WHERE session_id = ? AND (id_number IS NULL OR id_number = ?)').get(
          sessionId,
          idNumber,
        ) as { ms: number }
      ).ms;
    },
    addTime(sessionId: string, idNumber: string | null, ms: number, reason: string, by: string): void {
      sql('INSERT INTO terminal_time_added (id, session_id, id_number, ms, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        newId(clock.now()),
        sessionId,
        idNumber,
        ms,
        reason,
        by,
        clock.now(),
      );
    },

    addIncident(i: Omit<Incident, 'id' | 'at'>): Incident {
      const at = clock.now();
      const id = newId(at);
      sql('INSERT INTO terminal_incidents (id, at, session_id, id_number, terminal_id, kind, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        at,
        i.sessionId,
        i.idNumber,
        i.terminalId,
        i.kind,
        i.source,
        i.detail,
      );
      return { ...i, id, at };
    },
    incidents(sessionId: string): Incident[] {
      return db
        .prepare(
          'SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, kind, source, detail FROM terminal_incidents WHERE session_id = ? ORDER BY at, rowid',
        )
        .all(sessionId) as Incident[];
    },

    addSnapshot(s: { id: string; at: number; sessionId: string; idNumber: string; terminalId: string; file: string; bytes: number; sha256?: string }): void {
      sql('INSERT INTO terminal_snapshots (id, at, session_id, id_number, terminal_id, file, bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        s.id,
        s.at,
        s.sessionId,
        s.idNumber,
        s.terminalId,
        s.file,
        s.bytes,
        s.sha256 ?? null,
      );
    },
    /** What a candidate's snapshots in a session take so far (all terminals): the quota and interval read it. */
    snapshotUse(sessionId: string, idNumber: string): { count: number; bytes: number; lastAt: number | null } {
      return sql(
        'SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS bytes, MAX(at) AS lastAt FROM terminal_snapshots WHERE session_id = ? AND id_number = ?',
      ).get(sessionId, idNumber) as { count: number; bytes: number; lastAt: number | null };
    },
    /** The files (relative to captures/) a session's snapshots are indexed under. */
    snapshotFiles(sessionId: string): Set<string> {
      const rows = sql('SELECT file FROM terminal_snapshots WHERE session_id = ?').all(sessionId) as { file: string }[];
      return new Set(rows.map((r) => r.file));
    },
    /** The identity check's verdict on a stored snapshot (migration 009's columns). */
    setSnapshotIdentity(id: string, r: { identity: SnapshotIdentity; distance: number | null; detail: string }): void {
      sql('UPDATE terminal_snapshots SET identity = ?, distance = ?, detail = ?, checked_at = ? WHERE id = ?').run(
        r.identity,
        r.distance,
        r.detail,
        clock.now(),
        id,
      );
    },
    snapshot(id: string): StoredSnapshot | null {
      return (
        (sql(
          'SELECT id, at, session_id AS sessionId, id_number AS idNumber, terminal_id AS terminalId, file, bytes, identity, distance, detail, checked_at AS checkedAt FROM terminal_snapshots WHERE id = ?',
        ).get(id) as StoredSnapshot | undefined) ?? null
      );
    },

    move(id: string): Move | null {
      return (sql(`SELECT ${MOVE_COLS} FROM terminal_moves WHERE id = ?`).get(id) as Move | undefined) ?? null;
    },
    pendingMoves(sessionId: string): Move[] {
      return sql(`SELECT ${MOVE_COLS} FROM terminal_moves WHERE session_id = ? AND status = 'pending' ORDER BY requested_at`).all(sessionId) as Move[];
    },
    /** One pending request per candidate: a new one withdraws the older; asking again returns the same. */
    requestMove(m: { sessionId: string; idNumber: string; fromTerminal: string | null; toTerminal: string; toSeat: string }): { move: Move; created: boolean } {
      const now = clock.now();
      const existing = db
        .prepare(`SELECT ${MOVE_COLS} FROM terminal_moves WHERE session_id = ? AND id_number = ? AND to_terminal = ? AND status = 'pending'`)
        .get(m.sessionId, m.idNumber, m.toTerminal) as Move | undefined;
      if (existing) return { move: existing, created: false };
      const id = newId(now);
      db.transaction(() => {
        sql(
          "UPDATE terminal_moves SET status = 'withdrawn', decided_at = ?, decided_by = 'system' WHERE session_id = ? AND id_number = ? AND status = 'pending'",
        ).run(now, m.sessionId, m.idNumber);
        sql('INSERT INTO terminal_moves (id, session_id, id_number, from_terminal, to_terminal, to_seat, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          id,
          m.sessionId,
          m.idNumber,
          m.fromTerminal,
          m.toTerminal,
          m.toSeat,
          now,
        );
      }).immediate();
      return { move: sql(`SELECT ${MOVE_COLS} FROM terminal_moves WHERE id = ?`).get(id) as Move, created: true };
    },
    decideMove(id: string, status: 'approved' | 'rejected' | 'withdrawn', by: string): void {
      sql("UPDATE terminal_moves SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(status, by, clock.now(), id);
    },

    // Terminals locked after failed log-ins (migration 025).
    loginLock(terminalId: string): { lockedAt: number; failures: number; sessionId: string | null } | null {
      return (
        (sql('SELECT locked_at AS lockedAt, failures, session_id AS sessionId FROM terminal_login_locks WHERE terminal_id = ?').get(terminalId) as
          | { lockedAt: number; failures: number; sessionId: string | null }
          | undefined) ?? null
      );
    },
    lockLogin(terminalId: string, failures: number, sessionId: string | null): void {
      sql('INSERT OR IGNORE INTO terminal_login_locks (terminal_id, locked_at, failures, session_id) VALUES (?, ?, ?, ?)').run(
        terminalId,
        clock.now(),
        failures,
        sessionId,
      );
    },
    unlockLogin(terminalId: string): boolean {
      return sql('DELETE FROM terminal_login_locks WHERE terminal_id = ?').run(terminalId).changes === 1;
    },
  };
}

export type TerminalStore = ReturnType<typeof createTerminalStore>;
