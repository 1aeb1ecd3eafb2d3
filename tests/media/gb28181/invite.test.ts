// INVITE/ACK/BYE from sipp as the platform, over UDP and TCP (the platform listening or connecting for the
// media): the 200 answers with the offer's SSRC, media starts on the ACK and stops on the BYE, a BYE for a
// finished dialog gets 481, the play is audited; the RTP that arrives decodes with ffmpeg -f mpeg.
import t, { type Test } from 'tap';
import { systemClock } from '../../../core/index.ts';
import { startRtspSource } from '../../../media/index.ts';
import { createGbMediaSessions } from '../../../media/gb28181/media-session.ts';
import { createLiveRelay } from '../../../media/live.ts';
import { derivedChannelId } from '../../../config/gb28181.ts';
import { mediaRig } from '../helpers.ts';
import {
  cameraG711,
  checkRtp,
  platformOffer,
  probePs,
  psAudioBytes,
  tcpConnectingRtpReceiver,
  tcpListeningRtpReceiver,
  udpRtpReceiver,
  type RtpReceiver,
} from './rtp-receiver.ts';
import { DEVICE_ID, gbRig, platform, startSipp, type Sipp } from './rig.ts';

const CHANNEL = derivedChannelId(DEVICE_ID, 'cam1');

t.test('INVITE/ACK/BYE with sipp as the platform', async (t) => {
  // An A-law camera (media.test.ts has the µ-law one): the PS must say 0x90 and carry its bytes.
  const camStarted = Date.now();
  const cam = await startRtspSource({ path: 'gbsip', audioCodec: 'pcm_alaw' });
  t.teardown(() => cam.stop());
  const media = mediaRig(t);
  media.media.addSource({ id: 'cam1', name: '摄像机1', room: 'r1', kind: 'camera', input: { url: cam.url } });
  const relay = createLiveRelay(media.media.ingest);
  t.teardown(() => relay.close());
  await media.media.start();
  await media.waitFor('camera.up', (e) => e.sourceId === 'cam1', 30_000);
  // Wired as server/app.ts wires it: the relay's G.711 is a private stream whose law the ingest knows.
  const sessions = () =>
    createGbMediaSessions({
      relay,
      playback: media.media.playback,
      sourceKnown: (id) => id === 'cam1',
      audioCodec: (id) => media.media.ingest.codecs(id)?.audio ?? null,
      clock: systemClock,
    });

  /** The 200 to our INVITE as sipp received it (its SDP answer). */
  const answerOf = (sipp: Sipp) =>
    /message received \[\d+\] bytes :\s*\n\n?(SIP\/2\.0 200 OK[\s\S]*?CSeq: 20 INVITE[\s\S]*?)(?:\n-{10,}|$)/.exec(sipp.messages())?.[1] ?? '';

  async function play(t: Test, sipTransport: 'UDP' | 'TCP', media: 'udp' | 'tcp-platform-listens' | 'tcp-platform-connects') {
    let rx: RtpReceiver;
    let port = 0;
    if (media === 'udp') rx = await udpRtpReceiver();
    else if (media === 'tcp-platform-listens') rx = await tcpListeningRtpReceiver();
    else rx = { packets: [] } as unknown as RtpReceiver;
    port = media === 'tcp-platform-connects' ? 9 : rx.port;
    const sdp = platformOffer({ port, transport: media, ssrc: '0100000123' });
    const sipp = await startSipp(t, 'platform-invite.xml', { transport: sipTransport, calls: 1, keys: { channel: CHANNEL, sdp } });
    const rig = gbRig(t, {
      platforms: [platform(sipp.port, { transport: sipTransport, edition: '2022' })],
      sessions,
    });
    await rig.gb.start();
    if (media === 'tcp-platform-connects') {
      await rig.until('the 200 with our SDP', () => answerOf(sipp) !== '');
      const m = /m=video (\d+) TCP\/RTP\/AVP/.exec(answerOf(sipp));
      rx = tcpConnectingRtpReceiver('127.0.0.1', Number(m?.[1]));
    }
    await rig.until('a play open', () => (rig.gb.status().platforms[0]?.plays.length ?? 0) === 1, 15_000);
    const { code, errors } = await sipp.exited;
    t.equal(code, 0, `sipp's call (REGISTER, INVITE, ACK, BYE, BYE → 481) succeeded: ${errors.slice(0, 300)}`);
    const answer = answerOf(sipp);
    t.match(answer, /a=sendonly/, 'the answer is sendonly');
    t.match(answer, /a=rtpmap:96 PS\/90000/, 'PS on payload type 96');
    t.match(answer, /y=0100000123/, "the offer's SSRC comes back");
    t.equal(rig.gb.status().platforms[0]?.plays.length, 0, 'the BYE ended the play');
    const rtp = checkRtp(rx.packets);
    t.ok(rtp.frames >= 3, `${rtp.frames} frames arrived between ACK and BYE`);
    t.equal(rtp.lost, 0, 'no packet lost on loopback');
    t.ok(rtp.timestampsRise, 'RTP timestamps rise');
    const probe = probePs(media_.dir, `${sipTransport}-${media}.ps`, rtp.ps);
    t.equal(probe.decodeErrors, '', 'ffmpeg -f mpeg decodes it without an error');
    t.ok((probe.video?.frames ?? 0) >= Math.min(3, rtp.frames), `${probe.video?.frames} video frames decode`);
    t.equal(probe.psmTypes[0xc0], 0x90, "the camera's G.711 A-law is in the PS as stream type 0x90");
    const heard = psAudioBytes(rtp.ps);
    const sent = cameraG711('pcm_alaw', Math.ceil((Date.now() - camStarted) / 1000) + 5);
    t.ok(heard.length >= 800 && sent.indexOf(heard) >= 0, `the ${heard.length} G.711 bytes in the PS are the camera's own A-law, in order`);
    const audit = rig.audit.list({}).find((e) => e.action === 'gb28181.play.start');
    t.match(audit, { actor: 'gb28181:province', target: 'cam1', detail: { channelId: CHANNEL } }, 'the play is audited: who, channel');
    rx.close();
  }
  const media_ = media;

  t.test('over UDP, media over UDP', (t) => play(t, 'UDP', 'udp'));
  t.test('over TCP, media over TCP with the platform listening (we connect)', (t) => play(t, 'TCP', 'tcp-platform-listens'));
  t.test('over TCP, media over TCP with the platform connecting (we listen)', (t) => play(t, 'TCP', 'tcp-platform-connects'));

  t.test('a Download of a recorded range is sent, ends with MediaStatus 121, and is audited with its range', async (t) => {
    let seg = media_.media.playback.recordings('cam1', 0, Date.now()).segments[0];
    while (!seg) {
      await new Promise((r) => setTimeout(r, 200));
      seg = media_.media.playback.recordings('cam1', 0, Date.now()).segments[0];
    }
    const range = { start: Math.ceil(seg.start / 1000) * 1000, end: Math.floor(seg.end / 1000) * 1000 };
    const rx = await udpRtpReceiver();
    const sdp = platformOffer({ kind: 'Download', port: rx.port, ssrc: '1100000124', range, channelId: CHANNEL, downloadSpeed: 4 });
    const sipp = await startSipp(t, 'platform-download.xml', { calls: 2, keys: { channel: CHANNEL, sdp } });
    const rig = gbRig(t, {
      platforms: [platform(sipp.port, { edition: '2016' })],
      sessions,
    });
    await rig.gb.start();
    const { code, errors } = await sipp.exited;
    t.equal(code, 0, `sipp's calls (REGISTER + Download INVITE/ACK/BYE, the 121 MESSAGE) succeeded: ${errors.slice(0, 300)}`);
    t.ok(
      sipp.received('MESSAGE').some((m) => /<CmdType>MediaStatus<\/CmdType>[\s\S]*<NotifyType>121<\/NotifyType>/.test(m)),
      'the device said the download was complete (MediaStatus 121)',
    );
    const rtp = checkRtp(rx.packets);
    const probe = probePs(media_.dir, 'download.ps', rtp.ps);
    t.ok((probe.video?.frames ?? 0) > 0, `${probe.video?.frames} recorded frames decode`);
    // A Matroska segment's law comes from ffprobe (recorded.ts), not from the ingest.
    t.equal(probe.psmTypes[0xc0], 0x90, 'the recorded A-law is in the PS as stream type 0x90');
    const heard = psAudioBytes(rtp.ps);
    const sent = cameraG711('pcm_alaw', Math.ceil((Date.now() - camStarted) / 1000) + 5);
    // The range may hold a single picture: its sound after that picture is sent too (the last pack).
    t.ok(heard.length > 0 && sent.indexOf(heard) >= 0, `the ${heard.length} recorded G.711 bytes in the PS are the camera's own A-law, in order`);
    t.equal(rtp.lost, 0, 'no packet lost on loopback');
    const audit = rig.audit.list({}).find((e) => e.action === 'gb28181.download.start');
    t.match(
      audit,
      {
        actor: 'gb28181:province',
        target: 'cam1',
        detail: { channelId: CHANNEL, from: new Date(range.start).toISOString(), to: new Date(range.end).toISOString() },
      },
      'audited: who, channel, range',
    );
    rx.close();
  });

  t.test('a Playback of a recorded range is steered by INFO (MANSRTSP PLAY with Scale) and audited with its range', async (t) => {
    const seg = media_.media.playback.recordings('cam1', 0, Date.now()).segments[0];
    if (!seg) throw new Error('no recorded segment yet');
    const range = { start: Math.ceil(seg.start / 1000) * 1000, end: Math.floor(seg.end / 1000) * 1000 };
    const rx = await udpRtpReceiver();
    const sdp = platformOffer({ kind: 'Playback', port: rx.port, ssrc: '1100000125', range, channelId: CHANNEL });
    const rtsp = 'PLAY RTSP/1.0\r\nCSeq: 2\r\nScale: 2.0\r\n';
    const sipp = await startSipp(t, 'platform-playback.xml', { calls: 1, keys: { channel: CHANNEL, sdp, rtsp } });
    let scale = 0;
    const rig = gbRig(t, {
      platforms: [platform(sipp.port)],
      sessions: () => {
        const s = sessions();
        const timer = setInterval(() => {
          for (const x of s.sessions()) scale = Math.max(scale, x.scale);
        }, 20);
        t.teardown(() => clearInterval(timer));
        return s;
      },
    });
    await rig.gb.start();
    const { code, errors } = await sipp.exited;
    t.equal(code, 0, `sipp's call (REGISTER, Playback INVITE/ACK, INFO → 200, BYE) succeeded: ${errors.slice(0, 300)}`);
    t.equal(scale, 2, 'the INFO reached the session: Scale 2');
    t.ok(checkRtp(rx.packets).frames > 0, 'recorded frames were sent');
    t.match(
      rig.audit.list({}).find((e) => e.action === 'gb28181.playback.start'),
      { target: 'cam1', detail: { from: new Date(range.start).toISOString(), to: new Date(range.end).toISOString() } },
      'audited with its range',
    );
    rx.close();
  });
});
