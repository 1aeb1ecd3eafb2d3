// The audit log: append-only and hash-chained. Each entry's hash covers its content and the previous
// entry's hash, so altering, removing or reordering any row breaks every link after it.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/index.ts';
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

export type AuditVerdict = { ok: true; checked: number } | { ok: false; checked: number; seq: number; problem: string };

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

export interface AuditLog {
  append(entry: AuditInput): AuditEntry;
  list(opts?: AuditListOptions): AuditEntry[];
  verify(): AuditVerdict;
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

export function entryHash(r: {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
  ip: string | null;
  prevHash: string;
}): string {
  // A JSON array is an unambiguous encoding: no field can bleed into the next.
  return createHash('sha256')
    .update(JSON.stringify([r.seq, r.at, r.actor, r.action, r.target, r.detail, r.ip, r.prevHash]))
    .digest('hex');
}

/**
 * A lone UTF-16 surrogate (a JSON body may carry one, e.g. a log-in name "\ud800") cannot be stored as
 * UTF-8: SQLite would keep other characters than the ones hashed, and the entry would read as altered.
 * Each is replaced by U+FFFD before hashing, so what is stored is what was hashed.
 */
const wellFormed = <T extends string | null>(s: T): T =>
  s === null ? s : (s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd') as T);

export function createAuditLog(db: Db, clock: Clock, onAppend?: (e: AuditEntry) => void): AuditLog {
  const lastRow = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'");
  const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, target, detail, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');

  const appendTx = db.transaction((input: AuditInput): AuditEntry => {
    const last = lastRow.get();
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
    const hash = entryHash(row);
    insert.run(seq, row.at, row.actor, row.action, row.target, detail, row.ip, prevHash, hash);
    return { ...row, detail: input.detail ?? {}, hash };
  });

  return {
    append(input) {
      // IMMEDIATE: the CLI and the server may append at once; the chain needs one writer at a time.
      const entry = appendTx.immediate(input);
      onAppend?.(entry);
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
    verify() {
      return verifyAuditChain(db);
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

/** Walks the whole chain in order and reports the first broken link. */
export function verifyAuditChain(db: Db): AuditVerdict {
  // One read transaction, so the rows and the high-water mark come from the same moment: the CLI
  // verifies next to a running server, and an append landing between two separate reads would
  // look like entries cut off the end.
  return db.transaction(() => walkChain(db))();
}

function walkChain(db: Db): AuditVerdict {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
    if (r.seq !== expectedSeq) {
      const gap = r.seq - 1 > expectedSeq ? `entries ${expectedSeq}–${r.seq - 1}` : `entry ${expectedSeq}`;
      return {
        ok: false,
        checked,
        seq: expectedSeq,
        problem: r.seq > expectedSeq ? `${gap} missing (removed); next present is ${r.seq}` : `entry ${r.seq} out of order`,
      };
    }
    if (r.prev_hash !== prevHash) {
      return { ok: false, checked, seq: r.seq, problem: `entry ${r.seq} does not link to entry ${r.seq - 1} (previous hash differs)` };
    }
    const recomputed = entryHash({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail,
      ip: r.ip,
      prevHash: r.prev_hash,
    });
    if (recomputed !== r.hash) {
      return { ok: false, checked, seq: r.seq, problem: `entry ${r.seq} was altered (its content no longer matches its hash)` };
    }
    prevHash = r.hash;
    expectedSeq++;
    checked++;
  }
  // Rows cut off the end leave no gap; SQLite's AUTOINCREMENT high-water mark still remembers them.
  const high = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get() as { seq: number } | undefined)?.seq ?? 0;
  if (high >= expectedSeq) {
    const which = high > expectedSeq ? `entries ${expectedSeq}–${high}` : `entry ${expectedSeq}`;
    return { ok: false, checked, seq: expectedSeq, problem: `${which} missing at the end (removed)` };
  }
  return { ok: true, checked };
}
