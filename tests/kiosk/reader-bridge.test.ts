// The reader bridge end to end: a simulated reader on a pseudo-terminal (socat) answering the SAM
// protocol, the bridge's real serial link, pairing and loop, posting to a real appliance on loopback;
// the kiosk's event stream and lookup show what a person at the kiosk would meet. The frames the
// simulated reader sends are the codec's (checked against golden frames in reader-codec.test.ts).
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kioskSite, P } from './fixture.ts';
import { login, PASSWORDS } from '../helpers.ts';
import { pair, createApplianceClient } from '../../kiosk/reader-bridge/appliance.ts';
import { createBridge } from '../../kiosk/reader-bridge/bridge.ts';
import { openSerial } from '../../kiosk/reader-bridge/serial.ts';
import { simulateReader, type SimulatedReader } from '../../kiosk/reader-bridge/sim.ts';
import type { CardIdentity } from '../../kiosk/reader-bridge/card.ts';

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const card = (idNumber: string, name: string, extra: Partial<CardIdentity> = {}): CardIdentity => ({
  name,
  sexCode: '1',
  nationCode: '01',
  birth: idNumber.slice(6, 14),
  address: '广东省广州市天河区测试路1号',
  idNumber,
  issuer: '广州市公安局天河分局',
  validFrom: '20200101',
  validUntil: '20400101',
  ...extra,
});

t.test('the bridge reads cards from a reader on a serial line and posts them as its kiosk', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false, listen: true });
  const base = `http://127.0.0.1:${(k.app.server.address() as { port: number }).port}`;
  const admin = await login(k.app, 'admin', PASSWORDS.admin);

  // The kiosk page's event stream, as the kiosk app holds it.
  const events: { event: string; data: any }[] = [];
  const sse = new AbortController();
  t.teardown(() => sse.abort());
  void fetch(`${base}/api/kiosk/events`, { headers: { ...k.headers, accept: 'text/event-stream' }, signal: sse.signal })
    .then(async (res) => {
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    })
    .catch(() => {});
  const cardEvents = () => events.filter((e) => e.event === 'card');
  const readerEvents = () => events.filter((e) => e.event === 'reader').map((e) => e.data);

  // The reader: a pseudo-terminal pair; the bridge opens one end, the simulated module the other.
  const port = join(k.dir, 'reader');
  const simEnd = join(k.dir, 'reader-sim');
  let socat: ChildProcess | null = null;
  let sim: SimulatedReader | null = null;
  const plugIn = async () => {
    socat = spawn('socat', [`pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${simEnd}`], { stdio: 'ignore' });
    await until('socat to make the ports', () => existsSync(port) && existsSync(simEnd));
    sim = simulateReader(simEnd);
  };
  const unplug = async () => {
    sim?.close();
    const s = socat!;
    s.kill('SIGTERM');
    await until('socat to end', () => s.exitCode !== null || s.signalCode !== null);
  };
  t.teardown(async () => {
    if (socat && socat.exitCode === null && socat.signalCode === null) await unplug();
  });
  await plugIn();

  // Pairing: the bridge shows a code, an admin approves it in the console as K1.reader.
  const tokenFile = join(k.dir, 'reader-token.json');
  const said: string[] = [];
  const paired = pair({
    url: base,
    kioskId: 'K1',
    file: tokenFile,
    say: (line) => {
      said.push(line);
      const code = /pairing code (\d{6})/.exec(line)?.[1];
      if (code)
        void k.app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code, deviceId: 'K1.reader' } });
    },
  });
  const creds = await paired;
  t.equal(creds.deviceId, 'K1.reader');
  t.match(said[0], /pairing code \d{6}: approve it in the admin console \(Devices\) as K1\.reader/);

  const log: string[] = [];
  const client = createApplianceClient({ url: base, file: tokenFile, log: (l) => log.push(l) });
  const bridge = createBridge({
    port,
    open: (onFrameError) => openSerial(port, 115200, onFrameError),
    pollMs: 10,
    reopenMs: 100,
    post: (c) => client.postCard(c),
    report: (r) => client.report(r),
    log: (l) => log.push(l),
  });
  client.start();
  const running = bridge.run();
  t.teardown(async () => {
    bridge.stop();
    client.stop();
    await running;
  });

  await t.test('connected: the console shows the reader on its kiosk, the kiosk hears it is ready', async (t) => {
    await until('the reader ready on the kiosk stream', () => readerEvents().some((e) => e.state === 'ready' && e.online));
    const list = (await k.app.inject({ method: 'GET', url: '/api/devices', headers: { cookie: admin } })).json() as any[];
    const k1 = list.find((d) => d.id === 'K1');
    t.match(k1.cardReader, {
      deviceId: 'K1.reader',
      state: 'paired',
      online: true,
      reader: 'ready',
      samId: '05.01-20261206-0000000042-1234567890',
      port,
      photoDecoder: false,
      lastCardAt: null,
    });
    t.match(
      list.find((d) => d.id === 'K1.reader'),
      { kind: 'reader', configured: true, state: 'paired', online: true, health: null },
    );
    t.equal(cardEvents().length, 0, 'no card, no event');
  });

  await t.test('a card is posted once however long it lies on the reader, and again after it was taken away', async (t) => {
    const finds = () => sim!.log.filter((c) => c === '20 01').length;
    sim!.card = card(P.toledo, '托莱多');
    await until('the card event', () => cardEvents().length === 1);
    const first = cardEvents()[0]!.data;
    t.match(first, {
      name: '托莱多',
      idNumberMasked: '440106********0014'.replace('0014', P.toledo.slice(-4)),
      hasPhoto: false,
      validUntil: '2040-01-01',
      photoMissing: 'no_decoder',
    });
    // Held: a hundred more polls (about what a minute makes at the default rate) post nothing more.
    const at = finds();
    await until('100 more polls', () => finds() >= at + 100, 20_000);
    t.equal(cardEvents().length, 1, 'still one card event');
    const lookup = await k.post('/api/kiosk/lookup', { source: 'card', cardId: first.cardId });
    t.match(lookup.body, { ok: true, candidate: { name: '托莱多' } });
    const devices = (await k.app.inject({ method: 'GET', url: '/api/devices', headers: { cookie: admin } })).json() as any[];
    t.equal(devices.find((d) => d.id === 'K1')!.cardReader.lastCardAt, k.clock.now(), 'last card read, on the server clock');
    sim!.card = null;
    const gone = finds();
    await until('the reader to see no card', () => finds() >= gone + 3);
    sim!.card = card(P.toledo, '托莱多');
    await until('a second card event', () => cardEvents().length === 2);
    sim!.card = null;
  });

  await t.test('a checksum error and a short frame cost one read each, logged with their bytes; the card is then posted', async (t) => {
    await until('no card on the reader', () => sim!.log.slice(-1)[0] === '20 01');
    const before = cardEvents().length;
    sim!.faults.push('bad_checksum', 'short_frame');
    sim!.card = card(P.abizaid, '阿比扎伊德');
    await until('the card event after two broken reads', () => cardEvents().length === before + 1, 12_000);
    t.ok(
      log.some((l) =>
        /broken frame from the reader \(checksum: checksum is [0-9a-f]{2}, the bytes add up to [0-9a-f]{2}\): AA AA AA 96 69 05 08 00 00 90/.test(l),
      ),
      'the checksum error is logged with the frame’s bytes',
    );
    t.ok(
      log.some((l) => /the reader sent part of a frame and stopped \(200 bytes: AA AA AA 96 69 05 08/.test(l)),
      'the short frame is logged with its bytes',
    );
    t.equal(cardEvents().at(-1)!.data.name, '阿比扎伊德');
    sim!.card = null;
  });

  await t.test('a read failure (41) is said on the kiosk, and the next read recovers', async (t) => {
    await until('no card on the reader', () => sim!.log.slice(-1)[0] === '20 01');
    const before = cardEvents().length;
    const problemsBefore = readerEvents().filter((e) => e.problem).length;
    sim!.faults.push('read_failed');
    sim!.card = card(P.nophoto, '无照片');
    await until('the problem on the kiosk stream', () => readerEvents().filter((e) => e.problem).length > problemsBefore);
    t.match(
      readerEvents()
        .filter((e) => e.problem)
        .at(-1),
      { problem: 'unreadable_card', detail: /reading the card failed \(status 41: read_failed\)/ },
    );
    await until('the card posted after the failure', () => cardEvents().length === before + 1);
    sim!.card = null;
  });

  await t.test('a foreigners’ permanent residence card is refused by name; nothing is posted', async (t) => {
    await until('no card on the reader', () => sim!.log.slice(-1)[0] === '20 01');
    const before = cardEvents().length;
    sim!.card = card(P.otherRoom, 'FOREIGN', { typeMark: 'I' });
    await until('the problem on the kiosk stream', () => readerEvents().some((e) => e.problem === 'unsupported_card'));
    t.match(
      readerEvents().find((e) => e.problem === 'unsupported_card'),
      { detail: /foreigners' permanent residence ID card \(外国人永久居留身份证\)/ },
    );
    await new Promise((r) => setTimeout(r, 200));
    t.equal(cardEvents().length, before);
    sim!.card = null;
  });

  await t.test('an expired card is posted and refused at the lookup with its reason', async (t) => {
    await until('no card on the reader', () => sim!.log.slice(-1)[0] === '20 01');
    const before = cardEvents().length;
    sim!.card = card(P.otherRoom, '二号考场', { validUntil: '20260301' });
    await until('the card event', () => cardEvents().length === before + 1);
    const lookup = await k.post('/api/kiosk/lookup', { source: 'card', cardId: cardEvents().at(-1)!.data.cardId });
    t.match(lookup.body, { ok: false, reason: 'card_expired', message: '身份证已于 2026-03-01 过期' });
    sim!.card = null;
  });

  await t.test('a reader that is not authorised is said on the kiosk; it recovers when the module answers again', async (t) => {
    sim!.faults.unshift('not_authorised');
    await until('not authorised on the kiosk', () => readerEvents().at(-1)?.state === 'not_authorised');
    t.match(readerEvents().at(-1), { detail: /not authorised \(status 66\)/ });
    sim!.faults.shift();
    await until('ready again', () => readerEvents().at(-1)?.state === 'ready');
  });

  await t.test('unplugged mid-read: the kiosk hears "no reader"; plugged back, reading goes on', async (t) => {
    sim!.faults.push('silence');
    sim!.card = card(P.toledo, '托莱多');
    await until('a read under way', () => sim!.log.slice(-1)[0] === '30 01');
    await unplug();
    await until('no reader on the kiosk stream', () => readerEvents().at(-1)?.state === 'no_reader');
    t.match(readerEvents().at(-1), { online: true, detail: /serial port .*reader/ });
    const before = cardEvents().length;
    await plugIn();
    sim!.card = card(P.toledo, '托莱多');
    await until('ready again', () => readerEvents().at(-1)?.state === 'ready');
    await until('the card posted after the reader came back', () => cardEvents().length === before + 1);
    sim!.card = null;
    t.equal((await k.app.inject({ method: 'GET', url: '/api/audit?action=device.reader_state', headers: { cookie: admin } })).statusCode, 200);
  });

  await t.test('the bridge rotates its own token when the server says it is due', async (t) => {
    const old = readFileSync(tokenFile, 'utf8');
    k.clock.set(k.clock.now() + 8 * 86_400_000);
    t.same(k.app.ctx.devices.tickTokens().includes('K1.reader'), true, 'due, and offered over its device socket');
    await until('a new token on disk', () => readFileSync(tokenFile, 'utf8') !== old);
    t.equal(JSON.parse(readFileSync(tokenFile, 'utf8')).deviceId, 'K1.reader');
    await until(
      'the rotation audited',
      () => k.app.ctx.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'device.token_rotated' AND target = 'K1.reader'").pluck().get() === 1,
    );
    // The new token works: the bridge's next report goes through with it.
    await client.report(null);
    t.ok(log.some((l) => /device token rotated/.test(l)));
    t.notOk(
      log.some((l) => l.includes(JSON.parse(readFileSync(tokenFile, 'utf8')).token)),
      'no token in the log',
    );
  });
});
