// The System page's server side: the config in force shows no secret (every secret field of a config
// holds a unique marker, and the answer is searched for each), is for admins only and every read is
// audited; the status answers in one call; the audit log filters and its check is itself audited.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig, schemaFields, markOf } from '../../config/index.ts';
import { fixedClock } from '../../core/index.ts';
import { buildTestApp, login, scratchDir } from '../helpers.ts';

const dir = scratchDir(t);
const tokenFile = join(dir, 'platform-token');
writeFileSync(tokenFile, 'token-in-a-file\n');
const bankKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

/** One marker per secret place; none may appear in any answer. */
const M = {
  adminPassword: 'MARK-users0-password-a1',
  invigPassword: 'MARK-users1-password-b2',
  hash: 'MARK-users2-hash-c3',
  camPass: 'MARK-cam-url-pass-d4',
  camQuery: 'MARK-cam-url-query-e5',
  subPass: 'MARK-cam-suburl-pass-f6',
  pushPass: 'MARK-upstream-pass-g7',
  pushKey: 'MARK-upstream-streamkey-h8',
  pushQuery: 'MARK-upstream-query-i9',
  bankPass: 'MARK-bank-pass-j10',
  bankQuery: 'MARK-bank-query-k11',
  reportQuery: 'MARK-reporting-query-l12',
  gbPassword: 'MARK-gb28181-password-m13',
};

const CONFIG = `
site: { id: cfg-site, name: 配置测试考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 1, columns: 2 } }
cameras:
  - id: C1
    name: 前门
    room: R1
    record: sessions
    url: "rtsp://admin:${M.camPass}@127.0.0.1:9/Streaming/Channels/101?token=${M.camQuery}"
    subUrl: "rtsp://admin:${M.subPass}@127.0.0.1:9/Streaming/Channels/102"
upstream:
  - { id: P1, name: 省平台, level: province, protocol: rtmp, url: "rtmp://site:${M.pushPass}@127.0.0.1:9/live/${M.pushKey}/{source}?auth=${M.pushQuery}" }
bank:
  centralUrl: "https://bank:${M.bankPass}@127.0.0.1:9/bank/latest?key=${M.bankQuery}"
  publicKeys: [{ id: k1, key: "${bankKey}" }]
reporting: { url: "https://127.0.0.1:9/api/results?token=${M.reportQuery}", tokenFile: "${tokenFile}" }
gb28181:
  deviceId: "44010000001320000001"
  domain: "4401000000"
  host: 127.0.0.1
  port: 0
  platforms:
    - { id: prov, name: 省平台, serverId: "44000000002000000001", domain: "4400000000", host: 127.0.0.1, port: 9, password: ${M.gbPassword} }
users:
  - { username: admin, role: admin, password: ${M.adminPassword} }
  - { username: invig, role: invigilator, rooms: [R1], password: ${M.invigPassword} }
  - { username: gd, role: inspector, jurisdiction: { level: province, code: "440000" }, passwordHash: "scrypt$${M.hash}" }
`;

const clock = fixedClock(Date.now());
const app = await buildTestApp({ config: parseConfig(CONFIG, { dataDir: join(dir, 'data') }), clock });
t.teardown(() => app.close());
const admin = await login(app, 'admin', M.adminPassword);
const invig = await login(app, 'invig', M.invigPassword);

t.test('the config in force shows no secret, and says where it hid one', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/system/config', headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  for (const [what, marker] of Object.entries(M)) t.notOk(res.body.includes(marker), `${what} is not in the answer`);
  const body = res.json() as { file: string | null; mask: string; masked: string[]; config: Record<string, any> };
  // Every field the schema marks secret holds a marker here, so a newly marked one must get one too.
  const marked = schemaFields()
    .filter((f) => markOf(f.schema))
    .map((f) => f.path);
  const hidden = new Set(body.masked.map((p) => p.replace(/\[\d+\]/g, '[]')));
  t.same(
    marked.filter((p) => !hidden.has(p)),
    [],
    'every secret field of the schema was filled and hidden',
  );
  // What helps to diagnose stays.
  t.equal(body.config.cameras[0].url, `rtsp://admin:${body.mask}@127.0.0.1:9/Streaming/Channels/101?token=${body.mask}`);
  t.equal(body.config.upstream[0].url, `rtmp://site:${body.mask}@127.0.0.1:9/live/${body.mask}/{source}?auth=${body.mask}`);
  t.equal(body.config.users[0].username, 'admin');
  t.equal(body.config.users[0].password, body.mask);
  t.equal(body.config.reporting.tokenFile, tokenFile, 'a file path is no secret');
  t.equal(body.config.bank.publicKeys[0].key, bankKey, 'a public key is no secret');
  t.equal(body.config.retention.days, 1096, 'defaults are filled in: this is the config in force');
});

t.test('every read of the config is audited', async (t) => {
  const before = app.ctx.audit.list({ action: 'system.config.read' }).length;
  await app.inject({ method: 'GET', url: '/api/system/config', headers: { cookie: admin } });
  const after = app.ctx.audit.list({ action: 'system.config.read' });
  t.equal(after.length, before + 1);
  t.equal(after[0]!.actor, 'user:admin');
  t.notOk(JSON.stringify(after[0]).includes('MARK-'), 'nor does the audit entry hold a secret');
});

t.test('other roles and anonymous callers are refused the config and the status', async (t) => {
  for (const url of ['/api/system/config', '/api/system/status']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 401, `${url}: anonymous`);
    t.equal((await app.inject({ method: 'GET', url, headers: { cookie: invig } })).statusCode, 403, `${url}: invigilator`);
  }
  t.equal(app.ctx.audit.list({ action: 'system.config.read', actor: 'user:invig' }).length, 0, 'a refused read leaves no read entry');
});

t.test('the status says version, uptime, database, disk, ffmpeg, recording and certificates in one answer', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/system/status', headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  const s = res.json();
  t.match(s, {
    version: /^\d+\.\d+\.\d+/,
    node: /^v\d+/,
    timezone: 'Asia/Shanghai',
    site: { id: 'cfg-site' },
    database: { ok: true, schemaVersion: Number },
    disk: { path: String },
    ffmpeg: { ok: Boolean },
    media: { ok: Boolean, down: Array },
    tls: null,
  });
  t.ok(s.database.bytes > 0, 'the database file has a size');
  t.ok(s.serverTime >= s.startedAt, 'started before now, by the server clock');
  t.notOk(res.body.includes('MARK-'), 'no secret in the status either');
});

t.test('the audit log filters by action prefix, actor, target and time, pages back, and its check is audited', async (t) => {
  const a = app.ctx.audit;
  clock.advance(60_000);
  const t0 = clock.now();
  a.append({ actor: 'user:alice', action: 'exam.session.start', target: 'S9' });
  a.append({ actor: 'user:bob', action: 'exam.session.end', target: 'S9' });
  a.append({ actor: 'user:alice', action: 'device.approve', target: 'T1' });
  clock.advance(60_000);
  const get = async (q: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/audit?${q}`, headers: { cookie: admin } });
    t.equal(res.statusCode, 200, q);
    return res.json() as { seq: number; action: string; actor: string; target: string | null }[];
  };
  t.same(
    (await get('action=exam.session.')).map((e) => e.action),
    ['exam.session.end', 'exam.session.start'],
    'a prefix ending in a dot',
  );
  t.same((await get('action=exam.session')).length, 0, 'without the dot, an exact action');
  t.same(
    (await get('actor=user:alice&target=S9')).map((e) => e.action),
    ['exam.session.start'],
  );
  t.same(
    (await get(`target=T1&from=${t0}&to=${t0 + 1}`)).map((e) => e.action),
    ['device.approve'],
  );
  t.same(await get(`target=T1&to=${t0}`), [], 'nothing before');
  t.same(await get(`target=T1&from=${t0 + 1}`), [], 'nothing after');
  const page1 = await get('limit=2');
  const page2 = await get(`limit=2&beforeSeq=${page1[1]!.seq}`);
  t.equal(page2[0]!.seq, page1[1]!.seq - 1, 'the next page starts where the first ended');
  const bad = await app.inject({ method: 'GET', url: '/api/audit?from=yesterday', headers: { cookie: admin } });
  t.equal(bad.statusCode, 400, 'a time that is not a number is refused');
  const v = await app.inject({ method: 'POST', url: '/api/audit/verify', headers: { cookie: admin } });
  t.match(v.json(), { ok: true, checked: Number });
  t.equal(a.list({ limit: 1 })[0]!.action, 'audit.verify', 'the check is in the log');
});
