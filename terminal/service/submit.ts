// Submitting: by the candidate, by an invigilator, or automatically when time is up or the session
// ends (the sweep), grading the committed answers in the same transaction.
import { Conflict } from '../../core/index.ts';
import type { Conn } from '../gateway.ts';
import type { SubmittedBy } from '../store.ts';
import { Refusal, keyOf, type TerminalState } from './state.ts';
import { conns, pushTime, submittedMessage } from './messages.ts';
import { flushSaves } from './saves.ts';
import { reloadSession, sessionOf, timerOfCandidate } from './sessions.ts';

export function submitFromTerminal(st: TerminalState, conn: Conn): void {
  const b = conn.bound;
  if (!b) throw new Refusal('not_logged_in', 'log in first');
  const s = st.plans.session(b.sessionId);
  if (s.status === 'checkin') throw new Refusal('not_started', 'the exam has not started yet');
  submitAttempt(st, s.id, b.idNumber, 'candidate', `device:${conn.terminal.id}`);
}

/**
 * Ends an attempt: marks it submitted and grades the committed answers, in one transaction.
 * Submitting twice returns the first submission.
 */
export function submitAttempt(
  st: TerminalState,
  sessionId: string,
  idNumber: string,
  by: SubmittedBy,
  actor: string,
  reason: string | null = null,
  ip: string | null = null,
) {
  flushSaves(st);
  const s = reloadSession(st, sessionId);
  const out = st.db
    .transaction(() => {
      const a = st.store.attempt(s.id, idNumber);
      if (!a) throw new Conflict(`${idNumber} has not logged in on a terminal in exam session ${s.id}`);
      if (a.status === 'submitted') return { first: false, answered: 0 };
      const answers = st.store.answers(s.id, idNumber);
      const sheet = Object.fromEntries(answers.map((x) => [x.no, x.choice]));
      st.store.markSubmitted(s.id, idNumber, by, actor);
      const result = st.plans.resultOf(s.id, idNumber) ?? st.plans.gradeCandidate(s.id, idNumber, sheet, actor);
      const e = st.plans.roster(s.id).find((x) => x.idNumber === idNumber)!;
      const answered = answers.filter((x) => x.choice.length > 0).length;
      st.audit.append({
        actor,
        action: 'terminal.submit',
        target: s.id,
        detail: { ticketNo: e.ticketNo, by, reason, answered, score: result.score, passed: result.passed },
        ip,
      });
      return { first: true, answered, score: result.score, passed: result.passed };
    })
    .immediate();
  st.active.delete(keyOf(s.id, idNumber));
  const a = st.store.attempt(s.id, idNumber)!;
  if (out.first)
    st.bus.emit('attempt.submitted', {
      sessionId: s.id,
      roomId: s.roomId,
      idNumber,
      by,
      actor,
      answered: out.answered,
      score: out.score!,
      passed: out.passed!,
    });
  for (const c of conns(st, s.id, idNumber)) {
    st.send(c, submittedMessage(st, s, a));
    pushTime(st, c);
  }
  return { attempt: a, result: st.plans.resultOf(s.id, idNumber) };
}

/**
 * Auto-submit: every attempt whose time is up, and every attempt of a session that has ended,
 * whether or not its terminal is connected. Runs every second and at start-up, so an attempt
 * that ran out while the server was down is submitted as soon as it is back.
 */
export function sweep(st: TerminalState): number {
  let n = 0;
  // From memory only (attempts, sessions, clocks): SQL is touched just for an attempt that is due.
  for (const a of st.active.values()) {
    try {
      const s = sessionOf(st, a.sessionId);
      const due = s.status === 'ended' || (s.status === 'in_progress' && timerOfCandidate(st, s, a.idNumber, false).state === 'over');
      if (!due) continue;
      submitAttempt(st, s.id, a.idNumber, 'auto', 'system', s.status === 'ended' ? 'session ended' : 'time up');
      n++;
    } catch (err) {
      st.logError(err, `auto-submit of ${a.sessionId}/${a.idNumber} failed`);
    }
  }
  return n;
}
