// Sessions, candidates and the clock as the terminal service reads them: the open session of a room,
// roster entries by ticket or ID number, each candidate's timer from memory, the delivered paper.
import { Conflict, NotFound } from '../../core/index.ts';
import { credentialKey, deliver, type DeliveredQuestion } from '../../exam/index.ts';
import type { SessionInfo, TimeMessage } from '../protocol.ts';
import type { Attempt } from '../store.ts';
import { timerOf, type TimerState } from '../timer.ts';
import { OPEN_STATUSES, type TerminalState, type Session, type Entry, type SessionClock } from './state.ts';

/** The session a room's terminals serve now: in progress, else open for check-in. */
export function openSessionOf(st: TerminalState, roomId: string): Session | null {
  const open = st.plans.listSessions({ roomIds: [roomId] }).filter((s) => OPEN_STATUSES.includes(s.status));
  return open.find((s) => s.status === 'in_progress') ?? open[0] ?? null;
}

export function sessionInfo(st: TerminalState, s: Session): SessionInfo {
  return {
    id: s.id,
    roomId: s.roomId,
    name: s.template.name,
    status: s.status,
    startsAt: s.startsAt,
    startedAt: st.plans.sessionTimes(s.id).startedAt,
    durationMinutes: s.durationMinutes,
  };
}

export function sessionOf(st: TerminalState, id: string): Session {
  let s = st.sessions.get(id);
  if (!s) st.sessions.set(id, (s = st.plans.session(id)));
  return s;
}

export function reloadSession(st: TerminalState, id: string): Session {
  const s = st.plans.session(id);
  st.sessions.set(id, s);
  return s;
}

/** A candidate by ticket or ID number, as staff name them (case, spaces and dashes do not matter). */
export function entryOf(st: TerminalState, sessionId: string, credential: string): Entry | null {
  const key = credentialKey(credential);
  const roster = st.plans.roster(sessionId);
  return roster.find((e) => credentialKey(e.ticketNo) === key) ?? roster.find((e) => e.idNumber === key) ?? null;
}

export function mustEntry(st: TerminalState, s: Session, candidate: string): Entry {
  const e = entryOf(st, s.id, candidate);
  if (!e) throw new NotFound(`no candidate with ticket or ID number ${JSON.stringify(candidate)} on the roster of exam session ${s.id}`);
  return e;
}

/**
 * When the exam started: recorded the moment the session moved to in_progress. A session started
 * while this process was not listening (another process, a restart in between) falls back to the
 * exam engine's record of the status change, so a restart never resets anyone's clock.
 */
export function startedAt(st: TerminalState, s: Session): number | null {
  if (s.status !== 'in_progress' && s.status !== 'ended' && s.status !== 'graded' && s.status !== 'archived') return null;
  const c = clockOf(st, s.id);
  if (c.startedAt !== null) return c.startedAt;
  const known = st.store.sessionStart(s.id);
  if (known !== null) return (c.startedAt = known);
  return (c.startedAt = st.store.setSessionStart(s.id, st.plans.sessionStartedAt(s.id) ?? st.clock.now()));
}

export function clockOf(st: TerminalState, sessionId: string): SessionClock {
  let c = st.clocks.get(sessionId);
  if (c) return c;
  c = { startedAt: null, roomAddedMs: 0, roomPauses: [], addedMs: new Map(), pauses: new Map(), lastAdded: new Map() };
  const inputs = st.store.clockInputs(sessionId);
  for (const a of inputs.added) {
    if (a.idNumber === null) c.roomAddedMs += a.ms;
    else c.addedMs.set(a.idNumber, a.ms);
  }
  for (const { idNumber, ...p } of inputs.pauses) {
    if (idNumber === null) c.roomPauses.push(p);
    else c.pauses.set(idNumber, [...(c.pauses.get(idNumber) ?? []), p]);
  }
  for (const { idNumber, ...a } of inputs.latest) c.lastAdded.set(idNumber, a);
  st.clocks.set(sessionId, c);
  return c;
}

/** The latest time added that applies to a candidate (theirs or the room's), as the time message says it. */
export function lastAddedFor(st: TerminalState, s: Session, idNumber: string): TimeMessage['lastAdded'] {
  const c = clockOf(st, s.id);
  const own = c.lastAdded.get(idNumber);
  const room = c.lastAdded.get(null);
  const pick = own && (!room || own.at >= room.at) ? { ...own, scope: 'candidate' as const } : room ? { ...room, scope: 'room' as const } : null;
  return pick ? { at: pick.at, minutes: Math.round(pick.ms / 60_000), scope: pick.scope, reason: pick.reason } : null;
}

/** The clock of one candidate, from memory: the sweep runs this for every attempt every second. */
export function timerOfCandidate(st: TerminalState, s: Session, idNumber: string, submitted: boolean): TimerState {
  const c = clockOf(st, s.id);
  const own = c.pauses.get(idNumber);
  return timerOf({
    startedAt: startedAt(st, s),
    durationMs: s.durationMinutes * 60_000,
    addedMs: c.roomAddedMs + (c.addedMs.get(idNumber) ?? 0),
    pauses: own ? c.roomPauses.concat(own) : c.roomPauses,
    now: st.clock.now(),
    submitted: submitted || !OPEN_STATUSES.includes(s.status),
  });
}

export function timerFor(st: TerminalState, s: Session, idNumber: string, attempt: Attempt | null): TimerState {
  return timerOfCandidate(st, s, idNumber, attempt?.status === 'submitted');
}

export function paperOf(st: TerminalState, sessionId: string, idNumber: string): DeliveredQuestion[] {
  const key = `${sessionId}\n${idNumber}`;
  let p = st.papers.get(key);
  if (!p) {
    const paper = st.plans.paperStore.forCandidate(sessionId, idNumber);
    if (!paper) throw new Conflict(`candidate has no paper in exam session ${sessionId}`);
    // Papers cannot change once check-in has opened, so the delivered form is kept.
    p = deliver(paper.items, st.exam.bank.questionsByIds(paper.items.map((i) => i.questionId)));
    st.papers.set(key, p);
  }
  return p;
}
