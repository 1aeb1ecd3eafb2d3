// The media side of a GB/T 28181 INVITE: the contract the signalling (gbsip) calls. One session per
// INVITE dialog — live Play from the ingest's relay, Playback/Download from recorded segments — sent as
// MPEG-PS over RTP to the address the platform's SDP names. A session never slows recording or other
// viewers: a platform that cannot keep up is dropped to key frames, then let go (onEnded 'too_slow').
import type { Clock } from '../../core/index.ts';
import type { Playback } from '../playback.ts';
import type { LiveRelay } from '../live.ts';
import type { GbPlayKind } from './protocol.ts';

/** The three INVITE kinds (the protocol file's name for them, where the consoles read it). */
export type GbSessionKind = GbPlayKind;
export type GbEdition = '2016' | '2022';

/** What a failed open/control means for the SIP answer; gbsip replies with `sipStatus`. */
export type GbMediaErrorCode =
  /** The offer has no usable m=video with PS/96 over RTP/AVP, TCP/RTP/AVP (a=setup active|passive), or a malformed line: 488. */
  | 'unsupported_sdp'
  /** The channel's source is not configured (or not a channel of this platform): 404. */
  | 'unknown_channel'
  /** Playback/Download: nothing recorded in the t= range: 404. */
  | 'no_recording'
  /** Playback/Download without a usable t= range (missing, end before start, in the future): 400. */
  | 'bad_range'
  /** Too many sessions (on this platform, or on the appliance): 486. */
  | 'busy'
  /** A MANSRTSP body that cannot be parsed or does not fit this session (PAUSE on a Play): 400. */
  | 'bad_request'
  /** TCP passive: no port free to listen on; a socket error: 500. */
  | 'internal';

export const GB_MEDIA_SIP_STATUS: Record<GbMediaErrorCode, number> = {
  unsupported_sdp: 488,
  unknown_channel: 404,
  no_recording: 404,
  bad_range: 400,
  busy: 486,
  bad_request: 400,
  internal: 500,
};

export class GbMediaError extends Error {
  readonly sipStatus: number;
  constructor(
    readonly code: GbMediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GbMediaError';
    this.sipStatus = GB_MEDIA_SIP_STATUS[code];
  }
}

export interface GbOpenRequest {
  /** The appliance source (camera id or SCREEN-<terminal>) the channel ID maps to. */
  channelSourceId: string;
  /** The 20-digit GB channel ID (the INVITE's Request-URI user / the offer's o= and Subject). */
  channelId: string;
  /** The offer's s= line (gbsip may pass what it already read; the SDP's s= wins when they differ). */
  kind: GbSessionKind;
  offerSdp: string;
  /**
   * Playback/Download: epoch ms of the t= line (gbsip may leave it out and the SDP's t= is used).
   * Play ignores it.
   */
  range?: { start: number; end: number };
  /** Config id (or server ID) of the platform: for limits, logs, stats and stopPlatform(). */
  platformId: string;
  edition: GbEdition;
  /** Our 20-digit device ID: the answer's o= username. */
  deviceId: string;
  /** The IPv4 address the platform reaches us at: the answer's c= (and where TCP passive listens). */
  localIp: string;
  /** Download speed asked in the INVITE's a=downloadspeed or gbsip's knowledge (1 = real time). */
  downloadSpeed?: number;
}

/** Why a session ended by itself (stop() does not call onEnded). */
export type GbEndReason =
  /** Playback/Download sent the whole range: gbsip sends MESSAGE Notify MediaStatus NotifyType 121, then waits for the BYE. */
  | 'completed'
  /** The platform could not keep up (backlog past the hard cap, or behind too long): gbsip sends BYE. */
  | 'too_slow'
  /** TCP: the platform closed the connection, or never connected (active: refused; passive: 10 s without a connection). */
  | 'transport_closed'
  /** Live: the source was removed or its ingest restarted and did not come back within the grace period. */
  | 'source_gone';

export interface GbSessionStats {
  id: string;
  platformId: string;
  channelId: string;
  channelSourceId: string;
  kind: GbSessionKind;
  transport: 'udp' | 'tcp-active' | 'tcp-passive';
  remote: string;
  ssrc: number;
  state: 'offered' | 'sending' | 'paused' | 'ended';
  /** Epoch ms of start() (ACK), null before. */
  startedAt: number | null;
  frames: number;
  rtpPackets: number;
  bytes: number;
  /** Frames not sent because the platform was behind (it was put back on a key frame). */
  skippedFrames: number;
  /** Playback/Download: the recorded time reached, epoch ms. */
  position: number | null;
  scale: number;
}

export interface GbMediaSession {
  readonly id: string;
  /** The answer for the 200 OK: a=sendonly, a=rtpmap:96 PS/90000, the offer's y= SSRC. */
  readonly answerSdp: string;
  readonly kind: GbSessionKind;
  readonly ssrc: number;
  /** On ACK: begin sending. Idempotent. */
  start(): void;
  /** On BYE (or CANCEL, or the platform going offline): stop sending and free the sockets. Idempotent; onEnded is not called. */
  stop(reason: string): void;
  /**
   * INFO with Application/MANSRTSP (Playback only): `PLAY` (with optional `Range: npt=S-` to seek and
   * `Scale: x` for speed), `PAUSE`, `TEARDOWN`. Throws GbMediaError('bad_request') for anything else.
   */
  control(mansrtsp: string): void;
  /** Called once when the session ends by itself (see GbEndReason). */
  onEnded(cb: (ended: { reason: GbEndReason; detail: string }) => void): void;
  stats(): GbSessionStats;
}

export interface GbMediaDeps {
  /** The ingest's live relay: Play attaches one sink per session (no second camera connection). */
  relay: Pick<LiveRelay, 'attach'>;
  /** Recorded segments for Playback/Download. */
  playback: Pick<Playback, 'recordings' | 'segmentInputs'>;
  /** Whether a source id is configured (cameras and screens). */
  sourceKnown(id: string): boolean;
  clock: Clock;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  limits?: Partial<GbMediaLimits>;
  /**
   * The audio codec the source's ingest reads, as ffmpeg names it ('pcm_alaw', 'pcm_mulaw', 'aac'):
   * the live relay carries G.711 as an MPEG-TS private stream that does not say which law it is.
   * Without it (or null) such audio is left out of the PS; AAC needs no hint.
   */
  audioCodec?: (sourceId: string) => string | null | undefined;
  /** ffmpeg binary used to read recordings (default 'ffmpeg'). */
  ffmpeg?: string;
}

export interface GbMediaLimits {
  /** Sessions of one platform at once (486 beyond). */
  perPlatform: number;
  /** Sessions on the appliance at once. */
  total: number;
  /** Playback/Download reading recordings at once (each is one ffmpeg). */
  recordedAtOnce: number;
  /** TCP passive: how long we wait for the platform to connect after ACK. */
  passiveConnectMs: number;
  /** Bytes queued for a platform above which frames are skipped until the next key frame. */
  softBacklogBytes: number;
  /** Bytes queued above which (or behind for longer than behindMs) the platform is let go ('too_slow'). */
  hardBacklogBytes: number;
  behindMs: number;
}

export const DEFAULT_GB_MEDIA_LIMITS: GbMediaLimits = {
  perPlatform: 64,
  total: 128,
  recordedAtOnce: 8,
  passiveConnectMs: 10_000,
  softBacklogBytes: 512 * 1024,
  hardBacklogBytes: 8 * 1024 * 1024,
  behindMs: 10_000,
};

export interface GbMediaSessions {
  /** Parses the offer, binds the local socket (UDP port / TCP passive listener) and returns the session with its answer. */
  open(req: GbOpenRequest): Promise<GbMediaSession>;
  /** Sessions open now, for the status API and metrics. */
  sessions(): GbSessionStats[];
  /** Stops every session of a platform (it went offline or was removed from the config). */
  stopPlatform(platformId: string, reason: string): void;
  /** Stops everything (shutdown). */
  close(): void;
}

export { createGbMediaSessions } from './sessions.ts';
