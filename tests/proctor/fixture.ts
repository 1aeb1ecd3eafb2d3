// Scaffolding for the proctor tests: the terminal tests' room (a real app listening on loopback, a
// session in R1 with A at seat 01 = T1, B at 02 = T2, C at 03 without a terminal) and a proctor
// console WebSocket that queues what the server pushes.
import type { Test } from 'tap';
import WebSocket from 'ws';
import { wsEndpoint } from '../helpers.ts';

export { room, startExam, Term, logIn, A, B, C, START, type Room } from '../terminal/fixture.ts';

export interface FeedMessage {
  type: string;
  serverTime: number;
  [k: string]: any;
}

export class Console {
  readonly queue: FeedMessage[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.queue.push(JSON.parse(String(d)) as FeedMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Opens /ws/proctor; resolves once open, or rejects with the HTTP status of a refused upgrade. */
  static open(t: Test, port: number, cookie: string, query: string): Promise<Console> {
    const to = wsEndpoint(port);
    const ws = new WebSocket(`${to.base}/ws/proctor?${query}`, { headers: { cookie }, ...to.options });
    const c = new Console(ws);
    t.teardown(() => ws.terminate());
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The first queued message of this type matching `where` (waiting for it); others stay queued. */
  async take(type: string, where: (m: FeedMessage) => boolean = () => true, ms = 3000): Promise<FeedMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type && where(m));
      if (i >= 0) return this.queue.splice(i, 1)[0]!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`console closed while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${ms} ms; queued: ${this.queue.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
