// HTTPS-side routes: the CA download (public: a CA certificate is no secret) and the admin's TLS status,
// which after a replaced CA lists the devices that have not connected since (they do not trust it yet).
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../../core/index.ts';
import type { SiteTls } from './site-tls.ts';
import { caDer } from './trust-page.ts';

export interface DeviceSeen {
  id: string;
  kind: string;
  room: string | null;
  seat: string | null;
  lastSeenAt: number | null;
}

const Names = Type.Object({ dns: Type.Array(Type.String()), ips: Type.Array(Type.String()) });

export const tlsRoutes: FastifyPluginAsync<{ tls: SiteTls; clock: Clock; devices: () => DeviceSeen[] }> = async (app, { tls, clock, devices }) => {
  if (tls.caPem()) {
    const download = (der: boolean) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
      const pem = tls.caPem()!;
      return reply
        .header('content-disposition', `attachment; filename="examroom-site-ca.${der ? 'cer' : 'crt'}"`)
        .type('application/x-x509-ca-cert')
        .send(der ? caDer(pem) : pem);
    };
    app.get(
      '/ca.crt',
      { config: { roles: ['public'] }, schema: { tags: ['system'], summary: 'The site CA certificate (PEM), to install on exam PCs, kiosks and phones' } },
      download(false),
    );
    app.get(
      '/ca.cer',
      { config: { roles: ['public'] }, schema: { tags: ['system'], summary: 'The site CA certificate (DER .cer, for Windows and iOS)' } },
      download(true),
    );
  }

  app.get(
    '/api/tls',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'TLS status: certificates and their expiry; after a new site CA, the devices that must still trust it',
        response: {
          200: Type.Object({
            mode: Type.Union([Type.Literal('site-ca'), Type.Literal('site-certificate')]),
            serverTime: Type.Integer(),
            certificates: Type.Array(
              Type.Object({
                name: Type.String(),
                subject: Type.String(),
                names: Names,
                notBefore: Type.Integer(),
                notAfter: Type.Integer(),
                secondsLeft: Type.Integer(),
                fingerprint256: Type.String(),
              }),
            ),
            caReplaced: Type.Union([
              Type.Null(),
              Type.Object({
                since: Type.Integer(),
                reason: Type.String(),
                fingerprint: Type.String(),
                previous: Type.String(),
                message: Type.String(),
                devicesNotSeenSince: Type.Array(
                  Type.Object({
                    id: Type.String(),
                    kind: Type.String(),
                    room: Type.Union([Type.String(), Type.Null()]),
                    seat: Type.Union([Type.String(), Type.Null()]),
                    lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
                  }),
                ),
              }),
            ]),
          }),
        },
      },
    },
    async () => {
      const now = clock.now();
      const r = tls.caReplacement();
      return {
        mode: tls.mode,
        serverTime: now,
        certificates: tls.certificates().map((c) => ({
          name: c.name,
          subject: c.subject,
          names: c.names,
          notBefore: c.notBefore,
          notAfter: c.notAfter,
          secondsLeft: Math.round((c.notAfter - now) / 1000),
          fingerprint256: c.fingerprint256,
        })),
        caReplaced: r
          ? {
              ...r,
              message: `A new site CA was made on ${new Date(r.since).toISOString()} (${r.reason}). Every exam PC, kiosk and phone must trust the new CA (download /ca.crt; fingerprint ${r.fingerprint}); until then it cannot connect.`,
              // A device that has connected since the new CA trusts it: it could not have connected otherwise.
              devicesNotSeenSince: devices().filter((d) => d.lastSeenAt === null || d.lastSeenAt < r.since),
            }
          : null,
      };
    },
  );
};
