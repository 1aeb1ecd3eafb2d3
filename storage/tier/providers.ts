// Several owners of one kind of file (session archives and class archives) offered to the worker as one:
// the worker keeps one cursor per kind, so it must see each kind's files in one end-time order.
import type { TierKind } from './rows.ts';
import type { TierCandidate, TierProvider } from './worker.ts';

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
