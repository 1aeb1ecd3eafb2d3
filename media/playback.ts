// Playback over the segment index: what exists for a source in a time range and where the holes are,
// an HLS VOD playlist over those segments, the segment as a browser plays it, and an excerpt cut with
// ffmpeg's concat demuxer into one MP4 file. Segments are Matroska with the sound as the camera sent it
// (older ones MPEG-TS with AAC): a browser gets MPEG-TS with AAC, remuxed when first asked for — video
// copied, G.711 encoded to AAC only then, for the person watching — and kept a few minutes for the
// player's range requests. An excerpt copies the video and AAC, and encodes G.711 to AAC (MP4 refuses it).
// Every segment is opened through the media reader (storage/media-reader): the local file, or the
// object store's copy once the tier moved it there, read by ranges as ffmpeg and the player ask.
import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Conflict, NotFound, ValidationError, type Clock } from '../core/index.ts';
import type { FfmpegInputs, MediaFile, MediaReader, MediaStore, OutageRow, SegmentRow } from '../storage/index.ts';

/** Holes shorter than this between segments are the seams of one recording, not gaps. */
export const GAP_TOLERANCE_MS = 2000;
/** An excerpt longer than this is refused: it is a download for a person, not an archive export. */
export const MAX_EXCERPT_MS = 4 * 3600_000;

/**
 * How much excerpt cutting the appliance takes on at once. Each excerpt is an ffmpeg reading every byte of
 * the span and a temporary MP4 of the same size, held until its download ends: without a bound, a few
 * people clicking "download" on long spans fill the temporary disk and take the CPU from live ingest.
 */
export interface ExcerptLimits {
  /** Excerpts one person may have being cut or downloaded at once. */
  perUser: number;
  /** Excerpts being cut or downloaded at once, everyone together. */
  atOnce: number;
  /** The longest span, in ms. */
  maxMs: number;
  /** The most recorded bytes one excerpt may hold. */
  maxBytes: number;
}

export const DEFAULT_EXCERPT_LIMITS: ExcerptLimits = { perUser: 1, atOnce: 2, maxMs: MAX_EXCERPT_MS, maxBytes: 4096 * 1024 ** 2 };

export interface Gap {
  start: number;
  end: number;
  /** From the outage log when one overlaps ("exited with code 1: …", "stopped"), else "no recording". */
  reason: string;
}

export interface Recordings {
  sourceId: string;
  from: number;
  to: number;
  segments: SegmentRow[];
  gaps: Gap[];
  /** The source is recording now: footage from here on is in a segment not yet finished (null = not recording). */
  recordingSince: number | null;
}

export interface Excerpt {
  file: string;
  bytes: number;
  /** Gaps inside the range: the excerpt plays the parts on either side back to back. */
  gaps: Gap[];
  cleanup(): Promise<void>;
}

/** How long a remuxed segment is kept after its last request, and how many at most. */
const PLAYABLE_KEEP_MS = 10 * 60_000;
const PLAYABLE_MAX = 16;

export interface Playback {
  recordings(sourceId: string, from: number, to: number): Recordings;
  /** The segment's row and its file, local or tiered (NotFound when neither the media folder nor the store has it). */
  segmentFile(id: number): { segment: SegmentRow; file: MediaFile };
  /** The segments as ffmpeg inputs for one run (local paths or loopback URLs); release() when it is done. */
  segmentInputs(segments: SegmentRow[]): Promise<FfmpegInputs>;
  /**
   * The segment as MPEG-TS with AAC sound (the browser player's format): the file itself (local or read
   * from the store by ranges) for an old .ts segment, else a remux kept a while.
   */
  playableFile(id: number): Promise<{ segment: SegmentRow; bytes: number; read(start: number, end: number): Readable }>;
  /** Removes the remuxed copies (shutdown). */
  close(): Promise<void>;
  hlsPlaylist(sourceId: string, from: number, to: number, segmentUrl: (s: SegmentRow) => string): string;
  /** Cuts an excerpt for `who`; its slot (ExcerptLimits) is held until `cleanup()`, after the download. */
  excerpt(sourceId: string, from: number, to: number, who?: string): Promise<Excerpt>;
}

export interface PlaybackDeps {
  store: MediaStore;
  /** Opens the segment files by their indexed path, wherever they live now. */
  files: MediaReader;
  clock: Clock;
  sourceKnown: (id: string) => boolean;
  /** When the source's current, still unindexed segment run began (it is recording now), else null. */
  recordingSince?: (id: string) => number | null;
  /** Bounds on excerpts (default DEFAULT_EXCERPT_LIMITS). */
  excerpts?: ExcerptLimits;
}

export function createPlayback(deps: PlaybackDeps): Playback {
  const limits = deps.excerpts ?? DEFAULT_EXCERPT_LIMITS;
  /** Excerpts being cut or downloaded, by person. */
  const cutting = new Map<string, number>();
  const total = () => [...cutting.values()].reduce((a, n) => a + n, 0);
  const mib = (b: number) => Math.ceil(b / 1024 ** 2);
  const playable = new Map<number, { ready: Promise<{ file: string; bytes: number }>; usedAt: number }>();
  let playDir: Promise<string> | null = null;
  const forget = (id: number) => {
    const e = playable.get(id);
    playable.delete(id);
    void e?.ready.then((r) => rm(r.file, { force: true })).catch(() => {});
  };
  const sweepPlayable = () => {
    const now = Date.now();
    for (const [id, e] of playable) if (now - e.usedAt > PLAYABLE_KEEP_MS) forget(id);
    while (playable.size > PLAYABLE_MAX) forget(playable.keys().next().value!);
  };
  const sweepTimer = setInterval(sweepPlayable, 60_000);
  sweepTimer.unref();

  const checkRange = (sourceId: string, from: number, to: number) => {
    if (!deps.sourceKnown(sourceId)) throw new NotFound(`media source ${sourceId} is not configured and has no recordings`);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      throw new ValidationError([{ path: 'to', problem: 'must be after from (both epoch milliseconds)', got: `from=${from}, to=${to}` }]);
    }
  };

  const gapsOf = (segments: SegmentRow[], outages: OutageRow[], from: number, to: number, live: number | null): Gap[] => {
    const gaps: Gap[] = [];
    // Footage being written now (not yet a finished segment) covers everything from `live` on.
    const until = Math.min(to, deps.clock.now(), live ?? Infinity);
    const reasonFor = (a: number, b: number) => outages.find((o) => o.start < b && (o.end === null || o.end > a))?.reason ?? 'no recording';
    let cursor = from;
    for (const s of segments) {
      if (s.start - cursor > GAP_TOLERANCE_MS) gaps.push({ start: cursor, end: s.start, reason: reasonFor(cursor, s.start) });
      cursor = Math.max(cursor, s.end);
    }
    if (until - cursor > GAP_TOLERANCE_MS) gaps.push({ start: cursor, end: until, reason: reasonFor(cursor, until) });
    return gaps;
  };

  const api: Playback = {
    recordings(sourceId, from, to) {
      checkRange(sourceId, from, to);
      const segments = deps.store.segments(sourceId, from, to);
      const live = deps.recordingSince?.(sourceId) ?? null;
      // The open segment began where the last finished one ended, or when this launch came up if later.
      const liveFrom = live === null ? null : Math.max(live, deps.store.lastSegmentEnd(sourceId) ?? live);
      return { sourceId, from, to, segments, gaps: gapsOf(segments, deps.store.outages(sourceId, from, to), from, to, liveFrom), recordingSince: liveFrom };
    },
    segmentFile(id) {
      const segment = deps.store.segment(id);
      if (!segment) throw new NotFound(`recording segment ${id} does not exist (expired and swept, or never indexed)`);
      try {
        return { segment, file: deps.files.open(segment.path) };
      } catch (err) {
        if (err instanceof NotFound) throw new NotFound(`recording segment ${id}: ${err.message}`);
        throw err;
      }
    },
    segmentInputs(segments) {
      return deps.files.ffmpegInputs(segments.map((s) => s.path));
    },
    async playableFile(id) {
      const { segment, file } = api.segmentFile(id);
      if (!segment.path.endsWith('.mkv')) return { segment, bytes: file.bytes, read: (start, end) => file.read(start, end) };
      let e = playable.get(id);
      if (!e) {
        const ready = (async () => {
          playDir ??= mkdtemp(join(tmpdir(), 'examroom-play-'));
          const out = join(await playDir, `${id}.ts`);
          const lease = await deps.files.ffmpegInputs([segment.path]);
          try {
            const input = lease.inputs[0]!;
            const audio = await audioCodecOfFile(input);
            await runFfmpeg(
              [
                '-hide_banner',
                '-loglevel',
                'error',
                '-nostdin',
                '-i',
                input,
                '-map',
                '0:v:0',
                '-map',
                '0:a:0?',
                '-c:v',
                'copy',
                ...(audio === 'aac' || audio === null ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-ar', '16000', '-ac', '1', '-b:a', '32k']),
                '-f',
                'mpegts',
                '-y',
                out,
              ],
              'prepare the segment for playback',
            ).catch((err) => {
              throw lease.error() ?? err;
            });
            // A store that stopped answering half way leaves ffmpeg a short file it calls done: not a playable copy.
            const storeError = lease.error();
            if (storeError) throw storeError;
          } catch (err) {
            await rm(out, { force: true });
            throw err;
          } finally {
            lease.release();
          }
          return { file: out, bytes: (await stat(out)).size };
        })();
        e = { ready, usedAt: Date.now() };
        playable.set(id, e);
        ready.catch(() => playable.get(id) === e && playable.delete(id));
        sweepPlayable();
      }
      e.usedAt = Date.now();
      const r = await e.ready;
      return { segment, bytes: r.bytes, read: (start, end) => createReadStream(r.file, { start, end }) };
    },
    async close() {
      clearInterval(sweepTimer);
      playable.clear();
      if (playDir) await rm(await playDir, { recursive: true, force: true }).catch(() => {});
    },
    hlsPlaylist(sourceId, from, to, segmentUrl) {
      const { segments } = api.recordings(sourceId, from, to);
      if (segments.length === 0)
        throw new NotFound(`source ${sourceId} has no recordings between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
      const target = Math.ceil(Math.max(...segments.map((s) => (s.end - s.start) / 1000), 1));
      const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0'];
      let prevEnd: number | null = null;
      for (const s of segments) {
        // A hole, or a new ffmpeg launch (timestamps restart), is a discontinuity for the player.
        if (prevEnd !== null && (s.start - prevEnd > GAP_TOLERANCE_MS || !samePrefix(s, segments, prevEnd))) lines.push('#EXT-X-DISCONTINUITY');
        lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.start).toISOString()}`);
        lines.push(`#EXTINF:${((s.end - s.start) / 1000).toFixed(3)},`, segmentUrl(s));
        prevEnd = s.end;
      }
      lines.push('#EXT-X-ENDLIST', '');
      return lines.join('\n');
    },
    async excerpt(sourceId, from, to, who = 'system') {
      checkRange(sourceId, from, to);
      if (to - from > limits.maxMs) {
        throw new ValidationError([
          {
            path: 'to',
            problem: `an excerpt is at most ${Math.round(limits.maxMs / 60_000)} minutes; download longer spans in parts`,
            got: `${Math.round((to - from) / 60_000)} minutes`,
          },
        ]);
      }
      const rec = api.recordings(sourceId, from, to);
      if (rec.segments.length === 0)
        throw new NotFound(`source ${sourceId} has no recordings between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
      // The whole segments at the ends are read too: they are what ffmpeg and the temporary file hold.
      const bytes = rec.segments.reduce((a, s) => a + s.bytes, 0);
      if (bytes > limits.maxBytes) {
        throw new ValidationError([
          {
            path: 'to',
            problem: `this span holds ${mib(bytes)} MiB of recording, and an excerpt is at most ${mib(limits.maxBytes)} MiB; download it in shorter parts`,
            got: `${Math.round((to - from) / 60_000)} minutes`,
          },
        ]);
      }
      const mine = cutting.get(who) ?? 0;
      if (mine >= limits.perUser)
        throw new Conflict(
          `${who} already has ${mine} excerpt${mine === 1 ? '' : 's'} being cut or downloaded (at most ${limits.perUser} per person at a time): wait for it to finish`,
          'excerpt_busy',
          { limit: limits.perUser },
        );
      if (total() >= limits.atOnce)
        throw new Conflict(
          `${total()} excerpts are being cut or downloaded on this appliance (at most ${limits.atOnce} at a time): try again when one has finished`,
          'excerpts_busy',
          { limit: limits.atOnce },
        );
      cutting.set(who, mine + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const n = (cutting.get(who) ?? 1) - 1;
        if (n > 0) cutting.set(who, n);
        else cutting.delete(who);
      };
      let dir: string;
      try {
        dir = await mkdtemp(join(tmpdir(), 'examroom-excerpt-'));
      } catch (err) {
        release();
        throw err;
      }
      const cleanup = async () => {
        release();
        await rm(dir, { recursive: true, force: true });
      };
      let lease: FfmpegInputs | null = null;
      try {
        lease = await deps.files.ffmpegInputs(rec.segments.map((s) => s.path));
        const list = ['ffconcat version 1.0', ...lease.inputs.map((f) => `file '${f.replace(/'/g, "'\\''")}'`)].join('\n');
        await writeFile(join(dir, 'list.ffconcat'), `${list}\n`);
        const first = rec.segments[0]!;
        const offset = Math.max(0, from - first.start) / 1000;
        // Gaps inside the range collapse in the concatenation, so the length is the recorded time wanted.
        const gapMs = rec.gaps.reduce((a, g) => a + (Math.min(g.end, to) - Math.max(g.start, from)), 0);
        const wanted = Math.max(0.5, (Math.min(to, rec.segments.at(-1)!.end) - Math.max(from, first.start) - gapMs) / 1000);
        const out = join(dir, 'excerpt.mp4');
        // G.711 has no place in MP4: the sound of an excerpt for a person is encoded to AAC; AAC is copied.
        const audio = await audioCodecOfFile(lease.inputs[0]!);
        const used = lease;
        await runFfmpeg([
          '-hide_banner',
          '-loglevel',
          'error',
          '-nostdin',
          ...used.args,
          '-f',
          'concat',
          '-safe',
          '0',
          '-ss',
          offset.toFixed(3),
          '-i',
          join(dir, 'list.ffconcat'),
          '-t',
          wanted.toFixed(3),
          '-map',
          '0:v:0',
          '-map',
          '0:a:0?',
          '-c:v',
          'copy',
          ...(audio === 'aac' || audio === null ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-ar', '16000', '-ac', '1', '-b:a', '32k']),
          '-movflags',
          '+faststart',
          // However the index reckoned the span, the file written stops at the size limit.
          '-fs',
          String(limits.maxBytes),
          '-y',
          out,
        ]).catch((err) => {
          throw used.error() ?? err;
        });
        const storeError = used.error();
        if (storeError) throw storeError;
        return { file: out, bytes: (await stat(out)).size, gaps: rec.gaps, cleanup };
      } catch (err) {
        await cleanup();
        throw err;
      } finally {
        lease?.release();
      }
    },
  };
  return api;
}

/** Same launch = same file-name prefix ("<launch ms>-") as the segment that ended at prevEnd. */
function samePrefix(s: SegmentRow, all: SegmentRow[], prevEnd: number): boolean {
  const prev = all.find((x) => x.end === prevEnd);
  const pre = (p: string) => p.slice(0, p.lastIndexOf('-'));
  return prev ? pre(prev.path) === pre(s.path) : false;
}

/** The first audio stream's codec (ffprobe), or null when the file has none. */
function audioCodecOfFile(file: string): Promise<string | null> {
  return new Promise((res) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
      { timeout: 30_000 },
      (_err, out) => res(String(out).trim() || null),
    );
  });
}

function runFfmpeg(args: string[], what = 'cut the excerpt'): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const c = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`ffmpeg could not ${what} (code ${code}): ${err.trim()}`))));
  });
}
