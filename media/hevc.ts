// The on-demand H.264 transcode of an H.265 camera, for the one tile opened large in a browser that
// cannot play H.265 (Debian's Chromium, office PCs without a decoder). Same rule as the sound
// (media/sound.ts): transcode only while a person watches. One ffmpeg per source reads the source's live
// MPEG-TS from the relay (a sink like any viewer), decodes the H.265 and encodes H.264 at sub-stream size
// with no sound; its MPEG-TS is the relay's `h264` stream, fanned out to everyone who watches that source
// large. It starts with the first of them and ends with the last. At most `max` run at once (each costs a
// real share of a core, docs/media.md): the next source is refused with a reason the tile shows in words.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sink } from './live.ts';

/** Width of the transcoded picture: a camera's usual sub-stream size. */
export const HEVC_TRANSCODE_WIDTH = 640;

/** ffmpeg's arguments: the source's TS on stdin, H.264 (no sound) as TS on stdout. */
export function hevcArgs(): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    // The G.711 the camera sends is a private stream ffmpeg never finds parameters for: without these
    // bounds it probes 5 MB (a minute of a 600 kbit/s camera) before the first frame; measured: it is the
    // byte bound that ends the probe, not the time. The cached GOP the relay starts us on opens with the
    // parameter sets, so 256 KB (one key frame of a 4 Mbit/s camera) is enough for the video.
    '-analyzeduration',
    '500000',
    '-probesize',
    '262144',
    '-fflags',
    'nobuffer',
    '-f',
    'mpegts',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    // Scaled before the encode: the decode is full size, the encode at sub-stream size.
    '-vf',
    `scale=${HEVC_TRANSCODE_WIDTH}:-2`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    '800k',
    '-maxrate',
    '1200k',
    '-bufsize',
    '1200k',
    // A key frame every 2 s: a viewer joining (or skipping ahead) waits at most that long.
    '-force_key_frames',
    'expr:gte(t,n_forced*2)',
    '-an',
    '-f',
    'mpegts',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

/** Refused because `max` transcodes run already: the reason in words, for the tile. */
export class TranscodesBusy extends Error {
  constructor(
    readonly running: string[],
    readonly max: number,
  ) {
    super(
      max === 0
        ? 'H.265 transcoding is turned off on this server (media.hevcTranscodes: 0)'
        : `${running.length} of at most ${max} H.265 transcodes run already (${running.join(', ')})`,
    );
  }
}

export interface HevcDeps {
  /** Attaches a sink to the source's main stream (the relay's); returns the detach function. */
  attachMain(sourceId: string, sink: Sink): () => void;
  /** Most transcodes at once (config media.hevcTranscodes). */
  max: number;
  ffmpeg?: string;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

interface Transcode {
  child: ChildProcess | null;
  detach: (() => void) | null;
  stopped: boolean;
  timer: NodeJS.Timeout | null;
}

export interface HevcTranscodes {
  /** Source ids with a transcode running now. */
  running(): string[];
  /** Process ids of the running transcodes (the bench measures their CPU). */
  pids(): number[];
  /** Whether a transcode for this source could start now (or runs already). */
  available(sourceId: string): boolean;
  readonly max: number;
  /** Starts the source's transcode; throws TranscodesBusy at the cap. Chunks go to onChunk until the returned function is called. */
  start(sourceId: string, onChunk: (chunk: Buffer) => void, onRestart?: () => void): () => void;
}

export function createHevcTranscodes(deps: HevcDeps): HevcTranscodes {
  const transcodes = new Map<string, Transcode>();
  const launch = (sourceId: string, t: Transcode, onChunk: (chunk: Buffer) => void, onRestart?: () => void) => {
    t.timer = null;
    if (t.stopped) return;
    const child = spawn(deps.ffmpeg ?? 'ffmpeg', hevcArgs(), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    t.child = child;
    let stderr = '';
    child.stdin!.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    let delivered = false;
    child.stdout!.on('data', (d: Buffer) => {
      delivered = true;
      onChunk(d);
    });
    const sink: Sink = {
      backlog: () => child.stdin!.writableLength,
      write: (bytes) => {
        if (child.stdin!.writable) child.stdin!.write(bytes);
      },
      drop: () => kill(child),
    };
    try {
      t.detach = deps.attachMain(sourceId, sink);
    } catch (err) {
      deps.log?.warn({ err, source: sourceId }, 'H.265 transcode: source not available');
      kill(child);
    }
    child.on('error', (err) => (stderr += `\n${err.message}`));
    child.on('close', (code, signal) => {
      t.detach?.();
      t.detach = null;
      t.child = null;
      if (t.stopped) return;
      deps.log?.warn({ source: sourceId, code, signal, stderr: stderr.trim().split('\n').at(-1) }, 'H.265 transcode ended; starting it again');
      if (delivered) onRestart?.();
      t.timer = setTimeout(() => launch(sourceId, t, onChunk, onRestart), delivered ? 200 : 1000);
    });
  };
  return {
    max: deps.max,
    running: () => [...transcodes.keys()],
    pids: () => [...transcodes.values()].flatMap((t) => (t.child?.pid ? [t.child.pid] : [])),
    available: (sourceId) => transcodes.has(sourceId) || transcodes.size < deps.max,
    start(sourceId, onChunk, onRestart) {
      if (!transcodes.has(sourceId) && transcodes.size >= deps.max) throw new TranscodesBusy([...transcodes.keys()], deps.max);
      const t: Transcode = { child: null, detach: null, stopped: false, timer: null };
      transcodes.set(sourceId, t);
      deps.log?.info({ source: sourceId }, 'H.265 transcode started (someone watches it large)');
      launch(sourceId, t, onChunk, onRestart);
      return () => {
        t.stopped = true;
        if (transcodes.get(sourceId) === t) transcodes.delete(sourceId);
        if (t.timer) clearTimeout(t.timer);
        t.detach?.();
        t.detach = null;
        if (t.child) kill(t.child);
        deps.log?.info({ source: sourceId }, 'H.265 transcode ended (nobody watches it large)');
      };
    },
  };
}

function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
