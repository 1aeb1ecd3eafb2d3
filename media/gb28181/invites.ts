// INVITE dialogs (GB/T 28181 §9.2 live play, §9.8 playback, §9.9 download): the offer goes to gbmedia's
// session API, its answer comes back in our 200; media starts on the ACK, stops on BYE; INFO with
// Application/MANSRTSP steers a playback; a session that ends by itself sends MediaStatus 121 (download
// finished) or BYE (the platform fell behind, the source went away). In-dialog requests for a dialog we
// do not have get 481; a malformed offer 488; nothing half-opened survives a refusal.
import type { GbChannelConfig, GbPlatformConfig } from '../../config/index.ts';
import type { AuditLog } from '../../storage/index.ts';
import type { Clock } from '../../core/index.ts';
import { GbMediaError, type GbMediaSession, type GbMediaSessions, type GbSessionKind } from './media-session.ts';
import { headerParams, newTag, parseCSeq, responseTo, tagOf, type SipRequest, type SipResponse } from './sip/message.ts';
import { buildRequest, type Local } from './sip/request.ts';
import type { ServerContext, TransactionLayer } from './sip/transactions.ts';
import type { Peer } from './sip/transport.ts';

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  platform: GbPlatformConfig;
  channel: GbChannelConfig;
  kind: GbSessionKind;
  session: GbMediaSession;
  /** The platform's Contact: where our in-dialog requests (BYE, MESSAGE 121) go. */
  remoteTarget: string;
  remoteUri: string;
  localUri: string;
  peer: Peer;
  cseq: number;
  acked: boolean;
  range: { start: number; end: number } | null;
  startedAt: number;
}

export interface InviteDeps {
  layer: TransactionLayer;
  media: GbMediaSessions;
  audit: AuditLog;
  clock: Clock;
  local: (p: GbPlatformConfig) => Promise<Local>;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Sends MediaStatus 121 to the platform (a download finished). */
  mediaStatus(p: GbPlatformConfig, channel: GbChannelConfig): Promise<void>;
}

const dialogKey = (callId: string, localTag: string) => `${callId}|${localTag}`;

function parseT(sdp: string): { start: number; end: number } | null {
  const m = /^t=(\d+)\s+(\d+)\s*$/m.exec(sdp);
  if (!m) return null;
  const start = Number(m[1]) * 1000;
  const end = Number(m[2]) * 1000;
  return start > 0 && end > 0 ? { start, end } : null;
}

function sessionKind(sdp: string): GbSessionKind | null {
  const s = /^s=(\S+)\s*$/m.exec(sdp)?.[1];
  return s === 'Play' || s === 'Playback' || s === 'Download' ? s : null;
}

export function createInvites(d: InviteDeps) {
  const dialogs = new Map<string, Dialog>();

  function find(req: SipRequest): Dialog | undefined {
    const localTag = tagOf(req.headers.get('to'));
    return localTag ? dialogs.get(dialogKey(req.headers.get('call-id') as string, localTag)) : undefined;
  }

  async function sendInDialog(
    dl: Dialog,
    method: string,
    extra: { headers?: [string, string][]; body?: Buffer; contentType?: string } = {},
  ): Promise<SipResponse> {
    const local = await d.local(dl.platform);
    const target = /<([^>]+)>/.exec(dl.remoteTarget)?.[1] ?? dl.remoteTarget;
    const req = buildRequest({
      method,
      uri: target,
      local,
      from: `${dl.localUri};tag=${dl.localTag}`,
      to: `${dl.remoteUri};tag=${dl.remoteTag}`,
      callId: dl.callId,
      cseq: ++dl.cseq,
      edition: dl.platform.edition,
      ...extra,
    });
    return d.layer.request(req, dl.peer);
  }

  function end(dl: Dialog, why: string): void {
    dialogs.delete(dialogKey(dl.callId, dl.localTag));
    dl.session.stop(why);
  }

  async function invite(ctx: ServerContext, platform: GbPlatformConfig, channel: GbChannelConfig | undefined): Promise<void> {
    const { req } = ctx;
    if (tagOf(req.headers.get('to'))) {
      // A re-INVITE: sessions are not renegotiated (GB/T 28181 platforms do not send them); keep the dialog.
      ctx.respond(responseTo(req, find(req) ? 488 : 481, { reason: find(req) ? 'Not Acceptable Here (re-INVITE not supported)' : undefined }));
      return;
    }
    if (!channel) {
      ctx.respond(responseTo(req, 404, { reason: 'Not Found (no such channel for this platform)' }));
      return;
    }
    const type = (req.headers.get('content-type') ?? '').toLowerCase();
    if (type !== 'application/sdp') {
      ctx.respond(responseTo(req, type ? 415 : 488, { reason: type ? 'Unsupported Media Type (application/sdp only)' : 'Not Acceptable Here (no SDP offer)' }));
      return;
    }
    const sdp = req.body.toString('utf8');
    const kind = sessionKind(sdp);
    if (!kind) {
      ctx.respond(responseTo(req, 488, { reason: 'Not Acceptable Here (s= is not Play, Playback or Download)' }));
      return;
    }
    const range = kind === 'Play' ? null : parseT(sdp);
    const localTag = newTag();
    const local = await d.local(platform);
    let session: GbMediaSession;
    try {
      session = await d.media.open({
        channelSourceId: channel.sourceId,
        channelId: channel.channelId,
        kind,
        offerSdp: sdp,
        ...(range ? { range } : {}),
        platformId: platform.id,
        edition: platform.edition,
        deviceId: local.deviceId,
        localIp: local.address,
      });
    } catch (e) {
      const status = e instanceof GbMediaError ? e.sipStatus : 500;
      d.log.warn({ platform: platform.id, channel: channel.channelId, kind, status, err: (e as Error).message }, 'gb28181: INVITE refused');
      ctx.respond(
        responseTo(req, status, { toTag: localTag, headers: [['warning', `399 examroom "${(e as Error).message.replace(/"/g, "'").slice(0, 160)}"`]] }),
      );
      return;
    }
    const contact = req.headers.get('contact');
    const dl: Dialog = {
      callId: req.headers.get('call-id') as string,
      localTag,
      remoteTag: tagOf(req.headers.get('from')) ?? '',
      platform,
      channel,
      kind,
      session,
      remoteTarget: contact ?? `<${req.uri}>`,
      remoteUri: (req.headers.get('from') as string).replace(/;tag=[^;]*/, ''),
      localUri: (req.headers.get('to') as string).replace(/;tag=[^;]*/, ''),
      peer: ctx.from,
      cseq: 0,
      acked: false,
      range,
      startedAt: d.clock.now(),
    };
    dialogs.set(dialogKey(dl.callId, localTag), dl);
    session.onEnded(({ reason, detail }) => {
      if (!dialogs.has(dialogKey(dl.callId, dl.localTag))) return;
      if (reason === 'completed') {
        // §9.9.3: the device says the file is done (121) and the platform sends the BYE.
        void d.mediaStatus(platform, channel);
        return;
      }
      d.log.warn({ platform: platform.id, channel: channel.channelId, reason, detail }, 'gb28181: media session ended; sending BYE');
      end(dl, reason);
      void sendInDialog(dl, 'BYE');
    });
    d.audit.append({
      actor: `gb28181:${platform.id}`,
      action: `gb28181.${kind.toLowerCase()}.start`,
      target: channel.sourceId,
      detail: {
        platform: platform.name,
        serverId: platform.serverId,
        channelId: channel.channelId,
        ...(range ? { from: new Date(range.start).toISOString(), to: new Date(range.end).toISOString() } : {}),
        ssrc: session.ssrc,
      },
      ip: ctx.from.host,
    });
    ctx.respond(
      responseTo(req, 200, {
        toTag: localTag,
        headers: [
          ['contact', `<sip:${local.deviceId}@${local.address}:${local.port}>`],
          ['content-type', 'application/sdp'],
        ],
        body: Buffer.from(session.answerSdp),
      }),
    );
  }

  function ack(req: SipRequest): void {
    const dl = find(req);
    if (!dl || dl.acked) return;
    dl.acked = true;
    dl.session.start();
  }

  function bye(ctx: ServerContext): void {
    const dl = find(ctx.req);
    if (!dl) {
      ctx.respond(responseTo(ctx.req, 481));
      return;
    }
    end(dl, 'BYE from the platform');
    d.log.info({ platform: dl.platform.id, channel: dl.channel.channelId, kind: dl.kind }, 'gb28181: session ended by BYE');
    ctx.respond(responseTo(ctx.req, 200));
  }

  function info(ctx: ServerContext): void {
    const dl = find(ctx.req);
    if (!dl) {
      ctx.respond(responseTo(ctx.req, 481));
      return;
    }
    const type = (ctx.req.headers.get('content-type') ?? '').toLowerCase();
    if (type !== 'application/mansrtsp') {
      ctx.respond(responseTo(ctx.req, 415, { reason: 'Unsupported Media Type (Application/MANSRTSP only)' }));
      return;
    }
    try {
      dl.session.control(ctx.req.body.toString('utf8'));
      ctx.respond(responseTo(ctx.req, 200));
    } catch (e) {
      ctx.respond(
        responseTo(ctx.req, e instanceof GbMediaError ? e.sipStatus : 500, {
          headers: [['warning', `399 examroom "${(e as Error).message.replace(/"/g, "'").slice(0, 160)}"`]],
        }),
      );
    }
  }

  function cancel(ctx: ServerContext): void {
    // The INVITE is answered at once (200 with the SDP), so a CANCEL always comes too late: §9.2.3 says 481
    // when no pending INVITE matches, and a 200 to the CANCEL itself otherwise.
    ctx.respond(responseTo(ctx.req, 481));
  }

  /** Our 200 got no ACK in 64·T1: the platform is gone; free the media and say BYE. */
  function ackTimeout(req: SipRequest): void {
    for (const dl of dialogs.values())
      if (dl.callId === req.headers.get('call-id') && !dl.acked && parseCSeq(req.headers.get('cseq') as string).method === 'INVITE') {
        end(dl, 'no ACK');
        void sendInDialog(dl, 'BYE');
      }
  }

  return {
    invite,
    ack,
    bye,
    info,
    cancel,
    ackTimeout,
    find,
    /** Ends every dialog of a platform (it went offline or the service stops), with a BYE when `sayBye`. */
    async closePlatform(platformId: string, sayBye: boolean): Promise<void> {
      const mine = [...dialogs.values()].filter((x) => x.platform.id === platformId);
      for (const dl of mine) end(dl, 'platform closed');
      if (sayBye) await Promise.race([Promise.all(mine.map((dl) => sendInDialog(dl, 'BYE'))), new Promise((r) => setTimeout(r, 1500))]);
    },
    active(): Dialog[] {
      return [...dialogs.values()];
    },
    params: headerParams,
  };
}

export type Invites = ReturnType<typeof createInvites>;
