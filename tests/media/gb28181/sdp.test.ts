// The INVITE SDP of GB/T 28181 both ways (offers as WVP-GB28181-pro and provincial platforms write
// them, our answers), the 2016/2022 differences in f=, and MANSRTSP bodies.
import t, { type Test } from 'tap';
import { GbMediaError } from '../../../media/gb28181/media-session.ts';
import { parseMansrtsp } from '../../../media/gb28181/mansrtsp.ts';
import { buildAnswer, makeSsrc, parseOffer } from '../../../media/gb28181/sdp.ts';
import { platformOffer } from './rtp-receiver.ts';

const refused = (t: Test, sdp: string, why: RegExp, name: string) => {
  t.throws(() => parseOffer(sdp), { code: 'unsupported_sdp', sipStatus: 488, message: why }, name);
};

t.test('an offer names where to send, how, and the SSRC', async (t) => {
  const udp = parseOffer(platformOffer({ port: 30000, ssrc: '0100000001' }));
  t.match(udp, { kind: 'Play', address: '127.0.0.1', port: 30000, transport: 'udp', payloadType: 96, ssrc: 100000001, ssrcText: '0100000001', range: null });
  t.equal(parseOffer(platformOffer({ port: 1, transport: 'tcp-platform-listens' })).transport, 'tcp-active', 'a=setup:passive from the platform: we connect');
  t.equal(parseOffer(platformOffer({ port: 1, transport: 'tcp-platform-connects' })).transport, 'tcp-passive', 'a=setup:active from the platform: we listen');
  const media = parseOffer(platformOffer({ port: 2 }).replace('a=recvonly', 'c=IN IP4 10.0.0.9\r\na=recvonly'));
  t.equal(media.address, '10.0.0.9', 'a media-level c= wins over the session-level one');
});

t.test('a Playback range is read from t= in Unix seconds (or NTP seconds)', async (t) => {
  const start = Date.UTC(2026, 11, 6, 8, 0, 0);
  const o = parseOffer(platformOffer({ kind: 'Playback', port: 2, range: { start, end: start + 600_000 } }));
  t.same(o.range, { start, end: start + 600_000 });
  t.equal(o.uri, '34020000001310000001:0');
  const ntp = parseOffer(
    platformOffer({ kind: 'Download', port: 2, downloadSpeed: 4 }).replace('t=0 0', `t=${start / 1000 + 2_208_988_800} ${start / 1000 + 2_208_988_860}`),
  );
  t.same(ntp.range, { start, end: start + 60_000 }, 'NTP time (RFC 4566) is taken too');
  t.equal(ntp.downloadSpeed, 4, 'a=downloadspeed');
});

t.test('offers we cannot serve are refused with 488 naming the line', async (t) => {
  refused(t, '', /no SDP body/, 'empty body');
  refused(t, platformOffer({ port: 2 }).replace('s=Play', 's=Talk'), /Talk/, 's=Talk');
  refused(t, platformOffer({ port: 2 }).replace('RTP/AVP 96 97 98', 'RTP/SAVP 96'), /RTP\/SAVP/, 'SRTP');
  refused(t, platformOffer({ port: 0 }), /port 0/, 'port 0');
  refused(t, platformOffer({ port: 2 }).replace('c=IN IP4 127.0.0.1', 'c=IN IP6 ::1'), /IN IP4/, 'IPv6');
  refused(t, platformOffer({ port: 2, ssrc: '99999999999' }), /y=/, 'an SSRC of 11 digits');
  refused(t, platformOffer({ kind: 'Playback', port: 2 }), /t= range/, 'Playback with t=0 0');
  refused(t, 'v=0\r\ngarbage\r\n', /line 2/, 'a line that is not type=value');
});

t.test('the answer is sendonly PS on the same SSRC, in the form each edition reads', async (t) => {
  const offer = parseOffer(platformOffer({ port: 30000, ssrc: '0100000009' }));
  const base = {
    offer,
    deviceId: '34020000002000000099',
    localIp: '192.0.2.5',
    localPort: 40000,
    ssrcText: '0100000009',
    video: 'hevc',
    audio: 'g711a',
  } as const;
  const a2022 = buildAnswer({ ...base, edition: '2022' });
  t.match(
    a2022,
    /^v=0\r\no=34020000002000000099 0 0 IN IP4 192\.0\.2\.5\r\ns=Play\r\nc=IN IP4 192\.0\.2\.5\r\nt=0 0\r\nm=video 40000 RTP\/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS\/90000\r\ny=0100000009\r\n/,
  );
  t.match(a2022, /\r\nf=v\/5\/\/\/\/a\/1\/\/\r\n$/, '2022: H.265 is video format 5 in f=');
  const a2016 = buildAnswer({ ...base, edition: '2016' });
  t.match(a2016, /\r\nf=v\/\/\/\/\/a\/1\/\/\r\n$/, '2016 has no code for H.265: the field is left empty');
  const tcp = buildAnswer({ ...base, edition: '2022', offer: parseOffer(platformOffer({ port: 1, transport: 'tcp-platform-connects' })) });
  t.match(tcp, /m=video 40000 TCP\/RTP\/AVP 96\r\n.*a=setup:passive\r\na=connection:new\r\n/s, 'TCP: our role and a new connection');
});

t.test('an SSRC made up for an offer without y= follows the standard: 0 live / 1 history, then the domain', async (t) => {
  t.equal(makeSsrc('Play', '34020000002000000099', 7), '0200000007');
  t.equal(makeSsrc('Playback', '34020000002000000099', 12_345), '1200002345');
});

t.test('MANSRTSP: PLAY with Range and Scale, PAUSE, and bad bodies refused with 400', async (t) => {
  t.same(parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 3\r\nRange: npt=100-\r\n\r\n'), { method: 'PLAY', cseq: 3, seekSeconds: 100, scale: null });
  t.same(parseMansrtsp('PLAY MANSRTSP/1.0\r\nCSeq: 4\r\nScale: 0.5\r\n'), { method: 'PLAY', cseq: 4, seekSeconds: null, scale: 0.5 });
  t.same(parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 5\r\nRange: npt=now-\r\n'), { method: 'PLAY', cseq: 5, seekSeconds: null, scale: null });
  t.match(parseMansrtsp('PAUSE RTSP/1.0\r\nCSeq: 6\r\nPauseTime: now\r\n'), { method: 'PAUSE' });
  for (const bad of ['GET / HTTP/1.1', 'PLAY RTSP/1.0\r\nScale: fast', 'PLAY RTSP/1.0\r\nRange: clock=20261206T080000Z-']) {
    const err = (() => {
      try {
        parseMansrtsp(bad);
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof GbMediaError && err.sipStatus === 400, `${JSON.stringify(bad.slice(0, 30))} → 400`);
  }
});
