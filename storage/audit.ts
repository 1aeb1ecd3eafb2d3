// The audit log: append-only and hash-chained. Each entry's hash covers its content and the previous
// entry's hash, so altering, removing or reordering any row breaks every link after it. From the
// switch-over point recorded in audit_chain on, the hash is an HMAC-SHA-256 with the audit key
// (storage/audit-key.ts), which lives in the keys folder: someone who can write the database but not read
// that folder can no longer remove an entry and re-hash the rest. Entries from before a key existed keep
// verifying as plain SHA-256 up to that point.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/index.ts';
import { AUDIT_KEY_FILE, AuditKeyError, type AuditKey } from './audit-key.ts';
import type { Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  /** Who: `user:NAME`, `device:ID`, `cli:OSUSER`, `system`. */
  actor: string;
  /** What, dotted: `user.login`, `device.approve`, `media.view.start` … */
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  prevHash: string;
  hash: string;
}

/** One stretch of the chain keyed with one key: from entry `from` until the next epoch. */
export interface ChainEpoch {
  from: number;
  keyId: string;
}

/** What the keyed part of a verdict says: present once the chain is keyed. */
export interface KeyedPart {
  /** The first keyed entry. */
  from: number;
  /** Every keyed entry's HMAC was recomputed; false when this process lacks the key of some stretch. */
  contentChecked: boolean;
  /** What could not be checked and why, in words (only when contentChecked is false). */
  note?: string;
}

export type AuditVerdict = ({ ok: true; checked: number } | { ok: false; checked: number; seq: number; problem: string }) & { keyed?: KeyedPart };

/** The chain's newest entry and its shape, for an anchor. seq 0 and the genesis hash when empty. */
export interface AuditHead {
  seq: number;
  hash: string;
  count: number;
  keyed: ChainEpoch[];
}

/** What the log holds at an entry a caller asks about (an anchor's seq): null hash when it is gone. */
export interface ChainProbe {
  hash: string | null;
  /** Entries with this seq or lower. */
  count: number;
}

/** Newest first; `beforeSeq` pages back. `action` ending in a dot is a prefix (`user.` = every user action). */
export interface AuditListOptions {
  limit?: number;
  beforeSeq?: number;
  action?: string;
  actor?: string;
  target?: string;
  /** At or after, epoch ms. */
  from?: number;
  /** Before, epoch ms. */
  to?: number;
}

export interface AuditLogOptions {
  /** The audit key: given, the chain is keyed from the next entry on (a switch-over is recorded once). */
  key?: AuditKey | null;
  /** false: only read and verify with the key, never record a switch-over (`examroom audit verify`). */
  switchOver?: boolean;
  onAppend?: (e: AuditEntry) => void;
}

export interface AuditLog {
  append(entry: AuditInput): AuditEntry;
  list(opts?: AuditListOptions): AuditEntry[];
  verify(probes?: readonly number[]): AuditVerdict & { probes?: Map<number, ChainProbe> };
  head(): AuditHead;
  /** The key's id when this log keys its entries, else null. */
  readonly keyId: string | null;
  /**
   * An HMAC with the audit key over `[purpose, ...values]`, for a row another module keeps out of the
   * log but must guard the same way (the bank package high-water mark); null without a key.
   */
  seal(purpose: string, values: readonly unknown[]): string | null;
  /** Whether a seal holds; null when this process has no key to tell. */
  checkSeal(purpose: string, values: readonly unknown[], mac: string): boolean | null;
}

interface Row {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

interface EpochRow {
  keyed_from: number;
  key_id: string;
  switched_at: number;
  mac: string;
}

type HashInput = {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
  ip: string | null;
  prevHash: string;
};

// A JSON array is an unambiguous encoding: no field can bleed into the next. An entry's starts with a
// number, an epoch's and a seal's with a string, so no MAC of one can stand for another.
const entryText = (r: HashInput) => JSON.stringify([r.seq, r.at, r.actor, r.action, r.target, r.detail, r.ip, r.prevHash]);
const epochText = (e: EpochRow) => JSON.stringify(['audit-chain', e.keyed_from, e.key_id, e.switched_at]);
const sealText = (purpose: string, values: readonly unknown[]) => JSON.stringify([`seal:${purpose}`, ...values]);

export function entryHash(r: HashInput): string {
  return createHash('sha256').update(entryText(r)).digest('hex');
}

/**
 * A lone UTF-16 surrogate (a JSON body may carry one, e.g. a log-in name "\ud800") cannot be stored as
 * UTF-8: SQLite would keep other characters than the ones hashed, and the entry would read as altered.
 * Each is replaced by U+FFFD before hashing, so what is stored is what was hashed.
 */
const wellFormed = <T extends string | null>(s: T): T =>
  s === null ? s : (s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd') as T);

/** An entry's hash in the keyed part of the chain. */
export function entryMac(key: AuditKey, r: HashInput): string {
  return key.mac(entryText(r));
}

/** The mac a switch-over row carries (tests that rewrite the log as an attacker with the key would). */
export function epochMac(key: AuditKey, e: { keyed_from: number; key_id: string; switched_at: number }): string {
  return key.mac(epochText({ ...e, mac: '' }));
}

// A database below migration 024 (read by `examroom migrate` before it upgrades, or by a test of old
// files) has no switch-over table: its chain is plain SHA-256 throughout.
const hasEpochTable = (db: Db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_chain'").get() !== undefined;
const epochsOf = (db: Db) => (hasEpochTable(db) ? (db.prepare('SELECT * FROM audit_chain ORDER BY keyed_from').all() as EpochRow[]) : []);

export function createAuditLog(db: Db, clock: Clock, opts?: ((e: AuditEntry) => void) | AuditLogOptions): AuditLog {
  const options: AuditLogOptions = typeof opts === 'function' ? { onAppend: opts } : (opts ?? {});
  const key = options.key ?? null;
  const lastRow = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'");
  let epochStmt: { get(): EpochRow | undefined } | null = null;
  const lastEpoch = {
    get(): EpochRow | undefined {
      if (!epochStmt && !hasEpochTable(db)) return undefined;
      epochStmt ??= db.prepare<[], EpochRow>('SELECT * FROM audit_chain ORDER BY keyed_from DESC LIMIT 1');
      return epochStmt.get();
    },
  };
  const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, target, detail, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const nextSeq = () => Math.max(lastRow.get()?.seq ?? 0, sequence.get()?.seq ?? 0) + 1;

  if (key && options.switchOver !== false) {
    // The switch-over: from the next entry on, this key. A key other than the last epoch's (a lost key
    // made anew, a restore of another site's bundle) starts a new epoch rather than stopping the exam
    // day; verification then says which stretch it cannot check for want of its key.
    db.transaction(() => {
      const last = lastEpoch.get();
      if (last?.key_id === key.id) return;
      const e = { keyed_from: nextSeq(), key_id: key.id, switched_at: clock.now() };
      db.prepare('INSERT INTO audit_chain (keyed_from, key_id, switched_at, mac) VALUES (?, ?, ?, ?)').run(
        e.keyed_from,
        e.key_id,
        e.switched_at,
        epochMac(key, e),
      );
    }).immediate();
  }

  const appendTx = db.transaction((input: AuditInput): AuditEntry => {
    const last = lastRow.get();
    const epoch = lastEpoch.get();
    // Read inside the transaction: another process may have keyed the chain since this one started.
    if (epoch && !key)
      throw new AuditKeyError(
        `the audit log is keyed since entry ${epoch.keyed_from}, and this process has no audit key (${AUDIT_KEY_FILE} in the keys folder); run it as the service's user`,
      );
    if (epoch && key && epoch.key_id !== key.id)
      throw new AuditKeyError(`the audit log is keyed with key ${epoch.key_id} since entry ${epoch.keyed_from}; this process holds key ${key.id}: restart it`);
    const seq = Math.max(last?.seq ?? 0, sequence.get()?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const detail = JSON.stringify(input.detail ?? {});
    const row = {
      seq,
      at: clock.now(),
      actor: wellFormed(input.actor),
      action: wellFormed(input.action),
      target: wellFormed(input.target ?? null),
      detail,
      ip: wellFormed(input.ip ?? null),
      prevHash,
    };
    const hash = epoch && key ? entryMac(key, row) : entryHash(row);
    insert.run(seq, row.at, row.actor, row.action, row.target, detail, row.ip, prevHash, hash);
    return { ...row, detail: input.detail ?? {}, hash };
  });

  return {
    keyId: key?.id ?? null,
    append(input) {
      // IMMEDIATE: the CLI and the server may append at once; the chain needs one writer at a time.
      const entry = appendTx.immediate(input);
      options.onAppend?.(entry);
      return entry;
    },
    list(opts = {}) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (opts.beforeSeq !== undefined) where.push('seq < ?'), args.push(opts.beforeSeq);
      if (opts.action?.endsWith('.')) where.push('substr(action, 1, ?) = ?'), args.push(opts.action.length, opts.action);
      else if (opts.action) where.push('action = ?'), args.push(opts.action);
      if (opts.actor) where.push('actor = ?'), args.push(opts.actor);
      if (opts.target) where.push('target = ?'), args.push(opts.target);
      if (opts.from !== undefined) where.push('at >= ?'), args.push(opts.from);
      if (opts.to !== undefined) where.push('at < ?'), args.push(opts.to);
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
      args.push(Math.min(Math.max(opts.limit ?? 100, 1), 1000));
      return (db.prepare(sql).all(...args) as Row[]).map(toEntry);
    },
    verify(probes) {
      return verifyAuditChain(db, key, probes);
    },
    head() {
      return db.transaction((): AuditHead => {
        const last = lastRow.get();
        const count = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
        return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, count, keyed: epochsOf(db).map((e) => ({ from: e.keyed_from, keyId: e.key_id })) };
      })();
    },
    seal(purpose, values) {
      return key ? key.mac(sealText(purpose, values)) : null;
    },
    checkSeal(purpose, values, mac) {
      return key ? key.check(sealText(purpose, values), mac) : null;
    },
  };
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    ip: r.ip,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * Walks the whole chain in order and reports the first broken link. With the audit key, keyed entries'
 * HMACs are recomputed; without it (a CLI run by another user) their order and links are still checked,
 * and the verdict says that their content could not be. `probes`: seqs whose hash and entry count the
 * caller wants to compare with an anchor; the walk reads them even past a broken link.
 */
export function verifyAuditChain(db: Db, key: AuditKey | null = null, probes: readonly number[] = []): AuditVerdict & { probes?: Map<number, ChainProbe> } {
  // One read transaction, so the rows and the high-water mark come from the same moment: the CLI
  // verifies next to a running server, and an append landing between two separate reads would
  // look like entries cut off the end.
  return db.transaction(() => walkChain(db, key, probes))();
}

function walkChain(db: Db, key: AuditKey | null, probeList: readonly number[]): AuditVerdict & { probes?: Map<number, ChainProbe> } {
  const epochs = epochsOf(db);
  const wanted = [...new Set(probeList)].sort((a, b) => a - b);
  const probes = new Map<number, ChainProbe>();
  let w = 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let count = 0;
  let broken: { seq: number; problem: string; checked: number } | null = null;
  const unchecked: { from: number; to: number; keyId: string }[] = [];

  for (const e of epochs) {
    if (key && key.id === e.key_id && !key.check(epochText(e), e.mac)) {
      broken = { seq: e.keyed_from, problem: `the switch-over record of entry ${e.keyed_from} was altered (its HMAC does not match)`, checked: 0 };
      break;
    }
  }

  let ei = -1;
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
    while (w < wanted.length && wanted[w]! < r.seq) probes.set(wanted[w++]!, { hash: null, count });
    count++;
    if (w < wanted.length && wanted[w] === r.seq) probes.set(wanted[w++]!, { hash: r.hash, count });
    if (broken) {
      if (w >= wanted.length) break;
      continue;
    }
    const fail = (seq: number, problem: string) => (broken = { seq, problem, checked });
    if (r.seq !== expectedSeq) {
      const gap = r.seq - 1 > expectedSeq ? `entries ${expectedSeq}–${r.seq - 1}` : `entry ${expectedSeq}`;
      fail(expectedSeq, r.seq > expectedSeq ? `${gap} missing (removed); next present is ${r.seq}` : `entry ${r.seq} out of order`);
      continue;
    }
    if (r.prev_hash !== prevHash) {
      fail(r.seq, `entry ${r.seq} does not link to entry ${r.seq - 1} (previous hash differs)`);
      continue;
    }
    while (ei + 1 < epochs.length && epochs[ei + 1]!.keyed_from <= r.seq) ei++;
    const epoch = ei >= 0 ? epochs[ei]! : null;
    const input = { seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: r.detail, ip: r.ip, prevHash: r.prev_hash };
    if (!epoch) {
      if (entryHash(input) !== r.hash) {
        fail(r.seq, `entry ${r.seq} was altered (its content no longer matches its hash)`);
        continue;
      }
    } else if (key && key.id === epoch.key_id) {
      if (!key.check(entryText(input), r.hash)) {
        fail(r.seq, `entry ${r.seq} was altered (its content no longer matches its HMAC)`);
        continue;
      }
    } else {
      const run = unchecked.at(-1);
      if (run && run.keyId === epoch.key_id && run.to === r.seq - 1) run.to = r.seq;
      else unchecked.push({ from: r.seq, to: r.seq, keyId: epoch.key_id });
    }
    prevHash = r.hash;
    expectedSeq++;
    checked++;
  }
  while (w < wanted.length) probes.set(wanted[w++]!, { hash: null, count });

  const keyed: KeyedPart | undefined = epochs.length
    ? {
        from: epochs[0]!.keyed_from,
        contentChecked: unchecked.length === 0,
        ...(unchecked.length
          ? {
              note: `${unchecked.map((u) => (u.from === u.to ? `entry ${u.from}` : `entries ${u.from}–${u.to}`)).join(', ')} ${
                unchecked.length === 1 && unchecked[0]!.from === unchecked[0]!.to ? 'is' : 'are'
              } keyed with audit key ${[...new Set(unchecked.map((u) => u.keyId))].join(', ')}, which ${
                key ? `is not the key this process holds (${key.id})` : `this process does not have (${AUDIT_KEY_FILE} in the keys folder)`
              }: their order and links were checked, their content could not be`,
            }
          : {}),
      }
    : undefined;
  const extra = { ...(keyed ? { keyed } : {}), ...(wanted.length ? { probes } : {}) };
  const b = broken as { seq: number; problem: string; checked: number } | null;
  if (b) return { ok: false, checked: b.checked, seq: b.seq, problem: b.problem, ...extra };

  // Rows cut off the end leave no gap; SQLite's AUTOINCREMENT high-water mark still remembers them.
  const high = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get() as { seq: number } | undefined)?.seq ?? 0;
  if (high >= expectedSeq) {
    const which = high > expectedSeq ? `entries ${expectedSeq}–${high}` : `entry ${expectedSeq}`;
    return { ok: false, checked, seq: expectedSeq, problem: `${which} missing at the end (removed)`, ...extra };
  }
  return { ok: true, checked, ...extra };
}
