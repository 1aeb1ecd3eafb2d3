// Segment indexing: every finished segment file is fsynced, hashed (SHA-256, for the archives'
// manifests) and then indexed (durable before acknowledged). Files ffmpeg never reported — the segment
// open when it was killed, or everything open when the whole server died — are found afterwards,
// measured from their packets with ffprobe, hashed and indexed as recovered. Segments are Matroska
// (.mkv); MPEG-TS segments (.ts) of earlier versions are still recovered and played the same way.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MediaStore, SegmentRow } from '../storage/index.ts';
import { segmentFolder } from '../storage/index.ts';

/**
 * Seconds of media in a file, from its packets (first timestamp to the end of the last packet), or
 * null when it has no readable packets. Not the container's duration: a Matroska file cut by kill -9
 * has none (N/A), and one remuxed from a file may carry its source's. Reads the whole file (demux
 * only): done for a segment ffmpeg never reported, i.e. after a crash.
 */
export function probeDuration(file: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'packet=pts_time,dts_time,duration_time', '-of', 'csv=p=0', file],
      { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout) => {
        let first = Infinity;
        let last = -Infinity;
        for (const line of String(stdout).split('\n')) {
          const [pts, dts, dur] = line.split(',');
          const t = Number.parseFloat(pts && pts !== 'N/A' ? pts : (dts ?? ''));
          if (!Number.isFinite(t)) continue;
          const d = Number.parseFloat(dur ?? '');
          first = Math.min(first, t);
          last = Math.max(last, t + (Number.isFinite(d) ? d : 0));
        }
        resolve(err && !Number.isFinite(first) ? null : Number.isFinite(first) ? last - first : null);
      },
    );
  });
}

async function fsyncFile(file: string): Promise<number> {
  const fh = await open(file, 'r');
  try {
    await fh.datasync();
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}

/** SHA-256 of a file, hex. Read right after the write, the file is in the page cache: this costs CPU, not disk. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Names of one launch's segments: SOURCE/YYYYMMDD/<launch start ms>-<n>.mkv, relative to the media folder. */
export function runPattern(sourceId: string, startedAt: number): { dir: string; prefix: string; pattern: string } {
  const dir = segmentFolder(sourceId, startedAt);
  const prefix = `${startedAt}-`;
  return { dir, prefix, pattern: join(dir, `${prefix}%05d.mkv`) };
}

export function segmentName(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(5, '0')}.mkv`;
}

export interface RunRecorderDeps {
  store: MediaStore;
  mediaDir: string;
  sourceId: string;
  now: () => number;
  onIndexed: (s: SegmentRow) => void;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * The recorder of one ffmpeg launch. Segment-list lines arrive as each segment closes, i.e. at the key
 * frame that opens the next one, so "now" is its end; its start is end − its stream duration, kept
 * from overlapping the previous segment of the same launch.
 */
export function createRunRecorder(deps: RunRecorderDeps, run: { dir: string; prefix: string }) {
  let listed = 0;
  let prevEnd = 0;
  let chain: Promise<void> = Promise.resolve();
  const done = new Set<string>();

  const index = async (name: string, durationS: number, end: number, recovered: boolean) => {
    const rel = join(run.dir, name);
    if (done.has(rel)) return;
    done.add(rel);
    try {
      const bytes = await fsyncFile(join(deps.mediaDir, rel));
      const sha256 = await sha256File(join(deps.mediaDir, rel));
      const start = Math.max(end - durationS * 1000, prevEnd);
      prevEnd = end;
      const row = deps.store.addSegment({ sourceId: deps.sourceId, start, end, bytes, path: rel, recovered, sha256 });
      deps.onIndexed(row);
    } catch (err) {
      deps.log?.warn({ err, file: rel }, 'could not index segment');
    }
  };

  return {
    /** A line of ffmpeg's csv segment list: "name,start,end" (stream seconds). */
    onListLine(line: string): void {
      const [name, s, e] = line.split(',');
      if (!name || s === undefined || e === undefined) return;
      const dur = Number.parseFloat(e) - Number.parseFloat(s);
      if (!Number.isFinite(dur)) return;
      listed++;
      const end = deps.now();
      chain = chain.then(() => index(basename(name), dur, end, false));
    },
    /** After the process ended: index what it wrote but never listed (killed mid-segment). lastWrite is server time. */
    async finish(startNumber: number, lastWrite: number): Promise<void> {
      await chain;
      for (let n = startNumber + listed; ; n++) {
        const name = segmentName(run.prefix, n);
        const file = join(deps.mediaDir, run.dir, name);
        const st = await stat(file).catch(() => null);
        if (!st) break;
        if (st.size === 0) continue;
        const d = await probeDuration(file);
        if (d === null) continue;
        await index(name, d, Math.min(lastWrite, st.mtimeMs), false);
      }
    },
    listed: () => listed,
  };
}

/**
 * Start-up: files in the source's folders of the last `days` days that the index does not know —
 * what a server crash left behind. Only recent folders are read: a crash leaves files only where
 * recording was happening, so start-up cost does not grow with the archive.
 */
export async function recoverOrphans(deps: RunRecorderDeps, days = 2): Promise<number> {
  const now = deps.now();
  const known = deps.store.pathsSince(deps.sourceId, now - (days + 1) * 86_400_000);
  let recovered = 0;
  for (let i = days - 1; i >= 0; i--) {
    const rel = segmentFolder(deps.sourceId, now - i * 86_400_000);
    const names = await readdir(join(deps.mediaDir, rel)).catch(() => [] as string[]);
    const files = names.filter((n) => n.endsWith('.mkv') || n.endsWith('.ts')).sort();
    for (const name of files) {
      const relPath = join(rel, name);
      if (known.has(relPath)) continue;
      const file = join(deps.mediaDir, relPath);
      const st = await stat(file).catch(() => null);
      if (!st || st.size === 0) continue;
      const d = await probeDuration(file);
      if (d === null) {
        deps.log?.warn({ file: relPath }, 'orphan segment has no readable packets; left in place, not indexed');
        continue;
      }
      try {
        const bytes = await fsyncFile(file);
        const sha256 = await sha256File(file);
        const end = st.mtimeMs;
        const row = deps.store.addSegment({ sourceId: deps.sourceId, start: end - d * 1000, end, bytes, path: relPath, recovered: true, sha256 });
        deps.onIndexed(row);
        recovered++;
      } catch (err) {
        deps.log?.warn({ err, file: relPath }, 'could not index orphan segment');
      }
    }
  }
  return recovered;
}
