// The MANSCDP documents the device sends and the queries it reads (GB/T 28181-2016 Annex A, 2022 Annex A):
// Keepalive, DeviceInfo, DeviceStatus, Catalog and RecordInfo answers paged over several MESSAGEs with
// SumNum (all items) and Num (this page's items), MediaStatus 121 at the end of a download.
import { childText, decodeBody, parseXml, renderXml, XmlError, type Charset, type Xml, type XmlNode } from './xml.ts';

export interface Query {
  root: 'Query' | 'Control' | 'Notify' | 'Response';
  cmdType: string;
  sn: string;
  deviceId: string;
  node: XmlNode;
}

export function parseQuery(body: Buffer): Query {
  const node = parseXml(decodeBody(body));
  if (!['Query', 'Control', 'Notify', 'Response'].includes(node.name))
    throw new XmlError(`root element <${node.name}> is not Query, Control, Notify or Response`);
  const cmdType = childText(node, 'CmdType');
  const sn = childText(node, 'SN');
  const deviceId = childText(node, 'DeviceID');
  if (!cmdType) throw new XmlError('no <CmdType>');
  if (!sn || !/^\d{1,10}$/.test(sn)) throw new XmlError(`<SN> "${sn ?? ''}" is not a number`);
  if (!deviceId || !/^\d{20}$/.test(deviceId)) throw new XmlError(`<DeviceID> "${deviceId ?? ''}" is not 20 digits`);
  return { root: node.name as Query['root'], cmdType, sn, deviceId, node };
}

/** GB/T 28181 times are local wall-clock `YYYY-MM-DDTHH:mm:ss` in the site's zone, without an offset. */
export function gbTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}`;
}

/** Parse a GB time in the site's zone to epoch ms; null when malformed. */
export function parseGbTime(s: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  const guess = Date.UTC(y, mo - 1, d, h, mi, se);
  // The zone's offset at that moment: format the UTC guess in the zone and correct by the difference.
  const shown = parseGbTimeUtc(gbTime(guess, timeZone));
  return guess - (shown - guess);
}

function parseGbTimeUtc(s: string): number {
  const [d, t] = s.split('T') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi, se] = t.split(':').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, da, h, mi, se);
}

export function keepalive(deviceId: string, sn: number, charset: Charset): string {
  return renderXml(
    [
      'Notify',
      [
        ['CmdType', 'Keepalive'],
        ['SN', sn],
        ['DeviceID', deviceId],
        ['Status', 'OK'],
      ],
    ],
    charset,
  );
}

export interface DeviceFacts {
  deviceId: string;
  name: string;
  manufacturer: string;
  model: string;
  firmware: string;
  channels: number;
}

export function deviceInfo(q: Query, f: DeviceFacts, charset: Charset): string {
  return renderXml(
    [
      'Response',
      [
        ['CmdType', 'DeviceInfo'],
        ['SN', q.sn],
        ['DeviceID', f.deviceId],
        ['DeviceName', f.name],
        ['Result', 'OK'],
        ['Manufacturer', f.manufacturer],
        ['Model', f.model],
        ['Firmware', f.firmware],
        ['Channel', f.channels],
      ],
    ],
    charset,
  );
}

export function deviceStatus(q: Query, deviceId: string, online: boolean, nowText: string, charset: Charset): string {
  return renderXml(
    [
      'Response',
      [
        ['CmdType', 'DeviceStatus'],
        ['SN', q.sn],
        ['DeviceID', deviceId],
        ['Result', 'OK'],
        ['Online', online ? 'ONLINE' : 'OFFLINE'],
        ['Status', 'OK'],
        ['Encode', 'ON'],
        ['Record', 'ON'],
        ['DeviceTime', nowText],
        ['Alarmstatus', [], { Num: 0 }],
      ],
    ],
    charset,
  );
}

export interface CatalogItem {
  channelId: string;
  name: string;
  status: 'ON' | 'OFF';
  civilCode: string;
  parentId: string;
  address: string;
}

function catalogItemXml(c: CatalogItem, edition: '2016' | '2022', event?: string): Xml {
  const fields: Xml[] = [
    ['DeviceID', c.channelId],
    ['Name', c.name],
    ['Manufacturer', 'examroom'],
    ['Model', 'Camera'],
    ['Owner', 'examroom'],
    ['CivilCode', c.civilCode],
    ['Address', c.address],
    ['Parental', 0],
    ['ParentID', c.parentId],
    ['SafetyWay', 0],
    ['RegisterWay', 1],
    ['Secrecy', 0],
    ['Status', c.status],
  ];
  // 2022 Annex A.2.4: the channel's own details go in <Info> (PTZ type, resolution, download speeds, …).
  if (edition === '2022')
    fields.push([
      'Info',
      [
        ['PTZType', 3],
        ['DownloadSpeed', '1/2/4'],
      ],
    ]);
  if (event) fields.push(['Event', event]);
  return ['Item', fields];
}

/**
 * Catalog answers (or NOTIFY bodies, `notifyEvent` set) split so each stays under `maxBytes`: UDP MESSAGEs
 * must fit one datagram without IP fragmentation on a typical 1,500-byte path.
 */
export function catalogPages(o: {
  root: 'Response' | 'Notify';
  sn: string | number;
  deviceId: string;
  items: CatalogItem[];
  edition: '2016' | '2022';
  charset: Charset;
  maxBytes: number;
  notifyEvent?: string;
}): string[] {
  const sum = o.items.length;
  const doc = (page: CatalogItem[]) =>
    renderXml(
      [
        o.root,
        [
          ['CmdType', 'Catalog'],
          ['SN', o.sn],
          ['DeviceID', o.deviceId],
          ['SumNum', sum],
          ['DeviceList', page.map((c) => catalogItemXml(c, o.edition, o.notifyEvent)), { Num: page.length }],
        ],
      ],
      o.charset,
    );
  if (sum === 0) return [doc([])];
  const pages: string[] = [];
  let page: CatalogItem[] = [];
  for (const item of o.items) {
    const next = [...page, item];
    if (page.length > 0 && Buffer.byteLength(doc(next)) > o.maxBytes) {
      pages.push(doc(page));
      page = [item];
    } else page = next;
  }
  pages.push(doc(page));
  return pages;
}

export interface RecordItem {
  start: number;
  end: number;
}

export function recordInfoPages(o: {
  sn: string;
  channelId: string;
  name: string;
  items: RecordItem[];
  timeZone: string;
  charset: Charset;
  maxBytes: number;
}): string[] {
  const sum = o.items.length;
  const doc = (page: RecordItem[]) =>
    renderXml(
      [
        'Response',
        [
          ['CmdType', 'RecordInfo'],
          ['SN', o.sn],
          ['DeviceID', o.channelId],
          ['Name', o.name],
          ['SumNum', sum],
          [
            'RecordList',
            page.map(
              (r): Xml => [
                'Item',
                [
                  ['DeviceID', o.channelId],
                  ['Name', o.name],
                  ['StartTime', gbTime(r.start, o.timeZone)],
                  ['EndTime', gbTime(r.end, o.timeZone)],
                  ['Secrecy', 0],
                  ['Type', 'time'],
                ],
              ],
            ),
            { Num: page.length },
          ],
        ],
      ],
      o.charset,
    );
  if (sum === 0) return [doc([])];
  const pages: string[] = [];
  let page: RecordItem[] = [];
  for (const item of o.items) {
    const next = [...page, item];
    if (page.length > 0 && Buffer.byteLength(doc(next)) > o.maxBytes) {
      pages.push(doc(page));
      page = [item];
    } else page = next;
  }
  pages.push(doc(page));
  return pages;
}

export function mediaStatus(deviceId: string, sn: number, charset: Charset): string {
  return renderXml(
    [
      'Notify',
      [
        ['CmdType', 'MediaStatus'],
        ['SN', sn],
        ['DeviceID', deviceId],
        ['NotifyType', 121],
      ],
    ],
    charset,
  );
}
