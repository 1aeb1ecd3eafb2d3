// The recorder of a scheduled source (record: sessions): while the room's recording window is open, a
// second ffmpeg reads the source's live MPEG-TS from the ingest's fan-out and writes the same crash-safe
// segments the ingest's own tee would. The ingest itself runs all day, live only, so opening or closing
// a window never interrupts live view, upstream push or a terminal's screen stream (which cannot be
// rejoined mid-way). Stream copy both times: no decode, no encode. G.711 cannot be read back from the
// live MPEG-TS by ffmpeg, so for such a source the recorder gets the sound from the G.711 tap
// (media/g711.ts) on a second pipe, same bytes, same clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { G711_FLV_INPUT, G711_TS_INPUT, AudioTap, isG711 } from './g711.ts';
import { killGroup } from './kill-group.ts';
import { segmentMuxerArgs } from './ingest.ts';
import { createRunRecorder, runPattern, type RunRecorderDeps } from './recorder.ts';

/** Bytes queued for the recorder's ffmpeg beyond which it is taken as stuck (ended, then started again). */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** g711: the sound comes as FLV on fd 3 (the live TS has it only as a private stream). */
export function windowRecorderArgs(pattern: string, segmentSeconds: number, g711 = false): string[] {
  const inputs = g711
    ? [...G711_TS_INPUT, ...G711_FLV_INPUT, '-map', '0:v:0', '-map', '1:a:0']
    : ['-analyzeduration', '1000000', '-probesize', '1000000', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-map', '0:a:0?'];
  return [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-nostats',
    '-fflags',
    '+genpts',
    ...inputs,
    '-c',
    'copy',
    // The same segments as the ingest's tee writes (crash-safe: flushed packet by packet).
    ...segmentMuxerArgs(segmentSeconds, 0),
    pattern,
  ];
}

export interface WindowRecorder {
  /** Server time the recorder started: footage from here on is in segments being written. */
  startedAt: number;
  /** Ends the input; ffmpeg closes its last segment, which is indexed before this resolves. */
  stop(): Promise<void>;
}

export interface WindowRecorderDeps extends Omit<RunRecorderDeps, 'now'> {
  now: () => number;
  segmentSeconds: number;
  /** The source's audio codec as received (null: none). */
  audio: string | null;
  /** The fan-out of the source's main stream: a new subscriber gets PAT/PMT and the current GOP first, so the recording opens on a key frame. */
  subscribe(onChunk: (chunk: Buffer) => void): () => void;
  /** The recorder's ffmpeg ended without stop() (a fault): the caller decides whether to start another. */
  onFault(reason: string): void;
}

export function startWindowRecorder(deps: WindowRecorderDeps): WindowRecorder {
  const startedAt = deps.now();
  const run = runPattern(deps.sourceId, startedAt);
  mkdirSync(join(deps.mediaDir, run.dir), { recursive: true, mode: 0o750 });
  const recorder = createRunRecorder(deps, run);
  let stopping = false;
  let lastWrite = startedAt;
  let stderrTail = '';
  // detached: its own process group, like the ingest, so nothing of it outlives a stop.
  const tap = isG711(deps.audio) ? new AudioTap(deps.audio) : null;
  const child: ChildProcess = spawn('ffmpeg', windowRecorderArgs(run.pattern, deps.segmentSeconds, tap !== null), {
    cwd: deps.mediaDir,
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe', tap ? 'pipe' : 'ignore', 'pipe'],
  });
  const audioIn = tap ? (child.stdio[3] as import('node:stream').Writable) : null;
  child.stdin!.on('error', () => {});
  audioIn?.on('error', () => {});
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-2000)));
  createInterface({ input: child.stdio[4] as Readable }).on('line', (line) => recorder.onListLine(line));
  const unsubscribe = deps.subscribe((chunk) => {
    const stdin = child.stdin!;
    if (stdin.destroyed || stdin.writableEnded) return;
    if (stdin.writableLength > MAX_QUEUED_BYTES) {
      if (!stopping) child.kill('SIGKILL');
      return;
    }
    stdin.write(chunk);
    if (tap && audioIn && !audioIn.destroyed) {
      const flv = tap.push(chunk);
      if (flv.length) audioIn.write(flv);
    }
    lastWrite = deps.now();
  });
  const closed = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      unsubscribe();
      void recorder
        .finish(0, lastWrite)
        .catch((err: unknown) => deps.log?.warn({ err, source: deps.sourceId }, 'indexing the last scheduled segment failed'))
        .finally(() => {
          resolve();
          if (!stopping) {
            const last = stderrTail.trim().split('\n').at(-1) ?? '';
            deps.onFault(`recorder ${code !== null ? `exited with code ${code}` : `killed by ${signal}`}${last ? `: ${last}` : ''}`);
          }
        });
    });
    child.on('error', (err) => (stderrTail += `\n${err.message}`));
  });
  return {
    startedAt,
    async stop() {
      if (!stopping) {
        stopping = true;
        unsubscribe();
        child.stdin!.end();
        audioIn?.end();
        const kill = setTimeout(() => killGroup(child), 5000);
        await closed;
        clearTimeout(kill);
      }
      await closed;
    },
  };
}
