// Shared pieces of the live-relay tests: a real app listening on loopback, real WebSocket viewers,
// ffprobe on the bytes they received.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import WebSocket from 'ws';
import type { App } from '../../server/app.ts';
import { buildTestApp, scratchDir, testConfig, wsEndpoint } from '../helpers.ts';

export async function liveApp(t: Test, extraYaml: string): Promise<{ app: App; base: string; ws: string; dir: string }> {
  const dir = scratchDir(t, 'examroom-live-');
  const config = testConfig(join(dir, 'data'), extraYaml);
  // These tests are about the live relay beside a recording: every source records around the clock
  // (recording by schedule is tests/media/schedule.test.ts).
  config.media.record = 'always';
  for (const c of config.cameras) c.record = 'always';
  const app = await buildTestApp({ config });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, dir };
}

export interface Viewer {
  socket: WebSocket;
  messages: Buffer[];
  bytes(): number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a live-view socket; rejects with the HTTP status when the upgrade is refused. */
export function openViewer(url: string, headers: Record<string, string>): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    // A wss:// URL names the port of a TLS test app: the client then trusts that app's CA and checks its name.
    const socket = new WebSocket(url, { headers, ...(url.startsWith('wss:') ? wsEndpoint(Number(new URL(url).port)).options : {}) });
    const messages: Buffer[] = [];
    let total = 0;
    const closed = new Promise<{ code: number; reason: string }>((r) => socket.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    socket.on('message', (data: Buffer) => {
      messages.push(data);
      total += data.length;
    });
    socket.once('open', () => resolve({ socket, messages, bytes: () => total, closed }));
    socket.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
    });
    socket.once('error', (err) => reject(err));
  });
}

/** Refusal status of an upgrade (or 101 when it opened, and then it is closed again). */
export async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const v = await openViewer(url, headers);
    v.socket.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

export interface Probe {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; nb_read_frames?: string }>;
  format?: { format_name: string };
  error?: string;
}

/** ffprobe of bytes (as a file): the streams, with decoded video frames counted. */
export function probeBytes(dir: string, name: string, bytes: Buffer, format?: string): Probe {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const r = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      ...(format ? ['-f', format] : []),
      '-count_frames',
      '-show_entries',
      'stream=codec_type,codec_name,width,nb_read_frames:format=format_name',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return { streams: [], error: r.stderr };
  return JSON.parse(r.stdout) as Probe;
}
