// Score reports, the results sheet and the room log (records/reports) on a session taken for real: a
// room of three (A sits and submits at T1, B is let in by a staff override and auto-submitted at the
// end, C never comes), with a room pause, added time, an incident, a camera outage and two seat
// re-check snapshots. The PDFs are read back with poppler (pdftotext, pdfinfo) and rendered to PNG
// with pdftoppm into tests/artifacts/records/ to look at. One app for the whole file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { maskIdNumber } from '../../core/index.ts';
import { DEMO_FACES_DIR } from '../../exam/demo/seed.ts';
import { createTerminalService } from '../../terminal/index.ts';
import type { RoomLogReply, SessionReports } from '../../records/protocol.ts';
import { ROOT } from '../helpers.ts';
import { A, B, C, DURATION_MS, START, rightAnswers, room } from '../terminal/fixture.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/records');
mkdirSync(ARTIFACTS, { recursive: true });

function poppler(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${tool} is not installed (Debian poppler-utils: the test-only list of server/setup.mjs installs it for npm test)`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Writes the PDF and its page pictures (NAME-1.png …) to the artifacts; returns its text and page count. */
function readPdf(name: string, pdf: Buffer): { text: string; pages: number; file: string } {
  const file = join(ARTIFACTS, `${name}.pdf`);
  writeFileSync(file, pdf);
  poppler('pdftoppm', ['-png', '-r', '60', file, join(ARTIFACTS, name)]);
  const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [file]))?.[1]);
  return { text: poppler('pdftotext', ['-layout', file, '-']), pages, file };
}

// A camera in R1 (nothing listens at its address: its ingest fails, which is what an outage is).
const r = await room(t, {
  admit: [A],
  start: false,
  extraYaml: 'cameras:\n  - { id: CAM-R1, name: 一号考场前方, room: R1, url: "rtsp://127.0.0.1:9/none" }\n',
});
const { app, clock, sessionId } = r;
const db = app.ctx.db;
const captures = app.ctx.paths.captures;
const invig = await r.as('invig');
const invig2 = await r.as('invig2');
const admin = await r.as('admin');
const get = (url: string, cookie: string) => app.inject({ method: 'GET', url, headers: { cookie } });
const post = (url: string, cookie: string, payload: unknown = {}) => app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object });
const base = `/api/records/sessions/${sessionId}`;

// Roster photos and the kiosk's decisions: what the entrance kiosk leaves behind (its face engine is
// kiosk/'s and is tested there; here its rows and captures are the input).
mkdirSync(join(captures, 'roster'), { recursive: true });
mkdirSync(join(captures, 'kiosk'), { recursive: true });
copyFileSync(join(DEMO_FACES_DIR, 'Alejandro_Toledo_0023.jpg'), join(captures, 'roster/a.jpg'));
copyFileSync(join(DEMO_FACES_DIR, 'John_Abizaid_0003.jpg'), join(captures, 'roster/b.jpg'));
copyFileSync(join(DEMO_FACES_DIR, 'Heidi_Klum_0004.jpg'), join(captures, 'kiosk/a-live.jpg'));
db.prepare("UPDATE roster_entries SET photo = 'roster/a.jpg' WHERE session_id = ? AND id_number = ?").run(sessionId, A);
db.prepare("UPDATE roster_entries SET photo = 'roster/b.jpg' WHERE session_id = ? AND id_number = ?").run(sessionId, B);
const attempt = db.prepare(
  `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, reason, distance, threshold, seat, capture, override_by, override_reason)
   VALUES (?, 'K1', ?, ?, 'typed', 'turn_left', ?, ?, ?, ?, ?, ?, 0.55, ?, ?, ?, ?)`,
);
attempt.run(
  'ia-a',
  sessionId,
  A,
  START - 20 * 60_000,
  START - 15 * 60_000,
  START - 19 * 60_000,
  'admitted',
  'match',
  0.312,
  '01',
  'kiosk/a-live.jpg',
  null,
  null,
);
attempt.run(
  'ia-b',
  sessionId,
  B,
  START - 10 * 60_000,
  START - 5 * 60_000,
  START - 9 * 60_000,
  'overridden',
  'override',
  0.702,
  '02',
  null,
  'user:invig',
  '身份证照片较旧，人工核对无误',
);
app.terminal.admitCandidate(sessionId, B, 'user:invig');

// The exam, through a second terminal service on the same database with a seat re-check that answers by
// order (the app's own checker is the face engine): A's first snapshot matches, the second does not.
const verdicts = [
  { identity: 'match' as const, distance: 0.33, detail: 'distance 0.33 under the threshold 0.55' },
  { identity: 'mismatch' as const, distance: 0.74, detail: 'distance 0.74 over the threshold 0.55' },
];
const { bus, config, audit, paths } = app.ctx;
const terminal = createTerminalService({ db, clock, bus, config, audit, paths, exam: app.exam, checkSnapshot: async () => verdicts.shift()! });
clock.set(START);
app.exam.plans.advanceSession(sessionId, 'in_progress', 'user:admin');

t.test('before the end: the room log is live, sign-off and the printed results are refused with session_not_ended', async (t) => {
  const off = await post(`${base}/room-log/sign-off`, invig);
  t.equal(off.statusCode, 409);
  t.equal(off.json().error, 'session_not_ended', 'a clear Conflict code the console words');
  t.equal((await get(`${base}/results.pdf`, admin)).json().error, 'session_not_ended');
  t.equal((await get(`${base}/candidates/${r.ticket(A)}/report.pdf`, admin)).json().error, 'session_not_ended');
  const live = (await get(`${base}/room-log`, invig)).json() as RoomLogReply;
  t.equal(live.state, 'open');
  t.equal(live.ended, false);
  t.equal(live.sha256, null);
});

t.test('the exam runs: answers, snapshots, a pause, added time, an incident, a camera outage, then the end', async (t) => {
  // The gateway's socket interface, as the WebSocket route drives it.
  const socket = {
    readyState: 1,
    sent: [] as { type: string }[],
    send(d: string) {
      this.sent.push(JSON.parse(d) as { type: string });
    },
    close() {},
    terminate() {},
  };
  const conn = terminal.connect('T1', socket)!;
  const socket2 = { ...socket, sent: [] as { type: string }[] };
  const conn2 = terminal.connect('T2', socket2)!;
  t.teardown(() => {
    terminal.disconnect(conn);
    terminal.disconnect(conn2);
  });
  const say = (m: unknown) => terminal.receive(conn, Buffer.from(JSON.stringify(m)), false);
  say({ type: 'login', credential: r.ticket(A) });
  await waitFor(
    () => socket.sent,
    (m) => m.some((x) => x.type === 'paper'),
  );
  clock.set(START + 2 * 60_000);
  terminal.receive(conn2, Buffer.from(JSON.stringify({ type: 'login', credential: r.ticket(B) })), false);
  await waitFor(
    () => socket2.sent,
    (m) => m.some((x) => x.type === 'paper'),
  );
  terminal.receive(conn2, Buffer.from(JSON.stringify({ type: 'save', seq: 1, no: 1, choice: [0] })), false);
  const key = rightAnswers(app, sessionId, A);
  clock.set(START + 3 * 60_000);
  key.forEach((choice, i) => say({ type: 'save', seq: i + 1, no: i + 1, choice: i < key.length - 2 ? choice : [] }));
  await waitFor(
    () => socket.sent,
    (m) => m.filter((x) => x.type === 'ack').length === key.length,
  ).catch((err: Error) => {
    throw new Error(`${err.message.slice(0, 200)}; errors: ${JSON.stringify(socket.sent.filter((x) => x.type === 'error').slice(0, 2))}`);
  });
  const snap = (f: string) => ({ type: 'snapshot', jpegBase64: readFileSync(join(DEMO_FACES_DIR, f)).toString('base64') });
  clock.set(START + 10 * 60_000);
  say(snap('Alejandro_Toledo_0023.jpg'));
  clock.set(START + 20 * 60_000);
  say(snap('Dick_Cheney_0003.jpg'));
  await waitFor(
    () => db.prepare("SELECT COUNT(*) AS n FROM terminal_snapshots WHERE identity != 'unchecked'").get() as { n: number },
    (x) => x.n === 2,
  );

  clock.set(START + 25 * 60_000);
  app.terminal.pause(sessionId, null, '考场停电', 'user:invig');
  clock.set(START + 30 * 60_000);
  app.terminal.resume(sessionId, null, 'user:invig');
  app.terminal.addTime(sessionId, null, 5, '停电补时', 'user:invig');
  const inc = await post(`/api/proctor/sessions/${sessionId}/incidents`, invig, { category: 'talking', note: '与邻座交谈，已警告', candidate: r.ticket(B) });
  t.equal(inc.statusCode, 201, inc.body);
  db.prepare("INSERT INTO media_outages (source_id, start_ms, end_ms, reason) VALUES ('CAM-R1', ?, ?, '网络中断')").run(
    START + 12 * 60_000,
    START + 14 * 60_000,
  );

  clock.set(START + 40 * 60_000);
  say({ type: 'submit', confirm: true });
  await waitFor(
    () => app.exam.plans.resultOf(sessionId, A),
    (x) => x !== null,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the terminal was sent ${JSON.stringify(socket.sent.slice(-3))}`);
  });
  clock.set(START + DURATION_MS + 10 * 60_000);
  app.exam.plans.advanceSession(sessionId, 'ended', 'user:invig');
  terminal.sweep();
  await waitFor(
    () => app.exam.plans.resultOf(sessionId, B),
    (x) => x !== null,
  );
  t.equal(app.exam.plans.roster(sessionId).find((e) => e.idNumber === C)?.status, 'absent', 'C never came: absent');
});

t.test('the score report: who, masked ID, session, seat, score and pass, both photos, the re-checks, time used, incidents', async (t) => {
  const a = await get(`${base}/candidates/${r.ticket(A)}/report.pdf`, invig);
  t.equal(a.statusCode, 200, a.statusCode === 200 ? 'the PDF' : a.body);
  t.equal(a.headers['content-type'], 'application/pdf');
  const { text, pages } = readPdf('score-report-a', a.rawPayload);
  t.equal(pages, 1, 'one A4 page');
  const result = app.exam.plans.resultOf(sessionId, A)!;
  t.match(text, /安全生产考试成绩单/);
  t.match(text, /姓名\s+甲/);
  t.match(text, maskIdNumber(A), 'the masked ID number');
  t.notMatch(text, A, 'never the whole ID number');
  t.match(text, /人员类别\s+\S+/);
  t.match(text, new RegExp(`准考证号\\s+${r.ticket(A)}`));
  t.match(text, /座位号\s+01/);
  t.match(text, new RegExp(`成绩\\s+${result.score} 分（满分 ${result.total}）`));
  t.match(text, result.passed ? /结论\s+合格/ : /结论\s+不合格/);
  t.match(text, /答题用时\s+35 分 0 秒/, 'logged in at the start, submitted 40 min later, less the 5-minute room pause');
  t.match(text, /交卷方式\s+考生交卷/);
  t.match(text, /报名照片\s+入场现场照片\s+复核 09:10 一致\s+复核 09:20 不一致/, 'the roster photo, the live capture and the re-checks side by side');
  t.match(text, /入场核验\s+人脸核验通过/);
  t.match(text, /0\.312（阈值 0\.550）/);
  t.match(text, /座位复核抓拍\s+2 张：一致 1，不一致 1/, 'the verdicts counted');
  t.match(text, /0\.740/);
  t.match(text, /违纪及异常\s+无。/, 'A has no incident');

  const b = await get(`${base}/candidates/${encodeURIComponent(r.ticket(B))}/report.pdf`, admin);
  t.equal(b.statusCode, 200);
  const bt = readPdf('score-report-b', b.rawPayload).text;
  t.match(bt, /入场核验\s+人工放行/);
  t.match(bt, /身份证照片较旧/, 'the override and its reason');
  t.match(bt, /无现场照片/, 'a missing capture is a labelled empty frame');
  t.match(bt, /交卷方式\s+到时自动交卷/);
  t.match(bt, /交谈\s+.*与邻座交谈，已警告/, 'the incident');
  const c = readPdf('score-report-c', (await get(`${base}/candidates/${C}/report.pdf`, admin)).rawPayload).text;
  t.match(c, /结论\s+缺考/, 'an absent candidate: 缺考, by ID number in the URL too');

  const printed = db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'records.score_report.print' ORDER BY seq").all() as {
    actor: string;
    detail: string;
  }[];
  t.equal(printed.length, 3, 'each print is audited');
  t.match(JSON.parse(printed[0]!.detail), { ticketNo: r.ticket(A) });
  t.equal(printed[0]!.actor, 'user:invig');
});

t.test('who may print: admins and the invigilators of the room', async (t) => {
  t.equal((await get(`${base}/candidates/${r.ticket(A)}/report.pdf`, invig2)).statusCode, 403, 'an invigilator of another room');
  t.equal((await get(`${base}/results.pdf`, invig2)).statusCode, 403);
  t.equal((await get(`${base}/room-log`, invig2)).statusCode, 403);
  const gd = await r.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'gd', password: 'inspect-pass-1' } });
  const inspector = String(gd.headers['set-cookie']).split(';')[0]!;
  t.equal((await get(`${base}/results.pdf`, inspector)).statusCode, 403, 'inspectors do not print personal documents');
  t.equal((await get(`/api/records/sessions/nope/results.pdf`, admin)).statusCode, 404);
  t.equal((await get(`${base}/candidates/nobody/report.pdf`, admin)).statusCode, 404);
});

t.test('the results sheet: every candidate with seat, score and verdict, the counts and the pass rate', async (t) => {
  const res = await get(`${base}/results.pdf`, invig);
  t.equal(res.statusCode, 200);
  const { text, pages } = readPdf('results-sheet', res.rawPayload);
  t.equal(pages, 1);
  t.match(text, /考试成绩汇总表/);
  t.match(text, /座位\s+准考证号\s+姓名\s+身份证号\s+人员类别\s+成绩\s+结论/, 'the header row');
  const a = app.exam.plans.resultOf(sessionId, A)!;
  const b = app.exam.plans.resultOf(sessionId, B)!;
  t.match(
    text,
    new RegExp(`01\\s+${r.ticket(A)}\\s+甲\\s+${maskIdNumber(A).replace(/\*/g, '\\*')}.*${a.score}\\s+${a.passed ? '合格' : '不合格'}`),
    'A in seat order',
  );
  t.match(text, new RegExp(`02\\s+${r.ticket(B)}\\s+乙.*${b.score}\\s+${b.passed ? '合格' : '不合格'}`));
  t.match(text, new RegExp(`03\\s+${r.ticket(C)}\\s+丙.*—\\s+缺考`));
  t.match(text, /应考人数\s+3\s+实考人数\s+2/);
  t.match(text, /缺考人数\s+1/);
  const rate = ((Number(a.passed) + Number(b.passed)) / 2) * 100;
  t.match(text, new RegExp(`合格率\\s+${rate.toFixed(1)}%`));
  t.ok(db.prepare("SELECT 1 FROM audit_log WHERE action = 'records.results_sheet.print'").get(), 'audited');
});

let signedSha = '';
t.test('sign-off freezes the log; a note after it is appended, an edit is refused', async (t) => {
  const live = (await get(`${base}/room-log`, invig)).json() as RoomLogReply;
  t.equal(live.state, 'open');
  t.equal(live.ended, true);
  const log = live.log;
  t.same(
    log.invigilators.map((p) => p.username),
    ['invig'],
    "the room's invigilators",
  );
  t.match(log.checkIn, { roster: 3, admitted: 2, absent: 1, byFace: 1, overridden: 1 });
  t.match(log.absences, [{ name: '丙', idNumber: maskIdNumber(C) }]);
  t.match(log.overrides, [{ name: '乙', by: 'invig', reason: '身份证照片较旧，人工核对无误' }]);
  t.match(log.incidents, [{ name: '乙', category: 'talking', note: '与邻座交谈，已警告' }]);
  t.match(log.pauses, [{ scope: 'room', reason: '考场停电', startedAt: START + 25 * 60_000, endedAt: START + 30 * 60_000 }]);
  t.match(log.timeAdded, [{ scope: 'room', minutes: 5, reason: '停电补时' }]);
  t.ok(
    log.cameraOutages.some((o) => o.sourceId === 'CAM-R1' && o.sourceName === '一号考场前方' && o.reason === '网络中断'),
    'the camera outage',
  );
  t.equal(log.results.graded, 2);

  const before = await post(`${base}/room-log/notes`, invig, { text: '考前检查设备正常。' });
  t.equal(before.statusCode, 200, before.body);
  t.equal((await post(`${base}/room-log/sign-off`, admin)).statusCode, 403, 'admins do not sign for the invigilators');
  t.equal((await post(`${base}/room-log/sign-off`, invig2)).statusCode, 403, 'nor does an invigilator of another room');
  const off = await post(`${base}/room-log/sign-off`, invig);
  t.equal(off.statusCode, 200, off.body);
  const signed = off.json() as RoomLogReply;
  t.equal(signed.state, 'signed');
  t.match(signed.signatures, [{ username: 'invig', signedAt: clock.now() }]);
  t.same(
    signed.notes.map((n) => [n.text, n.afterSignOff]),
    [['考前检查设备正常。', false]],
    'the note before is part of what was signed',
  );
  const stored = db.prepare('SELECT snapshot, sha256 FROM records_room_logs WHERE session_id = ?').get(sessionId) as { snapshot: string; sha256: string };
  t.equal(createHash('sha256').update(stored.snapshot).digest('hex'), stored.sha256, 'the SHA-256 is over the stored text');
  t.equal(signed.sha256, stored.sha256);
  signedSha = stored.sha256;
  const entry = db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'records.room_log.sign_off'").get() as { actor: string; detail: string };
  t.equal(entry.actor, 'user:invig');
  t.match(JSON.parse(entry.detail), { sha256: stored.sha256, froze: true }, 'the sign-off is audited with the hash');

  const again = await post(`${base}/room-log/sign-off`, invig);
  t.equal(again.statusCode, 409);
  t.equal(again.json().error, 'already_signed');

  // Things happen after the sign-off: a late incident and a note. The signed log does not move.
  clock.advance(60_000);
  db.prepare(
    "INSERT INTO proctor_incidents (id, at, session_id, room_id, seat, id_number, category, note, recorded_by) VALUES ('late', ?, ?, 'R1', '01', ?, 'other', '事后补记', 'user:invig')",
  ).run(clock.now(), sessionId, A);
  const note = await post(`${base}/room-log/notes`, invig, { text: '考后发现 3 号座位桌面有字迹，已拍照留存。' });
  t.equal(note.statusCode, 200);
  const after = note.json() as RoomLogReply;
  t.equal(after.sha256, signedSha, 'the hash is unchanged');
  t.same(after.log, signed.log, 'the frozen log is unchanged');
  t.same(
    after.notes.map((n) => [n.text, n.afterSignOff]),
    [
      ['考前检查设备正常。', false],
      ['考后发现 3 号座位桌面有字迹，已拍照留存。', true],
    ],
    'the later note is appended',
  );
  t.throws(() => db.prepare("UPDATE records_room_log_notes SET text = 'changed'").run(), /appended, never edited/, 'a note is never edited');
  t.throws(() => db.prepare('DELETE FROM records_room_log_notes').run(), /never deleted/);
  t.throws(() => db.prepare("UPDATE records_room_logs SET snapshot = '{}'").run(), /frozen/, 'the signed log is never edited');
  t.equal(
    (await app.inject({ method: 'PUT', url: `${base}/room-log/notes`, headers: { cookie: invig }, payload: { text: 'x' } })).statusCode,
    404,
    'there is no edit route',
  );
  const empty = await post(`${base}/room-log/notes`, invig, { text: '   ' });
  t.equal(empty.statusCode, 400, 'an empty note is refused');
});

t.test('the room log PDF shows the frozen log, the signatures and the appended note', async (t) => {
  const res = await get(`${base}/room-log.pdf`, invig);
  t.equal(res.statusCode, 200);
  const { text } = readPdf('room-log', res.rawPayload);
  t.match(text, /考场记录/);
  t.match(text, /记录状态\s+已签署（冻结）/);
  t.match(text, /应考\s+3\s+入场\s+2/);
  t.match(text, /人工放行/);
  t.match(text, /交谈/);
  t.match(text, /考场停电/);
  t.match(text, /停电补时/);
  t.match(text, /一号考场前方/);
  t.match(text, /网络中断/);
  t.notMatch(text, /事后补记/, 'what happened after the sign-off is not in the signed log');
  t.match(text, /签署后追加的备注/);
  t.match(text, /3 号座位桌面有字迹/);
  t.match(text.replace(/\s+/g, ''), signedSha, 'the hash is printed');
});

t.test('the reports index and the archive parts', async (t) => {
  const idx = (await get(`${base}/reports`, invig)).json() as SessionReports;
  t.same(
    idx.candidates.map((c) => c.seat),
    ['01', '02', '03'],
  );
  t.match(idx, { resultsSheetUrl: `${base}/results.pdf`, roomLogPdfUrl: `${base}/room-log.pdf` });
  t.equal((await get(idx.candidates[0]!.reportUrl, invig)).statusCode, 200, 'the links open');

  const parts = app.records.archiveParts.list().filter((p) => ['results-sheet', 'room-log', 'score-reports'].includes(p.id));
  t.equal(parts.length, 3);
  const members: { path: string; source: unknown }[] = [];
  for (const p of parts) for await (const m of p.members({ sessionId, withMedia: false, now: clock.now() })) members.push(m);
  t.same(members.map((m) => m.path).sort(), [
    'results-sheet/results-sheet.json',
    'results-sheet/results-sheet.pdf',
    'room-log/room-log.json',
    'room-log/room-log.pdf',
    'room-log/room-log.signed.json',
    ...[A, B, C].map((id) => `score-reports/${r.ticket(id)}.pdf`).sort(),
  ]);
  const signed = members.find((m) => m.path === 'room-log/room-log.signed.json')!.source as Buffer;
  t.equal(createHash('sha256').update(signed).digest('hex'), signedSha, 'the archive carries the signed text byte for byte');
  const archived = readPdf('score-report-a-archived', members.find((m) => m.path === `score-reports/${r.ticket(A)}.pdf`)!.source as Buffer).text;
  t.match(archived, /照片不随本件存档/, "the archive's copy carries no face picture");
});

// --- small helpers --------------------------------------------------------------------------------------
async function waitFor<T>(read: () => T, ok: (x: T) => boolean, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const x = read();
    if (ok(x)) return x;
    if (Date.now() > until) throw new Error(`not true within ${ms} ms: ${JSON.stringify(x)}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}
