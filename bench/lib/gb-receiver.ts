// The platform side of `bench/gb28181.ts`, in its own process so its CPU is not counted as ours:
// N UDP sockets or one TCP listener taking N connections, counting RTP packets and sequence gaps.
// Talks to the parent over IPC: { op: 'udp', n } / { op: 'tcp' } → ports; { op: 'report' } → counts.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

interface Count {
  packets: number;
  lost: number;
  last: number;
}
const counts: Count[] = [];
const see = (c: Count, b: Buffer, off: number) => {
  const seq = b.readUInt16BE(off + 2);
  if (c.last >= 0) c.lost += (seq - c.last - 1 + 0x10000) % 0x10000;
  c.last = seq;
  c.packets++;
};

process.on('message', async (m: { op: string; n?: number }) => {
  if (m.op === 'udp') {
    const ports: number[] = [];
    for (let i = 0; i < (m.n ?? 1); i++) {
      const c: Count = { packets: 0, lost: 0, last: -1 };
      counts.push(c);
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      s.setRecvBufferSize(4 * 1024 * 1024);
      s.on('message', (b) => see(c, b, 0));
      ports.push(s.address().port);
    }
    process.send?.({ ports });
  } else if (m.op === 'tcp') {
    const server = createServer((sock) => {
      const c: Count = { packets: 0, lost: 0, last: -1 };
      counts.push(c);
      let buf: Buffer = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        let o = 0;
        while (o + 2 <= buf.length) {
          const len = buf.readUInt16BE(o);
          if (o + 2 + len > buf.length) break;
          see(c, buf, o + 2);
          o += 2 + len;
        }
        buf = Buffer.from(buf.subarray(o));
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.send?.({ ports: [(server.address() as { port: number }).port] });
  } else if (m.op === 'report') {
    process.send?.({ packets: counts.reduce((a, c) => a + c.packets, 0), lost: counts.reduce((a, c) => a + c.lost, 0), streams: counts.length });
    for (const c of counts) {
      c.packets = 0;
      c.lost = 0;
    }
  } else if (m.op === 'exit') process.exit(0);
});
