// Where a certificate's QR code points: records.verifyBaseUrl, or this appliance's own verify page.
import { networkInterfaces } from 'node:os';
import type { Config } from '../../config/index.ts';

/**
 * The configured address, else the appliance's: under TLS its first server name (the certificate covers
 * it; a phone on the site's network reaches it), else its first LAN address; on plain HTTP the listen
 * address (the demo's 127.0.0.1). A site whose certificates are checked from outside sets its public
 * address in records.verifyBaseUrl.
 */
export function verifyBaseUrl(config: Config, interfaces = networkInterfaces()): string {
  if (config.records.verifyBaseUrl) return config.records.verifyBaseUrl;
  const tls = Boolean(config.server.tls) || config.server.siteCa;
  const lan = Object.values(interfaces)
    .flatMap((l) => l ?? [])
    .find((a) => !a.internal && a.family === 'IPv4')?.address;
  const wildcard = ['0.0.0.0', '::'].includes(config.server.host);
  const host = (tls ? config.server.names[0] : undefined) ?? (wildcard ? (lan ?? '127.0.0.1') : config.server.host);
  const scheme = tls ? 'https' : 'http';
  const port = config.server.port === (tls ? 443 : 80) ? '' : `:${config.server.port}`;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}${port}/verify`;
}

export function verifyUrlOf(config: Config, payload: string): string {
  return `${verifyBaseUrl(config)}/${payload}`;
}
