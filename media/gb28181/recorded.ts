// Playback and Download from recorded segments: ffmpeg's concat demuxer reads the segments of the range
// with -c copy into MPEG-TS (whatever container the recording is in), our TS reader cuts frames, and
// frames are sent paced by their timestamps at the asked speed. Pause stops the pacing (ffmpeg waits on
// a full pipe), a seek starts ffmpeg again at the new offset. Gaps in the recording are skipped over.
// The segments are ffmpeg inputs from the media reader: local paths, or loopback URLs for tiered ones
// (read from the object store by ranges; held for the reader's life, released when it stops).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GAP_TOLERANCE_MS } from '../playback.ts';
import type { FfmpegInputs, SegmentRow } from '../../storage/index.ts';
import { GbMediaError, type GbMediaDeps } from './media-session.ts';
import { lawOf, TsFrameReader, type TsFrame } from './ts-frames.ts';

/**
 * The audio codec of a segment as ffprobe names it. Matroska segments say pcm_alaw / pcm_mulaw; once
 * remuxed to MPEG-TS for our reader the law is lost (a private stream), so it is asked here first.
 */
function audioCodecOf(ffprobe: string, file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const p = spawn(ffprobe, ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', () => resolve(null));
    p.on('close', () => resolve(out.trim() || null));
  });
}

/** Frames read ahead of the pacing before ffmpeg's pipe is left to fill (it then waits). */
const QUEUE_HIGH = 300;
const QUEUE_LOW = 100;

export class RecordedReader {
  private proc: ChildProcess | null = null;
  private reader: TsFrameReader | null = null;
  private queue: TsFrame[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private stopped = false;
  private eof = false;
  private scale = 1;
  private base: { dts: number; wall: number } | null = null;
  private runFrom = 0;
  private runFirstDts: number | null = null;
  private pos: number | null = null;
  private sentAny = false;
  private stderr = '';
  private onFrame: (f: TsFrame) => void = () => {};
  private onDone: (detail: string, ok: boolean) => void = () => {};
  private ready: () => boolean = () => true;
  private codecsSeen: { video: TsFrameReader['video']; audio: TsFrameReader['audio'] } = { video: null, audio: null };

  private constructor(
    private files: Array<{ seg: SegmentRow; file: string }>,
    private range: { start: number; end: number },
    private ffmpeg: string,
    private dir: string,
    private sourceId: string,
    private law: 'g711a' | 'g711u' | null,
    private lease: FfmpegInputs,
  ) {}

  /** Finds the segments of the range (no_recording when there are none) and the law of any G.711 in them. */
  static async prepare(deps: GbMediaDeps, sourceId: string, channelId: string, range: { start: number; end: number }, ffmpeg: string): Promise<RecordedReader> {
    let segments: SegmentRow[];
    try {
      segments = deps.playback.recordings(sourceId, range.start, range.end).segments;
    } catch (err) {
      throw new GbMediaError('no_recording', `channel ${channelId}: ${(err as Error).message}`);
    }
    if (segments.length === 0)
      throw new GbMediaError(
        'no_recording',
        `channel ${channelId} has no recordings between ${new Date(range.start).toISOString()} and ${new Date(range.end).toISOString()}`,
      );
    let lease: FfmpegInputs;
    try {
      lease = await deps.playback.segmentInputs(segments);
    } catch (err) {
      throw new GbMediaError('no_recording', `channel ${channelId}: ${(err as Error).message}`);
    }
    const files = segments.map((s, i) => ({ seg: s, file: lease.inputs[i]! }));
    const law = lawOf(await audioCodecOf(ffmpeg.replace(/ffmpeg$/, 'ffprobe'), files[0]!.file));
    const dir = mkdtempSync(join(tmpdir(), 'examroom-gb-'));
    return new RecordedReader(files, { start: range.start, end: Math.min(range.end, segments.at(-1)!.end) }, ffmpeg, dir, sourceId, law, lease);
  }

  /** `ready()` false = the platform's socket is full: a recording waits (a download must not lose frames). */
  bind(onFrame: (f: TsFrame) => void, onDone: (detail: string, ok: boolean) => void, ready: () => boolean = () => true): void {
    this.onFrame = onFrame;
    this.onDone = onDone;
    this.ready = ready;
  }

  codecs() {
    return this.codecsSeen;
  }

  /** Recorded time reached (epoch ms). */
  position(): number | null {
    return this.pos;
  }

  start(scale: number): void {
    this.scale = scale;
    this.run(this.range.start);
  }

  pause(): void {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.base = null;
    this.tick();
  }

  setScale(scale: number): void {
    this.scale = scale;
    this.base = null;
  }

  /** Seek to `offsetMs` after the start of the range. */
  seek(offsetMs: number, scale: number): void {
    this.scale = scale;
    this.run(Math.min(this.range.start + Math.max(0, offsetMs), this.range.end - 1000));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.kill();
    this.lease.release();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private kill(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const p = this.proc;
    this.proc = null;
    if (p && p.exitCode === null) p.kill('SIGKILL');
  }

  private run(from: number): void {
    this.kill();
    this.queue = [];
    this.head = 0;
    this.base = null;
    this.eof = false;
    this.runFrom = from;
    this.runFirstDts = null;
    const parts = this.files.filter((f) => f.seg.end > from);
    if (parts.length === 0) {
      this.eof = true;
      this.tick();
      return;
    }
    const first = parts[0]!.seg;
    const last = parts.at(-1)!.seg;
    // Holes between segments collapse in the concatenation: the length read is the recorded time wanted.
    let holes = 0;
    for (let i = 1; i < parts.length; i++) {
      const h = parts[i]!.seg.start - parts[i - 1]!.seg.end;
      if (h > GAP_TOLERANCE_MS) holes += h;
    }
    const offset = Math.max(0, from - first.start) / 1000;
    const length = Math.max(0.5, (Math.min(this.range.end, last.end) - Math.max(from, first.start) - holes) / 1000);
    const list = join(this.dir, 'list.ffconcat');
    writeFileSync(list, `ffconcat version 1.0\n${parts.map((p) => `file '${p.file.replace(/'/g, "'\\''")}'`).join('\n')}\n`);
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      ...this.lease.args,
      '-f',
      'concat',
      '-safe',
      '0',
      '-ss',
      offset.toFixed(3),
      '-i',
      list,
      '-t',
      length.toFixed(3),
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-c',
      'copy',
      '-f',
      'mpegts',
      'pipe:1',
    ];
    const proc = spawn(this.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.stderr = '';
    const reader = new TsFrameReader(
      (f) => {
        this.codecsSeen = { video: reader.video, audio: reader.audio };
        this.queue.push(f);
        if (this.queue.length - this.head > QUEUE_HIGH) proc.stdout?.pause();
      },
      () => this.law,
    );
    this.reader = reader;
    proc.stdout!.on('data', (d: Buffer) => {
      if (this.proc !== proc) return;
      reader.push(d);
      if (!this.timer && !this.paused) this.tick();
    });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-1000)));
    proc.on('error', (err) => (this.stderr = err.message));
    proc.on('close', (code) => {
      if (this.proc !== proc || this.stopped) return;
      this.eof = true;
      // The object store's own words when it stopped answering, not ffmpeg's "5XX" or a short read taken for the end.
      const storeError = this.lease.error();
      if (storeError) {
        this.stopped = true;
        this.lease.release();
        rmSync(this.dir, { recursive: true, force: true });
        this.onDone(`could not read the recordings of ${this.sourceId}: ${storeError.message}`, false);
        return;
      }
      if (code !== 0 && !this.sentAny) {
        this.onDone(`could not read the recordings of ${this.sourceId} (ffmpeg code ${code}): ${this.stderr.trim()}`, false);
        return;
      }
      if (!this.timer && !this.paused) this.tick();
    });
  }

  /** Sends the frames that are due; schedules itself for the next one. */
  private tick = (): void => {
    this.timer = null;
    if (this.paused || this.stopped) return;
    const now = performance.now();
    let wait = -1;
    while (this.head < this.queue.length) {
      const f = this.queue[this.head]!;
      if (!this.base) this.base = { dts: f.dts, wall: now };
      let due = this.base.wall + (f.dts - this.base.dts) / 90 / this.scale;
      // A timestamp jump (a new recording run inside the range): carry on at once from the new time.
      if (f.dts < this.base.dts - 90_000 || due - now > 5000) {
        this.base = { dts: f.dts, wall: now };
        due = now;
      }
      if (due > now + 1) {
        wait = due - now;
        break;
      }
      if (!this.ready()) {
        // Wait for the socket to drain; the pacing then carries on from here.
        this.base = null;
        wait = 20;
        break;
      }
      this.head++;
      if (this.runFirstDts === null) this.runFirstDts = f.dts;
      this.pos = this.runFrom + Math.max(0, (f.dts - this.runFirstDts) / 90);
      this.sentAny = true;
      this.onFrame(f);
      if (this.stopped || this.paused) return;
    }
    if (this.head > 1000 || this.head === this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queue.length < QUEUE_LOW && this.proc?.stdout?.isPaused()) this.proc.stdout.resume();
    if (wait >= 0) this.timer = setTimeout(this.tick, wait);
    else if (this.eof) {
      this.pos = this.range.end;
      this.stopped = true;
      this.lease.release();
      rmSync(this.dir, { recursive: true, force: true });
      this.onDone(`sent the recording up to ${new Date(this.range.end).toISOString()}`, true);
    }
  };
}
