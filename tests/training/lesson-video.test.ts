// A 班主任 plays their own class's lesson video and nothing else, over a real server on loopback: a real
// MPEG-TS segment (made by ffmpeg) inside a lesson of their class plays, and the view is audited; footage
// of the same camera outside the lesson window, of another room, or of another class's lesson is refused.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { localDate } from '../../core/index.ts';
import { dataPaths } from '../../storage/paths.ts';
import { buildTestApp, cheapHash, listenForTests, scratchDir, testConfig } from '../helpers.ts';

const PASS = 'head-pass-1234';

t.test('a 班主任 plays recordings of their own classes’ lessons only', async (t) => {
  const dir = scratchDir(t);
  const config = testConfig(
    dir,
    'cameras:\n  - { id: cam1, name: 一号前方, room: R1, url: "rtsp://127.0.0.1:9/none" }\n  - { id: cam2, name: 二号前方, room: R2, url: "rtsp://127.0.0.1:9/none" }\n',
  );
  config.users = [
    ...(config.users ?? []),
    { username: 'head1', role: 'headteacher', passwordHash: cheapHash(PASS) },
    { username: 'head2', role: 'headteacher', passwordHash: cheapHash(PASS) },
  ] as typeof config.users;
  const app = await buildTestApp({ config });
  t.teardown(() => app.close());
  const { base } = await listenForTests(app);

  // Two classes in R1 yesterday: head1's lesson in the morning, head2's in the afternoon.
  const tr = app.training;
  const yesterday = localDate(Date.now() - 86_400_000, tr.model.tz);
  const teacher = tr.classes.addTeacher({ name: '李老师', title: '讲师', qualification: '安全工程', registeredSafetyEngineer: false }, 'test');
  const lessonOf = (headteacher: string, start: string, end: string) => {
    const c = tr.classes.create(
      {
        name: `班-${headteacher}`,
        institution: '培训中心',
        category: 'principal',
        operationItem: 'general',
        startsOn: yesterday,
        endsOn: yesterday,
        roomId: 'R1',
        headteacher,
      },
      'test',
    );
    tr.timetable.add(tr.system, c.id, { day: yesterday, start, end, topic: '法规', teacherId: teacher.id, hours: 2 }, 'test');
    return { classId: c.id, lesson: tr.model.lessonsOf(c.id)[0]! };
  };
  const mine = lessonOf('head1', '08:30', '10:30');
  const theirs = lessonOf('head2', '14:00', '16:00');

  // One real 2-second MPEG-TS file, indexed as segments at the moments the rules are about.
  const media = dataPaths(dir).media;
  mkdirSync(join(media, 'x'), { recursive: true });
  const file = join(media, 'x', 'seg.ts');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'libx264', '-f', 'mpegts', '-y', file]);
  const bytes = statSync(file).size;
  const seg = (sourceId: string, start: number) => app.media.store.addSegment({ sourceId, start, end: start + 2000, bytes, path: 'x/seg.ts' }).id;
  const min = 60_000;
  const inMine = seg('cam1', mine.lesson.startsAt + 30 * min);
  const between = seg('cam1', mine.lesson.endsAt + 90 * min); // 12:00: after head1's window, before head2's
  const otherRoom = seg('cam2', mine.lesson.startsAt + 30 * min);
  const inTheirs = seg('cam1', theirs.lesson.startsAt + 30 * min);

  const login = async (username: string) => {
    const r = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASS }),
    });
    t.equal(r.status, 200, `${username} logs in`);
    return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  const head1 = await login('head1');
  const head2 = await login('head2');
  const get = (cookie: string, path: string) => fetch(base + path, { headers: { cookie } });

  const video = (await (await get(head1, `/api/training/classes/${mine.classId}/lessons/${mine.lesson.id}/video`)).json()) as {
    from: string;
    to: string;
    sources: { id: string; segments: number }[];
  };
  t.same(
    video.sources.filter((s) => s.segments > 0).map((s) => [s.id, s.segments]),
    [['cam1', 1]],
    "the lesson names its room's camera and the segment in its window",
  );
  const from = Date.parse(video.from);
  const to = Date.parse(video.to);

  t.test('the 班主任 plays a segment inside a lesson of their class, audited', async (t) => {
    const list = await get(head1, `/api/media/sources/cam1/recordings?from=${from}&to=${to}`);
    t.equal(list.status, 200);
    const rec = (await list.json()) as { segments: { id: number; url: string }[] };
    t.same(
      rec.segments.map((s) => s.id),
      [inMine],
    );
    const played = await get(head1, rec.segments[0]!.url);
    t.equal(played.status, 200);
    t.equal(played.headers.get('cache-control'), 'no-store', 'every fetch reaches the server, which audits it');
    t.same(Buffer.from(await played.arrayBuffer()), readFileSync(file), 'the segment as recorded');
    t.equal((await get(head1, `/api/media/sources/cam1/playlist.m3u8?from=${from}&to=${to}`)).status, 200, 'the playlist of the window');
    t.same(
      app.ctx.audit.list({ action: 'media.view.start' }).map((e) => [e.actor, e.target]),
      [['user:head1', 'cam1']],
      'the view is in the audit log',
    );
    const stop = await fetch(`${base}/api/media/sources/cam1/playback/stop`, { method: 'POST', headers: { cookie: head1 } });
    t.same(await stop.json(), { ended: true });
    t.equal(app.ctx.audit.list({ action: 'media.view.stop' }).at(-1)?.actor, 'user:head1', 'and so is its end');
  });

  t.test('outside the lesson window, another room or another class’s lesson is refused', async (t) => {
    const refused = async (path: string, what: string) => t.equal((await get(head1, path)).status, 403, what);
    await refused(`/api/media/segments/${between}.ts`, 'a segment of the same camera between lessons');
    await refused(`/api/media/sources/cam1/recordings?from=${from}&to=${to + 60 * min}`, 'a list reaching past the window');
    await refused(`/api/media/sources/cam1/playlist.m3u8?from=${from - 60 * min}&to=${to}`, 'a playlist starting before it');
    await refused(`/api/media/segments/${otherRoom}.ts`, 'a segment of another room’s camera in the same hours');
    await refused(`/api/media/sources/cam2/recordings?from=${from}&to=${to}`, 'another room’s list');
    await refused(`/api/media/segments/${inTheirs}.ts`, 'a segment inside another class’s lesson in the same room');
    await refused(`/api/media/sources/cam1/excerpt?from=${from}&to=${from + min}`, 'no excerpt download');
    await refused('/api/media/sources', 'no list of the sources');
    t.equal((await get(head2, `/api/media/segments/${inTheirs}.ts`)).status, 200, 'that lesson’s own 班主任 plays it');
    t.equal((await get(head2, `/api/media/segments/${inMine}.ts`)).status, 403, 'and not head1’s');
  });
});
