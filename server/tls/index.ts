// TLS for the exam-room LAN: the site CA and server certificate (made, renewed, swapped without a
// restart), the plain-HTTP page that hands out the CA, and the loud event when the CA had to be made again.
// It must never serve a private key, never put one in a log or audit entry, and never follow a symlink into the keys folder.
import type { FastifyBaseLogger } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import { Gauge, type Registry } from 'prom-client';
import type { Clock, EventBus } from '../../core/index.ts';
import type { AuditLog } from '../../storage/index.ts';
import type { SiteTls, TlsEvent } from './site-tls.ts';

export {
  prepareSiteTls,
  openSiteTls,
  certificateInfo,
  RENEW_BEFORE_DAYS,
  SERVER_CERT_DAYS,
  CA_CERT,
  type SiteTls,
  type TlsEvent,
  type CertificateInfo,
} from './site-tls.ts';
export { tlsRoutes } from './routes.ts';
export { createTrustPage, caDer } from './trust-page.ts';

/** Minimum protocol of the HTTPS server: TLS 1.0 and 1.1 are broken and every browser since 2020 speaks 1.2. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/** Audits, logs and announces what prepareSiteTls or a refresh did. A replaced CA is loud on every channel. */
export function reportTlsEvents(
  events: TlsEvent[],
  deps: { audit: AuditLog; bus: EventBus; log: FastifyBaseLogger | Pick<Console, 'error' | 'info'>; clock: Clock; actor?: string },
): void {
  const { audit, bus, log, clock } = deps;
  const actor = deps.actor ?? 'system';
  const at = clock.now();
  for (const e of events) {
    if (e.kind === 'server.issued') {
      audit.append({
        actor,
        action: 'tls.certificate.issue',
        target: e.fingerprint,
        detail: { reason: e.reason, notAfter: e.notAfter, dns: e.names.dns, ips: e.names.ips },
      });
      bus.emit('tls.certificate_issued', { fingerprint: e.fingerprint, notAfter: e.notAfter, reason: e.reason, at });
      log.info({ fingerprint: e.fingerprint, notAfter: new Date(e.notAfter).toISOString(), reason: e.reason } as never, 'server certificate issued');
      continue;
    }
    audit.append({
      actor,
      action: `tls.ca.${e.reason === 'first' ? 'create' : e.reason === 'restored' ? 'restore' : 'replace'}`,
      target: e.fingerprint,
      detail: { reason: e.reason, previous: e.previous },
    });
    if (e.reason === 'first') {
      log.info(
        { fingerprint: e.fingerprint } as never,
        'site CA created: install it on every PC (see the trust page on server.httpPort, or examroom tls export-ca)',
      );
    } else if (e.reason === 'restored') {
      log.info(
        { fingerprint: e.fingerprint, previous: e.previous } as never,
        'site CA restored from the key bundle: PCs that trusted it before trust it again',
      );
    } else {
      const why =
        e.reason === 'lost'
          ? 'the keys folder lost the CA the PCs trust (restore it with examroom keys import if a key bundle exists)'
          : e.reason === 'scope'
            ? "the server names left the old CA's name constraints"
            : 'the keys folder holds a CA this site never used';
      log.error(
        { fingerprint: e.fingerprint, previous: e.previous, reason: e.reason } as never,
        `NEW SITE CA: ${why}. Every exam PC, kiosk and phone must trust the new CA before it can connect; GET /api/tls lists the devices not seen since`,
      );
      bus.emit('tls.ca_replaced', { fingerprint: e.fingerprint, previous: e.previous ?? '', reason: e.reason, at });
    }
  }
}

/**
 * Checks the certificates hourly on the server's clock (a daily check would do; hourly also picks up an
 * `examroom tls renew` run beside the server within the hour) and swaps a new one into the running
 * HTTPS server: connections already open keep theirs, new ones get the new certificate.
 */
export function startTlsRefresh(deps: {
  tls: SiteTls;
  server: TlsServer;
  audit: AuditLog;
  bus: EventBus;
  log: FastifyBaseLogger;
  clock: Clock;
  intervalMs?: number;
}): { stop(): void; now(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= deps.tls
      .refresh()
      .then(({ changed, events }) => {
        reportTlsEvents(events, deps);
        if (changed) {
          deps.server.setSecureContext({ ...deps.tls.context(), minVersion: MIN_TLS_VERSION });
          deps.log.info('HTTPS now serves the new certificate');
        }
      })
      .catch((err: unknown) => deps.log.error({ err }, 'certificate check failed; the current certificate stays in use'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), deps.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer), now: tick };
}

/** examroom_tls_certificate_expiry_seconds{certificate}: negative once expired, so an alert rule can say "< 14 days". */
export function registerTlsMetrics(registry: Registry, tls: SiteTls, clock: Clock): void {
  new Gauge({
    name: 'examroom_tls_certificate_expiry_seconds',
    help: 'Seconds until each TLS certificate expires (server clock)',
    labelNames: ['certificate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of tls.certificates()) this.set({ certificate: c.name }, Math.round((c.notAfter - clock.now()) / 1000));
    },
  });
}

/** The health page's part: ok while every certificate has more than a week left (renewal starts a month before). */
export function tlsHealth(
  tls: SiteTls,
  clock: Clock,
): { ok: boolean; mode: string; certificates: { name: string; notAfter: string; secondsLeft: number }[]; caReplacedAt: number | null } {
  const now = clock.now();
  const certificates = tls
    .certificates()
    .map((c) => ({ name: c.name, notAfter: new Date(c.notAfter).toISOString(), secondsLeft: Math.round((c.notAfter - now) / 1000) }));
  return { ok: certificates.every((c) => c.secondsLeft > 7 * 86_400), mode: tls.mode, certificates, caReplacedAt: tls.caReplacement()?.since ?? null };
}
