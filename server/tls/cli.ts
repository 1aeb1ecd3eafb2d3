// `examroom tls status|renew|export-ca [FILE]` and `examroom keys export FILE | import FILE`.
// A passphrase is read from --passphrase-file, EXAMROOM_KEYS_PASSPHRASE or the terminal (no echo),
// never from the command line, where every user of the machine can read it in the process list.
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { createEventBus, DomainError, ValidationError, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import {
  KEY_FILES,
  bundleHeader,
  collectKeys,
  ensureKeysFolder,
  openKeyBundle,
  passphraseProblem,
  restoreKeyBundle,
  sealKeyBundle,
  type AuditLog,
  type Db,
} from '../../storage/index.ts';
import { openSiteTls, prepareSiteTls, RENEW_BEFORE_DAYS, type CertificateInfo } from './site-tls.ts';
import { reportTlsEvents } from './index.ts';
import { caDer } from './trust-page.ts';

export interface TlsCliContext {
  config: Config;
  db: Db;
  audit: AuditLog;
  clock: Clock;
  actor: string;
  args: string[];
  values: { 'passphrase-file'?: string; force?: boolean };
  devices: () => { id: string; kind: string; lastSeenAt: number | null }[];
  out(line: string): void;
  err(line: string): void;
}

/** A usage mistake: reported as its message, exit 1 (a DomainError, so the CLI needs no import of this file to know it). */
export class TlsUsageError extends DomainError {
  override readonly code = 'usage';
}

const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function describe(c: CertificateInfo, now: number): string {
  const left = Math.floor((c.notAfter - now) / 86_400_000);
  const names = [...c.names.dns, ...c.names.ips];
  return [
    `${c.name === 'site-ca' ? 'site CA' : c.name === 'server' ? 'server certificate' : 'site certificate'}: ${c.file}`,
    `  subject      ${c.subject}`,
    ...(names.length ? [`  names        ${names.join(', ')}`] : []),
    `  valid until  ${day(c.notAfter)} (${left >= 0 ? `${left} days left` : `EXPIRED ${-left} days ago`})`,
    `  SHA-256      ${c.fingerprint256}`,
  ].join('\n');
}

export async function tlsCommand(sub: string | undefined, ctx: TlsCliContext): Promise<number> {
  const { config, out } = ctx;
  const now = ctx.clock.now();
  if (sub === 'status') {
    const tls = openSiteTls({ config, db: ctx.db, clock: ctx.clock });
    if (!tls) {
      out('plain HTTP: server.tls is not set (a site install sets tls: site-ca)');
      return 0;
    }
    out(
      tls.mode === 'site-ca'
        ? `HTTPS with the appliance's own site CA (keys folder ${config.paths.keys})`
        : 'HTTPS with the certificate the site named in server.tls',
    );
    const certs = tls.certificates();
    if (certs.length === 0) out('no certificate yet: the server makes them on its first start (or run examroom tls renew)');
    for (const c of certs) out(describe(c, now));
    if (tls.mode === 'site-ca') out(`the server certificate is renewed ${RENEW_BEFORE_DAYS} days before it expires`);
    const r = tls.caReplacement();
    if (r) {
      const behind = ctx.devices().filter((d) => d.lastSeenAt === null || d.lastSeenAt < r.since);
      out(
        `NEW SITE CA since ${day(r.since)} (${r.reason}): every PC must trust it; ${behind.length} device(s) not connected since${behind.length ? `: ${behind.map((d) => d.id).join(', ')}` : ''}`,
      );
    }
    return 0;
  }
  if (sub === 'renew') {
    if (config.server.tls)
      throw new TlsUsageError(
        'this site names its own certificate (server.tls: cert, key): renew it where it was issued; the running server picks up the new files within the hour',
      );
    if (!config.server.siteCa) throw new TlsUsageError('server.tls is not set: the server speaks plain HTTP and has no certificate to renew');
    const { tls, events } = await prepareSiteTls({ config, db: ctx.db, clock: ctx.clock }, { force: true });
    const log = { info: () => {}, error: (_o: unknown, msg?: string) => ctx.err(msg ?? '') };
    reportTlsEvents(events, { audit: ctx.audit, bus: createEventBus(), log: log as never, clock: ctx.clock, actor: ctx.actor });
    const server = tls!.certificates().find((c) => c.name === 'server')!;
    out(`renewed: ${describe(server, now)}`);
    out('a running server serves it within the hour without a restart (or: systemctl restart examroom)');
    return 0;
  }
  if (sub === 'export-ca') {
    const tls = openSiteTls({ config, db: ctx.db, clock: ctx.clock });
    const pem = tls?.caPem();
    if (!pem)
      throw new TlsUsageError(
        !tls
          ? 'server.tls is not set: there is no site CA'
          : tls.mode === 'site-certificate'
            ? 'this site names its own certificate; its CA comes from whoever issued it'
            : 'no site CA yet: start the server once (or run examroom tls renew)',
      );
    const file = ctx.args[0];
    if (!file || file === '-') {
      process.stdout.write(pem);
    } else {
      // .cer is the DER form Windows and iOS open with a double-click; anything else gets PEM.
      writeNewFile(file, /\.(cer|der)$/i.test(file) ? caDer(pem) : Buffer.from(pem), 0o644, ctx.values.force ?? false);
      ctx.err(`wrote the site CA to ${resolve(file)}`);
    }
    ctx.audit.append({
      actor: ctx.actor,
      action: 'tls.ca.export',
      target: tls!.certificates().find((c) => c.name === 'site-ca')?.fingerprint256 ?? null,
      detail: { file: file && file !== '-' ? resolve(file) : 'stdout' },
    });
    return 0;
  }
  throw new TlsUsageError('usage: examroom tls status | tls renew | tls export-ca [FILE] (FILE.cer = DER for Windows)');
}

export async function keysCommand(sub: string | undefined, ctx: TlsCliContext): Promise<number> {
  const { config, out } = ctx;
  const file = ctx.args[0];
  // The face key's rotation and pruning (server/face-keys-cli.ts).
  const { FACE_KEY_COMMANDS, faceKeysCommand } = await import('../face-keys-cli.ts');
  const face = FACE_KEY_COMMANDS.find((c) => c === sub);
  if (face) return faceKeysCommand(face, ctx);
  if ((sub !== 'export' && sub !== 'import') || !file) {
    throw new TlsUsageError(
      `usage: examroom keys export FILE | keys import FILE [--force] | keys face-status | keys rotate-face | keys prune-face [reseal]   (passphrase from --passphrase-file FILE, $EXAMROOM_KEYS_PASSPHRASE or the terminal)\nkeys in a bundle: ${KEY_FILES.map((k) => k.id).join(', ')} (those that exist)`,
    );
  }
  const dir = ensureKeysFolder(config.paths.keys);
  if (sub === 'export') {
    const files = collectKeys(dir);
    const passphrase = await readPassphrase(ctx, true);
    const text = sealKeyBundle(files, passphrase, { site: config.site.id, now: ctx.clock.now() });
    writeNewFile(file, Buffer.from(text), 0o600, false);
    const kinds = [...new Set(files.map((f) => f.kind))];
    ctx.audit.append({ actor: ctx.actor, action: 'keys.export', target: resolve(file), detail: { keys: kinds, files: files.map((f) => f.name) } });
    out(`wrote ${resolve(file)}: ${kinds.join(', ')} (${files.length} files), sealed with your passphrase`);
    out('keep it offline (a USB stick in the safe) with the passphrase kept apart; a restore needs both');
    return 0;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValidationError([{ path: file, problem: `cannot read (${(err as Error).message})` }]);
  }
  const header = bundleHeader(text, file);
  if (header.site !== config.site.id && !ctx.values.force) {
    throw new TlsUsageError(
      `${file} holds the keys of site ${header.site}, but this is site ${config.site.id}; give --force if this server really takes over that site`,
    );
  }
  const passphrase = await readPassphrase(ctx, false);
  const { files } = openKeyBundle(text, passphrase, file);
  const r = restoreKeyBundle(dir, files, { force: ctx.values.force ?? false, now: ctx.clock.now() });
  if (r.differing.length > 0 && r.written.length === 0) {
    throw new TlsUsageError(
      `the keys folder ${dir} already holds other ${r.differing.join(', ')} (keys made since, e.g. a new CA after the old one was lost). ` +
        "Give --force to restore the bundle's keys (the current ones are kept beside them as NAME.replaced-TIME); PCs that trusted the old CA trust it again.",
    );
  }
  ctx.audit.append({
    actor: ctx.actor,
    action: 'keys.import',
    target: resolve(file),
    detail: { site: header.site, keys: header.keys, written: r.written, unchanged: r.unchanged, replaced: r.differing },
  });
  out(
    `restored into ${dir}: ${r.written.length ? r.written.join(', ') : 'nothing new'}${r.unchanged.length ? `; already there: ${r.unchanged.join(', ')}` : ''}${r.differing.length ? `; replaced: ${r.differing.join(', ')}` : ''}`,
  );
  out('restart the service (systemctl restart examroom) so it serves with the restored keys');
  return 0;
}

/** Creates a file that must not exist yet (O_EXCL, no symlink followed): an export never overwrites a bundle. */
function writeNewFile(file: string, data: Buffer, mode: number, overwrite: boolean): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (overwrite ? constants.O_TRUNC : constants.O_EXCL), mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError([
      {
        path: file,
        problem: code === 'EEXIST' ? 'already exists; choose another name (an export never overwrites a file)' : `cannot write (${(err as Error).message})`,
      },
    ]);
  }
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

export async function readPassphrase(ctx: Pick<TlsCliContext, 'values'>, confirm: boolean): Promise<string> {
  let p: string | undefined;
  const fromFile = ctx.values['passphrase-file'];
  if (fromFile) {
    try {
      p = readFileSync(fromFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new ValidationError([{ path: '--passphrase-file', problem: `cannot read (${(err as Error).message})`, got: fromFile }]);
    }
  } else if (process.env.EXAMROOM_KEYS_PASSPHRASE) {
    p = process.env.EXAMROOM_KEYS_PASSPHRASE;
  } else {
    if (!process.stdin.isTTY)
      throw new TlsUsageError('no passphrase: give --passphrase-file FILE or set EXAMROOM_KEYS_PASSPHRASE (there is no terminal to ask on)');
    p = await ask('key bundle passphrase: ');
    if (confirm && (await ask('again: ')) !== p) throw new TlsUsageError('the two passphrases differ');
  }
  const problem = confirm ? passphraseProblem(p) : null;
  if (problem) throw new ValidationError([{ path: 'passphrase', problem }]);
  return p;
}

function ask(question: string): Promise<string> {
  return new Promise((done) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Echo off: only the question itself is written, never the typed characters.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      done(answer);
    });
  });
}
