// The service's logger: pino, with nothing secret in any line. Fields that are secret by name are
// censored (pino's redact paths); every other string, error message and stack, and the message itself
// pass through core/redact.ts with the config's own URL secrets (cameras, upstream: passwords, push stream keys) as known literals,
// so a camera password that ffmpeg or a library puts in an error never reaches the journal.
import { pino, type DestinationStream, type Logger } from 'pino';
import { HIDDEN, pushUrlSecrets, redactDeep, redactError, redactText, secretsIn } from '../core/index.ts';
import type { Config } from '../config/index.ts';

/** Fields whose value is a secret whatever it says: censored whole. */
export const SECRET_LOG_PATHS = [
  'password',
  '*.password',
  'passphrase',
  '*.passphrase',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Where the lines go (tests capture them); default stdout. */
  destination?: DestinationStream;
}

export function createLogger(config: Config, opts: LoggerOptions = {}): Logger {
  // A push URL's path is its stream key: those segments are secrets too (an RTSP push's path has no generic rule).
  const known = [...new Set([...secretsIn({ cameras: config.cameras, upstream: config.upstream }), ...config.upstream.flatMap((u) => pushUrlSecrets(u.url))])];
  const clean = (text: string) => redactText(text, known);
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'examroom', site: config.site.id },
    redact: { paths: SECRET_LOG_PATHS, censor: HIDDEN },
    serializers: {
      // An error whose message (or stack) quotes a URL: "rtsp://admin:pw@…: Connection refused".
      err: (err: unknown) => (err instanceof Error ? redactError(err, known) : redactDeep(err, known)),
      // Fastify's request line, with the URL's query secrets hidden.
      req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: req.url === undefined ? undefined : clean(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    formatters: {
      // Every plain field of every line (reason, stderr, url, error…); requests and sockets are left to their serializers.
      log: (obj) => redactDeep(obj, known),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? clean(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
