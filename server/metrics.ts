// Prometheus metrics. One registry per app (not prom-client's global) so tests can build many apps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'examroom_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'examroom_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'examroom_http_request_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'examroom_websocket_connections',
      help: 'Open WebSocket connections by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    auditEntries: new Counter({
      name: 'examroom_audit_entries_total',
      help: 'Audit log entries appended by this process',
      labelNames: ['action'],
      registers: [registry],
    }),
    loginFailures: new Counter({ name: 'examroom_login_failures_total', help: 'Failed log-ins', registers: [registry] }),
    connectionsRefused: new Counter({
      name: 'examroom_connections_refused_total',
      help: 'Connections closed at once for being over server.connections.max (total) or .perAddress',
      labelNames: ['why'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so ids in paths do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
