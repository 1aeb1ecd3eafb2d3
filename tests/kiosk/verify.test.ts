// The face at the kiosk with the real engine and real LFW photos: admitted, refused (another person),
// liveness refused (a still photo held up), no usable reference, and the capture kept for 1,096 days.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { EventMap } from '../../core/index.ts';
import { P, abizaidFrames, face, kioskSite, toledoFrames } from './fixture.ts';
import { PASSWORDS } from '../helpers.ts';
import { DESCRIPTOR_VERSION, FACE_MODEL_ID } from '../../kiosk/face/index.ts';

const DAY = 86_400_000;

t.test('admitted: the live face matches the roster photo; seat given, capture and scores stored, audited', async (t) => {
  const k = await kioskSite(t);
  const events: EventMap['identity.verified'][] = [];
  k.app.ctx.bus.on('identity.verified', (e) => events.push(e));
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  t.equal(look.body.ok, true);
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(r.status, 200);
  t.equal(r.body.ok, true, r.body.detail);
  t.equal(r.body.decision, 'admitted');
  t.equal(r.body.seat, look.body.seat);
  t.equal(r.body.roomId, 'R1');
  t.ok(r.body.distance <= r.body.threshold, `distance ${r.body.distance} within ${r.body.threshold}`);
  const entry = k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!;
  t.equal(entry.status, 'admitted');
  const row = k.app.ctx.db.prepare('SELECT * FROM identity_attempts WHERE id = ?').get(look.body.attemptId) as Record<string, unknown>;
  t.equal(row.decision, 'admitted');
  t.equal(row.distance, r.body.distance);
  t.equal(row.threshold, r.body.threshold);
  t.ok(row.probe_descriptor, 'the descriptor of the face that entered is kept for seat re-checks');
  t.equal(row.capture, `kiosk/2026-03-10/${look.body.attemptId}.jpg`);
  const file = join(k.app.ctx.paths.captures, row.capture as string);
  t.ok(existsSync(file), 'capture stored under captures/');
  t.ok(k.app.exam.deps.faceVault.readFile(file).equals(face('Alejandro_Toledo_0027.jpg')), 'the capture (sealed) is the frontal frame that was compared');
  t.equal(row.capture_expires_at, (row.decided_at as number) + 1096 * DAY, 'kept as long as video: 1,096 days');
  const audit = k.app.ctx.db
    .prepare("SELECT actor, action FROM audit_log WHERE action IN ('kiosk.verify.admitted', 'exam.candidate.admit') ORDER BY seq")
    .all();
  t.same(audit, [
    { actor: 'device:K1', action: 'exam.candidate.admit' },
    { actor: 'device:K1', action: 'kiosk.verify.admitted' },
  ]);
  t.equal(events.length, 1);
  t.equal(events[0]!.seat, r.body.seat);
  const again = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(again.status, 409, 'a decided attempt is not decided again');
  const state = await k.get('/api/kiosk/state');
  t.equal(state.body.sessions[0].admitted, 1);
});

t.test("a capture's SHA-256 is of the file as stored (sealed), kept with the attempt for the object-store tier", async (t) => {
  const k = await kioskSite(t);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  // Admitted and refused attempts both keep their capture, so both keep its hash.
  for (const [who, frames] of [
    [P.toledo, toledoFrames],
    [P.abizaid, toledoFrames],
  ] as const) {
    const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: who });
    await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await frames(look.body.challenge) });
    const row = k.app.ctx.db.prepare('SELECT capture, capture_sha256 FROM identity_attempts WHERE id = ?').get(look.body.attemptId) as {
      capture: string;
      capture_sha256: string | null;
    };
    const stored = readFileSync(join(k.app.ctx.paths.captures, row.capture));
    t.equal(row.capture_sha256, sha(stored), `${who}: the hash of the capture file on disk`);
    t.not(row.capture_sha256, sha(k.app.exam.deps.faceVault.readFile(join(k.app.ctx.paths.captures, row.capture))), 'not the plain image');
  }
});

t.test('refused: another person in front of the camera', async (t) => {
  const k = await kioskSite(t);
  const refused: EventMap['identity.refused'][] = [];
  k.app.ctx.bus.on('identity.refused', (e) => refused.push(e));
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await abizaidFrames(look.body.challenge) });
  t.equal(r.body.ok, false, r.body.detail);
  t.equal(r.body.reason, 'mismatch');
  t.ok(r.body.distance > r.body.threshold, `distance ${r.body.distance} above ${r.body.threshold}`);
  t.equal(r.body.retryAllowed, true);
  t.same(r.body.faceAttempts, { used: 1, limit: 3, left: 2 }, 'the server counts the face checks used and left');
  t.match(r.body.facts, { challenge: null, liveness: null, frame: null, rosterPhoto: null, rosterWarnings: [], cardDistance: null, cardPhotoUnused: null });
  t.equal(k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.status, 'registered', 'not admitted');
  const row = k.app.ctx.db.prepare('SELECT decision, reason, capture FROM identity_attempts WHERE id = ?').get(look.body.attemptId) as Record<string, unknown>;
  t.same(row, { decision: 'refused', reason: 'mismatch', capture: `kiosk/2026-03-10/${look.body.attemptId}.jpg` }, 'a refused attempt keeps its capture too');
  t.equal(refused.length, 1);
  const audit = k.app.ctx.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'kiosk.verify.refused'").get() as { n: number };
  t.equal(audit.n, 1);
});

t.test('refused: a still photo replayed as frames fails liveness', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const still = face('Alejandro_Toledo_0027.jpg').toString('base64');
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: [still, still, still, still, still, still] });
  t.equal(r.body.ok, false);
  t.equal(r.body.reason, 'liveness', r.body.detail);
  t.match(r.body.detail, new RegExp(look.body.challenge));
  t.match(r.body.facts, { challenge: look.body.challenge, liveness: 'no_motion' }, 'the figures for staff words: the challenge asked and what was seen');
  t.equal(k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.status, 'registered');
  // The same person's frames with the turn the OTHER way do not pass either.
  const look2 = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const other = look2.body.challenge === 'turn_left' ? 'turn_right' : 'turn_left';
  const r2 = await k.post(`/api/kiosk/attempts/${look2.body.attemptId}/verify`, { frames: await toledoFrames(other) });
  t.equal(r2.body.reason, 'liveness', 'turning the wrong way is not the challenge');
});

t.test('refused: no roster photo to compare with; staff must decide', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.nophoto });
  t.equal(look.body.candidate.hasPhoto, false);
  t.equal(look.body.candidate.photoUrl, null);
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(r.body.reason, 'no_reference');
  t.equal(r.body.retryAllowed, false);
  t.equal(r.body.facts.rosterPhoto, 'missing');
});

t.test('timed out: a face guide that saw no usable face ends the attempt in a recorded, audited refusal; staff can still admit', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const refused: EventMap['identity.refused'][] = [];
  k.app.ctx.bus.on('identity.refused', (e) => refused.push(e));
  const state = await k.get('/api/kiosk/state');
  t.same(state.body.limits, { faceSeconds: 45 }, 'the kiosk is told how long to wait (identity.kioskFaceSeconds, default 45)');
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const url = `/api/kiosk/attempts/${look.body.attemptId}/give-up`;

  const bad = await k.post(url, { waitedSeconds: 45, lastHint: 'bored' });
  t.equal(bad.status, 400, 'an unknown hint is refused');
  const row = () =>
    k.app.ctx.db.prepare('SELECT decision, reason, detail, decided_at AS decidedAt FROM identity_attempts WHERE id = ?').get(look.body.attemptId) as {
      decision: string | null;
      reason: string | null;
      detail: string | null;
      decidedAt: number | null;
    };
  t.equal(row().decidedAt, null, 'and changes nothing');

  // Past the attempt's expiry too: a kiosk that lost its network while waiting still gets it on record.
  k.clock.advance(6 * 60_000);
  const r = await k.post(url, { waitedSeconds: 45, lastHint: 'no_face' });
  t.equal(r.status, 200);
  t.match(r.body, { ok: false, decision: 'refused', reason: 'timed_out', retryAllowed: true, distance: null, message: /人脸/ });
  t.match(r.body.detail, /within 45 s.*no face found \(no_face\)/, 'the detail says how long and what the guide last saw');
  t.match(r.body.facts, { waitedSeconds: 45, lastHint: 'no_face' }, 'and the figures say it for staff words');
  t.match(row(), { decision: 'refused', reason: 'timed_out' });
  const audit = k.app.ctx.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'kiosk.verify.refused'").all() as { actor: string; detail: string }[];
  t.equal(audit.length, 1, 'audited like any refusal');
  t.match(JSON.parse(audit[0]!.detail), { attemptId: look.body.attemptId, reason: 'timed_out', detail: /no_face/ });
  t.match(refused, [{ attemptId: look.body.attemptId, reason: 'timed_out' }], 'and raised for the proctor like any refusal');

  t.equal((await k.post(url, { waitedSeconds: 45, lastHint: 'no_face' })).status, 409, 'decided once');
  t.equal((await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) })).status, 409);

  const ov = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/override`, {
    username: 'invig',
    password: PASSWORDS.invig,
    reason: '摄像头故障，已核对身份证原件',
  });
  t.equal(ov.status, 200, 'staff admit after a timeout');
  t.match(row(), { decision: 'overridden', reason: 'timed_out' }, 'the override keeps the refusal it overrode');
});

t.test('bad frames are refused before anything is decided', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const two = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: ['/9j/4AAQ', '/9j/4AAQ'] });
  t.equal(two.status, 400);
  t.match(two.body.message, /3 to 20 frames/);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString('base64');
  const notJpeg = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: [png, png, 'data:image/jpeg;base64,xx'] });
  t.equal(notJpeg.status, 400);
  t.same(
    notJpeg.body.problems.map((p: { path: string }) => p.path),
    ['body.frames[0]', 'body.frames[1]', 'body.frames[2]'],
  );
  const row = k.app.ctx.db.prepare('SELECT decided_at FROM identity_attempts WHERE id = ?').get(look.body.attemptId) as { decided_at: number | null };
  t.equal(row.decided_at, null);
  k.clock.advance(6 * 60_000);
  const late = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(late.status, 409);
  t.match(late.body.message, /expired/);
  const elsewhere = await k.app.inject({
    method: 'POST',
    url: `/api/kiosk/attempts/a_nope/verify`,
    headers: k.headers,
    payload: { frames: await toledoFrames('turn_left') },
  });
  t.equal(elsewhere.statusCode, 404);
});

t.test('quality hints for the live guide, rate-limited per kiosk', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const attemptId = look.body.attemptId as string;
  const good = await k.post('/api/kiosk/quality', { attemptId, frame: face('Alejandro_Toledo_0027.jpg').toString('base64') });
  t.equal(good.status, 200);
  t.equal(good.body.face, true);
  t.equal(good.body.faces, 1);
  t.equal(good.body.imageWidth, 250);
  t.notOk(good.body.hints.includes('no_face'));
  const sharpMod = (await import('sharp')).default;
  const empty = await sharpMod({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .jpeg()
    .toBuffer();
  const none = await k.post('/api/kiosk/quality', { attemptId, frame: empty.toString('base64') });
  t.same(none.body.hints, ['no_face']);
  const small = await sharpMod({ create: { width: 1000, height: 750, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: face('Alejandro_Toledo_0027.jpg'), left: 375, top: 250 }])
    .jpeg()
    .toBuffer();
  const far = await k.post('/api/kiosk/quality', { attemptId, frame: small.toString('base64') });
  t.ok(far.body.hints.includes('too_small'), JSON.stringify(far.body.hints));
  const codes: number[] = [];
  for (let i = 0; i < 6; i++)
    codes.push((await k.app.inject({ method: 'POST', url: '/api/kiosk/quality', headers: k.headers, payload: { attemptId, frame: 'AAAA' } })).statusCode);
  t.ok(codes.includes(429), `more than 5 a second are refused (${codes.join(',')})`);
});

t.test('a double-tapped verify runs the face check once', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const frames = await toledoFrames(look.body.challenge);
  const [a, b] = await Promise.all([
    k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames }),
    k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames }),
  ]);
  t.same([a.status, b.status].sort(), [200, 409]);
  t.match([a, b].find((x) => x.status === 409)!.body.message, /being verified already/);
  t.equal([a, b].find((x) => x.status === 200)!.body.decision, 'admitted');
});

t.test('a roster descriptor stored by another descriptor model is enrolled again, not compared', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  t.equal(look.body.ok, true);
  // What an enrolment by another descriptor model looks like (current descriptor version, so only the
  // model id tells; dlib's chip had its own id when it was measured). Its descriptor is zeroed so that
  // trusting it would refuse Toledo as another person. (Older versions: isCurrentDescriptor in
  // face-eval.test.ts.)
  const db = k.app.ctx.db;
  // Enrolment at import runs in the background; the staff endpoint enrols the roster and answers after.
  const enrolled = await k.app.inject({ method: 'POST', url: `/api/kiosk/enrolments/${k.sessionId}`, headers: { cookie: await k.as('admin') } });
  t.equal(enrolled.statusCode, 200, enrolled.body);
  const before = db.prepare("SELECT photo, quality FROM face_enrolments WHERE status = 'ok'").all() as Array<{ photo: string; quality: string }>;
  t.ok(before.length > 0, 'roster photos were enrolled at import');
  for (const r of before) {
    const q = JSON.parse(r.quality) as Record<string, unknown>;
    t.same([q.descriptorVersion, q.modelId], [DESCRIPTOR_VERSION, FACE_MODEL_ID], `${r.photo} enrolled with the current model and version`);
    q.modelId = 'face-api-resnet128-dlibchip';
    db.prepare('UPDATE face_enrolments SET descriptor = zeroblob(512), quality = ? WHERE photo = ?').run(JSON.stringify(q), r.photo);
  }
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(r.body.decision, 'admitted', 'the stale descriptor was not used');
  const redone = db.prepare("SELECT quality FROM face_enrolments WHERE status = 'ok' AND json_extract(quality, '$.modelId') = ?").all(FACE_MODEL_ID);
  t.ok(redone.length >= 1, 'Toledo’s roster photo was enrolled again with the current model');
});
