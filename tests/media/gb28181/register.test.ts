// Registration against sipp as a strict platform: digest (qop=auth and without qop), a wrong password
// refused and backed off, the clock skew from the 200's Date, Expires: 0 on shutdown.
import t from 'tap';
import { gbRig, platform, shanghai, startSipp, PASSWORD } from './rig.ts';

t.test('registers with MD5 digest and qop=auth, and takes the clock skew from the 200 Date', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml', { keys: { platformdate: shanghai(Date.now() + 5000) } });
  const rig = gbRig(t, { platforms: [platform(sipp.port)] });
  await rig.gb.start();
  await rig.until('registered', () => rig.gb.status().platforms[0]?.state === 'registered');
  const s = rig.gb.status().platforms[0]!;
  t.ok(s.clockSkewMs !== null && Math.abs((s.clockSkewMs ?? 0) - 5000) < 1500, `skew ≈ +5 s (got ${s.clockSkewMs} ms)`);
  t.equal(s.clockAlarm, true, 'over 2 s raises the clock alarm');
  const regs = sipp.received('REGISTER');
  t.equal(regs.length, 2, 'one challenge, one answer');
  t.match(regs[1], /Authorization: Digest .*qop=auth/, 'answers with qop=auth');
  t.match(regs[0], /X-GB-Ver: 2\.0/, 'a 2016 platform is told X-GB-Ver 2.0');
  await rig.gb.stop();
  const after = sipp.received('REGISTER');
  t.match(after[after.length - 1], /Expires: 0/, 'Expires: 0 on shutdown');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('registers with digest without qop', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml', { keys: { qop: '', platformdate: shanghai(Date.now()) } });
  const rig = gbRig(t, { platforms: [platform(sipp.port, { edition: '2022' })] });
  await rig.gb.start();
  await rig.until('registered', () => rig.gb.status().platforms[0]?.state === 'registered');
  const regs = sipp.received('REGISTER');
  t.notMatch(regs[1], /qop=/, 'no qop asked, none sent');
  t.match(regs[0], /X-GB-Ver: 3\.0/, 'a 2022 platform is told X-GB-Ver 3.0');
  t.equal(rig.gb.status().platforms[0]?.clockAlarm, false, 'a clock within 2 s raises no alarm');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('a wrong password is refused and the next try waits at least 60 s', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml', { keys: { password: `${PASSWORD}-not` } });
  const rig = gbRig(t, { platforms: [platform(sipp.port)] });
  const started = Date.now();
  await rig.gb.start();
  await rig.until('failed', () => rig.gb.status().platforms[0]?.state === 'failed');
  const s = rig.gb.status().platforms[0]!;
  t.ok((s.nextAttemptAt ?? 0) - started >= 60_000, `next attempt ≥ 60 s later (in ${Math.round(((s.nextAttemptAt ?? 0) - started) / 1000)} s)`);
  t.match(s.lastError, /refused \(403/, 'the status says the platform refused us');
  await new Promise((r) => setTimeout(r, 800));
  t.equal(sipp.received('REGISTER').length, 2, 'no third REGISTER follows at once');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('the registration is refreshed before the expiry the platform grants', async (t) => {
  const sipp = await startSipp(t, 'platform-register.xml', { keys: { expires: '2' } });
  const rig = gbRig(t, { platforms: [platform(sipp.port)] });
  await rig.gb.start();
  await rig.until('registered', () => rig.gb.status().platforms[0]?.registrations === 1);
  const first = rig.gb.status().platforms[0]!;
  t.ok((first.expiresAt ?? 0) - (first.registeredAt ?? 0) <= 2000, 'the 2 s the platform granted is taken, not the 3600 asked');
  await rig.until('registered again', () => (rig.gb.status().platforms[0]?.registrations ?? 0) >= 2, 4000);
  t.ok((rig.gb.status().platforms[0]?.registeredAt ?? Infinity) <= (first.expiresAt ?? 0), 'before the first registration ran out');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('a platform that refuses us or is down never disturbs another platform', async (t) => {
  const good = await startSipp(t, 'platform-register.xml');
  const refusing = await startSipp(t, 'platform-register.xml', { keys: { password: `${PASSWORD}-not` } });
  const rig = gbRig(t, {
    platforms: [
      platform(good.port, { id: 'province' }),
      platform(refusing.port, { id: 'city', serverId: '34020000002000000002' }),
      platform(9, { id: 'dead', serverId: '34020000002000000003', host: '127.0.0.9' }),
    ],
  });
  await rig.gb.start();
  const state = (id: string) => rig.gb.status().platforms.find((p) => p.id === id)?.state;
  await rig.until('province registered and city refused', () => state('province') === 'registered' && state('city') === 'failed');
  t.equal(state('province'), 'registered', 'the province is registered');
  t.equal(state('city'), 'failed', 'the city refused us');
  t.not(state('dead'), 'registered', 'the dead one is still trying');
  await good.stop();
  await refusing.stop();
});
