// The `gb28181:` section: the appliance as a GB/T 28181 device towards provincial and city platforms
// (media/gb28181/). Schema, defaults and the checks a schema cannot say (20-digit IDs, unique channel IDs,
// a platform on our own port), each problem naming its field.
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';

const closed = { additionalProperties: false } as const;
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, _ . - (max 64)' });
// Patterns are checked in gb28181Problems so the message says which digits are wrong, not a regex.
const GbId = Type.String({ description: 'a 20-digit GB/T 28181 ID' });
const Transport = Type.Union([Type.Literal('UDP'), Type.Literal('TCP')]);

export const GbPlatformSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, description: 'shown in status and the audit log, e.g. 省远程巡查平台' }),
    serverId: GbId,
    domain: Type.String({ description: "the platform's 10-digit SIP domain (realm), usually the first 10 digits of serverId" }),
    host: Type.String({ minLength: 1, description: "the platform's SIP address" }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 5060 })),
    transport: Type.Optional(Transport),
    username: Type.Optional(Type.String({ minLength: 1, description: 'digest user name (default: gb28181.deviceId)' })),
    password: Type.String({ minLength: 1, secret: 'value', description: 'the SIP password the platform gave this device' }),
    expires: Type.Optional(Type.Integer({ minimum: 60, maximum: 86400, default: 3600, description: 'register expiry, seconds' })),
    keepaliveSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600, default: 60 })),
    keepaliveMisses: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'unanswered keepalives before the platform counts as lost and we register again' }),
    ),
    edition: Type.Optional(Type.Union([Type.Literal('2016'), Type.Literal('2022')], { default: '2016' })),
    charset: Type.Optional(
      Type.Union([Type.Literal('GB2312'), Type.Literal('UTF-8')], {
        default: 'GB2312',
        description: 'of MANSCDP bodies; most platforms show garbled names unless GB2312',
      }),
    ),
    sources: Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Id, { minItems: 1 })], { default: 'all' })),
  },
  closed,
);

export const Gb28181Schema = Type.Object(
  {
    deviceId: GbId,
    domain: Type.String({ description: "this device's 10-digit domain (the first 10 digits of deviceId)" }),
    name: Type.Optional(Type.String({ minLength: 1, description: 'the device name platforms show (default: site.name)' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'listen address (default 0.0.0.0)' })),
    address: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'the address platforms reach this appliance at (Via, Contact, SDP c=); default: the route towards each platform',
      }),
    ),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 5060, description: 'local SIP port, UDP and TCP (0: any free port, for tests)' })),
    transport: Type.Optional(Transport),
    civilCode: Type.Optional(Type.String({ description: 'administrative division code of the site (default: first 6 digits of deviceId)' })),
    channels: Type.Optional(
      Type.Array(Type.Object({ source: Id, id: GbId }, closed), { description: 'fixed channel IDs per source; unlisted sources get a stable derived ID' }),
    ),
    platforms: Type.Array(GbPlatformSchema, { minItems: 1 }),
  },
  closed,
);

export type Gb28181File = Static<typeof Gb28181Schema>;

export interface GbPlatformConfig {
  id: string;
  name: string;
  serverId: string;
  domain: string;
  host: string;
  port: number;
  transport: 'UDP' | 'TCP';
  username: string;
  password: string;
  expires: number;
  keepaliveSeconds: number;
  keepaliveMisses: number;
  edition: '2016' | '2022';
  charset: 'GB2312' | 'UTF-8';
  sources: 'all' | string[];
}

export interface GbChannelConfig {
  sourceId: string;
  channelId: string;
  /** 房间名 + 源名, as platforms show it. */
  name: string;
  room: string;
}

export interface Gb28181Config {
  deviceId: string;
  domain: string;
  name: string;
  host: string;
  address: string | null;
  port: number;
  civilCode: string;
  channels: GbChannelConfig[];
  platforms: GbPlatformConfig[];
}

interface SourceFacts {
  id: string;
  name: string;
  room: string;
  roomName: string;
}

/** GB/T 28181 Annex D: 8 centre + 2 industry + 3 type + 7 serial; 131 = camera. */
export const CAMERA_TYPE_CODE = '131';

/** A stable channel ID for a source: our device's first 10 digits, type 131, 7 digits from the source id. */
export function derivedChannelId(deviceId: string, sourceId: string): string {
  const h = createHash('sha256').update(sourceId).digest();
  const serial = (h.readUInt32BE(0) % 10_000_000).toString().padStart(7, '0');
  return `${deviceId.slice(0, 10)}${CAMERA_TYPE_CODE}${serial}`;
}

export function normaliseGb28181(raw: Gb28181File, sources: SourceFacts[], siteName: string): Gb28181Config {
  const fixed = new Map((raw.channels ?? []).map((c) => [c.source, c.id]));
  return {
    deviceId: raw.deviceId,
    domain: raw.domain,
    name: raw.name ?? siteName,
    host: raw.host ?? '0.0.0.0',
    address: raw.address ?? null,
    port: raw.port ?? 5060,
    civilCode: raw.civilCode ?? raw.deviceId.slice(0, 6),
    channels: sources.map((s) => ({
      sourceId: s.id,
      channelId: fixed.get(s.id) ?? derivedChannelId(raw.deviceId, s.id),
      name: `${s.roomName} ${s.name}`,
      room: s.room,
    })),
    platforms: raw.platforms.map((p) => ({
      id: p.id,
      name: p.name,
      serverId: p.serverId,
      domain: p.domain,
      host: p.host,
      port: p.port ?? 5060,
      transport: p.transport ?? raw.transport ?? 'UDP',
      username: p.username ?? raw.deviceId,
      password: p.password,
      expires: p.expires ?? 3600,
      keepaliveSeconds: p.keepaliveSeconds ?? 60,
      keepaliveMisses: p.keepaliveMisses ?? 3,
      edition: p.edition ?? '2016',
      charset: p.charset ?? 'GB2312',
      sources: p.sources ?? 'all',
    })),
  };
}

interface Problem {
  path: string;
  problem: string;
  got?: unknown;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

export function gb28181Problems(raw: Gb28181File, c: Gb28181Config, sourceIds: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const twenty = (path: string, v: string) => {
    if (!/^\d{20}$/.test(v))
      problems.push({ path, problem: `must be exactly 20 digits (it has ${v.length} characters${/\D/.test(v) ? ', not all digits' : ''})`, got: v });
  };
  const ten = (path: string, v: string) => {
    if (!/^\d{10}$/.test(v)) problems.push({ path, problem: 'must be exactly 10 digits (the first 10 of the ID: centre code + industry code)', got: v });
  };
  twenty('gb28181.deviceId', raw.deviceId);
  ten('gb28181.domain', raw.domain);
  if (raw.civilCode !== undefined && !/^\d{2,8}$/.test(raw.civilCode))
    problems.push({ path: 'gb28181.civilCode', problem: 'must be 2 to 8 digits (行政区划代码)', got: raw.civilCode });
  const seenChannel = new Map<string, string>();
  (raw.channels ?? []).forEach((ch, i) => {
    const path = `gb28181.channels[${i}]`;
    twenty(`${path}.id`, ch.id);
    if (/^\d{20}$/.test(ch.id) && ch.id.slice(10, 13) !== CAMERA_TYPE_CODE)
      problems.push({
        path: `${path}.id`,
        problem: `digits 11–13 are the type code and must be ${CAMERA_TYPE_CODE} (camera), not ${ch.id.slice(10, 13)}`,
        got: ch.id,
      });
    if (!sourceIds.has(ch.source))
      problems.push({ path: `${path}.source`, problem: `no such camera or terminal screen (${[...sourceIds].slice(0, 8).join(', ')})`, got: ch.source });
    const dupSource = (raw.channels ?? []).findIndex((o) => o.source === ch.source);
    if (dupSource !== i) problems.push({ path: `${path}.source`, problem: `duplicate of gb28181.channels[${dupSource}].source`, got: ch.source });
  });
  for (const ch of c.channels) {
    const other = seenChannel.get(ch.channelId);
    if (ch.channelId === raw.deviceId)
      problems.push({ path: `gb28181.channels (${ch.sourceId})`, problem: 'the channel ID is the device ID; give the channel its own', got: ch.channelId });
    if (other)
      problems.push({
        path: `gb28181.channels (${ch.sourceId})`,
        problem: `duplicate channel ID: ${other} has it too; give one of them a fixed id under gb28181.channels`,
        got: ch.channelId,
      });
    else seenChannel.set(ch.channelId, ch.sourceId);
  }
  const ids = new Map<string, number>();
  raw.platforms.forEach((p, i) => {
    const path = `gb28181.platforms[${i}]`;
    const dup = ids.get(p.id);
    if (dup !== undefined) problems.push({ path: `${path}.id`, problem: `duplicate of gb28181.platforms[${dup}].id`, got: p.id });
    ids.set(p.id, i);
    twenty(`${path}.serverId`, p.serverId);
    ten(`${path}.domain`, p.domain);
    if (p.serverId === raw.deviceId) problems.push({ path: `${path}.serverId`, problem: "is this device's own ID (gb28181.deviceId)", got: p.serverId });
    const port = p.port ?? 5060;
    if (port === c.port && (LOCAL_HOSTS.has(p.host) || p.host === c.address || p.host === c.host))
      problems.push({
        path: `${path}.port`,
        problem: `the platform ${p.host}:${port} is this device's own SIP port (gb28181.port); a device cannot register to itself`,
        got: port,
      });
    if (Array.isArray(p.sources))
      p.sources.forEach((s, k) => {
        if (!sourceIds.has(s))
          problems.push({ path: `${path}.sources[${k}]`, problem: `no such camera or terminal screen (${[...sourceIds].slice(0, 8).join(', ')})`, got: s });
      });
  });
  return problems;
}
