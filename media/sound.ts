// The on-demand AAC encode of a source's sound. Ingest copies G.711 as received (media/ingest.ts);
// browsers (MSE) and RTMP (FLV) take AAC only. So while someone needs AAC — the one unmuted tile's
// listeners, a playback being watched is media/playback.ts's own, an RTMP push — one ffmpeg per source
// (media/on-demand.ts: fed from the relay, started with the first taker, ended with the last) takes the
// G.711 from the tap (media/g711.ts) on a second pipe, copies the video and encodes the sound to AAC; its
// MPEG-TS is the relay's `sound` stream, fanned out to all of them. A source nobody listens to costs no encode.
import { G711_FLV_INPUT, G711_TS_INPUT, type G711Codec } from './g711.ts';
import { createOnDemandTranscodes, type OnDemandDeps, type OnDemandTranscodes } from './on-demand.ts';

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

export type SoundDeps = Pick<OnDemandDeps, 'attachMain' | 'ffmpeg' | 'log'>;

/** Running encodes, for status, tests and the bench. */
export interface SoundEncodes extends Omit<OnDemandTranscodes, 'start'> {
  /** Starts one encode for the source; chunks of its MPEG-TS go to onChunk until the returned function is called. */
  start(sourceId: string, codec: G711Codec, onChunk: (chunk: Buffer) => void, onRestart?: () => void): () => void;
}

export function createSoundEncodes(deps: SoundDeps): SoundEncodes {
  const t = createOnDemandTranscodes({ ...deps, kind: 'sound', words: { what: 'sound encode', started: 'someone listens', ended: 'nobody listens' } });
  return {
    kind: t.kind,
    max: t.max,
    running: t.running,
    pids: t.pids,
    available: t.available,
    start: (sourceId, codec, onChunk, onRestart) => t.start(sourceId, { args: soundArgs(), tap: codec }, onChunk, onRestart),
  };
}
