// The kiosk's ID lookup: one test per refusal the candidate can be given, and the accepted lookup.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { PASSWORDS, ROOT } from '../helpers.ts';
import { wrongCheck } from '../exam/plans-fixture.ts';
import { P, START, face, kioskSite } from './fixture.ts';

t.test('a kiosk call without the kiosk device is refused', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const anon = await k.app.inject({ method: 'POST', url: '/api/kiosk/lookup', payload: { source: 'typed', idNumber: P.toledo } });
  t.equal(anon.statusCode, 401);
  const staff = await k.app.inject({
    method: 'POST',
    url: '/api/kiosk/lookup',
    headers: { cookie: await k.as('admin') },
    payload: { source: 'typed', idNumber: P.toledo },
  });
  t.equal(staff.statusCode, 403);
});

t.test('the idle screen lists the sessions of the rooms this kiosk serves with their counts', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.get('/api/kiosk/state');
  t.equal(r.status, 200);
  t.equal(r.body.kiosk.id, 'K1');
  t.same(
    r.body.sessions.map((s: { id: string; roomId: string; admitted: number; total: number; startsAtLocal: string }) => [
      s.id,
      s.roomId,
      s.admitted,
      s.total,
      s.startsAtLocal,
    ]),
    [[k.sessionId, 'R1', 0, 3, '2026-03-10 09:00']],
    'R2 (another entrance) and the afternoon session (not open) are not listed',
  );
});

t.test('accepted: the roster match, a new attempt, the photo and the challenge', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ` ${P.toledo.toLowerCase()} ` });
  t.equal(r.status, 200);
  t.equal(r.body.ok, true);
  t.equal(r.body.candidate.name, '托莱多');
  t.equal(r.body.candidate.idNumberMasked, `${P.toledo.slice(0, 6)}********${P.toledo.slice(-4)}`);
  t.equal(r.body.session.id, k.sessionId);
  t.equal(r.body.session.roomId, 'R1');
  t.match(r.body.seat, /^0[1-6]$/);
  t.ok(['turn_left', 'turn_right'].includes(r.body.challenge));
  const photo = await k.get(r.body.candidate.photoUrl);
  t.equal(photo.status, 200);
  t.equal(photo.type, 'image/jpeg');
  t.ok(photo.raw.equals(face('Alejandro_Toledo_0023.jpg')), 'the roster photo as imported');
});

t.test('refused: a mistyped ID number (check digit)', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: wrongCheck(P.toledo) });
  t.equal(r.body.ok, false);
  t.equal(r.body.reason, 'bad_id_number');
  t.match(r.body.detail, /check digit/);
  const short = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: '4401061985' });
  t.equal(short.body.reason, 'bad_id_number');
  t.match(short.body.detail, /18 characters/);
});

t.test('refused: not on any roster of this site', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.nobody });
  t.equal(r.body.reason, 'not_on_roster');
  t.equal(r.body.candidate, null);
  const audit = k.app.ctx.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'kiosk.lookup.refused'").all() as { actor: string; detail: string }[];
  t.equal(audit.length, 1);
  t.equal(audit[0]!.actor, 'device:K1');
  t.notMatch(audit[0]!.detail, P.nobody, 'the audit entry holds the masked number only');
});

t.test('refused: wrong day, naming the day of the exam', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.otherDay });
  t.equal(r.body.reason, 'wrong_day');
  t.match(r.body.detail, /2026-03-12 09:00/);
  t.match(r.body.message, /2026-03-12 09:00/);
  t.equal(r.body.candidate.name, '后天考');
});

t.test('refused: wrong entrance of the site, naming the room and the kiosk to go to', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.otherRoom });
  t.equal(r.body.reason, 'wrong_site');
  t.match(r.body.detail, /room R2/);
  t.match(r.body.message, /二号入口/);
});

t.test('refused: check-in of today’s session not open yet', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.later });
  t.equal(r.body.reason, 'checkin_not_open');
  t.equal(r.body.session.id, k.laterId);
  t.match(r.body.message, /14:00/);
});

t.test('refused: already admitted, saying when and at which seat', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  k.clock.set(START - 20 * 60_000);
  const e = k.app.terminal.admitCandidate(k.sessionId, P.nophoto, 'user:invig');
  k.clock.set(START - 10 * 60_000);
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.nophoto });
  t.equal(r.body.reason, 'already_admitted');
  t.equal(r.body.seat, e.seat);
  t.equal(r.body.admittedAt, new Date(START - 20 * 60_000).toISOString());
  t.match(r.body.message, /08:40/);
});

t.test('refused: check-in closed once the session has ended', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  k.clock.set(START);
  k.app.exam.plans.advanceSession(k.sessionId, 'in_progress', 'user:admin');
  k.clock.set(START + 60 * 60_000);
  k.app.exam.plans.advanceSession(k.sessionId, 'ended', 'user:admin');
  const r = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  t.equal(r.body.reason, 'checkin_closed');
});

t.test('card reader: the card is announced, looked up by its id, and an expired card is refused', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const card = await k.post('/api/kiosk/card', { idNumber: P.toledo, name: '托莱多', issuer: '广州市公安局天河分局', validUntil: '2030-01-01' });
  t.equal(card.status, 202);
  const r = await k.post('/api/kiosk/lookup', { source: 'card', cardId: card.body.cardId });
  t.equal(r.body.ok, true);
  t.equal(r.body.candidate.cardPhoto, false);
  const expired = await k.post('/api/kiosk/card', { idNumber: P.abizaid, name: '阿比扎伊德', validUntil: '2026-03-01' });
  const r2 = await k.post('/api/kiosk/lookup', { source: 'card', cardId: expired.body.cardId });
  t.equal(r2.body.reason, 'card_expired');
  const r3 = await k.post('/api/kiosk/lookup', { source: 'card', cardId: 'c_unknown' });
  t.equal(r3.body.reason, 'unknown_card');
  const bad = await k.post('/api/kiosk/card', { idNumber: P.toledo, name: 'x', validUntil: '2030-02-30' });
  t.equal(bad.status, 400);
  t.equal(bad.body.problems[0].path, 'body.validUntil');
});

t.test('card reader: the kiosk app hears of a card over server-sent events', async (t) => {
  const k = await kioskSite(t, { listen: true, enrolOnImport: false });
  const port = (k.app.server.address() as { port: number }).port;
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const res = await fetch(`http://127.0.0.1:${port}/api/kiosk/events`, {
    headers: { cookie: `examroom_device=${k.token}`, accept: 'text/event-stream' },
    signal: ac.signal,
  });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const readUntil = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  };
  await readUntil(/event: hello/);
  const card = await k.post('/api/kiosk/card', { idNumber: P.toledo, name: '托莱多' });
  await readUntil(/event: card\ndata: .*\n\n/);
  const data = JSON.parse(/event: card\ndata: (.*)\n/.exec(text)![1]!);
  t.equal(data.cardId, card.body.cardId);
  t.equal(data.name, '托莱多');
  t.notOk(JSON.stringify(data).includes(P.toledo), 'the full number is not broadcast');
  ac.abort();
});

t.test('the simulated reader driver posts a card as the kiosk (token) or as an admin for a named kiosk (audited)', async (t) => {
  const k = await kioskSite(t, { listen: true, enrolOnImport: false });
  const url = `http://127.0.0.1:${(k.app.server.address() as { port: number }).port}`;
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk', 'reader-sim.ts'), '--url', url, ...args], { cwd: ROOT });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });
  const byToken = await run([
    // One argument: a device token is base64url and may begin with '-', which parseArgs would take for an option.
    `--token=${k.token}`,
    '--id',
    P.toledo,
    '--name',
    '托莱多',
    '--photo',
    join(ROOT, 'tests/fixtures/faces/Alejandro_Toledo_0021.jpg'),
  ]);
  t.equal(byToken.code, 0, byToken.out);
  const cardId = /card (c_\S+) sent/.exec(byToken.out)![1]!;
  const r = await k.post('/api/kiosk/lookup', { source: 'card', cardId });
  t.equal(r.body.ok, true);
  t.equal(r.body.candidate.cardPhoto, true, 'the card photo becomes a second reference');
  const byAdmin = await run(['--kiosk', 'K1', '--user', 'admin', '--password', PASSWORDS.admin, '--id', P.abizaid, '--name', '阿比扎伊德']);
  t.equal(byAdmin.code, 0, byAdmin.out);
  const simulated = k.app.ctx.db.prepare("SELECT actor, target FROM audit_log WHERE action = 'kiosk.card.simulated'").all();
  t.same(simulated, [{ actor: 'user:admin', target: 'K1' }]);
  const wrong = await run(['--token', 'not-a-token', '--id', P.toledo, '--name', 'x']);
  t.equal(wrong.code, 1);
  t.match(wrong.out, /refused the card \(401\)/);
});
