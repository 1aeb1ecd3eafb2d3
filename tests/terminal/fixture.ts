// Scaffolding for the terminal gateway tests: a real app on a scratch data folder (real SQLite file)
// with a fixed clock, a session in room R1 with papers and seats made to order, paired terminals,
// and a WebSocket client on 127.0.0.1 that queues what the server sends.
import type { Test } from 'tap';
import WebSocket from 'ws';
import { Compile } from 'typebox/compile';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { ServerMessageT, type ServerMessage, type ClientMessage } from '../../terminal/protocol.ts';

const serverMessage = Compile(ServerMessageT);
import { buildTestApp, httpsTestConfig, listenForTests, login, pairDevice, PASSWORDS, scratchDir, testConfig, wsEndpoint } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';

/** 2026-03-10 09:00 in Guangzhou: the session's scheduled start. */
export const START = Date.parse('2026-03-10T09:00:00+08:00');
export const T0 = Date.parse('2026-03-01T00:00:00+08:00');
export const DURATION_MS = TEMPLATE.durationMinutes * 60_000;
export const A = idn(1);
export const B = idn(2);
export const C = idn(3);

export type Clock = ReturnType<typeof fixedClock>;

export interface Room {
  app: App;
  clock: Clock;
  dir: string;
  port: number;
  sessionId: string;
  admin: string;
  invig: string;
  tokens: { T1: string; T2: string };
  /** A fresh session cookie (log-ins made at T0 have expired once the clock moved to exam day). */
  as: (who: 'admin' | 'invig' | 'invig2') => Promise<string>;
  ticket: (idNumber: string) => string;
}

/**
 * Builds (or rebuilds, on the same data folder) the app and listens on a loopback port; `https` serves
 * it as the browser tests need it (site CA, reached by TEST_HOST at `base`).
 */
export async function startApp(
  t: Test,
  dir: string,
  clock: Clock,
  extraYaml = '',
  opts: { https?: boolean } = {},
): Promise<{ app: App; port: number; base: string }> {
  const app = await buildTestApp({ config: opts.https ? httpsTestConfig(dir, extraYaml) : testConfig(dir, extraYaml), clock });
  t.teardown(() => app.close());
  return { app, ...(await listenForTests(app)) };
}

/**
 * A session in R1 with candidates A (seat 01 = T1), B (seat 02 = T2) and C (seat 03, no terminal),
 * papers generated, check-in open. `admit` lists who has passed the door; `start` opens the exam.
 */
export async function room(t: Test, opts: { admit?: string[]; start?: boolean; extraYaml?: string } = {}): Promise<Room> {
  const dir = scratchDir(t);
  const clock = fixedClock(T0);
  const { app, port } = await startApp(t, dir, clock, opts.extraYaml);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const invig = await login(app, 'invig', PASSWORDS.invig);
  const tokens = { T1: await pairDevice(app, 'terminal', 'T1', admin), T2: await pairDevice(app, 'terminal', 'T2', admin) };
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plan = plans.createPlan({ name: '测试计划', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'user:admin');
  await plans.importRoster(s.id, { bytes: csv([person(1, '甲'), person(2, '乙'), person(3, '丙')]), filename: 'roster.csv' }, 'user:admin');
  plans.assignSeats(s.id, 'user:admin');
  // The draw is random; the tests want A at 01, B at 02, C at 03.
  const db = app.ctx.db;
  db.prepare('UPDATE roster_entries SET seat = NULL WHERE session_id = ?').run(s.id);
  [A, B, C].forEach((id, i) => db.prepare('UPDATE roster_entries SET seat = ? WHERE session_id = ? AND id_number = ?').run(`0${i + 1}`, s.id, id));
  plans.generateSessionPapers(s.id, 'user:admin');
  clock.set(START - 30 * 60_000);
  plans.advanceSession(s.id, 'checkin', 'user:admin');
  for (const id of opts.admit ?? [A, B]) app.terminal.admitCandidate(s.id, id, 'user:admin');
  if (opts.start) startExam(app, clock, s.id);
  const tickets = new Map(plans.roster(s.id).map((e) => [e.idNumber, e.ticketNo]));
  return { app, clock, dir, port, sessionId: s.id, admin, invig, tokens, ticket: (id) => tickets.get(id)!, as: (who) => login(app, who, PASSWORDS[who]) };
}

export function startExam(app: App, clock: Clock, sessionId: string): void {
  clock.set(START);
  app.exam.plans.advanceSession(sessionId, 'in_progress', 'user:admin');
}

type Msg<K extends ServerMessage['type']> = Extract<ServerMessage, { type: K }>;

/** A terminal: a real WebSocket that queues every message so a test can take them in order by type. */
export class Term {
  readonly queue: ServerMessage[] = [];
  readonly invalid: unknown[] = [];
  hello!: Msg<'hello'>;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      // Every message the server sends must match the published protocol, whatever the test is about.
      if (!serverMessage.Check(m))
        this.invalid.push({ message: m, errors: [...serverMessage.Errors(m)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`) });
      this.queue.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(t: Test, port: number, token: string, how: 'bearer' | 'cookie' = 'bearer'): Promise<Term> {
    const headers = how === 'bearer' ? { authorization: `Bearer ${token}` } : { cookie: `examroom_device=${token}` };
    const to = wsEndpoint(port);
    const ws = new WebSocket(`${to.base}/ws/terminal`, { headers, ...to.options });
    const term = new Term(ws);
    t.teardown(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    term.hello = await term.take('hello');
    return term;
  }

  send(m: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(m));
  }

  raw(s: string | Buffer, binary = false): void {
    this.ws.send(s, { binary });
  }

  /** The first queued message of this type (waiting for it if need be); earlier ones of other types stay queued. */
  async take<K extends ServerMessage['type']>(type: K, ms = 3000): Promise<Msg<K>> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.invalid.length) throw new Error(`the server sent a message outside the protocol: ${JSON.stringify(this.invalid[0]).slice(0, 500)}`);
      const i = this.queue.findIndex((m) => m.type === type);
      if (i >= 0) return this.queue.splice(i, 1)[0] as Msg<K>;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type}; queued: ${this.types().join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${ms} ms; queued: ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends and returns the reply of the given type. */
  async ask<K extends ServerMessage['type']>(m: ClientMessage | Record<string, unknown>, type: K): Promise<Msg<K>> {
    this.send(m);
    return this.take(type);
  }

  /** Waits until nothing arrives for a moment, then drops what is queued. */
  async settle(ms = 50): Promise<ServerMessage[]> {
    let n = -1;
    while (n !== this.queue.length) {
      n = this.queue.length;
      await new Promise((r) => setTimeout(r, ms));
    }
    return this.queue.splice(0);
  }

  types(): string[] {
    return this.queue.map((m) => m.type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** Logs a candidate in and returns the state the server sends (logged_in, and the paper once started). */
export async function logIn(term: Term, credential: string, started: boolean) {
  term.send({ type: 'login', credential });
  const loggedIn = await term.take('logged_in');
  const paper = started ? await term.take('paper') : null;
  const time = await term.take('time');
  const lock = await term.take('lock');
  return { loggedIn, paper, time, lock };
}

/** Answers that get every question right, from the stored paper's key. */
export function rightAnswers(app: App, sessionId: string, idNumber: string): number[][] {
  return app.exam.plans.paperStore.forCandidate(sessionId, idNumber)!.items.map((it) => it.key);
}
