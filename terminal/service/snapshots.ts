// Integrity reports and webcam snapshots: a snapshot is stored at once and its identity re-check is
// queued, one at a time, off the message path, so saves never wait for the face engine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newId } from '../../core/index.ts';
import type { Conn } from '../gateway.ts';
import { IDENTITY_RESULTS, LIMITS, type IdentityResult, type IntegrityMessage, type SnapshotMessage } from '../protocol.ts';
import { Refusal, MAX_CHECKS_QUEUED, type TerminalState } from './state.ts';
import { conns, incident } from './messages.ts';
import { openSessionOf } from './sessions.ts';

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

export function snapshot(st: TerminalState, conn: Conn, msg: SnapshotMessage): void {
  const b = conn.bound;
  if (!b) throw new Refusal('not_logged_in', 'snapshots are taken of a logged-in candidate');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(msg.jpegBase64)) throw new Refusal('bad_snapshot', 'jpegBase64 is not base64 (no data: prefix, no line breaks)');
  const bytes = Buffer.from(msg.jpegBase64, 'base64');
  if (bytes.length > LIMITS.maxSnapshotBytes) throw new Refusal('bad_snapshot', `snapshot is ${bytes.length} bytes; the limit is ${LIMITS.maxSnapshotBytes}`);
  if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) throw new Refusal('bad_snapshot', 'snapshot is not a JPEG');
  const at = st.clock.now();
  const id = newId(at);
  const file = join('terminal', b.sessionId, b.idNumber, `${at}-${id}.jpg`);
  const full = join(st.paths.captures, file);
  mkdirSync(dirname(full), { recursive: true, mode: 0o750 });
  writeFileSync(full, bytes, { mode: 0o640 });
  st.store.addSnapshot({ id, at, sessionId: b.sessionId, idNumber: b.idNumber, terminalId: conn.terminal.id, file, bytes: bytes.length });
  const shot = { snapshotId: id, terminalId: conn.terminal.id, roomId: conn.terminal.room, sessionId: b.sessionId, idNumber: b.idNumber, file, at };
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
