// The site itself: who it is, how it is served (HTTP/TLS, connection limits), where it keeps its data, and
// its rooms, exam PCs and kiosks.
import { Type, type Static } from 'typebox';
import { closed, Id } from './common.ts';

export const DivisionCode = Type.String({ pattern: '^[0-9]{6}$', description: 'a six-digit administrative division code (GB/T 2260), in quotes' });

export const SiteSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    province: DivisionCode,
    city: DivisionCode,
    timezone: Type.Optional(Type.String({ default: 'Asia/Shanghai' })),
  },
  closed,
);

export const TlsSchema = Type.Object(
  { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1, secret: false, description: 'the private key FILE (its path is no secret)' }) },
  closed,
);
// HTTPS: "site-ca" = the appliance makes its own site CA and server certificate (server/tls/); a
// {cert, key} pair = a certificate the site got elsewhere; absent = plain HTTP (the demo on 127.0.0.1).
export const ServerTlsSchema = Type.Union([Type.Literal('site-ca'), TlsSchema], { description: '"site-ca", or { cert: FILE, key: FILE }' });

export const ServerSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ default: '0.0.0.0' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 8080 })),
    tls: Type.Optional(ServerTlsSchema),
    names: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9.:-]{1,253}$', description: 'a host name (examroom.lan) or an IP address (192.168.1.10)' }), {
        description: "the names and addresses PCs reach the appliance by; the site certificate covers them (absent = this host's LAN addresses)",
      }),
    ),
    httpPort: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: 'a plain-HTTP port that serves only the page for trusting the site CA (with tls: site-ca)' }),
    ),
    // `true` is accepted by the schema only so that config/load.ts can refuse it in words: it trusted every
    // hop, so any PC could name its own address in X-Forwarded-For.
    trustProxy: Type.Optional(
      Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], {
        description:
          'the reverse proxies in front of the appliance, as addresses or CIDR ranges (e.g. [127.0.0.1]): X-Forwarded-For/-Proto/-Host are believed only from them; false or absent = no proxy',
      }),
    ),
    connections: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(
            Type.Integer({ minimum: 16, maximum: 60000, default: 4096, description: 'open connections in all (WebSockets and event streams included)' }),
          ),
          perAddress: Type.Optional(
            Type.Integer({
              minimum: 8,
              maximum: 60000,
              default: 256,
              description: "open connections from one address (a proctor desk's live tiles are one each); this machine and the trusted proxies are not counted",
            }),
          ),
          headersSeconds: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 300, default: 15, description: "how long a client may take to send a request's headers" }),
          ),
          requestSeconds: Type.Optional(
            Type.Integer({ minimum: 5, maximum: 3600, default: 120, description: 'how long a client may take to send a whole request, uploads included' }),
          ),
          idleSeconds: Type.Optional(
            Type.Integer({
              minimum: 20,
              maximum: 3600,
              default: 120,
              description: 'a connection with nothing sent either way for this long is closed (WebSockets excepted; event streams ping every 15 s)',
            }),
          ),
          keepAliveSeconds: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'how long an idle keep-alive connection waits for its next request' }),
          ),
        },
        { ...closed, description: 'time limits and caps on connections, against clients that open many or send slowly' },
      ),
    ),
    metricsFrom: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'addresses or CIDR ranges (e.g. the monitoring server) that may read /metrics without logging in; this machine and admins always may',
      }),
    ),
  },
  closed,
);

export const PathsSchema = Type.Object(
  {
    data: Type.Optional(Type.String({ minLength: 1, default: '/var/lib/examroom' })),
    keys: Type.Optional(
      Type.String({
        minLength: 1,
        secret: false,
        description: 'the keys folder (site CA, signing keys); outside the data folder; default: the data folder\'s path + "-keys"',
      }),
    ),
  },
  closed,
);

export const RoomSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    seats: Type.Object(
      { rows: Type.Integer({ minimum: 1, maximum: 30 }), columns: Type.Integer({ minimum: 1, maximum: 30 }) },
      { ...closed, description: 'seat grid; seats are numbered 01, 02 … row by row' },
    ),
    terminals: Type.Optional(
      Type.Literal('perSeat', {
        description: 'one exam PC at every seat, ids ROOM-SEAT (R101-01 … R101-20), instead of a terminals: line per PC',
      }),
    ),
  },
  closed,
);

export const TerminalSchema = Type.Object(
  { id: Id, room: Id, seat: Type.String({ pattern: '^[0-9]{2,3}$', description: 'a two- or three-digit seat number in quotes, like "01"' }) },
  closed,
);

export const KioskSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    rooms: Type.Optional(Type.Array(Id, { minItems: 1, description: 'the rooms whose candidates enter here; absent = every room of the site' })),
  },
  closed,
);

export interface ConnectionLimits {
  max: number;
  perAddress: number;
  headersSeconds: number;
  requestSeconds: number;
  idleSeconds: number;
  keepAliveSeconds: number;
}
export type Room = Static<typeof RoomSchema>;
export type TerminalConfig = Static<typeof TerminalSchema>;
export type KioskConfig = Static<typeof KioskSchema>;
