// People: log-in with lockout, cookie sessions, and user administration. Every outcome is audited.
import { Conflict, Locked, NotFound, Unauthorized, ValidationError, hashSecret, newSecret, type Clock, type EventBus, type Problem } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditLog, Jurisdiction, Role, User, UserStore } from '../../storage/index.ts';
import { randomBytes } from 'node:crypto';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

export interface UserInput {
  username: string;
  displayName?: string | null;
  role: Role;
  password: string;
  rooms?: string[];
  jurisdiction?: Jurisdiction | null;
}

export interface UserPatch {
  displayName?: string | null;
  role?: Role;
  password?: string;
  rooms?: string[];
  jurisdiction?: Jurisdiction | null;
  disabled?: boolean;
}

export interface PublicUser {
  username: string;
  displayName: string | null;
  role: Role;
  rooms: string[];
  jurisdiction: Jurisdiction | null;
  disabled: boolean;
  lockedUntil: number | null;
}

export function publicUser(u: User): PublicUser {
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    rooms: u.rooms,
    jurisdiction: u.jurisdiction,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil,
  };
}

/** 14 characters a person can read aloud and type: no 0/O, 1/l/I; always letters and digits. */
export function generatedPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = letters + digits;
  const bytes = randomBytes(14);
  const chars = [...bytes].map((b) => all[b % all.length]!);
  chars[bytes[0]! % 7] = letters[bytes[1]! % letters.length]!;
  chars[7 + (bytes[2]! % 7)] = digits[bytes[3]! % digits.length]!;
  return chars.join('');
}

/**
 * Why a change ends a user's sessions, or null when it leaves them standing (a new display name, an
 * unchanged role or room list saved again, an account enabled).
 */
function endReason(
  u: User,
  patch: UserPatch,
  next: { role: Role; rooms: string[]; jurisdiction: Jurisdiction | null },
): 'password' | 'disabled' | 'rights' | null {
  if (patch.disabled && !u.disabled) return 'disabled';
  if (patch.password !== undefined) return 'password';
  const sameRooms = next.rooms.length === u.rooms.length && next.rooms.every((r) => u.rooms.includes(r));
  const sameJurisdiction = next.jurisdiction?.level === u.jurisdiction?.level && next.jurisdiction?.code === u.jurisdiction?.code;
  return next.role !== u.role || !sameRooms || !sameJurisdiction ? 'rights' : null;
}

export function createUserService(deps: { users: UserStore; audit: AuditLog; bus: EventBus; clock: Clock; config: Config }) {
  const { users, audit, bus, clock, config } = deps;
  const sec = config.security;

  function checkBinding(role: Role, rooms: string[] | undefined, jurisdiction: Jurisdiction | null | undefined): Problem[] {
    const problems: Problem[] = [];
    const roomIds = new Set(config.rooms.map((r) => r.id));
    if (role === 'invigilator') {
      if (!rooms || rooms.length === 0) problems.push({ path: 'rooms', problem: 'an invigilator must be bound to at least one room' });
      rooms?.forEach((r, i) => {
        if (!roomIds.has(r)) problems.push({ path: `rooms[${i}]`, problem: `no such room (rooms are ${[...roomIds].join(', ')})`, got: r });
      });
    } else if (rooms && rooms.length > 0) {
      problems.push({ path: 'rooms', problem: `only invigilators are bound to rooms (role is ${role})` });
    }
    if (role === 'inspector') {
      if (!jurisdiction) problems.push({ path: 'jurisdiction', problem: 'an inspector must have a jurisdiction (province, city or site)' });
      else if (jurisdiction.level !== 'site' && !/^[0-9]{6}$/.test(jurisdiction.code)) {
        problems.push({ path: 'jurisdiction.code', problem: `a ${jurisdiction.level} code is a six-digit division code`, got: jurisdiction.code });
      }
    } else if (jurisdiction) {
      problems.push({ path: 'jurisdiction', problem: `only inspectors have a jurisdiction (role is ${role})` });
    }
    return problems;
  }

  /**
   * The user whose name and password these are. Failures count per typed name and client address, known
   * name or not: a lock on the account itself let any PC in the room lock the admin out, and a name that
   * never locked was a name that did not exist. Unknown names, wrong passwords and disabled users get one
   * reply, after the same scrypt work (a dummy hash for an unknown name). A success clears this address's
   * count. No session is made.
   */
  async function checkCredentials(username: string, password: string, ctx: { ip: string | null }) {
    const name = username.slice(0, 64);
    const address = ctx.ip ?? '';
    const user = users.byUsername(name);
    const now = clock.now();
    const lock = users.loginLock(name, address);
    if (lock?.lockedUntil && lock.lockedUntil > now) {
      audit.append({
        actor: user ? `user:${user.username}` : 'anonymous',
        action: 'user.login.refused',
        target: name,
        detail: { reason: 'locked' },
        ip: ctx.ip,
      });
      throw new Locked(
        `locked after repeated failed log-ins from this address; try again in ${Math.ceil((lock.lockedUntil - now) / 60000)} min or ask an admin to unlock it`,
        Math.ceil((lock.lockedUntil - now) / 1000),
      );
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      audit.append({
        actor: user ? `user:${user.username}` : 'anonymous',
        action: 'user.login.failed',
        target: name,
        detail: { reason: !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password' },
        ip: ctx.ip,
      });
      bus.emit('user.login', { username, ok: false, ip: ctx.ip ?? '' });
      const r = users.recordFailure(name, address, sec.lockoutFailures, now + sec.lockoutMinutes * 60000);
      if (r.lockedUntil) {
        audit.append({
          actor: 'system',
          action: 'user.locked',
          target: name,
          detail: { until: r.lockedUntil, failures: sec.lockoutFailures, address, known: Boolean(user) },
          ip: ctx.ip,
        });
        bus.emit('user.locked', { username: name, until: r.lockedUntil });
      }
      throw new Unauthorized('wrong user name or password');
    }
    users.recordSuccess(name, address);
    return user;
  }

  /** The user of a session that stands (known, not expired, user enabled); an expired one is removed. */
  function liveSession(sessionHash: string): User | null {
    const s = users.sessionByHash(sessionHash);
    if (!s) return null;
    if (s.expiresAt <= clock.now()) {
      users.deleteSession(sessionHash);
      const u = users.byId(s.userId);
      if (u) bus.emit('user.sessions_ended', { username: u.username, sessionHash, reason: 'expired' });
      return null;
    }
    const user = users.byId(s.userId);
    return user && !user.disabled ? user : null;
  }

  return {
    async login(username: string, password: string, ctx: { ip: string | null; userAgent: string | null }) {
      const user = await checkCredentials(username, password, ctx);
      const now = clock.now();
      const token = newSecret();
      const expiresAt = now + sec.sessionHours * 3600_000;
      users.createSession({ tokenHash: hashSecret(token), userId: user.id, createdAt: now, expiresAt, ip: ctx.ip, userAgent: ctx.userAgent });
      audit.append({ actor: `user:${user.username}`, action: 'user.login', target: user.username, detail: { role: user.role }, ip: ctx.ip });
      bus.emit('user.login', { username: user.username, ok: true, ip: ctx.ip ?? '' });
      return { token, expiresAt, user: publicUser(users.byId(user.id)!) };
    },

    /**
     * Confirms a staff member's name and password for one action at a device (a kiosk override)
     * without logging them in there; failures count towards the lock-out like a failed log-in.
     */
    async confirmCredentials(username: string, password: string, ip: string | null): Promise<PublicUser> {
      const user = await checkCredentials(username, password, { ip });
      return publicUser(users.byId(user.id)!);
    },

    /** The user behind a session cookie, or null when it is unknown, expired or the user is disabled. */
    resolveSession(token: string): { user: User; sessionHash: string } | null {
      const h = hashSecret(token);
      const user = liveSession(h);
      return user ? { user, sessionHash: h } : null;
    },

    /**
     * Whether a session (by its hash) still stands: the check the open channels' sweep makes
     * (server/auth/channels.ts), which also catches changes made by another process (the CLI).
     */
    sessionAlive(sessionHash: string): boolean {
      return liveSession(sessionHash) !== null;
    },

    logout(sessionHash: string, user: User, ip: string | null) {
      users.deleteSession(sessionHash);
      audit.append({ actor: `user:${user.username}`, action: 'user.logout', target: user.username, ip });
      bus.emit('user.sessions_ended', { username: user.username, sessionHash, reason: 'logout' });
    },

    list(): PublicUser[] {
      return users.list().map(publicUser);
    },

    get(username: string): PublicUser {
      const u = users.byUsername(username);
      if (!u) throw new NotFound(`no user named ${username}`);
      return publicUser(u);
    },

    async add(input: UserInput, actor: string, ip: string | null = null): Promise<PublicUser> {
      const problems = checkBinding(input.role, input.rooms, input.jurisdiction);
      const pw = passwordProblem(input.password);
      if (pw) problems.push({ path: 'password', problem: pw });
      if (!/^[A-Za-z0-9_.@-]{2,64}$/.test(input.username))
        problems.push({ path: 'username', problem: 'must be 2–64 letters, digits or _ . @ -', got: input.username });
      if (problems.length) throw new ValidationError(problems);
      if (users.byUsername(input.username)) throw new Conflict(`a user named ${input.username} already exists`);
      const u = users.insert({ ...input, passwordHash: await hashPassword(input.password) });
      audit.append({ actor, action: 'user.add', target: u.username, detail: { role: u.role, rooms: u.rooms, jurisdiction: u.jurisdiction }, ip });
      return publicUser(u);
    },

    async update(username: string, patch: UserPatch, actor: string, ip: string | null = null): Promise<PublicUser> {
      const u = users.byUsername(username);
      if (!u) throw new NotFound(`no user named ${username}`);
      const role = patch.role ?? u.role;
      const rooms = patch.rooms ?? (patch.role && patch.role !== 'invigilator' ? [] : u.rooms);
      const jurisdiction = patch.jurisdiction !== undefined ? patch.jurisdiction : patch.role && patch.role !== 'inspector' ? null : u.jurisdiction;
      const problems = checkBinding(role, rooms, jurisdiction);
      if (patch.password !== undefined) {
        const pw = passwordProblem(patch.password);
        if (pw) problems.push({ path: 'password', problem: pw });
      }
      if (problems.length) throw new ValidationError(problems);
      users.update(u.id, {
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        role,
        rooms,
        jurisdiction,
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
      });
      // A changed password, role, room or jurisdiction, or a disabled account, must not keep old sessions
      // alive — nor their open sockets and event streams, which were let in on the old rights.
      const ended = endReason(u, patch, { role, rooms, jurisdiction });
      if (ended) {
        users.deleteSessionsOf(u.id);
        bus.emit('user.sessions_ended', { username: u.username, sessionHash: null, reason: ended });
      }
      const changed = Object.keys(patch).map((k) => (k === 'password' ? 'password (not logged)' : k));
      audit.append({
        actor,
        action: 'user.update',
        target: u.username,
        detail: { changed, role, rooms, jurisdiction, disabled: patch.disabled ?? u.disabled },
        ip,
      });
      return publicUser(users.byId(u.id)!);
    },

    /**
     * Sets a new password for a user: the one the admin typed, or — when none is given — a generated
     * one handed back once (never stored in clear, never logged). Lifts a lockout and ends the user's
     * sessions, as a changed password must; audited without the password.
     */
    async resetPassword(
      username: string,
      typed: string | undefined,
      actor: string,
      ip: string | null = null,
    ): Promise<{ user: PublicUser; password: string | null }> {
      const u = users.byUsername(username);
      if (!u) throw new NotFound(`no user named ${username}`);
      const password = typed ?? generatedPassword();
      const pw = passwordProblem(password);
      if (pw) throw new ValidationError([{ path: 'password', problem: pw }]);
      users.update(u.id, { passwordHash: await hashPassword(password) });
      users.unlock(u.id);
      users.deleteSessionsOf(u.id);
      bus.emit('user.sessions_ended', { username: u.username, sessionHash: null, reason: 'password' });
      audit.append({ actor, action: 'user.password.reset', target: u.username, detail: { generated: typed === undefined }, ip });
      return { user: publicUser(users.byId(u.id)!), password: typed === undefined ? password : null };
    },

    unlock(username: string, actor: string, ip: string | null = null): PublicUser {
      const u = users.byUsername(username);
      if (!u) throw new NotFound(`no user named ${username}`);
      users.unlock(u.id);
      audit.append({ actor, action: 'user.unlock', target: u.username, ip });
      return publicUser(users.byId(u.id)!);
    },

    /** Creates the users the config names when they do not exist yet; never overwrites a changed one. */
    async bootstrap(list: Config['users']): Promise<string[]> {
      const created: string[] = [];
      for (const b of list) {
        if (users.byUsername(b.username)) continue;
        const passwordHash = b.passwordHash ?? (await hashPassword(b.password!));
        users.insert({
          username: b.username,
          displayName: b.displayName ?? null,
          role: b.role,
          passwordHash,
          rooms: b.rooms ?? [],
          jurisdiction: b.jurisdiction ?? null,
        });
        audit.append({ actor: 'system', action: 'user.bootstrap', target: b.username, detail: { role: b.role, from: 'config' } });
        created.push(b.username);
      }
      return created;
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
