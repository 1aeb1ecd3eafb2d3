// The config file is the operator's only interface before the web UI exists: a mistake must stop
// start-up with a line that says where and why, and every mistake must show up in one pass.
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';
import { ROOT, scratchDir } from '../helpers.ts';

const SITE = `site: { id: s1, name: 测试考点, province: "440000", city: "440100" }\n`;
const ROOMS = `rooms:
  - { id: R1, name: 一号考场, seats: { rows: 2, columns: 3 } }
  - { id: R2, name: 二号考场, seats: { rows: 1, columns: 2 } }
`;
const VALID = SITE + ROOMS;

function writeConfig(t: Test, text: string, name = 'config.yaml'): string {
  const file = join(scratchDir(t), name);
  writeFileSync(file, text);
  return file;
}

/** Loads a file that must be refused and returns its problems as the operator sees them. */
function problemsOf(t: Test, text: string): string[] {
  const file = writeConfig(t, text);
  try {
    loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    t.equal(err.file, file, 'the error names the file');
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

function loads(t: Test, text: string): Config {
  return loadConfig(writeConfig(t, text));
}

t.test('config/demo.yaml loads cleanly', async (t) => {
  const c = loadConfig(join(ROOT, 'config/demo.yaml'));
  t.equal(c.site.id, 'demo-gz-01');
  t.same(
    c.rooms.map((r) => r.id),
    ['R101', 'R102'],
  );
  t.equal(c.terminals.length, 32, 'an exam PC at every seat of both rooms');
  t.equal(c.cameras.length, 2);
  t.equal(c.users.length, 7);
  // `data: ../var/demo` is relative to config/, not to wherever the server was started.
  t.equal(c.paths.data, join(ROOT, 'var/demo'));
  t.equal(c.file, join(ROOT, 'config/demo.yaml'));
});

t.test('config/demo-https.yaml is the demo over HTTPS by name, and nothing else differs', async (t) => {
  const plain = loadConfig(join(ROOT, 'config/demo.yaml'));
  const https = loadConfig(join(ROOT, 'config/demo-https.yaml'));
  t.equal(https.server.siteCa, true);
  t.same(https.server.names, ['examroom.lan']);
  t.equal(https.paths.data, join(ROOT, 'var/demo-https'), "its own data folder: the plain demo's keeps no CA");
  t.equal(https.paths.keys, join(ROOT, 'var/demo-https-keys'));
  const rest = (c: Config) => ({ ...c, server: null, paths: null, file: null });
  t.same(rest(https), rest(plain), 'a change to demo.yaml is made in demo-https.yaml too');
});

t.test('config/default.yaml loads cleanly', async (t) => {
  const c = loadConfig(join(ROOT, 'config/default.yaml'));
  t.equal(c.site.id, 'site-01');
  t.equal(c.server.port, 8443);
  t.equal(c.paths.data, '/var/lib/examroom');
  t.equal(c.paths.keys, '/var/lib/examroom-keys', 'the keys folder sits beside the data folder, outside it');
  t.equal(c.server.siteCa, true, 'a site install is HTTPS with its own site CA');
  t.equal(c.server.httpPort, 8080, 'with the trust page on plain HTTP');
  t.equal(c.retention.days, 1096);
  t.same(c.users, []);
});

t.test('a file that does not exist is named as not found', async (t) => {
  const file = join(scratchDir(t), 'nope.yaml');
  const err = t.throws(() => loadConfig(file)) as ConfigError;
  t.same(err.problems.map(formatProblem), [`(file): file not found (got ${JSON.stringify(file)})`]);
});

t.test('an empty file says it has no settings', async (t) => {
  t.same(problemsOf(t, '# nothing yet\n'), ['(top level): the file has no settings; it needs at least site: and rooms:']);
});

t.test('a file that is a list instead of a mapping is refused', async (t) => {
  t.same(problemsOf(t, '- site\n- rooms\n'), ['(top level): must be a mapping of settings (site:, rooms:, …) (got a list of 2)']);
});

t.test('a misspelt key is named with its path as an unknown setting', async (t) => {
  const text = `site: { id: s1, nmae: 测试考点, province: "440000", city: "440100" }\n` + ROOMS;
  // The real key is then also missing; both lines together tell the operator what to fix.
  t.same(problemsOf(t, text).sort(), ['site.name: missing', 'site.nmae: unknown setting (did you mean name?) (got "测试考点")']);
});

t.test('an unknown key with no near match lists the keys allowed there', async (t) => {
  t.same(problemsOf(t, VALID + 'server: { colour: blue }\n'), [
    'server.colour: unknown setting (allowed here: host, port, tls, names, httpPort, trustProxy, connections, metricsFrom) (got "blue")',
  ]);
});

t.test('a misspelt top-level section is named and the real one reported missing', async (t) => {
  const text = SITE + ROOMS.replace('rooms:', 'room:');
  t.same(problemsOf(t, text).sort(), ['room: unknown setting (did you mean rooms?) (got a list of 2)', 'rooms: missing']);
});

t.test('a wrong type is named with the expected type and the value found', async (t) => {
  t.same(problemsOf(t, VALID + 'server: { port: "eighty" }\n'), ['server.port: must be a whole number (got "eighty")']);
});

t.test('an unquoted division code is named as needing quotes', async (t) => {
  const text = `site: { id: s1, name: S, province: 440000, city: "440100" }\n` + ROOMS;
  t.same(problemsOf(t, text), ['site.province: must be text: a six-digit administrative division code (GB/T 2260), in quotes (got 440000)']);
});

t.test('an out-of-range number names the limit', async (t) => {
  t.same(problemsOf(t, VALID + 'retention: { days: 30 }\n'), ['retention.days: must be at least 1096 (three years, by regulation) (got 30)']);
  t.same(problemsOf(t, VALID + 'server: { port: 70000 }\n'), ['server.port: must be at most 65535 (got 70000)']);
});

t.test('a value outside an enumeration lists the allowed values', async (t) => {
  const text = VALID + 'upstream:\n  - { id: prov, name: 省平台, level: town, protocol: rtmp, url: "rtmp://10.0.0.1/live/{source}" }\n';
  t.same(problemsOf(t, text), ['upstream[0].level: must be one of "province", "city" (got "town")']);
});

t.test('a push target with the wrong scheme names the schemes allowed', async (t) => {
  const text = VALID + 'upstream:\n  - { id: prov, name: 省平台, level: province, protocol: rtmp, url: "http://10.0.0.1/live" }\n';
  t.same(problemsOf(t, text), [
    'upstream[0].url: must be an rtmp://, rtmps:// or rtsp:// push target; {source} is replaced by the source id (got "http://10.0.0.1/live")',
  ]);
});

t.test('a missing required section is named as missing', async (t) => {
  t.same(problemsOf(t, SITE), ['rooms: missing']);
});

t.test('a YAML syntax error is named with its line and column', async (t) => {
  const text = SITE + 'rooms:\n  - id: R1\n\tname: 一号考场\n';
  t.same(problemsOf(t, text), ['line 4, column 1: YAML syntax: Tabs are not allowed as indentation']);
});

t.test('a key given twice is a YAML error at its second occurrence', async (t) => {
  t.same(problemsOf(t, VALID + 'site: { id: s2 }\n'), ['line 5, column 1: YAML syntax: Map keys must be unique']);
});

t.test('a terminal in an unknown room is named with the rooms that exist', async (t) => {
  t.same(problemsOf(t, VALID + 'terminals:\n  - { id: T1, room: R9, seat: "01" }\n'), ['terminals[0].room: no such room (rooms are R1, R2) (got "R9")']);
});

t.test('a seat outside the room grid names the seats the room has', async (t) => {
  t.same(problemsOf(t, VALID + 'terminals:\n  - { id: T1, room: R2, seat: "03" }\n'), ['terminals[0].seat: room R2 has seats 01–02 (got "03")']);
});

t.test('an unquoted seat number is named as needing quotes', async (t) => {
  // YAML reads `seat: 01` as the number 1; the message has to explain why "01" was refused.
  t.same(problemsOf(t, VALID + 'terminals:\n  - { id: T1, room: R1, seat: 01 }\n'), [
    'terminals[0].seat: must be text: a two- or three-digit seat number in quotes, like "01" (got 1)',
  ]);
});

t.test('two terminals on one seat are refused, naming the first', async (t) => {
  const text = VALID + 'terminals:\n  - { id: T1, room: R1, seat: "01" }\n  - { id: T2, room: R1, seat: "01" }\n';
  t.same(problemsOf(t, text), ['terminals[1].seat: seat already taken by terminals[0] (got "01")']);
});

t.test('a duplicate id is named with the entry it duplicates', async (t) => {
  t.same(problemsOf(t, VALID + 'kiosks:\n  - { id: K1, name: 入口 }\n  - { id: K1, name: 出口 }\n'), ['kiosks[1].id: duplicate of kiosks[0].id (got "K1")']);
  t.same(problemsOf(t, VALID + '  - { id: R1, name: 三号考场, seats: { rows: 1, columns: 1 } }\n'), ['rooms[2].id: duplicate of rooms[0].id (got "R1")']);
});

t.test('a camera in an unknown room is named with the rooms that exist', async (t) => {
  const text = VALID + 'cameras:\n  - { id: C1, name: 前方, room: R7, url: "rtsp://10.0.0.21/stream1" }\n';
  t.same(problemsOf(t, text), ['cameras[0].room: no such room (rooms are R1, R2) (got "R7")']);
});

t.test('an upstream source naming no camera is named with the cameras that exist', async (t) => {
  const text =
    VALID +
    'cameras:\n  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1" }\n' +
    'upstream:\n  - { id: prov, name: 省平台, level: province, protocol: rtmp, url: "rtmp://10.0.0.1/live/{source}", sources: [C1, C9] }\n';
  t.same(problemsOf(t, text), ['upstream[0].sources[1]: no such camera (cameras are C1) (got "C9")']);
});

t.test('an invigilator without rooms is refused', async (t) => {
  t.same(problemsOf(t, VALID + 'users:\n  - { username: inv, role: invigilator, password: invig-pass-123 }\n'), [
    'users[0].rooms: an invigilator must be bound to at least one room',
  ]);
});

t.test('an invigilator bound to an unknown room is named with the rooms that exist', async (t) => {
  t.same(problemsOf(t, VALID + 'users:\n  - { username: inv, role: invigilator, rooms: [R1, R5], password: invig-pass-123 }\n'), [
    'users[0].rooms[1]: no such room (rooms are R1, R2) (got "R5")',
  ]);
});

t.test('an inspector without jurisdiction is refused', async (t) => {
  t.same(problemsOf(t, VALID + 'users:\n  - { username: insp, role: inspector, password: inspect-pass-1 }\n'), [
    'users[0].jurisdiction: an inspector must have a jurisdiction (level: province|city|site, code)',
  ]);
});

t.test('a user with both password and passwordHash is refused', async (t) => {
  t.same(problemsOf(t, VALID + 'users:\n  - { username: adm, role: admin, password: admin-pass-123, passwordHash: "scrypt$abc" }\n'), [
    'users[0]: give password or passwordHash, not both',
  ]);
});

t.test('a user with neither password nor passwordHash is refused', async (t) => {
  t.same(problemsOf(t, VALID + 'users:\n  - { username: adm, role: admin }\n'), ['users[0].password: missing (give password or passwordHash)']);
});

t.test('a TLS file that does not exist is named with the path that was tried', async (t) => {
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'server.key'), 'not really a key');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, VALID + 'server: { tls: { cert: tls/server.crt, key: server.key } }\n');
  const err = t.throws(() => loadConfig(file)) as ConfigError;
  // The relative name is shown resolved, so the operator sees which folder was searched.
  t.same(err.problems.map(formatProblem), [`server.tls.cert: file not found or not readable (got ${JSON.stringify(join(dir, 'tls/server.crt'))})`]);
});

t.test('TLS files that exist are accepted and resolved relative to the config file', async (t) => {
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'tls'));
  writeFileSync(join(dir, 'tls/server.crt'), 'cert');
  writeFileSync(join(dir, 'tls/server.key'), 'key');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, VALID + 'server: { tls: { cert: tls/server.crt, key: tls/server.key } }\n');
  t.same(loadConfig(file).server.tls, { cert: join(dir, 'tls/server.crt'), key: join(dir, 'tls/server.key') });
});

t.test('a file with several schema problems lists all of them at once', async (t) => {
  const text = `site: { id: s1, nmae: S, province: "440000", city: "440100" }
server: { port: "eighty", host: 127.0.0.1 }
rooms:
  - { id: R1, name: "", seats: { rows: 0, columns: 3 } }
retention: { days: 30 }
upstream:
  - { id: prov, name: 省平台, level: town, protocol: rtmp, url: "rtmp://10.0.0.1/live/{source}" }
`;
  const file = writeConfig(t, text);
  const err = t.throws(() => loadConfig(file)) as ConfigError;
  t.same(err.problems.map(formatProblem).sort(), [
    'retention.days: must be at least 1096 (three years, by regulation) (got 30)',
    'rooms[0].name: must not be empty (got "")',
    'rooms[0].seats.rows: must be at least 1 (got 0)',
    'server.port: must be a whole number (got "eighty")',
    'site.name: missing',
    'site.nmae: unknown setting (did you mean name?) (got "S")',
    'upstream[0].level: must be one of "province", "city" (got "town")',
  ]);
  t.equal(err.message, `config ${file} has 7 problems`);
});

t.test('a file with several cross-reference problems lists all of them at once', async (t) => {
  const text =
    VALID +
    `terminals:
  - { id: T1, room: R9, seat: "01" }
  - { id: T2, room: R2, seat: "07" }
  - { id: T2, room: R1, seat: "01" }
  - { id: T4, room: R1, seat: "01" }
cameras:
  - { id: C1, name: 前方, room: R3, url: "rtsp://10.0.0.21/stream1" }
users:
  - { username: inv, role: invigilator, password: invig-pass-123 }
  - { username: insp, role: inspector, password: inspect-pass-1 }
`;
  const file = writeConfig(t, text);
  const err = t.throws(() => loadConfig(file)) as ConfigError;
  t.same(err.problems.map(formatProblem), [
    'terminals[2].id: duplicate of terminals[1].id (got "T2")',
    'terminals[0].room: no such room (rooms are R1, R2) (got "R9")',
    'terminals[1].seat: room R2 has seats 01–02 (got "07")',
    'terminals[3].seat: seat already taken by terminals[2] (got "01")',
    'cameras[0].room: no such room (rooms are R1, R2) (got "R3")',
    'users[0].rooms: an invigilator must be bound to at least one room',
    'users[1].jurisdiction: an inspector must have a jurisdiction (level: province|city|site, code)',
  ]);
  t.equal(err.message, `config ${file} has 7 problems`);
});

t.test('a relative data path resolves against the config file folder, not the working directory', async (t) => {
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'etc'));
  const file = join(dir, 'etc', 'config.yaml');
  writeFileSync(file, VALID + 'paths: { data: ../data }\n');
  t.equal(loadConfig(file).paths.data, join(dir, 'data'));
});

t.test('the dataDir override wins over the file', async (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, VALID + 'paths: { data: ./from-file }\n');
  t.equal(loadConfig(file, { dataDir: join(dir, 'override') }).paths.data, join(dir, 'override'));
  // A relative override is the operator's own command line: it is relative to where they stand.
  t.equal(loadConfig(file, { dataDir: 'rel-data' }).paths.data, resolve('rel-data'));
});

t.test('defaults are filled in for settings the file leaves out', async (t) => {
  const c = loads(
    t,
    VALID +
      'cameras:\n  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1" }\n' +
      'upstream:\n  - { id: prov, name: 省平台, level: province, protocol: rtmp, url: "rtmp://10.0.0.1/live/{source}" }\n',
  );
  t.equal(c.retention.days, 1096);
  t.equal(c.retention.minFreeGiB, 20);
  t.equal(c.server.port, 8080);
  t.equal(c.server.host, '0.0.0.0');
  t.same(c.server.trustProxy, [], 'no proxy');
  t.same(c.server.connections, { max: 4096, perAddress: 256, headersSeconds: 15, requestSeconds: 120, idleSeconds: 120, keepAliveSeconds: 10 });
  t.equal(c.server.tls, undefined);
  t.equal(c.server.siteCa, false, 'no tls: plain HTTP');
  t.same(c.server.names, []);
  t.equal(c.server.httpPort, null);
  t.equal(c.paths.keys, '/var/lib/examroom-keys');
  t.equal(c.cameras[0]?.audio, true);
  t.equal(c.upstream[0]?.sources, 'all');
  t.equal(c.site.timezone, 'Asia/Shanghai');
  t.equal(c.paths.data, '/var/lib/examroom');
  t.same(c.security, {
    sessionHours: 12,
    lockoutFailures: 5,
    lockoutMinutes: 15,
    loginPerMinute: 20,
    pairingMinutes: 30,
    deviceTokens: { unusedDays: 30, rotateDays: 7, graceMinutes: 10 },
  });
  t.same([c.terminals, c.kiosks, c.users], [[], [], []]);
});

t.test('values given in the file override the defaults', async (t) => {
  const c = loads(
    t,
    VALID +
      'server: { port: 9000 }\nretention: { days: 2000 }\ncameras:\n  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/stream1", audio: false }\n',
  );
  t.equal(c.server.port, 9000);
  t.equal(c.retention.days, 2000);
  t.equal(c.cameras[0]?.audio, false);
});

t.test('HTTPS settings: tls: site-ca, names, httpPort and the keys folder are checked', async (t) => {
  const c = loads(
    t,
    VALID + 'server: { tls: site-ca, names: [Examroom.LAN, 192.168.1.10], httpPort: 8080, port: 8443 }\npaths: { data: /srv/exam, keys: /srv/exam-keys }\n',
  );
  t.equal(c.server.siteCa, true);
  t.equal(c.server.tls, undefined, 'no site-named certificate');
  t.same(c.server.names, ['examroom.lan', '192.168.1.10']);
  t.equal(c.paths.keys, '/srv/exam-keys');
  t.same(problemsOf(t, VALID + 'server: { tls: site-ca, names: ["exam room"] }\n'), [
    'server.names[0]: must be a host name (examroom.lan) or an IP address (192.168.1.10) (got "exam room")',
  ]);
  t.same(problemsOf(t, VALID + 'server: { tls: site-ca, names: [ok.lan, "-bad.lan"] }\n'), [
    'server.names[1]: is neither a host name (letters, digits, - between dots) nor an IP address (got "-bad.lan")',
  ]);
  t.same(problemsOf(t, VALID + 'server: { httpPort: 8081 }\n'), [
    'server.httpPort: is only for an HTTPS server (set server.tls); without TLS the one port serves everything (got 8081)',
  ]);
  t.same(problemsOf(t, VALID + 'server: { tls: site-ca, port: 8443, httpPort: 8443 }\n'), ['server.httpPort: is the same as server.port (got 8443)']);
  t.same(problemsOf(t, VALID + 'paths: { data: /srv/exam, keys: /srv/exam/keys }\n'), [
    'paths.keys: must be outside the data folder (and not contain it): a copy of the data must not carry the keys (got "/srv/exam/keys")',
  ]);
  t.match(problemsOf(t, VALID + 'server: { tls: sitca }\n')[0], /^server\.tls: must be/);
});
