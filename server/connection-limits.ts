// Time limits and caps on the server's connections (server.connections): a client that sends its request
// a byte every few seconds, or opens socket after socket, must not hold the appliance's sockets for good.
// Long-lived WebSockets and event streams are not cut: ws takes the socket's idle timer off when it
// upgrades, an event stream pings every 15 s, and the header/request limits end once a request is in.
import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../config/index.ts';
import { addressMatcher } from '../core/index.ts';

/**
 * Fastify's options for the limits (Fastify gives Node 0 = "no limit" for each by default). `http` goes to
 * Node's server as it is made; with HTTPS the same keys join the TLS options. Node looks for requests
 * over their time only every connectionsCheckingInterval (30 s by default): once a second here, so a
 * limit means what it says.
 */
export function serverTimeouts(limits: ConnectionLimits) {
  return {
    fastify: {
      connectionTimeout: limits.idleSeconds * 1000,
      keepAliveTimeout: limits.keepAliveSeconds * 1000,
      requestTimeout: limits.requestSeconds * 1000,
    },
    http: { headersTimeout: limits.headersSeconds * 1000, requestTimeout: limits.requestSeconds * 1000, connectionsCheckingInterval: 1000 },
  };
}

/**
 * The caps Fastify does not apply: the total and per address. `exempt`:
 * the trusted proxies, whose one address carries many clients; this machine (127.0.0.0/8, ::1) always is.
 */
export function applyConnectionLimits(
  server: Server,
  limits: ConnectionLimits,
  exempt: readonly string[],
  onRefused?: (why: 'per-address' | 'total', address: string) => void,
): void {
  server.maxConnections = limits.max;
  server.on('drop', (data?: { remoteAddress?: string }) => onRefused?.('total', data?.remoteAddress ?? ''));
  const notCounted = addressMatcher(exempt);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (notCounted(address)) return;
    const n = (open.get(address) ?? 0) + 1;
    if (n > limits.perAddress) {
      onRefused?.('per-address', address);
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
