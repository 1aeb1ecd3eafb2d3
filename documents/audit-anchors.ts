// Audit anchors: the audit log's head — entry number, hash, entry count, time — signed with the site key
// (Ed25519, documents/signing.ts) and written OUTSIDE the database, one line each, appended and fsynced
// to the data folder's anchors/audit-anchors.jsonl. Results packages and archive manifests carry the
// latest one off the machine. Someone who rewrites the log (even with the audit key) cannot make an
// anchor's entry show the same hash again, and cannot sign a new anchor without the site key.
// Anchors are numbered and each names the one before it, so a line removed from the middle shows too.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../core/index.ts';
import type { AuditLog, ChainEpoch, Db } from '../storage/index.ts';
import { loadSiteSigner, parsePublicKey, verifySignature, type SiteSigner } from './signing.ts';

export const ANCHOR_FORMAT = 'examroom-audit-anchor/1';
export const ANCHORS_FILE = 'audit-anchors.jsonl';
const GENESIS = '0'.repeat(64);

export type AnchorReason = 'start' | 'stop' | 'entries' | 'interval' | 'package' | 'archive' | 'bank' | 'cli';

export interface AuditAnchor {
  format: typeof ANCHOR_FORMAT;
  site: string;
  /** 1, 2, 3 … in this site's anchor file. */
  n: number;
  /** The log's newest entry when the anchor was made (0 for an empty log) and its hash. */
  seq: number;
  hash: string;
  /** Entries in the log then: a removed entry leaves the count short even where the numbers were rewritten. */
  count: number;
  /** Server time, ISO 8601 UTC. */
  at: string;
  /** Where the chain switches to HMAC, and with which key (by id). */
  keyed: ChainEpoch[];
  /** High-water marks kept outside the log (`bank:PUBLISHER` → sequence); each only ever grows. */
  marks: Record<string, number>;
  reason: AnchorReason;
  /** SHA-256 of the previous anchor's line (without its newline); zeros for the first. */
  prev: string;
  /** The site signing key's id; `sig` is Ed25519 over canonicalAnchor(anchor without sig). */
  keyId: string;
  sig: string;
}

export type UnsignedAnchor = Omit<AuditAnchor, 'sig'>;

/** Sorted keys, no spaces (JCS for the values an anchor holds): what the signature covers. */
export function canonicalAnchor(a: UnsignedAnchor): Buffer {
  const canon = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return Buffer.from(canon(a));
}

export interface AnchorLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  anchor: AuditAnchor | null;
  /** Why this line cannot be trusted (damaged, not signed by this site's key); null when it holds. */
  problem: string | null;
}

export interface AnchorFile {
  file: string;
  exists: boolean;
  lines: AnchorLine[];
}

export interface AuditAnchorsDeps {
  db: Db;
  audit: AuditLog;
  /** The data folder's anchors directory (DataPaths.anchors). */
  dir: string;
  keysDir: string;
  clock: Clock;
  siteId: string;
  /** The current high-water marks other modules keep (the bank package sequence per publisher). */
  marks?: () => Record<string, number>;
  log?: { info(o: object, m: string): void; error(o: object, m: string): void };
}

const lineHash = (text: string) => createHash('sha256').update(text).digest('hex');

function shapeProblem(v: unknown): string | null {
  const a = v as Partial<AuditAnchor> | null;
  if (!a || typeof a !== 'object') return 'is not an anchor';
  if (a.format !== ANCHOR_FORMAT) return `is not an audit anchor (format ${JSON.stringify(a.format)})`;
  const ints = ['n', 'seq', 'count'] as const;
  for (const k of ints) if (!Number.isSafeInteger(a[k]) || (a[k] as number) < 0) return `has no whole number ${k}`;
  if (typeof a.hash !== 'string' || !/^[0-9a-f]{64}$/.test(a.hash)) return 'has no head hash';
  if (typeof a.prev !== 'string' || !/^[0-9a-f]{64}$/.test(a.prev)) return 'has no link to the anchor before it';
  if (typeof a.sig !== 'string' || typeof a.keyId !== 'string' || typeof a.at !== 'string') return 'is not signed';
  if (!Array.isArray(a.keyed) || a.marks === null || typeof a.marks !== 'object') return 'is missing its chain or marks';
  return null;
}

/** Checks an anchor's signature against the site's key; null when it holds. */
export function anchorSignatureProblem(a: AuditAnchor, signer: Pick<SiteSigner, 'keyId' | 'publicKeyRaw'>): string | null {
  if (a.keyId !== signer.keyId) return `is signed by key ${a.keyId}, not this site's signing key ${signer.keyId}`;
  const { sig, ...body } = a;
  const { key } = parsePublicKey(signer.publicKeyRaw);
  return verifySignature(key, canonicalAnchor(body), Buffer.from(sig, 'base64')) ? null : 'has a signature that does not match its content (altered)';
}

export function createAuditAnchors(deps: AuditAnchorsDeps) {
  const { db, audit, clock } = deps;
  const file = join(deps.dir, ANCHORS_FILE);
  let signer: SiteSigner | null = null;
  const signerOf = () => (signer ??= loadSiteSigner(deps.keysDir));

  /** The file's last line that parses as an anchor (signature not checked), and whether the file ends mid-line. */
  function tail(): { last: { text: string; anchor: AuditAnchor } | null; endsClean: boolean } {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { last: null, endsClean: true };
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      // An anchor line is well under 4 KiB; 64 KiB reaches past a damaged tail.
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const text = buf.toString('utf8');
      const lines = text.split('\n');
      const endsClean = size === 0 || text.endsWith('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const l = lines[i]!;
        if (!l.trim()) continue;
        try {
          const a = JSON.parse(l) as AuditAnchor;
          if (shapeProblem(a) === null) return { last: { text: l, anchor: a }, endsClean };
        } catch {
          // A torn or altered line: the verifier reports it; the next anchor links to the last good one.
        }
      }
      return { last: null, endsClean };
    } finally {
      closeSync(fd);
    }
  }

  function appendLine(line: string, endsClean: boolean): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
    const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o640);
    const created = fstatSync(fd).size === 0;
    try {
      // A line torn by a power cut stays where it is (evidence); the new one starts on its own line.
      writeSync(fd, `${endsClean ? '' : '\n'}${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (created) {
      const dfd = openSync(dirname(file), constants.O_RDONLY);
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    }
  }

  const sameKeyed = (a: ChainEpoch[], b: ChainEpoch[]) => JSON.stringify(a) === JSON.stringify(b);
  const marksGrew = (before: Record<string, number>, now: Record<string, number>) => Object.entries(now).some(([k, v]) => v > (before[k] ?? -1));

  /**
   * Writes an anchor of the log as it is now, unless the newest anchor already says the same (then
   * that one is returned). The database's write lock is held meanwhile, so the server and a CLI command
   * cannot give two anchors the same number, and no entry lands between reading the head and signing it.
   */
  function write(reason: AnchorReason, opts: { force?: boolean } = {}): AuditAnchor {
    const s = signerOf();
    return db
      .transaction((): AuditAnchor => {
        const head = audit.head();
        const { last, endsClean } = tail();
        const prevMarks = last?.anchor.marks ?? {};
        // Marks only grow: carried over from the last anchor, so a process that does not know them (a CLI) keeps them.
        const current = deps.marks?.() ?? {};
        const marks: Record<string, number> = { ...prevMarks };
        for (const [k, v] of Object.entries(current)) marks[k] = Math.max(v, marks[k] ?? 0);
        if (
          !opts.force &&
          last &&
          last.anchor.seq === head.seq &&
          last.anchor.hash === head.hash &&
          sameKeyed(last.anchor.keyed, head.keyed) &&
          !marksGrew(prevMarks, marks) &&
          last.anchor.keyId === s.keyId
        )
          return last.anchor;
        const body: UnsignedAnchor = {
          format: ANCHOR_FORMAT,
          site: deps.siteId,
          n: (last?.anchor.n ?? 0) + 1,
          seq: head.seq,
          hash: head.hash,
          count: head.count,
          at: new Date(clock.now()).toISOString(),
          keyed: head.keyed,
          marks,
          reason,
          prev: last ? lineHash(last.text) : GENESIS,
          keyId: s.keyId,
        };
        const anchor: AuditAnchor = { ...body, sig: s.sign(canonicalAnchor(body)).toString('base64') };
        appendLine(JSON.stringify(anchor), endsClean);
        return anchor;
      })
      .immediate();
  }

  /** Every line of the file, each checked on its own: shape and signature. Links are the verifier's. */
  function read(): AnchorFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false, lines: [] };
      throw err;
    }
    const s = signerOf();
    const lines: AnchorLine[] = [];
    text.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      let anchor: AuditAnchor | null = null;
      let problem: string | null;
      try {
        const v = JSON.parse(raw) as AuditAnchor;
        problem = shapeProblem(v);
        if (!problem) {
          anchor = v;
          problem = anchorSignatureProblem(v, s);
        }
      } catch {
        problem = 'is not a complete anchor (damaged or cut short)';
      }
      lines.push({ line: i + 1, text: raw, anchor, problem });
    });
    return { file, exists: true, lines };
  }

  /** The newest anchor whose signature holds, or null. */
  function latest(): AuditAnchor | null {
    const { last } = tail();
    if (!last) return null;
    return anchorSignatureProblem(last.anchor, signerOf()) === null ? last.anchor : null;
  }

  let interval: NodeJS.Timeout | null = null;
  let soon: NodeJS.Immediate | null = null;
  let lastSeq = -1;
  let everyEntries = Infinity;

  /** Writes an anchor on the next turn: the entry that asked for it may sit in a transaction not yet committed. */
  function writeSoon(reason: AnchorReason): void {
    if (soon) return;
    soon = setImmediate(() => {
      soon = null;
      safeWrite(reason);
    });
  }

  function safeWrite(reason: AnchorReason): AuditAnchor | null {
    try {
      const a = write(reason);
      lastSeq = a.seq;
      return a;
    } catch (err) {
      // The log itself goes on: an exam does not stop because the anchors folder is full.
      deps.log?.error({ err, file }, 'audit anchor could not be written');
      return null;
    }
  }

  return {
    file,
    write,
    read,
    latest,
    /**
     * The anchor to send or archive now: a new one when the log moved since the last, else the last.
     * Falls back to the last good one when a new one cannot be written (the reason is logged).
     */
    current(reason: AnchorReason): AuditAnchor | null {
      return safeWrite(reason) ?? latest();
    },
    /** The server's schedule: an anchor at start, every `everyEntries` entries, every `everyMinutes`, and at stop. */
    start(o: { everyEntries: number; everyMinutes: number }): void {
      everyEntries = o.everyEntries;
      safeWrite('start');
      interval = setInterval(() => safeWrite('interval'), o.everyMinutes * 60_000);
      interval.unref();
    },
    /** Told of each entry the server appends. */
    appended(e: { seq: number; action: string }, urgent = false): void {
      if (!interval) return;
      if (urgent || e.seq - lastSeq >= everyEntries) writeSoon(urgent ? 'bank' : 'entries');
    },
    stop(): void {
      if (interval) clearInterval(interval);
      interval = null;
      if (soon) clearImmediate(soon);
      soon = null;
      safeWrite('stop');
    },
    /** The site's public signing key, to check anchors that come back (the one last sent upstream). */
    signer: () => signerOf(),
  };
}

export type AuditAnchors = ReturnType<typeof createAuditAnchors>;
