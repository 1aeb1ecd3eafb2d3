// Simulated exam terminals, run in a worker thread so that a few hundred of them can share a core
// without their own event loop becoming the thing measured. Each one behaves as the terminal web app
// must (docs/terminal-protocol.md): one socket, pings every 10 s, at most 16 saves in flight and under
// 20 messages/s, saves kept until acked, and after a reconnect the server's resumed state is compared
// with what was acked and the unacked saves are sent again with their original seq.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { LIMITS, SAVE_ERRORS_FINAL, WS_PATH, type ErrorCode, type ServerMessage } from '../../terminal/protocol.ts';

// The simulated terminals are other PCs in a real room: on the bench's shared machine their threads run
// at nice 10 (Linux: a thread's own nice value), so knocking on a restarting server's port does not take
// that server's CPU. On a busy machine the restart was otherwise measured with the room's CPU in it.
try {
  setPriority(10);
} catch {
  // Not permitted here: the figures then include the terminals' share.
}

export interface TermSpec {
  id: string;
  token: string;
  credential: string;
}

export type Command =
  | { cmd: 'connect'; url: string }
  | { cmd: 'login'; at: number }
  | { cmd: 'answer'; ratePerSecond: number; seconds: number | null }
  | { cmd: 'stop' }
  | { cmd: 'report' }
  | { cmd: 'close' };

/** An acked save; `gen` numbers the socket it was acked on (1, 2 … per terminal), `viaResume` 1 when the ack was lost but the resumed paper showed it committed. */
export type AckedSave = [seq: number, no: number, choice: string, gen: number, viaResume: 0 | 1];

export interface Resume {
  /** Epoch ms the resumed paper arrived. */
  at: number;
  gen: number;
  viaLogin: boolean;
  lastSeq: number;
  answers: { no: number; choice: number[]; seq: number }[];
}

export interface TermReport {
  id: string;
  acked: AckedSave[];
  resumes: Resume[];
  left: number;
  superseded: number;
  closes: { code: number; gen: number }[];
  /** Epoch ms and what happened, for each connection attempt: 'open', or the close code of a failed one. */
  attempts: [at: number, gen: number, what: string][];
}

export interface PhaseStats {
  latencies: Float64Array;
  /** Epoch ms of each latency's ack, same order. */
  ackedAt: Float64Array;
  sent: number;
  acked: number;
  resent: number;
  errors: Record<string, number>;
  timeMessages: number;
  pongRtts: Float64Array;
  unacked: number;
  elu: number;
  closes: number;
  /** Papers that arrived on a socket that already had one (the server re-sent the whole paper). */
  extraPapers: number;
}

const { terms: specs, reconnect, seed } = workerData as { terms: TermSpec[]; reconnect: boolean; seed: number };
const port = parentPort!;
const epochNow = () => performance.timeOrigin + performance.now();
const MAX_IN_FLIGHT = LIMITS.maxInFlightSaves;
// Stay well under the server's 20 messages/s token bucket, as the web app must.
const CLIENT_RATE = 15;
const CLIENT_BURST = 30;

let rngState = seed >>> 0;
function random(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

let url = '';
let latencies: number[] = [];
/** When each latency above was measured (epoch ms), so a bench can split a phase by what ran meanwhile. */
let ackedAt: number[] = [];
let pongRtts: number[] = [];
let counters = { sent: 0, acked: 0, resent: 0, timeMessages: 0, closes: 0, extraPapers: 0 };
let errors: Record<string, number> = {};
let recordLatency = true;

interface Save {
  seq: number;
  no: number;
  choice: number[];
  sentAt: number | null;
  sends: number;
}

class Terminal {
  ws: WebSocket | null = null;
  gen = 0;
  open = false;
  hasPaper = false;
  everHadPaper = false;
  closing = false;
  backoff = 250;
  /** When the current outage began (the first close after an open); null while connected. */
  outageSince: number | null = null;
  questions: { type: string; options: number }[] = [];
  nextSeq = 1;
  queue: Save[] = [];
  inflight = new Map<number, Save>();
  acked: AckedSave[] = [];
  resumes: Resume[] = [];
  closes: { code: number; gen: number }[] = [];
  attempts: [number, number, string][] = [];
  superseded = 0;
  loginSentAt = 0;
  loginSentOnGen = 0;
  paperAt = 0;
  loginMs = NaN;
  refused: string | null = null;
  tokens = CLIENT_BURST;
  refilledAt = performance.now();
  pumpTimer: NodeJS.Timeout | null = null;
  pingTimer: NodeJS.Timeout | null = null;
  answerTimer: NodeJS.Timeout | null = null;
  fallbackLogin: NodeJS.Timeout | null = null;
  helloWaiter: ((ok: boolean) => void) | null = null;
  paperWaiter: (() => void) | null = null;

  constructor(readonly spec: TermSpec) {}

  connect(): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    this.gen++;
    const gen = this.gen;
    const ws = new WebSocket(`${url}${WS_PATH}`, { headers: { authorization: `Bearer ${this.spec.token}` }, perMessageDeflate: false });
    this.ws = ws;
    const hello = new Promise<boolean>((resolve) => (this.helloWaiter = resolve));
    ws.on('open', () => {
      this.attempts.push([epochNow(), gen, 'open']);
      this.open = true;
      this.backoff = 250;
      this.outageSince = null;
      this.tokens = CLIENT_BURST;
      this.pingTimer = setTimeout(() => this.ping(), random() * LIMITS.heartbeatIntervalMs);
    });
    ws.on('message', (data) => this.onMessage(JSON.parse(String(data)) as ServerMessage));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      if (!this.open) this.attempts.push([epochNow(), gen, `failed ${code}`]);
      this.open = false;
      this.hasPaper = false;
      this.closes.push({ code, gen });
      counters.closes++;
      for (const t of [this.pingTimer, this.pumpTimer, this.fallbackLogin]) if (t) clearTimeout(t);
      this.pumpTimer = this.fallbackLogin = null;
      // What was in flight may or may not be committed: keep it, in seq order, for the next socket.
      this.queue = [...this.inflight.values(), ...this.queue].sort((a, b) => a.seq - b.seq);
      this.inflight.clear();
      this.helloWaiter?.(false);
      this.helloWaiter = null;
      if (reconnect && !this.closing) {
        // The protocol's backoff (terminal/web/src/connection.ts): every 0.25 s for the first 10 s of an outage,
        // then 0.5 s, 1 s … 10 s (a little jitter so 200 terminals do not knock in step).
        const now = performance.now();
        this.outageSince ??= now;
        if (now - this.outageSince >= 10_000) this.backoff = Math.min(this.backoff * 2, 10_000);
        setTimeout(() => void this.connect(), this.backoff * (0.9 + 0.2 * random()));
      }
    });
    return hello;
  }

  ping(): void {
    if (!this.open) return;
    this.send({ type: 'ping', t: performance.now() });
    this.pingTimer = setTimeout(() => this.ping(), LIMITS.heartbeatIntervalMs);
  }

  takeToken(): boolean {
    const t = performance.now();
    this.tokens = Math.min(CLIENT_BURST, this.tokens + ((t - this.refilledAt) / 1000) * CLIENT_RATE);
    this.refilledAt = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  send(m: object): void {
    this.ws!.send(JSON.stringify(m));
  }

  login(): void {
    this.loginSentAt = performance.now();
    this.loginSentOnGen = this.gen;
    this.send({ type: 'login', credential: this.spec.credential });
  }

  onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'hello':
        this.helloWaiter?.(true);
        this.helloWaiter = null;
        // A terminal that held a candidate expects the server to resume it unasked; if it does not
        // within a moment, the candidate logs in again (the same credential).
        if (this.everHadPaper) {
          this.fallbackLogin = setTimeout(() => {
            this.fallbackLogin = null;
            if (this.open && !this.hasPaper) this.login();
          }, 1500);
        }
        return;
      case 'paper': {
        if (this.hasPaper) {
          counters.extraPapers++;
          return;
        }
        this.questions = m.questions.map((q) => ({ type: q.type, options: q.options.length }));
        this.nextSeq = Math.max(this.nextSeq, m.lastSeq + 1);
        this.hasPaper = true;
        this.paperAt = epochNow();
        if (this.fallbackLogin) clearTimeout(this.fallbackLogin);
        this.fallbackLogin = null;
        if (this.everHadPaper) this.resumed(m);
        else this.loginMs = performance.now() - this.loginSentAt;
        this.everHadPaper = true;
        this.paperWaiter?.();
        this.paperWaiter = null;
        return this.pump();
      }
      case 'ack': {
        const s = this.inflight.get(m.seq);
        if (!s) return;
        this.inflight.delete(m.seq);
        counters.acked++;
        if (recordLatency && s.sends === 1 && s.sentAt !== null) {
          latencies.push(performance.now() - s.sentAt);
          ackedAt.push(performance.timeOrigin + performance.now());
        }
        this.acked.push([s.seq, s.no, JSON.stringify(s.choice), this.gen, 0]);
        return this.pump();
      }
      case 'error': {
        errors[m.code] = (errors[m.code] ?? 0) + 1;
        if (m.seq === undefined) return;
        const s = this.inflight.get(m.seq);
        if (!s) return;
        this.inflight.delete(m.seq);
        if (!SAVE_ERRORS_FINAL.includes(m.code as ErrorCode)) this.queue.unshift(s);
        return this.pump();
      }
      case 'login_refused':
        this.refused = m.reason;
        this.paperWaiter?.();
        this.paperWaiter = null;
        return;
      case 'time':
        counters.timeMessages++;
        return;
      case 'pong':
        if (m.t !== undefined) pongRtts.push(performance.now() - m.t);
        return;
      default:
        return;
    }
  }

  /**
   * The server resumed the attempt: what it shows as committed settles the saves kept since the
   * drop (rule 4): the same seq is committed (its ack was lost), a higher seq for that question
   * supersedes it, anything else is sent again with its original seq.
   */
  resumed(m: Extract<ServerMessage, { type: 'paper' }>): void {
    const viaLogin = this.loginSentOnGen === this.gen;
    this.resumes.push({ at: this.paperAt, gen: this.gen, viaLogin, lastSeq: m.lastSeq, answers: m.answers });
    const byNo = new Map(m.answers.map((a) => [a.no, a]));
    this.queue = this.queue.filter((s) => {
      const a = byNo.get(s.no);
      if (!a || a.seq < s.seq) return true;
      if (a.seq === s.seq) this.acked.push([s.seq, s.no, JSON.stringify(s.choice), this.gen, 1]);
      else this.superseded++;
      return false;
    });
    // Of several unacked saves for one question only the newest needs sending.
    const newest = new Map<number, number>();
    for (const s of this.queue) newest.set(s.no, Math.max(newest.get(s.no) ?? 0, s.seq));
    this.queue = this.queue.filter((s) => newest.get(s.no) === s.seq || (this.superseded++, false));
    port.postMessage({ ev: 'resumed', id: this.spec.id, at: this.paperAt, gen: this.gen, viaLogin });
  }

  answer(): void {
    const q = Math.floor(random() * this.questions.length);
    const { type, options } = this.questions[q]!;
    let choice: number[];
    if (type === 'multiple') {
      choice = [];
      for (let i = 0; i < options; i++) if (random() < 0.5) choice.push(i);
      if (choice.length === 0) choice.push(Math.floor(random() * options));
    } else {
      choice = [Math.floor(random() * options)];
    }
    this.queue.push({ seq: this.nextSeq++, no: q + 1, choice, sentAt: null, sends: 0 });
    this.pump();
  }

  pump(): void {
    while (this.open && this.hasPaper && this.queue.length && this.inflight.size < MAX_IN_FLIGHT) {
      if (!this.takeToken()) {
        this.pumpTimer ??= setTimeout(() => {
          this.pumpTimer = null;
          this.pump();
        }, 100);
        return;
      }
      const s = this.queue.shift()!;
      s.sentAt = performance.now();
      s.sends++;
      if (s.sends === 1) counters.sent++;
      else counters.resent++;
      this.inflight.set(s.seq, s);
      this.send({ type: 'save', seq: s.seq, no: s.no, choice: s.choice });
    }
  }

  close(): void {
    this.closing = true;
    for (const t of [this.pingTimer, this.pumpTimer, this.answerTimer, this.fallbackLogin]) if (t) clearTimeout(t);
    this.ws?.close();
  }
}

const terms = specs.map((s) => new Terminal(s));
let stopAnswering: (() => void) | null = null;

function resetCounters(): void {
  latencies = [];
  ackedAt = [];
  pongRtts = [];
  counters = { sent: 0, acked: 0, resent: 0, timeMessages: 0, closes: 0, extraPapers: 0 };
  errors = {};
}

function pending(): number {
  return terms.reduce((n, t) => n + t.queue.length + t.inflight.size, 0);
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function stats(elu: number): PhaseStats {
  const lat = Float64Array.from(latencies);
  const rtt = Float64Array.from(pongRtts);
  return { latencies: lat, ackedAt: Float64Array.from(ackedAt), pongRtts: rtt, ...counters, errors, unacked: pending(), elu };
}

port.on('message', async (c: Command) => {
  switch (c.cmd) {
    case 'connect': {
      url = c.url;
      const t0 = performance.now();
      let ok = 0;
      // A few dozen upgrades at a time, as terminals switched on across a room would arrive.
      for (let i = 0; i < terms.length; i += 25) ok += (await Promise.all(terms.slice(i, i + 25).map((t) => t.connect()))).filter(Boolean).length;
      return port.postMessage({ ev: 'connected', ok, failed: terms.length - ok, ms: performance.now() - t0 });
    }
    case 'login': {
      const papers = terms.map((t) => new Promise<void>((r) => (t.paperWaiter = r)));
      const wait = c.at - epochNow() - 3;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (epochNow() < c.at);
      const firstSent = epochNow();
      for (const t of terms) t.login();
      const sentAll = epochNow();
      await Promise.race([Promise.all(papers), new Promise((r) => setTimeout(r, 30_000))]);
      const done = terms.filter((t) => t.hasPaper);
      return port.postMessage({
        ev: 'loggedIn',
        firstSent,
        sentAll,
        lastPaper: Math.max(...done.map((t) => t.paperAt)),
        loginMs: Float64Array.from(done.map((t) => t.loginMs)),
        refused: terms.filter((t) => t.refused).map((t) => `${t.spec.id}: ${t.refused}`),
        missing: terms.length - done.length,
      });
    }
    case 'answer': {
      resetCounters();
      recordLatency = true;
      const elu0 = performance.eventLoopUtilization();
      const period = 1000 / c.ratePerSecond;
      let generating = true;
      for (const t of terms) {
        const tick = () => {
          if (!generating) return;
          t.answer();
          t.answerTimer = setTimeout(tick, period);
        };
        // Jittered start: candidates do not click in step.
        t.answerTimer = setTimeout(tick, random() * period);
      }
      const finish = async () => {
        generating = false;
        for (const t of terms) if (t.answerTimer) clearTimeout(t.answerTimer);
        await until(() => pending() === 0, 15_000);
        port.postMessage({ ev: 'answered', stats: stats(performance.eventLoopUtilization(elu0).utilization) });
      };
      if (c.seconds === null) stopAnswering = () => void finish();
      else setTimeout(() => void finish(), c.seconds * 1000);
      return;
    }
    case 'stop':
      stopAnswering?.();
      stopAnswering = null;
      return;
    case 'report':
      return port.postMessage({
        ev: 'report',
        terms: terms.map(
          (t): TermReport => ({
            id: t.spec.id,
            acked: t.acked,
            resumes: t.resumes,
            left: t.queue.length + t.inflight.size,
            superseded: t.superseded,
            closes: t.closes,
            attempts: t.attempts,
          }),
        ),
      });
    case 'close':
      for (const t of terms) t.close();
      return port.postMessage({ ev: 'closed' });
  }
});
