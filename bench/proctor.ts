// Proctor alert latency: how long from a bus event (here terminal.integrity, as the gateway emits it)
// to the alert.new message arriving at consoles connected over real WebSockets. The alert is stored in
// SQLite and pushed inside the event's listener, so this is one insert plus one socket write per console.
// Usage: npm run bench -- proctor [EVENTS=300] [CONSOLES=4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseConfig } from '../config/index.ts';
import { buildApp } from '../server/app.ts';
import { percentile } from './lib/site.ts';

const events = Number(process.argv[2] ?? 300);
const consoles = Number(process.argv[3] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-proctor-'));
const config = parseConfig(
  `
site: { id: bench, name: 基准考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms: [{ id: R1, name: 一号考场, seats: { rows: 6, columns: 6 } }]
users: [{ username: admin, role: admin, password: bench-pass-123 }]
`,
  { dataDir: dir },
);
const app = await buildApp({ config });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;
const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-pass-123' } });
const cookie = `examroom_session=${login.cookies.find((c) => c.name === 'examroom_session')!.value}`;

const sentAt = new Map<string, number>();
const latencies: number[] = [];
const sockets = await Promise.all(
  Array.from({ length: consoles }, () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/proctor?room=R1`, { headers: { cookie } });
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; alert?: { terminalId: string } };
      if (m.type !== 'alert.new' || !m.alert) return;
      const t0 = sentAt.get(m.alert.terminalId);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
    });
    return new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }),
);

for (let i = 0; i < events; i++) {
  const terminalId = `BT${i}`;
  sentAt.set(terminalId, performance.now());
  app.ctx.bus.emit('terminal.integrity', {
    incidentId: `x${i}`,
    terminalId,
    roomId: 'R1',
    sessionId: null,
    idNumber: null,
    kind: 'focus_lost',
    source: 'terminal',
    detail: null,
    at: Date.now(),
  });
  await new Promise((r) => setTimeout(r, 10));
}
const deadline = Date.now() + 5000;
while (latencies.length < events * consoles && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

const sorted = Float64Array.from(latencies).sort();
const f = (ms: number) => ms.toFixed(2);
console.log(`events ${events}, consoles ${consoles}, alerts received ${latencies.length}/${events * consoles}`);
console.log(
  `event → alert.new at the console: p50 ${f(percentile(sorted, 0.5))} ms, p99 ${f(percentile(sorted, 0.99))} ms, max ${f(sorted[sorted.length - 1] ?? NaN)} ms`,
);
for (const ws of sockets) ws.terminate();
await app.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `proctor: ${f(percentile(sorted, 0.5))} ms p50, ${f(percentile(sorted, 0.99))} ms p99, ${f(sorted[sorted.length - 1] ?? NaN)} ms max alert latency, ${latencies.length}/${events * consoles} delivered`,
);
