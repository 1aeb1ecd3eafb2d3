// What a misbehaving platform gets: the right SIP error for each kind of bad request, and nothing changed
// (no session, no audit entry); a flood from one address is dropped there while another platform is
// answered as usual.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import t from 'tap';
import { derivedChannelId } from '../../../config/gb28181.ts';
import { DEVICE_ID, SERVER_ID, gbRig, platform, startSipp } from './rig.ts';

const CHANNEL = derivedChannelId(DEVICE_ID, 'cam1');

/** Sends one datagram from `from` and resolves with the first answer whose status is final. */
async function ask(port: number, text: string, from = '127.0.0.1'): Promise<string> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  const reply = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer in 3 s')), 3000);
    s.on('message', (b) => {
      const m = b.toString('utf8');
      if (/^SIP\/2\.0 1\d\d /.test(m)) return;
      clearTimeout(timer);
      resolve(m);
    });
  });
  s.send(text.replace(/\n/g, '\r\n'), port, '127.0.0.1');
  try {
    return await reply;
  } finally {
    s.close();
  }
}

function request(method: string, o: { uri?: string; from?: string; cseq?: string; body?: string; type?: string; toTag?: string; extra?: string } = {}): string {
  const body = o.body ?? '';
  return `${method} ${o.uri ?? `sip:${DEVICE_ID}@127.0.0.1`} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK${Math.random().toString(16).slice(2)}
From: <sip:${o.from ?? SERVER_ID}@3402000000>;tag=h1
To: <sip:${DEVICE_ID}@3402000000>${o.toTag ? `;tag=${o.toTag}` : ''}
Call-ID: hostile-${Math.random().toString(16).slice(2)}
CSeq: ${o.cseq ?? `1 ${method}`}
Max-Forwards: 70
${o.extra ?? ''}${o.type ? `Content-Type: ${o.type}\n` : ''}Content-Length: ${Buffer.byteLength(body)}

${body}`;
}

t.test('bad requests get the right SIP error and change nothing', async (t) => {
  const rig = gbRig(t, { platforms: [platform(9, { host: '127.0.0.9' })] });
  await rig.gb.start();
  const port = rig.gb.port();
  const status = (m: string) => /^SIP\/2\.0 (\d{3})/.exec(m)?.[1];
  t.equal(status(await ask(port, request('MESSAGE', { cseq: '1 INVITE' }))), '400', 'a CSeq method that is not the request method: 400');
  t.equal(status(await ask(port, request('MESSAGE', { cseq: 'x MESSAGE' }))), '400', 'a CSeq that is not a number: 400');
  const noLength = request('OPTIONS').replace(/Content-Length: 0\r?\n/, 'Content-Length: 40\n');
  t.equal(status(await ask(port, noLength)), '400', 'a Content-Length beyond the body: 400');
  t.equal(
    status(await ask(port, request('MESSAGE', { type: 'Application/MANSCDP+xml', body: '<Query><CmdType>Catalog</CmdType><SN>1' }))),
    '400',
    'an XML body cut short: 400',
  );
  t.equal(
    status(await ask(port, request('MESSAGE', { type: 'Application/MANSCDP+xml', body: '<!DOCTYPE x [<!ENTITY a "b">]><Query/>' }))),
    '400',
    'a DOCTYPE (entity tricks): 400',
  );
  t.equal(status(await ask(port, request('MESSAGE', { type: 'text/plain', body: 'hi' }))), '415', 'a body that is not MANSCDP: 415');
  t.equal(status(await ask(port, request('BYE', { toTag: 'nosuch' }))), '481', 'a BYE for no dialog: 481');
  t.equal(
    status(await ask(port, request('INFO', { toTag: 'nosuch', type: 'Application/MANSRTSP', body: 'PAUSE RTSP/1.0\r\nCSeq: 1\r\n\r\n' }))),
    '481',
    'an INFO for no dialog: 481',
  );
  t.equal(
    status(await ask(port, request('INVITE', { uri: `sip:${CHANNEL}@127.0.0.1`, type: 'application/sdp', body: 'v=0\r\ns=Play\r\nm=audio 9 RTP/AVP 0\r\n' }))),
    '488',
    'an offer without PS video: 488',
  );
  t.equal(
    status(await ask(port, request('INVITE', { uri: `sip:${CHANNEL}@127.0.0.1`, type: 'application/sdp', body: 'v=0\r\ns=Nonsense\r\n' }))),
    '488',
    'an s= that is not Play/Playback/Download: 488',
  );
  t.equal(
    status(await ask(port, request('INVITE', { uri: 'sip:34020000001319999999@127.0.0.1', type: 'application/sdp', body: 'v=0\r\ns=Play\r\n' }))),
    '404',
    'a channel that is not ours: 404',
  );
  t.equal(status(await ask(port, request('MESSAGE', { from: '34020000002000000777' }))), '403', 'a server ID that is not a configured platform: 403');
  t.equal(status(await ask(port, request('SUBSCRIBE', { extra: 'Event: presence\n' }))), '489', 'a SUBSCRIBE to another event package: 489');
  t.equal(status(await ask(port, request('PUBLISH'))), '405', 'a method we do not take: 405');
  t.equal(rig.gb.status().platforms[0]?.plays.length, 0, 'no session was opened');
  t.equal(rig.audit.list({}).filter((e) => e.action.startsWith('gb28181.')).length, 0, 'nothing was audited');
  t.ok(rig.gb.status().sip.malformed >= 3, 'the malformed ones are counted');
});

t.test('a platform flooding the SIP port is dropped at its address; another platform keeps its keepalives', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml');
  const rig = gbRig(t, { platforms: [platform(sipp.port, { keepaliveSeconds: 0.2 as number })], perPeerRate: 100 });
  await rig.gb.start();
  const port = rig.gb.port();
  // The flood comes from another process, as a platform's would: it must not share our event loop.
  const junk = request('OPTIONS').replace(/\n/g, '\r\n');
  const flood = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('node:dgram').createSocket('udp4');const b=Buffer.from(${JSON.stringify(junk)});let n=0;` +
        `s.bind(0,'127.0.0.2',()=>{const go=()=>{for(let i=0;i<50;i++)s.send(b,${port},'127.0.0.1',()=>{n++});setImmediate(go)};go()});`,
    ],
    { stdio: 'ignore' },
  );
  t.teardown(() => flood.kill('SIGKILL'));
  await rig.until('the flood is arriving', () => rig.gb.status().sip.dropped > 1000);
  const floodFrom = Date.now();
  await rig.until('two keepalives answered during the flood', () => (rig.gb.status().platforms[0]?.lastKeepaliveAt ?? 0) > floodFrom + 300);
  flood.kill('SIGKILL');
  t.equal(rig.gb.status().platforms[0]?.keepaliveMisses, 0, 'the other platform missed no keepalive');
  t.ok(rig.gb.status().sip.dropped > 0, `the flood was dropped at its address (${rig.gb.status().sip.dropped} messages)`);
  await sipp.stop();
});
