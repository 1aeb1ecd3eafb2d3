// Catalog subscription with sipp as the platform: SUBSCRIBE (Event: Catalog) is a dialog, and a camera
// that goes down is reported OFF in a NOTIFY in that dialog at once.
import t from 'tap';
import iconv from 'iconv-lite';
import { derivedChannelId } from '../../../config/gb28181.ts';
import { DEVICE_ID, gbRig, platform, startSipp } from './rig.ts';

t.test('a camera that goes down is OFF in a NOTIFY to the Catalog subscription within a second', async (t) => {
  const sipp = await startSipp(t, 'platform-subscribe.xml', { calls: 1 });
  const rig = gbRig(t, { platforms: [platform(sipp.port)], channels: 3 });
  await rig.gb.start();
  await rig.until('subscribed', () => rig.gb.status().platforms[0]?.subscriptions === 1);
  const downAt = Date.now();
  rig.up.delete('cam2');
  rig.bus.emit('camera.down', { sourceId: 'cam2', kind: 'camera', room: 'r1', at: downAt, reason: 'test', stopped: false });
  const { code, errors } = await sipp.exited;
  t.equal(code, 0, `sipp's SUBSCRIBE dialog got its NOTIFY: ${errors.slice(0, 300)}`);
  const notify = sipp.received('NOTIFY')[0] ?? '';
  const body = iconv.decode(Buffer.from(notify.slice(notify.indexOf('\r\n\r\n') + 4), 'latin1'), 'gb2312');
  t.match(notify, /Event: Catalog/, 'Event: Catalog');
  t.match(notify, /Subscription-State: active;expires=\d+/, 'the subscription is active');
  t.match(body, new RegExp(`<DeviceID>${derivedChannelId(DEVICE_ID, 'cam2')}</DeviceID>[\\s\\S]*<Status>OFF</Status>`), 'cam2 is OFF');
  t.match(body, /<SN>31<\/SN>/, "the subscription's SN");
  t.ok(Date.now() - downAt < 1500, 'within a second or so');
});
