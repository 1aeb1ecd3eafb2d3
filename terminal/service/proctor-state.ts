// What the proctor console reads of the terminals: a session's incidents and the room at a glance.
import type { Incident } from '../store.ts';
import type { TerminalState } from './state.ts';
import { sessionInfo, startedAt, timerFor } from './sessions.ts';

export function incidents(st: TerminalState, sessionId: string): Incident[] {
  st.plans.session(sessionId);
  return st.store.incidents(sessionId);
}

/** The room at a glance for the proctor console: each candidate's attempt, terminal, clock. */
export function sessionState(st: TerminalState, sessionId: string) {
  const s = st.plans.session(sessionId);
  const attempts = new Map(st.store.attemptsOf(s.id).map((a) => [a.idNumber, a]));
  const answered = st.store.answeredCount(s.id);
  const roomPause = st.store.openPause(s.id, null);
  const incidents = st.store.incidents(s.id);
  return {
    session: sessionInfo(st, s),
    startedAt: startedAt(st, s),
    roomPaused: roomPause !== null,
    candidates: st.plans.roster(s.id).map((e) => {
      const a = attempts.get(e.idNumber) ?? null;
      const terminalId = a?.terminalId ?? st.terminalAtSeat(s.roomId, e.seat);
      const p = terminalId ? st.presence.get(terminalId) : undefined;
      const t = timerFor(st, s, e.idNumber, a);
      return {
        ticketNo: e.ticketNo,
        name: e.name,
        idNumber: e.idNumber,
        seat: e.seat,
        rosterStatus: e.status,
        attempt: a
          ? {
              status: a.status,
              locked: a.locked,
              lastSeq: a.lastSeq,
              answered: answered.get(e.idNumber) ?? 0,
              submittedBy: a.submittedBy,
              submittedAt: a.submittedAt,
            }
          : null,
        terminal: terminalId ? { id: terminalId, online: p?.online ?? false, since: p?.since ?? null } : null,
        time: { state: t.state, remainingMs: t.remainingMs, deadline: t.deadline, addedMs: t.addedMs, pausedMs: t.pausedMs, paused: t.pause !== null },
        incidents: incidents.filter((i) => i.idNumber === e.idNumber).length,
      };
    }),
    pendingMoves: st.store.pendingMoves(s.id),
  };
}
