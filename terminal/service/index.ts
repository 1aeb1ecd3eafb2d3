// The exam-terminal service: log-in at the right seat, the paper, saves committed before they are
// acked, the server's clock with pauses and added time, submit and auto-submit, resume after any
// crash, moves between terminals, integrity incidents, snapshots and invigilators' commands, and the
// log-in lock of a terminal that keeps failing log-ins.
// Each job is a file of this folder working on one TerminalState (state.ts); this file only assembles
// the service object the rest of the server sees.
import type { TerminalSocket, Conn } from '../gateway.ts';
import type { Attempt, SubmittedBy } from '../store.ts';
import { createTerminalState, type Session, type SnapshotRefusal, type TerminalDeps } from './state.ts';
import { connect, disconnect, receive } from './connections.ts';
import { openSessionOf, timerFor } from './sessions.ts';
import { submitAttempt, sweep } from './submit.ts';
import { listenToSessions, start, stop, tick } from './sweeper.ts';
import { type MoveConfirmation, addTime, admitCandidate, approveMove, forceSubmit, move, pause, rejectMove, resume, setLock } from './commands.ts';
import { incidents, sessionState } from './proctor-state.ts';
import { holderElsewhere } from './login.ts';
import { unlockLogin } from './login-lock.ts';

export { maskIdNumber, type SnapshotChecker, type SnapshotRefusal, type TerminalDeps } from './state.ts';

export function createTerminalService(deps: TerminalDeps) {
  const st = createTerminalState(deps);
  const offStatus = listenToSessions(st);
  // The server says this terminal's device token is due: the page fetches a new one over HTTP (the
  // token lives in an httpOnly cookie, which only an HTTP answer can set).
  const offTokens = st.bus.on('device.token_due', ({ deviceId, kind }) => {
    const conn = kind === 'terminal' ? st.reg.ofTerminal(deviceId) : null;
    if (conn && !conn.retired) st.send(conn, { type: 'token_rotate' });
  });
  st.offStatus = () => {
    offStatus();
    offTokens();
  };
  return {
    store: st.store,
    connect: (terminalId: string, socket: TerminalSocket, ip: string | null = null) => connect(st, terminalId, socket, ip),
    disconnect: (conn: Conn) => disconnect(st, conn),
    receive: (conn: Conn, data: Buffer | string, isBinary: boolean) => receive(st, conn, data, isBinary),
    sweep: () => sweep(st),
    tick: () => tick(st),
    submitAttempt: (sessionId: string, idNumber: string, by: SubmittedBy, actor: string, reason: string | null = null, ip: string | null = null) =>
      submitAttempt(st, sessionId, idNumber, by, actor, reason, ip),
    timerFor: (s: Session, idNumber: string, attempt: Attempt | null) => timerFor(st, s, idNumber, attempt),
    openSessionOf: (roomId: string) => openSessionOf(st, roomId),
    presence: (terminalId: string) => st.presence.get(terminalId) ?? { online: false, since: null as number | null },
    connections: () => st.reg.all().length,
    /** Snapshots refused since start, by reason (examroom_terminal_snapshots_refused_total on /metrics). */
    snapshotsRefused: (): Partial<Record<SnapshotRefusal, number>> => Object.fromEntries(st.snapshotsRefused),
    start: () => start(st),
    stop: () => stop(st),
    admitCandidate: (sessionId: string, idNumber: string, by: string, ip: string | null = null) => admitCandidate(st, sessionId, idNumber, by, ip),
    pause: (sessionId: string, candidate: string | null, reason: string | null, actor: string, ip: string | null = null) =>
      pause(st, sessionId, candidate, reason, actor, ip),
    resume: (sessionId: string, candidate: string | null, actor: string, ip: string | null = null) => resume(st, sessionId, candidate, actor, ip),
    addTime: (sessionId: string, candidate: string | null, minutes: number, reason: string, actor: string, ip: string | null = null) =>
      addTime(st, sessionId, candidate, minutes, reason, actor, ip),
    forceSubmit: (sessionId: string, candidate: string, reason: string, actor: string, ip: string | null = null) =>
      forceSubmit(st, sessionId, candidate, reason, actor, ip),
    setLock: (sessionId: string, candidate: string, locked: boolean, reason: string | null, actor: string, ip: string | null = null) =>
      setLock(st, sessionId, candidate, locked, reason, actor, ip),
    move: (id: string) => move(st, id),
    approveMove: (id: string, actor: string, ip: string | null = null, confirmation: MoveConfirmation = {}) => approveMove(st, id, actor, ip, confirmation),
    /** Whether the candidate's attempt is held by another connected terminal than `toTerminal` (a contested move). */
    contestedBy: (sessionId: string, idNumber: string, toTerminal: string) => {
      const c = holderElsewhere(st, sessionId, idNumber, toTerminal);
      return c ? { terminalId: c.terminal.id, seat: c.terminal.seat } : null;
    },
    loginLocked: (terminalId: string) => st.store.loginLock(terminalId),
    terminalRoom: (terminalId: string) => st.terminalById(terminalId)?.room ?? null,
    unlockLogin: (terminalId: string, actor: string, reason: string | null, ip: string | null = null) => unlockLogin(st, terminalId, actor, reason, ip),
    rejectMove: (id: string, actor: string, ip: string | null = null) => rejectMove(st, id, actor, ip),
    incidents: (sessionId: string) => incidents(st, sessionId),
    sessionState: (sessionId: string) => sessionState(st, sessionId),
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
