// `audit verify`: the chain walked with the audit key, then held against the anchors — every line of the
// local anchor file and the one last sent upstream. The chain alone cannot catch a rewrite made with the
// key; an anchor can, because its entry no longer shows the hash (or the count) it signed.
import { createHash } from 'node:crypto';
import type { AuditLog, AuditVerdict, ChainProbe } from '../storage/index.ts';
import { anchorSignatureProblem, type AuditAnchor, type AuditAnchors } from './audit-anchors.ts';

export type AuditFindingKind =
  | 'no_key'
  | 'anchor_file_missing'
  | 'anchor_damaged'
  | 'anchor_gap'
  | 'anchor_entry_missing'
  | 'anchor_hash_differs'
  | 'anchor_count_differs'
  | 'anchor_keyed_differs'
  | 'mark_lowered'
  | 'sent_not_in_file'
  | 'sent_damaged';

export interface AuditFinding {
  kind: AuditFindingKind;
  /** true: something was changed or removed; false: something could not be checked. */
  tamper: boolean;
  /** In English; the admin console words the kinds itself. */
  problem: string;
  /** The audit entry concerned. */
  seq?: number;
  /** The anchor concerned (its number). */
  anchor?: number;
  /** The anchor file's line. */
  line?: number;
  /** The mark concerned (`bank:PUBLISHER`). */
  name?: string;
  expected?: number;
  found?: number;
  /** Whether the anchor concerned is the one last sent upstream. */
  sent?: boolean;
}

/** What reporting remembers of the newest package the platform acknowledged. */
export interface SentAnchor {
  /** The signed anchor the package carried; older packages carried only the head (no n, no signature). */
  anchor: AuditAnchor | { seq: number; hash: string; at?: string };
  sentAt: number;
  packageId: string;
}

export interface AuditReport {
  /** Nothing found changed or removed: the chain holds and every anchor agrees with it. */
  ok: boolean;
  /** Everything could be checked (the key of every keyed stretch was at hand, the anchor file is there). */
  complete: boolean;
  /** Entries whose links (and content, where the key allows) were checked. */
  checked: number;
  /** The chain's first broken link, when it is broken. */
  seq?: number;
  problem?: string;
  keyed?: AuditVerdict['keyed'];
  anchors: { file: string; present: boolean; count: number; latest: { n: number; seq: number; at: string } | null };
  lastSent: { n: number | null; seq: number; at: string | null; sentAt: string; packageId: string } | null;
  findings: AuditFinding[];
  /** Findings left out of the list to keep it readable (the first of each kind is always kept). */
  omitted: number;
}

const MAX_FINDINGS = 30;
const isSigned = (a: SentAnchor['anchor']): a is AuditAnchor => typeof (a as AuditAnchor).sig === 'string' && typeof (a as AuditAnchor).n === 'number';

export function checkAudit(o: { audit: AuditLog; anchors: AuditAnchors; lastSent?: SentAnchor | null; marks?: () => Record<string, number> }): AuditReport {
  const findings: AuditFinding[] = [];
  const add = (f: AuditFinding) => findings.push(f);

  // The file first, the database after: every anchor in the file was written after its entry was
  // committed, so the snapshot read next holds every entry an anchor names (the server appends meanwhile).
  const file = o.anchors.read();
  const good: AuditAnchor[] = [];
  let expectedN = 1;
  let prevText: string | null = null;
  for (const l of file.lines) {
    if (l.problem || !l.anchor) {
      add({
        kind: 'anchor_damaged',
        tamper: true,
        line: l.line,
        ...(l.anchor ? { anchor: l.anchor.n } : {}),
        problem: `anchor file line ${l.line}${l.anchor ? ` (anchor ${l.anchor.n})` : ''} ${l.problem}`,
      });
      continue;
    }
    const a = l.anchor;
    if (a.n !== expectedN) {
      add({
        kind: 'anchor_gap',
        tamper: true,
        line: l.line,
        anchor: a.n,
        expected: expectedN,
        found: a.n,
        problem:
          a.n > expectedN
            ? `anchor${a.n - expectedN > 1 ? `s ${expectedN}–${a.n - 1} are` : ` ${expectedN} is`} missing from the anchor file (line ${l.line} holds anchor ${a.n})`
            : `anchor file line ${l.line} holds anchor ${a.n} again, after anchor ${expectedN - 1}`,
      });
    } else if (prevText !== null && a.prev !== sha256(prevText)) {
      add({
        kind: 'anchor_gap',
        tamper: true,
        line: l.line,
        anchor: a.n,
        problem: `anchor ${a.n} (line ${l.line}) does not link to the anchor before it (a line was replaced)`,
      });
    }
    expectedN = a.n + 1;
    prevText = l.text;
    good.push(a);
  }

  const sent = o.lastSent ?? null;
  const probes = [...good.map((a) => a.seq), ...(sent ? [sent.anchor.seq] : [])].filter((s) => s > 0);
  const chain = o.audit.verify(probes);
  const head = o.audit.head();
  const at = (seq: number): ChainProbe => chain.probes?.get(seq) ?? { hash: null, count: 0 };

  if (chain.keyed && !chain.keyed.contentChecked)
    add({ kind: 'no_key', tamper: false, seq: chain.keyed.from, problem: chain.keyed.note ?? 'the keyed part could not be checked' });

  const compare = (a: { seq: number; hash: string; count?: number; n?: number; at?: string; keyed?: AuditAnchor['keyed'] }, isSent: boolean) => {
    const who = `${isSent ? 'the anchor last sent upstream' : 'anchor'}${a.n !== undefined ? ` ${isSent ? `(${a.n})` : a.n}` : ''}${a.at ? ` of ${a.at}` : ''}`;
    const base = { ...(a.n !== undefined ? { anchor: a.n } : {}), seq: a.seq, ...(isSent ? { sent: true } : {}) };
    // An anchor of the empty log names no entry; everything since is newer than it.
    if (a.seq === 0) return;
    const p = at(a.seq);
    if (p.hash === null) {
      add({ kind: 'anchor_entry_missing', tamper: true, ...base, problem: `${who} names entry ${a.seq}, which is no longer in the log (removed)` });
      return;
    }
    if (p.hash !== a.hash) {
      add({
        kind: 'anchor_hash_differs',
        tamper: true,
        ...base,
        problem: `entry ${a.seq} no longer has the hash ${who} signed: the log was rewritten at or before entry ${a.seq}`,
      });
      return;
    }
    if (a.count !== undefined && p.count !== a.count)
      add({
        kind: 'anchor_count_differs',
        tamper: true,
        ...base,
        expected: a.count,
        found: p.count,
        problem: `${who} counted ${a.count} entries up to entry ${a.seq}; the log now holds ${p.count} (entries were ${p.count < a.count ? 'removed' : 'added'} before it)`,
      });
    if (a.keyed) {
      const now = head.keyed.filter((e) => e.from <= a.seq);
      if (JSON.stringify(now) !== JSON.stringify(a.keyed))
        add({
          kind: 'anchor_keyed_differs',
          tamper: true,
          ...base,
          problem: `${who} says the chain is keyed ${describeKeyed(a.keyed)}; the database now says ${describeKeyed(now)} (the switch-over record was changed)`,
        });
    }
  };

  for (const a of good) compare(a, false);

  // Marks only grow: a database mark below the newest anchor's was rolled back.
  const newest = good.at(-1) ?? null;
  if (newest && o.marks) {
    const now = o.marks();
    for (const [name, anchored] of Object.entries(newest.marks)) {
      const found = now[name] ?? 0;
      if (found < anchored)
        add({
          kind: 'mark_lowered',
          tamper: true,
          name,
          anchor: newest.n,
          expected: anchored,
          found,
          problem: `the high-water mark ${name} is ${found || 'absent'} in the database, but anchor ${newest.n} recorded ${anchored} (rolled back)`,
        });
    }
  }

  if (sent) {
    if (isSigned(sent.anchor)) {
      const s = sent.anchor;
      const sigProblem = anchorSignatureProblem(s, o.anchors.signer());
      if (sigProblem) add({ kind: 'sent_damaged', tamper: true, anchor: s.n, sent: true, problem: `the anchor last sent upstream (${s.n}) ${sigProblem}` });
      else if (!file.lines.some((l) => l.anchor?.n === s.n && l.anchor.sig === s.sig))
        add({
          kind: 'sent_not_in_file',
          tamper: true,
          anchor: s.n,
          sent: true,
          problem: `anchor ${s.n} of ${s.at}, sent upstream with package ${sent.packageId}, is not in the local anchor file (the file was cut short or replaced)`,
        });
      if (!sigProblem) compare(s, true);
    } else compare(sent.anchor, true);
  }

  const keyedNow = head.keyed.length > 0;
  // The server writes an anchor at every start, so a keyed log (the server has run) or anything sent
  // means there was a file. Without either, no file is simply "none yet" (anchors.present false).
  if (!file.exists && (keyedNow || sent !== null))
    add({
      kind: 'anchor_file_missing',
      tamper: true,
      problem: `the anchor file ${file.file} is missing: the server writes one at every start, so it was removed (or the data folder was restored without it)`,
    });

  const kept = condense(findings);
  const last = good.at(-1);
  const sentView = sent
    ? {
        n: isSigned(sent.anchor) ? sent.anchor.n : null,
        seq: sent.anchor.seq,
        at: sent.anchor.at ?? null,
        sentAt: new Date(sent.sentAt).toISOString(),
        packageId: sent.packageId,
      }
    : null;
  return {
    ok: chain.ok && !findings.some((f) => f.tamper),
    complete: !findings.some((f) => !f.tamper),
    checked: chain.checked,
    ...(chain.ok ? {} : { seq: chain.seq, problem: chain.problem }),
    ...(chain.keyed ? { keyed: chain.keyed } : {}),
    anchors: { file: file.file, present: file.exists, count: good.length, latest: last ? { n: last.n, seq: last.seq, at: last.at } : null },
    lastSent: sentView,
    findings: kept,
    omitted: findings.length - kept.length,
  };
}

/** Keeps the first finding of each kind, then the rest in order up to the cap. */
function condense(all: AuditFinding[]): AuditFinding[] {
  if (all.length <= MAX_FINDINGS) return all;
  const seen = new Set<string>();
  const firsts = new Set(all.filter((f) => !seen.has(f.kind) && seen.add(f.kind)));
  let room = MAX_FINDINGS - firsts.size;
  return all.filter((f) => firsts.has(f) || (room > 0 && room-- > 0));
}

function describeKeyed(k: AuditAnchor['keyed']): string {
  return k.length ? k.map((e) => `from entry ${e.from} with key ${e.keyId}`).join(', then ') : 'nowhere (plain SHA-256)';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
