// The room view, incidents (违纪), the session summary and the console's own commands (re-seat,
// session control), each driven through the real terminal gateway and exam plans.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { A, B, C, Term, logIn, room } from './fixture.ts';

t.test('the room view shows each seat’s live state, candidate, progress and time', async (t) => {
  const r = await room(t, { start: true });
  const invig = await r.as('invig');
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack');
  await t1.ask({ type: 'save', seq: 2, no: 2, choice: [1] }, 'ack');
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t2, r.ticket(B), true);
  const lock = await r.app.inject({
    method: 'POST',
    url: `/api/terminal/sessions/${r.sessionId}/candidates/${r.ticket(B)}/lock`,
    headers: { cookie: invig },
    payload: { reason: '核对身份' },
  });
  t.equal(lock.statusCode, 200, lock.body);

  const res = await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: invig } });
  t.equal(res.statusCode, 200, res.body);
  const v = res.json();
  t.match(v.room, { id: 'R1', name: '一号考场', rows: 2, columns: 3 });
  t.match(v.session, { id: r.sessionId, status: 'in_progress', roomPaused: false });
  t.equal(v.seats.length, 6);
  const [s1, s2, s3, s4] = v.seats;
  t.match(s1, {
    seat: '01',
    row: 1,
    column: 1,
    state: 'answering',
    answered: 2,
    questions: 10,
    terminal: { id: 'T1', online: true },
    candidate: { name: '甲', ticketNo: r.ticket(A) },
  });
  t.ok(s1.remainingMs > 0 && s1.deadline > r.clock.now(), 'answering seats carry remaining time and the deadline');
  t.equal(s1.candidate.idNumber, '440106********0015'.replace('0015', A.slice(-4)), 'ID numbers are masked for invigilators');
  t.match(s2, { seat: '02', state: 'locked', locked: true, answered: 0 });
  t.match(s3, { seat: '03', state: 'assigned', terminal: null, candidate: { name: '丙' } });
  t.match(s4, { seat: '04', row: 2, column: 1, state: 'empty', candidate: null });

  // Force-submitting A makes seat 01 submitted, with the score once graded.
  const sub = await r.app.inject({
    method: 'POST',
    url: `/api/terminal/sessions/${r.sessionId}/candidates/${r.ticket(A)}/submit`,
    headers: { cookie: invig },
    payload: { reason: '身体不适，提前交卷' },
  });
  t.equal(sub.statusCode, 200, sub.body);
  const after = (await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: invig } })).json();
  t.match(after.seats[0], { state: 'submitted', submittedBy: 'invigilator', remainingMs: null });
  t.type(after.seats[0].score, 'number');

  const admin = await r.as('admin');
  const full = (await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: admin } })).json();
  t.equal(full.seats[0].candidate.idNumber, A, 'admins see whole ID numbers');

  const other = await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: await r.as('invig2') } });
  t.equal(other.statusCode, 403, 'another room’s invigilator sees nothing of R1');
  const rooms = (await r.app.inject({ method: 'GET', url: '/api/proctor/rooms', headers: { cookie: invig } })).json();
  t.same(
    rooms.map((x: { id: string }) => x.id),
    ['R1'],
    'an invigilator’s room list is their rooms',
  );
});

t.test('a terminal that dropped shows its seat offline since when it dropped', async (t) => {
  const r = await room(t, { start: true });
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const dropped = r.clock.now();
  await t1.close();
  const v = r.app.proctor.rooms.view('R1', { masked: true });
  t.match(v.seats[0], { state: 'offline', offlineSince: dropped, terminal: { id: 'T1', online: false } });
});

t.test('roster photos are served only to who watches the room', async (t) => {
  const r = await room(t);
  mkdirSync(join(r.dir, 'captures', 'roster'), { recursive: true });
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
  writeFileSync(join(r.app.ctx.paths.captures, 'roster', 'a.jpg'), jpeg);
  r.app.ctx.db.prepare("UPDATE roster_entries SET photo = 'roster/a.jpg' WHERE session_id = ? AND id_number = ?").run(r.sessionId, A);
  const invig = await r.as('invig');
  const v = (await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: invig } })).json();
  const url = v.seats[0].candidate.photoUrl;
  t.equal(url, `/api/proctor/sessions/${r.sessionId}/photos/${r.ticket(A)}`);
  t.equal(v.seats[1].candidate.photoUrl, null, 'no photo, no URL');
  const ok = await r.app.inject({ method: 'GET', url, headers: { cookie: invig } });
  t.equal(ok.statusCode, 200);
  t.equal(ok.headers['content-type'], 'image/jpeg');
  t.same(ok.rawPayload, jpeg);
  const no = await r.app.inject({ method: 'GET', url, headers: { cookie: await r.as('invig2') } });
  t.equal(no.statusCode, 403);
});

t.test('incidents: a fixed category list, a note, audited, listed per session beside integrity incidents', async (t) => {
  const r = await room(t, { start: true });
  const invig = await r.as('invig');
  const cats = (await r.app.inject({ method: 'GET', url: '/api/proctor/incident-categories', headers: { cookie: invig } })).json();
  t.same(
    cats.map((c: { zh: string }) => c.zh),
    ['替考', '夹带', '交谈', '抄袭', '使用通讯工具', '擅自离座', '其他'],
  );
  const url = `/api/proctor/sessions/${r.sessionId}/incidents`;

  const bad = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { category: 'sleeping', note: '睡觉', seat: '99' } });
  t.equal(bad.statusCode, 400);
  t.same(
    bad.json().problems.map((p: { path: string }) => p.path),
    ['category', 'seat'],
    'every problem is named',
  );
  const unknown = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { category: 'other', note: 'x', candidate: 'NOBODY' } });
  t.equal(unknown.statusCode, 404);
  const forbidden = await r.app.inject({ method: 'POST', url, headers: { cookie: await r.as('invig2') }, payload: { category: 'other', note: 'x' } });
  t.equal(forbidden.statusCode, 403);
  t.equal(r.app.proctor.incidents.list(r.sessionId).length, 0, 'refused records change nothing');

  const one = await r.app.inject({
    method: 'POST',
    url,
    headers: { cookie: invig },
    payload: { category: 'communication_device', note: '手机藏于袖中', candidate: r.ticket(A) },
  });
  t.equal(one.statusCode, 201, one.body);
  t.match(one.json(), {
    category: 'communication_device',
    categoryText: { zh: '使用通讯工具', en: 'Using a communication device' },
    seat: '01',
    recordedBy: 'user:invig',
    candidate: { name: '甲', ticketNo: r.ticket(A) },
  });
  const bySeat = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { category: 'talking', note: '交头接耳', seat: '03' } });
  t.match(bySeat.json(), { seat: '03', candidate: { name: '丙' } }, 'a seat names whoever sits there');

  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  await t1.ask({ type: 'integrity', kind: 'fullscreen_left' }, 'noted');

  const list = (await r.app.inject({ method: 'GET', url, headers: { cookie: invig } })).json();
  t.same(
    list.incidents.map((i: { category: string }) => i.category),
    ['communication_device', 'talking'],
  );
  t.same(
    list.integrity.map((i: { kind: string }) => i.kind),
    ['fullscreen_left'],
    'the terminal’s integrity incidents are listed apart',
  );
  const audit = r.app.ctx.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'proctor.incident.record'").all() as {
    actor: string;
    detail: string;
  }[];
  t.equal(audit.length, 2);
  t.match(JSON.parse(audit[0]!.detail), { category: 'communication_device', seat: '01', note: '手机藏于袖中' });
  const seat = r.app.proctor.rooms.view('R1', { masked: true }).seats[0]!;
  t.equal(seat.incidents, 2, 'the seat counts both kinds');
});

t.test('the session summary counts roster, present, absent, logged in, submitted, incidents and alerts', async (t) => {
  // No reconnect grace: B's terminal closing is an alert at once.
  const r = await room(t, { start: true, admit: [A, B], extraYaml: 'exam: { reconnectGraceSeconds: 0 }\n' });
  const invig = await r.as('invig');
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  t1.send({ type: 'submit', confirm: true });
  await t1.take('submitted');
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t2, r.ticket(B), true);
  await t2.close();
  await r.app.inject({
    method: 'POST',
    url: `/api/proctor/sessions/${r.sessionId}/incidents`,
    headers: { cookie: invig },
    payload: { category: 'other', note: '迟到', candidate: r.ticket(B) },
  });
  const res = await r.app.inject({ method: 'GET', url: `/api/proctor/sessions/${r.sessionId}/summary`, headers: { cookie: invig } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), {
    sessionId: r.sessionId,
    roomId: 'R1',
    status: 'in_progress',
    roster: 3,
    admitted: 2,
    absent: 0,
    notArrived: 1,
    loggedIn: 2,
    submitted: 1,
    graded: 1,
    incidents: 1,
    alerts: 1,
    openAlerts: 1,
  });
  t.equal(res.json().passed + res.json().failed, 1);
  const other = await r.app.inject({ method: 'GET', url: `/api/proctor/sessions/${r.sessionId}/summary`, headers: { cookie: await r.as('invig2') } });
  t.equal(other.statusCode, 403);
});

t.test('the console re-seats a candidate and moves the session on; both audited by exam plans', async (t) => {
  const r = await room(t);
  const invig = await r.as('invig');
  const base = `/api/proctor/sessions/${r.sessionId}`;
  const taken = await r.app.inject({
    method: 'POST',
    url: `${base}/candidates/${r.ticket(C)}/reseat`,
    headers: { cookie: invig },
    payload: { seat: '01', reason: '换座' },
  });
  t.equal(taken.statusCode, 409, 'an occupied seat is refused');
  const moved = await r.app.inject({
    method: 'POST',
    url: `${base}/candidates/${r.ticket(C)}/reseat`,
    headers: { cookie: invig },
    payload: { seat: '05', reason: '原座位桌椅损坏' },
  });
  t.equal(moved.statusCode, 200, moved.body);
  t.match(moved.json(), { seat: '05', name: '丙' });
  t.equal(r.app.proctor.rooms.view('R1', { masked: true }).seats[4]!.candidate?.name, '丙');
  const no = await r.app.inject({
    method: 'POST',
    url: `${base}/candidates/${r.ticket(C)}/reseat`,
    headers: { cookie: await r.as('invig2') },
    payload: { seat: '06', reason: 'x' },
  });
  t.equal(no.statusCode, 403);

  const start = await r.app.inject({ method: 'POST', url: `${base}/status`, headers: { cookie: invig }, payload: { status: 'in_progress' } });
  t.equal(start.statusCode, 200, start.body);
  t.equal(start.json().status, 'in_progress');
  const bad = await r.app.inject({ method: 'POST', url: `${base}/status`, headers: { cookie: invig }, payload: { status: 'archived' } });
  t.equal(bad.statusCode, 400, 'the console may only open check-in, start and end');
  const actions = (r.app.ctx.db.prepare("SELECT action FROM audit_log WHERE actor = 'user:invig' ORDER BY seq").all() as { action: string }[]).map(
    (x) => x.action,
  );
  t.ok(
    actions.some((a) => /seat/.test(a)),
    `re-seat audited (${actions.join(', ')})`,
  );
  t.ok(
    actions.some((a) => /session/.test(a)),
    'status change audited',
  );
});

t.test('when the exam ends, who never started is absent on the seat map and in the counts, at once and audited', async (t) => {
  const r = await room(t, { start: true, admit: [A, B] });
  const invig = await r.as('invig');
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  const base = `/api/proctor/sessions/${r.sessionId}`;
  const before = (await r.app.inject({ method: 'GET', url: `${base}/summary`, headers: { cookie: invig } })).json();
  t.match(before, { admitted: 2, absent: 0, notArrived: 1 }, 'B is admitted (at the door, never at a PC) while the exam runs');
  const end = await r.app.inject({ method: 'POST', url: `${base}/status`, headers: { cookie: invig }, payload: { status: 'ended' } });
  t.equal(end.statusCode, 200, end.body);
  const after = (await r.app.inject({ method: 'GET', url: `${base}/summary`, headers: { cookie: invig } })).json();
  t.match(after, { status: 'ended', admitted: 1, absent: 2, notArrived: 0 }, '实到 1 (A), 缺考 2 (B never started, C never came)');
  const seats = r.app.proctor.rooms.view('R1', { sessionId: r.sessionId, masked: true }).seats;
  t.equal(seats.find((s) => s.seat === '02')?.state, 'absent', 'seat 02 (B) shows absent');
  t.equal(seats.find((s) => s.seat === '03')?.state, 'absent', 'seat 03 (C) shows absent');
  t.not(seats.find((s) => s.seat === '01')?.state, 'absent', 'A, who sat the exam, is not');
  const audit = r.app.ctx.db.prepare("SELECT detail FROM audit_log WHERE action = 'exam.session.status' ORDER BY seq DESC LIMIT 1").get() as { detail: string };
  t.match(
    JSON.parse(audit.detail),
    { from: 'in_progress', to: 'ended', absent: 2, admittedNeverStarted: [r.ticket(B)] },
    'the end names who was admitted but never started',
  );
});
