// The server's account of each kiosk attempt, on a real SQLite file: how many face checks a person has used
// and may still make (counted from identity_attempts, so a reloaded kiosk page starts nowhere new), the
// outcome of attempts the person left (cancelled) or nobody finished (expired), and that the face guide's
// frames are processed only for an attempt whose person accepted the notice. No face is compared here:
// refusals are the face guide's give-ups and the candidate has no roster photo, so no face engine loads.
import t from 'tap';
import { identityChecksOf } from '../../kiosk/index.ts';
import { PASSWORDS } from '../helpers.ts';
import { P, acceptNotice, face, kioskSite } from './fixture.ts';

const ID = P.nophoto;
const frame = face('Alejandro_Toledo_0027.jpg').toString('base64');

type Site = Awaited<ReturnType<typeof kioskSite>>;
const row = (k: Site, id: string) =>
  k.app.ctx.db.prepare('SELECT decision, reason, detail, decided_at AS decidedAt FROM identity_attempts WHERE id = ?').get(id) as {
    decision: string | null;
    reason: string | null;
    detail: string | null;
    decidedAt: number | null;
  };
const audits = (k: Site, action: string) =>
  (
    k.app.ctx.db.prepare('SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as {
      actor: string;
      target: string;
      detail: string;
    }[]
  ).map((a) => ({ ...a, detail: JSON.parse(a.detail) as Record<string, unknown> }));

t.test('face checks are counted per person and session by the server; past the limit it refuses more face work and staff decide', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false });
  // Three page loads: each a fresh lookup, each face guide giving up. The count carries over all the same.
  const seen: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
    t.same(look.body.faceAttempts, { used: i, limit: 3, left: 3 - i }, `lookup ${i + 1} says ${i} used, ${3 - i} left`);
    const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/give-up`, { waitedSeconds: 45, lastHint: 'no_face' });
    t.equal(r.status, 200);
    seen.push([r.body.faceAttempts, r.body.retryAllowed]);
  }
  t.same(
    seen,
    [
      [{ used: 1, limit: 3, left: 2 }, true],
      [{ used: 2, limit: 3, left: 1 }, true],
      [{ used: 3, limit: 3, left: 0 }, false],
    ],
    'each refusal says the face checks used and left (this one counted); the third allows no retry',
  );

  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  t.equal(look.body.ok, true, 'the lookup still opens an attempt: staff admit on it');
  t.same(look.body.faceAttempts, { used: 3, limit: 3, left: 0 });
  const url = `/api/kiosk/attempts/${look.body.attemptId}`;
  for (const [what, r] of [
    ['quality', await k.post('/api/kiosk/quality', { attemptId: look.body.attemptId, frame })],
    ['give-up', await k.post(`${url}/give-up`, { waitedSeconds: 45, lastHint: 'no_face' })],
    ['verify', await k.post(`${url}/verify`, { frames: [frame, frame, frame] })],
  ] as const) {
    t.equal(r.status, 409, `${what} is refused`);
    t.match(r.body, { error: 'face_attempts_used', params: { used: 3, limit: 3 }, message: /used all 3 face checks.*staff decide.*override/ });
  }
  t.match(row(k, look.body.attemptId), { decision: null }, 'the refusals changed nothing');
  const ov = await k.post(`${url}/override`, { username: 'invig', password: PASSWORDS.invig, reason: '三次人脸核验未通过，已核对身份证原件' });
  t.equal(ov.status, 200, 'staff admit at the desk');
  t.match(row(k, look.body.attemptId), { decision: 'overridden' });
});

t.test('the face-check limit is the config identity.faceAttempts', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false, configure: (c) => (c.identity = { ...c.identity, faceAttempts: 1 }) });
  const first = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  t.same(first.body.faceAttempts, { used: 0, limit: 1, left: 1 });
  const r = await k.post(`/api/kiosk/attempts/${first.body.attemptId}/give-up`, { waitedSeconds: 10, lastHint: 'too_dark' });
  t.match(r.body, { retryAllowed: false, faceAttempts: { used: 1, limit: 1, left: 0 } });
});

t.test('an attempt left at the notice or the face guide is recorded as cancelled, audited, and uses no face check', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false, consent: 'ask' });
  const atNotice = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  const bad = await k.post(`/api/kiosk/attempts/${atNotice.body.attemptId}/cancel`, { stage: 'lunch', by: 'person' });
  t.equal(bad.status, 400, 'an unknown stage is refused');
  t.equal(row(k, atNotice.body.attemptId).decision, null, 'and changes nothing');
  const c = await k.post(`/api/kiosk/attempts/${atNotice.body.attemptId}/cancel`, { stage: 'notice', by: 'person' });
  t.equal(c.status, 200);
  t.match(c.body, { ok: true, attemptId: atNotice.body.attemptId, decision: 'cancelled' });
  t.match(row(k, atNotice.body.attemptId), { decision: 'cancelled', reason: 'notice', detail: /the person left at the face-recognition notice/ });
  t.equal((await k.post(`/api/kiosk/attempts/${atNotice.body.attemptId}/cancel`, { stage: 'notice', by: 'person' })).status, 409, 'decided once');

  const atGuide = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  await acceptNotice(k.app, k.headers, atGuide.body);
  await k.post(`/api/kiosk/attempts/${atGuide.body.attemptId}/cancel`, { stage: 'face_guide', by: 'timer' });
  t.match(row(k, atGuide.body.attemptId), { decision: 'cancelled', reason: 'face_guide', detail: /returned to its idle screen by itself at the face guide/ });
  const v = await k.post(`/api/kiosk/attempts/${atGuide.body.attemptId}/verify`, { frames: [frame, frame, frame] });
  t.equal(v.status, 409, 'a cancelled attempt takes no face');

  t.match(
    audits(k, 'kiosk.attempt.cancelled'),
    [
      { actor: 'device:K1', target: k.sessionId, detail: { attemptId: atNotice.body.attemptId, stage: 'notice', by: 'person', idNumber: /\*{8}/ } },
      { actor: 'device:K1', target: k.sessionId, detail: { attemptId: atGuide.body.attemptId, stage: 'face_guide', by: 'timer' } },
    ],
    'audited as the kiosk, like its other decisions',
  );
  const again = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  t.same(again.body.faceAttempts, { used: 0, limit: 3, left: 3 }, 'a cancelled attempt is no face check used');
  const other = await k.app.inject({
    method: 'POST',
    url: `/api/kiosk/attempts/${again.body.attemptId}/cancel`,
    headers: { authorization: `Bearer nope` },
    payload: { stage: 'notice', by: 'person' },
  });
  t.equal(other.statusCode, 401, 'only the kiosk cancels');
});

t.test('an attempt nobody finished is marked expired after its expiry, audited, and shows so to staff and in the person file', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false });
  const left = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  // attemptMinutes 5, then two minutes' grace for a late report from the kiosk.
  k.clock.advance(6 * 60_000);
  const staff = { cookie: await k.as('admin') };
  const early = await k.app.inject({ method: 'GET', url: `/api/kiosk/attempts?sessionId=${k.sessionId}`, headers: staff });
  t.match(early.json(), [{ id: left.body.attemptId, decision: null }], 'within the grace it is still open');
  k.clock.advance(2 * 60_000);
  const list = await k.app.inject({ method: 'GET', url: `/api/kiosk/attempts?sessionId=${k.sessionId}`, headers: staff });
  t.match(list.json(), [{ id: left.body.attemptId, decision: 'expired', reason: 'expired' }], 'the staff list reads it expired');
  t.match(row(k, left.body.attemptId), { decision: 'expired', detail: /nobody finished the attempt: it expired at 2026-03-10 08:35/ });
  t.match(audits(k, 'kiosk.attempt.expired'), [{ actor: 'system', target: k.sessionId, detail: { attemptId: left.body.attemptId, kioskId: 'K1' } }]);
  t.match(
    identityChecksOf(k.app.ctx.db, ID),
    [{ id: left.body.attemptId, decision: 'expired' }],
    "the person file's record says expired, not a hanging attempt",
  );
  t.equal(k.app.kiosk.identity.expireStale(), 0, 'marked once');

  // A face guide that gave up while the network was down reports late: its timed-out refusal is the truer outcome.
  const late = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  k.clock.advance(8 * 60_000);
  t.equal(k.app.kiosk.identity.expireStale(), 1);
  const r = await k.post(`/api/kiosk/attempts/${late.body.attemptId}/give-up`, { waitedSeconds: 45, lastHint: 'camera_down' });
  t.equal(r.status, 200);
  t.match(row(k, late.body.attemptId), { decision: 'refused', reason: 'timed_out' });
});

t.test("the face guide's frames are processed only for an open attempt whose person accepted the notice", async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false, consent: 'ask' });
  const none = await k.post('/api/kiosk/quality', { frame });
  t.equal(none.status, 400, 'a frame without its attempt is refused');
  t.match(none.body.message, /attemptId/);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: ID });
  const before = await k.post('/api/kiosk/quality', { attemptId: look.body.attemptId, frame });
  t.equal(before.status, 409, 'before the person chose');
  t.match(before.body.message, /has not been shown the face-recognition notice.*before any capture/);
  const n = look.body.consent.notice.zh;
  await k.post(`/api/kiosk/attempts/${look.body.attemptId}/consent`, { decision: 'declined', noticeVersion: n.version, noticeSha256: n.sha256, lang: 'zh' });
  const declined = await k.post('/api/kiosk/quality', { attemptId: look.body.attemptId, frame });
  t.equal(declined.status, 409, 'after a decline');
  t.match(declined.body.message, /declined face recognition/);
  const unknown = await k.post('/api/kiosk/quality', { attemptId: 'a_nope', frame });
  t.equal(unknown.status, 404, 'an attempt that does not exist');
  // The engine would load on the first frame it analysed: none was, so none loaded.
  t.equal(k.app.kiosk.identity.store.attempt(look.body.attemptId)?.decision ?? null, null);
});
