// The SDP of a GB/T 28181 INVITE (offer from the platform) and of our 200 OK (answer). GB/T 28181
// extends RFC 4566 with y= (the SSRC, 10 decimal digits) and f= (media format); Playback/Download carry
// u= (channel:type) and a t= range in seconds since 1970, Download an a=downloadspeed.
import { GbMediaError, type GbEdition, type GbSessionKind } from './media-session.ts';

export type GbTransport = 'udp' | 'tcp-active' | 'tcp-passive';

export interface GbOffer {
  kind: GbSessionKind;
  /** o= username: the platform's (or the requesting user's) ID. */
  origin: string;
  /** Where to send: c= (media-level wins over session-level) and the m= port. */
  address: string;
  port: number;
  /**
   * udp: RTP/AVP. tcp-active: the platform said a=setup:passive (it listens), so we connect.
   * tcp-passive: the platform said a=setup:active (it connects), so we listen.
   */
  transport: GbTransport;
  /** The PS payload type the platform offered (96 unless it mapped PS elsewhere). */
  payloadType: number;
  /** y=: the SSRC, null when the offer has none (we make one up as the standard's rule says). */
  ssrc: number | null;
  /** y= as written (10 digits), echoed in the answer. */
  ssrcText: string | null;
  /** Playback/Download: the t= range in epoch ms; null for Play (t=0 0). */
  range: { start: number; end: number } | null;
  /** a=downloadspeed (Download), 1 otherwise. */
  downloadSpeed: number;
  /** f= as offered (may be empty). */
  format: string | null;
  /** u= (Playback/Download: channelId:type). */
  uri: string | null;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch: RFC 4566 t= is NTP time; GB/T 28181 writes Unix seconds. */
const NTP_UNIX_OFFSET = 2_208_988_800;

const bad = (why: string) => new GbMediaError('unsupported_sdp', `SDP offer: ${why}`);

/** Parses an INVITE offer; throws GbMediaError('unsupported_sdp') naming the line that is wrong. */
export function parseOffer(sdp: string): GbOffer {
  if (typeof sdp !== 'string' || sdp.trim() === '') throw bad('the INVITE has no SDP body');
  if (sdp.length > 16_384) throw bad(`the body is ${sdp.length} bytes; an offer is a few hundred`);
  const lines = sdp
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  let kind: GbSessionKind | null = null;
  let origin = '';
  let sessionAddr: string | null = null;
  let mediaAddr: string | null = null;
  let inVideo = false;
  let sawVideo = false;
  let port = -1;
  let proto = '';
  let formats: number[] = [];
  const rtpmap = new Map<number, string>();
  let setup: string | null = null;
  let ssrcText: string | null = null;
  let format: string | null = null;
  let uri: string | null = null;
  let times: [number, number] | null = null;
  let downloadSpeed = 1;
  let inOtherMedia = false;
  for (const [i, line] of lines.entries()) {
    const m = /^([a-z])=(.*)$/.exec(line);
    if (!m) throw bad(`line ${i + 1} "${line.slice(0, 60)}" is not type=value`);
    const [, type, value] = m as unknown as [string, string, string];
    switch (type) {
      case 's': {
        const s = value.trim();
        if (s === 'Play' || s === 'Playback' || s === 'Download') kind = s;
        else if (s.toLowerCase() === 'talk') throw bad('s=Talk (voice broadcast to the device) is not supported');
        else throw bad(`s=${s.slice(0, 40)}: a GB/T 28181 session is Play, Playback or Download`);
        break;
      }
      case 'o':
        origin = value.split(/\s+/)[0] ?? '';
        break;
      case 'c': {
        const c = /^IN\s+IP4\s+(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value.trim());
        if (!c) throw bad(`c=${value.slice(0, 60)}: only "IN IP4 <address>" is supported`);
        if (inVideo) mediaAddr = c[1]!;
        else if (!inOtherMedia) sessionAddr = c[1]!;
        break;
      }
      case 't': {
        const t = /^(\d+)\s+(\d+)$/.exec(value.trim());
        if (!t) throw bad(`t=${value.slice(0, 40)}: expected two numbers`);
        times = [Number(t[1]), Number(t[2])];
        break;
      }
      case 'u':
        uri = value.trim();
        break;
      case 'm': {
        const parts = value.trim().split(/\s+/);
        inVideo = parts[0] === 'video' && !sawVideo;
        inOtherMedia = !inVideo;
        if (!inVideo) break;
        sawVideo = true;
        port = Number(parts[1]);
        proto = parts[2] ?? '';
        formats = parts.slice(3).map(Number);
        break;
      }
      case 'a': {
        if (!inVideo) break;
        const [attr, ...rest] = value.split(':');
        const v = rest.join(':').trim();
        if (attr === 'rtpmap') {
          const r = /^(\d+)\s+([^/\s]+)\//.exec(v);
          if (r) rtpmap.set(Number(r[1]), r[2]!.toUpperCase());
        } else if (attr === 'setup') setup = v.toLowerCase();
        else if (attr === 'downloadspeed') {
          const n = Number(v);
          if (Number.isFinite(n) && n > 0) downloadSpeed = Math.min(n, 32);
        }
        break;
      }
      case 'y': {
        const y = value.trim();
        if (!/^\d{1,10}$/.test(y) || Number(y) > 0xffffffff) throw bad(`y=${y.slice(0, 20)}: the SSRC is up to 10 decimal digits below 2^32`);
        ssrcText = y;
        break;
      }
      case 'f':
        format = value.trim();
        break;
      default:
        break;
    }
  }
  if (!kind) throw bad('no s= line (Play, Playback or Download)');
  if (!sawVideo) throw bad('no m=video line');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`m=video port ${port} is not 1–65535`);
  const address = mediaAddr ?? sessionAddr;
  if (!address) throw bad('no c= address');
  let transport: GbTransport;
  if (proto === 'RTP/AVP') transport = 'udp';
  else if (proto === 'TCP/RTP/AVP') {
    // a=setup names the offerer's role (RFC 4145): the platform passive means we connect to it.
    if (setup === 'passive') transport = 'tcp-active';
    else if (setup === 'active') transport = 'tcp-passive';
    else throw bad(`TCP/RTP/AVP needs a=setup:active or a=setup:passive, got ${setup === null ? 'none' : `a=setup:${setup}`}`);
  } else throw bad(`m=video transport ${proto || '(none)'}: only RTP/AVP (UDP) and TCP/RTP/AVP are supported`);
  const psType = formats.find((f) => rtpmap.get(f) === 'PS') ?? (formats.includes(96) && !rtpmap.has(96) ? 96 : undefined);
  if (psType === undefined) throw bad(`m=video offers payload types ${formats.join(' ') || '(none)'} but none is PS/90000`);
  let range: GbOffer['range'] = null;
  if (kind !== 'Play') {
    if (!times || times[0] === 0 || times[1] <= times[0])
      throw bad(`s=${kind} needs a t= range with end after start, got t=${times ? times.join(' ') : '(none)'}`);
    const unix = (s: number) => (s > 3_000_000_000 ? s - NTP_UNIX_OFFSET : s) * 1000;
    range = { start: unix(times[0]), end: unix(times[1]) };
  }
  return {
    kind,
    origin,
    address,
    port,
    transport,
    payloadType: psType,
    ssrc: ssrcText === null ? null : Number(ssrcText),
    ssrcText,
    range,
    downloadSpeed: kind === 'Download' ? downloadSpeed : 1,
    format,
    uri,
  };
}

/**
 * An SSRC when the offer has none, by GB/T 28181 Annex: 10 decimal digits, the first 0 for live and
 * 1 for history, then digits 4–8 of the device's domain ID, then a 4-digit sequence.
 */
export function makeSsrc(kind: GbSessionKind, deviceId: string, seq: number): string {
  const realm = (deviceId.slice(3, 8) + '00000').slice(0, 5);
  return `${kind === 'Play' ? 0 : 1}${realm}${String(seq % 10_000).padStart(4, '0')}`;
}

export interface AnswerInput {
  offer: GbOffer;
  deviceId: string;
  edition: GbEdition;
  localIp: string;
  /** Our RTP port: the UDP socket we send from, or the TCP listener (passive), or 9 (discard) for TCP active. */
  localPort: number;
  ssrcText: string;
  video: 'h264' | 'hevc' | null;
  audio: 'aac' | 'g711a' | 'g711u' | null;
}

/** f= video and audio codes (GB/T 28181 Annex F). H.265 (5) and AAC are codes the 2022 edition added. */
function formatLine(a: AnswerInput): string {
  const v = a.video === 'hevc' ? (a.edition === '2022' ? '5' : '') : a.video === 'h264' ? '2' : '';
  const au = a.audio === 'g711a' || a.audio === 'g711u' ? '1' : a.audio === 'aac' && a.edition === '2022' ? '6' : '';
  return `f=v/${v}////a/${au}//`;
}

/** The 200 OK's SDP: we only send (a=sendonly), PS on the offered type, the same y= SSRC. */
export function buildAnswer(a: AnswerInput): string {
  const o = a.offer;
  const proto = o.transport === 'udp' ? 'RTP/AVP' : 'TCP/RTP/AVP';
  const lines = [
    'v=0',
    `o=${a.deviceId} 0 0 IN IP4 ${a.localIp}`,
    `s=${o.kind}`,
    ...(o.uri !== null ? [`u=${o.uri}`] : []),
    `c=IN IP4 ${a.localIp}`,
    o.range ? `t=${Math.round(o.range.start / 1000)} ${Math.round(o.range.end / 1000)}` : 't=0 0',
    `m=video ${a.localPort} ${proto} ${o.payloadType}`,
    'a=sendonly',
    `a=rtpmap:${o.payloadType} PS/90000`,
  ];
  if (o.transport !== 'udp') {
    lines.push(`a=setup:${o.transport === 'tcp-active' ? 'active' : 'passive'}`, 'a=connection:new');
  }
  lines.push(`y=${a.ssrcText}`);
  if (o.format !== null) lines.push(formatLine(a));
  return `${lines.join('\r\n')}\r\n`;
}
