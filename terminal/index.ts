// The exam-terminal gateway: terminals connect over a WebSocket (protocol.ts), candidates log in at
// their seat, receive their pre-generated paper and save answers that are committed before they are
// acked; the server alone keeps the time, pauses, adds time and submits when time is up.
// It never sends a key or question id to a terminal, and never trusts a terminal's clock.
export { createTerminalService, maskIdNumber, type SnapshotChecker, type TerminalDeps, type TerminalService } from './service/index.ts';
export { terminalRoutes, type SocketRegistrar, type TerminalRouteOptions } from './routes.ts';
export { timerOf, type TimerInput, type TimerState, type PauseSpan } from './timer.ts';
export type { Attempt, Incident, Move, SnapshotIdentity, StoredSnapshot, SubmittedBy } from './store.ts';
// The object-store tier (server/tier.ts) copies seat snapshots to the store through this; face retention deletes both.
export { snapshotTierFiles } from './tier-files.ts';
// records/ (score reports, room log, the session archive) reads the terminals' tables through these.
export {
  sessionAnswers,
  sessionAttempt,
  sessionIntegrity,
  terminalRecordOfSession,
  type ArchivedAnswer,
  type SessionIntegrity,
  type AttemptRecord,
  type IntegrityRecord,
  type MoveRecord,
  type PauseRecord,
  type SnapshotRecord,
  type TerminalSessionRecord,
  type TimeAddedRecord,
} from './records-view.ts';
// The candidate's face-recognition choice, as the seat side reads it (terminal, proctor and records alike).
export { consentAtSeat, declinedAtSeat, type SeatConsent, type SeatConsentDecision } from './face-consent.ts';
export * as protocol from './protocol.ts';
