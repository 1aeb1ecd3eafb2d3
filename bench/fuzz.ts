// Malformed input at every door of a real server (issue 16, "keep it found"): mutated and random
// messages at every WebSocket endpoint (/ws/terminal, /ws/device as kiosk and terminal, /ws/screen,
// /ws/proctor, /ws/live/*) and malformed bodies, parameters and query strings at every route of the
// server's own OpenAPI document (/docs/json), as anonymous, kiosk, terminal and admin callers, against
// `examroom serve` on loopback over a scratch site with an exam in progress. Meanwhile the terminals also
// answer validly, and every save the server acked is looked for in the SQLite file afterwards.
// It checks: the server stays up (a crash is counted and the server started again), no HTTP 500 and no
// WebSocket closed with 1011, memory back near its start once the clients are gone, `examroom audit verify`
// and SQLite's integrity_check pass after the stop, every acked answer stored.
// Usage: npm run bench -- fuzz [--count 5000] [--seconds 300] [--seed 1] [--keep]
// Bounded by both: it stops at COUNT messages or after SECONDS, whichever comes first. FUZZ_DIAG=1 lists
// the connections and child processes the server still has when it is told to stop.
import { appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { loadConfig } from '../config/index.ts';
import { buildApp } from '../server/app.ts';
import { dataPaths } from '../storage/index.ts';
import { machineNote, prepareSite, processRssMiB, removeSite, ROOT, spawnServer, type ServerProcess } from './lib/site.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const COUNT = Number(values.count);
const SECONDS = Number(values.seconds);
if (!(COUNT > 0) || !(SECONDS > 0)) throw new Error('--count and --seconds must be positive numbers');
const log = (s: string) => console.log(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- deterministic randomness (mulberry32): a finding can be replayed with its seed -----------------
let state = Number(values.seed) >>> 0 || 1;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let x = state;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

const NASTY_STRINGS = [
  '',
  ' ',
  '..',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%',
  '%zz',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'x'.repeat(5000),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'true',
  '__proto__',
  'constructor',
  '=cmd|"/c calc"!A1',
  'R01',
  '\r\nX-Injected: 1',
];
const NASTY_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  2 ** 53 + 1,
  -(2 ** 31),
  1.5,
  1e308,
  'x'.repeat(70_000),
  [],
  [null],
  {},
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  ...NASTY_STRINGS,
];
/** Percent-encoded; a lone surrogate becomes the bytes of one (invalid UTF-8), which the server must refuse. */
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};
const nestedJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

// ---- the site: an exam in progress, 4 terminals, a kiosk, an admin -----------------------------------
log(`machine: ${machineNote()}`);
const site = await prepareSite({ terminals: 4, rooms: 1 });
const ADMIN = { username: 'fuzzadmin', password: 'fuzz-admin-password-2026' };
appendFileSync(
  site.configFile,
  ['kiosks:', '  - { id: K1, name: 入口核验台 }', 'users:', `  - { username: ${ADMIN.username}, role: admin, password: ${ADMIN.password} }`, ''].join('\n'),
);
let kioskToken = '';
{
  const app = await buildApp({ config: loadConfig(site.configFile, { dataDir: site.dataDir }) });
  try {
    const devices = app.ctx.devices;
    const req = devices.requestPairing('kiosk', 'K1', { ip: '127.0.0.1', userAgent: 'examroom-fuzz' });
    devices.approve(req.code, null, 'system:bench');
    const got = devices.collect(req.pairingId, req.pollSecret);
    if (got.status !== 'approved') throw new Error(`pairing K1: ${got.status}`);
    kioskToken = got.token;
  } finally {
    await app.close();
  }
}
const realIds = [...site.sessionIds, ...site.terminals.flatMap((t) => [t.id, t.idNumber, t.seat]), site.rooms[0]!.id, 'K1', ADMIN.username];

let server: ServerProcess = await spawnServer(site);
log(`server: pid ${server.pid}, ${server.base}, started in ${(server.startMs / 1000).toFixed(2)} s (${site.dir})`);
let crashes = 0;
const crashNotes: string[] = [];
let restarting: Promise<void> | null = null;
/** The server is expected up; if it died, count a crash, keep its last words, and start it again. */
function watch(s: ServerProcess): void {
  void s.exited.then(async (e) => {
    if (stopping) return;
    crashes++;
    crashNotes.push(`exit ${JSON.stringify(e)}: ${s.stderr().slice(-2000)}`);
    log(`CRASH: server exited ${JSON.stringify(e)}; starting it again`);
    restarting = (async () => {
      server = await spawnServer(site, s.port, `server-${crashes}.log`);
      watch(server);
      restarting = null;
    })();
  });
}
let stopping = false;
watch(server);
// A bench that throws must not leave its server behind.
process.on('exit', () => {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
});

const base = () => server.base;
async function adminCookie(): Promise<string> {
  const res = await fetch(`${base()}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const c = /examroom_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (!c) throw new Error(`admin log-in failed: ${res.status} ${await res.text()}`);
  return c;
}
let cookie = await adminCookie();

// ---- findings ------------------------------------------------------------------------------------------
let messages = 0;
const internal: string[] = [];
const statusCounts = new Map<number, number>();
const closeCodes = new Map<string, number>();
const note = (m: Map<string | number, number>, k: string | number) => m.set(k, (m.get(k) ?? 0) + 1);

// ---- HTTP: every route of the OpenAPI document -----------------------------------------------------
interface Op {
  method: string;
  path: string;
  params: string[];
  query: string[];
  body: Record<string, unknown> | null;
  upload: boolean;
}
const openapi = (await (await fetch(`${base()}/docs/json`)).json()) as {
  paths: Record<
    string,
    Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>
  >;
};
const ops: Op[] = [];
for (const [path, methods] of Object.entries(openapi.paths))
  for (const [method, o] of Object.entries(methods)) {
    const content = o.requestBody?.content ?? {};
    ops.push({
      method: method.toUpperCase(),
      path,
      params: (o.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      query: (o.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      body: (content['application/json']?.schema as Record<string, unknown> | undefined) ?? null,
      // Routes that take raw bytes (bank packages and imports, rosters, images) declare no JSON body.
      upload: method === 'post' && !content['application/json'],
    });
  }
log(`routes: ${ops.length} in the OpenAPI document; WebSockets: /ws/terminal, /ws/device, /ws/screen, /ws/proctor, /ws/live/*`);

/** A value that fits a JSON schema loosely: the start of a body to break. */
function sample(schema: Record<string, unknown> | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const any = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (any?.length) return sample(pick(any), depth + 1);
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, sample(s, depth + 1)]));
    }
    case 'array':
      return [sample(schema.items as Record<string, unknown>, depth + 1)];
    case 'string':
      return 'x'.repeat(Number(schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return Number(schema.minimum ?? 1);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** One field of a JSON value replaced, removed or added. */
function mutate(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const r = random();
    if (r < 0.15 || !keys.length) o[pick(['extra', '__proto__', 'constructor', 'x'.repeat(300)])] = pick(NASTY_VALUES);
    else if (r < 0.3) delete o[pick(keys)];
    else {
      const k = pick(keys);
      o[k] = random() < 0.3 ? mutate(o[k]) : pick(NASTY_VALUES);
    }
    return o;
  }
  if (Array.isArray(v)) return random() < 0.5 ? [...v, pick(NASTY_VALUES)] : Array.from({ length: int(3) ? 3 : 5000 }, () => pick(NASTY_VALUES.slice(0, 8)));
  return pick(NASTY_VALUES);
}

function malformedBody(op: Op): { body?: string | Buffer; type?: string } {
  const r = random();
  const json = (x: unknown) => ({ body: JSON.stringify(x), type: 'application/json' });
  if (op.body && r < 0.45) {
    let v = sample(op.body);
    for (let i = 0, n = 1 + int(3); i < n; i++) v = mutate(v);
    return json(v);
  }
  if (op.upload && r < 0.6) {
    const zipish = Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200 + int(4000))]);
    return { body: pick([randomBytes(int(3000)), zipish, Buffer.alloc(0)]), type: pick(['application/octet-stream', 'application/zip', 'text/csv']) };
  }
  return pick([
    () => ({ body: pick(['{', '{"a":', '[1,2', '\u0000', 'null', 'undefined', '{"a":1}{"b":2}', '\ufeff{}']), type: 'application/json' }),
    () => json(pick([[], 1, 'text', null, true, [{}]])),
    () => ({ body: nestedJson(pick([100, 5000, 100_000])), type: 'application/json' }),
    () => ({ body: JSON.stringify({ a: 'x'.repeat(1_100_000) }), type: 'application/json' }),
    () => ({ body: 'a=1&b=2', type: 'application/x-www-form-urlencoded' }),
    () => ({ body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', type: 'multipart/form-data; boundary=x' }),
    () => ({ body: '{"a":1}', type: 'text/plain' }),
    () => ({ body: '{}', type: 'application/json; charset=utf-16' }),
    () => ({ body: randomBytes(int(2000)), type: 'application/octet-stream' }),
    () => ({ body: '', type: 'application/json' }),
    () => ({}),
  ])();
}

const param = (): string => {
  if (random() < 0.25) return encodeURIComponent(pick(realIds));
  const s = pick(NASTY_STRINGS);
  // Now and then a raw, badly encoded one: the router must refuse it, not throw.
  return random() < 0.1 ? s.replace(/[^%A-Za-z0-9.]/g, '') || '%' : enc(s);
};

type Caller = 'admin' | 'anonymous' | 'terminal' | 'kiosk';
function headersFor(caller: Caller): Record<string, string> {
  if (caller === 'admin') return { cookie };
  if (caller === 'terminal') return { authorization: `Bearer ${pick(site.terminals).token}` };
  if (caller === 'kiosk') return { authorization: `Bearer ${kioskToken}` };
  return {};
}

let opCursor = 0;
async function httpOne(): Promise<void> {
  // Round-robin first, so every route is hit even in a short run; the caller is mostly the admin (past the role check).
  const op = opCursor < ops.length * 3 ? ops[opCursor++ % ops.length]! : pick(ops);
  // Never log the fuzzer's own admin out, nor fuzz it into a locked account.
  const caller: Caller = op.path === '/api/auth/logout' ? 'anonymous' : pick(['admin', 'admin', 'admin', 'anonymous', 'terminal', 'kiosk'] as const);
  let path = op.path.replace(/\{(\w+)\}/g, () => param());
  const q = [...op.query, ...(random() < 0.3 ? ['unknown', '__proto__'] : [])]
    .filter(() => random() < 0.7)
    .map((k) => `${k}=${random() < 0.3 ? enc(pick(realIds)) : enc(pick(NASTY_STRINGS))}`);
  if (q.length) path += `?${q.join('&')}`;
  const { body, type } = op.method === 'GET' ? {} : malformedBody(op);
  const headers: Record<string, string> = { ...headersFor(caller), ...(type ? { 'content-type': type } : {}) };
  // The real body of a log-in is never the admin's password: only malformed ones, so no lock-out.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  messages++;
  try {
    const res = await fetch(`${base()}${path}`, { method: op.method, headers, ...(body !== undefined ? { body } : {}), signal: controller.signal });
    note(statusCounts, res.status);
    if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) await res.body?.cancel();
    else {
      const text = await res.text();
      if (res.status >= 500 && res.status !== 503)
        internal.push(`HTTP ${res.status} ${op.method} ${path.slice(0, 200)} as ${caller} (${type ?? 'no body'}): ${text.slice(0, 300)}`);
    }
    if (res.status === 401 && caller === 'admin') cookie = await adminCookie();
  } catch (err) {
    if (!controller.signal.aborted)
      note(closeCodes, `http ${(err as Error).cause ? String((err as { cause: { code?: string } }).cause.code) : (err as Error).message}`);
    else internal.push(`HTTP ${op.method} ${path.slice(0, 200)} as ${caller}: no answer within 15 s`);
  } finally {
    clearTimeout(timer);
  }
}

// ---- WebSockets ------------------------------------------------------------------------------------------
interface Acked {
  terminal: string;
  seq: number;
  no: number;
  choice: string;
}
const acked: Acked[] = [];
const portsOf = new Map<number, string>();

/** A WebSocket client that sends what it is told and records how the server answered and closed. */
class Door {
  ws: WebSocket | null = null;
  open = false;
  connecting: Promise<boolean> | null = null;
  onMessage: (m: Record<string, unknown>) => void = () => {};
  constructor(
    readonly name: string,
    readonly path: () => string,
    readonly headers: () => Record<string, string>,
  ) {}

  connect(): Promise<boolean> {
    this.connecting ??= new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${base().replace(/^http/, 'ws')}${this.path()}`, {
        headers: this.headers(),
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
      });
      this.ws = ws;
      ws.on('open', () => {
        this.open = true;
        if (process.env.FUZZ_DIAG) portsOf.set((ws as unknown as { _socket: { localPort: number } })._socket.localPort, this.name);
        resolve(true);
      });
      ws.on('unexpected-response', (req, res) => {
        if (process.env.FUZZ_DIAG) portsOf.set(req.socket?.localPort ?? 0, `${this.name} refused ${res.statusCode}`);
        note(closeCodes, `${this.name} refused ${res.statusCode}`);
        if ((res.statusCode ?? 0) >= 500 && res.statusCode !== 503)
          internal.push(`${this.name}: upgrade answered ${res.statusCode} (${this.path().slice(0, 120)})`);
        res.resume();
        resolve(false);
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        try {
          this.onMessage(JSON.parse(String(data)) as Record<string, unknown>);
        } catch {}
      });
      ws.on('error', () => resolve(false));
      ws.on('close', (code, reason) => {
        this.open = false;
        note(closeCodes, `${this.name} ${code}`);
        if (code === 1011) internal.push(`${this.name}: closed 1011 ${String(reason).slice(0, 200)}`);
        resolve(false);
        this.connecting = null;
      });
    }).then((ok) => {
      if (!ok) this.connecting = null;
      return ok;
    });
    return this.connecting;
  }

  send(data: string | Buffer, binary = false): void {
    if (this.ws && this.open) this.ws.send(data, { binary });
  }

  close(): void {
    this.ws?.terminate();
  }
}

/** A mutated or random message for a JSON-speaking socket, built from the messages it knows. */
function wsNoise(valid: Record<string, unknown>[]): { data: string | Buffer; binary: boolean } {
  const r = random();
  if (r < 0.5) {
    let m: unknown = pick(valid);
    for (let i = 0, n = 1 + int(2); i < n; i++) m = mutate(m);
    return { data: JSON.stringify(m), binary: false };
  }
  return pick([
    () => ({ data: randomBytes(1 + int(2000)), binary: true }),
    () => ({ data: randomBytes(1 + int(200)), binary: false }),
    () => ({ data: pick(['', '{', 'null', '[]', '1', '"ping"', '{"type":null}', '{"type":{}}', '{"type":"__proto__"}']), binary: false }),
    () => ({ data: nestedJson(pick([1000, 100_000])), binary: false }),
    () => ({ data: JSON.stringify({ type: 'ping', pad: 'x'.repeat(pick([10_000, 600_000])) }), binary: false }),
    () => ({
      data: JSON.stringify({
        type: pick(['login', 'save', 'snapshot', 'integrity', 'resync', 'ping']),
        ...Object.fromEntries([[pick(['seq', 'no', 'choice', 'credential', 'jpegBase64', 'kind']), pick(NASTY_VALUES)]]),
      }),
      binary: false,
    }),
  ])();
}

/** A terminal that logs in and answers validly between its noise, keeping every ack. */
class FuzzTerminal {
  door: Door;
  questions: { options: number; multiple: boolean }[] = [];
  nextSeq = 1;
  inflight = new Map<number, { no: number; choice: number[] }>();
  loggedIn: Promise<boolean> | null = null;
  paperWaiter: ((ok: boolean) => void) | null = null;
  constructor(readonly t: (typeof site.terminals)[number]) {
    this.door = new Door(
      'terminal',
      () => '/ws/terminal',
      () => ({ authorization: `Bearer ${t.token}` }),
    );
    this.door.onMessage = (m) => this.onMessage(m);
  }

  onMessage(m: Record<string, unknown>): void {
    if (m.type === 'paper') {
      const qs = m.questions as { type: string; options: unknown[] }[];
      this.questions = qs.map((q) => ({ options: q.options.length, multiple: q.type === 'multiple' }));
      this.nextSeq = Math.max(this.nextSeq, Number(m.lastSeq) + 1);
      this.paperWaiter?.(true);
    } else if (m.type === 'login_refused') this.paperWaiter?.(false);
    else if (m.type === 'ack') {
      const s = this.inflight.get(m.seq as number);
      if (s) acked.push({ terminal: this.t.id, seq: m.seq as number, no: s.no, choice: JSON.stringify(s.choice) });
      this.inflight.delete(m.seq as number);
    } else if (m.type === 'error' && typeof m.seq === 'number') this.inflight.delete(m.seq);
  }

  /** Connected with a paper: the server resumes a known terminal unasked, or it logs in. */
  async ready(): Promise<boolean> {
    if (this.door.open && this.questions.length) return true;
    this.questions = [];
    // Saves in flight on a socket that closed may or may not be committed: not counted either way.
    this.inflight.clear();
    const paper = new Promise<boolean>((resolve) => {
      this.paperWaiter = resolve;
      setTimeout(() => resolve(false), 5000);
    });
    if (!(await this.door.connect())) return false;
    await Promise.race([paper, sleep(1500)]);
    if (!this.questions.length) {
      this.door.send(JSON.stringify({ type: 'login', credential: this.t.credential }));
      await paper;
    }
    return this.questions.length > 0;
  }

  validSave(): void {
    const q = int(this.questions.length);
    const { options, multiple } = this.questions[q]!;
    const choice = multiple ? [...new Set([int(options), int(options)])].sort((a, b) => a - b) : [int(options)];
    const seq = this.nextSeq++;
    this.inflight.set(seq, { no: q + 1, choice });
    this.door.send(JSON.stringify({ type: 'save', seq, no: q + 1, choice }));
  }
}

const terminals = site.terminals.map((t) => new FuzzTerminal(t));
const TERMINAL_VALID = [
  { type: 'ping', t: 1 },
  { type: 'login', credential: site.terminals[0]!.credential },
  { type: 'save', seq: 1, no: 1, choice: [0] },
  { type: 'submit', confirm: false },
  { type: 'integrity', kind: 'copy', detail: 'x' },
  { type: 'snapshot', jpegBase64: '/9j/4AAQ' },
  { type: 'resync' },
];
/** A candidate who submits stops answering: the noise may never hold a real submit. */
const isRealSubmit = (data: string | Buffer) => typeof data === 'string' && /"type":"submit"/.test(data) && /"confirm":true/.test(data);

const sources = ((await (await fetch(`${base()}/api/live/sources`, { headers: { cookie } })).json()) as { id: string }[]).map((s) => s.id);
const room = site.rooms[0]!.id;
const others: { door: Door; valid: Record<string, unknown>[]; max: number; used: number }[] = [
  {
    door: new Door(
      'device/kiosk',
      () => '/ws/device',
      () => ({ authorization: `Bearer ${kioskToken}` }),
    ),
    valid: [{ type: 'ping' }],
    max: Infinity,
    used: 0,
  },
  {
    door: new Door(
      'device/terminal',
      () => '/ws/device',
      () => ({ authorization: `Bearer ${site.terminals[1]!.token}` }),
    ),
    valid: [{ type: 'ping' }],
    max: Infinity,
    used: 0,
  },
  {
    door: new Door(
      'proctor',
      () => (random() < 0.9 ? `/ws/proctor?room=${room}` : `/ws/proctor?room=${enc(pick(NASTY_STRINGS))}&session=${param()}`),
      () => ({ cookie }),
    ),
    valid: [{ type: 'ping' }],
    max: Infinity,
    used: 0,
  },
  {
    door: new Door(
      'live',
      () => `/ws/live/${enc(sources.length && random() < 0.8 ? pick(sources) : pick(NASTY_STRINGS))}?stream=${pick(['main', 'sub', 'x'])}`,
      () => ({ cookie }),
    ),
    valid: [{ type: 'ping' }],
    max: Infinity,
    used: 0,
  },
  // Each screen connection starts an ffmpeg ingest: a few dozen messages of random bytes, not thousands.
  {
    door: new Door(
      'screen',
      () => '/ws/screen',
      () => ({ authorization: `Bearer ${site.terminals[2]!.token}` }),
    ),
    valid: [],
    max: 40,
    used: 0,
  },
];

async function wsOne(): Promise<void> {
  if (random() < 0.55) {
    const term = pick(terminals);
    if (!(await term.ready())) return;
    messages++;
    if (random() < 0.4) return term.validSave();
    let noise = wsNoise(TERMINAL_VALID);
    while (isRealSubmit(noise.data)) noise = wsNoise(TERMINAL_VALID);
    term.door.send(noise.data, noise.binary);
    return;
  }
  const o = pick(others.filter((x) => x.used < x.max));
  if (!o.door.open && !(await o.door.connect())) {
    messages++;
    return;
  }
  messages++;
  o.used++;
  const noise = o.valid.length ? wsNoise(o.valid) : { data: randomBytes(1 + int(8000)), binary: true };
  o.door.send(noise.data, noise.binary);
}

// ---- the run -----------------------------------------------------------------------------------------------
const metricsHeap = async () => {
  const text = await (await fetch(`${base()}/metrics`)).text();
  return Number(/^examroom_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
};
// Warm up (every terminal with its paper, each route once) before the memory baseline.
for (const term of terminals) await term.ready();
await sleep(2000);
const rss0 = processRssMiB(server.pid);
const heap0 = await metricsHeap();
log(`baseline: RSS ${rss0.toFixed(0)} MiB, heap used ${heap0.toFixed(0)} MiB; fuzzing up to ${COUNT} messages or ${SECONDS} s (seed ${values.seed})`);

const t0 = performance.now();
const deadline = t0 + SECONDS * 1000;
let lastReport = t0;
async function worker(kind: 'http' | 'ws'): Promise<void> {
  while (messages < COUNT && performance.now() < deadline) {
    if (restarting) await restarting;
    await (kind === 'http' ? httpOne() : wsOne());
    // The terminals' rate limit is 20 messages a second with a burst of 40: pace near it, past it now and then.
    if (kind === 'ws' && random() < 0.97) await sleep(int(25));
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      log(
        `  ${messages} messages, ${((lastReport - t0) / 1000).toFixed(0)} s, ${internal.length} internal errors, ${crashes} crashes, ${acked.length} saves acked`,
      );
    }
  }
}
await Promise.all([worker('http'), worker('http'), worker('http'), worker('ws'), worker('ws')]);
const fuzzSeconds = (performance.now() - t0) / 1000;

// Let in-flight saves be acked, then every client goes away; memory is read once the server has settled.
await sleep(1500);
for (const term of terminals) term.door.close();
for (const o of others) o.door.close();
await sleep(5000);
const stillUp = server.child.exitCode === null && server.child.signalCode === null;
const health = stillUp ? (await fetch(`${base()}/healthz`)).status : 0;
const rss1 = stillUp ? processRssMiB(server.pid) : NaN;
const heap1 = stillUp ? await metricsHeap() : NaN;

stopping = true;
if (process.env.FUZZ_DIAG) {
  const ss = spawnSync('ss', ['-tnH', 'state', 'established', `( sport = :${server.port} )`], { encoding: 'utf8' }).stdout;
  for (const line of ss.trim().split('\n')) console.log(line, portsOf.get(Number(line.trim().split(/\s+/).at(-1)!.split(':').at(-1))) ?? 'http');
  console.log(spawnSync('ps', ['--ppid', String(server.pid), '-o', 'pid,args'], { encoding: 'utf8' }).stdout);
}
server.child.kill('SIGTERM');
const exit = await server.exited;

// ---- after the stop: the audit chain, the database file, every acked save -----------------------------------
const audit = spawnSync(process.execPath, ['server/bin/examroom.mjs', 'audit', 'verify', '--config', site.configFile, '--data', site.dataDir], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, NODE_OPTIONS: '' },
});
const db = new Database(dataPaths(site.dataDir).dbFile, { readonly: true });
const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
const byTerminal = new Map(site.terminals.map((t) => [t.id, t]));
const find = db.prepare('SELECT no, choice FROM terminal_saves WHERE session_id = ? AND id_number = ? AND seq = ?');
let missing = 0;
for (const a of acked) {
  const t = byTerminal.get(a.terminal)!;
  const row = find.get(t.sessionId, t.idNumber, a.seq) as { no: number; choice: string } | undefined;
  if (!row || row.no !== a.no || row.choice !== a.choice) missing++;
}
db.close();

const sortedCounts = (m: Map<string | number, number>) =>
  [...m.entries()]
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
log('');
log(`fuzzed ${messages} messages in ${fuzzSeconds.toFixed(0)} s`);
log(`  HTTP statuses: ${sortedCounts(statusCounts)}`);
log(`  WebSocket closes and refusals: ${sortedCounts(closeCodes)}`);
log(`  saves acked: ${acked.length}, missing from the SQLite file: ${missing}`);
log(`  server: ${stillUp ? `up, /healthz ${health}` : 'DOWN at the end'}; stopped with ${JSON.stringify(exit)}; crashes during the run: ${crashes}`);
for (const c of crashNotes) log(`  crash: ${c.slice(0, 1500)}`);
log(`  memory once the clients left: RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MiB, heap used ${heap0.toFixed(0)} → ${heap1.toFixed(0)} MiB`);
log(`  audit verify: exit ${audit.status}, ${(audit.stdout + audit.stderr).trim().split('\n').at(-1)}`);
log(`  integrity_check: ${integrity}`);
for (const e of internal.slice(0, 30)) log(`  internal error: ${e}`);
if (internal.length > 30) log(`  … and ${internal.length - 30} more internal errors`);
// A server that cannot stop within its 10 s exits 1: systemd would log a failed stop.
const failed = crashes > 0 || internal.length > 0 || missing > 0 || audit.status !== 0 || integrity !== 'ok' || !stillUp || exit.code !== 0;
log(`machine: ${machineNote()}`);
if (values.keep) console.error(`kept ${site.dir}`);
else removeSite(site);
log('');
log(
  `fuzz: ${messages} messages, ${crashes} crashes, ${internal.length} internal errors, ${(rss1 - rss0).toFixed(1)} MiB growth${failed ? ' (FAILED: see above)' : ''}`,
);
if (failed) process.exitCode = 1;
