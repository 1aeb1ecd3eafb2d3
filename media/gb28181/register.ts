// Registration and keepalive towards one platform (GB/T 28181 §9.1, §9.6): REGISTER with MD5 digest,
// refreshed before expiry; after a failure the next try waits at least 60 s (doubling to 10 min) so a
// refused device never hammers a provincial platform; Expires: 0 on shutdown. The 200's Date header
// sets the clock skew (alarm over 2 s: our clock is evidence). Keepalive MESSAGEs at the interval; the
// configured number of unanswered ones in a row means the platform lost us: register again.
import type { GbPlatformConfig } from '../../config/index.ts';
import type { Clock } from '../../core/index.ts';
import { authorization, parseChallenge, type Challenge } from './sip/digest.ts';
import { newCallId, newTag, SipParseError, type SipResponse } from './sip/message.ts';
import { buildRequest, type Local } from './sip/request.ts';
import type { TransactionLayer } from './sip/transactions.ts';
import type { Peer } from './sip/transport.ts';
import type { LinkState, LinkStatus, RegisterFailure } from './protocol.ts';
import { encodeBody } from './manscdp/xml.ts';
import { keepalive as keepaliveXml, parseGbTime } from './manscdp/messages.ts';

/** No retry sooner than this after a failed registration (the floor; platforms ban faster retries). */
export const MIN_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 600_000;
export const SKEW_ALARM_MS = 2000;
export const MANSCDP_TYPE = 'Application/MANSCDP+xml';

export type { LinkState, LinkStatus };

export interface LinkDeps {
  platform: GbPlatformConfig;
  layer: TransactionLayer;
  local: () => Promise<Local>;
  clock: Clock;
  timeZone: string;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Override the 60 s floor (tests of the refresh path only; never from config). */
  minRetryMs?: number;
  onChange?: (s: LinkStatus) => void;
}

export interface PlatformLink {
  start(): void;
  stop(): Promise<void>;
  status(): LinkStatus;
  peer: Peer;
  /** Sequence numbers for our MANSCDP documents (SN). */
  nextSn(): number;
}

export function parseDateHeader(v: string, timeZone: string): number | null {
  // GB/T 28181 §9.1.2.1 platforms send local time `yyyy-MM-ddTHH:mm:ss.SSS`; RFC 3261 ones send RFC 1123.
  const gb = parseGbTime(v.replace(/\.\d+$/, ''), timeZone);
  if (gb !== null) return gb + (Number(/\.(\d{1,3})$/.exec(v)?.[1]?.padEnd(3, '0')) || 0);
  const t = Date.parse(v);
  return Number.isFinite(t) && /GMT|UTC|[+-]\d{4}/.test(v) ? t : null;
}

export function createPlatformLink(d: LinkDeps): PlatformLink {
  const p = d.platform;
  const peer: Peer = { transport: p.transport, host: p.host, port: p.port };
  const callId = newCallId('examroom');
  const fromTag = newTag();
  let cseq = 0;
  let sn = Math.floor(Math.random() * 1000);
  let challenge: Challenge | null = null;
  let nc = 0;
  let timer: NodeJS.Timeout | null = null;
  let kaTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const st: LinkStatus = {
    state: 'idle',
    online: false,
    registeredAt: null,
    expiresAt: null,
    lastError: null,
    lastErrorKind: null,
    failures: 0,
    nextAttemptAt: null,
    lastKeepaliveAt: null,
    keepaliveMisses: 0,
    clockSkewMs: null,
    clockAlarm: false,
    registrations: 0,
    lostAt: null,
  };
  const changed = () => d.onChange?.({ ...st });
  const minRetry = d.minRetryMs ?? MIN_RETRY_MS;

  const schedule = (ms: number, fn: () => void) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };

  async function sendRegister(expires: number): Promise<{ res: SipResponse; sentAt: number }> {
    const local = await d.local();
    // Each round starts without credentials and answers the platform's fresh challenge: platforms differ on
    // how long a nonce lives, and a stale one costs the same round trip as none.
    challenge = null;
    for (let attempt = 0; ; attempt++) {
      const uri = `sip:${p.serverId}@${p.domain}`;
      const headers: [string, string][] = [
        ['contact', `<sip:${local.deviceId}@${local.address}:${local.port}>`],
        ['expires', String(expires)],
      ];
      if (challenge)
        headers.push(['authorization', authorization(challenge, { username: p.username, password: p.password, method: 'REGISTER', uri, nc: ++nc })]);
      const req = buildRequest({
        method: 'REGISTER',
        uri,
        local,
        from: `<sip:${local.deviceId}@${local.domain}>;tag=${fromTag}`,
        to: `<sip:${local.deviceId}@${local.domain}>`,
        callId,
        cseq: ++cseq,
        edition: p.edition,
        headers,
      });
      const sentAt = d.clock.now();
      const res = await d.layer.request(req, peer);
      if ((res.status === 401 || res.status === 407) && attempt === 0) {
        const www = res.headers.get(res.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
        if (!www) return { res, sentAt };
        const fresh = parseChallenge(www);
        // A new nonce after we answered one = the password is wrong (stale=true aside): stop, back off.
        challenge = fresh;
        nc = 0;
        continue;
      }
      return { res, sentAt };
    }
  }

  function fail(kind: RegisterFailure, why: string): void {
    st.failures++;
    st.state = 'failed';
    st.online = false;
    st.lastError = why;
    st.lastErrorKind = kind;
    stopKeepalive();
    const wait = Math.min(MAX_RETRY_MS, minRetry * 2 ** Math.min(st.failures - 1, 4));
    st.nextAttemptAt = d.clock.now() + wait;
    d.log.warn({ platform: p.id, why, retryInSeconds: Math.round(wait / 1000) }, 'gb28181: registration failed');
    changed();
    schedule(wait, () => void register());
  }

  async function register(): Promise<void> {
    if (stopped) return;
    st.state = 'registering';
    st.nextAttemptAt = null;
    changed();
    let r: { res: SipResponse; sentAt: number };
    try {
      r = await sendRegister(p.expires);
    } catch (e) {
      if (e instanceof SipParseError) fail('bad-challenge', `platform's challenge refused: ${e.message}`);
      else fail('not-sent', `REGISTER not sent: ${(e as Error).message}`);
      return;
    }
    if (stopped) return;
    const { res, sentAt } = r;
    if (res.status !== 200) {
      const why =
        res.status === 401 || res.status === 403
          ? `refused (${res.status} ${res.reason}): check the password and device ID the platform has for us`
          : `${res.status} ${res.reason}`;
      fail(res.status === 401 || res.status === 403 ? 'refused' : res.status === 408 ? 'no-answer' : 'other', why);
      return;
    }
    const now = d.clock.now();
    const date = res.headers.get('date');
    if (date) {
      const theirs = parseDateHeader(date, d.timeZone);
      if (theirs !== null) {
        // Their stamp was taken somewhere between send and receipt: compare it with the midpoint.
        st.clockSkewMs = Math.round(theirs - (sentAt + now) / 2);
        const alarm = Math.abs(st.clockSkewMs) > SKEW_ALARM_MS;
        if (alarm && !st.clockAlarm) d.log.warn({ platform: p.id, skewMs: st.clockSkewMs }, 'gb28181: the platform clock and ours differ by more than 2 s');
        st.clockAlarm = alarm;
      }
    }
    const granted = Number(/expires=(\d+)/i.exec(res.headers.get('contact') ?? '')?.[1] ?? res.headers.get('expires') ?? p.expires) || p.expires;
    st.state = 'registered';
    st.online = true;
    st.failures = 0;
    st.lastError = null;
    st.lastErrorKind = null;
    st.registeredAt = now;
    st.expiresAt = now + granted * 1000;
    st.keepaliveMisses = 0;
    st.registrations++;
    d.log.info({ platform: p.id, expires: granted }, 'gb28181: registered');
    changed();
    // Refresh well before expiry: at 80 %, and never later than 30 s before it ends.
    schedule(Math.max(1000, Math.min(granted * 800, granted * 1000 - 30_000)), () => void register());
    startKeepalive();
  }

  function stopKeepalive(): void {
    if (kaTimer) clearInterval(kaTimer);
    kaTimer = null;
  }

  function startKeepalive(): void {
    stopKeepalive();
    kaTimer = setInterval(() => void sendKeepalive(), p.keepaliveSeconds * 1000);
  }

  async function sendKeepalive(): Promise<void> {
    if (st.state !== 'registered') return;
    const local = await d.local();
    const req = buildRequest({
      method: 'MESSAGE',
      uri: `sip:${p.serverId}@${p.domain}`,
      local,
      from: `<sip:${local.deviceId}@${local.domain}>;tag=${newTag()}`,
      to: `<sip:${p.serverId}@${p.domain}>`,
      callId: newCallId('examroom'),
      cseq: 1,
      edition: p.edition,
      body: encodeBody(keepaliveXml(local.deviceId, ++sn, p.charset), p.charset),
      contentType: MANSCDP_TYPE,
    });
    const res = await d.layer.request(req, peer);
    if (stopped || st.state !== 'registered') return;
    if (res.status === 200) {
      st.keepaliveMisses = 0;
      st.lastKeepaliveAt = d.clock.now();
      changed();
      return;
    }
    st.keepaliveMisses++;
    d.log.warn({ platform: p.id, misses: st.keepaliveMisses, status: res.status }, 'gb28181: keepalive not answered');
    if (st.keepaliveMisses >= p.keepaliveMisses) {
      st.online = false;
      st.state = 'registering';
      st.lostAt = d.clock.now();
      stopKeepalive();
      d.log.warn({ platform: p.id }, 'gb28181: platform lost (keepalives unanswered); registering again');
      changed();
      void register();
    } else changed();
  }

  return {
    peer,
    start() {
      stopped = false;
      void register();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      stopKeepalive();
      const was = st.state;
      st.state = 'stopped';
      st.online = false;
      changed();
      if (was === 'registered') {
        const r = await Promise.race([
          sendRegister(0).catch(() => null),
          new Promise<null>((res) => setTimeout(() => res(null), Math.min(2000, 64 * d.layer.timers.t1))),
        ]);
        d.log.info({ platform: p.id, status: r?.res.status ?? 'no answer' }, 'gb28181: unregistered (Expires: 0)');
      }
    },
    status: () => ({ ...st }),
    nextSn: () => ++sn,
  };
}
