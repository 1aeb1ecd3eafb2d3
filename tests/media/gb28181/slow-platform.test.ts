// Back-pressure: a platform that stops reading its RTP connection is first dropped to key frames and
// then let go, while the recording's feed and another platform playing the same channel lose nothing.
// The camera here is a 31 Mbit/s clip replayed in real time into the real live relay, so the loopback
// socket buffers fill within seconds.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { systemClock } from '../../../core/index.ts';
import { createGbMediaSessions } from '../../../media/gb28181/media-session.ts';
import { createLiveRelay, type TsFeed } from '../../../media/live.ts';
import { scratchDir } from '../../helpers.ts';
import { checkRtp, platformOffer, tcpConnectingRtpReceiver, tcpListeningRtpReceiver } from './rtp-receiver.ts';

t.test('a platform that stops reading is dropped to key frames, then let go; recording and the other platform lose nothing', async (t) => {
  const dir = scratchDir(t, 'examroom-gbslow-');
  const clip = join(dir, 'noisy.ts');
  const enc = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=25,noise=alls=30:allf=t+u',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '18',
      '-g',
      '25',
      '-bf',
      '0',
      '-f',
      'mpegts',
      '-y',
      clip,
    ],
    { encoding: 'utf8' },
  );
  t.equal(enc.status, 0, enc.stderr);
  const ts = readFileSync(clip);
  const perTick = Math.ceil(ts.length / 50 / 188) * 188; // 2 s in 40 ms ticks: real time
  let fed = 0;
  const subs = new Set<(c: Buffer) => void>();
  const feed: TsFeed = {
    subscribe(_id, onChunk) {
      subs.add(onChunk);
      return () => subs.delete(onChunk);
    },
  };
  let off = 0;
  const pump = setInterval(() => {
    const end = Math.min(off + perTick, ts.length);
    const chunk = ts.subarray(off, end);
    off = end >= ts.length ? 0 : end;
    fed += chunk.length;
    for (const fn of subs) fn(chunk);
  }, 40);
  t.teardown(() => clearInterval(pump));
  const relay = createLiveRelay(feed);
  let closing = false;
  t.teardown(() => {
    closing = true;
    relay.close();
  });
  // Stands for the recorder and the browsers: a sink that always keeps up.
  let recorded = 0;
  relay.attach('CAM1', { backlog: () => 0, write: (b) => (recorded += b.length), drop: (why) => closing || t.fail(`the recording sink was dropped: ${why}`) });
  const fedAtAttach = fed;
  const gb = createGbMediaSessions({
    relay,
    playback: { recordings: () => ({ sourceId: '', from: 0, to: 0, segments: [], gaps: [], recordingSince: null }), segmentInputs: () => ({}) as never },
    sourceKnown: () => true,
    clock: systemClock,
    limits: { softBacklogBytes: 256 * 1024, hardBacklogBytes: 4 * 1024 * 1024, behindMs: 4000 },
  });
  t.teardown(() => gb.close());
  const base = {
    channelSourceId: 'CAM1',
    channelId: '34020000001310000001',
    kind: 'Play' as const,
    edition: '2022' as const,
    deviceId: '34020000002000000099',
    localIp: '127.0.0.1',
  };

  const slowRx = await tcpListeningRtpReceiver();
  t.teardown(() => slowRx.close());
  const slow = await gb.open({
    ...base,
    platformId: 'city',
    offerSdp: platformOffer({ port: slowRx.port, transport: 'tcp-platform-listens', ssrc: '0100000001' }),
  });
  const good = await gb.open({ ...base, platformId: 'province', offerSdp: platformOffer({ port: 9, transport: 'tcp-platform-connects', ssrc: '0100000002' }) });
  const goodRx = tcpConnectingRtpReceiver('127.0.0.1', Number(/m=video (\d+)/.exec(good.answerSdp)![1]));
  t.teardown(() => goodRx.close());
  await goodRx.connected;
  const ended = new Promise<{ reason: string; detail: string }>((r) => slow.onEnded(r));
  slow.start();
  good.start();
  await slowRx.connected;
  slowRx.pause();

  const end = await ended;
  t.equal(end.reason, 'too_slow', `the stalled platform is let go: ${end.detail}`);
  const s = slow.stats();
  t.ok(s.skippedFrames > 0, `before that it was dropped to key frames (${s.skippedFrames} frames skipped)`);
  t.equal(gb.sessions().length, 1, 'its session is gone; the other plays on');

  const before = good.stats().frames;
  await goodRx.waitFor(() => good.stats().frames >= before + 25, 20_000);
  good.stop('test done');
  await goodRx.waitFor(() => goodRx.packets.length >= good.stats().rtpPackets, 5000);
  const g = good.stats();
  t.equal(g.skippedFrames, 0, 'the platform that keeps up skipped no frame');
  const rtp = checkRtp(goodRx.packets);
  t.equal(rtp.lost, 0, 'and lost no packet');
  t.ok(recorded >= fed - fedAtAttach - perTick, `the recording sink got every byte fed (${recorded} of ${fed - fedAtAttach})`);
});
