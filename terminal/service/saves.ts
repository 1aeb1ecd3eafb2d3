// Answers: each save is checked, queued, and committed with every other save of the same event-loop
// turn in one transaction (one fsync) before any of them is acked.
import type { Conn } from '../gateway.ts';
import type { SaveMessage } from '../protocol.ts';
import { Refusal, keyOf, type TerminalState } from './state.ts';
import { paperOf, reloadSession, sessionOf, timerOfCandidate } from './sessions.ts';
import { submitAttempt } from './submit.ts';

/**
 * Checks a save and queues it for the group commit that runs once this turn of the event loop has
 * read every socket (flushSaves). Nothing is acked before that commit.
 */
export function save(st: TerminalState, conn: Conn, msg: SaveMessage): void {
  const b = conn.bound;
  if (!b) throw new Refusal('not_logged_in', 'log in before saving answers');
  let s = sessionOf(st, b.sessionId);
  // Another process (the CLI) may have ended the exam a moment ago; the status alone is read afresh.
  if (st.store.sessionStatus(s.id) !== s.status) s = reloadSession(st, s.id);
  if (!st.active.has(keyOf(s.id, b.idNumber))) throw new Refusal('submitted', 'the paper has been submitted; answers can no longer change');
  if (s.status === 'checkin') throw new Refusal('not_started', 'the exam has not started yet');
  if (s.status !== 'in_progress') throw new Refusal('time_up', 'the exam has ended');
  if (timerOfCandidate(st, s, b.idNumber, false).state === 'over') {
    submitAttempt(st, s.id, b.idNumber, 'auto', 'system', 'time up');
    throw new Refusal('time_up', 'time is up; the paper has been submitted');
  }
  const paper = paperOf(st, s.id, b.idNumber);
  const q = paper[msg.no - 1];
  if (!q) throw new Refusal('invalid_answer', `question ${msg.no} does not exist; the paper has ${paper.length}`);
  // The message is this function's own (parsed from the frame): sorted in place, checked in one pass.
  const choice = msg.choice.sort((x, y) => x - y);
  for (let i = 0; i < choice.length; i++) {
    if (choice[i]! >= q.options.length)
      throw new Refusal('invalid_answer', `question ${msg.no} has options 0–${q.options.length - 1}; ${choice[i]} is not one`);
    if (i > 0 && choice[i] === choice[i - 1]) throw new Refusal('invalid_answer', `question ${msg.no}: an option is chosen twice`);
  }
  if (q.type !== 'multiple' && choice.length > 1)
    throw new Refusal('invalid_answer', `question ${msg.no} is ${q.type === 'judge' ? 'a true/false' : 'a single-choice'} question; choose one option`);
  st.pending.push({
    conn,
    sessionId: s.id,
    roomId: s.roomId,
    idNumber: b.idNumber,
    terminalId: conn.terminal.id,
    seq: msg.seq,
    no: msg.no,
    choice: JSON.stringify(choice),
  });
  st.flushing ??= setImmediate(() => flushSaves(st));
}

/**
 * Group commit: every save queued since the last flush in one transaction, then each is answered.
 * Committed (synchronous=FULL: the WAL fsynced) before its ack is sent, so an acked answer survives
 * a power cut; the saves that arrived together (after a stall, hundreds) share one fsync instead of
 * paying one each. Runs before anything that reads answers or ends an attempt, so those never miss
 * a received save.
 */
export function flushSaves(st: TerminalState): void {
  if (st.flushing) {
    clearImmediate(st.flushing);
    st.flushing = null;
  }
  if (st.pending.length === 0) return;
  const batch = st.pending;
  st.pending = [];
  const outcomes: (ReturnType<typeof st.store.recordSave> | Error)[] = [];
  try {
    st.db
      .transaction(() => {
        for (const p of batch) outcomes.push(st.store.recordSave(p.sessionId, p.idNumber, p.terminalId, p.seq, p.no, p.choice));
      })
      .immediate();
  } catch (err) {
    // One bad save must not cost the others theirs: each alone.
    st.logError(err, `committing ${batch.length} saves together failed; committing each alone`);
    outcomes.length = 0;
    for (const p of batch) {
      try {
        outcomes.push(st.db.transaction(() => st.store.recordSave(p.sessionId, p.idNumber, p.terminalId, p.seq, p.no, p.choice)).immediate());
      } catch (e) {
        st.logError(e, `terminal ${p.terminalId}: save ${p.seq} failed`);
        outcomes.push(e as Error);
      }
    }
  }
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i]!;
    const outcome = outcomes[i]!;
    if (outcome instanceof Error) {
      st.send(p.conn, { type: 'error', code: 'internal', reason: 'the save could not be stored; send it again', for: 'save', seq: p.seq });
    } else if (outcome === 'reused') {
      const prior = st.store.saveBySeq(p.sessionId, p.idNumber, p.seq);
      st.send(p.conn, {
        type: 'error',
        code: 'seq_reused',
        reason: `seq ${p.seq} was already used for question ${prior?.no ?? '?'} with another choice; every save needs a new seq`,
        for: 'save',
        seq: p.seq,
      });
    } else {
      st.reg.sendAck(p.conn, p.seq, p.no);
      if (outcome !== 'replay')
        st.bus.emit('answer.saved', { sessionId: p.sessionId, roomId: p.roomId, idNumber: p.idNumber, no: p.no, seq: p.seq, applied: outcome === 'applied' });
    }
  }
}
