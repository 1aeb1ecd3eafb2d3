// An on-demand ffmpeg per source, fed from the relay: the lifecycle the sound encode (media/sound.ts) and
// the H.265 transcode (media/hevc.ts) share, apart from their arguments. One ffmpeg per source reads the
// source's live MPEG-TS as a sink of its main stream (and, when the sound is G.711, the tap's FLV on fd 3:
// media/g711.ts); its MPEG-TS out is one relay stream fanned out to everyone who takes it. It starts with
// the first of them and ends with the last (the relay's channel subscribes and unsubscribes), starts again
// after a crash or a source restart, and at most `max` run at once: the next source is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { AudioTap, type G711Codec } from './g711.ts';
import { killGroup } from './kill-group.ts';
import type { Sink } from './sink.ts';

/** What one run of the ffmpeg is: its arguments, and the G.711 to tap onto fd 3 (null: no second input). */
export interface OnDemandRun {
  args: string[];
  tap: G711Codec | null;
}

export interface OnDemandDeps {
  /** The relay stream it makes (`sound`, `h264`): the metric's label. */
  kind: string;
  /** Words for the log: what it is ("sound encode") and why it starts and ends ("someone listens", "nobody listens"). */
  words: { what: string; started: string; ended: string };
  /** Attaches a sink to the source's main stream (the relay's); returns the detach function. */
  attachMain(sourceId: string, sink: Sink): () => void;
  /** Most at once; absent: no cap. */
  max?: number;
  /** The refusal at the cap. */
  busy?: (running: string[], max: number) => Error;
  ffmpeg?: string;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export interface OnDemandTranscodes {
  readonly kind: string;
  readonly max: number;
  /** Source ids with one running now (one per source at most). */
  running(): string[];
  /** Process ids of the running ones (the bench measures their CPU). */
  pids(): number[];
  /** Whether one for this source could start now (or runs already). */
  available(sourceId: string): boolean;
  /** Starts the source's ffmpeg; throws at the cap. Chunks of its MPEG-TS go to onChunk until the returned function is called. */
  start(sourceId: string, run: OnDemandRun, onChunk: (chunk: Buffer) => void, onRestart?: () => void): () => void;
}

interface Running {
  child: ChildProcess | null;
  detach: (() => void) | null;
  stopped: boolean;
  timer: NodeJS.Timeout | null;
}

export function createOnDemandTranscodes(deps: OnDemandDeps): OnDemandTranscodes {
  const max = deps.max ?? Number.POSITIVE_INFINITY;
  const { what } = deps.words;
  const all = new Map<string, Running>();
  const launch = (sourceId: string, r: Running, run: OnDemandRun, onChunk: (chunk: Buffer) => void, onRestart?: () => void) => {
    r.timer = null;
    if (r.stopped) return;
    const child = spawn(deps.ffmpeg ?? 'ffmpeg', run.args, { stdio: run.tap ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'], detached: true });
    r.child = child;
    const tap = run.tap ? new AudioTap(run.tap) : null;
    const audioIn = tap ? (child.stdio[3] as Writable) : null;
    let stderr = '';
    child.stdin!.on('error', () => {});
    audioIn?.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    let delivered = false;
    child.stdout!.on('data', (d: Buffer) => {
      delivered = true;
      onChunk(d);
    });
    const sink: Sink = {
      backlog: () => child.stdin!.writableLength,
      write: (bytes) => {
        if (!child.stdin!.writable) return;
        child.stdin!.write(bytes);
        if (!tap) return;
        const flv = tap.push(bytes);
        if (flv.length && audioIn!.writable) audioIn!.write(flv);
      },
      drop: () => killGroup(child),
    };
    try {
      r.detach = deps.attachMain(sourceId, sink);
    } catch (err) {
      deps.log?.warn({ err, source: sourceId }, `${what}: source not available`);
      killGroup(child);
    }
    child.on('error', (err) => (stderr += `\n${err.message}`));
    child.on('close', (code, signal) => {
      r.detach?.();
      r.detach = null;
      r.child = null;
      if (r.stopped) return;
      // The source restarted (its stream was dropped) or ffmpeg failed: its takers start over on a new run.
      deps.log?.warn({ source: sourceId, code, signal, stderr: stderr.trim().split('\n').at(-1) }, `${what} ended; starting it again`);
      if (delivered) onRestart?.();
      r.timer = setTimeout(() => launch(sourceId, r, run, onChunk, onRestart), delivered ? 200 : 1000);
    });
  };
  return {
    kind: deps.kind,
    max,
    running: () => [...all.keys()],
    pids: () => [...all.values()].flatMap((r) => (r.child?.pid ? [r.child.pid] : [])),
    available: (sourceId) => all.has(sourceId) || all.size < max,
    start(sourceId, run, onChunk, onRestart) {
      if (!all.has(sourceId) && all.size >= max) throw deps.busy?.([...all.keys()], max) ?? new Error(`${what}: at most ${max} at once`);
      const r: Running = { child: null, detach: null, stopped: false, timer: null };
      all.set(sourceId, r);
      deps.log?.info({ source: sourceId }, `${what} started (${deps.words.started})`);
      launch(sourceId, r, run, onChunk, onRestart);
      return () => {
        r.stopped = true;
        if (all.get(sourceId) === r) all.delete(sourceId);
        if (r.timer) clearTimeout(r.timer);
        r.detach?.();
        r.detach = null;
        if (r.child) killGroup(r.child);
        deps.log?.info({ source: sourceId }, `${what} ended (${deps.words.ended})`);
      };
    },
  };
}
