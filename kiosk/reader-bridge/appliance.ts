// The bridge's side of the appliance: pairing as the kiosk's reader (a code an admin approves), its own
// token kept in a file only the bridge reads, rotation when the server asks (/ws/device says
// token_rotate → POST /api/devices/token → the new token is on disk before it is used), and the calls
// the bridge makes: post a card, report the reader's state. Never logs a token.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import WebSocket from 'ws';
import type { CardPost, ReaderReport } from '../protocol.ts';
import { READER_STATUS_PATH, readerDeviceId } from '../protocol.ts';

export interface Credentials {
  deviceId: string;
  token: string;
}

export function loadCredentials(file: string): Credentials | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Credentials;
    return c.deviceId && c.token ? c : null;
  } catch {
    return null;
  }
}

/** Written whole or not at all, and on disk before the token is used: a crash never leaves the bridge without its token. */
export function saveCredentials(file: string, c: Credentials): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(c)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export class ApplianceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApplianceError';
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ApplianceError(0, `cannot reach the appliance at ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new ApplianceError(res.status, `${init.method ?? 'GET'} ${new URL(url).pathname} → ${res.status}: ${message}`);
  }
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * Pairs the bridge as the reader of kiosk `kioskId`: shows the code (through `say`), waits for an
 * admin to approve it in the console, keeps the token. Polls every 2 s: the server forgets a request
 * whose device stopped asking.
 */
export async function pair(opts: { url: string; kioskId: string; file: string; say: (line: string) => void; signal?: AbortSignal }): Promise<Credentials> {
  const deviceId = readerDeviceId(opts.kioskId);
  const req = await call<{ pairingId: string; pollSecret: string; code: string; expiresAt: number }>(`${opts.url}/api/devices/pairings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': `examroom-reader-bridge (${process.platform})` },
    body: JSON.stringify({ kind: 'reader', deviceId }),
  });
  opts.say(`pairing code ${req.code}: approve it in the admin console (Devices) as ${deviceId}`);
  for (;;) {
    if (opts.signal?.aborted) throw new Error('pairing cancelled');
    await new Promise((r) => setTimeout(r, 2000));
    const r = await call<{ status: string; deviceId?: string; token?: string }>(`${opts.url}/api/devices/pairings/${req.pairingId}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pollSecret: req.pollSecret }),
    });
    if (r.status === 'approved' && r.token && r.deviceId) {
      const c = { deviceId: r.deviceId, token: r.token };
      saveCredentials(opts.file, c);
      opts.say(`paired as ${r.deviceId}`);
      return c;
    }
    if (r.status === 'rejected') throw new Error(`pairing code ${req.code} was rejected in the console`);
    if (r.status === 'expired') throw new Error(`pairing code ${req.code} expired before anyone approved it; run pair again`);
  }
}

/**
 * `tls` is for a bridge that cannot use the system's trust (tests): a site's bridge trusts the site CA
 * through NODE_EXTRA_CA_CERTS, which its install script sets.
 */
export function createApplianceClient(opts: { url: string; file: string; log: (line: string) => void; tls?: { ca?: string; servername?: string } }) {
  let creds = loadCredentials(opts.file);
  if (!creds) throw new Error(`no token in ${opts.file}: pair the bridge first (examroom-reader-bridge pair --kiosk K1 --url …)`);
  const auth = () => ({ authorization: `Bearer ${creds!.token}` });
  let socket: WebSocket | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let onlineChange: (online: boolean) => void = () => {};

  async function rotate(): Promise<void> {
    const r = await call<{ deviceId: string; token: string }>(`${opts.url}/api/devices/token`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{}',
    });
    saveCredentials(opts.file, { deviceId: r.deviceId, token: r.token });
    creds = { deviceId: r.deviceId, token: r.token };
    // The server keeps the old token until the new one is used: use it at once.
    await report(null).catch(() => {});
    opts.log('device token rotated (the new one is saved)');
  }

  let lastReport: ReaderReport | null = null;
  async function report(r: ReaderReport | null): Promise<void> {
    if (r) lastReport = r;
    if (!lastReport) return;
    await call(`${opts.url}${READER_STATUS_PATH}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(lastReport),
    });
  }

  /** The device socket: presence in the console, and where the server says the token is due. */
  function connect(): void {
    if (stopped) return;
    const ws = new WebSocket(`${opts.url.replace(/^http/, 'ws')}/ws/device`, { headers: auth(), ...(opts.tls ?? {}) });
    socket = ws;
    ws.on('open', () => {
      onlineChange(true);
      // Re-send the state: the server may have restarted and lost nothing but wants to know now.
      report(null).catch((err: Error) => opts.log(`reader state not sent: ${err.message}`));
    });
    ws.on('message', (data) => {
      let msg: { type?: string } = {};
      try {
        msg = JSON.parse(String(data)) as { type?: string };
      } catch {
        return;
      }
      if (msg.type === 'token_rotate') rotate().catch((err: Error) => opts.log(`token rotation failed, the server will ask again: ${err.message}`));
    });
    ws.on('unexpected-response', (_req, res) => {
      opts.log(
        `the appliance refused the device socket (${res.statusCode})${res.statusCode === 401 ? ': the token was revoked or expired; pair the bridge again' : ''}`,
      );
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (socket === ws) socket = null;
      onlineChange(false);
      if (!stopped) retry = setTimeout(connect, 2000);
    });
  }

  return {
    get deviceId() {
      return creds!.deviceId;
    },
    start(onOnline: (online: boolean) => void = () => {}) {
      onlineChange = onOnline;
      connect();
    },
    stop() {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
    },
    postCard(card: CardPost): Promise<{ cardId: string }> {
      return call(`${opts.url}/api/kiosk/card`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(card) });
    },
    report,
    rotate,
  };
}
export type ApplianceClient = ReturnType<typeof createApplianceClient>;
