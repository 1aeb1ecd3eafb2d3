// Users and their log-in sessions, as rows. Password hashing and lockout rules live in server/auth.
import type { Clock } from '../core/index.ts';
import type { Db } from './db.ts';

/** headteacher: 班主任 of training classes (training/ decides which classes are theirs). */
export type Role = 'admin' | 'invigilator' | 'inspector' | 'headteacher';
export interface Jurisdiction {
  level: 'province' | 'city' | 'site';
  code: string;
}

export interface User {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  passwordHash: string;
  rooms: string[];
  jurisdiction: Jurisdiction | null;
  /** The latest lock of this name from any address (login_locks); null when it never was locked. */
  lockedUntil: number | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  username: string;
  displayName?: string | null;
  role: Role;
  passwordHash: string;
  rooms?: string[];
  jurisdiction?: Jurisdiction | null;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  role: Role;
  password_hash: string;
  rooms: string;
  jurisdiction_level: Jurisdiction['level'] | null;
  jurisdiction_code: string | null;
  locked_until: number | null;
  disabled: number;
  created_at: number;
  updated_at: number;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    rooms: JSON.parse(r.rooms) as string[],
    jurisdiction: r.jurisdiction_level && r.jurisdiction_code ? { level: r.jurisdiction_level, code: r.jurisdiction_code } : null,
    lockedUntil: r.locked_until,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface SessionRow {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/** A typed name's failed log-ins from one address (login_locks). */
export interface LoginLock {
  failures: number;
  lockedUntil: number | null;
}

/** Rows of names nobody typed wrong for a day are dropped, so typing random names cannot grow the table. */
const FORGET_AFTER_MS = 24 * 3600_000;

export function createUserStore(db: Db, clock: Clock) {
  const SELECT_USER = 'SELECT u.*, (SELECT MAX(l.locked_until) FROM login_locks l WHERE l.username = u.username) AS locked_until FROM users u';
  const byName = db.prepare<[string], UserRow>(`${SELECT_USER} WHERE u.username = ?`);
  const byId = db.prepare<[number], UserRow>(`${SELECT_USER} WHERE u.id = ?`);
  return {
    byUsername(username: string): User | null {
      const r = byName.get(username);
      return r ? toUser(r) : null;
    },
    byId(id: number): User | null {
      const r = byId.get(id);
      return r ? toUser(r) : null;
    },
    list(): User[] {
      return (db.prepare(`${SELECT_USER} ORDER BY u.username`).all() as UserRow[]).map(toUser);
    },
    insert(u: NewUser): User {
      const now = clock.now();
      const info = db
        .prepare(
          `INSERT INTO users (username, display_name, role, password_hash, rooms, jurisdiction_level, jurisdiction_code, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          u.username,
          u.displayName ?? null,
          u.role,
          u.passwordHash,
          JSON.stringify(u.rooms ?? []),
          u.jurisdiction?.level ?? null,
          u.jurisdiction?.code ?? null,
          now,
          now,
        );
      return this.byId(Number(info.lastInsertRowid))!;
    },
    update(id: number, patch: Partial<Pick<User, 'displayName' | 'role' | 'passwordHash' | 'rooms' | 'jurisdiction' | 'disabled'>>): void {
      const cur = this.byId(id);
      if (!cur) return;
      const next = { ...cur, ...patch };
      db.prepare(
        `UPDATE users SET display_name = ?, role = ?, password_hash = ?, rooms = ?, jurisdiction_level = ?, jurisdiction_code = ?, disabled = ?, updated_at = ? WHERE id = ?`,
      ).run(
        next.displayName,
        next.role,
        next.passwordHash,
        JSON.stringify(next.rooms),
        next.jurisdiction?.level ?? null,
        next.jurisdiction?.code ?? null,
        next.disabled ? 1 : 0,
        clock.now(),
        id,
      );
    },
    /** The failures of `username` (as typed, known or not) from `address`. */
    loginLock(username: string, address: string): LoginLock | null {
      const r = db.prepare('SELECT failures, locked_until FROM login_locks WHERE username = ? AND address = ?').get(username, address) as
        | { failures: number; locked_until: number | null }
        | undefined;
      return r ? { failures: r.failures, lockedUntil: r.locked_until } : null;
    },
    /** Counts one failure; at `lockAfter` the pair is locked until `lockUntil` and the count starts again. */
    recordFailure(username: string, address: string, lockAfter: number, lockUntil: number): LoginLock {
      return db.transaction(() => {
        const now = clock.now();
        db.prepare('DELETE FROM login_locks WHERE last_failure < ? AND (locked_until IS NULL OR locked_until < ?)').run(now - FORGET_AFTER_MS, now);
        const r = db
          .prepare(
            `INSERT INTO login_locks (username, address, failures, locked_until, last_failure) VALUES (?, ?, 1, NULL, ?)
             ON CONFLICT (username, address) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure
             RETURNING failures`,
          )
          .get(username, address, now) as { failures: number };
        if (r.failures < lockAfter) return { failures: r.failures, lockedUntil: null };
        db.prepare('UPDATE login_locks SET failures = 0, locked_until = ? WHERE username = ? AND address = ?').run(lockUntil, username, address);
        return { failures: r.failures, lockedUntil: lockUntil };
      })();
    },
    /** A right password from this address: its count starts again (other addresses keep theirs). */
    recordSuccess(username: string, address: string): void {
      db.prepare('DELETE FROM login_locks WHERE username = ? AND address = ?').run(username, address);
    },
    /** Lifts the locks of this name from every address. */
    unlock(id: number): void {
      db.prepare('DELETE FROM login_locks WHERE username = (SELECT username FROM users WHERE id = ?)').run(id);
      db.prepare('UPDATE users SET updated_at = ? WHERE id = ?').run(clock.now(), id);
    },
    createSession(s: SessionRow & { ip: string | null; userAgent: string | null }): void {
      db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)').run(
        s.tokenHash,
        s.userId,
        s.createdAt,
        s.expiresAt,
        s.ip,
        s.userAgent,
      );
    },
    sessionByHash(tokenHash: string): SessionRow | null {
      const r = db.prepare('SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ?').get(tokenHash) as
        | { token_hash: string; user_id: number; created_at: number; expires_at: number }
        | undefined;
      return r ? { tokenHash: r.token_hash, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at } : null;
    },
    deleteSession(tokenHash: string): void {
      db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
    },
    deleteSessionsOf(userId: number): void {
      db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
    },
    deleteExpiredSessions(): number {
      return db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(clock.now()).changes;
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
