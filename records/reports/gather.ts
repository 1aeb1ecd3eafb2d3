// Gathers what a session's documents say from the modules that own the facts: the exam engine (session,
// roster, results), the kiosk (identity checks), the terminals (attempts, pauses, added time, snapshots,
// integrity events, moves), the proctor console (incidents) and media (camera outages) — each through
// its index.ts. Reads only; the documents are rendered elsewhere (score-report.ts, results-sheet.ts,
// room-log-pdf.ts) from what this returns.
import { Conflict, NotFound, maskIdNumber } from '../../core/index.ts';
import { createUserStore, type User } from '../../storage/index.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../../exam/index.ts';
import type { IdentityCheckRecord } from '../../kiosk/index.ts';
import type { SeatConsent, SnapshotRecord, TerminalSessionRecord } from '../../terminal/index.ts';
import type { IncidentRecord, SeatConfirmationRecord } from '../../proctor/index.ts';
import type { RoomLog } from '../protocol.ts';
import type { RecordsDeps } from '../service.ts';

type Deps = Pick<RecordsDeps, 'db' | 'clock' | 'config' | 'exam'>;
type ExamSession = ReturnType<RecordsDeps['exam']['plans']['session']>;
type Entry = ReturnType<RecordsDeps['exam']['plans']['roster']>[number];
type Result = NonNullable<ReturnType<RecordsDeps['exam']['plans']['resultOf']>>;

export const ENDED_STATUSES = ['ended', 'graded', 'archived'] as const;
export const isEnded = (s: ExamSession) => (ENDED_STATUSES as readonly string[]).includes(s.status);

/** One session with everything its documents draw on, read once per document. */
export interface SessionFacts {
  session: ExamSession;
  planName: string;
  roomName: string;
  siteName: string;
  timezone: string;
  times: { checkinAt: number | null; startedAt: number | null; endedAt: number | null };
  roster: Entry[];
  results: Map<string, Result>;
  identity: IdentityCheckRecord[];
  terminal: TerminalSessionRecord;
  incidents: IncidentRecord[];
  /** Each candidate's face-recognition choice at the kiosk, where one was recorded (issue 23). */
  faceConsents: Map<string, SeatConsent>;
  /** The invigilators' seat confirmations of candidates who declined it. */
  seatConfirmations: SeatConfirmationRecord[];
}

/** The other modules' read functions this part uses. */
export interface ModuleViews {
  identityChecksOfSession: typeof import('../../kiosk/index.ts').identityChecksOfSession;
  terminalRecordOfSession: typeof import('../../terminal/index.ts').terminalRecordOfSession;
  incidentsOfSession: typeof import('../../proctor/index.ts').incidentsOfSession;
  outagesOfSources: typeof import('../../media/index.ts').outagesOfSources;
  consentAtSeat: typeof import('../../terminal/index.ts').consentAtSeat;
  seatConfirmationsOfSession: typeof import('../../proctor/index.ts').seatConfirmationsOfSession;
}

let views: Promise<ModuleViews> | null = null;
/**
 * Loaded on first use: the CLI builds the records service for every command, and the kiosk's and
 * proctor's faces cost it ~0.6 s to load (measured); the server has them loaded already.
 */
export function loadViews(): Promise<ModuleViews> {
  views ??= Promise.all([
    import('../../kiosk/index.ts'),
    import('../../terminal/index.ts'),
    import('../../proctor/index.ts'),
    import('../../media/index.ts'),
  ]).then(([k, t, p, m]) => ({
    identityChecksOfSession: k.identityChecksOfSession,
    terminalRecordOfSession: t.terminalRecordOfSession,
    incidentsOfSession: p.incidentsOfSession,
    outagesOfSources: m.outagesOfSources,
    consentAtSeat: t.consentAtSeat,
    seatConfirmationsOfSession: p.seatConfirmationsOfSession,
  }));
  return views;
}

export function sessionFacts(deps: Deps, v: ModuleViews, sessionId: string): SessionFacts {
  const { exam, config, db } = deps;
  const session = exam.plans.session(sessionId);
  const roster = exam.plans.roster(session.id);
  const results = new Map<string, Result>();
  for (const e of roster) {
    const r = exam.plans.resultOf(session.id, e.idNumber);
    if (r) results.set(e.idNumber, r);
  }
  return {
    session,
    planName: exam.plans.plan(session.planId).name,
    roomName: config.rooms.find((r) => r.id === session.roomId)?.name ?? session.roomId,
    siteName: config.site.name,
    timezone: config.site.timezone,
    times: exam.plans.sessionTimes(session.id),
    roster,
    results,
    identity: v.identityChecksOfSession(db, session.id),
    terminal: v.terminalRecordOfSession(db, session.id),
    incidents: v.incidentsOfSession(db, session.id),
    faceConsents: new Map(
      roster.flatMap((e) => {
        const c = v.consentAtSeat(db, session.id, e.idNumber);
        return c ? [[e.idNumber, c] as const] : [];
      }),
    ),
    seatConfirmations: v.seatConfirmationsOfSession(db, session.id),
  };
}

/** A candidate by ticket number or ID number (either may be typed in a URL). */
export function findCandidate(f: SessionFacts, candidate: string): Entry {
  const key = candidate.trim().toUpperCase();
  const e = f.roster.find((x) => x.ticketNo.toUpperCase() === key || x.idNumber === key);
  if (!e) throw new NotFound(`no candidate ${JSON.stringify(candidate)} (ticket or ID number) on the roster of exam session ${f.session.id}`);
  return e;
}

export const categoryLabel = (e: Pick<Entry, 'category' | 'operationClass'>) =>
  `${CATEGORY_LABELS[e.category] ?? e.category}${e.operationClass ? `（${e.operationClass}）` : ''}`;
export const industryLabel = (e: Pick<Entry, 'industry'>) => INDUSTRY_LABELS[e.industry] ?? e.industry;

/** The check that let the candidate in (face or override), else their latest attempt. */
export function admittingCheck(f: SessionFacts, idNumber: string): IdentityCheckRecord | null {
  const mine = f.identity.filter((a) => a.idNumber === idNumber);
  return [...mine].reverse().find((a) => a.decision === 'admitted' || a.decision === 'overridden') ?? mine.at(-1) ?? null;
}

export function snapshotsOf(f: SessionFacts, idNumber: string): SnapshotRecord[] {
  return f.terminal.snapshots.filter((s) => s.idNumber === idNumber);
}

/**
 * Time on the paper: from the later of log-in and the exam's start to the submission, less the pauses
 * (the candidate's own and the room's) inside it — what the server's clock counted, not wall time.
 * Without a terminal attempt (graded by hand) the session's start to the grading.
 */
export function timeUsedMs(f: SessionFacts, idNumber: string): number | null {
  const a = f.terminal.attempts.find((x) => x.idNumber === idNumber);
  const start = f.times.startedAt;
  const result = f.results.get(idNumber);
  const from = Math.max(a?.loggedInAt ?? start ?? 0, start ?? 0);
  const to = a?.submittedAt ?? (a ? null : (result?.gradedAt ?? null));
  if (!from || to === null || to < from) return null;
  let paused = 0;
  for (const p of f.terminal.pauses) {
    if (p.idNumber !== null && p.idNumber !== idNumber) continue;
    const s = Math.max(p.startedAt, from);
    const e = Math.min(p.endedAt ?? to, to);
    if (e > s) paused += e - s;
  }
  return to - from - paused;
}

export function durationWords(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} 小时 ` : ''}${m} 分 ${s % 60} 秒`;
}

/** `user:NAME` → "显示名 (NAME)"; devices and the system in words a reader of the log understands. */
export function actorNamer(deps: Pick<Deps, 'db' | 'clock'>) {
  const users = new Map(
    createUserStore(deps.db, deps.clock)
      .list()
      .map((u) => [u.username, u] as const),
  );
  const person = (username: string) => ({ username, displayName: users.get(username)?.displayName ?? username });
  const words = (actor: string | null | undefined): string => {
    if (!actor) return '—';
    if (actor === 'system') return '系统';
    if (actor.startsWith('user:')) {
      const p = person(actor.slice(5));
      return p.displayName === p.username ? p.username : `${p.displayName}（${p.username}）`;
    }
    if (actor.startsWith('device:')) return `设备 ${actor.slice(7)}`;
    if (actor.startsWith('cli:')) return `命令行 ${actor.slice(4)}`;
    return actor;
  };
  return { words, person, users: () => [...users.values()] as User[] };
}

/** The room log as it stands now (the live log; a signed one is the stored snapshot instead). */
export function buildRoomLog(deps: Deps, v: ModuleViews, f: SessionFacts, signers: string[] = []): RoomLog {
  const { config, db, clock } = deps;
  const s = f.session;
  const names = actorNamer(deps);
  const byId = new Map(f.roster.map((e) => [e.idNumber, e] as const));
  const who = (idNumber: string | null, seat: string | null = null) => {
    const e = idNumber ? byId.get(idNumber) : undefined;
    return { ticketNo: e?.ticketNo ?? null, name: e?.name ?? null, seat: seat ?? e?.seat ?? null };
  };
  const roomInvigilators = names
    .users()
    .filter((u) => u.role === 'invigilator' && !u.disabled && u.rooms.includes(s.roomId))
    .map((u) => u.username);
  const invigilators = [...new Set([...roomInvigilators, ...signers])].sort().map((u) => names.person(u));

  const admitted = f.roster.filter((e) => e.status === 'admitted' || e.status === 'in_exam' || e.status === 'submitted');
  const absent = f.roster.filter((e) => e.status === 'absent' || (isEnded(s) && e.status === 'registered'));
  const decided = f.identity.filter((a) => a.decision !== null);

  const decisions: RoomLog['decisions'] = [];
  for (const a of f.terminal.attempts) {
    if (a.submittedBy === 'invigilator' && a.submittedAt !== null)
      decisions.push({ at: a.submittedAt, kind: 'forced_submit', ...who(a.idNumber), by: names.words(a.submittedActor), reason: null });
    if (a.locked) decisions.push({ at: null, kind: 'locked', ...who(a.idNumber), by: '—', reason: a.lockReason });
  }
  for (const m of f.terminal.moves) {
    if ((m.status === 'approved' || m.status === 'rejected') && m.decidedAt !== null)
      decisions.push({
        at: m.decidedAt,
        kind: m.status === 'approved' ? 'move_approved' : 'move_rejected',
        ...who(m.idNumber, m.toSeat),
        by: names.words(m.decidedBy),
        reason: `${m.fromTerminal ?? '—'} → ${m.toTerminal}`,
      });
  }
  decisions.sort((a, b) => (a.at ?? Number.MAX_SAFE_INTEGER) - (b.at ?? Number.MAX_SAFE_INTEGER));

  const from = Math.min(f.times.checkinAt ?? s.startsAt, s.startsAt);
  const to = f.times.endedAt ?? Math.max(s.endsAt, clock.now());
  const cameras = config.cameras.filter((c) => c.room === s.roomId);
  const cameraName = new Map(cameras.map((c) => [c.id, c.name] as const));
  const integrity = new Map<string, number>();
  for (const i of f.terminal.integrity) integrity.set(i.kind, (integrity.get(i.kind) ?? 0) + 1);
  const graded = [...f.results.values()];
  const passed = graded.filter((r) => r.passed).length;

  return {
    format: 'examroom-room-log/1',
    sessionId: s.id,
    site: { id: config.site.id, name: config.site.name },
    plan: { id: s.planId, name: f.planName },
    room: { id: s.roomId, name: f.roomName },
    template: { id: s.templateId, name: s.template.name },
    status: s.status,
    planned: { startsAt: s.startsAt, endsAt: s.endsAt },
    actual: { ...f.times },
    invigilators,
    checkIn: {
      roster: f.roster.length,
      admitted: admitted.length,
      absent: absent.length,
      byFace: new Set(decided.filter((a) => a.decision === 'admitted').map((a) => a.idNumber)).size,
      overridden: new Set(decided.filter((a) => a.decision === 'overridden').map((a) => a.idNumber)).size,
      refused: decided.filter((a) => a.decision === 'refused').length,
    },
    absences: absent.map((e) => ({ ticketNo: e.ticketNo, name: e.name, seat: e.seat, idNumber: maskIdNumber(e.idNumber) })),
    overrides: decided
      .filter((a) => a.decision === 'overridden')
      .map((a) => ({ at: a.decidedAt!, ...who(a.idNumber, a.seat), by: names.words(a.overrideBy), reason: a.overrideReason ?? '' })),
    incidents: f.incidents.map((i) => ({
      at: i.at,
      ...who(i.idNumber, i.seat),
      category: i.category,
      categoryText: i.categoryText,
      note: i.note,
      recordedBy: names.words(i.recordedBy),
    })),
    decisions,
    pauses: f.terminal.pauses.map((p) => ({
      startedAt: p.startedAt,
      endedAt: p.endedAt,
      scope: p.idNumber === null ? ('room' as const) : ('candidate' as const),
      ...who(p.idNumber),
      reason: p.reason,
      by: names.words(p.startedBy),
    })),
    timeAdded: f.terminal.timeAdded.map((x) => ({
      at: x.addedAt,
      scope: x.idNumber === null ? ('room' as const) : ('candidate' as const),
      ...who(x.idNumber),
      minutes: Math.round((x.ms / 60_000) * 10) / 10,
      reason: x.reason,
      by: names.words(x.addedBy),
    })),
    cameraOutages: v.outagesOfSources(db, [...cameraName.keys()], from, to).map((o) => ({
      sourceId: o.sourceId,
      sourceName: cameraName.get(o.sourceId) ?? o.sourceId,
      from: o.startMs,
      to: o.endMs,
      reason: o.reason,
    })),
    integrity: [...integrity].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([kind, count]) => ({ kind, count })),
    faceDeclined: [...f.faceConsents]
      .filter(([, c]) => c.decision === 'declined')
      .map(([idNumber, c]) => ({ ...who(idNumber), decidedAt: c.decidedAt, noticeVersion: c.noticeVersion }))
      .sort((a, b) => a.decidedAt - b.decidedAt),
    seatConfirmations: f.seatConfirmations.map((c) => ({
      dueAt: c.dueAt,
      ...who(c.idNumber, c.seat),
      reason: c.reason,
      alerts: c.alerts + (c.reason === 'alert' ? 1 : 0),
      confirmedAt: c.confirmedAt,
      by: c.confirmedBy ? names.words(c.confirmedBy) : null,
      outcome: c.outcome,
      note: c.note,
    })),
    results: {
      graded: graded.length,
      passed,
      failed: graded.length - passed,
      passRate: graded.length ? passed / graded.length : null,
      averageScore: graded.length ? Math.round((graded.reduce((n, r) => n + r.score, 0) / graded.length) * 10) / 10 : null,
    },
    generatedAt: clock.now(),
  };
}

export function assertEnded(s: ExamSession, what: string): void {
  if (!isEnded(s))
    throw new Conflict(`exam session ${s.id} is ${s.status}; ${what} only once the session has ended (ended, graded or archived)`, 'session_not_ended', {
      status: s.status,
    });
}
