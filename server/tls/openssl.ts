// Issues and checks certificates with the openssl command (OpenSSL 3), chosen over @peculiar/x509 in
// docs/security.md ("Why the openssl command"): name constraints are one config line, no npm package
// and no global reflect-metadata polyfill enter the server, and it is the same tool the tests verify with.
// `openssl ca` (not `x509 -req`) is used because it takes the validity dates from us: the server's
// Clock decides them, as it decides everything else.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../core/index.ts';

export class OpensslError extends DomainError {
  override readonly code = 'openssl';
  constructor(
    readonly step: string,
    readonly stderr: string,
  ) {
    super(`openssl ${step} failed: ${stderr.trim().split('\n').slice(0, 3).join(' / ') || 'no output'}`);
    this.name = 'OpensslError';
  }
}

function run(args: string[], step: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          missing ? new OpensslError(step, 'the openssl command is not installed (apt-get install openssl)') : new OpensslError(step, stderr || err.message),
        );
      } else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** openssl's date form for -startdate/-enddate: GeneralizedTime, UTC, whole seconds. */
function asn1Time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export interface IssueRequest {
  /** The new certificate's private key (PEM file). */
  keyFile: string;
  subject: string;
  notBefore: number;
  notAfter: number;
  /** The body of the v3 extensions section (one `name = value` per line). */
  extensions: string;
  /** The issuing CA; absent = self-signed (the site CA itself). */
  issuer?: { keyFile: string; certFile: string };
}

/** Returns the new certificate as PEM. Nothing but a scratch folder outlives the call, and it holds no key. */
export async function issueCertificate(req: IssueRequest): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'examroom-tls-'));
  try {
    const cnf = join(dir, 'openssl.cnf');
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), `${(randomBytes(16)[0]! & 0x7f).toString(16).padStart(2, '0')}${randomBytes(15).toString('hex')}\n`);
    writeFileSync(
      cnf,
      [
        '[ ca ]',
        'default_ca = site',
        '[ site ]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir',
        'serial = $dir/serial',
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'copy_extensions = none',
        'email_in_dn = no',
        '[ any ]',
        'commonName = supplied',
        'organizationName = optional',
        '[ req ]',
        'distinguished_name = dn',
        '[ dn ]',
        '[ ext ]',
        req.extensions,
        '',
      ].join('\n'),
    );
    const csr = join(dir, 'req.csr');
    const out = join(dir, 'out.crt');
    await run(['req', '-new', '-config', cnf, '-utf8', '-key', req.keyFile, '-subj', req.subject, '-out', csr], 'req');
    const signer = req.issuer ? ['-keyfile', req.issuer.keyFile, '-cert', req.issuer.certFile] : ['-selfsign', '-keyfile', req.keyFile];
    await run(
      [
        'ca',
        '-batch',
        '-config',
        cnf,
        '-utf8',
        '-notext',
        '-in',
        csr,
        '-out',
        out,
        '-extensions',
        'ext',
        '-startdate',
        asn1Time(req.notBefore),
        '-enddate',
        asn1Time(req.notAfter),
        ...signer,
      ],
      'ca',
    );
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * openssl verify of a server certificate against the CA at a given moment (the server's clock).
 * Returns null when it verifies, else openssl's reason (e.g. "permitted subtree violation").
 */
export async function verifyCertificate(caFile: string, certFile: string, at: number): Promise<string | null> {
  try {
    await run(['verify', '-x509_strict', '-purpose', 'sslserver', '-attime', String(Math.floor(at / 1000)), '-CAfile', caFile, certFile], 'verify');
    return null;
  } catch (err) {
    if (!(err instanceof OpensslError) || /not installed/.test(err.stderr)) throw err;
    return /error \d+ at \d+ depth lookup: (.+)/.exec(err.stderr)?.[1] ?? err.stderr.trim().split('\n')[0] ?? 'does not verify';
  }
}
