// Catalog subscriptions (GB/T 28181 §9.11, RFC 6665): SUBSCRIBE with Event: Catalog makes a dialog; every
// channel status change (a camera down → OFF, back → ON) goes to each live subscription as a NOTIFY in
// that dialog at once; Expires: 0 or expiry ends it. Other event packages get 489 Bad Event.
import type { GbChannelConfig, GbPlatformConfig } from '../../config/index.ts';
import type { Clock } from '../../core/index.ts';
import { catalogPages, parseQuery, type CatalogItem } from './manscdp/messages.ts';
import { encodeBody, XmlError } from './manscdp/xml.ts';
import { MANSCDP_TYPE } from './register.ts';
import { newTag, responseTo, tagOf } from './sip/message.ts';
import { buildRequest, type Local } from './sip/request.ts';
import type { ServerContext, TransactionLayer } from './sip/transactions.ts';
import type { Peer } from './sip/transport.ts';
import { PAGE_BYTES } from './queries.ts';

interface Subscription {
  platform: GbPlatformConfig;
  callId: string;
  localTag: string;
  remoteTag: string;
  remoteTarget: string;
  remoteUri: string;
  localUri: string;
  peer: Peer;
  cseq: number;
  expiresAt: number;
  sn: string;
}

export const MAX_SUBSCRIBE_SECONDS = 86400;

export interface SubscriptionDeps {
  layer: TransactionLayer;
  clock: Clock;
  local: (p: GbPlatformConfig) => Promise<Local>;
  catalogItem: (c: GbChannelConfig) => CatalogItem;
  channelsOf: (p: GbPlatformConfig) => GbChannelConfig[];
  log: { warn(o: object, m: string): void };
}

export function createSubscriptions(d: SubscriptionDeps) {
  const subs = new Map<string, Subscription>();
  const key = (callId: string, tag: string) => `${callId}|${tag}`;

  function subscribe(ctx: ServerContext, p: GbPlatformConfig): void {
    const { req } = ctx;
    const event = (req.headers.get('event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (event !== 'catalog') {
      ctx.respond(responseTo(req, 489, { headers: [['allow-events', 'Catalog']] }));
      return;
    }
    const expiresText = req.headers.get('expires') ?? '3600';
    if (!/^\d{1,10}$/.test(expiresText)) {
      ctx.respond(responseTo(req, 400, { reason: `Bad Request (Expires "${expiresText.slice(0, 20)}" is not a number)` }));
      return;
    }
    const expires = Math.min(Number(expiresText), MAX_SUBSCRIBE_SECONDS);
    const existingTag = tagOf(req.headers.get('to'));
    let sub = existingTag ? subs.get(key(req.headers.get('call-id') as string, existingTag)) : undefined;
    if (existingTag && !sub) {
      ctx.respond(responseTo(req, 481));
      return;
    }
    let sn = sub?.sn ?? '0';
    if (req.body.length > 0) {
      try {
        const q = parseQuery(req.body);
        if (q.cmdType !== 'Catalog') throw new XmlError(`CmdType ${q.cmdType} is not Catalog`);
        sn = q.sn;
      } catch (e) {
        if (!(e instanceof XmlError)) throw e;
        ctx.respond(responseTo(req, 400, { reason: `Bad Request (MANSCDP: ${e.message})`.slice(0, 140) }));
        return;
      }
    }
    if (expires === 0) {
      if (sub) subs.delete(key(sub.callId, sub.localTag));
      ctx.respond(responseTo(req, 200, { toTag: existingTag ?? newTag(), headers: [['expires', '0']] }));
      return;
    }
    if (!sub) {
      sub = {
        platform: p,
        callId: req.headers.get('call-id') as string,
        localTag: newTag(),
        remoteTag: tagOf(req.headers.get('from')) ?? '',
        remoteTarget: req.headers.get('contact') ?? `<sip:${p.serverId}@${p.host}:${p.port}>`,
        remoteUri: (req.headers.get('from') as string).replace(/;tag=[^;]*/, ''),
        localUri: (req.headers.get('to') as string).replace(/;tag=[^;]*/, ''),
        peer: ctx.from,
        cseq: 0,
        expiresAt: 0,
        sn,
      };
      subs.set(key(sub.callId, sub.localTag), sub);
    }
    sub.expiresAt = d.clock.now() + expires * 1000;
    sub.sn = sn;
    ctx.respond(responseTo(req, 200, { toTag: sub.localTag, headers: [['expires', String(expires)]] }));
  }

  async function notify(sub: Subscription, items: CatalogItem[], event: string): Promise<void> {
    const local = await d.local(sub.platform);
    const left = Math.max(0, Math.round((sub.expiresAt - d.clock.now()) / 1000));
    const pages = catalogPages({
      root: 'Notify',
      sn: sub.sn,
      deviceId: local.deviceId,
      items,
      edition: sub.platform.edition,
      charset: sub.platform.charset,
      maxBytes: PAGE_BYTES,
      notifyEvent: event,
    });
    for (const page of pages) {
      const req = buildRequest({
        method: 'NOTIFY',
        uri: /<([^>]+)>/.exec(sub.remoteTarget)?.[1] ?? sub.remoteTarget,
        local,
        from: `${sub.localUri};tag=${sub.localTag}`,
        to: `${sub.remoteUri};tag=${sub.remoteTag}`,
        callId: sub.callId,
        cseq: ++sub.cseq,
        edition: sub.platform.edition,
        headers: [
          ['event', 'Catalog'],
          ['subscription-state', `active;expires=${left}`],
        ],
        body: encodeBody(page, sub.platform.charset),
        contentType: MANSCDP_TYPE,
      });
      const res = await d.layer.request(req, sub.peer);
      if (res.status === 481) {
        subs.delete(key(sub.callId, sub.localTag));
        return;
      }
      if (res.status !== 200) d.log.warn({ platform: sub.platform.id, status: res.status }, 'gb28181: catalog NOTIFY not accepted');
    }
  }

  /** A channel's status changed: every live subscription that sees it hears of it now. */
  function channelChanged(ch: GbChannelConfig): void {
    const now = d.clock.now();
    const item = d.catalogItem(ch);
    for (const sub of subs.values()) {
      if (sub.expiresAt <= now) {
        subs.delete(key(sub.callId, sub.localTag));
        continue;
      }
      if (!d.channelsOf(sub.platform).some((c) => c.channelId === ch.channelId)) continue;
      void notify(sub, [item], item.status);
    }
  }

  return {
    subscribe,
    channelChanged,
    count: (platformId: string) => [...subs.values()].filter((s) => s.platform.id === platformId && s.expiresAt > d.clock.now()).length,
    dropPlatform(platformId: string) {
      for (const [k, s] of subs) if (s.platform.id === platformId) subs.delete(k);
    },
  };
}
