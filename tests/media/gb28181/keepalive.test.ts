// Keepalive towards sipp as the platform: answered keepalives keep the device online; the configured
// number of unanswered ones in a row is offline, and the device registers again.
import t from 'tap';
import { gbRig, platform, startSipp } from './rig.ts';

t.test('answered keepalives (Notify/Keepalive in the platform charset) keep the platform online', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml');
  const rig = gbRig(t, { platforms: [platform(sipp.port, { keepaliveSeconds: 0.3 as number, charset: 'GB2312' })] });
  await rig.gb.start();
  await rig.until('a keepalive answered', () => (rig.gb.status().platforms[0]?.lastKeepaliveAt ?? null) !== null);
  const ka = sipp.received('MESSAGE')[0] ?? '';
  t.match(ka, /Content-Type: Application\/MANSCDP\+xml/, 'typed Application/MANSCDP+xml');
  t.match(
    ka,
    /encoding="GB2312"[\s\S]*<CmdType>Keepalive<\/CmdType>[\s\S]*<DeviceID>34020000001320000001<\/DeviceID>/,
    'a GB2312 Notify/Keepalive with our device ID',
  );
  t.equal(rig.gb.status().platforms[0]?.online, true, 'online');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('unanswered keepalives make the platform offline and the device registers again', async (t) => {
  const sipp = await startSipp(t, 'platform-silent.xml');
  const rig = gbRig(t, { platforms: [platform(sipp.port, { keepaliveSeconds: 0.3 as number, keepaliveMisses: 2 })], timers: { t1: 20, t2: 160 } });
  await rig.gb.start();
  await rig.until('registered', () => rig.gb.status().platforms[0]?.registrations === 1);
  await rig.until('registered a second time', () => (rig.gb.status().platforms[0]?.registrations ?? 0) >= 2);
  t.ok(rig.gb.status().platforms[0]?.lostAt, 'went offline in between (lostAt)');
  t.ok(sipp.received('MESSAGE').length >= 2, 'after at least two keepalives');
  t.ok(sipp.received('REGISTER').length >= 3, 'and a new REGISTER');
});
