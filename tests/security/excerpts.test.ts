// Excerpt downloads are bounded (config media.excerpts): each is an ffmpeg reading the span plus a
// temporary MP4 as large, held until its download ends, so how many run per person and overall, how long
// a span and how many bytes one may hold are limited, and a refusal says which bound and what to do.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, ValidationError } from '../../core/index.ts';
import type { Excerpt } from '../../media/playback.ts';
import { login, PASSWORDS, testApp } from '../helpers.ts';

t.test('excerpts: per person and overall at once, span length and size, with refusals in words', async (t) => {
  const app = await testApp(t, { extraYaml: 'media: { excerpts: { perUser: 1, atOnce: 2, maxMinutes: 10, maxMiB: 1 } }\n' });
  const mediaDir = app.media.disk().path;
  mkdirSync(join(mediaDir, 'cam1'), { recursive: true });
  // One real 3-second MPEG-TS segment (what the recorder writes), indexed as the recorder would.
  const made = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10',
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-g',
    '10',
    '-f',
    'mpegts',
    '-y',
    join(mediaDir, 'cam1', 'a.ts'),
  ]);
  t.equal(made.status, 0, String(made.stderr));
  const t0 = Date.now() - 3600_000;
  app.media.store.addSegment({ sourceId: 'cam1', start: t0, end: t0 + 3000, bytes: statSync(join(mediaDir, 'cam1', 'a.ts')).size, path: 'cam1/a.ts' });
  // A segment the index says is 3 MiB: more than one excerpt may hold here (maxMiB 1).
  app.media.store.addSegment({ sourceId: 'cam1', start: t0 + 60_000, end: t0 + 63_000, bytes: 3 * 1024 ** 2, path: 'cam1/a.ts.big' });
  const cut = (who: string) => app.media.playback.excerpt('cam1', t0, t0 + 3000, who);

  const held: Excerpt[] = [];
  t.teardown(() => Promise.all(held.map((e) => e.cleanup())));
  held.push(await cut('invig'));
  t.ok(statSync(held[0]!.file).size > 0, 'a first excerpt is cut');
  const again = await cut('invig').catch((e: unknown) => e);
  t.type(again, Conflict, 'a second one for the same person while the first is held is refused');
  t.match((again as Conflict).message, /already has 1 excerpt being cut or downloaded \(at most 1 per person at a time\): wait for it to finish/);
  t.equal((again as Conflict).code, 'excerpt_busy');

  held.push(await cut('gd'));
  const third = await cut('admin').catch((e: unknown) => e);
  t.type(third, Conflict, 'a third at once, from anyone, is refused');
  t.match((third as Conflict).message, /2 excerpts are being cut or downloaded on this appliance \(at most 2 at a time\): try again when one has finished/);
  t.equal((third as Conflict).code, 'excerpts_busy');

  await held.shift()!.cleanup();
  held.push(await cut('admin'));
  t.pass('a slot is free again once a download has ended');

  // Over HTTP, while admin and gd hold both slots: 409 with the words.
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const busy = await app.inject({ url: `/api/media/sources/cam1/excerpt?from=${t0}&to=${t0 + 3000}`, headers: { cookie: admin } });
  t.equal(busy.statusCode, 409);
  t.match(busy.json().message, /at most/);
  for (const e of held.splice(0)) await e.cleanup();
  const ok = await app.inject({ url: `/api/media/sources/cam1/excerpt?from=${t0}&to=${t0 + 3000}`, headers: { cookie: admin } });
  t.equal(ok.statusCode, 200, 'with the slots free the download works');
  t.equal(ok.headers['content-type'], 'video/mp4');
  // inject has read the whole body: the stream's close released the slot.
  await new Promise((r) => setTimeout(r, 200));
  const after = await cut('admin');
  held.push(after);
  t.pass("the download's end released its slot");
  for (const e of held.splice(0)) await e.cleanup();

  const long = await app.inject({ url: `/api/media/sources/cam1/excerpt?from=${t0}&to=${t0 + 11 * 60_000}`, headers: { cookie: admin } });
  t.equal(long.statusCode, 400, 'a span over maxMinutes is refused');
  t.match(long.json().message, /an excerpt is at most 10 minutes; download longer spans in parts/);
  const big = await app.media.playback.excerpt('cam1', t0 + 59_000, t0 + 64_000, 'admin').catch((e: unknown) => e);
  t.type(big, ValidationError, 'a span holding more than maxMiB is refused');
  t.match((big as ValidationError).message, /this span holds 3 MiB of recording, and an excerpt is at most 1 MiB; download it in shorter parts/);
  const free = await cut('admin');
  await free.cleanup();
  t.pass('a refusal for size or length holds no slot');
});
