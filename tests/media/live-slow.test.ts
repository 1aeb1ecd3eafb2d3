// A viewer that stops reading never holds the others back: the relay stops sending to it, lets it
// rejoin at the next key frame once its backlog drains, and drops it when it stays behind. Real
// WebSockets on loopback; the feed is real ffmpeg MPEG-TS replayed faster than real time, so the
// socket buffers fill in seconds instead of minutes.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { createLiveRelay, type Sink, type TsFeed } from '../../media/live.ts';
import { scratchDir } from '../helpers.ts';
import { openViewer, probeBytes, type Viewer } from './live-fixture.ts';
import { until } from '../wait.ts';

const POLICY = { softBytes: 256 * 1024, hardBytes: 256 * 1024 * 1024, maxBehindMs: 5000 };

function encodeClip(dir: string): Buffer {
  const file = join(dir, 'clip.ts');
  const r = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=10',
    '-f',
    'lavfi',
    '-i',
    'sine=sample_rate=16000',
    '-t',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '10',
    '-b:v',
    '1M',
    '-c:a',
    'aac',
    '-f',
    'mpegts',
    file,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  return readFileSync(file);
}

/** Replays the clip in a loop at ≈3 MB/s, in chunks that do not line up with TS packets (as a pipe delivers them). */
function fastFeed(clip: Buffer): TsFeed {
  return {
    subscribe(_id, onChunk) {
      let off = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 3; i++) {
          const n = 5000 + Math.floor(Math.random() * 1000);
          const end = Math.min(clip.length, off + n);
          onChunk(clip.subarray(off, end));
          off = end === clip.length ? 0 : end;
        }
      }, 5);
      return () => clearInterval(timer);
    },
  };
}

async function relayServer(t: Test, clip: Buffer) {
  const relay = createLiveRelay(fastFeed(clip), POLICY);
  const drops: string[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (socket: WebSocket) => {
    const sink: Sink = {
      backlog: () => socket.bufferedAmount,
      write: (b) => socket.send(b),
      drop: (reason) => {
        drops.push(reason);
        socket.terminate();
      },
    };
    const detach = relay.attach('CAM', sink);
    socket.on('close', detach);
  });
  t.teardown(() => {
    relay.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  return { relay, drops, url };
}

type TcpSocket = { pause(): void; resume(): void };
const tcp = (v: Viewer) => (v.socket as unknown as { _socket: TcpSocket })._socket;

t.test('a viewer that stops reading falls behind alone, then is dropped', async (t) => {
  const dir = scratchDir(t, 'examroom-live-slow-');
  const { relay, drops, url } = await relayServer(t, encodeClip(dir));
  const fast = await Promise.all([openViewer(url, {}), openViewer(url, {})]);
  const slow = await openViewer(url, {});
  tcp(slow).pause();
  const channel = relay.channel('CAM');
  await until('the stopped viewer to fall behind', () => channel.stats().some((s) => s.state === 'behind'), 30_000);
  const before = fast.map((v) => v.bytes());
  await until('the others to receive 3 MB more meanwhile', () => fast.every((v, i) => v.bytes() - before[i]! > 3 * 1024 * 1024), 30_000);
  t.pass('the other viewers keep receiving while one is behind');
  await until('the stopped viewer to be dropped', () => drops.length > 0, 30_000);
  t.match(drops[0], /behind for more than 5 s/, 'dropped once it has been behind too long');
  t.equal(relay.viewers('CAM'), 2, 'the two others are still attached');
  tcp(slow).resume();
  await slow.closed;
  t.pass('the dropped viewer’s socket is closed (its page reconnects and starts at a fresh key frame)');
});

t.test('a viewer that falls behind for a moment skips to the next key frame and plays on', async (t) => {
  const dir = scratchDir(t, 'examroom-live-skip-');
  const { relay, drops, url } = await relayServer(t, encodeClip(dir));
  const v = await openViewer(url, {});
  const channel = relay.channel('CAM');
  await until('bytes to flow', () => v.bytes() > 100_000);
  tcp(v).pause();
  await until('the viewer to fall behind', () => channel.stats()[0]?.state === 'behind', 30_000);
  tcp(v).resume();
  await until('the viewer to be live again', () => channel.stats()[0]?.state === 'live', 30_000);
  t.equal(channel.stats()[0]!.skips, 1, 'it skipped once');
  t.same(drops, [], 'and was not dropped');
  // What it got across the skip is still a stream a decoder reads: it rejoined at PAT, PMT and a key frame.
  const mark = v.messages.length;
  await until('more bytes after the skip', () => v.messages.length > mark + 20);
  const probe = probeBytes(dir, 'skipped.ts', Buffer.concat(v.messages));
  t.notOk(probe.error, `ffprobe reads the stream across the skip${probe.error ? `: ${probe.error}` : ''}`);
  t.ok(Number(probe.streams.find((s) => s.codec_type === 'video')?.nb_read_frames) > 10, 'its frames decode');
  v.socket.close();
});
