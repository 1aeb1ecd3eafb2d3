// What staff see: roster photos the engine refuses (before the exam day), attempts with their scores,
// and captures (each view audited).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import sharp from 'sharp';
import { csv, person } from '../exam/plans-fixture.ts';
import { scratchDir } from '../helpers.ts';
import { FACES, P, face, kioskSite, toledoFrames } from './fixture.ts';

t.test('a roster photo without a usable face is reported with its reason right after the import', async (t) => {
  const k = await kioskSite(t);
  const dir = scratchDir(t);
  writeFileSync(
    join(dir, 'grey.jpg'),
    await sharp({ create: { width: 300, height: 400, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .jpeg()
      .toBuffer(),
  );
  copyFileSync(join(FACES, 'John_Abizaid_0003.jpg'), join(dir, 'ok.jpg'));
  const plans = k.app.exam.plans;
  const plan = plans.listPlans()[0]!;
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T16:00', templateId: plans.session(k.sessionId).templateId }, 'user:admin');
  await plans.importRoster(
    s.id,
    {
      bytes: csv([person(7, '灰照片', { photo: 'grey.jpg' }), person(8, '好照片', { photo: 'ok.jpg' }), person(9, '没照片')]),
      filename: 'r.csv',
      photosDir: dir,
    },
    'user:admin',
  );
  await k.app.kiosk.identity.idle();
  const r = await k.app.inject({ url: `/api/kiosk/enrolments?sessionId=${s.id}`, headers: { cookie: await k.as('invig') } });
  t.equal(r.statusCode, 200);
  const byName = Object.fromEntries((r.json() as { name: string; status: string; reason: string | null }[]).map((e) => [e.name, [e.status, e.reason]]));
  t.same(byName, { 灰照片: ['refused', 'no_face'], 好照片: ['ok', null], 没照片: ['no_photo', null] });
  const other = await k.app.inject({ url: `/api/kiosk/enrolments?sessionId=${s.id}`, headers: { cookie: await k.as('invig2') } });
  t.equal(other.statusCode, 403, 'an invigilator of another room does not see it');

  // After the person's erasure request the held session's photo stays (evidence), its template does not:
  // the roster says so (not "pending" for ever), and enrolling again makes no new template.
  k.app.ctx.db.prepare("UPDATE exam_sessions SET status = 'graded' WHERE id = ?").run(s.id);
  const good = plans.roster(s.id).find((e) => e.name === '好照片')!;
  t.match(k.app.records.privacy.erase(good.idNumber, '本人书面申请', { actor: 'user:admin' }).deleted, { enrolments: 1 });
  const statusOf = async () =>
    (
      (await k.app.inject({ url: `/api/kiosk/enrolments?sessionId=${s.id}`, headers: { cookie: await k.as('invig') } })).json() as {
        name: string;
        status: string;
      }[]
    ).find((e) => e.name === '好照片')!.status;
  t.equal(await statusOf(), 'erased');
  await k.app.kiosk.identity.enrolSession(s.id, { refresh: true });
  t.equal(await statusOf(), 'erased', 'enrol again leaves an erased template deleted');
  t.equal(k.app.ctx.db.prepare('SELECT descriptor FROM face_enrolments WHERE photo = ?').pluck().get(good.photo), null);
});

t.test('attempts list their scores; a capture is shown to staff and every view is audited', async (t) => {
  const k = await kioskSite(t);
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  const invig = await k.as('invig');
  const list = await k.app.inject({ url: `/api/kiosk/attempts?sessionId=${k.sessionId}`, headers: { cookie: invig } });
  t.equal(list.statusCode, 200);
  const [a] = list.json() as { id: string; decision: string; distance: number; idNumber: string; captureExpiresAt: string }[];
  t.equal(a!.id, look.body.attemptId);
  t.equal(a!.decision, 'admitted');
  t.ok(a!.distance > 0);
  t.notOk(a!.idNumber.includes(P.toledo.slice(6, 14)), 'masked');
  t.equal(a!.captureExpiresAt.slice(0, 10), '2029-03-10', '1,096 days after 2026-03-10');
  const cap = await k.app.inject({ url: `/api/kiosk/attempts/${a!.id}/capture`, headers: { cookie: invig } });
  t.equal(cap.statusCode, 200);
  t.equal(cap.headers['content-type'], 'image/jpeg');
  t.ok(cap.rawPayload.equals(face('Alejandro_Toledo_0027.jpg')));
  const views = k.app.ctx.db.prepare("SELECT actor, target FROM audit_log WHERE action = 'kiosk.capture.view'").all();
  t.same(views, [{ actor: 'user:invig', target: a!.id }]);
  const invig2 = await k.as('invig2');
  t.equal((await k.app.inject({ url: `/api/kiosk/attempts/${a!.id}/capture`, headers: { cookie: invig2 } })).statusCode, 403);
  const mine = await k.app.inject({ url: '/api/kiosk/attempts', headers: { cookie: invig2 } });
  t.same(mine.json(), [], 'without a session named, an invigilator sees only their rooms');
});
