// Crash safety: MPEG-TS segments need nothing written at the end, so a kill -9 of ffmpeg — or of the
// whole server — leaves every segment playable, and the unreported ones are indexed afterwards.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSource } from '../../media/index.ts';
import { mediaRig, packetSpan, probe } from './helpers.ts';
import { startServer } from '../processes.ts';
import { scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { createMediaStore, dataPaths, openDatabase } from '../../storage/index.ts';
import { until, sleep } from '../wait.ts';

// Both checks wait on the camera's real time (segments, restarts) far more than they compute, and share
// nothing (a camera, an ffmpeg and a data folder each): they run side by side.
t.jobs = 2;

t.test('kill -9 of ffmpeg: the open segment stays playable, is indexed, and recording restarts', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const rig = mediaRig(t, { yaml: 'media: { segmentSeconds: 30, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\n' });
  rig.media.addSource({ id: 'cam1', name: '前门', room: 'R1', kind: 'camera', input: { url: cam.url } });
  await rig.media.start();
  await rig.waitFor('camera.up');
  await sleep(3000);
  // Mid-segment (segments are 30 s): nothing has been listed yet.
  t.equal(rig.events.filter((e) => e.name === 'recording.segment').length, 0, 'no segment finished yet');
  const pid = findFfmpegPid(cam.url);
  t.ok(pid, 'found the ingest ffmpeg');
  process.kill(pid!, 'SIGKILL');
  const seg = await rig.waitFor('recording.segment', (e) => e.sourceId === 'cam1');
  const row = rig.media.store.segment(seg.segmentId)!;
  const p = probe(join(rig.media.disk().path, row.path));
  t.ok(p.ok, `the killed segment plays: ${p.videoFrames} frames, ${p.duration} s ${p.error}`);
  t.ok((p.duration ?? 0) >= 2, `it holds the seconds before the kill (${p.duration} s of packets)`);
  // Matroska cut by kill -9 has no duration: the index's range comes from the packets, not dropped, not guessed.
  const span = packetSpan(join(rig.media.disk().path, row.path))!;
  t.ok(Math.abs((row.end - row.start) / 1000 - span) < 0.2, `indexed with its true time range: ${(row.end - row.start) / 1000} s for ${span} s of packets`);
  await rig.waitFor('camera.up', (e) => e.at > seg.end - 1000);
  t.equal(rig.media.source('cam1').recording, true, 'recording again');
});

t.test('kill -9 of the server: segments on disk are playable and indexed at the next start', async (t) => {
  const cam = await startRtspSource();
  t.teardown(() => cam.stop());
  const dir = scratchDir(t, 'examroom-media-crash-');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `${TEST_CONFIG_YAML}\npaths: { data: ${JSON.stringify(join(dir, 'data'))} }\ncameras:\n  - { id: camA, name: 门口, room: R1, url: "${cam.url}" }\nmedia: { segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\nretention: { minFreeGiB: 1 }\n`,
  );
  const server = await startServer(t, ['--config', configFile]);
  const paths = dataPaths(join(dir, 'data'));
  const db1 = openDatabase(paths.dbFile);
  const store1 = createMediaStore(db1);
  await until('two indexed segments', () => store1.segments('camA', 0, Date.now() + 60_000).length >= 2, 30_000);
  await sleep(1000);
  server.child.kill('SIGKILL');
  await server.exited;
  const before = store1.segments('camA', 0, Date.now() + 60_000).length;
  db1.close();
  // The orphaned ffmpeg notices the broken stdout pipe and ends on its own (tee onfail=abort).
  await until('the orphaned ffmpeg to end', () => !findFfmpegPid(cam.url), 15_000);

  const files = readdirSync(join(paths.media, 'camA'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.mkv'));
  t.ok(files.length > before, `files on disk (${files.length}) include unindexed ones (indexed ${before})`);
  for (const f of files) {
    const p = probe(join(paths.media, 'camA', f));
    t.ok(p.ok, `${f} plays (${p.videoFrames} frames) ${p.error}`);
  }

  // Next start: the orphans are indexed (recovered) before recording resumes.
  await cam.stop();
  const rig = mediaRig(t, { dir, config: (c) => ({ ...c, paths: { ...c.paths, data: join(dir, 'data') }, cameras: [] }) });
  rig.media.addSource({ id: 'camA', name: '门口', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:1/none' } });
  await rig.media.start();
  const rows = await until('orphans indexed', () => {
    const r = rig.media.store.segments('camA', 0, Date.now() + 60_000);
    return r.length >= files.length ? r : undefined;
  });
  t.equal(rows.length, files.length, 'every file on disk is in the index');
  t.ok(
    rows.some((r) => r.recovered),
    'the crash orphans are marked recovered',
  );
});

function findFfmpegPid(url: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.startsWith('ffmpeg\0') && cmd.includes(url) && cmd.includes('-f\0tee')) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}
