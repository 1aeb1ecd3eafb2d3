// The on-demand H.264 transcode of an H.265 camera, for the one tile opened large in a browser that
// cannot play H.265 (Debian's Chromium, office PCs without a decoder). Same rule and lifecycle as the
// sound (media/on-demand.ts): transcode only while a person watches. One ffmpeg per source reads the
// source's live MPEG-TS from the relay, decodes the H.265 and encodes H.264 at sub-stream size, with the
// camera's sound as AAC (G.711 through the tap, AAC copied) so that the enlarged tile can be unmuted
// without a second stream: the sound costs a sliver of what the picture does. Its MPEG-TS is the relay's
// `h264` stream, fanned out to everyone who watches that source large. At most `max` run at once (each
// costs a real share of a core, docs/media.md): the next source is refused with a reason the tile shows.
import { G711_FLV_INPUT, isG711 } from './g711.ts';
import { createOnDemandTranscodes, type OnDemandDeps, type OnDemandTranscodes } from './on-demand.ts';

/** Width of the transcoded picture: a camera's usual sub-stream size. */
export const HEVC_TRANSCODE_WIDTH = 640;

/**
 * ffmpeg's arguments: the source's TS on stdin, H.264 as TS on stdout; the sound as AAC when the camera
 * sends G.711 (from the tap on fd 3) or AAC (copied), none otherwise.
 */
export function hevcArgs(audio: string | null = null): string[] {
  const g711 = isG711(audio);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    // The G.711 the camera sends is a private stream ffmpeg never finds parameters for: without these
    // bounds it probes 5 MB (a minute of a 600 kbit/s camera) before the first frame; measured: it is the
    // byte bound that ends the probe, not the time. The cached GOP the relay starts us on opens with the
    // parameter sets, so 256 KB (one key frame of a 4 Mbit/s camera) is enough for the video.
    // With the tap's sound as a second input the two keep the TS clock (PTS / 90 = FLV ms), so the
    // timestamps are copied as they are; the key frames below are therefore timed from the last forced one.
    ...(g711 ? ['-copyts'] : []),
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
    ...(g711 ? G711_FLV_INPUT : []),
    '-map',
    '0:v:0',
    ...(g711 ? ['-map', '1:a:0'] : audio === 'aac' ? ['-map', '0:a:0'] : []),
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
    'expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,2))',
    // Mono 16 kHz at 32 kbit/s, as the sound encode makes it (media/sound.ts); AAC from the camera as sent.
    ...(g711 ? ['-c:a', 'aac', '-ar', '16000', '-ac', '1', '-b:a', '32k'] : audio === 'aac' ? ['-c:a', 'copy'] : ['-an']),
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

export interface HevcDeps extends Pick<OnDemandDeps, 'attachMain' | 'ffmpeg' | 'log'> {
  /** Most transcodes at once (config media.hevcTranscodes). */
  max: number;
}

export interface HevcTranscodes extends Omit<OnDemandTranscodes, 'start'> {
  /** Starts the source's transcode (with the sound the camera sends: `audio` is its codec); throws TranscodesBusy at the cap. */
  start(sourceId: string, audio: string | null, onChunk: (chunk: Buffer) => void, onRestart?: () => void): () => void;
}

export function createHevcTranscodes(deps: HevcDeps): HevcTranscodes {
  const t = createOnDemandTranscodes({
    ...deps,
    kind: 'h264',
    words: { what: 'H.265 transcode', started: 'someone watches it large', ended: 'nobody watches it large' },
    busy: (running, max) => new TranscodesBusy(running, max),
  });
  return {
    kind: t.kind,
    max: deps.max,
    running: t.running,
    pids: t.pids,
    available: t.available,
    start: (sourceId, audio, onChunk, onRestart) => t.start(sourceId, { args: hevcArgs(audio), tap: isG711(audio) ? audio : null }, onChunk, onRestart),
  };
}
