// RTP (RFC 3550) carrying one PS pack per frame, and the three ways GB/T 28181 sends it: UDP, TCP where
// we connect (the platform's a=setup:passive) and TCP where the platform connects to us (a=setup:active).
// Over TCP each packet is framed by a 2-byte length (RFC 4571). All packets of one frame share the
// frame's timestamp and the last one carries the marker bit (GB/T 28181-2022 §4.3.6).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Payload per RTP packet: 1400 + 12 + UDP/IP headers stays under a 1500-byte Ethernet MTU. */
export const RTP_PAYLOAD_MAX = 1400;

export class RtpPacketizer {
  private seq: number;
  constructor(
    readonly ssrc: number,
    readonly payloadType = 96,
    seq = Math.floor(Math.random() * 0x10000),
  ) {
    this.seq = seq & 0xffff;
  }

  /** The RTP packets of one frame (its PS pack given as pieces), each as [header, payload…] for a gathered write. */
  packetize(pieces: Buffer[], timestamp: number, maxPayload = RTP_PAYLOAD_MAX): Buffer[][] {
    const packets: Buffer[][] = [];
    let total = 0;
    for (const p of pieces) total += p.length;
    let sent = 0;
    let pi = 0;
    let po = 0;
    const ts = timestamp >>> 0;
    while (sent < total) {
      const n = Math.min(maxPayload, total - sent);
      const h = Buffer.allocUnsafe(12);
      h[0] = 0x80;
      h[1] = (sent + n === total ? 0x80 : 0) | this.payloadType;
      h.writeUInt16BE(this.seq, 2);
      h.writeUInt32BE(ts, 4);
      h.writeUInt32BE(this.ssrc >>> 0, 8);
      this.seq = (this.seq + 1) & 0xffff;
      const pkt: Buffer[] = [h];
      let need = n;
      while (need > 0) {
        const piece = pieces[pi]!;
        const take = Math.min(need, piece.length - po);
        pkt.push(piece.subarray(po, po + take));
        po += take;
        need -= take;
        if (po === piece.length) {
          pi++;
          po = 0;
        }
      }
      packets.push(pkt);
      sent += n;
    }
    return packets;
  }
}

/** Where the RTP goes; the session neither knows nor cares which. */
export interface RtpTransport {
  readonly kind: 'udp' | 'tcp-active' | 'tcp-passive';
  /** The local port to put in the answer's m= line. */
  readonly localPort: number;
  /** Connects (TCP active) or waits for the platform (TCP passive); UDP is ready at once. */
  start(): void;
  /** Sends one frame's packets; false when the transport is not ready yet (TCP not connected): the frame is skipped. */
  send(packets: Buffer[][]): boolean;
  /** Bytes queued and not yet on the wire. */
  backlog(): number;
  close(): void;
  /** The connection is gone (TCP closed or refused, passive never connected). */
  onClosed(cb: (why: string) => void): void;
}

export async function udpTransport(remote: { address: string; port: number }, localIp: string): Promise<RtpTransport> {
  const sock: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ port: 0, address: localIp === '0.0.0.0' ? undefined : localIp, exclusive: true }, () => {
      sock.off('error', reject);
      resolve();
    });
  }).catch(async () => {
    // The advertised address may not be local (NAT): bind to all interfaces instead.
    await new Promise<void>((resolve) => sock.bind(0, resolve));
  });
  // Connected once: each send then skips the address lookup, and ICMP errors reach us.
  await new Promise<void>((resolve) => sock.connect(remote.port, remote.address, resolve));
  let closed = false;
  const closedCbs: Array<(why: string) => void> = [];
  // ICMP port unreachable shows as an error on some platforms: a player not up yet is not an end.
  sock.on('error', () => {});
  return {
    kind: 'udp',
    localPort: sock.address().port,
    start() {},
    send(packets) {
      if (closed) return false;
      for (const p of packets) sock.send(p);
      return true;
    },
    backlog: () => (closed ? 0 : sock.getSendQueueSize()),
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
    onClosed(cb) {
      closedCbs.push(cb);
    },
  };
}

function framed(packets: Buffer[][]): Buffer {
  let total = 0;
  for (const p of packets) for (const b of p) total += b.length;
  const out = Buffer.allocUnsafe(total + 2 * packets.length);
  let o = 0;
  for (const p of packets) {
    let len = 0;
    for (const b of p) len += b.length;
    out.writeUInt16BE(len, o);
    o += 2;
    for (const b of p) o += b.copy(out, o);
  }
  return out;
}

function tcpCommon(
  kind: 'tcp-active' | 'tcp-passive',
  localPort: number,
  connect: (use: (s: Socket) => void, fail: (why: string) => void) => void,
  onClose: () => void,
): RtpTransport {
  let sock: Socket | null = null;
  let closed = false;
  const closedCbs: Array<(why: string) => void> = [];
  const fire = (why: string) => {
    if (closed) return;
    closed = true;
    sock?.destroy();
    onClose();
    for (const cb of closedCbs) cb(why);
  };
  const use = (s: Socket) => {
    sock = s;
    s.setNoDelay(true);
    // The platform sends nothing on this connection (RTCP aside): read and discard so its window stays open.
    s.on('data', () => {});
    s.on('error', (e) => fire(`RTP connection: ${e.message}`));
    s.on('close', () => fire('the platform closed the RTP connection'));
  };
  return {
    kind,
    localPort,
    start() {
      connect(use, fire);
    },
    send(packets) {
      if (closed || !sock || sock.connecting) return false;
      sock.write(framed(packets));
      return true;
    },
    backlog: () => sock?.writableLength ?? 0,
    close() {
      if (closed) return;
      closed = true;
      sock?.destroy();
      onClose();
    },
    onClosed(cb) {
      closedCbs.push(cb);
    },
  };
}

/** TCP, we connect to the address in the offer (the platform listens: its a=setup:passive). */
export function tcpActiveTransport(remote: { address: string; port: number }, localIp: string, connectMs = 10_000): RtpTransport {
  return tcpCommon(
    'tcp-active',
    // RFC 4145: an active endpoint answers port 9 (discard); GB platforms accept it.
    9,
    (use, fail) => {
      const s = createConnection({ host: remote.address, port: remote.port, ...(localIp !== '0.0.0.0' ? { localAddress: localIp } : {}) });
      const timer = setTimeout(() => fail(`could not connect to ${remote.address}:${remote.port} within ${connectMs / 1000} s`), connectMs);
      s.once('connect', () => clearTimeout(timer));
      s.once('close', () => clearTimeout(timer));
      use(s);
    },
    () => {},
  );
}

/** TCP, we listen on a port named in the answer and the platform connects (its a=setup:active). */
export async function tcpPassiveTransport(localIp: string, connectMs = 10_000): Promise<RtpTransport> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: localIp === '0.0.0.0' ? undefined : localIp, exclusive: true }, () => resolve());
  }).catch(async () => {
    await new Promise<void>((resolve) => server.listen(0, resolve));
  });
  const port = (server.address() as { port: number }).port;
  let timer: NodeJS.Timeout | null = null;
  let connected = false;
  // A platform may connect between our 200 OK and its ACK: accept from the start.
  let pending: Socket | null = null;
  let useRef: ((s: Socket) => void) | null = null;
  server.on('connection', (s) => {
    if (connected) {
      // One connection per session (a=connection:new); a second caller is not ours.
      s.destroy();
      return;
    }
    connected = true;
    if (timer) clearTimeout(timer);
    server.close();
    if (useRef) useRef(s);
    else pending = s;
  });
  return tcpCommon(
    'tcp-passive',
    port,
    (use, fail) => {
      useRef = use;
      if (pending) use(pending);
      else if (!connected) timer = setTimeout(() => fail(`the platform did not connect to port ${port} within ${connectMs / 1000} s`), connectMs);
    },
    () => {
      if (timer) clearTimeout(timer);
      server.close();
      pending?.destroy();
    },
  );
}
