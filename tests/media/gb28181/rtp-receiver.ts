// A GB/T 28181 platform's media side for tests: receives RTP over UDP, over TCP where the platform
// listens (offer a=setup:passive) or connects (offer a=setup:active), unframes RFC 4571, checks the RTP
// (one SSRC, no sequence gaps, rising timestamps, one timestamp per frame) and hands the joined PS
// payload to ffprobe/ffmpeg `-f mpeg`. gbsip's SIP tests reuse it with their sipp platform.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parsePs } from './ps-parse.ts';

export interface RtpPacket {
  seq: number;
  timestamp: number;
  marker: boolean;
  payloadType: number;
  ssrc: number;
  payload: Buffer;
  /** Wire length (RTP header + payload). */
  length: number;
}

export interface RtpReceiver {
  /** UDP: where to send; TCP listen: where to connect. 0 for TCP connect. */
  port: number;
  packets: RtpPacket[];
  /** Resolves once `n` packets (or `pred`) have arrived; rejects after timeoutMs. */
  waitFor(pred: number | ((packets: RtpPacket[]) => boolean), timeoutMs?: number): Promise<void>;
  /** TCP: the connection ended. */
  closed: Promise<void>;
  close(): void;
}

function parseRtp(b: Buffer): RtpPacket | null {
  if (b.length < 12 || b[0]! >> 6 !== 2) return null;
  const cc = b[0]! & 0x0f;
  const ext = (b[0]! & 0x10) !== 0;
  let off = 12 + 4 * cc;
  if (ext && b.length >= off + 4) off += 4 + 4 * b.readUInt16BE(off + 2);
  return {
    seq: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    marker: (b[1]! & 0x80) !== 0,
    payloadType: b[1]! & 0x7f,
    ssrc: b.readUInt32BE(8),
    payload: Buffer.from(b.subarray(off)),
    length: b.length,
  };
}

function receiver(port: number, close: () => void, closed: Promise<void>): RtpReceiver & { push(p: RtpPacket): void } {
  const packets: RtpPacket[] = [];
  const waiters = new Set<() => void>();
  return {
    port,
    packets,
    closed,
    close,
    push(p) {
      packets.push(p);
      for (const w of [...waiters]) w();
    },
    waitFor(pred, timeoutMs = 20_000) {
      const ok = typeof pred === 'number' ? () => packets.length >= pred : () => pred(packets);
      if (ok()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!ok()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`RTP receiver: condition not met within ${timeoutMs} ms (${packets.length} packets so far)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

export async function udpRtpReceiver(): Promise<RtpReceiver> {
  const sock = createSocket('udp4');
  // Loopback bursts of a key frame are a few hundred packets: a big receive buffer so the kernel keeps them all.
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  sock.setRecvBufferSize(8 * 1024 * 1024);
  let done = () => {};
  const closed = new Promise<void>((r) => (done = r));
  const rx = receiver(
    sock.address().port,
    () => {
      try {
        sock.close();
      } catch {
        /* closed already */
      }
      done();
    },
    closed,
  );
  sock.on('message', (m) => {
    const p = parseRtp(m);
    if (p) rx.push(p);
  });
  return rx;
}

/** RFC 4571: each RTP packet after a 16-bit length. */
function unframe(sock: Socket, push: (p: RtpPacket) => void, done: () => void): void {
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    let off = 0;
    while (off + 2 <= buf.length) {
      const len = buf.readUInt16BE(off);
      if (off + 2 + len > buf.length) break;
      const p = parseRtp(buf.subarray(off + 2, off + 2 + len));
      if (p) push(p);
      off += 2 + len;
    }
    buf = Buffer.from(buf.subarray(off));
  });
  sock.on('close', done);
  sock.on('error', () => {});
}

/** The platform listens (its offer says a=setup:passive): the device connects to `port`. */
export async function tcpListeningRtpReceiver(): Promise<RtpReceiver & { connected: Promise<void>; pause(): void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let done = () => {};
  const closed = new Promise<void>((r) => (done = r));
  let conn: Socket | null = null;
  let onConn = () => {};
  const connected = new Promise<void>((r) => (onConn = r));
  const rx = receiver(
    (server.address() as { port: number }).port,
    () => {
      conn?.destroy();
      server.close();
    },
    closed,
  );
  server.on('connection', (s) => {
    conn = s;
    onConn();
    unframe(s, (p) => rx.push(p), done);
  });
  // pause(): a platform that stops reading (its player hung): our socket's buffers fill.
  return Object.assign(rx, { connected, pause: () => conn?.pause() });
}

/** The platform connects (its offer says a=setup:active) to the port the device's answer names. */
export function tcpConnectingRtpReceiver(host: string, port: number): RtpReceiver & { connected: Promise<void> } {
  let done = () => {};
  const closed = new Promise<void>((r) => (done = r));
  const sock = createConnection({ host, port });
  const connected = new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const rx = receiver(0, () => sock.destroy(), closed);
  unframe(sock, (p) => rx.push(p), done);
  return Object.assign(rx, { connected });
}

export interface RtpCheck {
  ssrcs: number[];
  payloadTypes: number[];
  /** Sequence numbers missing between the first and last packet received. */
  lost: number;
  /** Timestamps never go down (modulo wrap) from one frame to the next. */
  timestampsRise: boolean;
  /** Groups of packets that share a timestamp; each should end with the marker bit. */
  frames: number;
  /** Frames whose last packet has the marker and no packet before it does. */
  framesMarkedRight: number;
  /** Frames whose packets' timestamps are not contiguous (a timestamp coming back after another). */
  splitFrames: number;
  /** The PS stream: the payloads joined in sequence order. */
  ps: Buffer;
}

export function checkRtp(packets: RtpPacket[]): RtpCheck {
  const ssrcs = [...new Set(packets.map((p) => p.ssrc))];
  const payloadTypes = [...new Set(packets.map((p) => p.payloadType))];
  let lost = 0;
  let rise = true;
  let frames = 0;
  let marked = 0;
  let split = 0;
  const seenTs = new Set<number>();
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i]!;
    const prev = packets[i - 1];
    if (prev) {
      lost += (p.seq - prev.seq - 1 + 0x10000) % 0x10000;
      const d = (p.timestamp - prev.timestamp) >>> 0;
      if (d > 0x80000000) rise = false;
    }
    if (!prev || prev.timestamp !== p.timestamp) {
      frames++;
      if (seenTs.has(p.timestamp)) split++;
      seenTs.add(p.timestamp);
    }
    const next = packets[i + 1];
    if (!next || next.timestamp !== p.timestamp) {
      // Last packet of the frame: marker set, and no earlier packet of it marked.
      let j = i;
      let early = false;
      while (j > 0 && packets[j - 1]!.timestamp === p.timestamp) {
        j--;
        if (packets[j]!.marker) early = true;
      }
      if (p.marker && !early) marked++;
    }
  }
  return {
    ssrcs,
    payloadTypes,
    lost,
    timestampsRise: rise,
    frames,
    framesMarkedRight: marked,
    splitFrames: split,
    ps: Buffer.concat(packets.map((p) => p.payload)),
  };
}

export interface PsProbe {
  video: { codec: string; width: number; frames: number } | null;
  /** stream_type by stream_id from the first PSM (0xE0 video, 0xC0 audio), read by our spec reader. */
  psmTypes: Record<number, number>;
  /** ffmpeg's errors decoding the video (empty when every frame decodes). */
  decodeErrors: string;
  /** Video frame PTS in seconds, in decode order. */
  pts: number[];
}

/**
 * The PS without its audio PES packets (stream id 0xC0), every other byte as it came. Debian's ffmpeg
 * 5.1 takes 0xC0 for MPEG audio whatever the PSM says, so G.711 (0x90/0x91) there gives "mp2: Header
 * missing" while it probes; the audio is checked by our spec reader instead (psAudioBytes, psmTypes).
 */
export function psWithoutAudio(ps: Buffer): Buffer {
  const keep: Buffer[] = [];
  let o = 0;
  while (o + 6 <= ps.length) {
    const code = ps.readUInt32BE(o);
    const len = code === 0x1ba ? 14 + (ps[o + 13]! & 7) : 6 + ps.readUInt16BE(o + 4);
    if (code !== 0x1c0) keep.push(ps.subarray(o, o + len));
    o += len;
  }
  return Buffer.concat(keep);
}

/** Writes the PS (its video) and asks ffprobe (frames, codec) and ffmpeg (a full decode of the video) about it, as `-f mpeg`. */
export function probePs(dir: string, name: string, ps: Buffer): PsProbe {
  const file = join(dir, name);
  writeFileSync(file, psWithoutAudio(ps));
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26 });
  const v = run('ffprobe', [
    '-v',
    'error',
    '-f',
    'mpeg',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,nb_read_frames',
    '-of',
    'json',
    file,
  ]);
  const vj = (JSON.parse(v.stdout || '{}') as { streams?: Array<{ codec_name: string; width?: number; nb_read_frames?: string }> }).streams?.[0];
  const dec = run('ffmpeg', ['-v', 'error', '-f', 'mpeg', '-i', file, '-map', '0:v:0', '-f', 'null', '-']);
  const pts = run('ffprobe', ['-v', 'error', '-f', 'mpeg', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  const psmTypes: Record<number, number> = {};
  const psm = ps.indexOf(Buffer.from([0, 0, 1, 0xbc]));
  if (psm >= 0) {
    const infoLen = ps.readUInt16BE(psm + 8);
    const mapLen = ps.readUInt16BE(psm + 10 + infoLen);
    for (let i = psm + 12 + infoLen; i < psm + 12 + infoLen + mapLen; i += 4 + ps.readUInt16BE(i + 2)) psmTypes[ps[i + 1]!] = ps[i]!;
  }
  return {
    video: vj ? { codec: vj.codec_name, width: vj.width ?? 0, frames: Number(vj.nb_read_frames ?? 0) } : null,
    psmTypes,
    decodeErrors: `${v.stderr}${dec.stderr}`.trim(),
    pts: pts.stdout
      .split('\n')
      .filter((l) => l.trim() !== '' && l.trim() !== 'N/A')
      .map(Number),
  };
}

/** An INVITE offer as a platform writes it (WVP-GB28181-pro's shape). */
export function platformOffer(o: {
  kind?: 'Play' | 'Playback' | 'Download';
  port: number;
  transport?: 'udp' | 'tcp-platform-listens' | 'tcp-platform-connects';
  ssrc?: string;
  range?: { start: number; end: number };
  channelId?: string;
  downloadSpeed?: number;
}): string {
  const kind = o.kind ?? 'Play';
  const tcp = o.transport && o.transport !== 'udp';
  return [
    'v=0',
    'o=34020000002000000001 0 0 IN IP4 127.0.0.1',
    `s=${kind}`,
    ...(kind !== 'Play' ? [`u=${o.channelId ?? '34020000001310000001'}:0`] : []),
    'c=IN IP4 127.0.0.1',
    o.range ? `t=${Math.floor(o.range.start / 1000)} ${Math.floor(o.range.end / 1000)}` : 't=0 0',
    `m=video ${o.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96 97 98`,
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:98 H264/90000',
    'a=rtpmap:97 MPEG4/90000',
    ...(tcp ? [`a=setup:${o.transport === 'tcp-platform-listens' ? 'passive' : 'active'}`, 'a=connection:new'] : []),
    ...(o.downloadSpeed ? [`a=downloadspeed:${o.downloadSpeed}`] : []),
    `y=${o.ssrc ?? '0100000001'}`,
    'f=',
    '',
  ].join('\r\n');
}

/** The payload bytes of every audio PES (stream id 0xC0) of a PS stream, joined in order, read by our spec reader. */
export function psAudioBytes(ps: Buffer): Buffer {
  return Buffer.concat(parsePs(ps).flatMap((p) => p.pes.filter((x) => x.id === 0xc0).map((x) => x.payload)));
}

/**
 * What a test camera (media/demo-sources.ts) has sent as G.711 in its first `seconds`: lavfi's 440 Hz
 * sine at 8 kHz, encoded by the same ffmpeg — the same generator gives the same bytes.
 */
export function cameraG711(codec: 'pcm_mulaw' | 'pcm_alaw', seconds: number): Buffer {
  const format = codec === 'pcm_mulaw' ? 'mulaw' : 'alaw';
  return spawnSync(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', String(seconds), '-c:a', codec, '-f', format, '-'],
    { maxBuffer: 1 << 26 },
  ).stdout;
}
