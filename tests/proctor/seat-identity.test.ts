// A candidate who declined face recognition at the kiosk (issue 23), on the seat side: their snapshots
// are kept but never compared, the terminal says which way they chose, the invigilator confirms them at
// the seat once after log-in and again on an alert of the seat (a to-do until someone clicks, audited),
// and the room log, the person file and the session archive say so. One real app for the whole file;
// the kiosk's consent is written into face_consents directly, as the kiosk would have (it owns the writes).
import t from 'tap';
import type { EventMap } from '../../core/index.ts';
import { coreArchiveParts } from '../../records/archive/core-parts.ts';
import { DECLINED_DETAIL } from '../../terminal/service/snapshots.ts';
import { A, B, Console, Term, logIn, room } from './fixture.ts';
import { until } from '../wait.ts';

const jpeg = (marker: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(marker), Buffer.alloc(64, 7), Buffer.from([0xff, 0xd9])]);

// Snapshots every 60 s (the fixture's clock stands still, so one each per candidate); a terminal gone is
// an alert at once, so the alert rule needs no waiting.
const r = await room(t, { extraYaml: 'exam: { reconnectGraceSeconds: 0, snapshotIntervalSeconds: 60 }\n' });
const db = r.app.ctx.db;
// Log-ins made at the fixture's T0 have expired on exam day: a fresh one.
const invig = await r.as('invig');
const consent = (idNumber: string, decision: 'accepted' | 'declined', at: number) =>
  db
    .prepare(
      `INSERT INTO face_consents (id_number, session_id, decision, notice_version, notice_sha256, notice_lang, device_id, decided_at)
       VALUES (?, ?, ?, '2026-1', ?, 'zh-CN', 'K1', ?)`,
    )
    .run(idNumber, r.sessionId, decision, 'a'.repeat(64), at);
// A changed their mind at the kiosk: accepted, then declined — the newest row is the one in force.
consent(A, 'accepted', r.clock.now() - 120_000);
consent(A, 'declined', r.clock.now() - 60_000);
consent(B, 'accepted', r.clock.now() - 60_000);
const checks = () => r.app.proctor.seatChecks.openBySession(r.sessionId);
const rows = () => db.prepare('SELECT * FROM seat_identity_confirmations ORDER BY due_at, rowid').all() as Record<string, unknown>[];
const seatOf = async (seat: string) => {
  const res = await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: invig } });
  return (res.json() as { seats: { seat: string; faceDeclined: boolean; identityCheck: { id: string; reason: string; alerts: number } | null }[] }).seats.find(
    (s) => s.seat === seat,
  )!;
};

t.test('the terminal tells each candidate at log-in what they chose at the kiosk', async (outer) => {
  const t = outer;
  const console = await Console.open(t, r.port, invig, 'room=R1');
  await console.take('snapshot');
  let t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  t.equal((await logIn(t1, r.ticket(A), false)).loggedIn.faceConsent, 'declined', 'the newest decision wins');
  t.equal((await logIn(t2, r.ticket(B), false)).loggedIn.faceConsent, 'accepted');

  t.test('a declining candidate’s snapshot is kept and compared with nothing; an accepting one’s goes to the check', async (t) => {
    const checked: EventMap['seat.check'][] = [];
    const shots: EventMap['terminal.snapshot'][] = [];
    const offs = [r.app.ctx.bus.on('seat.check', (p) => checked.push(p)), r.app.ctx.bus.on('terminal.snapshot', (p) => shots.push(p))];
    t.teardown(() => offs.forEach((off) => off()));
    t.equal((await t1.ask({ type: 'snapshot', jpegBase64: jpeg('A').toString('base64') }, 'snapshot_result')).identity, 'unchecked');
    t2.send({ type: 'snapshot', jpegBase64: jpeg('B').toString('base64') });
    await t2.take('snapshot_result', 10_000);
    const stored = db.prepare('SELECT id_number AS idNumber, identity, detail, bytes FROM terminal_snapshots ORDER BY at, id').all() as {
      idNumber: string;
      identity: string;
      detail: string;
      bytes: number;
    }[];
    t.match(
      stored.find((x) => x.idNumber === A),
      { identity: 'unchecked', detail: DECLINED_DETAIL, bytes: jpeg('A').length },
      'A’s snapshot is stored, as evidence',
    );
    t.not(stored.find((x) => x.idNumber === B)?.detail, DECLINED_DETAIL, 'B’s went to the identity check');
    t.notOk(
      checked.some((c) => c.idNumber === A),
      'the identity service never saw A’s snapshot',
    );
    t.ok(
      checked.some((c) => c.idNumber === B),
      'it saw B’s',
    );
    t.equal(shots.find((s) => s.idNumber === A)?.detail, DECLINED_DETAIL);
    t.same(
      r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => ['seat_mismatch', 'no_face', 'several_faces'].includes(a.kind)),
      [],
      'no face alert about anyone',
    );
  });

  t.test('the log-in of a declining candidate opens one seat check; the console shows it on the seat', async (t) => {
    t.same(
      rows().map((x) => [x.id_number, x.reason, x.seat, x.confirmed_at]),
      [[A, 'login', '01', null]],
      'one check, for A at seat 01 only',
    );
    const pushed = await console.take('seat', (m) => m.seat.seat === '01' && m.seat.identityCheck !== null);
    t.match(pushed.seat, { faceDeclined: true, identityCheck: { reason: 'login', alerts: 0, confirmedAt: null } });
    t.match(await seatOf('02'), { faceDeclined: false, identityCheck: null });
    // A reload of the page resumes the attempt at the same seat: nothing new to check.
    await t1.close();
    // Opened on the outer test: it lives on for the next subtest.
    t1 = await Term.open(outer, r.port, r.tokens.T1);
    await t1.take('logged_in');
    t.equal(rows().length, 1, 'a reconnect at the same seat asks nothing again');
  });

  t.test('an alert of the seat while the check is due counts on it; confirming is one audited click', async (t) => {
    const term = t1;
    // The reload before was an alert too (the grace is 0 here): terminal_offline, then this one.
    await term.ask({ type: 'integrity', kind: 'focus_lost', detail: 'away 4 s' }, 'noted');
    t.equal(rows().length, 1, 'still one to-do for the person');
    t.equal(checks().get(A)?.alerts, 2, 'counting both alerts');
    const id = checks().get(A)!.id;

    const stranger = await r.app.inject({
      method: 'POST',
      url: `/api/proctor/seat-checks/${id}/confirm`,
      headers: { cookie: await r.as('invig2') },
      payload: {},
    });
    t.equal(stranger.statusCode, 403, 'an invigilator of another room may not confirm it');
    t.equal(checks().get(A)?.confirmedAt, null, 'and nothing changed');
    const long = await r.app.inject({
      method: 'POST',
      url: `/api/proctor/seat-checks/${id}/confirm`,
      headers: { cookie: invig },
      payload: { note: 'x'.repeat(501) },
    });
    t.equal(long.statusCode, 400, 'a note over 500 characters is refused');
    t.equal(checks().get(A)?.confirmedAt, null, 'and changes nothing');

    const ok = await r.app.inject({ method: 'POST', url: `/api/proctor/seat-checks/${id}/confirm`, headers: { cookie: invig }, payload: {} });
    t.equal(ok.statusCode, 200, ok.body);
    t.match(ok.json(), { id, reason: 'login', confirmedBy: 'user:invig', confirmedAt: r.clock.now(), note: null });
    t.equal(checks().size, 0, 'the to-do is gone');
    const audit = db.prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'proctor.seat_identity.confirm'").all() as {
      actor: string;
      target: string;
      detail: string;
    }[];
    t.equal(audit.length, 1);
    t.match(audit[0], { actor: 'user:invig', target: r.sessionId });
    t.match(JSON.parse(audit[0]!.detail), { check: id, idNumber: A, seat: '01', reason: 'login', alerts: 2 });
    const pushed = await console.take('seat', (m) => m.seat.seat === '01' && m.seat.identityCheck === null);
    t.equal(pushed.seat.faceDeclined, true, 'the seat still says staff check this candidate');

    const twice = await r.app.inject({ method: 'POST', url: `/api/proctor/seat-checks/${id}/confirm`, headers: { cookie: invig }, payload: {} });
    t.equal(twice.statusCode, 409);
    t.match(twice.json(), { error: 'already_confirmed', message: /already confirmed by user:invig/ });

    // The next alert of that seat asks again: here the terminal going away once more, which folds
    // into the earlier offline alert (a repeat) rather than making a new row — it asks all the same.
    await term.close();
    const next = await until('the new check', () => checks().get(A));
    const offline = r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'terminal_offline' && a.idNumber === A)!;
    t.match(offline, { repeats: 2, clearedAt: null }, 'the same offline alert, counted up and open again');
    t.match(next, { reason: 'alert', alertId: offline.id, seat: '01', alerts: 0 }, 'a new check, due because of that alert');
    t.match(await seatOf('01'), { identityCheck: { reason: 'alert' } });
  });

  t.test('alerts of an accepting candidate’s seat ask for nothing', async (t) => {
    await t2.ask({ type: 'integrity', kind: 'focus_lost' }, 'noted');
    t.ok(r.app.proctor.alerts.list({ rooms: ['R1'] }).some((a) => a.kind === 'integrity' && a.idNumber === B));
    t.notOk(
      rows().some((x) => x.id_number === B),
      'no check for B',
    );
  });
});

t.test('the room log, the person file and the session archive record the refusal and the checks', async (t) => {
  const admin = await r.as('admin');
  const log = await r.app.inject({ method: 'GET', url: `/api/records/sessions/${r.sessionId}/room-log`, headers: { cookie: admin } });
  t.equal(log.statusCode, 200, log.body);
  const l = log.json().log;
  t.same(
    l.faceDeclined.map((d: { name: string; seat: string }) => [d.name, d.seat]),
    [['甲', '01']],
    'A declined; B, who accepted, is not listed',
  );
  t.same(
    l.seatConfirmations.map((c: { reason: string; seat: string; by: string | null; alerts: number }) => [c.reason, c.seat, c.by !== null, c.alerts]),
    [
      ['login', '01', true, 2],
      ['alert', '01', false, 1],
    ],
    'the confirmed check after log-in and the one still due after the alert',
  );
  const pdf = await r.app.inject({ method: 'GET', url: `/api/records/sessions/${r.sessionId}/room-log.pdf`, headers: { cookie: admin } });
  t.equal(pdf.statusCode, 200, 'the printed log renders with the new section');

  const file = await r.app.inject({ method: 'GET', url: `/api/records/people/${A}`, headers: { cookie: admin } });
  t.equal(file.statusCode, 200, file.body);
  t.match(file.json().faceConsents, [{ sessionId: r.sessionId, decision: 'declined', noticeVersion: '2026-1' }]);
  t.equal(file.json().seatConfirmations.length, 2);
  t.match(file.json().seatConfirmations[0], { reason: 'login', confirmedBy: 'user:invig' });
  const filePdf = await r.app.inject({ method: 'GET', url: `/api/records/people/${A}/file.pdf`, headers: { cookie: admin } });
  t.equal(filePdf.statusCode, 200, 'the person file PDF renders with the new section');

  const members = new Map<string, unknown>();
  for (const part of coreArchiveParts({ ...r.app.ctx, exam: r.app.exam } as never))
    if (part.id === 'sign-in' || part.id === 'incidents')
      for await (const m of part.members({ sessionId: r.sessionId, withMedia: false, now: r.clock.now() }))
        if (m.path.endsWith('.json')) members.set(m.path, JSON.parse(String((m.source as Buffer).toString('utf8'))));
  t.match(members.get('sign-in/face-consents.json'), [
    { idNumber: A, decision: 'declined' },
    { idNumber: B, decision: 'accepted' },
  ]);
  t.match(members.get('incidents/seat-confirmations.json'), [
    { idNumber: A, reason: 'login', confirmedBy: 'user:invig' },
    { idNumber: A, reason: 'alert', confirmedBy: null },
  ]);
});

t.test('a repeat of an alert still open asks for one seat check, not one per repeat', async (t) => {
  // The check the terminal's last departure opened (the test before) is done first.
  const due = checks().get(A)!;
  t.equal((await r.app.inject({ method: 'POST', url: `/api/proctor/seat-checks/${due.id}/confirm`, headers: { cookie: invig }, payload: {} })).statusCode, 200);
  const term = await Term.open(t, r.port, r.tokens.T1);
  await term.take('logged_in');
  const before = rows().length;
  // Focus lost again and again: the integrity alert of A's seat, open since the first one, counts up.
  for (let i = 0; i < 4; i++) await term.ask({ type: 'integrity', kind: 'focus_lost', detail: `away ${i} s` }, 'noted');
  const integrity = r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'integrity' && a.idNumber === A)!;
  t.ok(integrity.repeats >= 4, `one alert, repeated (${integrity.repeats})`);
  t.equal(rows().length, before, 'no new check: that alert was already asked about');
  t.equal(checks().size, 0, 'nothing due on the console');
});

t.test('not the person: an incident, the paper locked and paused, a critical alert, each audited; then nothing more asks', async (t) => {
  // The terminal goes away and comes back: a new occurrence of its offline alert asks again.
  const gone = await Term.open(t, r.port, r.tokens.T1);
  await gone.take('logged_in');
  await gone.close();
  const check = await until('a check due again', () => checks().get(A));
  const term = await Term.open(t, r.port, r.tokens.T1);
  await term.take('logged_in');
  const url = `/api/proctor/seat-checks/${check.id}/not-the-person`;
  const auditCount = () => (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const invig2 = await r.as('invig2');
  // The resumed log-in tells the terminal it is not locked: taken first, so the next lock is the command's.
  t.match(await term.take('lock'), { locked: false });
  const n0 = auditCount();

  const blank = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { note: '   ' } });
  t.equal(blank.statusCode, 400, 'a note that says nothing is refused');
  t.match(blank.json(), { problems: [{ path: 'note' }] });
  const stranger = await r.app.inject({ method: 'POST', url, headers: { cookie: invig2 }, payload: { note: '照片与本人不符' } });
  t.equal(stranger.statusCode, 403, 'an invigilator of another room may not decide it');
  t.equal(checks().get(A)?.id, check.id, 'the check is still due');
  t.equal(auditCount(), n0, 'and nothing was recorded');

  const locked = term.take('lock');
  const res = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { note: '身份证照片与座位上的人明显不符，本人不在场' } });
  t.equal(res.statusCode, 200, res.body);
  const reply = res.json();
  t.match(reply, { locked: true, paused: true, check: { id: check.id, outcome: 'not_the_person', confirmedBy: 'user:invig', incidentId: reply.incidentId } });
  t.match(await locked, { locked: true, reason: /非本人/ }, 'the candidate’s screen is locked at once');
  const incident = r.app.proctor.incidents.get(reply.incidentId);
  t.match(incident, { sessionId: r.sessionId, idNumber: A, seat: '01', category: 'impersonation', note: '身份证照片与座位上的人明显不符，本人不在场' });
  t.same(
    (db.prepare('SELECT action FROM audit_log WHERE seq > ? ORDER BY seq').all(n0) as { action: string }[]).map((x) => x.action),
    ['proctor.incident.record', 'proctor.seat_identity.not_the_person', 'terminal.lock', 'terminal.pause'],
    'the incident, the outcome, the lock and the pause, each audited',
  );
  const alert = r.app.proctor.alerts.get(reply.alertId);
  t.match(alert, { kind: 'seat_not_the_person', severity: 'critical', seat: '01', idNumber: A, acknowledged: null });
  t.match(alert.text.zh, /不是本人.*请立即通知主考/);
  t.match(await seatOf('01'), { identityCheck: null });
  const seat = (await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: invig } }))
    .json()
    .seats.find((s: { seat: string }) => s.seat === '01');
  t.match(seat, { locked: true, paused: true });

  const twice = await r.app.inject({ method: 'POST', url: `/api/proctor/seat-checks/${check.id}/confirm`, headers: { cookie: invig }, payload: {} });
  t.equal(twice.statusCode, 409, 'a decided check cannot be confirmed after all');
  t.match(twice.json(), { message: /not the person/ });

  const before = rows().length;
  await term.close();
  await until('the offline alert', () =>
    r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'terminal_offline' && a.idNumber === A && !a.clearedAt),
  );
  t.equal(rows().length, before, 'a later alert of the seat opens no check: the chief examiner decides now');
});

t.test('the room log, the person file and the archive say the person was not the candidate', async (t) => {
  const admin = await r.as('admin');
  const l = (await r.app.inject({ method: 'GET', url: `/api/records/sessions/${r.sessionId}/room-log`, headers: { cookie: admin } })).json().log;
  t.match(l.seatConfirmations.at(-1), { seat: '01', outcome: 'not_the_person', note: '身份证照片与座位上的人明显不符，本人不在场' });
  t.ok(
    l.incidents.some((i: { category: string }) => i.category === 'impersonation'),
    'the incident is on the log',
  );
  const pdf = await r.app.inject({ method: 'GET', url: `/api/records/sessions/${r.sessionId}/room-log.pdf`, headers: { cookie: admin } });
  t.equal(pdf.statusCode, 200);
  const file = (await r.app.inject({ method: 'GET', url: `/api/records/people/${A}`, headers: { cookie: admin } })).json();
  t.match(file.seatConfirmations.at(-1), { outcome: 'not_the_person', confirmedBy: 'user:invig' });
  t.ok(
    file.incidents.some((i: { category: string }) => i.category === 'impersonation'),
    'and in the person file',
  );
  for (const part of coreArchiveParts({ ...r.app.ctx, exam: r.app.exam } as never))
    if (part.id === 'incidents')
      for await (const m of part.members({ sessionId: r.sessionId, withMedia: false, now: r.clock.now() }))
        if (m.path === 'incidents/seat-confirmations.json') {
          const list = JSON.parse(String((m.source as Buffer).toString('utf8'))) as { outcome: string | null; incidentId: string | null }[];
          t.match(list.at(-1), { outcome: 'not_the_person', incidentId: String });
        }
});
