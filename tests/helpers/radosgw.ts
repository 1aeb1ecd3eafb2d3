// A real S3 store for tests: a one-node Ceph on loopback (one monitor, one in-memory OSD, the RADOS
// Gateway with the beast frontend on 127.0.0.1) under a scratch folder with its own ceph.conf. About
// 10 s to answer; the first bucket and the first write take seconds more (Ceph makes its pools lazily).
// Start ONE per test file. Every daemon is started and stopped by its PID; the folder is removed.
import { execFile as execFileCb, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';

const execFile = promisify(execFileCb);

export interface Radosgw {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** The S3 user's keys (made with radosgw-admin user create). */
  accessKeyId: string;
  secret: string;
  region: string;
  /** The scratch folder (ceph.conf, logs); removed by stop(). */
  dir: string;
  /** Another S3 user (another client of the same store, e.g. one that overwrites an object). */
  createUser(uid: string): Promise<{ accessKeyId: string; secret: string }>;
  /** Stops the gateway only (the cluster keeps its data): the store is "down" until restart(). */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the same port; resolves when it answers. */
  restart(): Promise<void>;
  /** Stops every daemon by PID and removes the folder; teardown calls it. */
  stop(): Promise<void>;
}

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph'];

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, bin)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`radosgw helper: ${what} did not happen within ${timeoutMs / 1000} s\n${logs()}`);
}

/**
 * Starts the cluster and registers its stop with the test's teardown. A machine without Ceph fails the
 * test in words, never skips it: the object-store tests are part of the suite.
 */
export async function startRadosgw(t: Test, opts: { timeoutMs?: number } = {}): Promise<Radosgw> {
  const missing = BINARIES.filter((b) => !onPath(b));
  if (missing.length > 0)
    throw new Error(
      `the object-store tests need a real Ceph RADOS Gateway, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed: run \`node server/setup.mjs --test\` (as root it installs radosgw, ceph-mon and ceph-osd) or \`apt-get install radosgw ceph-mon ceph-osd\``,
    );
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'examroom-ceph-'));
  for (const sub of ['run', 'log', 'mon', 'osd/ceph-0', 'rgw']) mkdirSync(join(dir, sub), { recursive: true });
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'ceph.conf');
  const fsid = randomUUID();
  writeFileSync(
    conf,
    `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
# with auth none the gateway hangs at start unless the monitor client mode is crc
ms mon client mode = crc
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
keyring = ${dir}/keyring
log to stderr = false
err to stderr = false
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw dns name = 127.0.0.1
`,
  );
  const children = new Map<string, ChildProcess>();
  const daemon = (name: string, cmd: string, args: string[]) => {
    const child = spawn(cmd, ['-c', conf, ...args, '-f'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', () => {});
    (child as ChildProcess & { lastErr?: () => string }).lastErr = () => err;
    children.set(name, child);
    return child;
  };
  const ceph = (args: string[]) => execFile('ceph', ['-c', conf, '--connect-timeout', '10', ...args], { cwd: dir, timeout: 20_000 });
  const logs = () =>
    [...children.entries()]
      .map(
        ([n, c]) =>
          `${n} (pid ${c.pid}, exit ${c.exitCode ?? c.signalCode ?? 'running'}): ${(c as ChildProcess & { lastErr?: () => string }).lastErr?.() ?? ''}`,
      )
      .join('\n');
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  const answers = async () => {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status < 500;
  };

  const killByPid = async (name: string) => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const name of ['rgw', 'osd', 'mon']) await killByPid(name);
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);

  const startGateway = async () => {
    daemon('rgw', 'radosgw', ['-n', 'client.rgw']);
    await until('the gateway answering on ' + endpoint, answers, timeoutMs, logs);
  };
  await execFile('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, join(dir, 'monmap')]);
  await execFile('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')], { cwd: dir });
  daemon('mon', 'ceph-mon', ['-i', 'a']);
  const { stdout: osdId } = await retry(() => ceph(['osd', 'create']), timeoutMs, logs);
  if (osdId.trim() !== '0') throw new Error(`radosgw helper: expected OSD 0, got ${osdId.trim()}`);
  await execFile('ceph-osd', ['-c', conf, '-i', '0', '--mkfs'], { cwd: dir });
  daemon('osd', 'ceph-osd', ['-i', '0']);
  await until(
    'the OSD coming up',
    async () => {
      const { stdout } = await ceph(['osd', 'stat', '--format', 'json']);
      return (JSON.parse(stdout) as { num_up_osds: number }).num_up_osds === 1;
    },
    timeoutMs,
    logs,
  );
  await startGateway();
  const createUser = async (uid: string) => {
    const { stdout } = await execFile('radosgw-admin', ['-c', conf, 'user', 'create', `--uid=${uid}`, `--display-name=${uid}`], { cwd: dir, timeout: 20_000 });
    const key = (JSON.parse(stdout) as { keys: { access_key: string; secret_key: string }[] }).keys[0]!;
    return { accessKeyId: key.access_key, secret: key.secret_key };
  };
  const user = await createUser('examroom');
  return {
    endpoint,
    ...user,
    region: 'default',
    dir,
    createUser,
    async stopGateway() {
      await killByPid('rgw');
    },
    async restart() {
      await killByPid('rgw');
      await startGateway();
    },
    stop,
  };
}

async function retry<T>(fn: () => Promise<T>, timeoutMs: number, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`radosgw helper: the monitor did not answer (${(last as Error)?.message})\n${logs()}`);
}
