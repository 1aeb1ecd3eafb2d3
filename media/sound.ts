// The on-demand AAC encode of a source's sound. Ingest copies G.711 as received (media/ingest.ts);
// browsers (MSE) and RTMP (FLV) take AAC only. So while someone needs AAC — the one unmuted tile's
// listeners, a playback being watched is media/playback.ts's own, an RTMP push — one ffmpeg per source
// reads the source's live MPEG-TS from the relay (a sink like any viewer), takes the G.711 from the tap
// (media/g711.ts) on a second pipe, copies the video and encodes the sound to AAC, and its MPEG-TS is the
// relay's `sound` stream, fanned out to all of them. It starts with the first of them and ends with the
// last (the relay's channel subscribes and unsubscribes), so a source nobody listens to costs no encode.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { G711_FLV_INPUT, G711_TS_INPUT, AudioTap, type G711Codec } from './g711.ts';
import type { Sink } from './live.ts';

/** ffmpeg's arguments: TS (video, G.711 as a private stream) on stdin, the G.711 as FLV on fd 3, TS with AAC out. */
export function soundArgs(): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...G711_TS_INPUT,
    ...G711_FLV_INPUT,
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    '-c:v',
    'copy',
    // Mono 16 kHz at 32 kbit/s: G.711 is 8 kHz telephone sound; this is what ingest made of it before.
    '-c:a',
    'aac',
    '-ar',
    '16000',
    '-ac',
    '1',
    '-b:a',
    '32k',
    '-f',
    'mpegts',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

export interface SoundDeps {
  /** Attaches a sink to the source's main stream (the relay's); returns the detach function. */
  attachMain(sourceId: string, sink: Sink): () => void;
  ffmpeg?: string;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

interface Encode {
  sourceId: string;
  child: ChildProcess | null;
  detach: (() => void) | null;
  stopped: boolean;
  timer: NodeJS.Timeout | null;
  startedAt: number;
}

/** Running encodes, for status, tests and the bench. */
export interface SoundEncodes {
  /** Source ids with an AAC encode running now (one per source at most). */
  running(): string[];
  /** Process ids of the running encodes (the bench measures their CPU). */
  pids(): number[];
  /** Starts one encode for the source; chunks of its MPEG-TS go to onChunk until the returned function is called. */
  start(sourceId: string, codec: G711Codec, onChunk: (chunk: Buffer) => void, onRestart?: () => void): () => void;
}

export function createSoundEncodes(deps: SoundDeps): SoundEncodes {
  const encodes = new Map<string, Encode>();
  const launch = (e: Encode, codec: G711Codec, onChunk: (chunk: Buffer) => void, onRestart?: () => void) => {
    e.timer = null;
    if (e.stopped) return;
    const child = spawn(deps.ffmpeg ?? 'ffmpeg', soundArgs(), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
    e.child = child;
    e.startedAt = Date.now();
    const tap = new AudioTap(codec);
    const audioIn = child.stdio[3] as Writable;
    let stderr = '';
    child.stdin!.on('error', () => {});
    audioIn.on('error', () => {});
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
        const flv = tap.push(bytes);
        if (flv.length && audioIn.writable) audioIn.write(flv);
      },
      drop: () => kill(child),
    };
    try {
      e.detach = deps.attachMain(e.sourceId, sink);
    } catch (err) {
      deps.log?.warn({ err, source: e.sourceId }, 'sound encode: source not available');
      kill(child);
    }
    child.on('error', (err) => (stderr += `\n${err.message}`));
    child.on('close', (code, signal) => {
      e.detach?.();
      e.detach = null;
      e.child = null;
      if (e.stopped) return;
      // The source restarted (its stream was dropped) or ffmpeg failed: listeners start over on a new encode.
      deps.log?.warn({ source: e.sourceId, code, signal, stderr: stderr.trim().split('\n').at(-1) }, 'sound encode ended; starting it again');
      if (delivered) onRestart?.();
      e.timer = setTimeout(() => launch(e, codec, onChunk, onRestart), delivered ? 200 : 1000);
    });
  };
  return {
    running: () => [...encodes.keys()],
    pids: () => [...encodes.values()].flatMap((e) => (e.child?.pid ? [e.child.pid] : [])),
    start(sourceId, codec, onChunk, onRestart) {
      const e: Encode = { sourceId, child: null, detach: null, stopped: false, timer: null, startedAt: 0 };
      encodes.set(sourceId, e);
      deps.log?.info({ source: sourceId }, 'sound encode started (someone listens)');
      launch(e, codec, onChunk, onRestart);
      return () => {
        e.stopped = true;
        if (encodes.get(sourceId) === e) encodes.delete(sourceId);
        if (e.timer) clearTimeout(e.timer);
        e.detach?.();
        e.detach = null;
        if (e.child) kill(e.child);
        deps.log?.info({ source: sourceId }, 'sound encode ended (nobody listens)');
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
