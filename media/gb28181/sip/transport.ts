// SIP over UDP and TCP (RFC 3261 §18) on one local port. UDP: one datagram is one message. TCP: messages
// framed by Content-Length on connections we open to a platform or a platform opens to us; a response goes
// back on the connection its request came on. Each remote address has a token bucket so one flooding
// platform spends its own budget, not the others' (nor the recorder's: it is another process).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { MAX_MESSAGE_BYTES, parseMessage, responseTo, serialize, SipParseError, type SipMessage, parseVia } from './message.ts';

export type Transport = 'UDP' | 'TCP';

export interface Peer {
  transport: Transport;
  host: string;
  port: number;
}

export interface Inbound {
  msg: SipMessage;
  from: Peer;
}

export interface TransportStats {
  received: number;
  malformed: number;
  dropped: number;
}

export interface SipTransport extends EventEmitter {
  /** The UDP and TCP port (the same number). */
  readonly port: number;
  send(msg: SipMessage, to: Peer): void;
  /** The local address packets to `host` leave from (the Via/Contact host). */
  localAddressFor(host: string): Promise<string>;
  stats: TransportStats;
  close(): Promise<void>;
}

export interface TransportOptions {
  host: string;
  port: number;
  /** Messages per second one remote address may send before the rest are dropped (burst = 2 s worth). */
  perPeerRate?: number;
  log?: { warn(obj: object, msg: string): void };
}

const key = (p: { host: string; port: number }) => `${p.host}:${p.port}`;

export async function openTransport(opts: TransportOptions): Promise<SipTransport> {
  const ev = new EventEmitter() as SipTransport;
  const stats: TransportStats = { received: 0, malformed: 0, dropped: 0 };
  const rate = opts.perPeerRate ?? 200;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const conns = new Map<string, Socket>();
  const sockets = new Set<Socket>();

  function allow(host: string): boolean {
    const now = Date.now();
    let b = buckets.get(host);
    if (!b) {
      b = { tokens: rate * 2, at: now };
      buckets.set(host, b);
      if (buckets.size > 4096) buckets.delete(buckets.keys().next().value as string);
    }
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  function deliver(buf: Buffer, from: Peer, stream: boolean, reply: (b: Buffer) => void): void {
    stats.received++;
    if (!allow(from.host)) {
      stats.dropped++;
      return;
    }
    let msg: SipMessage;
    try {
      msg = parseMessage(buf, stream);
    } catch (e) {
      stats.malformed++;
      if (!(e instanceof SipParseError)) throw e;
      answerMalformed(buf, e, reply);
      return;
    }
    // RFC 3261 §18.2.1 and RFC 3581: note where a request really came from, for the response's way back.
    if (msg.kind === 'request') {
      const top = msg.headers.get('via') as string;
      try {
        const via = parseVia(top);
        let v = top;
        if (via.host !== from.host) v += `;received=${from.host}`;
        if (via.params.has('rport') && via.params.get('rport') === null) v = v.replace(/;rport(?=;|$)/, `;rport=${from.port}`);
        msg.headers.replaceFirst('via', v);
      } catch (e) {
        stats.malformed++;
        if (e instanceof SipParseError) reply(serialize(responseTo(msg, 400, { reason: `Bad Request (${e.message})`.slice(0, 120) })));
        return;
      }
    }
    ev.emit('message', { msg, from } satisfies Inbound);
  }

  // A request we cannot parse still gets its 400 when its Via, From, To, Call-ID and CSeq can be read.
  function answerMalformed(buf: Buffer, e: SipParseError, reply: (b: Buffer) => void): void {
    const text = buf.subarray(0, 4096).toString('utf8');
    if (/^SIP\/2\.0 /.test(text)) return;
    const hdr = (n: string) => new RegExp(`^(?:${n}):\\s*(.+)$`, 'im').exec(text)?.[1]?.trim();
    const via = hdr('via|v');
    const cseq = hdr('cseq');
    const from = hdr('from|f');
    const to = hdr('to|t');
    const callId = hdr('call-id|i');
    if (!via || !cseq || !from || !to || !callId) return;
    const lines = [
      `SIP/2.0 ${e.status} ${e.status === 400 ? 'Bad Request' : e.status === 513 ? 'Message Too Large' : 'Unsupported URI Scheme'}`,
      `Via: ${via}`,
      `From: ${from}`,
      `To: ${to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq}`,
      `Warning: 399 examroom "${e.message.replace(/"/g, "'").slice(0, 160)}"`,
      'Content-Length: 0',
    ];
    if (!/^ACK\b/.test(text)) reply(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
  }

  const udp: UdpSocket = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4' });
  udp.on('message', (buf, rinfo) => {
    if (buf.length <= 4 && buf.toString().trim() === '') return; // keep-alive CRLF
    const from: Peer = { transport: 'UDP', host: rinfo.address, port: rinfo.port };
    deliver(buf, from, false, (b) => udp.send(b, rinfo.port, rinfo.address));
  });
  udp.on('error', (e) => opts.log?.warn({ err: e.message }, 'gb28181: UDP socket error'));
  await new Promise<void>((res, rej) => {
    udp.once('error', rej);
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', rej);
      res();
    });
  });
  const port = udp.address().port;

  function adopt(sock: Socket, peer: Peer): void {
    sockets.add(sock);
    conns.set(key(peer), sock);
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        // RFC 5626 keep-alives (CRLF CRLF) between messages: answered with CRLF, never parsed.
        let skip = 0;
        while (skip < buf.length && (buf[skip] === 13 || buf[skip] === 10)) skip++;
        if (skip) {
          if (skip >= 4) sock.write('\r\n');
          buf = buf.subarray(skip);
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_MESSAGE_BYTES) sock.destroy();
          return;
        }
        const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(buf.subarray(0, end + 2).toString('latin1'));
        if (!m) {
          // Over a stream there is no way to find the next message without Content-Length (§18.3).
          deliver(buf.subarray(0, end + 4), peer, true, (b) => sock.write(b));
          sock.destroy();
          return;
        }
        const total = end + 4 + Number(m[1]);
        if (total > MAX_MESSAGE_BYTES) {
          stats.malformed++;
          sock.destroy();
          return;
        }
        if (buf.length < total) return;
        const one = buf.subarray(0, total);
        buf = buf.subarray(total);
        deliver(one, peer, true, (b) => sock.write(b));
      }
    });
    const gone = () => {
      sockets.delete(sock);
      if (conns.get(key(peer)) === sock) conns.delete(key(peer));
    };
    sock.on('close', gone);
    sock.on('error', (e) => opts.log?.warn({ err: e.message, peer: key(peer) }, 'gb28181: TCP connection error'));
  }

  const tcp: Server = createServer((sock) => adopt(sock, { transport: 'TCP', host: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 }));
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(port, opts.host, () => {
      tcp.off('error', rej);
      res();
    });
  });

  function tcpTo(to: Peer): Socket {
    let sock = conns.get(key(to));
    if (sock && !sock.destroyed) return sock;
    // A connection from our own port, as GB/T 28181 platforms expect the device's signalling port as source.
    sock = connect({ host: to.host, port: to.port });
    adopt(sock, to);
    return sock;
  }

  Object.assign(ev, {
    port,
    stats,
    send(msg: SipMessage, to: Peer) {
      const b = serialize(msg);
      if (to.transport === 'UDP') udp.send(b, to.port, to.host);
      else tcpTo(to).write(b);
    },
    async localAddressFor(host: string): Promise<string> {
      if (opts.host !== '0.0.0.0' && opts.host !== '::') return opts.host;
      const probe = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      try {
        await new Promise<void>((res, rej) => {
          probe.once('error', rej);
          probe.connect(9, host, () => res());
        });
        return probe.address().address;
      } catch {
        return '127.0.0.1';
      } finally {
        probe.close();
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => udp.close(() => res()));
      await new Promise<void>((res) => tcp.close(() => res()));
    },
  });
  return ev;
}
