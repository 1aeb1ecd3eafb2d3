// The terminal service's state, in one object every part of the service reads and writes: the
// connections, the caches of sessions, clocks and delivered papers, the saves waiting for their group
// commit and the snapshot checks waiting for the face engine. Only SQL outlives it (see store.ts).
import { Counter, type Registry } from 'prom-client';
import type { Clock, EventBus } from '../../core/index.ts';
import type { Config, TerminalConfig } from '../../config/index.ts';
import { faceVaultOr, type AuditLog, type DataPaths, type Db, type FaceVault } from '../../storage/index.ts';
import type { DeliveredQuestion, ExamService } from '../../exam/index.ts';
import { createRegistry, type Conn } from '../gateway.ts';
import type { ErrorCode, IdentityResult, ServerMessage } from '../protocol.ts';
import { createTerminalStore } from '../store.ts';
import type { PauseSpan } from '../timer.ts';

/**
 * Compares a terminal's webcam snapshot with the candidate's roster photo (the identity service, in
 * kiosk/). May take seconds; it runs apart from the answers. A throw counts as 'unchecked'.
 */
export type SnapshotChecker = (s: {
  sessionId: string;
  idNumber: string;
  jpeg: Buffer;
  terminalId: string;
  roomId: string;
}) => Promise<{ identity: IdentityResult; distance: number | null; detail: string }>;

export interface TerminalDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  /** Seals the seat snapshots; absent = the keys folder's (storage/face-vault.ts faceVaultOr). */
  faceVault?: FaceVault;
  exam: ExamService;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** The identity re-check of snapshots; without it every snapshot is answered 'unchecked'. */
  checkSnapshot?: SnapshotChecker;
  /** The app's metrics registry (absent in the CLI and some tests): refused snapshots are counted there. */
  registry?: Registry;
  /** The terminal app's entry script as the server serves it (server/routes/web.ts builtEntryOf); null = not built, not checked. */
  appHash?: () => string | null;
}

/** Why a snapshot was refused (the label of examroom_terminal_snapshots_refused_total). */
export type SnapshotRefusal = 'too_soon' | 'quota_count' | 'quota_bytes' | 'too_large' | 'malformed' | 'write_failed';

const SNAPSHOTS_REFUSED = 'examroom_terminal_snapshots_refused_total';
function refusedCounter(registry: Registry | undefined): Counter<'reason'> | null {
  if (!registry) return null;
  // One counter per registry even when a test builds a second service on the same app.
  return (
    (registry.getSingleMetric(SNAPSHOTS_REFUSED) as Counter<'reason'> | undefined) ??
    new Counter({
      name: SNAPSHOTS_REFUSED,
      help: 'Terminal snapshots refused and not stored, by reason (too_soon, quota_count, quota_bytes, too_large, malformed, write_failed)',
      labelNames: ['reason'],
      registers: [registry],
    })
  );
}

export type Session = ReturnType<ExamService['plans']['session']>;
export type Entry = ReturnType<ExamService['plans']['roster']>[number];

/** A refusal the terminal is told about as {type:'error', code, reason}. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const OPEN_STATUSES = ['checkin', 'in_progress'];
export const SWEEP_MS = 1000;
/** Snapshots waiting for the identity check beyond this many are answered 'unchecked' at once. */
export const MAX_CHECKS_QUEUED = 100;

/**
 * A session's clock inputs that commands change (time added, pauses), per candidate and for the room,
 * read from SQL once and dropped whenever a command changes them, so the timer is always what SQL says.
 */
export interface SessionClock {
  startedAt: number | null;
  roomAddedMs: number;
  roomPauses: PauseSpan[];
  addedMs: Map<string, number>;
  pauses: Map<string, PauseSpan[]>;
  /** The newest time added per candidate, the room's under null: what the terminal tells the candidate. */
  lastAdded: Map<string | null, { ms: number; reason: string; at: number }>;
}

/** A save checked and waiting for the next group commit (see flushSaves). */
export interface PendingSave {
  conn: Conn;
  sessionId: string;
  roomId: string;
  idNumber: string;
  terminalId: string;
  seq: number;
  no: number;
  choice: string;
}

export const keyOf = (sessionId: string, idNumber: string) => `${sessionId}\n${idNumber}`;

// One masking rule for the whole appliance (core/id-number.ts); re-exported for the terminal's parts.
export { maskIdNumber } from '../../core/index.ts';

export function createTerminalState(deps: TerminalDeps) {
  const { config } = deps;
  const store = createTerminalStore(deps.db, deps.clock);
  const reg = createRegistry();
  // Every attempt under way, so the sweep needs no SQL to know whose time may run out.
  const active = new Map<string, { sessionId: string; idNumber: string }>();
  for (const a of store.activeAttempts()) active.set(keyOf(a.sessionId, a.idNumber), { sessionId: a.sessionId, idNumber: a.idNumber });
  return {
    deps,
    db: deps.db,
    clock: deps.clock,
    bus: deps.bus,
    config,
    audit: deps.audit,
    paths: deps.paths,
    faceVault: faceVaultOr(deps.faceVault, deps.config.paths.keys),
    exam: deps.exam,
    plans: deps.exam.plans,
    store,
    reg,
    /** Delivered papers by keyOf(session, candidate): papers cannot change once check-in has opened. */
    papers: new Map<string, DeliveredQuestion[]>(),
    presence: new Map<string, { online: boolean; since: number }>(),
    /** Failed log-ins per terminal within LOGIN_LOCK's window, server epoch ms (login-lock.ts). */
    loginFailures: new Map<string, number[]>(),
    /** What each room's terminals were last told about its session (roomKey in sweeper.ts). */
    roomKeys: new Map<string, string>(),
    timer: null as NodeJS.Timeout | null,
    // Sessions as last read: refreshed on every status change, in-process at once (the bus) and from
    // another process (the CLI) within a tick (refreshRooms). Saves re-read the status itself.
    sessions: new Map<string, Session>(),
    clocks: new Map<string, SessionClock>(),
    active,
    pending: [] as PendingSave[],
    flushing: null as NodeJS.Immediate | null,
    checks: [] as (() => Promise<void>)[],
    /** Snapshots refused since start, by reason (also on /metrics when there is a registry). */
    snapshotsRefused: new Map<SnapshotRefusal, number>(),
    snapshotsRefusedMetric: refusedCounter(deps.registry),
    /** Snapshots refused for coming too fast, per connection: a page within the interval never piles these up. */
    tooSoon: new WeakMap<Conn, number>(),
    /** Attempts whose snapshot quota ran out and were reported as an incident (once per attempt and process). */
    quotaReported: new Set<string>(),
    checking: false,
    // After stop() no identity check starts: the checker's engine may already be closed with the app.
    stopped: false,
    /** Stops listening to session status changes (set by the service once it listens). */
    offStatus: (): void => {},
    send: (conn: Conn, msg: ServerMessage) => reg.send(conn, msg),
    terminalById: (id: string): TerminalConfig | null => config.terminals.find((t) => t.id === id) ?? null,
    terminalAtSeat: (roomId: string, seat: string | null) => (seat ? (config.terminals.find((t) => t.room === roomId && t.seat === seat)?.id ?? null) : null),
    logError: (err: unknown, msg: string) => deps.log?.error({ err }, msg),
  };
}

export type TerminalState = ReturnType<typeof createTerminalState>;
