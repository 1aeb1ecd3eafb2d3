// MANSCDP queries from sipp as the platform: Catalog paged over several MESSAGEs (SumNum/Num right, each
// a single unfragmented datagram, names in GB2312), RecordInfo from the recorded segments with the gaps as
// they are, DeviceInfo, and a malformed body refused with 400 without answering anything.
import t from 'tap';
import iconv from 'iconv-lite';
import { gbRig, platform, startSipp, DEVICE_ID } from './rig.ts';
import { gbTime } from '../../../media/gb28181/manscdp/messages.ts';

const query = (cmd: string, id: string, extra = '') =>
  `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>${cmd}</CmdType><SN>77</SN><DeviceID>${id}</DeviceID>${extra}</Query>`;

function bodies(texts: string[], cmd: string): string[] {
  return texts
    .map((m) => iconv.decode(Buffer.from(m.slice(m.indexOf('\r\n\r\n') + 4), 'latin1'), 'gb2312'))
    .filter((b) => b.includes(`<CmdType>${cmd}</CmdType>`));
}

t.test('a Catalog of more channels than one MESSAGE holds comes in pages with the right SumNum and Num', async (t) => {
  const sipp = await startSipp(t, 'platform-query.xml', { keys: { query: query('Catalog', DEVICE_ID) } });
  const rig = gbRig(t, { platforms: [platform(sipp.port)], channels: 40 });
  rig.up.delete('cam7');
  await rig.gb.start();
  let pages: string[] = [];
  await rig.until('40 catalog items', () => {
    pages = bodies(sipp.received('MESSAGE'), 'Catalog');
    return pages.reduce((n, p) => n + (p.match(/<Item>/g)?.length ?? 0), 0) >= 40;
  });
  t.ok(pages.length > 1, `split over ${pages.length} MESSAGEs`);
  t.ok(
    pages.every((p) => /<SumNum>40<\/SumNum>/.test(p)),
    'every page says SumNum 40',
  );
  t.ok(
    pages.every((p) => Number(/<DeviceList Num="(\d+)">/.exec(p)?.[1]) === p.match(/<Item>/g)?.length),
    'each Num is the items on its page',
  );
  const ids = pages.flatMap((p) => [...p.matchAll(/<Item>\s*<DeviceID>(\d{20})<\/DeviceID>/g)].map((m) => m[1]));
  t.equal(new Set(ids).size, 40, '40 distinct channel IDs');
  t.ok(
    ids.every((id) => id?.slice(10, 13) === '131'),
    'type code 131 (camera)',
  );
  t.ok(
    sipp.receivedSizes('MESSAGE').every((n) => n < 1500),
    'each MESSAGE fits one 1,500-byte datagram',
  );
  t.match(pages.join(''), /<Name>第一考场 摄像机1<\/Name>/, 'Chinese names survive GB2312');
  t.match(pages.join(''), /<Name>第一考场 摄像机7<\/Name>[\s\S]*?<Status>OFF<\/Status>/, 'a camera that is down is OFF');
  t.notMatch(pages.join(''), /<Info>/, 'a 2016 platform gets no 2022 <Info> element');
  const { errors } = await sipp.stop();
  t.equal(errors.trim(), '', `sipp found nothing wrong: ${errors.slice(0, 400)}`);
});

t.test('RecordInfo lists the recorded runs of a channel with the gaps as they are', async (t) => {
  const base = Date.UTC(2026, 11, 1, 1, 0, 0); // 09:00 in Shanghai
  const min = 60_000;
  const rigProbe = { from: gbTime(base, 'Asia/Shanghai'), to: gbTime(base + 60 * min, 'Asia/Shanghai') };
  const rig0 = { channel: '' };
  const sipp = await startSipp(t, 'platform-query.xml', {
    keys: {
      query: query(
        'RecordInfo',
        (rig0.channel = (await import('../../../config/gb28181.ts')).derivedChannelId(DEVICE_ID, 'cam1')),
        `<StartTime>${rigProbe.from}</StartTime><EndTime>${rigProbe.to}</EndTime><Secrecy>0</Secrecy><Type>all</Type>`,
      ),
    },
  });
  const rig = gbRig(t, { platforms: [platform(sipp.port, { charset: 'UTF-8' })] });
  // 09:00–09:10 in two seamless segments, a hole, 09:25–09:30, another hole, 09:40–09:45.
  for (const [a, b] of [
    [0, 5],
    [5, 10],
    [25, 30],
    [40, 45],
  ] as const)
    rig.store.addSegment({ sourceId: 'cam1', start: base + a * min, end: base + b * min, bytes: 1000, path: `cam1/${a}.ts` });
  await rig.gb.start();
  let page = '';
  await rig.until('a RecordInfo answer', () => {
    page = bodies(sipp.received('MESSAGE'), 'RecordInfo')[0] ?? '';
    return page !== '';
  });
  t.match(page, /<SumNum>3<\/SumNum>/, 'three runs: the seam is joined, the holes are kept');
  const runs = [...page.matchAll(/<StartTime>([^<]+)<\/StartTime>\s*<EndTime>([^<]+)<\/EndTime>/g)].map((m) => `${m[1]?.slice(11, 16)}–${m[2]?.slice(11, 16)}`);
  t.same(runs, ['09:00–09:10', '09:25–09:30', '09:40–09:45'], 'in local time, as recorded');
  t.match(page, new RegExp(`<DeviceID>${rig0.channel}</DeviceID>`), "answered for the channel's ID");
  t.match(page, /encoding="UTF-8"/, 'in the charset the platform is configured for');
  await sipp.stop();
});

t.test('DeviceInfo answers with the device name and channel count', async (t) => {
  const sipp = await startSipp(t, 'platform-query.xml', { keys: { query: query('DeviceInfo', DEVICE_ID) } });
  const rig = gbRig(t, { platforms: [platform(sipp.port)], channels: 5 });
  await rig.gb.start();
  let page = '';
  await rig.until('a DeviceInfo answer', () => {
    page = bodies(sipp.received('MESSAGE'), 'DeviceInfo')[0] ?? '';
    return page !== '';
  });
  t.match(page, /<DeviceName>安全生产考试点<\/DeviceName>[\s\S]*<Channel>5<\/Channel>/, 'name and 5 channels');
  await sipp.stop();
});

t.test('a 2022 platform gets Catalog items with the 2022 <Info> element', async (t) => {
  const sipp = await startSipp(t, 'platform-query.xml', { keys: { query: query('Catalog', DEVICE_ID) } });
  const rig = gbRig(t, { platforms: [platform(sipp.port, { edition: '2022' })], channels: 2 });
  await rig.gb.start();
  let pages: string[] = [];
  await rig.until('2 catalog items', () => {
    pages = bodies(sipp.received('MESSAGE'), 'Catalog');
    return pages.reduce((n, p) => n + (p.match(/<Item>/g)?.length ?? 0), 0) >= 2;
  });
  t.equal(pages.join('').match(/<Info>/g)?.length, 2, 'each item has <Info>');
  t.match(sipp.received('MESSAGE')[0], /X-GB-Ver: 3\.0/, 'and the answer says X-GB-Ver 3.0');
  await sipp.stop();
});
