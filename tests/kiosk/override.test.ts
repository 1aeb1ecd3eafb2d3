// Staff override at the kiosk desk, and the seat re-check of terminal snapshots, with the real engine.
import t from 'tap';
import sharp from 'sharp';
import type { EventMap } from '../../core/index.ts';
import { DEFAULT_THRESHOLD } from '../../kiosk/face/index.ts';
import { PASSWORDS, pairDevice } from '../helpers.ts';
import { Term } from '../terminal/fixture.ts';
import { P, abizaidFrames, face, kioskSite, toledoFrames } from './fixture.ts';

t.test('override after a refusal: the staff password is checked, the admission audited as the staff member via the kiosk', async (t) => {
  const k = await kioskSite(t);
  const overrides: EventMap['identity.override'][] = [];
  k.app.ctx.bus.on('identity.override', (e) => overrides.push(e));
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const refused = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await abizaidFrames(look.body.challenge) });
  t.equal(refused.body.reason, 'mismatch');
  const url = `/api/kiosk/attempts/${look.body.attemptId}/override`;

  const wrong = await k.post(url, { username: 'invig', password: 'not-the-password', reason: '照片为旧照，已核对身份证原件' });
  t.equal(wrong.status, 403);
  t.match(wrong.body.message, /wrong user name or password/);
  const failures = k.app.ctx.db.prepare("SELECT failures AS n FROM login_locks WHERE username = 'invig'").get() as { n: number };
  t.equal(failures.n, 1, 'counts toward the lockout');
  const otherRoom = await k.post(url, { username: 'invig2', password: PASSWORDS.invig2, reason: '照片为旧照，已核对身份证原件' });
  t.equal(otherRoom.status, 403);
  t.match(otherRoom.body.message, /room R1/);
  const short = await k.post(url, { username: 'invig', password: PASSWORDS.invig, reason: '  ok ' });
  t.equal(short.status, 400);
  t.equal(k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.status, 'registered', 'nothing admitted so far');

  const ok = await k.post(url, { username: 'invig', password: PASSWORDS.invig, reason: '照片为旧照，已核对身份证原件' });
  t.equal(ok.status, 200);
  t.equal(ok.body.decision, 'admitted');
  t.equal(ok.body.seat, look.body.seat);
  t.equal(ok.body.by, 'invig');
  t.equal(k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.status, 'admitted');
  const row = k.app.ctx.db
    .prepare('SELECT decision, reason, distance, override_by, override_reason FROM identity_attempts WHERE id = ?')
    .get(look.body.attemptId) as Record<string, unknown>;
  t.equal(row.decision, 'overridden');
  t.equal(row.reason, 'mismatch', 'the refusal it overrode stays on record');
  t.equal(row.distance, refused.body.distance);
  t.equal(row.override_by, 'user:invig');
  t.equal(row.override_reason, '照片为旧照，已核对身份证原件');

  const audit = k.app.ctx.db.prepare("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'kiosk.override%' ORDER BY seq").all() as {
    actor: string;
    action: string;
    detail: string;
  }[];
  t.same(
    audit.map((a) => [a.actor, a.action]),
    [
      ['device:K1', 'kiosk.override.refused'],
      ['user:invig2', 'kiosk.override.refused'],
      ['user:invig', 'kiosk.override'],
    ],
  );
  const detail = JSON.parse(audit[2]!.detail) as Record<string, unknown>;
  t.equal(detail.via, 'device:K1');
  t.equal(detail.reason, '照片为旧照，已核对身份证原件');
  t.equal(detail.refusal, 'mismatch');
  const admit = k.app.ctx.db.prepare("SELECT actor FROM audit_log WHERE action = 'exam.candidate.admit'").get() as { actor: string };
  t.equal(admit.actor, 'user:invig');
  t.equal(overrides.length, 1);
  t.equal(overrides[0]!.by, 'user:invig');
  // The password is confirmed, not used to log in at the kiosk: no session, no log-in/out pair in the audit.
  const sessionsOfInvig = k.app.ctx.db.prepare("SELECT COUNT(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'invig'").get() as {
    n: number;
  };
  t.equal(sessionsOfInvig.n, 0, 'no log-in session was made for the override');
  t.equal(
    (k.app.ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('user.login', 'user.logout') AND target = 'invig'").get() as { n: number }).n,
    0,
  );
  t.ok(
    k.app.ctx.audit.list({ action: 'user.login.failed' }).some((e) => e.target === 'invig'),
    'a wrong password at the kiosk counts like a failed log-in',
  );

  const twice = await k.post(url, { username: 'invig', password: PASSWORDS.invig, reason: '再次放行测试' });
  t.equal(twice.status, 409);
});

t.test('override without any face decision (no photo), by an admin', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.nophoto });
  const ok = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/override`, {
    username: 'admin',
    password: PASSWORDS.admin,
    reason: '无报名照片，人工核对身份证',
  });
  t.equal(ok.status, 200);
  const row = k.app.ctx.db.prepare('SELECT decision, reason, override_by FROM identity_attempts WHERE id = ?').get(look.body.attemptId);
  t.same(row, { decision: 'overridden', reason: 'override', override_by: 'user:admin' });
  // The staff member's check opened no session that outlives it.
  const sessions = k.app.ctx.db.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'admin')").get() as {
    n: number;
  };
  t.equal(sessions.n, 1, 'only the log-in the test fixture itself made');
});

t.test('a locked staff account is refused with 423', async (t) => {
  const k = await kioskSite(t, { enrolOnImport: false });
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.nophoto });
  const url = `/api/kiosk/attempts/${look.body.attemptId}/override`;
  for (let i = 0; i < 3; i++) t.equal((await k.post(url, { username: 'invig', password: 'wrong-wrong', reason: '测试锁定' })).status, 403);
  const locked = await k.post(url, { username: 'invig', password: PASSWORDS.invig, reason: '测试锁定' });
  t.equal(locked.status, 423);
});

t.test('seat re-check: the snapshot is compared with the face that entered, else the roster photo', async (t) => {
  const k = await kioskSite(t);
  const checks: EventMap['seat.check'][] = [];
  k.app.ctx.bus.on('seat.check', (e) => checks.push(e));
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const v = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(v.body.decision, 'admitted', v.body.detail);
  const check = (idNumber: string, jpeg: Buffer) =>
    k.app.kiosk.identity.checkSnapshot({ sessionId: k.sessionId, idNumber, jpeg, terminalId: 'T1', roomId: 'R1' });

  const same = await check(P.toledo, face('Alejandro_Toledo_0023.jpg'));
  t.equal(same.identity, 'match', same.detail);
  t.match(same.detail, /kiosk capture/);
  const other = await check(P.toledo, face('John_Abizaid_0002.jpg'));
  t.equal(other.identity, 'mismatch', other.detail);
  t.ok(other.distance! > DEFAULT_THRESHOLD);
  const empty = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .jpeg()
    .toBuffer();
  t.equal((await check(P.toledo, empty)).identity, 'no_face');
  const two = await sharp({ create: { width: 500, height: 250, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([
      { input: face('Alejandro_Toledo_0027.jpg'), left: 0, top: 0 },
      { input: face('John_Abizaid_0002.jpg'), left: 250, top: 0 },
    ])
    .jpeg()
    .toBuffer();
  t.equal((await check(P.toledo, two)).identity, 'several_faces');

  // Admitted by hand (no kiosk capture): the roster photo is the reference.
  k.app.terminal.admitCandidate(k.sessionId, P.abizaid, 'user:invig');
  const byRoster = await check(P.abizaid, face('John_Abizaid_0002.jpg'));
  t.equal(byRoster.identity, 'match', byRoster.detail);
  t.match(byRoster.detail, /roster photo/);
  // No capture and no photo: nothing to compare with.
  k.app.terminal.admitCandidate(k.sessionId, P.nophoto, 'user:invig');
  t.equal((await check(P.nophoto, face('John_Abizaid_0002.jpg'))).identity, 'unchecked');
  t.same(
    checks.map((c) => c.identity),
    ['match', 'mismatch', 'no_face', 'several_faces', 'match', 'unchecked'],
    'each check is an event for the proctor console',
  );
});

t.test('seat re-check: an admission capture described by an earlier model is passed over for the roster photo', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const v = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(v.body.decision, 'admitted', v.body.detail);
  // As an upgrade that changed the descriptor model leaves it: the capture's descriptor has the old length.
  const old = k.app.exam.deps.faceVault.sealDescriptor(new Float32Array(128).fill(0.05));
  k.app.ctx.db.prepare('UPDATE identity_attempts SET probe_descriptor = ? WHERE id = ?').run(old, look.body.attemptId);
  const same = await k.app.kiosk.identity.checkSnapshot({
    sessionId: k.sessionId,
    idNumber: P.toledo,
    jpeg: face('Alejandro_Toledo_0023.jpg'),
    terminalId: 'T1',
    roomId: 'R1',
  });
  t.equal(same.identity, 'match', same.detail);
  t.match(same.detail, /roster photo/);
});

t.test('seat re-check wired end to end: a terminal snapshot of the admitted candidate is answered match', async (t) => {
  const k = await kioskSite(t, { listen: true });
  const db = k.app.ctx.db;
  // Terminal T1 is seat 01 of R1; the draw is random, so Toledo is put there.
  db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ? AND seat = ?').run(k.sessionId, '01');
  db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run('01', k.sessionId, P.toledo);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const v = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(v.body.seat, '01', v.body.detail);
  const token = await pairDevice(k.app, 'terminal', 'T1', await k.as('admin'));
  const term = await Term.open(t, (k.app.server.address() as { port: number }).port, token);
  const ticket = k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.ticketNo;
  await term.ask({ type: 'login', credential: ticket }, 'logged_in');
  term.send({ type: 'snapshot', jpegBase64: face('Alejandro_Toledo_0023.jpg').toString('base64') });
  const r = await term.take('snapshot_result', 60_000);
  t.equal(r.identity, 'match');
  const row = db.prepare('SELECT identity, distance, detail FROM terminal_snapshots WHERE id = ?').get(r.snapshotId) as {
    identity: string;
    distance: number;
    detail: string;
  };
  t.equal(row.identity, 'match');
  t.ok(row.distance > 0 && row.distance <= DEFAULT_THRESHOLD);
  t.match(row.detail, /kiosk capture/);
});
