// Queries a platform sends in MESSAGE (GB/T 28181 §9.5): answered 200 at once, then the Response
// document(s) go back as MESSAGEs of our own — Catalog and RecordInfo paged so each fits one UDP datagram.
// A body that does not parse is 400 with the reason; a DeviceID that is not ours nor a channel is 404.
import type { GbChannelConfig, GbPlatformConfig } from '../../config/index.ts';
import type { Clock } from '../../core/index.ts';
import type { Recordings } from '../playback.ts';
import {
  catalogPages,
  deviceInfo,
  deviceStatus,
  gbTime,
  parseGbTime,
  parseQuery,
  recordInfoPages,
  type CatalogItem,
  type Query,
  type RecordItem,
} from './manscdp/messages.ts';
import { childText, encodeBody, XmlError } from './manscdp/xml.ts';
import { MANSCDP_TYPE } from './register.ts';
import { newCallId, newTag, responseTo, type SipResponse } from './sip/message.ts';
import { buildRequest, type Local } from './sip/request.ts';
import type { ServerContext, TransactionLayer } from './sip/transactions.ts';
import type { Peer } from './sip/transport.ts';

/** A page's body stays under this so MESSAGE + headers fit a 1,500-byte UDP datagram unfragmented. */
export const PAGE_BYTES = 1000;
/** The longest RecordInfo range answered: a provincial platform browses a day or a week, not years at once. */
export const MAX_RECORD_RANGE_MS = 31 * 86400_000;

export interface QueryDeps {
  layer: TransactionLayer;
  clock: Clock;
  timeZone: string;
  deviceName: string;
  local: (p: GbPlatformConfig) => Promise<Local>;
  peerOf: (p: GbPlatformConfig) => Peer;
  channelsOf: (p: GbPlatformConfig) => GbChannelConfig[];
  catalogItem: (c: GbChannelConfig) => CatalogItem;
  recordings: (sourceId: string, from: number, to: number) => Recordings;
  online: (p: GbPlatformConfig) => boolean;
  nextSn: (p: GbPlatformConfig) => number;
  log: { warn(o: object, m: string): void };
}

/** Recorded runs of a channel in [from, to): segments joined across seams, gaps left as they are. */
export function recordRuns(r: Recordings, tolerance: number, now: number): RecordItem[] {
  const runs: RecordItem[] = [];
  for (const s of r.segments) {
    const start = Math.max(s.start, r.from);
    const end = Math.min(s.end, r.to);
    if (end <= start) continue;
    const last = runs[runs.length - 1];
    if (last && start - last.end <= tolerance) last.end = Math.max(last.end, end);
    else runs.push({ start, end });
  }
  if (r.recordingSince !== null) {
    const start = Math.max(r.recordingSince, r.from);
    const end = Math.min(now, r.to);
    const last = runs[runs.length - 1];
    if (end > start) {
      if (last && start - last.end <= tolerance) last.end = Math.max(last.end, end);
      else runs.push({ start, end });
    }
  }
  return runs;
}

export function createQueries(d: QueryDeps) {
  async function send(p: GbPlatformConfig, xml: string, extra: { method?: string } = {}): Promise<SipResponse> {
    const local = await d.local(p);
    const req = buildRequest({
      method: extra.method ?? 'MESSAGE',
      uri: `sip:${p.serverId}@${p.domain}`,
      local,
      from: `<sip:${local.deviceId}@${local.domain}>;tag=${newTag()}`,
      to: `<sip:${p.serverId}@${p.domain}>`,
      callId: newCallId('examroom'),
      cseq: 1,
      edition: p.edition,
      body: encodeBody(xml, p.charset),
      contentType: MANSCDP_TYPE,
    });
    return d.layer.request(req, d.peerOf(p));
  }

  async function sendPages(p: GbPlatformConfig, pages: string[]): Promise<void> {
    // One after another: a platform reassembles by SN and counts Num against SumNum; order keeps it simple.
    for (const page of pages) {
      const res = await send(p, page);
      if (res.status !== 200) {
        d.log.warn({ platform: p.id, status: res.status }, 'gb28181: a response page was not accepted; the rest are not sent');
        return;
      }
    }
  }

  function answer(p: GbPlatformConfig, q: Query, local: Local): string[] | { status: number; reason: string } {
    const channels = d.channelsOf(p);
    switch (q.cmdType) {
      case 'Catalog':
        if (q.deviceId !== local.deviceId) return { status: 404, reason: 'Not Found (Catalog is asked of the device ID)' };
        return catalogPages({
          root: 'Response',
          sn: q.sn,
          deviceId: local.deviceId,
          items: channels.map(d.catalogItem),
          edition: p.edition,
          charset: p.charset,
          maxBytes: PAGE_BYTES,
        });
      case 'DeviceInfo':
        if (q.deviceId !== local.deviceId && !channels.some((c) => c.channelId === q.deviceId))
          return { status: 404, reason: 'Not Found (no such device or channel)' };
        return [
          deviceInfo(
            q,
            { deviceId: q.deviceId, name: d.deviceName, manufacturer: 'examroom', model: 'exam-room appliance', firmware: '1', channels: channels.length },
            p.charset,
          ),
        ];
      case 'DeviceStatus':
        if (q.deviceId !== local.deviceId && !channels.some((c) => c.channelId === q.deviceId))
          return { status: 404, reason: 'Not Found (no such device or channel)' };
        return [deviceStatus(q, q.deviceId, d.online(p), gbTime(d.clock.now(), d.timeZone), p.charset)];
      case 'RecordInfo': {
        const ch = channels.find((c) => c.channelId === q.deviceId);
        if (!ch) return { status: 404, reason: 'Not Found (RecordInfo is asked of a channel ID)' };
        const startText = childText(q.node, 'StartTime') ?? '';
        const endText = childText(q.node, 'EndTime') ?? '';
        const from = parseGbTime(startText, d.timeZone);
        const to = parseGbTime(endText, d.timeZone);
        if (from === null || to === null)
          return { status: 400, reason: `Bad Request (StartTime/EndTime "${startText}"/"${endText}" are not yyyy-MM-ddTHH:mm:ss)` };
        if (to <= from) return { status: 400, reason: 'Bad Request (EndTime is not after StartTime)' };
        if (to - from > MAX_RECORD_RANGE_MS) return { status: 400, reason: 'Bad Request (the range is longer than 31 days)' };
        const rec = d.recordings(ch.sourceId, from, to);
        const items = recordRuns(rec, 2000, d.clock.now());
        return recordInfoPages({ sn: q.sn, channelId: ch.channelId, name: ch.name, items, timeZone: d.timeZone, charset: p.charset, maxBytes: PAGE_BYTES });
      }
      default:
        return { status: 501, reason: `Not Implemented (CmdType ${q.cmdType.slice(0, 30)})` };
    }
  }

  async function message(ctx: ServerContext, p: GbPlatformConfig): Promise<void> {
    const { req } = ctx;
    if ((req.headers.get('content-type') ?? '').toLowerCase() !== MANSCDP_TYPE.toLowerCase()) {
      ctx.respond(responseTo(req, 415, { reason: 'Unsupported Media Type (Application/MANSCDP+xml only)' }));
      return;
    }
    let q: Query;
    try {
      q = parseQuery(req.body);
    } catch (e) {
      if (!(e instanceof XmlError)) throw e;
      ctx.respond(responseTo(req, 400, { reason: `Bad Request (MANSCDP: ${e.message})`.slice(0, 140) }));
      return;
    }
    if (q.root !== 'Query') {
      // Responses and notifies from a platform (e.g. to a broadcast) need only their 200.
      ctx.respond(responseTo(req, 200));
      return;
    }
    const local = await d.local(p);
    const a = answer(p, q, local);
    if (!Array.isArray(a)) {
      ctx.respond(responseTo(req, a.status, { reason: a.reason }));
      return;
    }
    ctx.respond(responseTo(req, 200));
    await sendPages(p, a);
  }

  return { message, send, sendPages };
}

export type Queries = ReturnType<typeof createQueries>;
