// `npm run bench -- gb28181 [CHANNELS=32] [SECONDS=15]`: one platform plays CHANNELS channels at once,
// over UDP and then over TCP. What does each played channel cost the service, and how long does a
// frame wait between reaching the service and leaving as RTP?
//
// The cameras: one 10 s 1280×720 25 fps H.264 (2 Mbit/s, GOP 2 s) + AAC clip as MPEG-TS, encoded once
// and cached in var/bench-media/, replayed CHANNELS times in real time from memory as the ingest's TS
// (a chunk every 40 ms per camera, staggered, as ffmpeg's stdout delivers it), into the real live relay.
// The platform (RTP receivers) runs in a child process so its CPU is not ours.
// Three phases of SECONDS each, in one run so machine load hits them alike:
//   base  the relay feeding one idle viewer per camera (what the service does anyway),
//   udp   the same plus one GB/T 28181 Play per camera over UDP,
//   tcp   the same over TCP (we connect; RFC 4571 framing).
// CPU is this process's user+system time (process.cpuUsage); per channel = (phase − base) / CHANNELS.
// Frame send delay: from the chunk that completes a frame reaching the relay to the frame's last RTP
// packet handed to the socket (it includes the other channels' work done before it in that turn).
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '../core/index.ts';
import { createGbMediaSessions } from '../media/gb28181/sessions.ts';
import { createLiveRelay, type TsFeed } from '../media/live.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CHANNELS = Number(process.argv[2] ?? 32);
const SECONDS = Number(process.argv[3] ?? 15);
const TICK_MS = 40;
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clip(): Buffer {
  const dir = join(ROOT, 'var/bench-media');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'gb-1280x720p25-h264-aac.ts');
  if (!existsSync(file)) {
    out('encoding the camera clip once (cached in var/bench-media/)…');
    const r = spawnSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1280x720:rate=25',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=16000',
        '-t',
        '10',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-tune',
        'zerolatency',
        '-b:v',
        '2M',
        '-maxrate',
        '2M',
        '-bufsize',
        '1M',
        '-g',
        '50',
        '-bf',
        '0',
        '-c:a',
        'aac',
        '-ac',
        '1',
        '-b:a',
        '32k',
        '-f',
        'mpegts',
        '-y',
        file,
      ],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('ffmpeg could not encode the bench clip');
  }
  return readFileSync(file);
}

const ts = clip();
const ticks = Math.round(10_000 / TICK_MS);
const perTick = Math.ceil(ts.length / ticks / 188) * 188;

/** CHANNELS cameras replaying the clip; `arrived` is when the chunk being handed out reached "the service". */
let arrived = 0;
const subscribers = new Map<string, Set<(c: Buffer) => void>>();
const feed: TsFeed = {
  subscribe(id, onChunk) {
    let s = subscribers.get(id);
    if (!s) subscribers.set(id, (s = new Set()));
    s.add(onChunk);
    return () => s.delete(onChunk);
  },
};
const timers: NodeJS.Timeout[] = [];
for (let i = 0; i < CHANNELS; i++) {
  let off = Math.floor((i * ts.length) / CHANNELS / 188) * 188;
  const id = `CAM${i}`;
  setTimeout(
    () => {
      timers.push(
        setInterval(() => {
          const end = Math.min(off + perTick, ts.length);
          const chunk = ts.subarray(off, end);
          off = end >= ts.length ? 0 : end;
          arrived = performance.now();
          for (const fn of subscribers.get(id) ?? []) fn(chunk);
        }, TICK_MS),
      );
    },
    (i * TICK_MS) / CHANNELS,
  );
}

const relay = createLiveRelay(feed);
const ids = Array.from({ length: CHANNELS }, (_, i) => `CAM${i}`);
for (const id of ids) relay.attach(id, { backlog: () => 0, write: () => {}, drop: () => {} });

const receiver = fork(join(import.meta.dirname, 'lib/gb-receiver.ts'), [], { execArgv: ['--import', 'tsx'] });
const ask = <T>(m: object) =>
  new Promise<T>((r) => {
    receiver.once('message', (x) => r(x as T));
    receiver.send(m);
  });

const delays: number[] = [];
const gb = createGbMediaSessions({
  relay,
  playback: {
    recordings: () => {
      throw new Error('no recordings in this bench');
    },
    segmentInputs: () => {
      throw new Error('no recordings in this bench');
    },
  },
  sourceKnown: () => true,
  clock: systemClock,
  onFrameSent: () => delays.push(performance.now() - arrived),
});

const offer = (port: number, tcp: boolean, i: number) =>
  [
    'v=0',
    'o=34020000002000000001 0 0 IN IP4 127.0.0.1',
    's=Play',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`,
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    ...(tcp ? ['a=setup:passive', 'a=connection:new'] : []),
    `y=0${String(100000000 + i)}`,
    '',
  ].join('\r\n');

async function phase(
  name: string,
  setup: () => Promise<void>,
): Promise<{ cpu: number; p50: number; p99: number; sent: number; lost: number; received: number }> {
  await setup();
  await sleep(2000);
  delays.length = 0;
  const stats0 = gb.sessions().reduce((a, s) => a + s.rtpPackets, 0);
  await ask({ op: 'report' });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const sent = gb.sessions().reduce((a, s) => a + s.rtpPackets, 0) - stats0;
  await sleep(300);
  const rep = await ask<{ packets: number; lost: number }>({ op: 'report' });
  const sorted = [...delays].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
  const cpu = ((c.user + c.system) / 1000 / wall) * 100;
  out(
    `${name.padEnd(5)} CPU ${cpu.toFixed(1)} % of a core · frames sent ${delays.length} · delay p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms · RTP sent ${sent}, received ${rep.packets}, seq gaps ${rep.lost}`,
  );
  gb.close();
  return { cpu, p50: q(0.5), p99: q(0.99), sent, lost: rep.lost, received: rep.packets };
}

out(
  `gb28181 bench: ${CHANNELS} channels of 1280×720 25 fps H.264 2 Mbit/s + AAC, ${SECONDS} s per phase; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${spawnSync('nproc').stdout.toString().trim()} cores`,
);
const base = await phase('base', async () => {});
const udp = await phase('udp', async () => {
  const { ports } = await ask<{ ports: number[] }>({ op: 'udp', n: CHANNELS });
  for (const [i, id] of ids.entries()) {
    const s = await gb.open({
      channelSourceId: id,
      channelId: `3402000000131${String(i).padStart(7, '0')}`,
      kind: 'Play',
      offerSdp: offer(ports[i]!, false, i),
      platformId: 'bench',
      edition: '2022',
      deviceId: '34020000002000000099',
      localIp: '127.0.0.1',
    });
    s.start();
  }
});
const tcp = await phase('tcp', async () => {
  const { ports } = await ask<{ ports: number[] }>({ op: 'tcp' });
  for (const [i, id] of ids.entries()) {
    const s = await gb.open({
      channelSourceId: id,
      channelId: `3402000000131${String(i).padStart(7, '0')}`,
      kind: 'Play',
      offerSdp: offer(ports[0]!, true, i),
      platformId: 'bench',
      edition: '2022',
      deviceId: '34020000002000000099',
      localIp: '127.0.0.1',
    });
    s.start();
  }
});
for (const t of timers) clearInterval(t);
relay.close();
receiver.send({ op: 'exit' });
const perUdp = Math.max(0, udp.cpu - base.cpu) / CHANNELS;
const perTcp = Math.max(0, tcp.cpu - base.cpu) / CHANNELS;
out(`per channel: UDP ${perUdp.toFixed(2)} % of a core, TCP ${perTcp.toFixed(2)} % (load average now ${loadavg()[0]!.toFixed(2)})`);
out(`gb28181: ${Math.max(perUdp, perTcp).toFixed(2)} % of a core per channel, p99 ${Math.max(udp.p99, tcp.p99).toFixed(1)} ms`);
process.exit(0);
