// Scaffolding for GB/T 28181 signalling tests: sipp (Debian's sip-tester) as the platform on a loopback
// port, running one of the scenario files beside this one; the device service on a scratch SQLite file
// with a real media store for RecordInfo. Message logs from sipp are what the tests read back.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { createEventBus, systemClock, type EventBus } from '../../../core/index.ts';
import { createAuditLog, createMediaReader, createMediaStore, openDatabase, type AuditLog, type MediaStore } from '../../../storage/index.ts';
import { createPlayback } from '../../../media/index.ts';
import { createGb28181, type Gb28181Service } from '../../../media/gb28181/index.ts';
import type { GbMediaSessions } from '../../../media/gb28181/media-session.ts';
import { createGbMediaSessions } from '../../../media/gb28181/sessions.ts';
import { derivedChannelId, type Gb28181Config, type GbPlatformConfig } from '../../../config/gb28181.ts';
import { scratchDir } from '../../helpers.ts';

export const HERE = import.meta.dirname;
export const DEVICE_ID = '34020000001320000001';
export const SERVER_ID = '34020000002000000001';
export const PASSWORD = 'gb-secret-1';

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Sipp {
  port: number;
  proc: ChildProcess;
  /** Resolves when sipp exits: its code and the text of its error log (unexpected messages, failed checks). */
  exited: Promise<{ code: number | null; errors: string }>;
  /** Every message sipp saw or sent so far (its -trace_msg log), bytes as latin1 so GB2312 bodies survive. */
  messages(): string;
  /** Received requests of a method, each as its full text (latin1) and its size on the wire. */
  received(method: string): string[];
  receivedSizes(method: string): number[];
  /** Soft stop (SIGUSR1: finish ongoing calls, then exit). */
  stop(): Promise<{ code: number | null; errors: string }>;
}

export async function startSipp(
  t: Test,
  scenario: string,
  o: { keys?: Record<string, string>; transport?: 'UDP' | 'TCP'; calls?: number; port?: number; extra?: string[] } = {},
): Promise<Sipp> {
  const dir = scratchDir(t, 'examroom-sipp-');
  const port = o.port ?? (await freeUdpPort());
  const keys = {
    device: DEVICE_ID,
    password: PASSWORD,
    realm: '3402000000',
    expires: '3600',
    platformdate: '',
    qop: 'qop="auth", ',
    server: SERVER_ID,
    ...(o.keys ?? {}),
  };
  const args = [
    '-sf',
    join(HERE, scenario),
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    o.transport === 'TCP' ? 't1' : 'u1',
    '-m',
    String(o.calls ?? 1000),
    '-nostdin',
    '-trace_msg',
    '-message_file',
    join(dir, 'messages.log'),
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    '-deadcall_wait',
    '1',
    '-max_recv_loops',
    '1000',
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.extra ?? []),
  ];
  const proc = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'latin1') : '');
  const exited = new Promise<{ code: number | null; errors: string }>((resolve) => {
    proc.on('exit', (code) => resolve({ code, errors: `${read('errors.log')}${stderr}` }));
  });
  t.teardown(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  // sipp is listening once its message log exists (it opens the logs after binding).
  for (let i = 0; i < 100 && !readdirSync(dir).includes('messages.log') && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
  const messages = () => read('messages.log');
  const receivedOf = (method: string) => {
    const out: { text: string; bytes: number }[] = [];
    for (const block of messages().split(/^-{10,}.*$/m)) {
      const m = /(?:UDP|TCP) message received \[(\d+)\] bytes :\s*\n\n?([\s\S]*)/.exec(block);
      if (m && new RegExp(`^${method} `).test((m[2] as string).trimStart())) out.push({ text: (m[2] as string).trim(), bytes: Number(m[1]) });
    }
    return out;
  };
  return {
    port,
    proc,
    exited,
    messages,
    received: (method) => receivedOf(method).map((r) => r.text),
    receivedSizes: (method) => receivedOf(method).map((r) => r.bytes),
    stop() {
      if (proc.exitCode === null) proc.kill('SIGUSR1');
      return exited;
    },
  };
}

export interface GbRig {
  gb: Gb28181Service;
  audit: AuditLog;
  store: MediaStore;
  config: Gb28181Config;
  up: Set<string>;
  bus: EventBus;
  /** Waits until `check()` holds (polled every 20 ms), failing after `ms`. */
  until(what: string, check: () => boolean, ms?: number): Promise<void>;
}

export function platform(port: number, over: Partial<GbPlatformConfig> = {}): GbPlatformConfig {
  return {
    id: 'province',
    name: '省远程巡查平台',
    serverId: SERVER_ID,
    domain: '3402000000',
    host: '127.0.0.1',
    port,
    transport: 'UDP',
    username: DEVICE_ID,
    password: PASSWORD,
    expires: 3600,
    keepaliveSeconds: 60,
    keepaliveMisses: 3,
    edition: '2016',
    charset: 'GB2312',
    sources: 'all',
    ...over,
  };
}

export function gbRig(
  t: Test,
  o: {
    platforms: GbPlatformConfig[];
    channels?: number;
    timers?: { t1: number; t2: number };
    sessions?: (deps: { store: MediaStore; dir: string }) => GbMediaSessions;
    minRetryMs?: number;
    perPeerRate?: number;
  },
): GbRig {
  const dir = scratchDir(t, 'examroom-gb-');
  const db = openDatabase(join(dir, 'examroom.db'));
  const audit = createAuditLog(db, systemClock);
  const store = createMediaStore(db);
  const playback = createPlayback({
    store,
    files: createMediaReader({ mediaDir: join(dir, 'media'), cacheDir: join(dir, 'read-cache') }),
    clock: systemClock,
    sourceKnown: () => true,
  });
  const n = o.channels ?? 3;
  const channels = Array.from({ length: n }, (_, i) => {
    const sourceId = `cam${i + 1}`;
    return { sourceId, channelId: derivedChannelId(DEVICE_ID, sourceId), name: `第一考场 摄像机${i + 1}`, room: 'r1' };
  });
  const config: Gb28181Config = {
    deviceId: DEVICE_ID,
    domain: '3402000000',
    name: '安全生产考试点',
    host: '127.0.0.1',
    address: '127.0.0.1',
    port: 0,
    civilCode: '340200',
    channels,
    platforms: o.platforms,
  };
  const up = new Set(channels.map((c) => c.sourceId));
  const bus = createEventBus((name, err) => t.fail(`listener of ${name} threw: ${String(err)}`));
  const gb = createGb28181({
    bus,
    config,
    timeZone: 'Asia/Shanghai',
    sourceUp: (id) => up.has(id),
    recordings: (id, from, to) => playback.recordings(id, from, to),
    sessions: o.sessions
      ? o.sessions({ store, dir })
      : createGbMediaSessions({ relay: { attach: () => () => {} }, playback, sourceKnown: () => true, clock: systemClock }),
    audit,
    clock: systemClock,
    log: { info() {}, warn() {} },
    timers: o.timers ?? { t1: 50, t2: 400 },
    ...(o.minRetryMs ? { minRetryMs: o.minRetryMs } : {}),
    ...(o.perPeerRate ? { perPeerRate: o.perPeerRate } : {}),
  });
  t.teardown(async () => {
    await gb.stop();
    db.close();
  });
  return {
    gb,
    audit,
    store,
    config,
    up,
    bus,
    async until(what, check, ms = 10_000) {
      const end = Date.now() + ms;
      while (!check()) {
        if (Date.now() > end)
          throw new Error(
            `timed out waiting for ${what}: ${JSON.stringify(gb.status().platforms.map((p) => ({ state: p.state, err: p.lastError, misses: p.keepaliveMisses })))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Local wall-clock text in Asia/Shanghai for epoch ms, as a GB/T 28181 platform's Date header has it. */
export function shanghai(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace('Z', '');
}
