// A backup taken from the admin console while exam terminals save answers, restored on a fresh data
// folder with the key bundle: every answer committed before the backup began is there as saved, and the
// audit log is the same up to the head the backup recorded. A real server process, real WebSockets on
// loopback (the terminal load bench's simulated terminals), real CLI commands for export and restore.
import t from 'tap';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Fleet } from '../../bench/lib/fleet.ts';
import { prepareSite, removeSite, spawnServer } from '../../bench/lib/site.ts';
import type { PhaseStats } from '../../bench/lib/terminal-worker.ts';
import { ensureServerBuild } from '../../server/build-server.mjs';
import { readBackupHeader } from '../../storage/index.ts';
import { PASSWORDS, USER_HASHES } from '../helpers.ts';
import { cli } from '../processes.ts';

type AnswerRow = { session_id: string; id_number: string; no: number; choice: string; seq: number; saved_at: number };

t.test('a backup taken while terminals save answers restores on a fresh data folder with every acked answer and the same audit head', async (t) => {
  await ensureServerBuild();
  const site = await prepareSite({ terminals: 20, rooms: 1 });
  t.teardown(() => removeSite(site));
  // The simulated terminals are not provisioned exam PCs (no whole-screen capture): the checks are off, as in the lab config.
  appendFileSync(
    site.configFile,
    `examPcs: { loginChecks: { build: false, monitor: false, fullscreen: false } }\nusers:\n  - { username: admin, role: admin, passwordHash: "${USER_HASHES.admin}" }\n`,
  );
  const server = await spawnServer(site);
  t.teardown(() => server.child.kill('SIGKILL'));
  const fleet = Fleet.start(
    site.terminals.map((x) => ({ id: x.id, token: x.token, credential: x.credential })),
    { workers: 1, reconnect: false },
  );
  t.teardown(() => fleet.stop());
  const [connected] = await fleet.all<{ ok: number }>({ cmd: 'connect', url: server.base.replace(/^http/, 'ws') }, 'connected');
  t.equal(connected!.ok, 20, 'every terminal connected');
  // As the load bench does: a moment for every greeting to settle, then everyone logs in.
  await new Promise((r) => setTimeout(r, 1000));
  const [loggedIn] = await fleet.all<{ refused: string[]; missing: number }>(
    { cmd: 'login', at: performance.timeOrigin + performance.now() + 300 },
    'loggedIn',
  );
  t.same({ refused: loggedIn!.refused, missing: loggedIn!.missing }, { refused: [], missing: 0 }, 'every candidate has a paper');

  const answering = fleet.all<{ stats: PhaseStats }>({ cmd: 'answer', ratePerSecond: 4, seconds: 5 }, 'answered');
  await new Promise((r) => setTimeout(r, 1500));
  const login = await fetch(`${server.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORDS.admin }),
  });
  t.equal(login.status, 200, 'the admin logs in');
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const asked = await fetch(`${server.base}/api/system/backups`, { method: 'POST', headers: { cookie } });
  t.equal(asked.status, 202, 'the console asks for a backup now');
  let listed: { backups: { name: string }[]; running: unknown } = { backups: [], running: {} };
  // The asked-for backup, not the nightly one a server started after 02:30 takes at its first tick.
  const manual = (l: typeof listed) => l.backups.find((b) => b.name.endsWith('-manual.erbk'));
  while (listed.running || !manual(listed)) {
    await new Promise((r) => setTimeout(r, 100));
    listed = (await (await fetch(`${server.base}/api/system/backups`, { headers: { cookie } })).json()) as typeof listed;
  }
  const [answered] = await answering;
  t.ok(answered!.stats.acked > 40, `the terminals saved and were acknowledged throughout (${answered!.stats.acked} acks)`);
  t.equal(answered!.stats.unacked, 0, 'no save went unacknowledged');
  await fleet.stop();
  server.child.kill('SIGTERM');
  await server.exited;

  const name = manual(listed)!.name;
  const file = join(site.dataDir, 'backups', name);
  const { header } = await readBackupHeader(file);
  const passFile = join(site.dir, 'pass.txt');
  writeFileSync(passFile, 'a long passphrase for the safe\n', { mode: 0o600 });
  const bundle = join(site.dir, 'keys.bundle');
  const exported = await cli(['keys', 'export', bundle, '--passphrase-file', passFile, '--config', site.configFile, '--data', site.dataDir]);
  t.equal(exported.code, 0, exported.stderr);
  t.match(exported.stdout, /backup/, 'the key bundle carries the backup key');

  const fresh = join(site.dir, 'new-server');
  const restored = await cli(['backup', 'restore', file, '--bundle', bundle, '--passphrase-file', passFile, '--config', site.configFile, '--data', fresh]);
  t.equal(restored.code, 0, restored.stderr);
  t.match(restored.stdout, new RegExp(`head entry ${header.auditHead.seq} .* as when the backup was taken; the restore is entry ${header.auditHead.seq + 1}`));

  const live = new Database(join(site.dataDir, 'db', 'examroom.sqlite'), { readonly: true });
  const back = new Database(join(fresh, 'db', 'examroom.sqlite'), { readonly: true });
  t.teardown(() => {
    live.close();
    back.close();
  });
  const rows = (db: Database.Database) => db.prepare('SELECT * FROM terminal_answers ORDER BY session_id, id_number, no').all() as AnswerRow[];
  const key = (r: AnswerRow) => `${r.session_id}/${r.id_number}/${r.no}`;
  const restoredRows = new Map(rows(back).map((r) => [key(r), r]));
  const before = rows(live).filter((r) => r.saved_at < header.takenAt);
  t.ok(before.length > 10, `answers were saved before the backup began (${before.length})`);
  const missing = before.filter((r) => {
    const got = restoredRows.get(key(r));
    return !got || got.choice !== r.choice || got.seq !== r.seq;
  });
  t.same(missing, [], 'every answer committed before the backup began is restored as saved');
  t.ok(
    rows(live).length > restoredRows.size || rows(live).some((r) => r.saved_at > header.takenAt),
    'saves went on after the snapshot (the backup did not stop the exam)',
  );

  const entry = (db: Database.Database, seq: number) => db.prepare('SELECT seq, hash FROM audit_log WHERE seq = ?').get(seq);
  t.same(entry(back, header.auditHead.seq), entry(live, header.auditHead.seq), 'the same audit entry at the head the backup recorded');
  t.same(entry(back, header.auditHead.seq), { seq: header.auditHead.seq, hash: header.auditHead.hash });
  const last = back.prepare('SELECT seq, action FROM audit_log ORDER BY seq DESC LIMIT 1').get();
  t.same(last, { seq: header.auditHead.seq + 1, action: 'backup.restored' }, 'the restore itself is audited, right after');
  const verified = await cli(['audit', 'verify', '--config', site.configFile, '--data', fresh]);
  t.equal(verified.code, 0, `${verified.stdout}${verified.stderr}`);
  t.match(verified.stdout, /audit log intact/);
  t.same(
    readdirSync(fresh).filter((n) => n.startsWith('.')),
    [],
    'no scratch folder left behind',
  );
});
