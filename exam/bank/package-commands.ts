// `examroom bank keygen|sign|accept|sync`: the central bank's tools (a signing key, a signed package)
// and the site's (install a package file carried on a USB stick, pull from the central bank now).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DomainError, ValidationError, formatProblem } from '../../core/index.ts';
import type { CliCommand, CliContext } from '../cli.ts';
import {
  PackageAlreadyInstalled,
  describeVersion,
  generateSigningKey,
  packageDigest,
  publicKeyConfigLine,
  signPackage,
  type InstalledPackage,
} from './packages.ts';
import { SyncFailed } from './sync.ts';

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A refusal as staff read it: the one-line reason, then each problem not already said in it. */
function report(ctx: CliContext, err: unknown, context = ''): number {
  if (!(err instanceof DomainError)) throw err;
  ctx.err(`examroom: ${context}${err.message}`);
  if (err instanceof ValidationError) for (const p of err.problems) if (!err.message.includes(p.problem)) ctx.err(`  ${formatProblem(p)}`);
  return 1;
}

function readInput(ctx: CliContext, file: string, what: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    ctx.err(`examroom: cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    return null;
  }
}

function installedLine(r: InstalledPackage): string {
  return `installed version ${describeVersion(r.version)}; publisher ${r.publisher}, sequence ${r.sequence}, signed by ${r.keyId}`;
}

export const bankKeygen: CliCommand = {
  name: 'bank keygen',
  standalone: true,
  usage: 'bank keygen [--key-id ID] [--out DIR]    (central bank) an Ed25519 signing key pair; prints the config line for sites',
  options: { 'key-id': { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const keyId = str(ctx.values['key-id']) ?? `bank-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    if (!KEY_ID.test(keyId)) {
      ctx.err(`examroom: --key-id must be letters, digits, _ . - (max 64) (got ${JSON.stringify(keyId)})`);
      return 1;
    }
    const dir = resolve(str(ctx.values.out) ?? '.');
    const privateFile = join(dir, `${keyId}.private.pem`);
    const publicFile = join(dir, `${keyId}.public.pem`);
    // A signing key is never overwritten: losing it would orphan every site that trusts it.
    for (const f of [privateFile, publicFile]) {
      if (existsSync(f)) {
        ctx.err(`examroom: ${f} already exists; choose another --key-id or --out (keys are never overwritten)`);
        return 1;
      }
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateSigningKey(keyId);
    writeFileSync(privateFile, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
    writeFileSync(publicFile, pair.publicKeyPem, { mode: 0o644, flag: 'wx' });
    ctx.out(`private key ${privateFile} (keep it at the central bank, readable by you only: it signs packages)`);
    ctx.out(`public key  ${publicFile}`);
    ctx.out('sites that should trust it add under bank.publicKeys in their config:');
    ctx.out(`  ${publicKeyConfigLine(keyId, pair.publicKeyBase64)}`);
    return 0;
  },
};

export const bankSign: CliCommand = {
  name: 'bank sign',
  standalone: true,
  usage: 'bank sign FILE --key ID.private.pem [--key-id ID] [--out FILE]   (central bank) check a package, then sign it',
  options: { key: { type: 'string' }, 'key-id': { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const file = ctx.args[0];
    const keyFile = str(ctx.values.key);
    if (!file || ctx.args.length > 1 || !keyFile) {
      ctx.err('usage: examroom bank sign FILE --key PRIVATE.pem [--key-id ID] [--out FILE]');
      return 1;
    }
    const keyId = str(ctx.values['key-id']) ?? /([^/]+)\.private\.pem$/.exec(keyFile)?.[1];
    if (!keyId) {
      ctx.err(`examroom: --key-id is needed: the key file ${keyFile} is not named ID.private.pem`);
      return 1;
    }
    const text = readInput(ctx, file, 'package');
    const pem = readInput(ctx, keyFile, 'private key');
    if (!text || !pem) return 1;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text.toString('utf8').replace(/^\uFEFF/, ''));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the file must hold one JSON object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      ctx.err(`examroom: ${file} is not a package: ${(err as Error).message}`);
      return 1;
    }
    let signed;
    try {
      signed = signPackage(body, pem.toString('utf8'), keyId);
    } catch (err) {
      return report(ctx, err, `${file}: `);
    }
    const out = resolve(str(ctx.values.out) ?? `${file.replace(/\.json$/i, '')}.signed.json`);
    writeFileSync(out, `${JSON.stringify(signed, null, 2)}\n`);
    const templates = signed.templates.length;
    ctx.out(
      `signed ${signed.version} (sequence ${signed.sequence}, publisher ${signed.publisher}): ${signed.questions.length} questions, ${templates} template${templates === 1 ? '' : 's'}, key ${keyId}`,
    );
    ctx.out(`wrote ${out}`);
    ctx.out(`sha256 ${packageDigest(signed)}`);
    return 0;
  },
};

export const bankAccept: CliCommand = {
  name: 'bank accept',
  usage: 'bank accept FILE                         install a signed bank package file (from a USB stick, say)',
  async run(ctx) {
    const file = ctx.args[0];
    if (!file || ctx.args.length > 1) {
      ctx.err('usage: examroom bank accept FILE');
      return 1;
    }
    const bytes = readInput(ctx, file, 'package');
    if (!bytes) return 1;
    try {
      ctx.out(installedLine(ctx.exam.packages.accept(bytes, { actor: ctx.actor, source: 'file' })));
      return 0;
    } catch (err) {
      // Running the same install twice (a script, a second USB stick) is not an error worth exit 1.
      if (err instanceof PackageAlreadyInstalled) {
        ctx.out(`already installed: version ${describeVersion(err.installed)}`);
        return 0;
      }
      return report(ctx, err, `${file} refused: `);
    }
  },
};

export const bankSync: CliCommand = {
  name: 'bank sync',
  usage: 'bank sync                                pull the newest package from bank.centralUrl now',
  async run(ctx) {
    try {
      const r = await ctx.exam.bankSync.syncNow({ actor: ctx.actor });
      ctx.out(r.status === 'installed' ? installedLine(r) : `up to date (version ${r.version ?? 'none'})`);
      return 0;
    } catch (err) {
      if (err instanceof SyncFailed || !ctx.exam.bankSync.url()) return report(ctx, err);
      return report(ctx, err, `the package from ${ctx.exam.bankSync.url() ?? 'the central bank'} was refused: `);
    }
  },
};

export const bankPackageCommands: CliCommand[] = [bankKeygen, bankSign, bankAccept, bankSync];
