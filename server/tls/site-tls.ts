// The site's TLS: the site CA and server certificate the appliance makes and renews itself (tls:
// site-ca), or a certificate the site named (tls: {cert, key}), checked at start-up.
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import type { Config } from '../../config/index.ts';
import { ConfigError } from '../../config/index.ts';
import type { Clock } from '../../core/index.ts';
import { KeysFolderError, ensureKeysFolder, readKeyFile, writeKeyFile, type Db } from '../../storage/index.ts';
import { issueCertificate, verifyCertificate } from './openssl.ts';
import { caScope, certificateNames, nameConstraintsLine, namesOfSan, sameNames, type CertNames } from './names.ts';

const DAY = 86_400_000;
/** Apple and Chromium cap TLS server certificates at 398 days; one day less leaves no doubt. */
export const SERVER_CERT_DAYS = 397;
/** Renewed this long before expiry, so a failing renewal has a month of daily warnings before it matters. */
export const RENEW_BEFORE_DAYS = 30;
/** The CA lives as long as the appliance: every PC trusts it once. */
export const CA_DAYS = 20 * 365 + 5;
/** Backdated so a PC whose clock runs a little behind still accepts a certificate issued a minute ago. */
const BACKDATE_MS = 3_600_000;

export const CA_KEY = 'site-ca.key';
export const CA_CERT = 'site-ca.crt';
export const SERVER_KEY = 'server.key';
export const SERVER_CERT = 'server.crt';

export type CaReason = 'first' | 'lost' | 'replaced' | 'scope' | 'restored';

export interface CertificateInfo {
  /** site-ca, server (made here) or site (named by the site). */
  name: 'site-ca' | 'server' | 'site';
  file: string;
  subject: string;
  names: CertNames;
  notBefore: number;
  notAfter: number;
  fingerprint256: string;
}

export type TlsEvent =
  | { kind: 'ca.created'; fingerprint: string; reason: CaReason; previous: string | null }
  | { kind: 'server.issued'; fingerprint: string; reason: string; notAfter: number; names: CertNames };

export interface SiteTls {
  mode: 'site-ca' | 'site-certificate';
  /** The key and certificate the HTTPS server presents now. */
  context(): { key: string; cert: string };
  /** The site CA (PEM), null with a site-named certificate. */
  caPem(): string | null;
  certificates(): CertificateInfo[];
  /** When the current CA replaced an earlier one the PCs trusted (lost keys, names outside its scope). */
  caReplacement(): { since: number; reason: CaReason; fingerprint: string; previous: string } | null;
  /**
   * Renews what is due (or everything, with force) and reloads files changed on disk (`examroom tls
   * renew` beside the running server). changed = the HTTPS server must take the new context.
   */
  refresh(opts?: { force?: boolean }): Promise<{ changed: boolean; events: TlsEvent[] }>;
}

export interface TlsDeps {
  config: Config;
  db: Db;
  clock: Clock;
  /** The host's interfaces (tests pass their own); default os.networkInterfaces(). */
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export function certificateInfo(name: CertificateInfo['name'], file: string, pem: string | Buffer): CertificateInfo {
  const x = new X509Certificate(pem);
  return {
    name,
    file,
    subject: x.subject.replace(/\n/g, ', '),
    names: namesOfSan(x.subjectAltName),
    notBefore: Date.parse(x.validFrom),
    notAfter: Date.parse(x.validTo),
    fingerprint256: x.fingerprint256,
  };
}

/**
 * The site's TLS as it stands, or null when the config asks for plain HTTP; makes and renews nothing
 * (the site CA mode only creates the keys folder). A site-named certificate is checked here.
 */
export function openSiteTls(deps: TlsDeps): SiteTls | null {
  if (deps.config.server.tls) return siteCertificate(deps);
  return deps.config.server.siteCa ? createSiteCa(deps) : null;
}

/** Builds the site's TLS for serving: makes the CA and server certificate when missing or due. Start-up errors name the file and the problem. */
export async function prepareSiteTls(deps: TlsDeps, opts: { force?: boolean } = {}): Promise<{ tls: SiteTls | null; events: TlsEvent[] }> {
  const tls = openSiteTls(deps);
  if (!tls || tls.mode === 'site-certificate') return { tls, events: [] };
  const { events } = await tls.refresh(opts);
  return { tls, events };
}

// ---- a certificate the site named --------------------------------------------------------------

function siteCertificate({ config, clock }: TlsDeps): SiteTls {
  const files = config.server.tls!;
  const load = () => {
    const problems: { path: string; problem: string; got?: unknown }[] = [];
    let cert: Buffer, key: Buffer;
    try {
      cert = readFileSync(files.cert);
      key = readFileSync(files.key);
    } catch (err) {
      throw new ConfigError(config.file ?? '(config)', [{ path: 'server.tls', problem: `cannot read (${(err as Error).message})` }]);
    }
    let x: X509Certificate | null = null;
    try {
      x = new X509Certificate(cert);
    } catch (err) {
      problems.push({ path: 'server.tls.cert', problem: `${files.cert} is not a PEM certificate (${(err as Error).message})`, got: files.cert });
    }
    let privateKey;
    try {
      privateKey = createPrivateKey(key);
    } catch (err) {
      problems.push({
        path: 'server.tls.key',
        problem: `${files.key} is not a readable unencrypted PEM private key (${(err as Error).message})`,
        got: files.key,
      });
    }
    if (x && privateKey && !x.checkPrivateKey(privateKey)) {
      problems.push({
        path: 'server.tls.key',
        problem: `${files.key} is not the key of the certificate ${files.cert} (wrong key: they do not match)`,
        got: files.key,
      });
    }
    const now = clock.now();
    if (x && Date.parse(x.validTo) <= now) {
      problems.push({
        path: 'server.tls.cert',
        problem: `${files.cert} expired on ${new Date(x.validTo).toISOString()} (server clock ${new Date(now).toISOString()}); browsers refuse it: renew it, or use tls: site-ca`,
        got: files.cert,
      });
    } else if (x && Date.parse(x.validFrom) > now) {
      problems.push({
        path: 'server.tls.cert',
        problem: `${files.cert} is not valid until ${new Date(x.validFrom).toISOString()} (server clock ${new Date(now).toISOString()})`,
        got: files.cert,
      });
    }
    if (problems.length > 0) throw new ConfigError(config.file ?? '(config)', problems);
    return { key: key.toString('utf8'), cert: cert.toString('utf8'), info: certificateInfo('site', files.cert, cert) };
  };
  let current = load();
  return {
    mode: 'site-certificate',
    context: () => ({ key: current.key, cert: current.cert }),
    caPem: () => null,
    certificates: () => [current.info],
    caReplacement: () => null,
    async refresh() {
      // A site that replaces its files gets them served without a restart, once they check out.
      let next;
      try {
        next = load();
      } catch {
        return { changed: false, events: [] };
      }
      const changed = next.info.fingerprint256 !== current.info.fingerprint256 || next.key !== current.key;
      current = next;
      return { changed, events: [] };
    },
  };
}

// ---- the appliance's own site CA -----------------------------------------------------------------

interface HistoryRow {
  seq: number;
  fingerprint: string;
  since: number;
  reason: CaReason;
}

function createSiteCa({ config, db, clock, interfaces }: TlsDeps): SiteTls {
  const dir = ensureKeysFolder(config.paths.keys);
  const file = (name: string) => join(dir, name);
  const history = () => db.prepare<[], HistoryRow>('SELECT seq, fingerprint, since, reason FROM tls_ca_history ORDER BY seq').all();
  const record = db.prepare('INSERT INTO tls_ca_history (fingerprint, since, reason) VALUES (?, ?, ?)');
  let served: { key: string; cert: string } | null = null;

  const newKey = (name: string) => {
    // ECDSA P-256: accepted by every browser and by Windows 7-era schannel; PKCS#8 PEM as openssl reads it.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeKeyFile(dir, name, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  };

  const makeCa = async (names: CertNames, reason: CaReason, previous: string | null): Promise<TlsEvent> => {
    const now = clock.now();
    newKey(CA_KEY);
    const scope = caScope(names, interfaces);
    // O= the site's name, so a PC's certificate list says whose CA it is; the date tells two CAs apart.
    const org = config.site.name.replace(/[/\\=+,"<>;]/g, ' ').trim() || config.site.id;
    const pem = await issueCertificate({
      keyFile: file(CA_KEY),
      subject: `/O=${org}/CN=examroom site CA ${config.site.id} ${new Date(now).toISOString().slice(0, 10)}`,
      notBefore: now - BACKDATE_MS,
      notAfter: now + CA_DAYS * DAY,
      extensions: [
        'basicConstraints = critical, CA:TRUE, pathlen:0',
        'keyUsage = critical, keyCertSign, cRLSign',
        'subjectKeyIdentifier = hash',
        nameConstraintsLine(scope),
      ].join('\n'),
    });
    writeKeyFile(dir, CA_CERT, pem);
    const fp = new X509Certificate(pem).fingerprint256;
    record.run(fp, now, reason);
    return { kind: 'ca.created', fingerprint: fp, reason, previous };
  };

  const issueServer = async (names: CertNames, reason: string): Promise<TlsEvent> => {
    const now = clock.now();
    newKey(SERVER_KEY);
    const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((ip) => `IP:${ip}`)].join(', ');
    const pem = await issueCertificate({
      keyFile: file(SERVER_KEY),
      // Not a host name on purpose: verifiers then check only the SAN list against the CA's constraints.
      subject: `/O=examroom/CN=examroom server ${config.site.id}`,
      notBefore: now - BACKDATE_MS,
      notAfter: now + SERVER_CERT_DAYS * DAY,
      extensions: [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        `subjectAltName = ${san}`,
      ].join('\n'),
      issuer: { keyFile: file(CA_KEY), certFile: file(CA_CERT) },
    });
    writeKeyFile(dir, SERVER_CERT, pem);
    const info = certificateInfo('server', file(SERVER_CERT), pem);
    return { kind: 'server.issued', fingerprint: info.fingerprint256, reason, notAfter: info.notAfter, names };
  };

  /** Why the server certificate must be issued again, or null when it is good. */
  const serverProblem = async (names: CertNames, now: number): Promise<string | null> => {
    const certPem = readKeyFile(dir, SERVER_CERT);
    const keyPem = readKeyFile(dir, SERVER_KEY);
    if (!certPem || !keyPem) return 'none yet';
    let x: X509Certificate;
    try {
      x = new X509Certificate(certPem);
      if (!x.checkPrivateKey(createPrivateKey(keyPem))) return 'its key does not match';
    } catch (err) {
      return `unreadable (${(err as Error).message})`;
    }
    if (!sameNames(namesOfSan(x.subjectAltName), names)) return 'the names changed';
    if (Date.parse(x.validTo) - now < RENEW_BEFORE_DAYS * DAY) return `it expires ${new Date(x.validTo).toISOString()}, within ${RENEW_BEFORE_DAYS} days`;
    const bad = await verifyCertificate(file(CA_CERT), file(SERVER_CERT), now);
    return bad ? `it does not verify against the site CA (${bad})` : null;
  };

  const tls: SiteTls = {
    mode: 'site-ca',
    context() {
      if (!served) throw new Error('site TLS not prepared');
      return served;
    },
    caPem: () => readKeyFile(dir, CA_CERT)?.toString('utf8') ?? null,
    certificates() {
      const out: CertificateInfo[] = [];
      for (const [name, f] of [
        ['site-ca', CA_CERT],
        ['server', SERVER_CERT],
      ] as const) {
        const pem = readKeyFile(dir, f);
        if (pem) out.push(certificateInfo(name, file(f), pem));
      }
      return out;
    },
    caReplacement() {
      const rows = history();
      // A CA restored from the bundle but not yet served (no restart yet) already counts: it is one the PCs trust.
      const onDisk = readKeyFile(dir, CA_CERT);
      const fp = onDisk ? new X509Certificate(onDisk).fingerprint256 : null;
      if (
        fp &&
        rows.at(-1)?.fingerprint !== fp &&
        rows.some((r) => r.fingerprint === fp && r.reason !== 'lost' && r.reason !== 'replaced' && r.reason !== 'scope')
      )
        return null;
      const last = rows.at(-1);
      if (!last || last.reason === 'first' || last.reason === 'restored' || rows.length < 2) return null;
      return { since: last.since, reason: last.reason, fingerprint: last.fingerprint, previous: rows.at(-2)!.fingerprint };
    },
    async refresh(opts = {}) {
      const events: TlsEvent[] = [];
      const names = certificateNames(config.server.names, interfaces);
      if (names.dns.length === 0 && names.ips.length === 0) {
        throw new ConfigError(config.file ?? '(config)', [
          { path: 'server.names', problem: 'is empty and this host has no LAN address: list the names or addresses PCs reach the appliance by' },
        ]);
      }
      const rows = history();
      const last = rows.at(-1) ?? null;
      const caKey = readKeyFile(dir, CA_KEY);
      const caCert = readKeyFile(dir, CA_CERT);
      if (!caKey || !caCert) {
        // The data folder remembers a CA the keys folder no longer has: the PCs trust a CA that is gone.
        events.push(await makeCa(names, last ? 'lost' : 'first', last?.fingerprint ?? null));
      } else {
        const x = new X509Certificate(caCert);
        if (!x.checkPrivateKey(createPrivateKey(caKey)))
          throw new KeysFolderError(dir, `${CA_KEY} is not the key of ${CA_CERT}; restore both from the key bundle (examroom keys import --force)`);
        if (last?.fingerprint !== x.fingerprint256) {
          const reason: CaReason = !last ? 'first' : rows.some((r) => r.fingerprint === x.fingerprint256) ? 'restored' : 'replaced';
          record.run(x.fingerprint256, clock.now(), reason);
          events.push({ kind: 'ca.created', fingerprint: x.fingerprint256, reason, previous: last?.fingerprint ?? null });
        }
      }
      const now = clock.now();
      const problem = opts.force ? 'renewal asked for' : await serverProblem(names, now);
      if (problem) {
        events.push(await issueServer(names, problem));
        const bad = await verifyCertificate(file(CA_CERT), file(SERVER_CERT), now);
        if (bad && /subtree|name constraint/i.test(bad)) {
          // The names left the CA's scope (a new name or network): only a new CA can vouch for them.
          const before = new X509Certificate(readKeyFile(dir, CA_CERT)!).fingerprint256;
          events.push(await makeCa(names, 'scope', before));
          events.push(await issueServer(names, 'the site CA was made again for the new names'));
        } else if (bad) {
          throw new Error(`the server certificate just issued does not verify against the site CA: ${bad}`);
        }
      }
      const next = { key: readKeyFile(dir, SERVER_KEY)!.toString('utf8'), cert: readKeyFile(dir, SERVER_CERT)!.toString('utf8') };
      const changed = !served || served.cert !== next.cert || served.key !== next.key;
      served = next;
      return { changed, events };
    },
  };
  return tls;
}
