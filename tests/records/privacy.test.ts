// Face data by purpose (issue 23), through the real app (real SQLite, real files in captures/,
// app.inject): the count of people against the filing duty, a person's export holding exactly their data,
// erasure on request keeping what evidence retention holds, descriptors gone after the configured time
// while evidence images stay, then the images gone with the recordings' retention; a results package
// with no image by default and with images once an admin names the legal basis. Kiosk checks, consents
// and snapshots are written as rows (the face engine is tested in tests/kiosk); everything read is real.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { packageContent } from '../../records/reporting/package.ts';
import { checkArchive } from '../../documents/index.ts';
import { privacyCommands } from '../../records/privacy/commands.ts';
import { PASSWORDS, ROOT, login, scratchDir, testConfig, buildTestApp } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person, rightAnswers } from '../exam/plans-fixture.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const DAY = 86_400_000;
const FACES = join(ROOT, 'tests', 'fixtures', 'faces');
const A = idn(1); // sat the exam: photo, kiosk capture with descriptor, snapshot, consent
const B = idn(2); // sat the same exam: photo, capture
const C = idn(3); // registered for a session not yet held: photo only

let app: App;
let clock: ReturnType<typeof fixedClock>;
let dir: string;
let held: string;
let future: string;
let admin: string;

const captures = () => app.ctx.paths.captures;
const db = () => app.ctx.db;

async function session(day: string, rows: string[][], photosDir: string) {
  const plans = app.exam.plans;
  const plan = plans.listPlans()[0] ?? plans.createPlan({ name: '2026年主要负责人考试', from: '2026-03-01', to: '2027-12-31' }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: `${day}T09:00`, templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv(rows), filename: 'roster.csv', photosDir }, 'user:admin');
  return s.id;
}

/** A decided kiosk attempt as the kiosk stores it: a real face photo as its capture, a descriptor. */
function kioskCheck(sessionId: string, idNumber: string, when: number, photo: string) {
  const rel = `kiosk/2026-03-10/att-${idNumber}.jpg`;
  mkdirSync(join(captures(), 'kiosk', '2026-03-10'), { recursive: true });
  copyFileSync(join(FACES, photo), join(captures(), rel));
  const roster = db().prepare('SELECT photo FROM roster_entries WHERE session_id = ? AND id_number = ?').get(sessionId, idNumber) as { photo: string };
  db()
    .prepare(
      `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, roster_photo, started_at, expires_at, decided_at, decision,
         distance, threshold, seat, capture, capture_expires_at, probe_descriptor)
       VALUES (?, 'K1', ?, ?, 'card', 'blink', ?, ?, ?, ?, 'admitted', 0.3, 0.5, '01', ?, ?, ?)`,
    )
    .run(`att-${idNumber}`, sessionId, idNumber, roster.photo, when, when + 300_000, when + 20_000, rel, when + 20_000 + 1096 * DAY, Buffer.alloc(512, 7));
  // The roster photo's enrolment, as the kiosk makes it at import.
  db()
    .prepare("INSERT OR IGNORE INTO face_enrolments (photo, status, descriptor, enrolled_at) VALUES (?, 'ok', ?, ?)")
    .run(roster.photo, Buffer.alloc(512, 3), when - DAY);
}

const fileOf = (rel: string | null) => (rel ? join(captures(), rel) : '');
const rosterPhoto = (id: string) => (db().prepare('SELECT photo FROM candidates WHERE id_number = ?').get(id) as { photo: string | null }).photo;

t.before(async () => {
  dir = scratchDir(t);
  clock = fixedClock(at('2026-03-01T09:00:00'));
  app = await buildTestApp({ config: testConfig(dir, 'privacy: { descriptorDays: 30, faceCountWarnAt: 2 }\n'), clock });
  await app.ready();
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  copyFileSync(join(FACES, 'Alejandro_Toledo_0023.jpg'), join(photos, 'a.jpg'));
  copyFileSync(join(FACES, 'Alejandro_Toledo_0021.jpg'), join(photos, 'b.jpg'));
  copyFileSync(join(FACES, 'Alejandro_Toledo_0027.jpg'), join(photos, 'c.jpg'));

  held = await session('2026-03-10', [person(1, '张三', { photo: 'a.jpg' }), person(2, '李四', { photo: 'b.jpg' })], photos);
  future = await session('2026-09-10', [person(3, '王五', { photo: 'c.jpg' })], photos);
  const plans = app.exam.plans;
  plans.assignSeats(held, 'user:admin');
  plans.generateSessionPapers(held, 'user:admin');
  plans.advanceSession(held, 'checkin', 'user:admin');
  clock.set(at('2026-03-10T08:40:00'));
  kioskCheck(held, A, at('2026-03-10T08:40:00'), 'Alejandro_Toledo_0027.jpg');
  kioskCheck(held, B, at('2026-03-10T08:41:00'), 'Alejandro_Toledo_0021.jpg');
  db()
    .prepare(
      `INSERT INTO face_consents (id_number, session_id, decision, notice_version, notice_sha256, notice_lang, device_id, decided_at)
       VALUES (?, ?, 'accepted', '2026-1', ?, 'zh-CN', 'K1', ?)`,
    )
    .run(A, held, 'ab'.repeat(32), at('2026-03-10T08:39:00'));
  plans.advanceSession(held, 'in_progress', 'user:admin');
  clock.set(at('2026-03-10T09:30:00'));
  // A seat snapshot of A, as the terminal stores it.
  const shot = `terminal/${held}/${A}/1-s1.jpg`;
  mkdirSync(join(captures(), 'terminal', held, A), { recursive: true });
  copyFileSync(join(FACES, 'Alejandro_Toledo_0023.jpg'), join(captures(), shot));
  db()
    .prepare(
      "INSERT INTO terminal_snapshots (id, at, session_id, id_number, terminal_id, file, bytes, identity, distance) VALUES ('s1', ?, ?, ?, 'T1', ?, 100, 'match', 0.3)",
    )
    .run(clock.now(), held, A, shot);
  clock.set(at('2026-03-10T10:00:00'));
  plans.gradeCandidate(held, A, rightAnswers({ plans } as never, held, A));
  plans.gradeCandidate(held, B, {});
  plans.advanceSession(held, 'ended', 'user:admin');
  plans.advanceSession(held, 'graded', 'user:admin');
  clock.set(at('2026-03-11T09:00:00'));
  admin = await login(app, 'admin', PASSWORDS.admin);
});
t.teardown(() => app?.close());

t.test('the system page counts distinct people with face data and warns before the filing threshold', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/records/privacy', headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), {
    faceData: { local: 3, archived: 0, objectStore: null, total: 3, warnAt: 2, filingAt: 100_000, level: 'warn' },
    retention: { descriptorDays: 30, evidenceDays: 1096 },
    outbound: [
      { destination: 'reporting', basis: null },
      { destination: 'archive-export', basis: null },
    ],
  });
  const invig = await login(app, 'invig', PASSWORDS.invig);
  t.equal((await app.inject({ method: 'GET', url: '/api/records/privacy', headers: { cookie: invig } })).statusCode, 403);
});

t.test("an export holds exactly one person's photos, consents and verification results, and is audited", async (t) => {
  const res = await app.inject({ method: 'GET', url: `/api/records/people/${A}/export.zip`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  t.equal(res.headers['content-type'], 'application/zip');
  const zip = join(dir, 'export-a.zip');
  writeFileSync(zip, res.rawPayload);
  const names = execFileSync('unzip', ['-Z1', zip]).toString().trim().split('\n').sort();
  t.same(names, ['manifest.json', 'manifest.sig', 'person.json', `photos/kiosk/att-${A}.jpg`, 'photos/registration-1.jpg', `photos/seat/${held}/s1.jpg`]);
  const doc = JSON.parse(execFileSync('unzip', ['-p', zip, 'person.json']).toString());
  t.match(doc, {
    format: 'examroom-person-export/1',
    idNumber: A,
    name: '张三',
    consents: [{ sessionId: held, decision: 'accepted', noticeVersion: '2026-1', deviceId: 'K1' }],
    verifications: { kiosk: [{ id: `att-${A}`, decision: 'admitted', photo: `photos/kiosk/att-${A}.jpg` }], seat: [{ identity: 'match', sessionId: held }] },
  });
  t.same(doc.verifications.seatByStaff, [], 'A accepted face recognition: no invigilator seat checks to carry');
  // Byte for byte: A's files, none of B's.
  const kiosk = execFileSync('unzip', ['-p', zip, `photos/kiosk/att-${A}.jpg`]);
  t.ok(kiosk.equals(readFileSync(join(FACES, 'Alejandro_Toledo_0027.jpg'))));
  t.ok(
    execFileSync('unzip', ['-p', zip, 'photos/registration-1.jpg']).equals(app.exam.deps.faceVault.readFile(fileOf(rosterPhoto(A)))),
    'the roster photo, opened',
  );
  t.notOk(JSON.stringify(doc).includes(B), 'no row of the other candidate of the session');
  t.equal((await checkArchive(zip)).ok, true, 'signed like an archive');
  t.match(app.ctx.audit.list({ action: 'privacy.person.export' }).at(0), { actor: 'user:admin', target: A, detail: { photos: 3 } });
  const gd = await login(app, 'gd', PASSWORDS.gd);
  t.equal((await app.inject({ method: 'GET', url: `/api/records/people/${A}/export.zip`, headers: { cookie: gd } })).statusCode, 403);
});

t.test('examroom person export ID --out FILE, privacy status, privacy basis', async (t) => {
  const lines: string[] = [];
  const errs: string[] = [];
  const ctx = (args: string[], values: Record<string, unknown>) => ({
    config: app.ctx.config,
    db: db(),
    exam: app.exam,
    records: app.records,
    actor: 'cli:tester',
    args,
    values,
    out: (l: string) => lines.push(l),
    err: (l: string) => errs.push(l),
  });
  const run = (name: string, args: string[], values: Record<string, unknown> = {}) =>
    privacyCommands.find((c) => c.name === name)!.run(ctx(args, values) as never);
  const out = join(dir, 'cli-export-b.zip');
  t.equal(await run('person export', [B], { out }), 0);
  t.match(lines.at(-1), new RegExp(`^${B}: 2 photos, \\d+ files, \\d+ bytes → `));
  t.match(errs.at(-1), /hand it to the person only/);
  const names = execFileSync('unzip', ['-Z1', out]).toString().trim().split('\n').sort();
  t.same(names, ['manifest.json', 'manifest.sig', 'person.json', `photos/kiosk/att-${B}.jpg`, 'photos/registration-1.jpg']);
  t.notOk(execFileSync('unzip', ['-p', out, 'person.json']).toString().includes(A), "B's export names nothing of A");
  t.match(app.ctx.audit.list({ action: 'privacy.person.export' }).at(0), { actor: 'cli:tester', target: B });
  t.equal(await run('person export', [B], {}), 1, '--out is required');

  t.equal(await run('privacy status', []), 0);
  t.match(
    lines.find((l) => l.startsWith('face data')),
    /^face data: 3 people \(local 3, archived 0\); warning at 2, filing duty at 100000$/,
  );
  t.equal(await run('privacy basis', ['upstream', 'text']), 1, 'an unknown destination');
  t.equal(await run('privacy basis', ['archive-export'], {}), 1, 'neither a text nor --withdraw');
  t.equal(await run('privacy basis', ['archive-export', '依据', '条款'], {}), 0);
  t.equal(app.records.privacy.outbound.basisOf('archive-export'), '依据 条款');
  t.equal(await run('privacy basis', ['archive-export'], { withdraw: true }), 0);
  t.equal(app.records.privacy.outbound.basisOf('archive-export'), null);
});

t.test('a results package carries no image by default, and does once an admin names the legal basis', async (t) => {
  const records = app.records;
  const config = { ...app.ctx.config, reporting: { ...app.ctx.config.reporting, send: { identityChecks: true, photos: true } } };
  const src = { db: db(), config, exam: app.exam, paths: app.ctx.paths, faceImagesTo: records.privacy.outbound.basisOf };
  const before = packageContent(src, held);
  t.equal(before.identityChecks?.length, 2);
  t.notOk(
    before.identityChecks?.some((c) => 'photo' in c),
    'send.photos alone sends nothing',
  );
  t.notOk('faceImages' in before);

  const bad = await app.inject({ method: 'PUT', url: '/api/records/privacy/outbound/reporting', headers: { cookie: admin }, payload: { basis: 'ok' } });
  t.equal(bad.statusCode, 400, 'too short to name a law');
  const res = await app.inject({
    method: 'PUT',
    url: '/api/records/privacy/outbound/reporting',
    headers: { cookie: admin },
    payload: { basis: '《XX省安全生产考试管理办法》第十二条：考生照片随成绩上报省级考试平台' },
  });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { destination: 'reporting', basis: /第十二条/, setBy: 'user:admin' });
  t.match(app.ctx.audit.list({ action: 'privacy.outbound.basis' }).at(0), {
    actor: 'user:admin',
    target: 'reporting',
    detail: { basis: /第十二条/, before: null },
  });

  const after = packageContent(src, held);
  t.match(after.faceImages, { basis: /第十二条/ });
  const photo = after.identityChecks?.find((c) => c.idNumber === A)?.photo;
  t.ok(photo && Buffer.from(photo, 'base64').equals(readFileSync(join(FACES, 'Alejandro_Toledo_0027.jpg'))), 'the capture, as stored');
  t.notOk('faceImages' in packageContent({ ...src, config: app.ctx.config }, held), 'the basis alone, without send.photos, sends nothing');

  const off = await app.inject({ method: 'PUT', url: '/api/records/privacy/outbound/reporting', headers: { cookie: admin }, payload: { basis: null } });
  t.match(off.json(), { basis: null });
  t.notOk('faceImages' in packageContent(src, held), 'withdrawn: no image again');
  t.match(app.ctx.audit.list({ action: 'privacy.outbound.withdrawn' }).at(0), { target: 'reporting', detail: { before: /第十二条/ } });
  t.throws(() => db().prepare('DELETE FROM outbound_legal_bases').run(), /append-only/, 'the history of bases stays');
});

t.test('erasure on request: a session not yet held loses its photo; evidence of a held one is kept, with its date', async (t) => {
  const cPhoto = rosterPhoto(C)!;
  db().prepare("INSERT INTO face_enrolments (photo, status, descriptor, enrolled_at) VALUES (?, 'ok', ?, ?)").run(cPhoto, Buffer.alloc(512, 1), clock.now());
  t.ok(existsSync(fileOf(cPhoto)));
  const missing = await app.inject({ method: 'POST', url: `/api/records/people/${C}/face-data/erase`, headers: { cookie: admin }, payload: {} });
  t.equal(missing.statusCode, 400, 'a reason is required');
  const res = await app.inject({
    method: 'POST',
    url: `/api/records/people/${C}/face-data/erase`,
    headers: { cookie: admin },
    payload: { reason: '本人 2026-03-11 书面申请，前台核对身份证' },
  });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { idNumber: C, deleted: { rosterPhotos: 1, enrolments: 1, people: [C] }, kept: [] });
  t.notOk(existsSync(fileOf(cPhoto)), 'the file is gone');
  t.equal(rosterPhoto(C), null);
  t.equal((db().prepare('SELECT photo FROM roster_entries WHERE session_id = ?').get(future) as { photo: string | null }).photo, null);
  t.match(app.ctx.audit.list({ action: 'privacy.person.erased' }).at(0), { target: C, detail: { reason: /书面申请/, deleted: { rosterPhotos: 1 } } });

  // A sat the exam: every descriptor goes, the images are evidence until retention ends.
  const aPhoto = rosterPhoto(A)!;
  const r = app.records.privacy.erase(A, '本人申请', { actor: 'user:admin' });
  t.match(r.deleted, { descriptors: 1, enrolments: 1, rosterPhotos: 0, captures: 0 });
  t.same(r.kept.map((k) => k.kind).sort(), ['capture', 'roster_photo', 'snapshot']);
  t.ok(
    r.kept.every((k) => Date.parse(k.until) > at('2029-03-01T00:00:00')),
    'kept about three years',
  );
  t.ok(existsSync(fileOf(aPhoto)));
  // The kept photo's row stays without its descriptor, so no one re-enrols it unasked.
  t.match(db().prepare('SELECT status, descriptor, reason FROM face_enrolments WHERE photo = ?').get(aPhoto), {
    status: 'refused',
    descriptor: null,
    reason: 'erased',
  });
  // Put A's descriptors back for the sweep tests below.
  db().prepare('UPDATE identity_attempts SET probe_descriptor = ? WHERE id_number = ?').run(Buffer.alloc(512, 7), A);
  db()
    .prepare("INSERT OR REPLACE INTO face_enrolments (photo, status, descriptor, enrolled_at) VALUES (?, 'ok', ?, ?)")
    .run(aPhoto, Buffer.alloc(512, 3), at('2026-03-09T00:00:00'));
});

t.test('descriptors are gone descriptorDays after grading; evidence images stay', async (t) => {
  const probes = () => (db().prepare('SELECT COUNT(*) AS n FROM identity_attempts WHERE probe_descriptor IS NOT NULL').get() as { n: number }).n;
  const enrolments = () => (db().prepare('SELECT COUNT(*) AS n FROM face_enrolments WHERE descriptor IS NOT NULL').get() as { n: number }).n;
  t.equal(probes(), 2);
  t.equal(enrolments(), 2);
  clock.set(at('2026-04-09T09:00:00')); // 29 days after grading
  let r = app.records.privacy.sweep();
  t.equal(r.descriptors.descriptors + r.descriptors.enrolments, 0, 'not yet');
  clock.set(at('2026-04-10T11:00:00')); // 30 days and a bit
  r = app.records.privacy.sweep();
  t.match(r.descriptors, { descriptors: 2, enrolments: 2, people: [A, B] });
  t.equal(probes(), 0);
  t.equal(enrolments(), 0);
  t.equal(
    (db().prepare("SELECT COUNT(*) AS n FROM face_enrolments WHERE reason = 'deleted'").get() as { n: number }).n,
    2,
    'the rows stay as markers: the roster says deleted, not pending',
  );
  t.equal(app.records.privacy.sweep().descriptors.enrolments, 0, 'a marker is not swept again');
  t.equal(r.evidence.captures + r.evidence.snapshots + r.evidence.rosterPhotos, 0, 'no image is touched');
  for (const rel of [rosterPhoto(A), rosterPhoto(B), `kiosk/2026-03-10/att-${A}.jpg`, `terminal/${held}/${A}/1-s1.jpg`])
    t.ok(existsSync(fileOf(rel)), `${rel} kept`);
  t.match(app.ctx.audit.list({ action: 'privacy.retention.deleted' }).at(0), {
    actor: 'system',
    target: 'descriptors',
    detail: { rule: /30 days after the session was graded/, descriptors: 2, enrolments: 2, people: [A, B] },
  });
});

t.test('evidence images go with the recordings, retention.days after the session', async (t) => {
  const files = [rosterPhoto(A), rosterPhoto(B), `kiosk/2026-03-10/att-${A}.jpg`, `kiosk/2026-03-10/att-${B}.jpg`, `terminal/${held}/${A}/1-s1.jpg`].map(
    fileOf,
  );
  clock.set(at('2029-03-09T09:00:00')); // 1095 days after: still kept
  let r = app.records.privacy.sweep();
  t.equal(r.evidence.captures + r.evidence.snapshots + r.evidence.rosterPhotos, 0);
  clock.set(at('2029-03-11T09:00:00'));
  r = app.records.privacy.sweep();
  t.match(r.evidence, { captures: 2, snapshots: 1, rosterPhotos: 2, people: [A, B] });
  for (const f of files) t.notOk(existsSync(f), `${f} deleted`);
  t.equal(app.records.privacy.status().faceData.local, 0, 'nobody left with face data');
  t.match(app.ctx.audit.list({ action: 'privacy.retention.deleted' }).at(0), { target: 'evidence', detail: { rule: /1096 days/, captures: 2 } });
  // The records stay, without the pictures.
  t.match(db().prepare('SELECT decision, capture FROM identity_attempts WHERE id_number = ?').get(A), { decision: 'admitted', capture: null });
});
