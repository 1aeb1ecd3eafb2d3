// Server-sent event streams (the kiosk's card and session events, a job's progress): the headers a proxy
// must not buffer, a ping that keeps idle connections open, and one end however it comes (the client
// leaves, the server is done, the server stops).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Only an event-stream client gets the never-ending reply; anything else is told what this is (406). */
export const wantsEventStream = (accept: string | undefined): boolean => /text\/event-stream/.test(accept ?? '');
export const NOT_AN_EVENT_STREAM = {
  error: 'not_acceptable',
  message: 'this is a server-sent event stream: ask with Accept: text/event-stream (EventSource does)',
} as const;

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Ends the stream (idempotent); the onEnd callbacks run once, whoever ends it. */
  end(): void;
  onEnd(fn: () => void): void;
  readonly ended: boolean;
}

/**
 * The stream open on a response, if any: how the server ends every stream of a session that ended
 * (server/auth/channels.ts) without each route keeping its own list.
 */
const streams = new WeakMap<ServerResponse, EventStream>();
export const eventStreamOf = (res: ServerResponse): EventStream | null => streams.get(res) ?? null;

/** Writes the stream's head on a response the caller has taken over from the framework (Fastify: reply.hijack()). */
export function openEventStream(req: IncomingMessage, res: ServerResponse, pingMs = 15_000): EventStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const ping = setInterval(() => res.write(': ping\n\n'), pingMs);
  const callbacks: (() => void)[] = [];
  let ended = false;
  const finish = (endResponse: boolean) => {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    for (const fn of callbacks.splice(0)) fn();
    if (endResponse) res.end();
  };
  req.on('close', () => finish(false));
  res.on('close', () => finish(false));
  const stream: EventStream = {
    send: (event, data) => {
      if (!ended) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end: () => finish(true),
    onEnd: (fn) => void callbacks.push(fn),
    get ended() {
      return ended;
    },
  };
  streams.set(res, stream);
  return stream;
}
