// The exam-terminal WebSocket protocol (GET /ws/terminal): every message both ways, as TypeBox
// schemas and the TypeScript types made from them. Shared by the server gateway and the terminal
// web app, so it imports nothing but 'typebox' — never server code. docs/terminal-protocol.md is
// the prose version with examples; change a shape here only together with that document.
import { Type, type Static } from 'typebox';

export const PROTOCOL_VERSION = 1;
export const WS_PATH = '/ws/terminal';
/**
 * A kiosk or terminal page POSTs `{}` here, as the device, when the server says its token is due
 * (`token_rotate` here, the `token_rotate` event on the kiosk's stream): the answer sets the new device
 * cookie. The old token stays valid until the new one is first used, then a few minutes more.
 */
export const DEVICE_TOKEN_PATH = '/api/devices/token';

/** Limits the server enforces; the hello message repeats them so the web app need not hard-code them. */
export const LIMITS = {
  /** Token bucket per connection: sustained messages per second, and the burst allowed on top. */
  messagesPerSecond: 20,
  burst: 40,
  /** Largest text frame accepted at all (a snapshot is the only big message). */
  maxMessageBytes: 512 * 1024,
  /**
   * Largest decoded JPEG in a snapshot the protocol allows at all; the site's own cap (config
   * exam.snapshotMaxKiB, 64 KiB by default) is at most this, and hello.limits.maxSnapshotBytes says it.
   */
  maxSnapshotBytes: 256 * 1024,
  /** The client pings this often; the server hangs up on a socket silent for heartbeatTimeoutMs. */
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 30_000,
  /** The server pushes the remaining time at least this often, and at once on every change. */
  timePushMs: 5_000,
  /** The client keeps at most this many saves unacknowledged in flight (the rest wait in its queue). */
  maxInFlightSaves: 16,
} as const;

/** WebSocket close codes the server uses. */
export const CLOSE = {
  /** Server shutting down: reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Policy: rate limit exceeded, or no device token. Reconnect after a pause. */
  POLICY: 1008,
  /** The device token was revoked: pair again. */
  REVOKED: 4401,
  /** A newer connection of this terminal took over. Do not reconnect from this page. */
  REPLACED: 4409,
  /** The candidate moved to another terminal (invigilator approved). Show the log-in screen again. */
  MOVED: 4410,
} as const;

// ---------------------------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------------------------

const closed = { additionalProperties: false } as const;
/** One of a fixed list of strings, typed as their union. */
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);

export const PingT = Type.Object(
  { type: Type.Literal('ping'), t: Type.Optional(Type.Number({ description: 'any number; echoed in pong (e.g. performance.now() to measure round trips)' })) },
  closed,
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * What the page tells about its PC with every log-in (docs/exam-pcs.md "Integrity at log-in"); the server
 * refuses the log-in when a check of config examPcs.loginChecks fails. Absent = a page from before this
 * field: an old app.
 */
export const PcStateT = Type.Object(
  {
    /** The file name of the page's entry script (content-hashed by the build): which app the PC runs. */
    appHash: Type.String({ maxLength: 80 }),
    /** getDisplayMedia's displaySurface while recording (monitor, window, browser), null when not recording. */
    surface: Nullable(Type.String({ maxLength: 32 })),
    /** The page fills the screen: document.fullscreenElement, or a kiosk/fullscreen window (display-mode). */
    fullscreen: Type.Boolean(),
  },
  closed,
);
export type PcState = Static<typeof PcStateT>;

export const LoginT = Type.Object(
  {
    type: Type.Literal('login'),
    pc: Type.Optional(PcStateT),
    credential: Type.String({
      minLength: 1,
      maxLength: 32,
      description:
        'ticket number (准考证号; case, spaces and dashes do not matter), or the ID number (身份证号), which logs in only at the candidate’s own seat',
    }),
  },
  closed,
);

export const SaveT = Type.Object(
  {
    type: Type.Literal('save'),
    /** Per attempt, increasing: continue from max(your highest seq, lastSeq of the paper message) + 1. */
    seq: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    /** Question number as shown (1-based). */
    no: Type.Integer({ minimum: 1, maximum: 1000 }),
    /** Shown-option indices (0 = first option shown); [] clears the answer. */
    choice: Type.Array(Type.Integer({ minimum: 0, maximum: 25 }), { maxItems: 26 }),
  },
  closed,
);

export const SubmitT = Type.Object({ type: Type.Literal('submit'), confirm: Type.Literal(true, { description: 'the candidate confirmed on screen' }) }, closed);

export const INTEGRITY_KINDS = ['focus_lost', 'visibility_hidden', 'fullscreen_left', 'copy', 'cut', 'paste', 'context_menu', 'key_blocked', 'print'] as const;
export type IntegrityKind = (typeof INTEGRITY_KINDS)[number];

export const IntegrityT = Type.Object(
  {
    type: Type.Literal('integrity'),
    kind: oneOf(INTEGRITY_KINDS),
    /** A few words for the proctor, e.g. the blocked key combination or how long focus was away. */
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  },
  closed,
);

export const SnapshotT = Type.Object(
  {
    type: Type.Literal('snapshot'),
    jpegBase64: Type.String({ minLength: 4, description: 'a JPEG, base64 (no data: prefix), at most LIMITS.maxSnapshotBytes decoded' }),
  },
  closed,
);

/** Asks the server to send the whole state again (candidate, paper with acked answers, time, lock). */
export const ResyncT = Type.Object({ type: Type.Literal('resync') }, closed);

export const ClientMessageT = Type.Union([PingT, LoginT, SaveT, SubmitT, IntegrityT, SnapshotT, ResyncT]);
export type ClientMessage = Static<typeof ClientMessageT>;
export type PingMessage = Static<typeof PingT>;
export type LoginMessage = Static<typeof LoginT>;
export type SaveMessage = Static<typeof SaveT>;
export type SubmitMessage = Static<typeof SubmitT>;
export type IntegrityMessage = Static<typeof IntegrityT>;
export type SnapshotMessage = Static<typeof SnapshotT>;
export type ResyncMessage = Static<typeof ResyncT>;

/** Each client message type and its schema, for validating one message at a time. */
export const CLIENT_MESSAGES = {
  ping: PingT,
  login: LoginT,
  save: SaveT,
  submit: SubmitT,
  integrity: IntegrityT,
  snapshot: SnapshotT,
  resync: ResyncT,
} as const;
export type ClientMessageType = keyof typeof CLIENT_MESSAGES;

// ---------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------

export const SESSION_STATUSES = ['scheduled', 'papers_ready', 'checkin', 'in_progress', 'ended', 'graded', 'archived'] as const;

/** The session now open in this terminal's room (check-in or in progress), as the log-in screen shows it. */
export const SessionInfoT = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  name: Type.String({ description: 'the template name, e.g. 机械行业主要负责人' }),
  status: oneOf(SESSION_STATUSES),
  /** Scheduled start, server epoch ms. */
  startsAt: Type.Number(),
  /** When the exam actually started (early or late), server epoch ms; null before it starts. */
  startedAt: Type.Optional(Nullable(Type.Number())),
  durationMinutes: Type.Integer(),
});
export type SessionInfo = Static<typeof SessionInfoT>;

export const HelloT = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Literal(PROTOCOL_VERSION),
  terminalId: Type.String(),
  roomId: Type.String(),
  /** What the site calls the room (第一考场): the screens show it, not the id. */
  roomName: Type.Optional(Type.String()),
  seat: Type.String(),
  /** Server epoch ms: show times with it; never trust the terminal's own clock. */
  serverTime: Type.Number(),
  /** The site's IANA time zone: clock times are shown in it, whatever the terminal's own setting. */
  timezone: Type.String(),
  session: Nullable(SessionInfoT),
  /** 0 = do not send snapshots. */
  snapshotIntervalSeconds: Type.Integer(),
  /** How long the result screen keeps the candidate's name and score before clearing them (exam.resultDisplaySeconds). */
  resultDisplaySeconds: Type.Number(),
  /**
   * True while this terminal refuses log-ins after too many failed ones, until an invigilator unlocks it
   * from the console (login_lock says when that changes). Absent = false.
   */
  loginLocked: Type.Optional(Type.Boolean()),
  limits: Type.Object({
    messagesPerSecond: Type.Integer(),
    burst: Type.Integer(),
    maxMessageBytes: Type.Integer(),
    maxSnapshotBytes: Type.Integer(),
    heartbeatIntervalMs: Type.Integer(),
    heartbeatTimeoutMs: Type.Integer(),
    timePushMs: Type.Integer(),
    maxInFlightSaves: Type.Integer(),
  }),
});

export const PongT = Type.Object({ type: Type.Literal('pong'), serverTime: Type.Number(), t: Type.Optional(Type.Number()) });

/** Sent when this room's session changes status (check-in opens, the exam starts, it ends). */
export const SessionMessageT = Type.Object({ type: Type.Literal('session'), session: Nullable(SessionInfoT) });

export const LOGIN_REFUSALS = [
  'unknown_terminal',
  'session_not_open',
  'not_on_roster',
  // A ticket whose check digit does not match: a typo, never anyone's ticket (does not count towards the lock).
  'ticket_mistyped',
  'not_admitted',
  'wrong_seat',
  'already_submitted',
  'terminal_locked',
  // The PC's checks at log-in (config examPcs.loginChecks): an old or altered app, not recording the
  // whole monitor, not full screen. The message says what the IT person should do.
  'app_outdated',
  'not_whole_screen',
  'not_fullscreen',
] as const;
export type LoginRefusal = (typeof LOGIN_REFUSALS)[number];

export const LoginRefusedT = Type.Object({
  type: Type.Literal('login_refused'),
  reason: oneOf(LOGIN_REFUSALS),
  /** Words to show the candidate. */
  message: Type.String(),
  /**
   * wrong_seat only: the request an invigilator may approve to move this candidate to this terminal.
   * Keep the socket open and wait: on approval the server sends logged_in (and paper) unasked.
   * A wrong_seat refusal names no seat and no candidate: whoever typed the ticket asks the invigilator.
   */
  moveRequestId: Type.Optional(Type.String()),
});

/**
 * This terminal stopped (locked: true) or started again (false) accepting log-ins: after
 * LOGIN_LOCK.failures failed log-ins within LOGIN_LOCK.windowMinutes it stays locked until an
 * invigilator unlocks it from the console. While locked every login is refused with terminal_locked.
 */
export const LoginLockT = Type.Object({ type: Type.Literal('login_lock'), locked: Type.Boolean(), message: Type.String() });

/** When a terminal locks its log-in: failed log-ins (unknown credentials) within the window, by the server's clock. */
export const LOGIN_LOCK = { failures: 5, windowMinutes: 10 } as const;

export const CandidateInfoT = Type.Object({
  name: Type.String(),
  ticketNo: Type.String(),
  /** Masked: 4401**********123X. */
  idNumber: Type.String(),
  seat: Type.String(),
});
export type CandidateInfo = Static<typeof CandidateInfoT>;

export const LoggedInT = Type.Object({
  type: Type.Literal('logged_in'),
  /** True when the server re-attached an attempt already under way (reconnect, restart, approved move). */
  resumed: Type.Boolean(),
  candidate: CandidateInfoT,
  session: SessionInfoT,
  exam: Type.Object({ questions: Type.Integer(), total: Type.Number(), passMark: Type.Number() }),
  /**
   * What the candidate chose at the kiosk about face recognition for this session (issue 23), shown as
   * one line at log-in: 'accepted' — snapshots are compared with the face that entered; 'declined' —
   * snapshots are kept as evidence only and an invigilator confirms them at the seat; null — none
   * recorded (admitted by hand). Optional so that a page of the previous build still validates it.
   */
  faceConsent: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('declined'), Type.Null()])),
});

export const QuestionT = Type.Object({
  no: Type.Integer(),
  type: Type.Union([Type.Literal('judge'), Type.Literal('single'), Type.Literal('multiple')]),
  score: Type.Number(),
  stem: Type.String(),
  /** In this candidate's order; choice indices refer to this order. */
  options: Type.Array(Type.String()),
  images: Type.Array(Type.String()),
});
export type PaperQuestion = Static<typeof QuestionT>;

export const AnswerT = Type.Object({ no: Type.Integer(), choice: Type.Array(Type.Integer()), seq: Type.Integer() });
export type SavedAnswer = Static<typeof AnswerT>;

/** The paper (only once the exam has started) with every acknowledged answer. */
export const PaperT = Type.Object({
  type: Type.Literal('paper'),
  questions: Type.Array(QuestionT),
  /** The committed answers; an answer not listed here was never acknowledged. */
  answers: Type.Array(AnswerT),
  /** The highest seq the server has committed for this attempt (0 if none). */
  lastSeq: Type.Integer(),
});

export const TIME_STATES = ['waiting', 'running', 'paused', 'over'] as const;
export const TimeT = Type.Object({
  type: Type.Literal('time'),
  serverTime: Type.Number(),
  /** waiting: the exam has not started; over: the deadline has passed or the paper is submitted. */
  state: oneOf(TIME_STATES),
  /** When the session started (server epoch ms); null while waiting. */
  startedAt: Nullable(Type.Number()),
  /** start + duration + added + paused, as of serverTime; null while waiting. */
  deadline: Nullable(Type.Number()),
  /** Show this, counting down locally only until the next time message; null while waiting. */
  remainingMs: Nullable(Type.Number()),
  durationMs: Type.Number(),
  addedMs: Type.Number(),
  pausedMs: Type.Number(),
  pause: Nullable(Type.Object({ scope: Type.Union([Type.Literal('candidate'), Type.Literal('room')]), since: Type.Number(), reason: Nullable(Type.String()) })),
  /**
   * The latest time an invigilator added for this candidate (or their room), so the terminal tells the
   * candidate how much and why, as it does a pause; null when none was added. `at` is server time.
   */
  lastAdded: Nullable(
    Type.Object({ at: Type.Number(), minutes: Type.Number(), scope: Type.Union([Type.Literal('candidate'), Type.Literal('room')]), reason: Type.String() }),
  ),
});
export type TimeMessage = Static<typeof TimeT>;

export const AckT = Type.Object({ type: Type.Literal('ack'), seq: Type.Integer(), no: Type.Integer() });

export const LockT = Type.Object({ type: Type.Literal('lock'), locked: Type.Boolean(), reason: Nullable(Type.String()) });

export const SUBMITTED_BY = ['candidate', 'auto', 'invigilator'] as const;
export const SubmittedT = Type.Object({
  type: Type.Literal('submitted'),
  by: oneOf(SUBMITTED_BY),
  at: Type.Number(),
  /** Null when the site does not show scores on the terminal (config exam.showScore). */
  result: Nullable(Type.Object({ score: Type.Number(), total: Type.Number(), passMark: Type.Number(), passed: Type.Boolean() })),
});

export const NotedT = Type.Object({ type: Type.Literal('noted'), kind: Type.String(), incidentId: Type.String() });

export const IDENTITY_RESULTS = ['unchecked', 'match', 'mismatch', 'no_face', 'several_faces'] as const;
export type IdentityResult = (typeof IDENTITY_RESULTS)[number];
export const SnapshotResultT = Type.Object({
  type: Type.Literal('snapshot_result'),
  snapshotId: Type.String(),
  /**
   * The identity re-check's verdict, sent once per snapshot when the check is done (it runs apart from
   * the answers and may take a few seconds); 'unchecked' when the site has no identity check or it failed.
   */
  identity: oneOf(IDENTITY_RESULTS),
});

/**
 * The device token this terminal holds is due for rotation: POST {} to DEVICE_TOKEN_PATH (the cookie
 * goes along), then any authenticated request (e.g. GET /api/auth/me) so the server sees the new one used.
 */
export const TokenRotateT = Type.Object({ type: Type.Literal('token_rotate') });

export const BYE_REASONS = ['replaced', 'moved', 'rate_limited'] as const;
/** Sent just before the server closes the socket itself (see CLOSE for the codes). */
export const ByeT = Type.Object({ type: Type.Literal('bye'), reason: oneOf(BYE_REASONS), message: Type.String() });

export const ERROR_CODES = [
  'bad_json',
  'bad_message',
  'unknown_type',
  'too_large',
  'rate_limited',
  'not_logged_in',
  'already_logged_in',
  'not_started',
  'time_up',
  'submitted',
  'invalid_answer',
  'seq_reused',
  'bad_snapshot',
  'snapshot_too_soon',
  'snapshot_quota',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Errors about a save name its seq. A save answered by an error whose code is in SAVE_ERRORS_FINAL
 * will never be accepted: drop it. Any other error (not_logged_in, not_started, rate_limited,
 * internal): keep the save and send it again later.
 */
export const SAVE_ERRORS_FINAL: readonly ErrorCode[] = ['bad_message', 'invalid_answer', 'seq_reused', 'time_up', 'submitted'];

export const ErrorT = Type.Object({
  type: Type.Literal('error'),
  code: oneOf(ERROR_CODES),
  /** What was wrong, in words. */
  reason: Type.String(),
  /** The type of the message refused, when it could be read. */
  for: Type.Optional(Type.String()),
  /** The seq of the save refused. */
  seq: Type.Optional(Type.Integer()),
});

export const ServerMessageT = Type.Union([
  HelloT,
  PongT,
  SessionMessageT,
  LoginRefusedT,
  LoginLockT,
  LoggedInT,
  PaperT,
  TimeT,
  AckT,
  LockT,
  SubmittedT,
  NotedT,
  SnapshotResultT,
  TokenRotateT,
  ByeT,
  ErrorT,
]);
export type ServerMessage = Static<typeof ServerMessageT>;
export type HelloMessage = Static<typeof HelloT>;
export type PongMessage = Static<typeof PongT>;
export type SessionMessage = Static<typeof SessionMessageT>;
export type LoginRefusedMessage = Static<typeof LoginRefusedT>;
export type LoginLockMessage = Static<typeof LoginLockT>;
export type LoggedInMessage = Static<typeof LoggedInT>;
export type PaperMessage = Static<typeof PaperT>;
export type AckMessage = Static<typeof AckT>;
export type LockMessage = Static<typeof LockT>;
export type SubmittedMessage = Static<typeof SubmittedT>;
export type NotedMessage = Static<typeof NotedT>;
export type SnapshotResultMessage = Static<typeof SnapshotResultT>;
export type TokenRotateMessage = Static<typeof TokenRotateT>;
export type ByeMessage = Static<typeof ByeT>;
export type ErrorMessage = Static<typeof ErrorT>;
export type ServerMessageType = ServerMessage['type'];

// ---------------------------------------------------------------------------------------------
// The device-health report (kiosks and terminals alike, POST /api/devices/health)
// ---------------------------------------------------------------------------------------------
// Defined once, here, for every device page: the kiosk app imports it from this file too (a web app
// may import any protocol file). Exam PCs and the ID-card reader add fields to THIS report, never a
// second one. docs/terminal-protocol.md "Device health" is the prose version.

export const HEALTH_PATH = '/api/devices/health';

/** What the page found when it looked for a camera. */
export const CAMERA_STATES = [
  'available', // a camera stream was obtained (or is running)
  'missing', // the browser can reach cameras but none is plugged in
  'denied', // the user or a policy refused the permission
  'not-secure', // navigator.mediaDevices is absent: the page is not a secure context (plain HTTP on a name or address)
  'unsupported', // a secure page whose browser has no getUserMedia
  'error', // another failure (device busy, hardware error); see cameraDetail
  'not-needed', // this page uses no camera (not used by kiosks or terminals today)
] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** Screen capture: the terminal records its screen; the kiosk has none to record. */
export const SCREEN_CAPTURE_STATES = ['capturing', 'available', 'unavailable', 'not-needed'] as const;
export type ScreenCaptureState = (typeof SCREEN_CAPTURE_STATES)[number];

const HealthFieldsT = {
  secureContext: Type.Boolean({ description: 'window.isSecureContext of the page' }),
  camera: oneOf(CAMERA_STATES),
  /** The browser's error name or a few words when camera is denied/error, e.g. NotReadableError. */
  cameraDetail: Type.Optional(Type.String({ maxLength: 200 })),
  screenCapture: Type.Object(
    {
      state: oneOf(SCREEN_CAPTURE_STATES),
      /** getDisplayMedia's track settings displaySurface while capturing: monitor, window, browser. */
      surface: Type.Optional(Type.String({ maxLength: 32 })),
      /** Why unavailable, in a few words (not a secure context, refused, ended by the user …). */
      reason: Type.Optional(Type.String({ maxLength: 200 })),
    },
    closed,
  ),
  browser: Type.Object({ brand: Type.String({ minLength: 1, maxLength: 64 }), version: Type.String({ maxLength: 32 }) }, closed),
  /** The built app's id (its version and build time, set by the build). */
  appBuild: Type.String({ minLength: 1, maxLength: 80 }),
  /** The page's entry script file name (content-hashed): compared with the server's own build. */
  appHash: Type.Optional(Type.String({ maxLength: 80 })),
  /** Whether the page fills the screen: in kiosk mode, or full screen (document.fullscreenElement). */
  display: Type.Optional(
    Type.Object(
      {
        fullscreen: Type.Boolean(),
        /** The window is a kiosk/fullscreen window (CSS display-mode), not a page in a browser with its bars. */
        kiosk: Type.Boolean(),
        /** The screen's size in CSS pixels, as the page sees it. */
        screen: Type.String({ maxLength: 24 }),
      },
      closed,
    ),
  ),
};

/** What the page sends. The server measures the skew from pageTime against its own clock. */
export const DeviceHealthReportT = Type.Object(
  {
    ...HealthFieldsT,
    /** The page's Date.now() when it sent the report. */
    pageTime: Type.Number({ minimum: 0 }),
  },
  closed,
);
export type DeviceHealthReport = Static<typeof DeviceHealthReportT>;

/** What the server keeps (the latest per device) and shows in GET /api/devices. */
export const DeviceHealthT = Type.Object({
  ...HealthFieldsT,
  /** Page clock minus server time when the report arrived (ms; positive = the page runs ahead). */
  clockSkewMs: Type.Integer(),
  /** Server epoch ms when the report was received. */
  reportedAt: Type.Integer(),
});
export type DeviceHealth = Static<typeof DeviceHealthT>;

/** Why a device is flagged before a session starts (a warning; the start goes ahead). */
export const HEALTH_PROBLEMS = [
  'no_report',
  'not_secure',
  'no_camera',
  'no_screen_capture',
  // An exam PC's (docs/exam-pcs.md): recording a tab or window, not the monitor; not full screen; an app
  // build other than the server's; a clock further off than examPcs.maxClockSkewSeconds.
  'not_whole_screen',
  'not_fullscreen',
  'old_app',
  'clock_skew',
  // A paired exam PC with no connection now: it may have reported ready earlier, but it is not there.
  'offline',
] as const;
export type HealthProblem = (typeof HEALTH_PROBLEMS)[number];
export const DeviceWarningT = Type.Object({
  deviceId: Type.String(),
  kind: Type.Union([Type.Literal('kiosk'), Type.Literal('terminal')]),
  seat: Nullable(Type.String()),
  problems: Type.Array(oneOf(HEALTH_PROBLEMS)),
  /** In words, for the console (English; the console translates the problem codes). */
  message: Type.String(),
});
export type DeviceWarning = Static<typeof DeviceWarningT>;

/**
 * The problems a report shows (what the pre-start warning lists). The exam-PC checks apply where the
 * report carries their fields and the caller knows the expectation (the server's app hash, the skew limit).
 */
export function healthProblems(
  kind: 'kiosk' | 'terminal',
  h: (Pick<DeviceHealth, 'secureContext' | 'camera' | 'screenCapture'> & Partial<Pick<DeviceHealth, 'display' | 'appHash' | 'clockSkewMs'>>) | null,
  expect: { appHash?: string | null; maxClockSkewMs?: number } = {},
): HealthProblem[] {
  if (!h) return ['no_report'];
  const out: HealthProblem[] = [];
  if (!h.secureContext) out.push('not_secure');
  if (h.camera !== 'available' && h.camera !== 'not-needed') out.push('no_camera');
  if (kind === 'terminal' && h.screenCapture.state === 'unavailable') out.push('no_screen_capture');
  if (kind === 'terminal' && h.screenCapture.state === 'capturing' && h.screenCapture.surface && h.screenCapture.surface !== 'monitor')
    out.push('not_whole_screen');
  if (kind === 'terminal' && h.display && !h.display.fullscreen && !h.display.kiosk) out.push('not_fullscreen');
  if (expect.appHash && h.appHash !== undefined && h.appHash !== expect.appHash) out.push('old_app');
  if (expect.maxClockSkewMs !== undefined && h.clockSkewMs !== undefined && Math.abs(h.clockSkewMs) > expect.maxClockSkewMs) out.push('clock_skew');
  return out;
}

// ---- Devices as the admin console sees them (server/auth/devices.ts; GET /api/devices…) -----------
// Here beside the health report they carry, so the server's route schemas and the admin console's
// devices page read one definition.

export const DeviceKindT = Type.Union([Type.Literal('kiosk'), Type.Literal('terminal'), Type.Literal('reader')]);

/**
 * How often a waiting kiosk/terminal page asks for its pairing's status at most (web/pairing.ts's pollMs:
 * the terminal 2 s, the kiosk 1.5 s). A request whose page has not asked for PAIRING_GONE_MS (three polls
 * missed) is "page gone" — closed or rebooted — and is neither listed nor approvable: approving it would
 * pair a dead page while the real PC waits.
 */
export const PAIRING_POLL_MS = 2_000;
export const PAIRING_GONE_MS = 3 * PAIRING_POLL_MS;

/** A pending pairing request: the code the device shows, the `?device=` id it asked for, where it asks from. */
export const PairingViewT = Type.Object({
  id: Type.String(),
  kind: DeviceKindT,
  code: Type.String(),
  /** The configured id the device asked to become (its page's `?device=`), null when it named none. */
  claimedId: Nullable(Type.String()),
  requestedAt: Type.Integer(),
  expiresAt: Type.Integer(),
  /** When its page last asked for its status (server time); listed requests asked within PAIRING_GONE_MS. */
  polledAt: Type.Integer(),
  ip: Nullable(Type.String()),
  /** The requesting browser's User-Agent (first 200 characters). */
  userAgent: Nullable(Type.String()),
});
export type PairingView = Static<typeof PairingViewT>;

export const DeviceViewT = Type.Object({
  id: Type.String(),
  kind: DeviceKindT,
  configured: Type.Boolean(),
  room: Nullable(Type.String()),
  seat: Nullable(Type.String()),
  /** expired: the token was not used for security.deviceTokens.unusedDays; the PC must pair again. */
  state: Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked'), Type.Literal('expired')]),
  pairedAt: Nullable(Type.Integer()),
  approvedBy: Nullable(Type.String()),
  revokedAt: Nullable(Type.Integer()),
  /** Holds a connection to the server now (a terminal's exam socket, a device socket, a kiosk's event stream). */
  online: Type.Boolean(),
  lastSeenAt: Nullable(Type.Integer()),
  lastIp: Nullable(Type.String()),
  /** The page's latest device-health report, null until it sends one. */
  health: Nullable(DeviceHealthT),
  /** What the pre-start warning would say of this kiosk/terminal now (healthProblems against the server's build and clock). */
  problems: Type.Optional(Type.Array(oneOf(HEALTH_PROBLEMS))),
  /**
   * A paired terminal at a seat no candidate of its room's current session sits at (a spare PC, idle):
   * not being connected is no problem for it. Terminals only; absent when no session is current there.
   */
  spare: Type.Optional(Type.Boolean()),
  /**
   * A kiosk's ID-card reader (kiosk/reader-bridge, docs/kiosk-api.md "Card reader"): its bridge's pairing
   * and connection, and what it last reported. Only on kiosk rows (and on the reader's own row).
   */
  cardReader: Type.Optional(
    Type.Object({
      deviceId: Type.String(),
      state: Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked'), Type.Literal('expired')]),
      online: Type.Boolean(),
      /** The bridge's last report: ready, no_reader, not_authorised, reader_fault; null before the first. */
      reader: Nullable(Type.String()),
      detail: Nullable(Type.String()),
      samId: Nullable(Type.String()),
      port: Nullable(Type.String()),
      photoDecoder: Nullable(Type.Boolean()),
      /** Server time of the last card the bridge posted. */
      lastCardAt: Nullable(Type.Integer()),
      reportedAt: Nullable(Type.Integer()),
    }),
  ),
});
export type DeviceView = Static<typeof DeviceViewT>;

/** Why a bulk approval for a room left a pending request for a person to decide. */
export const ROOM_APPROVAL_LEFT_REASONS = ['no_device_id', 'unknown_id', 'other_room', 'duplicate', 'kiosk'] as const;
export type RoomApprovalLeftReason = (typeof ROOM_APPROVAL_LEFT_REASONS)[number];

/** POST /api/devices/pairings/approve-room: what was approved, and what was left and why. */
export const RoomApprovalT = Type.Object({
  roomId: Type.String(),
  approved: Type.Array(Type.Object({ pairing: PairingViewT, deviceId: Type.String(), seat: Nullable(Type.String()) })),
  left: Type.Array(
    Type.Object({
      pairing: PairingViewT,
      reason: oneOf(ROOM_APPROVAL_LEFT_REASONS),
      /** In words (English; the console words the reason code itself). */
      message: Type.String(),
    }),
  ),
});
export type RoomApproval = Static<typeof RoomApprovalT>;

/**
 * GET /api/devices/events (admins): server-sent events. `pairings` and `devices` carry the whole current
 * list (small: a site has at most a few hundred devices), sent on connect and after each change, so a
 * page that missed events while reconnecting is whole again with the next one.
 */
export const DEVICE_EVENTS_PATH = '/api/devices/events';
export interface DeviceEvents {
  pairings: { serverTime: number; pairings: PairingView[] };
  devices: { serverTime: number; devices: DeviceView[] };
}
