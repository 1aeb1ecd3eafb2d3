// The command line's contract with exam-centre staff: exit 0 when it worked, 1 with a message they
// can act on when it did not, and never a stack trace. Every case runs the real CLI as a process.
import t, { type Test } from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { systemClock } from '../../core/index.ts';
import { createAuditLog, dataPaths, migrations, openDatabase } from '../../storage/index.ts';
import { buildTestApp, scratchDir, ROOT, TEST_CONFIG_YAML } from '../helpers.ts';
import { cli, runNode, startServer, type CliResult } from '../processes.ts';

const DEMO = 'config/demo.yaml';
const USAGE_HEAD = 'usage: examroom <command> [options]';

function noStackTrace(t: Test, r: CliResult): void {
  t.notMatch(r.stderr, /^\s+at /m, 'no stack trace');
  t.notMatch(r.stderr, /internal error/, 'not reported as an internal error');
}

/** A scratch site: the test config written to a file, and a data folder next to it. */
function scratchSite(t: Test) {
  const dir = scratchDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, TEST_CONFIG_YAML);
  const data = join(dir, 'data');
  return { dir, config, data, args: ['--config', config, '--data', data] };
}

t.test('migrate creates the database and says so; a second run says it is up to date', async (t) => {
  const data = join(scratchDir(t), 'data');
  const latest = migrations.at(-1)!.version;
  const first = await cli(['migrate', '--data', data, '--config', DEMO]);
  t.equal(first.code, 0);
  t.match(
    first.stdout,
    new RegExp(
      `^migrated \\S+examroom\\.sqlite from version 0 to ${latest}: ${migrations.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`).join(', ')}\\n$`,
    ),
  );
  t.equal(first.stderr, '');
  const second = await cli(['migrate', '--data', data, '--config', DEMO]);
  t.equal(second.code, 0);
  t.match(second.stdout, new RegExp(`^\\S+examroom\\.sqlite is up to date \\(version ${latest}\\)\\n$`));
});

t.test('user add prints a generated password once, and that password logs in', async (t) => {
  const data = join(scratchDir(t), 'data');
  const r = await cli(['user', 'add', 'alice', '--role', 'admin', '--data', data, '--config', DEMO]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^added alice \(admin\)$/m);
  const password = /^password: (\S+) {2}\(shown once; give it to the user\)$/m.exec(r.stdout)?.[1];
  if (!password) return t.fail(`no password printed: ${r.stdout}`);
  t.equal((r.stdout + r.stderr).split(password).length - 1, 1, 'the password appears exactly once');

  const list = await cli(['user', 'list', '--data', data, '--config', DEMO]);
  t.equal(list.code, 0);
  t.match(list.stdout, /^alice\s+admin\s/m, 'user list shows the new user');

  const app = await buildTestApp({ config: loadConfig(join(ROOT, DEMO), { dataDir: data }) });
  t.teardown(() => app.close());
  const login = (pw: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: pw } });
  t.equal((await login(password)).statusCode, 200, 'the printed password logs in');
  t.equal((await login(`${password}x`)).statusCode, 401, 'another password does not');
});

t.test('user add with an unknown role exits 1 with one clear line and no stack trace', async (t) => {
  const data = join(scratchDir(t), 'data');
  const r = await cli(['user', 'add', 'bob', '--role', 'boss', '--data', data, '--config', DEMO]);
  t.equal(r.code, 1);
  t.equal(r.stderr, 'examroom: --role must be admin, invigilator, inspector or headteacher (got "boss")\n');
  t.equal(r.stdout, '');
  noStackTrace(t, r);
});

t.test('user add of an invigilator without --rooms exits 1 naming rooms, and adds no one', async (t) => {
  const data = join(scratchDir(t), 'data');
  const r = await cli(['user', 'add', 'ann', '--role', 'invigilator', '--data', data, '--config', DEMO]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^examroom: rooms: an invigilator must be bound to at least one room$/m);
  noStackTrace(t, r);
  const file = dataPaths(data).dbFile;
  if (existsSync(file)) {
    const db = openDatabase(file, { readonly: true });
    t.teardown(() => db.close());
    t.equal(db.prepare("SELECT COUNT(*) FROM users WHERE username = 'ann'").pluck().get(), 0, 'no user ann was stored');
  }
});

t.test('an unknown command exits 1 with the usage', async (t) => {
  const r = await cli(['frobnicate', '--config', DEMO]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^examroom: unknown command "frobnicate"$/m);
  t.match(r.stderr, USAGE_HEAD);
  noStackTrace(t, r);
});

t.test('an unknown flag exits 1 with the usage', async (t) => {
  const r = await cli(['user', 'list', '--frob', '--config', DEMO]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^examroom: Unknown option '--frob'/m);
  t.match(r.stderr, USAGE_HEAD);
  noStackTrace(t, r);
});

t.test('no command at all exits 1 with the usage', async (t) => {
  const r = await cli([]);
  t.equal(r.code, 1);
  t.match(r.stdout, USAGE_HEAD);
});

// Each bad file, and the `path … (got X)` start and end of every problem it must produce. The
// wording between is the config module's to choose; the place and the offending value are the
// contract that lets an operator fix the whole file in one pass.
// serve and migrate share the loading and the reporting, so serve runs on two of them only: each CLI
// start costs seconds of CPU.
const BROKEN_CONFIGS: { name: string; yaml: string; problems: RegExp[]; serve?: true }[] = [
  {
    name: 'wrong types, ranges and a misspelt key',
    yaml: `
site: { id: s1, name: X, province: "44", city: "440100" }
server: { port: 70000, hots: 1.2.3.4 }
rooms:
  - { id: R1, name: A, seats: { rows: 0, columns: 3 } }
retention: { days: many }
`,
    problems: [
      /^site\.province: .+ \(got "44"\)$/,
      /^server\.hots: .+ \(got "1\.2\.3\.4"\)$/,
      /^server\.port: .+ \(got 70000\)$/,
      /^rooms\[0\]\.seats\.rows: .+ \(got 0\)$/,
      /^retention\.days: .+ \(got "many"\)$/,
    ],
    serve: true,
  },
  {
    name: 'references to things that do not exist',
    yaml: `
site: { id: s1, name: X, province: "440000", city: "440100" }
rooms:
  - { id: R1, name: A, seats: { rows: 2, columns: 3 } }
  - { id: R1, name: B, seats: { rows: 1, columns: 1 } }
terminals:
  - { id: T1, room: R9, seat: "01" }
users:
  - { username: ann, role: invigilator, password: long-enough-pass-1 }
`,
    problems: [/^rooms\[1\]\.id: duplicate .+ \(got "R1"\)$/, /^terminals\[0\]\.room: no such room.* \(got "R9"\)$/, /^users\[0\]\.rooms: .*invigilator.*$/],
    serve: true,
  },
  {
    name: 'YAML syntax errors',
    yaml: 'site: { id: s1, name: X\nrooms: [\n',
    problems: [/^line 2, column \d+: YAML syntax: .+$/, /^line 3, column \d+: YAML syntax: .+$/],
  },
  {
    name: 'a list instead of a mapping',
    yaml: '- a\n- b\n',
    problems: [/^\(top level\): .+ \(got a list of 2\)$/],
  },
];

t.test('a broken config makes serve and migrate exit 1 listing every problem, never a stack trace', async (t) => {
  const dir = scratchDir(t);
  for (const [i, c] of BROKEN_CONFIGS.entries()) {
    const file = join(dir, `broken-${i}.yaml`);
    writeFileSync(file, c.yaml);
    const data = join(dir, `data-${i}`);
    const commands = c.serve ? [['migrate'], ['serve', '--port', '0']] : [['migrate']];
    const runs = await Promise.all(commands.map((cmd) => cli([...cmd, '--config', file, '--data', data])));
    for (const [k, r] of runs.entries()) {
      const cmd = commands[k]![0];
      t.test(`${c.name}: ${cmd}`, async (t) => {
        t.equal(r.code, 1);
        t.notMatch(r.stdout, /listening on/, 'the server did not start');
        const [head, ...rest] = r.stderr.trimEnd().split('\n');
        const n = c.problems.length;
        t.equal(head, `examroom: config ${file} has ${n} problem${n === 1 ? '' : 's'}:`);
        const listed = rest.map((l) => l.replace(/^ {2}/, ''));
        t.equal(listed.length, n, `one line per problem:\n${r.stderr}`);
        for (const p of c.problems)
          t.ok(
            listed.some((l) => p.test(l)),
            `lists ${p}`,
          );
        noStackTrace(t, r);
      });
    }
    t.notOk(existsSync(data), `${c.name}: the data folder was not even created`);
  }
});

t.test('a missing config file is reported as file not found', async (t) => {
  const missing = join(scratchDir(t), 'nope.yaml');
  const r = await cli(['migrate', '--config', missing, '--data', join(scratchDir(t), 'data')]);
  t.equal(r.code, 1);
  t.equal(r.stderr, `examroom: config ${missing} has 1 problem:\n  (file): file not found (got ${JSON.stringify(missing)})\n`);
});

t.test('device pending, approve, list and revoke work next to a running app', async (t) => {
  const site = scratchSite(t);
  // The app stays open while the CLI writes, as the server does in production.
  const app = await buildTestApp({ config: loadConfig(site.config, { dataDir: site.data }) });
  t.teardown(() => app.close());
  const req = await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'terminal' } });
  t.equal(req.statusCode, 201);
  const { pairingId, pollSecret, code } = req.json() as { pairingId: string; pollSecret: string; code: string };
  // The PC's page keeps asking for its status while the CLI runs, as a real one does (a request whose
  // page stops asking is "page gone" and can no longer be approved); it keeps the answer once decided.
  const pollOnce = () => app.inject({ method: 'POST', url: `/api/devices/pairings/${pairingId}/collect`, payload: { pollSecret } });
  let decided: { status: string; deviceId?: string; token?: string } | null = null;
  let polling: Promise<unknown> = Promise.resolve();
  const poller = setInterval(() => {
    polling = polling.then(async () => {
      if (decided) return;
      const r = (await pollOnce()).json() as { status: string };
      if (r.status !== 'pending') decided = r;
    });
  }, 1000);
  t.teardown(() => clearInterval(poller));

  const pending = await cli(['device', 'pending', ...site.args]);
  t.equal(pending.code, 0, pending.stderr);
  t.match(pending.stdout, new RegExp(`^${code}\\s+terminal\\s`, 'm'), 'the request is listed with its code');

  const approve = await cli(['device', 'approve', code, '--as', 'T1', ...site.args]);
  t.equal(approve.code, 0, approve.stderr);
  t.match(approve.stdout, new RegExp(`^approved terminal T1 \\(code ${code}\\)`));

  clearInterval(poller);
  await polling;
  const got = decided ?? ((await pollOnce()).json() as { status: string; deviceId?: string; token?: string });
  t.match(got, { status: 'approved', deviceId: 'T1' }, 'the running app hands out the token the CLI approved');
  const asDevice = { authorization: `Bearer ${got.token}` };
  t.equal((await app.inject({ url: '/api/site', headers: asDevice })).statusCode, 200, 'the token works');

  const list = await cli(['device', 'list', ...site.args]);
  t.equal(list.code, 0);
  t.match(list.stdout, /^T1\s+terminal\s+R1\s+01\s+paired\s/m);
  t.match(list.stdout, /^T2\s+terminal\s+R1\s+02\s+unpaired\s/m);

  const revoke = await cli(['device', 'revoke', 'T1', ...site.args]);
  t.equal(revoke.code, 0, revoke.stderr);
  t.match(revoke.stdout, /^revoked T1;/);
  t.equal((await app.inject({ url: '/api/site', headers: asDevice })).statusCode, 401, 'the revoked token no longer works in the running app');
});

t.test("device approve --room --all approves the room's PCs by their ?device= id and leaves duplicates and unknown ids for a person", async (t) => {
  const site = scratchSite(t);
  const app = await buildTestApp({ config: loadConfig(site.config, { dataDir: site.data }) });
  t.teardown(() => app.close());
  const ask = async (deviceId: string | null, ip: string) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/devices/pairings',
      remoteAddress: ip,
      payload: { kind: 'terminal', ...(deviceId ? { deviceId } : {}) },
    });
    t.equal(r.statusCode, 201, r.body);
    return { ...(r.json() as { pairingId: string; pollSecret: string; code: string }), deviceId };
  };
  // T1 once; T2 claimed by two PCs (a duplicate); one PC that named no id.
  const pcs = [await ask('T1', '10.0.0.1'), await ask('T2', '10.0.0.2'), await ask('T2', '10.0.0.3'), await ask(null, '10.0.0.4')];
  // The pages keep asking, as real ones do, so none is "page gone" while the CLI starts; each keeps the
  // answer once decided (a token is handed out once).
  const decided = new Map<string, { status: string; deviceId?: string }>();
  const poll = async (p: (typeof pcs)[number]) => {
    const known = decided.get(p.pairingId);
    if (known) return known;
    const r = (await app.inject({ method: 'POST', url: `/api/devices/pairings/${p.pairingId}/collect`, payload: { pollSecret: p.pollSecret } })).json() as {
      status: string;
      deviceId?: string;
    };
    if (r.status !== 'pending') decided.set(p.pairingId, r);
    return r;
  };
  let polling: Promise<unknown> = Promise.resolve();
  const poller = setInterval(() => {
    polling = polling.then(() => Promise.all(pcs.map(poll)));
  }, 1000);
  t.teardown(() => clearInterval(poller));

  const r = await cli(['device', 'approve', '--room', 'R1', '--all', ...site.args]);
  clearInterval(poller);
  await polling;
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^room R1: approved 1, left for a person 3$/m);
  t.match(r.stdout, new RegExp(`^  approved T1 \\(seat 01, code ${pcs[0]!.code}, 10\\.0\\.0\\.1\\)$`, 'm'));
  t.match(r.stdout, new RegExp(`^  left     T2: code ${pcs[1]!.code}: 2 pending requests claim T2`, 'm'), 'a duplicate is left');
  t.match(r.stdout, new RegExp(`^  left     \\(no id\\): code ${pcs[3]!.code}: the PC named no device id`, 'm'), 'a PC without ?device= is left');
  t.match(await poll(pcs[0]!), { status: 'approved', deviceId: 'T1' }, 'the running app hands T1 its token');
  t.match(await poll(pcs[1]!), { status: 'pending' }, 'the duplicates stay pending');
  const audit = app.ctx.db.prepare("SELECT detail FROM audit_log WHERE action = 'device.approve_room'").all() as { detail: string }[];
  t.equal(audit.length, 1, 'one audited call');

  const usage = await cli(['device', 'approve', '--room', 'R1', ...site.args]);
  t.equal(usage.code, 1, 'without --all it is a usage error, approving nothing');
  t.match(usage.stderr, /usage: examroom device approve --room ROOM --all/);
});

t.test('device approve of a code no device shows exits 1 with a clear message', async (t) => {
  const site = scratchSite(t);
  const r = await cli(['device', 'approve', '000000', '--as', 'T1', ...site.args]);
  t.equal(r.code, 1);
  t.equal(r.stderr.split('\n').length, 2, 'one line');
  t.match(r.stderr, /^examroom: no pending pairing request shows code 000000/);
  noStackTrace(t, r);
});

/** A data folder whose audit log holds `n` entries. */
function siteWithAuditEntries(t: Test, n: number) {
  const site = scratchSite(t);
  const db = openDatabase(dataPaths(site.data).dbFile);
  const audit = createAuditLog(db, systemClock);
  for (let i = 0; i < n; i++) audit.append({ actor: 'system', action: 'test.entry', detail: { i } });
  return { ...site, db };
}

t.test('audit verify exits 0 on an intact log and prints the entry count', async (t) => {
  const site = siteWithAuditEntries(t, 7);
  site.db.close();
  const r = await cli(['audit', 'verify', ...site.args]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'audit log intact: 7 entries, chain verified\n');
});

t.test('audit verify exits 1 and names the entry when the log was tampered with', async (t) => {
  const site = siteWithAuditEntries(t, 7);
  // Someone with the file and sqlite3 in hand goes around the append-only triggers.
  site.db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4");
  site.db.close();
  const r = await cli(['audit', 'verify', ...site.args]);
  t.equal(r.code, 1);
  t.equal(r.stdout, 'audit log BROKEN at entry 4: entry 4 was altered (its content no longer matches its hash) (3 entries before it verified)\n');
});

t.test('serve --port 0 prints where it listens and answers /healthz', async (t) => {
  const site = scratchSite(t);
  const server = await startServer(t, ['--port', '0', ...site.args]);
  t.equal(server.base, `http://127.0.0.1:${server.port}`);
  t.ok(server.port > 0, 'a real port was chosen');
  const res = await fetch(`${server.base}/healthz`);
  t.equal(res.status, 200);
  t.match(await res.json(), { status: /^(ok|degraded)$/ });
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
});

t.test('with EXAMROOM_FROM_SOURCE=1 the examroom command runs the TypeScript sources and prints the same usage', async (t) => {
  // The fallback of a build that cannot be written (a read-only install): tsx, registered by the command itself.
  const r = await runNode('server/bin/examroom.mjs', ['--help'], { env: { EXAMROOM_FROM_SOURCE: '1' } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, USAGE_HEAD);
  t.equal(r.stderr, '');
});
