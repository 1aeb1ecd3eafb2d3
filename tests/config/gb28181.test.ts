// The gb28181: section: defaults, stable channel IDs (type code 131) and names from room + source, and
// every mistake refused as a config error naming its field.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';
import { scratchDir } from '../helpers.ts';

const BASE = `site: { id: s1, name: 测试考点, province: "440000", city: "440100" }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 1, columns: 2 } }
cameras:
  - { id: C1, name: 前方, room: R1, url: "rtsp://10.0.0.21/s" }
  - { id: C2, name: 后方, room: R1, url: "rtsp://10.0.0.22/s" }
`;
const PLATFORM = '{ id: prov, name: 省平台, serverId: "44000000002000000001", domain: "4400000000", host: 10.1.1.1, password: pw }';

function load(t: Test, gb: string): Config {
  const file = join(scratchDir(t), 'config.yaml');
  writeFileSync(file, `${BASE}gb28181:\n${gb}`);
  return loadConfig(file);
}

function problemsOf(t: Test, gb: string): string[] {
  try {
    load(t, gb);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

t.test('a platform gets the defaults, and every camera a stable type-131 channel ID and a Chinese name', async (t) => {
  const c = load(t, `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  platforms: [${PLATFORM}]\n`);
  const gb = c.gb28181!;
  t.match(gb.platforms[0], {
    port: 5060,
    transport: 'UDP',
    expires: 3600,
    keepaliveSeconds: 60,
    keepaliveMisses: 3,
    edition: '2016',
    charset: 'GB2312',
    sources: 'all',
    username: '44010000001320000001',
  });
  const c1 = gb.channels.find((x) => x.sourceId === 'C1')!;
  t.match(c1.channelId, /^4401000000131\d{7}$/, 'our first 10 digits, type code 131');
  t.equal(c1.name, '一号考场 前方', 'room + source name');
  t.equal(
    load(t, `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  platforms: [${PLATFORM}]\n`).gb28181!.channels.find((x) => x.sourceId === 'C1')!
      .channelId,
    c1.channelId,
    'the same ID on every load',
  );
});

t.test('an ID that is not 20 digits is refused naming the field', async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "4401000000132000001"\n  domain: "4401000000"\n  platforms: [${PLATFORM.replace('44000000002000000001', '4400000000200000000X')}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.deviceId: must be exactly 20 digits/);
  t.match(p.join('\n'), /gb28181\.platforms\[0\]\.serverId: must be exactly 20 digits/);
});

t.test('a duplicate channel ID is refused naming the field', async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  channels:\n    - { source: C1, id: "44010000001310000009" }\n    - { source: C2, id: "44010000001310000009" }\n  platforms: [${PLATFORM}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.channels \(C2\): duplicate channel ID: C1 has it too/);
});

t.test('a channel ID whose type code is not 131 is refused', async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  channels: [{ source: C1, id: "44010000001320000009" }]\n  platforms: [${PLATFORM}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.channels\[0\]\.id: digits 11–13 are the type code and must be 131/);
});

t.test("a platform on the device's own SIP port is refused", async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  port: 5070\n  platforms: [${PLATFORM.replace('host: 10.1.1.1', 'host: 127.0.0.1, port: 5070')}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.platforms\[0\]\.port: the platform 127\.0\.0\.1:5070 is this device's own SIP port/);
});

t.test('an unknown setting is refused naming it', async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  platforms: [${PLATFORM.replace('password: pw', 'password: pw, keepalive: 5')}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.platforms\[0\].*keepalive/);
});

t.test('a platform naming a source that does not exist is refused naming the field', async (t) => {
  const p = problemsOf(
    t,
    `  deviceId: "44010000001320000001"\n  domain: "4401000000"\n  platforms: [${PLATFORM.replace('password: pw', 'password: pw, sources: [C9]')}]\n`,
  );
  t.match(p.join('\n'), /gb28181\.platforms\[0\]\.sources\[0\]: no such camera or terminal screen/);
});
