// What the proctor console and the inspector view read from the server (docs/proctor-api.md): the room
// view and its seats, alerts, incidents, summaries, the inspector's site and session details, and the
// /ws/proctor feed's messages — as TypeBox schemas (the routes' response schemas, so Fastify checks
// and serialises every reply with them) and the TypeScript types made from them. Shared by the server
// and both web apps, so it imports nothing but 'typebox' — never server code.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** One of a fixed list of strings, typed as their union. */
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);
/** Epoch milliseconds, server time. */
const Ms = Type.Number();
const Count = Type.Integer({ minimum: 0 });
const Text = Type.Object({ zh: Type.String(), en: Type.String() });

// ---------------------------------------------------------------------------------------------
// The room view (GET /api/proctor/rooms/:roomId, and the feed's snapshot/room/seat messages)
// ---------------------------------------------------------------------------------------------

export const SEAT_STATES = ['empty', 'assigned', 'absent', 'admitted', 'logged_in', 'answering', 'paused', 'locked', 'offline', 'submitted'] as const;
export type SeatState = (typeof SEAT_STATES)[number];

export const SeatCandidateT = Type.Object({
  ticketNo: Type.String(),
  name: Type.String(),
  /** Masked for everyone but admins. */
  idNumber: Type.String(),
  seat: nullable(Type.String()),
  rosterStatus: Type.String(),
  photoUrl: nullable(Type.String()),
});
export type SeatCandidate = Static<typeof SeatCandidateT>;

/**
 * A candidate asked to continue at another terminal and waits for an invigilator. Shown on both
 * seats: 'out' on the candidate's own seat, 'in' on the seat of the terminal they logged in at.
 */
export const SeatMoveT = Type.Object({
  moveId: Type.String(),
  side: oneOf(['out', 'in'] as const),
  ticketNo: Type.String(),
  name: Type.String(),
  fromSeat: nullable(Type.String()),
  fromTerminal: nullable(Type.String()),
  toSeat: Type.String(),
  toTerminal: Type.String(),
  requestedAt: Ms,
  /**
   * The candidate's attempt is held right now by another connected terminal (normally their own seat's):
   * the person asking may be an impostor. Approving then needs `confirm` and `reason` (issue 16, item 4).
   */
  contested: nullable(Type.Object({ terminalId: Type.String(), seat: Type.String() })),
});
export type SeatMove = Static<typeof SeatMoveT>;

/**
 * A candidate who declined face recognition at the kiosk (issue 23) is confirmed at the seat by an
 * invigilator, by eye against the ID card: once after log-in ('login') and again on any alert of the
 * seat ('alert'). The to-do stays on the seat and in the console's list until someone confirms it.
 */
export const SEAT_CHECK_REASONS = ['login', 'alert'] as const;
export type SeatCheckReason = (typeof SEAT_CHECK_REASONS)[number];
export const SEAT_CHECK_OUTCOMES = ['confirmed', 'not_the_person'] as const;
export type SeatCheckOutcome = (typeof SEAT_CHECK_OUTCOMES)[number];
export const SeatIdentityCheckT = Type.Object({
  id: Type.String(),
  reason: oneOf(SEAT_CHECK_REASONS),
  /** The alert that made it due (reason 'alert'), when there is one. */
  alertId: nullable(Type.String()),
  dueAt: Ms,
  /** Alerts of the seat raised while this check was already due. */
  alerts: Count,
  /** When and by whom the check was decided, either way (see outcome); null while it is due. */
  confirmedAt: nullable(Ms),
  confirmedBy: nullable(Type.String()),
  /** confirmed: the person is the one on the ID card; not_the_person: they are not (an incident was recorded). */
  outcome: nullable(oneOf(SEAT_CHECK_OUTCOMES)),
  /** The incident (替考) recorded with a not_the_person outcome. */
  incidentId: nullable(Type.String()),
  note: nullable(Type.String()),
});
export type SeatIdentityCheck = Static<typeof SeatIdentityCheckT>;

/** POST /api/proctor/seat-checks/:id/confirm: the person at the seat is the candidate (checked by eye against the ID card). */
export const ConfirmSeatCheckBodyT = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type ConfirmSeatCheckBody = Static<typeof ConfirmSeatCheckBodyT>;

/**
 * POST /api/proctor/seat-checks/:id/not-the-person: the person at the seat is not the candidate. The note
 * (what was seen) is required; it becomes the incident's note.
 */
export const NotThePersonBodyT = Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export type NotThePersonBody = Static<typeof NotThePersonBodyT>;
/** What the server did: the check decided, the incident recorded, and whether the paper could be locked and its clock paused. */
export const NotThePersonReplyT = Type.Object({
  check: SeatIdentityCheckT,
  incidentId: Type.String(),
  /** The candidate's screen is locked (false: not logged in at a terminal, or the paper is already in). */
  locked: Type.Boolean(),
  /** The candidate's clock is stopped (false: as for locked, or the session is not open). */
  paused: Type.Boolean(),
  alertId: nullable(Type.String()),
});
export type NotThePersonReply = Static<typeof NotThePersonReplyT>;

export const SeatT = Type.Object({
  seat: Type.String(),
  row: Type.Integer(),
  column: Type.Integer(),
  terminal: nullable(Type.Object({ id: Type.String(), online: Type.Boolean(), since: nullable(Ms) })),
  candidate: nullable(SeatCandidateT),
  state: oneOf(SEAT_STATES),
  answered: nullable(Count),
  questions: nullable(Count),
  remainingMs: nullable(Type.Number()),
  deadline: nullable(Ms),
  paused: Type.Boolean(),
  locked: Type.Boolean(),
  offlineSince: nullable(Ms),
  submittedAt: nullable(Ms),
  submittedBy: nullable(Type.String()),
  score: nullable(Type.Number()),
  passed: nullable(Type.Boolean()),
  incidents: Count,
  openAlerts: Count,
  /** A pending move request touching this seat (the oldest, should there be several). */
  pendingMove: nullable(SeatMoveT),
  /** The seat's terminal refuses log-ins after repeated failures until an invigilator unlocks it. */
  loginLocked: Type.Boolean(),
  /** The candidate declined face recognition: their snapshots are not compared, staff check them by eye. */
  faceDeclined: Type.Boolean(),
  /** The open seat confirmation of a candidate who declined face recognition, when one is due. */
  identityCheck: nullable(SeatIdentityCheckT),
});
export type Seat = Static<typeof SeatT>;

export const SessionBriefT = Type.Object({ id: Type.String(), name: Type.String(), status: Type.String(), startsAt: Ms, endsAt: Ms });
export type SessionBrief = Static<typeof SessionBriefT>;

export const RoomSourceT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: oneOf(['camera', 'screen'] as const),
  state: Type.String(),
  since: Ms,
  reason: nullable(Type.String()),
  recording: Type.Boolean(),
  /** Path of the main stream (/ws/live/ID). */
  ws: Type.String(),
  /** The camera's sub-stream for grid tiles, or null when it has none. */
  subWs: nullable(Type.String()),
  /** The main stream's video codec as sent (h264, hevc…), null until known: a tile says when the browser cannot play it. */
  video: Type.Optional(nullable(Type.String())),
  terminalId: nullable(Type.String()),
  seat: nullable(Type.String()),
});
export type RoomSource = Static<typeof RoomSourceT>;

/**
 * A source of the room that can have recordings, live or not: each camera, and each terminal's screen
 * (a screen is a live source only while its terminal is connected, its recordings stay). Playback
 * picks from these; a seat's screen recording is the one whose seat it is.
 */
export const RecordedSourceT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: oneOf(['camera', 'screen'] as const),
  terminalId: nullable(Type.String()),
  seat: nullable(Type.String()),
});
export type RecordedSource = Static<typeof RecordedSourceT>;

/** The span a session's recordings cover: actual start (or check-in) minus 30 min to the actual end plus 30 min. */
const RecordingWindow = { recordingFrom: Ms, recordingTo: Ms };

export const RoomViewT = Type.Object({
  serverTime: Ms,
  room: Type.Object({ id: Type.String(), name: Type.String(), rows: Type.Integer(), columns: Type.Integer() }),
  session: nullable(
    Type.Object({ ...SessionBriefT.properties, durationMinutes: Type.Number(), startedAt: nullable(Ms), roomPaused: Type.Boolean(), ...RecordingWindow }),
  ),
  sessions: Type.Array(SessionBriefT),
  seats: Type.Array(SeatT),
  unseated: Type.Array(SeatCandidateT),
  sources: Type.Array(RoomSourceT),
  recorded: Type.Array(RecordedSourceT),
  openAlerts: Count,
});
export type RoomView = Static<typeof RoomViewT>;

/** GET /api/proctor/rooms: the rooms the caller may watch, each with its current session. */
export const RoomListItemT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rows: Type.Integer(),
  columns: Type.Integer(),
  session: nullable(SessionBriefT),
});
export type RoomListItem = Static<typeof RoomListItemT>;

// ---------------------------------------------------------------------------------------------
// Alerts, incidents, summaries
// ---------------------------------------------------------------------------------------------

export const ALERT_KINDS = [
  'kiosk_mismatch',
  'kiosk_refused',
  'kiosk_override',
  'seat_mismatch',
  'no_face',
  'several_faces',
  'terminal_offline',
  'integrity',
  'camera_down',
  'disk_forecast',
  'disk_low',
  'tier_backlog',
  'tier_integrity',
  'move_requested',
  'login_locked',
  'seat_not_the_person',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const AlertT = Type.Object({
  id: Type.String(),
  at: Ms,
  lastAt: Ms,
  repeats: Count,
  roomId: nullable(Type.String()),
  sessionId: nullable(Type.String()),
  seat: nullable(Type.String()),
  terminalId: nullable(Type.String()),
  sourceId: nullable(Type.String()),
  /** The candidate's ID number, masked for everyone but admins. */
  idNumber: nullable(Type.String()),
  kind: oneOf(ALERT_KINDS),
  severity: oneOf(SEVERITIES),
  /**
   * Kind-specific facts; move_requested: moveId, name, fromSeat, fromTerminal, toSeat, toTerminal, decision, decidedBy,
   * contested ({ terminalId, seat } when the candidate's own terminal was connected and answering); login_locked:
   * failures, windowMinutes, unlockedBy.
   */
  params: Type.Record(Type.String(), Type.Unknown()),
  text: Text,
  /** The bus event that raised it. */
  event: Type.String(),
  clearedAt: nullable(Ms),
  /**
   * The condition ended by itself within its grace (a terminal back within exam.reconnectGraceSeconds):
   * a record for the history, never open, nothing to acknowledge. Such records fold per seat too.
   */
  resolvedAt: nullable(Ms),
  acknowledged: nullable(Type.Object({ by: Type.String(), at: Ms, note: Type.String() })),
});
export type Alert = Static<typeof AlertT>;

/** POST /api/proctor/alerts/ack: several alerts, one note (the console's "select several" and "all of this kind"). */
export const AckManyBodyT = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 }),
    note: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type AckManyBody = Static<typeof AckManyBodyT>;
/** skipped: already acknowledged by someone, or resolved by itself, before this request. */
export const AckManyReplyT = Type.Object({ acknowledged: Type.Array(AlertT), skipped: Type.Array(AlertT) });
export type AckManyReply = Static<typeof AckManyReplyT>;

export const IncidentCategoryT = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() });
export type IncidentCategoryView = Static<typeof IncidentCategoryT>;

/** An incident (违纪) an invigilator recorded; the console's routes add the candidate, the inspector's do not. */
export const IncidentT = Type.Object({
  id: Type.String(),
  at: Ms,
  sessionId: Type.String(),
  roomId: Type.String(),
  seat: nullable(Type.String()),
  idNumber: nullable(Type.String()),
  category: Type.String(),
  categoryText: Text,
  note: Type.String(),
  recordedBy: Type.String(),
  candidate: Type.Optional(nullable(Type.Object({ ticketNo: Type.String(), name: Type.String(), idNumber: Type.String() }))),
});
export type Incident = Static<typeof IncidentT>;

/** What a terminal observed (focus lost, fullscreen left …): a fact, not an invigilator's finding. */
export const IntegrityIncidentT = Type.Object({
  id: Type.String(),
  at: Ms,
  sessionId: nullable(Type.String()),
  idNumber: nullable(Type.String()),
  terminalId: Type.String(),
  kind: Type.String(),
  source: oneOf(['terminal', 'server'] as const),
  detail: nullable(Type.String()),
});
export type IntegrityIncident = Static<typeof IntegrityIncidentT>;

export const IncidentListT = Type.Object({ incidents: Type.Array(IncidentT), integrity: Type.Array(IntegrityIncidentT) });

export const SummaryT = Type.Object({
  sessionId: Type.String(),
  roomId: Type.String(),
  status: Type.String(),
  roster: Count,
  admitted: Count,
  absent: Count,
  notArrived: Type.Integer(),
  loggedIn: Count,
  submitted: Count,
  graded: Count,
  passed: Count,
  failed: Count,
  incidents: Count,
  integrity: Count,
  alerts: Count,
  openAlerts: Count,
});
export type Summary = Static<typeof SummaryT>;

/** POST …/reseat: the candidate on their new seat. */
export const ReseatReplyT = Type.Object({
  ticketNo: Type.String(),
  name: Type.String(),
  idNumber: Type.String(),
  seat: nullable(Type.String()),
  status: Type.String(),
});

// ---------------------------------------------------------------------------------------------
// The inspector view (GET /api/inspector/…)
// ---------------------------------------------------------------------------------------------

export const CameraT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  ws: Type.String(),
  subWs: nullable(Type.String()),
  video: Type.Optional(nullable(Type.String())),
});
export type Camera = Static<typeof CameraT>;

export const SiteSessionT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  roomId: Type.String(),
  roomName: Type.String(),
  status: Type.String(),
  startsAt: Ms,
  endsAt: Ms,
  /** When the exam actually started (null: not yet). */
  startedAt: nullable(Ms),
  ...RecordingWindow,
  incidents: Count,
  integrity: Count,
  openAlerts: Count,
});
export type SiteSession = Static<typeof SiteSessionT>;

export const SiteT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  province: Type.String(),
  city: Type.String(),
  /** The site's IANA time zone: times are shown on the site's clock. */
  timezone: Type.String(),
  rooms: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      rows: Type.Integer(),
      columns: Type.Integer(),
      /** The room's live sources (cameras, and the screens of terminals connected now). */
      cameras: Type.Array(CameraT),
      /** Every source of the room that can have recordings: what playback picks from. */
      recorded: Type.Array(RecordedSourceT),
    }),
  ),
  sessions: Type.Array(SiteSessionT),
});
export type Site = Static<typeof SiteT>;

export const SessionDetailT = Type.Object({
  session: SiteSessionT,
  summary: SummaryT,
  incidents: Type.Array(IncidentT),
  integrity: Type.Array(IntegrityIncidentT),
  alerts: Type.Array(AlertT),
});
export type SessionDetail = Static<typeof SessionDetailT>;

export const SessionRowT = Type.Object({ ...SiteSessionT.properties, summary: SummaryT, incidentList: Type.Array(IncidentT) });

// ---------------------------------------------------------------------------------------------
// The feed (WebSocket /ws/proctor): server → console; the console sends only { type: 'ping' }
// ---------------------------------------------------------------------------------------------

export type FeedMessage =
  | { type: 'snapshot'; serverTime: number; room: RoomView; alerts: Alert[] }
  | { type: 'alert.new' | 'alert.update' | 'alert.ack'; serverTime: number; alert: Alert }
  | { type: 'seat'; serverTime: number; seat: Seat }
  | { type: 'room'; serverTime: number; room: RoomView }
  | { type: 'incident.new'; serverTime: number; incident: Incident }
  | { type: 'pong'; serverTime: number };
