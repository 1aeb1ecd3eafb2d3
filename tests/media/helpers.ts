// Scaffolding for media tests: a media service on a scratch data folder with a real SQLite file,
// real ffmpeg and real RTSP sources, short segments, and every process stopped in teardown.
import { spawnSync } from 'node:child_process';
import type { Test } from 'tap';
import { createEventBus, systemClock, type Clock, type EventBus, type EventMap, type EventName, type WindowSource } from '../../core/index.ts';
import { createAuditLog, dataPaths, ensureDataFolders, openDatabase, type AuditLog, type DataPaths, type Db } from '../../storage/index.ts';
import { createMediaService, type MediaDeps, type MediaService } from '../../media/index.ts';
import { scratchDir, testConfig } from '../helpers.ts';
import type { Config } from '../../config/index.ts';

export interface MediaRig {
  media: MediaService;
  db: Db;
  dir: string;
  config: Config;
  bus: EventBus;
  events: { name: EventName; payload: unknown }[];
  waitFor<K extends EventName>(name: K, match?: (p: EventMap[K]) => boolean, timeoutMs?: number): Promise<EventMap[K]>;
}

export function mediaRig(
  t: Test,
  opts: {
    yaml?: string;
    dir?: string;
    clock?: Clock;
    sweeperClock?: Clock;
    mediaDir?: string;
    config?: (c: Config) => Config;
    intervals?: MediaDeps['intervals'];
    /** The recording windows of `record: sessions` sources, built on the rig's own database and bus (e.g. a real exam service's). */
    windows?: (parts: { db: Db; bus: EventBus; clock: Clock; config: Config; paths: DataPaths; audit: AuditLog }) => WindowSource[];
  } = {},
): MediaRig {
  const dir = opts.dir ?? scratchDir(t, 'examroom-media-');
  let config = testConfig(
    dir,
    opts.yaml ?? 'media: { segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\nretention: { minFreeGiB: 1 }\n',
  );
  if (opts.config) config = opts.config(config);
  const paths = { ...dataPaths(config.paths.data), ...(opts.mediaDir ? { media: opts.mediaDir } : {}) };
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  const clock = opts.clock ?? systemClock;
  const bus = createEventBus((name, err) => t.fail(`listener of ${name} threw: ${String(err)}`));
  const events: MediaRig['events'] = [];
  const waiters = new Set<() => void>();
  for (const name of ['camera.up', 'camera.down', 'recording.segment', 'recording.stopped', 'disk.low', 'disk.forecast'] as const) {
    bus.on(name, (payload) => {
      events.push({ name, payload });
      for (const w of [...waiters]) w();
    });
  }
  const audit = createAuditLog(db, clock);
  const media = createMediaService({
    db,
    clock,
    bus,
    config,
    paths,
    audit,
    ...(opts.sweeperClock ? { sweeperClock: opts.sweeperClock } : {}),
    ...(opts.intervals ? { intervals: opts.intervals } : {}),
    ...(opts.windows ? { windows: opts.windows({ db, bus, clock, config, paths, audit }) } : {}),
  });
  t.teardown(async () => {
    await media.stop();
    db.close();
  });
  const waitFor = <K extends EventName>(name: K, match: (p: EventMap[K]) => boolean = () => true, timeoutMs = 20_000) =>
    new Promise<EventMap[K]>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < events.length; seen++) {
          const e = events[seen]!;
          if (e.name === name && match(e.payload as EventMap[K])) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e.payload as EventMap[K]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${name} event within ${timeoutMs} ms; events so far: ${events.map((e) => `${e.name} ${JSON.stringify(e.payload)}`).join('; ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { media, db, dir, config, bus, events, waitFor };
}

/** Everything ffprobe can say about a file's playability: duration and decodable video frames. */
/** Seconds from the first packet's timestamp to the end of the last one (ffprobe -show_packets). */
export function packetSpan(file: string): number | null {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  let first = Infinity;
  let last = -Infinity;
  for (const line of r.stdout.split('\n')) {
    const [pts, dur] = line.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    last = Math.max(last, pts + (Number.isFinite(dur) ? dur! : 0));
  }
  return Number.isFinite(first) ? last - first : null;
}

/** Whether a file plays: video frames decoded, and its duration (the container's, else its packets' span: a Matroska file cut by kill -9 has none). */
export function probe(file: string): { ok: boolean; duration: number | null; videoFrames: number; error: string } {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames:format=duration', '-of', 'json', file],
    { encoding: 'utf8', timeout: 30_000 },
  );
  try {
    const j = JSON.parse(r.stdout) as { streams?: { nb_read_frames?: string }[]; format?: { duration?: string } };
    const frames = Number(j.streams?.[0]?.nb_read_frames ?? 0);
    const duration = j.format?.duration ? Number(j.format.duration) : packetSpan(file);
    return { ok: r.status === 0 && frames > 0, duration, videoFrames: frames, error: r.stderr };
  } catch {
    return { ok: false, duration: null, videoFrames: 0, error: r.stderr || 'ffprobe printed no JSON' };
  }
}
