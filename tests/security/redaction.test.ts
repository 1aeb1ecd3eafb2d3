// Camera passwords never leave the appliance's config: a real ffmpeg pulls a camera whose URL carries a
// user, a password and a token and which refuses it (a loopback RTSP listener answering 401 Unauthorized,
// and a sub-stream where nothing listens). ffmpeg repeats the URL in every error; the password and the
// token must then appear in no API answer of any role, no alert, no proctor feed message, no log line
// and no byte of the SQLite files — while the redacted reason (`cam:***@`) is there to read.
import t from 'tap';
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { pushUrlSecrets, redactPushUrl, redactText, redactUrl, urlSecrets, ValidationError, lastLines } from '../../core/index.ts';
import { maskValue } from '../../config/index.ts';
import Fastify from 'fastify';
import { createLogger } from '../../server/log.ts';
import { installReplyRedaction } from '../../server/redact-replies.ts';
import { buildTestApp, login, PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { until } from '../wait.ts';

const PW = 'Pw4Cam-7qZx';
const TOKEN = 'Tok9-LQ3vRn';
const SUB_PW = 'SubPw-x8Kd2';
const PUSH_PW = 'PushPw-5mTe';
const SRT_PASS = 'SrtPass-w2Yh';
const PUSH_KEY = 'PushKey-9vRq3';
const RTSP_KEY = 'RtspKey-4mWn8';

t.test('a push URL shows host and app with its stream key hidden, the same way in every place it is shown', async (t) => {
  const template = `rtmp://push:${PUSH_PW}@live.example.cn:1935/live/${PUSH_KEY}/{source}?auth=${TOKEN}`;
  const resolved = template.replace('{source}', 'CAM1');
  const shown = 'rtmp://push:***@live.example.cn:1935/live/***/CAM1?auth=***';
  t.equal(redactPushUrl(resolved, template), shown, 'the status: which camera is pushed stays, the key does not');
  t.equal(maskValue(template, 'push-url'), 'rtmp://push:***@live.example.cn:1935/live/***/{source}?auth=***', 'the config page: same rule');
  t.equal(redactPushUrl('rtsp://10.1.1.1/only-the-key'), 'rtsp://10.1.1.1/***', 'a path of one segment may be the key: hidden whole');
  t.notMatch(redactText(`ffmpeg: ${resolved}: Connection refused`), new RegExp(`${PUSH_KEY}|${PUSH_PW}|${TOKEN}`), 'ffmpeg’s words about it: same');
  const rtsp = `rtsp://10.1.1.1:554/live/${RTSP_KEY}`;
  t.equal(
    redactText(`Could not write header: ${rtsp}/: Connection refused`, pushUrlSecrets(rtsp)),
    'Could not write header: rtsp://10.1.1.1:554/live/***/: Connection refused',
    'an RTSP push’s key is no RTMP path: hidden as a known literal',
  );
});

t.test('redactText hides URL credentials in any scheme and secret parameters, keeping what diagnoses', async (t) => {
  const cases: [string, string][] = [
    [
      'rtsp://admin:pw123@10.0.0.5:554/Streaming/Channels/101: Server returned 401',
      'rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101: Server returned 401',
    ],
    ["Input from 'rtsps://u:p%40ss@cam.lan/x'", "Input from 'rtsps://u:***@cam.lan/x'"],
    ['rtmp://push:k3y@live.example.cn/app/CAM1', 'rtmp://push:***@live.example.cn/app/***'],
    ['[out#0/flv] rtmps://live.example.cn:443/live/sk-77a1/CAM1: I/O error', '[out#0/flv] rtmps://live.example.cn:443/live/***/***: I/O error'],
    ['rtmp://live.example.cn/live/{source} and rtmp://live.example.cn/app', 'rtmp://live.example.cn/live/{source} and rtmp://live.example.cn/app'],
    ['http://a:b@h/x and https://c:d@h2', 'http://a:***@h/x and https://c:***@h2'],
    ['srt://10.1.1.1:9000?passphrase=abcdefgh12&streamid=cam1', 'srt://10.1.1.1:9000?passphrase=***&streamid=cam1'],
    ['http://h/live.flv?token=abcd1234&sign=zz99', 'http://h/live.flv?token=***&sign=***'],
    ['rtsp://10.0.0.9:554/user=admin&password=secret1&channel=1&stream=0.sdp', 'rtsp://10.0.0.9:554/user=admin&password=***&channel=1&stream=0.sdp'],
    // ffmpeg's own parser takes the last @ before the host: so does the redaction.
    ['rtsp://admin:p@ss@10.0.0.5/1: refused', 'rtsp://admin:***@10.0.0.5/1: refused'],
    ['rtsp://viewer@10.0.0.5/1', 'rtsp://viewer@10.0.0.5/1'],
    ['Authorization: Basic YWRtaW46cHc=', 'Authorization: Basic ***'],
    [
      'Connection to tcp://127.0.0.1:9?timeout=3000000 failed: Connection refused',
      'Connection to tcp://127.0.0.1:9?timeout=3000000 failed: Connection refused',
    ],
  ];
  for (const [input, shown] of cases) t.equal(redactText(input), shown, input);
  t.equal(redactUrl('rtsp://a:b@h/x?key=1234'), 'rtsp://a:***@h/x?key=***', 'redactUrl is the same rule for one URL');
  t.same(urlSecrets('rtsp://a:p%40ss@h/x?token=abcd'), ['p%40ss', 'p@ss', 'abcd'], 'a URL’s secrets, raw and decoded');
  t.equal(redactText('ffmpeg said p@ss and p%40ss', ['p%40ss', 'p@ss']), 'ffmpeg said *** and ***', 'known secrets are hidden outside any URL');
  // A tail cut inside a URL leaves no scheme for the pattern to find: the cut is at a line start.
  const long = `${'x'.repeat(50)}\nrtsp://a:${PW}@h/1: refused\nlast line`;
  t.equal(lastLines(long, long.length - 55), 'last line', 'a cut tail starts at a whole line');
  const err = new ValidationError([{ path: 'sub.url', problem: 'is the same stream as input.url', got: `rtsp://cam:${PW}@10.0.0.5/1` }]);
  t.notMatch(JSON.stringify(err.problems) + err.message, PW, 'a refusal quoting a URL hides its password');
  t.match(err.message, 'cam:***@10.0.0.5', '…and still says which camera');
});

/** An RTSP camera that refuses every request: 401 with a Digest challenge, as a camera with a wrong password answers. */
function refusingCamera(): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => {
    c.on('error', () => {});
    c.on('data', (d) => {
      const cseq = /CSeq:\s*(\d+)/i.exec(d.toString())?.[1] ?? '1';
      c.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="IP Camera", nonce="4d2a3f", stale="FALSE"\r\n\r\n`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('a camera that refuses its credentials: the password is in no answer, alert, feed message, log line or database byte', async (t) => {
  const camera = await refusingCamera();
  t.teardown(() => new Promise((r) => camera.server.close(r)));
  const nobody = await closedPort();
  const dir = scratchDir(t, 'examroom-redaction-');
  const camUrl = `rtsp://cam:${PW}@127.0.0.1:${camera.port}/Streaming/Channels/101?token=${TOKEN}`;
  const subUrl = `rtsp://cam:${SUB_PW}@127.0.0.1:${nobody}/Streaming/Channels/102`;
  const config = testConfig(
    join(dir, 'data'),
    `media: { stallSeconds: 3, maxBackoffSeconds: 1, reserveMiB: 0 }
cameras:
  - { id: CAM1, name: 一号考场前方, room: R1, url: "${camUrl}", subUrl: "${subUrl}" }
upstream:
  - { id: gd-prov, name: 省平台, level: province, protocol: rtmp, url: "rtmp://push:${PUSH_PW}@127.0.0.1:${nobody}/live/${PUSH_KEY}/{source}?token=${TOKEN}" }
  - { id: gz-city, name: 市平台, level: city, protocol: rtsp, url: "rtsp://127.0.0.1:${nobody}/push/${RTSP_KEY}-{source}" }
`,
  );
  const secrets = [PW, TOKEN, SUB_PW, PUSH_PW, PUSH_KEY, RTSP_KEY, encodeURIComponent(PW)];
  const lines: string[] = [];
  const logger = createLogger(config, { level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  const app = await buildTestApp({ config, logger });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await app.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;

  // The invigilator's console is open before the camera fails: it hears the alert as it is raised.
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const feed: string[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/proctor?room=R1`, { headers: { cookie: invig } });
  t.teardown(() => ws.terminate());
  ws.on('message', (d) => feed.push(String(d)));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));

  // Two failed launches of each ffmpeg: reasons, outage rows, alerts and log lines have all been written.
  await until(
    'ffmpeg to have failed against the refusing camera twice',
    () => app.media.source('CAM1').restarts >= 2 && /401/.test(app.media.source('CAM1').reason ?? ''),
    30_000,
  );
  await until('the sub-stream ffmpeg to have failed', () => /refused/i.test(app.media.source('CAM1').sub?.reason ?? ''), 30_000);
  await until('the alert on the proctor feed', () => feed.some((m) => m.includes('camera_down')), 10_000);
  // Both pushes have failed against the closed port: ffmpeg's words about each URL are in their status.
  const adminEarly = await login(app, 'admin', PASSWORDS.admin);
  await until(
    'both pushes to have failed once',
    async () => {
      const pushes = (await app.inject({ method: 'GET', url: '/api/upstream', headers: { cookie: adminEarly } })).json() as { lastError: string | null }[];
      return pushes.length === 2 && pushes.every((s) => s.lastError !== null);
    },
    30_000,
  );

  const reason = app.media.source('CAM1').reason!;
  t.match(
    reason,
    `rtsp://cam:***@127.0.0.1:${camera.port}/Streaming/Channels/101?token=***`,
    "the reason is ffmpeg's, the camera still named by host and path",
  );
  t.match(app.media.source('CAM1').sub?.reason, 'cam:***@127.0.0.1', 'the sub-stream reason too');

  // Every GET answer of every role that reads anything without a parameter, and the camera's own.
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const inspector = await login(app, 'gd', PASSWORDS.gd);
  const streaming = /\/events$|^\/docs|^\/(admin|kiosk|terminal|proctor|inspector|live|records|public)\/$|^\/$|favicon/;
  const urls = app.routeTable.filter((r) => r.method === 'GET' && !r.websocket && !r.url.includes(':') && !streaming.test(r.url)).map((r) => r.url);
  const now = Date.now();
  urls.push('/api/media/sources/CAM1', `/api/media/sources/CAM1/recordings?from=${now - 3600_000}&to=${now + 60_000}`, '/api/proctor/alerts?room=R1');
  const answers: { who: string; url: string; body: string }[] = [];
  for (const [who, cookie] of [
    ['admin', admin],
    ['invigilator', invig],
    ['inspector', inspector],
    ['anonymous', ''],
  ] as const) {
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
      answers.push({ who, url, body: res.body });
    }
  }
  const leaks = (text: string) => secrets.filter((s) => text.includes(s));
  for (const a of answers) if (leaks(a.body).length) t.fail(`${a.who} GET ${a.url} shows ${leaks(a.body).join(', ')}`);
  const live = answers.find((a) => a.who === 'inspector' && a.url === '/api/live/sources')!.body;
  t.match(live, 'cam:***@', "an inspector's live sources say why the camera is down, without its password");
  const alerts = answers.find((a) => a.who === 'invigilator' && a.url === '/api/proctor/alerts?room=R1')!.body;
  t.match(alerts, 'camera_down', 'the invigilator has the alert');
  t.match(alerts, 'cam:***@', '…with the redacted reason');
  const upstream = answers.find((a) => a.who === 'admin' && a.url === '/api/upstream')!.body;
  t.match(upstream, `rtmp://push:***@127.0.0.1:${nobody}/live/***/CAM1?token=***`, 'the RTMP push: password, key and token hidden; host, app and camera shown');
  t.match(upstream, `rtsp://127.0.0.1:${nobody}/push/***`, 'the RTSP push: its key hidden, host and first segment shown');
  t.notOk(
    answers.some((a) => a.url === '/api/system/status' && a.who === 'admin' && a.body.length < 10),
    'the system status answered',
  );

  for (const m of feed) if (leaks(m).length) t.fail(`a proctor feed message shows ${leaks(m).join(', ')}: ${m.slice(0, 200)}`);
  t.ok(
    feed.some((m) => m.includes('cam:***@')),
    'the feed carries the redacted reason',
  );

  await app.close();
  closed = true;
  const log = lines.join('');
  for (const s of secrets) t.notOk(log.includes(s), `no log line holds ${s === PW ? 'the camera password' : s}`);
  t.match(log, /ffmpeg ended.*|cam:\*\*\*@/, 'ffmpeg’s failures were logged, redacted');
  t.ok(
    lines.some((l) => l.includes('cam:***@127.0.0.1')),
    'a log line names the camera with its password hidden',
  );

  const db = config.paths.data;
  for (const file of ['examroom.sqlite', 'examroom.sqlite-wal', 'examroom.sqlite-shm'].map((f) => join(db, 'db', f)).filter(existsSync)) {
    const bytes = readFileSync(file);
    for (const s of secrets) t.equal(bytes.indexOf(Buffer.from(s)), -1, `${file.split('/').at(-1)} holds no ${s === PW ? 'camera password' : s}`);
  }
  t.ok(existsSync(join(db, 'db', 'examroom.sqlite')), 'the database file was scanned');
});

t.test('the logger hides URL credentials in messages, fields and errors, and censors secret fields', async (t) => {
  const dir = scratchDir(t, 'examroom-redaction-log-');
  const config = testConfig(join(dir, 'data'), `cameras:\n  - { id: CAM9, name: 九, room: R1, url: "http://10.0.0.9/live.flv?passphrase=${SRT_PASS}" }\n`);
  const lines: string[] = [];
  const log = createLogger(config, { destination: { write: (s: string) => void lines.push(s) } });
  log.warn(`pull of rtsp://u:${PW}@h/1 failed`);
  log.warn({ stderr: `[srt] bad passphrase ${SRT_PASS}`, nested: { url: `http://x:${PW}@h` } }, 'source');
  log.error({ err: new Error(`rtmp://a:${PW}@h/app/key: Connection refused`) }, 'push failed');
  log.info({ password: 'plain-secret-1', user: { token: 'tok-secret-2' } }, 'fields');
  const out = lines.join('');
  for (const s of [PW, SRT_PASS, 'plain-secret-1', 'tok-secret-2']) t.notOk(out.includes(s), `no line holds ${s}`);
  t.equal(lines.length, 4, 'every line was written');
  t.match(out, 'rtmp://a:***@h/app/***: Connection refused', "an error's message keeps what it says, password and stream key hidden");
});

t.test('the last net: a reply that holds a URL with a password leaves with it hidden, its length right', async (t) => {
  const f = Fastify();
  installReplyRedaction(f);
  f.get('/forgot', async () => ({ reason: `rtsp://a:${PW}@h/1: refused`, link: 'https://x/verify?sig=abcd1234' }));
  f.get('/sized', async (_req, reply) => {
    const body = `pull rtsp://a:${PW}@h/1`;
    return reply.type('text/plain').header('content-length', Buffer.byteLength(body)).send(body);
  });
  const r = await f.inject({ url: '/forgot' });
  t.notMatch(r.body, PW);
  t.same(r.json(), { reason: 'rtsp://a:***@h/1: refused', link: 'https://x/verify?sig=abcd1234' }, 'only the password: a signed link stays as it is');
  const sized = await f.inject({ url: '/sized' });
  t.equal(sized.body, 'pull rtsp://a:***@h/1');
  t.equal(Number(sized.headers['content-length']), Buffer.byteLength(sized.body), 'the length is of what was sent');
  await f.close();
});
