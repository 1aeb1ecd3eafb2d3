// Integrity reports and webcam snapshots: a snapshot is stored at once and its identity re-check is
// queued, one at a time, off the message path, so saves never wait for the face engine. What a terminal
// may store is bounded here, whatever its page does: one snapshot per interval, a quota per attempt and a
// size cap (a tampered page sent 18 snapshots of 255 KiB a second: 14 GB an hour). A snapshot is
// written under a temporary name, fsynced and renamed, then indexed; on any failure nothing is left.
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '../../core/index.ts';
import { PARTIAL_SUFFIX, removeQuietly, writeFileDurably } from '../../storage/index.ts';
import type { Conn } from '../gateway.ts';
import { IDENTITY_RESULTS, type ErrorCode, type IdentityResult, type IntegrityMessage, type SnapshotMessage } from '../protocol.ts';
import { Refusal, MAX_CHECKS_QUEUED, keyOf, type SnapshotRefusal, type TerminalState } from './state.ts';
import { conns, incident } from './messages.ts';
import { openSessionOf } from './sessions.ts';
import { declinedAtSeat } from '../face-consent.ts';

/** Why a declining candidate's snapshot is not compared (stored as its check's detail). */
export const DECLINED_DETAIL = 'the candidate declined face recognition: kept as evidence, not compared with any face';

export function integrity(st: TerminalState, conn: Conn, msg: IntegrityMessage): void {
  const sessionId = conn.bound?.sessionId ?? openSessionOf(st, conn.terminal.room)?.id ?? null;
  const x = incident(st, {
    sessionId,
    idNumber: conn.bound?.idNumber ?? null,
    terminalId: conn.terminal.id,
    kind: msg.kind,
    source: 'terminal',
    detail: msg.detail ?? null,
  });
  st.send(conn, { type: 'noted', kind: msg.kind, incidentId: x.id });
}

/**
 * The shortest gap between two stored snapshots of one candidate: the interval less a tolerance for
 * timers and the network (10 %, at least 1 s), never below half the interval. A page reload restarts the
 * camera, whose first picture may come early: that one is refused and the next, on time, is stored.
 */
export function snapshotMinGapMs(intervalSeconds: number): number {
  const ms = intervalSeconds * 1000;
  return Math.max(ms / 2, ms - Math.max(1000, ms / 10));
}

/** Too-soon refusals on one connection that make it an incident: a page keeping the interval never gets there. */
export const TOO_SOON_INCIDENT = 5;

function refuse(st: TerminalState, why: SnapshotRefusal, code: ErrorCode, message: string): Refusal {
  st.snapshotsRefused.set(why, (st.snapshotsRefused.get(why) ?? 0) + 1);
  st.snapshotsRefusedMetric?.inc({ reason: why });
  return new Refusal(code, message);
}

export function snapshot(st: TerminalState, conn: Conn, msg: SnapshotMessage): void {
  const b = conn.bound;
  if (!b) throw new Refusal('not_logged_in', 'snapshots are taken of a logged-in candidate');
  const { snapshotIntervalSeconds: interval, snapshotMaxBytes: maxBytes, snapshotQuota: quota } = st.config.exam;
  if (interval <= 0) throw refuse(st, 'quota_count', 'snapshot_quota', 'this site takes no snapshots (exam.snapshotIntervalSeconds is 0); none is stored');
  // The decoded size is known from the text's length: a picture over the cap is refused before decoding.
  const size = Math.floor((msg.jpegBase64.length * 3) / 4) - (msg.jpegBase64.endsWith('==') ? 2 : msg.jpegBase64.endsWith('=') ? 1 : 0);
  if (size > maxBytes) throw refuse(st, 'too_large', 'bad_snapshot', `snapshot is ${size} bytes; the limit is ${maxBytes}`);
  const now = st.clock.now();
  const use = st.store.snapshotUse(b.sessionId, b.idNumber);
  const gap = snapshotMinGapMs(interval);
  if (use.lastAt !== null && now - use.lastAt < gap) {
    const n = (st.tooSoon.get(conn) ?? 0) + 1;
    st.tooSoon.set(conn, n);
    if (n === TOO_SOON_INCIDENT)
      incident(st, {
        sessionId: b.sessionId,
        idNumber: b.idNumber,
        terminalId: conn.terminal.id,
        kind: 'message_flood',
        source: 'server',
        detail: `snapshots faster than one every ${interval} s (${n} refused on this connection); only one per interval is stored`,
      });
    throw refuse(
      st,
      'too_soon',
      'snapshot_too_soon',
      `a snapshot was stored ${Math.round((now - use.lastAt) / 1000)} s ago; send one every ${interval} s (the next from ${Math.ceil((use.lastAt + gap - now) / 1000)} s on); this one is not stored`,
    );
  }
  const over =
    use.count >= quota.count
      ? { why: 'quota_count' as const, words: `${use.count} snapshots, the most stored for one candidate in a session` }
      : use.bytes + size > quota.bytes
        ? {
            why: 'quota_bytes' as const,
            words: `${use.bytes} bytes of snapshots; this one (${size}) would pass the ${quota.bytes}-byte quota of one candidate in a session`,
          }
        : null;
  if (over) {
    const key = keyOf(b.sessionId, b.idNumber);
    if (!st.quotaReported.has(key)) {
      st.quotaReported.add(key);
      incident(st, {
        sessionId: b.sessionId,
        idNumber: b.idNumber,
        terminalId: conn.terminal.id,
        kind: 'message_flood',
        source: 'server',
        detail: `snapshot quota reached (${over.words}); further snapshots of this candidate are not stored`,
      });
    }
    throw refuse(st, over.why, 'snapshot_quota', `the snapshot quota is reached: ${over.words}; this one is not stored`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(msg.jpegBase64))
    throw refuse(st, 'malformed', 'bad_snapshot', 'jpegBase64 is not base64 (no data: prefix, no line breaks)');
  const bytes = Buffer.from(msg.jpegBase64, 'base64');
  if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) throw refuse(st, 'malformed', 'bad_snapshot', 'snapshot is not a JPEG');
  const id = newId(now);
  const file = join('terminal', b.sessionId, b.idNumber, `${now}-${id}.jpg`);
  const full = join(st.paths.captures, file);
  // Durable before indexed, indexed before answered: a row always names a whole file, and a file
  // without its row (the index failed) is removed at once.
  // The SHA-256 of the file as written (sealed), for the object-store tier's metadata and spot checks (migration 037).
  const sealed = st.faceVault.seal(bytes);
  const sha256 = createHash('sha256').update(sealed).digest('hex');
  try {
    writeFileDurably(full, sealed);
  } catch (err) {
    st.deps.log?.error({ err, terminalId: conn.terminal.id }, 'storing a terminal snapshot failed');
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(
      st,
      'write_failed',
      'internal',
      `the server could not store the snapshot${code ? ` (${code === 'ENOSPC' ? 'its disk is full' : code})` : ''}; nothing was kept`,
    );
  }
  try {
    st.store.addSnapshot({ id, at: now, sessionId: b.sessionId, idNumber: b.idNumber, terminalId: conn.terminal.id, file, bytes: bytes.length, sha256 });
  } catch (err) {
    removeQuietly(full);
    st.deps.log?.error({ err, terminalId: conn.terminal.id }, 'indexing a terminal snapshot failed');
    throw refuse(st, 'write_failed', 'internal', 'the server could not index the snapshot; nothing was kept');
  }
  const shot = { snapshotId: id, terminalId: conn.terminal.id, roomId: conn.terminal.room, sessionId: b.sessionId, idNumber: b.idNumber, file, at: now };
  // A candidate who declined face recognition at the kiosk (issue 23): the snapshot is evidence, like the
  // room camera, and is kept; nothing compares it with a face. The invigilator confirms them at the seat.
  if (declinedAtSeat(st.db, b.sessionId, b.idNumber)) return snapshotChecked(st, shot, { identity: 'unchecked', distance: null, detail: DECLINED_DETAIL });
  const check = st.stopped ? undefined : st.deps.checkSnapshot;
  if (!check) {
    st.bus.emit('terminal.snapshot', {
      ...shot,
      identity: 'unchecked',
      distance: null,
      detail: st.stopped && st.deps.checkSnapshot ? 'the server is stopping; not checked' : 'no identity check on this site',
    });
    return st.send(conn, { type: 'snapshot_result', snapshotId: id, identity: 'unchecked' });
  }
  if (st.checks.length >= MAX_CHECKS_QUEUED)
    return snapshotChecked(st, shot, {
      identity: 'unchecked',
      distance: null,
      detail: `the identity check is behind (${st.checks.length} snapshots waiting); this one was not checked`,
    });
  // Queued, one check at a time: a face engine is CPU-heavy, and saves must never wait for it.
  st.checks.push(async () => {
    let verdict: { identity: IdentityResult; distance: number | null; detail: string };
    try {
      const r = await check({ sessionId: shot.sessionId, idNumber: shot.idNumber, jpeg: bytes, terminalId: shot.terminalId, roomId: shot.roomId });
      verdict = (IDENTITY_RESULTS as readonly string[]).includes(r?.identity)
        ? { identity: r.identity, distance: typeof r.distance === 'number' && Number.isFinite(r.distance) ? r.distance : null, detail: String(r.detail ?? '') }
        : { identity: 'unchecked', distance: null, detail: `the identity check answered ${JSON.stringify(r?.identity)}, which is not a verdict` };
    } catch (err) {
      st.deps.log?.warn({ err, snapshotId: shot.snapshotId }, 'the identity check of a terminal snapshot failed');
      verdict = { identity: 'unchecked', distance: null, detail: `the identity check failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    snapshotChecked(st, shot, verdict);
  });
  if (!st.checking) void runChecks(st);
}

/**
 * At start: the snapshot folders of the sessions still open (the only ones a terminal may have been
 * writing into when the process stopped) lose the temporary files of an unfinished write and any file
 * the index does not name (a stop between the rename and the row). Closed sessions are not walked.
 */
export function sweepSnapshotLeftovers(st: TerminalState): number {
  let removed = 0;
  for (const s of st.store.openSessions()) {
    const dir = join(st.paths.captures, 'terminal', s.id);
    let indexed: Set<string> | null = null;
    for (const person of list(dir)) {
      for (const name of list(join(dir, person))) {
        const rel = join('terminal', s.id, person, name);
        indexed ??= st.store.snapshotFiles(s.id);
        if (!name.endsWith(PARTIAL_SUFFIX) && indexed.has(rel)) continue;
        try {
          rmSync(join(st.paths.captures, rel), { force: true });
          removed++;
        } catch (err) {
          st.logError(err, `removing the snapshot leftover ${rel} failed`);
        }
      }
    }
  }
  return removed;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export async function runChecks(st: TerminalState): Promise<void> {
  st.checking = true;
  try {
    // Off the message path: the snapshot's own message is answered (and the next frames read) first.
    await new Promise((r) => setImmediate(r));
    for (let next = st.checks.shift(); next && !st.stopped; next = st.checks.shift()) await next();
  } finally {
    st.checking = false;
  }
}

/** Records the verdict on the snapshot, tells the candidate's terminal and the bus. Never throws. */
export function snapshotChecked(
  st: TerminalState,
  shot: { snapshotId: string; terminalId: string; roomId: string; sessionId: string; idNumber: string; file: string; at: number },
  v: { identity: IdentityResult; distance: number | null; detail: string },
): void {
  try {
    st.store.setSnapshotIdentity(shot.snapshotId, v);
  } catch (err) {
    st.logError(err, `storing the identity check of snapshot ${shot.snapshotId} failed`);
  }
  try {
    st.bus.emit('terminal.snapshot', { ...shot, ...v });
    for (const c of conns(st, shot.sessionId, shot.idNumber)) st.send(c, { type: 'snapshot_result', snapshotId: shot.snapshotId, identity: v.identity });
  } catch (err) {
    st.logError(err, `reporting the identity check of snapshot ${shot.snapshotId} failed`);
  }
}
