// Notice and consent at the kiosk (issue 23): the notice comes with the lookup, the person's choice is
// recorded in face_consents (version, hash, language, kiosk, attempt) and audited, no face is taken for
// comparison without an acceptance, a decline leads to staff checking the ID card by eye — for exam
// admission and for training sign-in — and faceConsent() reads the choice in force.
// No face engine runs here: every candidate used has no roster photo, and nothing reaches the comparison.
import t from 'tap';
import { createHash } from 'node:crypto';
import type { EventMap, ValidationError } from '../../core/index.ts';
import { faceConsentOf, faceNotice } from '../../kiosk/index.ts';
import { DECLINED_FACE_REASON } from '../../kiosk/protocol.ts';
import { PASSWORDS, scratchDir, testConfig } from '../helpers.ts';
import { csv } from '../exam/plans-fixture.ts';
import { P, kioskSite } from './fixture.ts';

const k = await kioskSite(t, { engine: null, enrolOnImport: false, consent: 'ask' });
const db = k.app.ctx.db;
const consents: EventMap['face.consent'][] = [];
k.app.ctx.bus.on('face.consent', (e) => consents.push(e));
const rows = (idNumber: string) =>
  db
    .prepare(
      'SELECT session_id AS sessionId, class_id AS classId, decision, notice_version AS version, notice_sha256 AS sha, notice_lang AS lang, device_id AS device, attempt_id AS attemptId FROM face_consents WHERE id_number = ? ORDER BY id',
    )
    .all(idNumber) as Record<string, string | null>[];
const answer = (
  look: { attemptId: string; consent: { notice: Record<'zh' | 'en', { version: string; sha256: string }> } },
  decision: string,
  lang: 'zh' | 'en' = 'zh',
) =>
  k.post(`/api/kiosk/attempts/${look.attemptId}/consent`, {
    decision,
    noticeVersion: look.consent.notice[lang].version,
    noticeSha256: look.consent.notice[lang].sha256,
    lang,
  });
const lookup = (idNumber: string) => k.post('/api/kiosk/lookup', { source: 'typed', idNumber });
const audits = (action: string) =>
  db.prepare('SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as { actor: string; target: string; detail: string }[];

t.test('the idle screen carries the prominent notice; the lookup brings the full notice in both languages, each with its hash', async (t) => {
  const state = await k.get('/api/kiosk/state');
  t.match(state.body.privacy.idle.zh, /人脸识别/);
  t.match(state.body.privacy.idle.en, /face recognition/);
  const look = await lookup(P.nophoto);
  t.equal(look.body.ok, true);
  t.same({ needed: look.body.consent.needed, inForce: look.body.consent.inForce }, { needed: true, inForce: null });
  for (const lang of ['zh', 'en'] as const) {
    const n = look.body.consent.notice[lang];
    t.equal(n.sha256, createHash('sha256').update(n.text, 'utf8').digest('hex'), `${lang}: the hash is of the exact text shown`);
    t.equal(n.version, 'default-2026-12');
  }
  const zh = look.body.consent.notice.zh.text as string;
  // Who processes, for what, what is kept, for how long, who sees it, the rights, whom to ask; and the room recording.
  for (const point of ['处理者：测试考点', '用途：', '处理的信息：', '保存期限：', '谁能看到：', '您的权利：', '咨询与投诉：', '录音录像'])
    t.ok(zh.includes(point), `the notice says ${point}`);
  t.match(zh, /1096 天/, 'the retention is the site’s');
  t.match(look.body.consent.notice.en.text, /^Notice on face recognition\n/);
});

t.test('no face is compared before the person has chosen; a notice other than the one in force is refused and records nothing', async (t) => {
  const look = (await lookup(P.nophoto)).body;
  const frames = Array(5).fill('/9j/4AAQSkZJRgABAQ');
  const early = await k.post(`/api/kiosk/attempts/${look.attemptId}/verify`, { frames: [...frames] });
  t.equal(early.status, 409);
  t.match(early.body.message, /has not been shown the face-recognition notice for session .*before any capture/);
  t.equal(db.prepare('SELECT capture FROM identity_attempts WHERE id = ?').pluck().get(look.attemptId), null, 'nothing captured');

  const stale = await k.post(`/api/kiosk/attempts/${look.attemptId}/consent`, {
    decision: 'accepted',
    noticeVersion: 'default-2026-12',
    noticeSha256: '0'.repeat(64),
    lang: 'zh',
  });
  t.equal(stale.status, 409);
  t.match(stale.body.message, /is not the one in force/);
  const badBody = await k.post(`/api/kiosk/attempts/${look.attemptId}/consent`, { decision: 'maybe', noticeVersion: 'x', noticeSha256: 'y', lang: 'fr' });
  t.equal(badBody.status, 400);
  t.same(rows(P.nophoto), [], 'nothing recorded');
});

t.test('a decline is recorded and audited; staff admit the candidate by eye with the reason "declined face recognition"', async (t) => {
  const look = (await lookup(P.nophoto)).body;
  const before = consents.length;
  const no = await answer(look, 'declined', 'en');
  t.equal(no.status, 200);
  t.match(no.body, { ok: true, decision: 'declined', noticeVersion: 'default-2026-12' });
  t.match(rows(P.nophoto), [
    {
      sessionId: k.sessionId,
      classId: null,
      decision: 'declined',
      version: 'default-2026-12',
      sha: look.consent.notice.en.sha256,
      lang: 'en',
      device: 'K1',
      attemptId: look.attemptId,
    },
  ]);
  t.match(consents.slice(before), [
    { idNumber: P.nophoto, sessionId: k.sessionId, classId: null, decision: 'declined', kioskId: 'K1', attemptId: look.attemptId },
  ]);
  const audit = audits('kiosk.consent.declined');
  t.equal(audit.length, 1);
  t.equal(audit[0]!.actor, 'device:K1');
  t.notMatch(audit[0]!.detail, P.nophoto, 'the audit entry masks the ID number');
  t.same(k.app.kiosk.identity.faceConsent({ sessionId: k.sessionId }, P.nophoto), {
    decision: 'declined',
    decidedAt: k.clock.now(),
    noticeVersion: 'default-2026-12',
  });

  const verify = await k.post(`/api/kiosk/attempts/${look.attemptId}/verify`, { frames: Array(5).fill('/9j/4AAQSkZJRgABAQ') });
  t.equal(verify.status, 409, 'a decline means no face is compared');
  t.match(verify.body.message, /declined face recognition/);

  const ok = await k.post(`/api/kiosk/attempts/${look.attemptId}/override`, {
    username: 'invig',
    password: PASSWORDS.invig,
    reason: '已核对身份证原件，本人与证件相符',
  });
  t.equal(ok.status, 200, JSON.stringify(ok.body));
  t.match(ok.body, { decision: 'admitted', by: 'invig' });
  t.equal(k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.nophoto)!.status, 'admitted');
  const attempt = db.prepare('SELECT decision, override_by AS by, override_reason AS reason, capture FROM identity_attempts WHERE id = ?').get(look.attemptId);
  t.same(attempt, { decision: 'overridden', by: 'user:invig', reason: `${DECLINED_FACE_REASON}: 已核对身份证原件，本人与证件相符`, capture: null });
  const override = audits('kiosk.override').at(-1)!;
  t.equal(override.actor, 'user:invig');
  t.match(JSON.parse(override.detail), { reason: `${DECLINED_FACE_REASON}: 已核对身份证原件，本人与证件相符`, faceConsent: 'declined', via: 'device:K1' });
  // The invigilator's alert words the stored reason code in the console's language.
  const alert = k.app.proctor.alerts.list({ rooms: null }).find((a) => a.kind === 'kiosk_override' && a.idNumber === P.nophoto);
  t.match(alert?.text.zh, /理由：拒绝人脸识别：已核对身份证原件，本人与证件相符$/);
  t.notMatch(alert?.text.zh, /declined/, 'no English in the Chinese alert');
  t.match(alert?.text.en, /reason: declined face recognition: /);
});

t.test('a decline is asked again next time and the person may change their mind; an acceptance is asked once per session', async (t) => {
  t.equal((await lookup(P.otherRoom)).body.reason, 'wrong_site', 'K1 does not serve R2');
  // R2's kiosk K2 is not paired in this fixture: its routes would call the service just so.
  const s2 = k.app.exam.plans.listSessions({}).find((s) => s.roomId === 'R2')!;
  const id = k.app.kiosk.identity;
  const look = () => {
    const r = id.lookup('K2', { source: 'typed', idNumber: P.otherRoom });
    if (!r.ok) throw new Error(r.detail);
    return r;
  };
  const first = look();
  const zh = first.consent.notice!.zh;
  const choose = (attemptId: string, decision: 'accepted' | 'declined') =>
    id.recordConsent('K2', attemptId, { decision, noticeVersion: zh.version, noticeSha256: zh.sha256, lang: 'zh' });
  choose(first.attemptId, 'declined');
  const second = look();
  t.match(second.consent, { needed: true, inForce: { decision: 'declined' } }, 'the notice is shown again after a decline');
  choose(second.attemptId, 'accepted');
  t.equal(id.faceConsent({ sessionId: s2.id }, P.otherRoom)?.decision, 'accepted', 'the newest choice is in force');
  const third = look();
  t.equal(third.consent.needed, false, 'once accepted, not asked again for the session');
  t.match(third.consent.inForce, { decision: 'accepted', noticeVersion: 'default-2026-12' });
  t.equal(faceConsentOf(db, { sessionId: k.sessionId }, P.otherRoom), null, 'another session would ask afresh');
  // Withdrawn at the face guide: the notice in force still comes with the lookup, and the decline is in force at once.
  choose(third.attemptId, 'declined');
  t.equal(id.faceConsent({ sessionId: s2.id }, P.otherRoom)?.decision, 'declined', 'consent can be withdrawn');
  await t.rejects(id.verify('K2', third.attemptId, Array(5).fill('/9j/4AAQSkZJRgABAQ')), /declined face recognition/, 'and no face is compared after it');
  t.same(
    rows(P.otherRoom).map((r) => [r.decision, r.device]),
    [
      ['declined', 'K2'],
      ['accepted', 'K2'],
      ['declined', 'K2'],
    ],
    'every choice stays on record',
  );
  t.equal(audits('kiosk.consent.accepted').length, 1);
});

t.test("a site's own notice text and version are what is shown, hashed and recorded", async (t) => {
  const config = testConfig(
    scratchDir(t),
    'faceNotice: { version: GZ-2026-2, contact: 考点办公室 020-1234, text: { zh: "告知\\r\\n我们的告知书。\\r\\n" } }\n',
  );
  t.match(faceNotice(config, 'en').text, /Questions and complaints: 考点办公室 020-1234\./, 'the contact fills the built-in text');
  const bad = t.throws(() => testConfig(scratchDir(t), 'faceNotice: { text: { fr: "Avis" } }\n')) as ValidationError;
  t.match(bad.problems, [{ path: /^faceNotice\.text/ }], 'a language the kiosk does not speak is refused at start-up');
  const zh = faceNotice(config, 'zh');
  t.same(zh, { version: 'GZ-2026-2', lang: 'zh', text: '告知\n我们的告知书。', sha256: createHash('sha256').update('告知\n我们的告知书。').digest('hex') });
  t.match(faceNotice(config, 'en').text, /^Notice on face recognition/, 'a language the site left out keeps the built-in text');
});

t.test(
  'training: consent once per class; a member who declined is confirmed by the 班主任 (or an admin), audited; otherwise staff cannot override a training check',
  async (t) => {
    const admin = await k.as('admin');
    const created = await k.app.inject({
      method: 'POST',
      url: '/api/training/classes',
      headers: { cookie: admin },
      payload: { name: '叉车司机培训', institution: '广州市安全培训中心', startsOn: '2026-03-09', endsOn: '2026-03-11', dailyHours: 6 },
    });
    const classId = created.json().id as string;
    const imported = await k.app.inject({
      method: 'POST',
      url: `/api/training/classes/${classId}/members?filename=members.csv`,
      headers: { cookie: admin, 'content-type': 'text/csv' },
      payload: csv(
        [
          [P.nophoto, '拒绝者', ''],
          [P.otherDay, '同意者', ''],
        ],
        ['身份证号', '姓名', '照片'],
      ).toString(),
    });
    t.equal(imported.statusCode, 200, imported.body);
    const tLookup = (idNumber: string, action: 'check_in' | 'check_out') =>
      k.post(`/api/kiosk/training/${classId}/lookup`, { source: 'typed', idNumber, action });

    const agree = (await tLookup(P.otherDay, 'check_in')).body;
    t.equal(agree.consent.needed, true, 'a class asks for itself, apart from any exam session');
    t.equal((await answer(agree, 'accepted')).status, 200);
    t.match(rows(P.otherDay), [{ sessionId: null, classId, decision: 'accepted' }]);
    const refusedOverride = await k.post(`/api/kiosk/attempts/${agree.attemptId}/override`, {
      username: 'admin',
      password: PASSWORDS.admin,
      reason: '已核对身份证原件',
    });
    t.equal(refusedOverride.status, 409);
    t.match(refusedOverride.body.message, /only when they declined face recognition/);

    const look = (await tLookup(P.nophoto, 'check_in')).body;
    t.equal(look.consent.needed, true, 'the exam session’s decline does not answer for the class');
    t.equal((await answer(look, 'declined')).status, 200);
    const wrong = await k.post(`/api/kiosk/attempts/${look.attemptId}/override`, { username: 'invig', password: 'nope-nope', reason: '已核对身份证原件' });
    t.equal(wrong.status, 403);
    t.equal(db.prepare('SELECT COUNT(*) FROM training_events WHERE id_number = ?').pluck().get(P.nophoto), 0, 'a wrong password records nothing');
    // The class's 班主任 confirms (training/); this class has none, so an admin — an invigilator no longer.
    const invig = await k.post(`/api/kiosk/attempts/${look.attemptId}/override`, { username: 'invig', password: PASSWORDS.invig, reason: '已核对身份证原件' });
    t.equal(invig.status, 403);
    t.match(invig.body.message, /not the 班主任 of class/);
    const ok = await k.post(`/api/kiosk/attempts/${look.attemptId}/override`, { username: 'admin', password: PASSWORDS.admin, reason: '已核对身份证原件' });
    t.equal(ok.status, 200, JSON.stringify(ok.body));
    t.match(ok.body, { ok: true, decision: 'checked_in', by: 'admin', hours: null });
    t.equal(db.prepare("SELECT COUNT(*) FROM training_events WHERE class_id = ? AND id_number = ? AND via = 'staff'").pluck().get(classId, P.nophoto), 1);
    const audit = audits('training.check_in.confirmed');
    t.equal(audit.length, 1);
    t.equal(audit[0]!.actor, 'user:admin');
    t.match(JSON.parse(audit[0]!.detail), { reason: `${DECLINED_FACE_REASON}: 已核对身份证原件`, via: 'device:K1' });

    // Check-out: the class's decline is in force, so the kiosk shows the notice again and the member may decline again.
    k.clock.set(k.clock.now() + 3 * 3_600_000);
    const out = (await tLookup(P.nophoto, 'check_out')).body;
    t.match(out.consent, { needed: true, inForce: { decision: 'declined' } });
    await answer(out, 'declined');
    const outOk = await k.post(`/api/kiosk/attempts/${out.attemptId}/override`, { username: 'admin', password: PASSWORDS.admin, reason: DECLINED_FACE_REASON });
    t.match(outOk.body, { decision: 'checked_out', hours: 3, by: 'admin' });
    t.equal(JSON.parse(audits('training.check_out.confirmed')[0]!.detail).reason, DECLINED_FACE_REASON, 'the preset reason is kept as it is');
  },
);
