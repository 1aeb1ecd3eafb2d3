// End to end: a recording tiered to the object store plays in the proctor console like any other. A real
// Ceph RADOS Gateway on loopback (one cluster for the file) is the site's store; a session runs in R1,
// whose camera's footage (recorded by the real ffmpeg: H.264 + G.711 in 2-s Matroska segments, as
// ingest writes them) was uploaded through the store client, registered in tier_objects and deleted
// from the media folder. In Debian's Chromium, clicking the timeline plays it through the real player
// (the segment remuxed from ranged reads of the store); with the store's gateway stopped, a segment not
// yet read says in the console that the store does not answer, instead of spinning. The admin's System
// page shows the store's findings in Chinese and its need over the retention period.
// Screenshots: tests/artifacts/tiered-playback/.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { createTierRows, type SegmentRow } from '../../storage/index.ts';
import { buildTestApp, ROOT, PASSWORDS, login, scratchDir, httpsTestConfig, listenForTests } from '../helpers.ts';
import { openBrowser, assertSecureName, requireChromiumAndApps } from './browser.ts';
import { TEMPLATE, bankQuestions, csv, person } from '../exam/plans-fixture.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { until } from '../wait.ts';

const ARTIFACTS = join(ROOT, 'tests/artifacts/tiered-playback');
const WAIT = 20_000;
const SOURCE = 'CAM-R1';

requireChromiumAndApps('proctor', 'admin');

const siteLocal = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
interface Debug {
  state: string;
  at: number | null;
  segmentId: number | null;
  frames: number;
  videoWidth: number;
  played: number[];
  error: string | null;
}
const debug = (page: Page) => page.evaluate(`window.__playback?.[${JSON.stringify(SOURCE)}] ?? null`) as Promise<Debug | null>;

async function clickTimeline(page: Page, at: number): Promise<void> {
  const line = page.locator('[data-testid=playback] .pb-timeline');
  await page.locator('[data-testid=playback] .pb').scrollIntoViewIfNeeded();
  const from = Number(await line.getAttribute('data-from'));
  const to = Number(await line.getAttribute('data-to'));
  const box = (await line.boundingBox())!;
  await page.mouse.click(box.x + ((at - from) / (to - from)) * box.width, box.y + box.height / 2);
}

t.test('a tiered recording plays in the console; a store that is down is said so', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const gw = await startRadosgw(t);
  const dir = scratchDir(t, 'examroom-e2e-tiered-');
  const secretFile = join(dir, 'store.secret');
  writeFileSync(secretFile, gw.secret, { mode: 0o600 });
  // The server runs on the real time but a minute ahead once the footage is in (so it is in the past).
  let offset = -120_000;
  const clock = { now: () => Date.now() + offset };
  // The camera's own address answers nothing: what it shows here is only the footage put in below.
  const extraYaml = [
    `cameras:\n  - { id: ${SOURCE}, name: 一号考场前方, room: R1, url: "rtsp://127.0.0.1:9/none" }`,
    'media: { segmentSeconds: 2, stallSeconds: 3, maxBackoffSeconds: 30, reserveMiB: 0 }',
    'retention: { minFreeGiB: 1 }',
    `objectStore: { endpoint: ${JSON.stringify(gw.endpoint)}, bucket: evidence, region: ${gw.region}, accessKeyId: ${JSON.stringify(gw.accessKeyId)}, secretFile: ${JSON.stringify(secretFile)}, prefix: site-a }`,
    '',
  ].join('\n');
  const app = await buildTestApp({ config: httpsTestConfig(dir, extraYaml), clock });
  t.teardown(() => app.close());
  const store = app.objectStore!.store;
  await store.s3.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));
  const { base } = await listenForTests(app);

  const admin = await login(app, 'admin', PASSWORDS.admin);
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const day = siteLocal(minute).slice(0, 10);
  const plan = plans.createPlan({ name: '分层回放测试', from: day, to: day }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: siteLocal(minute + 20 * 60_000), templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv([person(1, '张伟')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  plans.generateSessionPapers(s.id, 'user:admin');
  offset = 0;
  for (const status of ['checkin', 'in_progress']) {
    const res = await app.inject({ method: 'POST', url: `/api/proctor/sessions/${s.id}/status`, headers: { cookie: admin }, payload: { status } });
    t.equal(res.statusCode, 200, `session → ${status}`);
  }
  const started = Date.now();

  // 8 s of footage from 2 s after the start, then 2 s more after a hole (for the store-down step).
  const tmp = join(dir, 'rec');
  mkdirSync(tmp);
  const run = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=12'],
      ...['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=8000:duration=12'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'pcm_alaw', '-ac', '1'],
      ...['-f', 'segment', '-segment_time', '2', '-segment_format', 'matroska', '-reset_timestamps', '1', join(tmp, `${started}-%03d.mkv`)],
    ],
    { encoding: 'utf8' },
  );
  t.equal(run.status, 0, run.stderr || 'ffmpeg recorded the footage');
  const rows = createTierRows(app.ctx.db);
  const segs: SegmentRow[] = [];
  mkdirSync(join(app.ctx.paths.media, SOURCE), { recursive: true });
  for (const [i, name] of readdirSync(tmp).sort().entries()) {
    const rel = `${SOURCE}/${name}`;
    const file = join(app.ctx.paths.media, rel);
    copyFileSync(join(tmp, name), file);
    const bytes = readFileSync(file);
    // The last one 20 s later: nothing has read it when the store goes down.
    const at = started + 2000 + i * 2000 + (i === 5 ? 20_000 : 0);
    const seg = app.media.store.addSegment({
      sourceId: SOURCE,
      start: at,
      end: at + 2000,
      bytes: bytes.length,
      path: rel,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    segs.push(seg);
    const put = await store.putFile(file, `site-a/R1/${rel}`, { metadata: { source: SOURCE, start: seg.start, end: seg.end, sha256: seg.sha256! } });
    rows.record({
      area: 'media',
      path: rel,
      kind: 'segment',
      source: SOURCE,
      start: seg.start,
      end: seg.end,
      bytes: put.bytes,
      sha256: put.sha256,
      key: put.key,
      versionId: put.versionId,
      retainUntil: null,
      verifiedBy: put.verifiedBy === 'store-checksum' ? 'checksum' : 'readback',
      verifiedAt: Date.now(),
    });
    unlinkSync(file);
    rows.markLocalDeleted('media', rel, Date.now());
  }
  t.same(readdirSync(join(app.ctx.paths.media, SOURCE)), [], 'only the store has the footage');
  offset = 60_000;

  const { page, pageErrors } = await openBrowser(t, { base, width: 1366, height: 900, wait: WAIT });

  // First the admin's System page with the store: the 详情 line in Chinese from the probe's findings (not
  // the probe's English sentence), the store's own need over the retention period, and hotDays advice.
  // The bucket was made after the server started: ask the store again (the console's 刷新 does the same).
  t.equal((await app.inject({ method: 'POST', url: '/api/system/object-store/probe', headers: { cookie: admin } })).statusCode, 200, 'the store probed again');
  const [cookieName, ...cookieValue] = admin.split(';')[0]!.split('=');
  await page.context().addCookies([{ name: cookieName!, value: cookieValue.join('='), url: base }]);
  for (const lang of ['zh', 'en'] as const) {
    await page.goto(`${base}/admin/${lang === 'en' ? '?lang=en' : ''}#/system`);
    await page.click('[data-testid=system-tab-health]');
    await page.locator('[data-testid=object-store][data-state=ok]').waitFor();
    const findings = (await page.getByTestId('object-store-findings').textContent()) ?? '';
    if (lang === 'zh') {
      t.match(findings, /存储桶 evidence；可以连接；可以写入/, `the 详情 line in Chinese: ${findings}`);
      t.notMatch(findings, /reachable|writable|bucket/, "and not the probe's English sentence");
    } else t.match(findings, /bucket evidence; reachable; writable/, `English in the English console: ${findings}`);
    await page.locator('[data-testid=object-store]').screenshot({ path: join(ARTIFACTS, `system-object-store-${lang}.png`) });
    await page.click('[data-testid=system-tab-disk]');
    const need = page.getByTestId('store-need');
    await need.waitFor();
    if (lang === 'zh') {
      t.match(await need.textContent(), /对象存储在保留期 1096 天内约需 [\d.]+ [kMGT]?B/, "the store's need over retention");
      const disk = (await page.getByTestId('system-disk').textContent()) ?? '';
      t.match(disk, /objectStore\.hotDays/, 'what to do names hotDays');
      t.notMatch(disk, /缩短到 1096 天/, 'not shortening retention');
    } else t.match(await need.textContent(), /The object store needs about [\d.]+ [kMGT]?B over the 1096-day retention period/);
    await page.evaluate('document.fonts.ready.then(() => undefined)');
    await page.screenshot({ path: join(ARTIFACTS, `system-disk-with-store-${lang}.png`), fullPage: true });
  }
  await page.context().clearCookies();
  await page.goto(`${base}/proctor/`);
  await assertSecureName(t, page, base);
  await page.fill('input[name=username]', 'invig');
  await page.fill('input[name=password]', PASSWORDS.invig);
  await page.click('button[type=submit]');
  await page.getByTestId('seat-map').waitFor();
  const pb = page.getByTestId('playback');
  await pb.locator('select').selectOption(SOURCE);
  await pb.locator('.pb-timeline').waitFor();

  await clickTimeline(page, segs[1]!.start + 500);
  const playing = await until(
    'the tiered footage plays',
    async () => {
      const d = await debug(page);
      return d && d.state === 'playing' && d.frames > 10 && d.videoWidth > 0 && d;
    },
    WAIT,
  );
  t.ok(
    segs.slice(0, 5).some((g) => g.id === playing.played[0]),
    `a tiered segment plays (${playing.played.join(', ')}), ${playing.videoWidth} px wide, ${playing.frames} frames`,
  );
  await page.screenshot({ path: join(ARTIFACTS, 'tiered-playing.png') });

  await gw.stopGateway();
  t.teardown(() => gw.restart());
  const lone = segs[5]!;
  await clickTimeline(page, lone.start + 500);
  const failed = await until(
    'the player says the store does not answer',
    async () => {
      const d = await debug(page);
      const text = (await pb.textContent()) ?? '';
      return d?.error || /对象存储|object store/.test(text) ? { d, text } : null;
    },
    WAIT,
  );
  t.match(failed.text, /对象存储/, `the console says so in words: ${failed.text.slice(0, 200)}`);
  await page.screenshot({ path: join(ARTIFACTS, 'store-down.png') });
  t.same(
    pageErrors.filter((e) => !/503/.test(e)),
    [],
    'no page errors',
  );
});
