// A nearly full disk: the service keeps running and alarms (disk.low, health not ok); new recordings
// stop only below the last-resort floor, live view goes on, and nothing already recorded is deleted.
// The media folder is a small tmpfs; mounting needs root, and the test says so when it cannot.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtspSource } from '../../media/index.ts';
import { mediaRig } from './helpers.ts';
import { diskSpace } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';
import { until } from '../wait.ts';

/** Mounting a tmpfs needs root (or CAP_SYS_ADMIN); where it is refused, the test is skipped and says why. */
function mountRefusal(): string | false {
  const probeDir = mkdtempSync(join(tmpdir(), 'examroom-mount-probe-'));
  try {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probeDir], { encoding: 'utf8' });
    if (m.status !== 0) return `cannot mount a tmpfs for the disk-full simulation (needs root and mount permission): ${m.stderr?.trim() || m.error?.message}`;
    spawnSync('umount', [probeDir]);
    return false;
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

t.test('a full media disk: alarm, live goes on, recording stops last and resumes when space returns, nothing deleted', { skip: mountRefusal() }, async (t) => {
  const dir = scratchDir(t, 'examroom-media-full-');
  const mnt = join(dir, 'media');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount failed: ${m.stderr}`);
  t.teardown(() => void spawnSync('umount', ['-l', mnt]));

  // Leave about 1.5 MB free: above the 1 MiB floor, far below the 10 MiB alarm line.
  const filler = join(mnt, 'filler.bin');
  const free0 = diskSpace(mnt).freeBytes;
  writeFileSync(filler, Buffer.alloc(free0 - 1_500_000));

  const cam = await startRtspSource({ width: 640, height: 480, fps: 15 });
  t.teardown(() => cam.stop());
  const rig = mediaRig(t, {
    dir,
    mediaDir: mnt,
    intervals: { diskMs: 500 },
    config: (c) => ({
      ...c,
      retention: { days: 1096, minFreeGiB: 10 / 1024 },
      media: { ...c.media, segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 1 },
    }),
  });
  rig.media.addSource({ id: 'cam1', name: '前门', room: 'R1', kind: 'camera', input: { url: cam.url } });
  await rig.media.start();

  const low = await rig.waitFor('disk.low');
  t.ok(low.freeBytes < low.minFreeBytes, 'disk.low says free space is under the minimum');
  t.equal(rig.media.health().ok, false, 'health is not ok');
  await rig.waitFor('camera.up');

  // Recording fills the disk; the write fails, ffmpeg restarts, and below the floor it comes back live-only.
  const stopped = await rig.waitFor('recording.stopped', undefined, 60_000);
  t.match(stopped.reason, /floor/, `recording stopped as a last resort: ${stopped.reason}`);
  await rig.waitFor('camera.up', (e) => e.at >= stopped.at);
  const st = rig.media.source('cam1');
  t.equal(st.state, 'up', 'the source is still up');
  t.equal(st.recording, false, 'not recording');
  let live = 0;
  const off = rig.media.ingest.subscribe('cam1', (c) => (live += c.length));
  await until('live bytes while the disk is full', () => live > 10_000);
  off();
  t.ok(existsSync(filler), 'nothing was deleted to make room');
  const indexed = rig.media.store.segments('cam1', 0, Date.now() + 1000);
  for (const s of indexed) if (!existsSync(join(mnt, s.path))) t.fail(`recorded segment ${s.path} disappeared`);

  // Space comes back (an operator added disk): recording resumes by itself.
  unlinkSync(filler);
  const seg = await rig.waitFor('recording.segment', (e) => e.start > stopped.at, 30_000);
  t.ok(seg.bytes > 0, 'recording again once there is space');
  t.equal(rig.media.source('cam1').recording, true);
  t.ok(readdirSync(join(mnt, 'cam1'), { recursive: true }).length > 0);
});
