// Identity alerts from the real kiosk and seat re-check, with the real face engine: a refusal at the
// entrance, the staff override that follows, and a terminal snapshot of someone else at the seat.
import t from 'tap';
import { PASSWORDS, pairDevice } from '../helpers.ts';
import { Term } from '../terminal/fixture.ts';
import { P, abizaidFrames, face, kioskSite, toledoFrames } from '../kiosk/fixture.ts';

t.test('a refusal at the kiosk and the override after it each raise an alert for the room', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const refused = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await abizaidFrames(look.body.challenge) });
  t.equal(refused.body.reason, 'mismatch');
  const [mismatch] = k.app.proctor.alerts.list({ rooms: ['R1'] });
  t.match(mismatch, {
    kind: 'kiosk_mismatch',
    severity: 'critical',
    roomId: 'R1',
    sessionId: k.sessionId,
    idNumber: P.toledo,
    event: 'identity.refused',
    params: { reason: 'mismatch', kioskId: 'K1', attemptId: look.body.attemptId },
  });
  t.match(mismatch!.text.zh, /入口核验：托莱多.*人脸与照片不符/);

  const ok = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/override`, {
    username: 'invig',
    password: PASSWORDS.invig,
    reason: '照片为旧照，已核对身份证原件',
  });
  t.equal(ok.status, 200);
  const override = k.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'kiosk_override');
  t.match(override, { severity: 'info', event: 'identity.override', params: { by: 'user:invig', reason: '照片为旧照，已核对身份证原件' } });
  t.equal(override!.seat, ok.body.seat, 'the override names the seat the candidate goes to');
  t.equal(k.app.proctor.alerts.list({ rooms: ['R2'] }).length, 0, 'R2 hears nothing of R1’s entrance');
});

t.test('a terminal snapshot of someone else at the seat raises seat_mismatch', async (t) => {
  const k = await kioskSite(t, { listen: true });
  const db = k.app.ctx.db;
  db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ? AND seat = ?').run(k.sessionId, '01');
  db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run('01', k.sessionId, P.toledo);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  const v = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(v.body.seat, '01', v.body.detail);
  const token = await pairDevice(k.app, 'terminal', 'T1', await k.as('admin'));
  const term = await Term.open(t, (k.app.server.address() as { port: number }).port, token);
  const ticket = k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.ticketNo;
  await term.ask({ type: 'login', credential: ticket }, 'logged_in');
  term.send({ type: 'snapshot', jpegBase64: face('John_Abizaid_0003.jpg').toString('base64') });
  const r = await term.take('snapshot_result', 60_000);
  t.equal(r.identity, 'mismatch');
  const alerts = k.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'seat_mismatch');
  t.equal(alerts.length, 1, 'seat.check and terminal.snapshot of one snapshot make one alert');
  t.match(alerts[0], { seat: '01', terminalId: 'T1', idNumber: P.toledo, severity: 'critical', repeats: 2, params: { snapshotId: r.snapshotId } });
});
