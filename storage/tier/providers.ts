// How an owning module offers its files to the tier worker. Every owner's index answers the same three
// questions by one indexed time column (its files in a range, their count and bytes, the whole index), so
// indexedTierFiles asks them and the owner says only its table, columns and rules. Several owners of one
// kind of file (session archives and class archives) are offered as one by mergeTierProviders: the worker
// keeps one cursor per kind, so it must see each kind's files in one end-time order.
import { statementCache, type Db } from '../db.ts';
import type { TierKind } from './rows.ts';
import type { TierCandidate, TierProvider } from './worker.ts';

/** What an owning module says of its index (SQL names are the owner's own constants, never input). */
export interface IndexedTierFiles {
  kind: TierKind;
  table: string;
  /**
   * The indexed column the worker's end-time ranges are asked of, so each ask is a range scan at any
   * size; it holds the file's end time plus `shift` (a capture's expiry is its end + retention).
   */
  endColumn: string;
  shift?: number;
  /** What makes a row of the table a file (e.g. a capture was kept). */
  where?: string;
  /** SQL for the candidate's fields; `bytes` null: sizes are not indexed (sums count files, 0 bytes). */
  columns: { path: string; source: string; start: string; bytes: string | null; sha256: string | null };
  /** The whole index's files and bytes (`n`, `b`), where a summary is cheaper than the table. */
  totalSql?: string;
  /** Object lock for `keepLocal` owners: the file's end + this many ms (its face-data retention). */
  retainFor?: number;
  /** A last word on each candidate (a size read from disk, a start clamped to its end). */
  finish?(c: TierCandidate): TierCandidate;
  keepLocal?: boolean;
  setSha256?(path: string, sha256: string): void;
  released?(paths: string[]): string[];
}

export function indexedTierFiles(db: Db, f: IndexedTierFiles): TierProvider {
  const st = statementCache(db);
  const shift = f.shift ?? 0;
  const range = `${f.where ? `${f.where} AND ` : ''}${f.endColumn} >= ? AND ${f.endColumn} < ?`;
  const c = f.columns;
  const select = `SELECT ${c.path} AS path, ${c.source} AS source, ${c.start} AS start, ${f.endColumn} AS at, ${c.bytes ?? '0'} AS bytes, ${c.sha256 ?? 'NULL'} AS sha256`;
  const candidates = `${select} FROM ${f.table} WHERE ${range} ORDER BY ${f.endColumn}, id LIMIT ?`;
  const sum = `SELECT COUNT(*) AS n, ${c.bytes ? `COALESCE(SUM(${c.bytes}), 0)` : '0'} AS b FROM ${f.table} WHERE ${range}`;
  const total =
    f.totalSql ?? `SELECT COUNT(*) AS n, ${c.bytes ? `COALESCE(SUM(${c.bytes}), 0)` : '0'} AS b FROM ${f.table}${f.where ? ` WHERE ${f.where}` : ''}`;
  const counted = (r: { n: number; b: number }) => ({ files: r.n, bytes: r.b });
  return {
    kind: f.kind,
    ...(f.keepLocal ? { keepLocal: true } : {}),
    candidates(since, before, limit) {
      const rows = st(candidates).all(since + shift, before + shift, limit) as {
        path: string;
        source: string;
        start: number;
        at: number;
        bytes: number;
        sha256: string | null;
      }[];
      return rows.map((r) => {
        const end = r.at - shift;
        const one: TierCandidate = { kind: f.kind, path: r.path, source: r.source, start: r.start, end, bytes: r.bytes, sha256: r.sha256 };
        if (f.retainFor !== undefined) one.retainUntil = end + f.retainFor;
        return f.finish ? f.finish(one) : one;
      });
    },
    sum: (since, before) => counted(st(sum).get(since + shift, before + shift) as { n: number; b: number }),
    total: () => counted(st(total).get() as { n: number; b: number }),
    ...(f.setSha256 ? { setSha256: f.setSha256 } : {}),
    ...(f.released ? { released: f.released } : {}),
  };
}

export function mergeTierProviders(kind: TierKind, list: TierProvider[]): TierProvider {
  return {
    kind,
    candidates(since, before, limit) {
      const all: TierCandidate[] = list.flatMap((p) => p.candidates(since, before, limit));
      return all.sort((a, b) => a.end - b.end).slice(0, limit);
    },
    sum(since, before) {
      return list.map((p) => p.sum(since, before)).reduce((a, b) => ({ files: a.files + b.files, bytes: a.bytes + b.bytes }), { files: 0, bytes: 0 });
    },
    total() {
      return list.map((p) => p.total()).reduce((a, b) => ({ files: a.files + b.files, bytes: a.bytes + b.bytes }), { files: 0, bytes: 0 });
    },
  };
}
