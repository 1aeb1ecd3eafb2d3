// The demo class (npm start) is held in R101: its lessons are recording windows of R101, and the held
// day's lesson video opens for its 班主任 with R101's camera and, the demo not having run then, no footage.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/index.ts';
import { seedTrainingDemo } from '../../training/index.ts';
import { buildTestApp, login, ROOT, scratchDir } from '../helpers.ts';

t.test('the demo class is held in R101 and its lessons are R101’s recording windows', async (t) => {
  const dir = scratchDir(t);
  const app = await buildTestApp({ config: loadConfig(join(ROOT, 'config/demo.yaml'), { dataDir: dir }) });
  t.teardown(() => app.close());
  const now = Date.now();
  const facesDir = fileURLToPath(new URL('../../exam/demo/faces/', import.meta.url));
  const demo = await seedTrainingDemo(app.training, { now, facesDir });
  const c = app.training.model.classRow(demo.classId)!;
  t.equal(c.roomId, 'R101');
  const held = app.training.model.lessonsOf(c.id).filter((l) => l.endsAt < now - 86_400_000 / 2)[0]!;
  t.ok(held, 'a held lesson yesterday');
  t.match(
    app.training.windows.windows(held.startsAt, held.endsAt).map((w) => w.room),
    ['R101'],
    'the held lesson is a recording window of R101',
  );

  const cookie = await login(app, 'banzhuren', 'demo-head-2026');
  const video = (await app.inject({ url: `/api/training/classes/${c.id}/lessons/${held.id}/video`, headers: { cookie } })).json();
  t.same(
    video.sources.filter((s: { id: string }) => s.id.startsWith('CAM-')).map((s: { id: string; segments: number }) => [s.id, s.segments]),
    [['CAM-R101-FRONT', 0]],
    'its video names R101’s camera, with no footage',
  );
  const rec = await app.inject({
    url: `/api/media/sources/CAM-R101-FRONT/recordings?from=${Date.parse(video.from)}&to=${Date.parse(video.to)}`,
    headers: { cookie },
  });
  t.equal(rec.statusCode, 200, 'the 班主任 may list it');
  t.same(
    rec.json().gaps.map((g: { reason: string }) => g.reason),
    ['no recording'],
    'and hears there is none',
  );

  // A demo seeded before the class had a room gets it at the next start.
  app.training.model.db.prepare('UPDATE training_classes SET room_id = NULL WHERE id = ?').run(c.id);
  t.equal((await seedTrainingDemo(app.training, { now, facesDir })).created, false);
  t.equal(app.training.model.classRow(c.id)!.roomId, 'R101', 'the existing demo class is moved into R101');
});
