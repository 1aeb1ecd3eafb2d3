// GB/T 28181 media sessions: the offer's SDP → transport and answer; frames from the live relay (Play)
// or from recorded segments (Playback/Download) → PS packs → RTP. One slow or broken platform costs only
// its own session: frames are dropped to the next key frame once its socket backlog grows, and the
// session ends ('too_slow') past a hard cap, while the relay goes on feeding recording and the others.
import { randomUUID } from 'node:crypto';
import type { Sink } from '../live.ts';
import {
  DEFAULT_GB_MEDIA_LIMITS,
  GbMediaError,
  type GbEndReason,
  type GbMediaDeps,
  type GbMediaLimits,
  type GbMediaSession,
  type GbMediaSessions,
  type GbOpenRequest,
  type GbSessionKind,
  type GbSessionStats,
} from './media-session.ts';
import { parseMansrtsp } from './mansrtsp.ts';
import { PsMuxer } from './ps-mux.ts';
import { RecordedReader } from './recorded.ts';
import { RtpPacketizer, tcpActiveTransport, tcpPassiveTransport, udpTransport, type RtpTransport } from './rtp.ts';
import { buildAnswer, makeSsrc, parseOffer } from './sdp.ts';
import { lawOf, TsFrameReader, type TsFrame } from './ts-frames.ts';

/** Frames of the current GOP kept between the 200 OK and the ACK, so play starts with a picture. */
const PREROLL_MAX_BYTES = 8 * 1024 * 1024;
/** 40 ms at 90 kHz: the step over a timestamp discontinuity (source restart, seek) so RTP time keeps rising. */
const TS_STEP = 3600;

/** A measurement hook (bench): called after each frame's packets are handed to the socket. */
export type FrameSentHook = (s: { sessionId: string; key: boolean; bytes: number; kind: 'video' | 'audio' }) => void;

export function createGbMediaSessions(deps: GbMediaDeps & { onFrameSent?: FrameSentHook }): GbMediaSessions {
  const limits = { ...DEFAULT_GB_MEDIA_LIMITS, ...deps.limits };
  const open = new Map<string, Session>();
  let seq = 0;

  const count = (pred: (s: Session) => boolean) => [...open.values()].filter(pred).length;

  return {
    async open(req: GbOpenRequest): Promise<GbMediaSession> {
      const offer = parseOffer(req.offerSdp);
      const kind: GbSessionKind = offer.kind;
      if (!deps.sourceKnown(req.channelSourceId))
        throw new GbMediaError('unknown_channel', `channel ${req.channelId} (source ${req.channelSourceId}) is not configured`);
      if (open.size >= limits.total)
        throw new GbMediaError('busy', `${open.size} GB/T 28181 media sessions are open (at most ${limits.total} on this appliance)`);
      const mine = count((s) => s.platformId === req.platformId);
      if (mine >= limits.perPlatform)
        throw new GbMediaError('busy', `platform ${req.platformId} has ${mine} media sessions open (at most ${limits.perPlatform})`);
      let recorded: RecordedReader | null = null;
      if (kind !== 'Play') {
        const range = offer.range ?? req.range;
        if (!range || !(range.end > range.start)) throw new GbMediaError('bad_range', `s=${kind} needs a t= range with end after start`);
        if (range.start >= deps.clock.now())
          throw new GbMediaError('bad_range', `s=${kind} asks from ${new Date(range.start).toISOString()}, which is in the future`);
        const busy = count((s) => s.kind !== 'Play');
        if (busy >= limits.recordedAtOnce)
          throw new GbMediaError('busy', `${busy} recordings are being played to platforms (at most ${limits.recordedAtOnce} at once)`);
        recorded = await RecordedReader.prepare(deps, req.channelSourceId, req.channelId, range, deps.ffmpeg ?? 'ffmpeg');
      }
      const ssrcText = offer.ssrcText ?? makeSsrc(kind, req.deviceId, ++seq);
      let transport: RtpTransport;
      try {
        transport =
          offer.transport === 'udp'
            ? await udpTransport(offer, req.localIp)
            : offer.transport === 'tcp-active'
              ? tcpActiveTransport(offer, req.localIp, limits.passiveConnectMs)
              : await tcpPassiveTransport(req.localIp, limits.passiveConnectMs);
      } catch (err) {
        throw new GbMediaError('internal', `could not open the RTP socket: ${(err as Error).message}`);
      }
      const session = new Session(
        deps,
        limits,
        req,
        kind,
        Number(ssrcText),
        offer.payloadType,
        transport,
        recorded,
        kind === 'Download' ? offer.downloadSpeed : 1,
        `${offer.address}:${offer.port}`,
        () => open.delete(session.id),
      );
      open.set(session.id, session);
      if (kind === 'Play') session.attachLive();
      session.answerSdp = buildAnswer({
        offer,
        deviceId: req.deviceId,
        edition: req.edition,
        localIp: req.localIp,
        localPort: transport.localPort,
        ssrcText,
        video: session.codecs().video,
        audio: session.codecs().audio,
      });
      deps.log?.info(
        { session: session.id, platform: req.platformId, channel: req.channelId, kind, transport: transport.kind, remote: `${offer.address}:${offer.port}` },
        'gb28181 media session opened',
      );
      return session;
    },
    sessions: () => [...open.values()].map((s) => s.stats()),
    stopPlatform(platformId, reason) {
      for (const s of [...open.values()]) if (s.platformId === platformId) s.stop(reason);
    },
    close() {
      for (const s of [...open.values()]) s.stop('shutting down');
    },
  };
}

class Session implements GbMediaSession {
  readonly id = randomUUID();
  answerSdp = '';
  readonly platformId: string;
  private state: GbSessionStats['state'] = 'offered';
  private reader: TsFrameReader;
  private muxer = new PsMuxer(null, null);
  private packetizer: RtpPacketizer;
  private detach: (() => void) | null = null;
  private endedCbs: Array<(e: { reason: GbEndReason; detail: string }) => void> = [];
  private ended: { reason: GbEndReason; detail: string } | null = null;
  private preroll: TsFrame[] = [];
  private prerollBytes = 0;
  private waitingKey = true;
  private behindSince = 0;
  private stalledSince = 0;
  private lastIn: number | null = null;
  private lastOut = 0;
  private offset = 0;
  private startedAt: number | null = null;
  private frames = 0;
  private rtpPackets = 0;
  private bytes = 0;
  private skippedFrames = 0;
  private scale = 1;
  /** Audio frames waiting for the next video frame's pack. */
  private pendingAudio: TsFrame[] = [];

  constructor(
    private deps: GbMediaDeps & { onFrameSent?: FrameSentHook },
    private limits: GbMediaLimits,
    private req: GbOpenRequest,
    readonly kind: GbSessionKind,
    readonly ssrc: number,
    payloadType: number,
    private transport: RtpTransport,
    private recorded: RecordedReader | null,
    speed: number,
    private remote: string,
    private forget: () => void,
  ) {
    this.platformId = req.platformId;
    this.packetizer = new RtpPacketizer(ssrc, payloadType);
    this.reader = new TsFrameReader(
      (f) => this.onFrame(f),
      () => lawOf(deps.audioCodec?.(req.channelSourceId)),
    );
    this.scale = speed;
    transport.onClosed((why) => this.end('transport_closed', why));
    recorded?.bind(
      (f) => this.sendFrame(f),
      (detail, ok) => {
        // The range's last sound came after its last picture: it has no video pack left to ride in.
        if (ok) this.flushAudio();
        this.end(ok ? 'completed' : 'source_gone', detail);
      },
      () => this.drained(),
    );
  }

  /** Recorded sessions wait for a full socket instead of skipping; stalled past behindMs, the platform is let go. */
  private drained(): boolean {
    const backlog = this.transport.backlog();
    const now = this.deps.clock.now();
    if (backlog <= this.limits.softBacklogBytes / 2) {
      this.stalledSince = 0;
      return true;
    }
    if (!this.stalledSince) this.stalledSince = now;
    else if (now - this.stalledSince > this.limits.behindMs) {
      const why = `the platform has read nothing for ${((now - this.stalledSince) / 1000).toFixed(1)} s (${Math.round(backlog / 1024)} KiB queued)`;
      queueMicrotask(() => this.end('too_slow', why));
    }
    return false;
  }

  codecs() {
    return { video: this.reader.video, audio: this.reader.audio };
  }

  /** Live: subscribe now so the current GOP arrives before the ACK and play starts on a picture. */
  attachLive(): void {
    const sink: Sink = {
      backlog: () => this.transport.backlog(),
      write: (bytes) => this.reader.push(bytes),
      drop: (reason) => {
        this.detach = null;
        if (this.state === 'ended') return;
        if (reason === 'source restarted') {
          // The ingest started a new run: same channel, new timestamps. Rejoin once the relay has let go.
          this.reader.reset();
          this.waitingKey = true;
          setImmediate(() => this.state !== 'ended' && this.attachLive());
        } else this.end(/behind/.test(reason) ? 'too_slow' : 'source_gone', reason);
      },
    };
    this.detach = this.deps.relay.attach(this.req.channelSourceId, sink);
  }

  start(): void {
    if (this.state !== 'offered') return;
    this.state = 'sending';
    this.startedAt = this.deps.clock.now();
    this.transport.start();
    if (this.recorded) this.recorded.start(this.scale);
    const pre = this.preroll;
    this.preroll = [];
    this.prerollBytes = 0;
    for (const f of pre) this.sendFrame(f);
  }

  stop(reason: string): void {
    if (this.state === 'ended') return;
    this.cleanup();
    this.deps.log?.info(
      { session: this.id, platform: this.platformId, channel: this.req.channelId, reason, frames: this.frames },
      'gb28181 media session stopped',
    );
  }

  control(mansrtsp: string): void {
    if (!this.recorded) throw new GbMediaError('bad_request', 'MANSRTSP control applies to Playback and Download, not to live Play');
    const cmd = parseMansrtsp(mansrtsp);
    if (this.state === 'ended') return;
    if (cmd.method === 'TEARDOWN') return this.stop('TEARDOWN');
    if (cmd.method === 'PAUSE') {
      if (this.state === 'sending') this.state = 'paused';
      this.recorded.pause();
      return;
    }
    if (cmd.scale !== null) this.scale = cmd.scale;
    if (cmd.seekSeconds !== null) {
      this.waitingKey = true;
      this.recorded.seek(cmd.seekSeconds * 1000, this.scale);
    } else this.recorded.setScale(this.scale);
    if (this.state === 'paused' || this.state === 'offered') {
      if (this.state === 'offered') this.start();
      this.state = 'sending';
      this.recorded.resume();
    }
  }

  onEnded(cb: (e: { reason: GbEndReason; detail: string }) => void): void {
    if (this.ended) {
      const e = this.ended;
      queueMicrotask(() => cb(e));
    } else this.endedCbs.push(cb);
  }

  stats(): GbSessionStats {
    return {
      id: this.id,
      platformId: this.platformId,
      channelId: this.req.channelId,
      channelSourceId: this.req.channelSourceId,
      kind: this.kind,
      transport: this.transport.kind,
      remote: this.remote,
      ssrc: this.ssrc,
      state: this.state,
      startedAt: this.startedAt,
      frames: this.frames,
      rtpPackets: this.rtpPackets,
      bytes: this.bytes,
      skippedFrames: this.skippedFrames,
      position: this.recorded?.position() ?? null,
      scale: this.scale,
    };
  }

  private onFrame(f: TsFrame): void {
    if (this.state === 'offered') {
      // Before the ACK: keep the current GOP only.
      if (f.kind === 'video' && f.key) {
        this.preroll = [];
        this.prerollBytes = 0;
      }
      if (this.preroll.length === 0 && !(f.kind === 'video' && f.key)) return;
      this.preroll.push(f);
      this.prerollBytes += f.data.length;
      if (this.prerollBytes > PREROLL_MAX_BYTES) {
        this.preroll = [];
        this.prerollBytes = 0;
      }
      return;
    }
    this.sendFrame(f);
  }

  /** One frame → PS pack → RTP, unless the platform is behind (then only from the next key frame on). */
  private sendFrame(f: TsFrame): void {
    if (this.state !== 'sending') return;
    const backlog = this.transport.backlog();
    const now = this.deps.clock.now();
    if (backlog > this.limits.hardBacklogBytes) {
      this.end('too_slow', `${Math.round(backlog / 1024)} KiB queued for the platform (at most ${Math.round(this.limits.hardBacklogBytes / 1024)} KiB)`);
      return;
    }
    if (this.behindSince && now - this.behindSince > this.limits.behindMs) {
      this.end('too_slow', `the platform has been behind for ${((now - this.behindSince) / 1000).toFixed(1)} s (${Math.round(backlog / 1024)} KiB queued)`);
      return;
    }
    const isKey = f.kind === 'video' && f.key;
    if (!this.waitingKey && backlog > this.limits.softBacklogBytes) {
      this.waitingKey = true;
      this.behindSince = now;
    }
    if (this.waitingKey) {
      if (!isKey || backlog > this.limits.softBacklogBytes / 2) {
        if (f.kind === 'video' && this.frames > 0) this.skippedFrames++;
        this.pendingAudio = [];
        return;
      }
      this.waitingKey = false;
      this.behindSince = 0;
    }
    const video = this.reader.video ?? this.recorded?.codecs().video ?? null;
    this.muxer.setCodecs(video, this.reader.audio ?? this.recorded?.codecs().audio ?? null);
    // With video present, audio waits for the next video frame's pack (bounded: a stalled video must
    // not hold audio forever; the held audio then goes in a pack of its own, still in order).
    if (f.kind === 'audio' && video) {
      this.pendingAudio.push(f);
      if (this.pendingAudio.length >= 16) this.flushAudio();
      return;
    }
    const audio = f.kind === 'video' ? this.pendingAudio : [];
    if (f.kind === 'video') this.pendingAudio = [];
    this.sendPack(f, audio);
  }

  /** Audio still waiting for a video frame, sent in a pack of its own (the end of a recorded range). */
  private flushAudio(): void {
    const [first, ...rest] = this.pendingAudio;
    this.pendingAudio = [];
    if (first && this.state === 'sending') this.sendPack(first, rest);
  }

  /** One PS pack (the frame, and audio riding with a video frame) → RTP. */
  private sendPack(f: TsFrame, audio: readonly TsFrame[]): void {
    const isKey = f.kind === 'video' && f.key;
    // RTP time follows the frames' DTS; across a discontinuity (new ingest run, seek) it steps on instead
    // of jumping back, and two packs never share a timestamp (a source that repeats a DTS, audio alone).
    if (this.lastIn !== null) {
      const d = f.dts - this.lastIn;
      if (d < -90_000 || d > 10 * 90_000) this.offset = this.lastOut + TS_STEP - f.dts;
    }
    let ts = f.dts + this.offset;
    if (this.lastIn !== null && ts <= this.lastOut) ts = this.lastOut + 1;
    this.lastIn = f.dts;
    this.lastOut = ts;
    const pieces = this.muxer.mux(f, audio);
    const packets = this.packetizer.packetize(pieces, ts % 2 ** 32);
    if (!this.transport.send(packets)) {
      // TCP not connected yet: start again at a key frame once it is.
      this.waitingKey = true;
      return;
    }
    let bytes = 0;
    for (const p of pieces) bytes += p.length;
    if (f.kind === 'video') this.frames++;
    this.rtpPackets += packets.length;
    this.bytes += bytes;
    this.deps.onFrameSent?.({ sessionId: this.id, key: isKey, bytes, kind: f.kind });
  }

  private end(reason: GbEndReason, detail: string): void {
    if (this.state === 'ended') return;
    this.cleanup();
    this.ended = { reason, detail };
    this.deps.log?.[reason === 'completed' ? 'info' : 'warn'](
      { session: this.id, platform: this.platformId, channel: this.req.channelId, reason, detail, frames: this.frames },
      'gb28181 media session ended',
    );
    for (const cb of this.endedCbs.splice(0)) cb(this.ended);
  }

  private cleanup(): void {
    this.state = 'ended';
    this.detach?.();
    this.detach = null;
    this.recorded?.stop();
    this.transport.close();
    this.preroll = [];
    this.forget();
  }
}
