// What the proctor console (and later the admin console) reads and sends for a session's documents after
// the exam: the room log (考场记录) with its sign-off and appended notes, and the index of a session's
// score reports and results sheet — as TypeBox schemas (the routes' schemas) and the types made from
// them. Shared by the server and the web apps, so it imports nothing but 'typebox'.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);
/** Epoch milliseconds, server time. */
const Ms = Type.Number();
const Count = Type.Integer({ minimum: 0 });

/** A person as the log names them: the user name, and the display name when the site knows one. */
export const PersonT = Type.Object({ username: Type.String(), displayName: Type.String() });
export type Person = Static<typeof PersonT>;

/** Who a row is about: ticket and name (the ID number is masked wherever it appears). */
const Who = {
  ticketNo: nullable(Type.String()),
  name: nullable(Type.String()),
  seat: nullable(Type.String()),
};

export const ROOM_LOG_DECISIONS = ['forced_submit', 'locked', 'move_approved', 'move_rejected'] as const;
export type RoomLogDecisionKind = (typeof ROOM_LOG_DECISIONS)[number];

/** The room log (考场记录) of one session: what happened in the room, as the invigilators sign it. */
export const RoomLogT = Type.Object({
  format: Type.Literal('examroom-room-log/1'),
  sessionId: Type.String(),
  site: Type.Object({ id: Type.String(), name: Type.String() }),
  plan: Type.Object({ id: Type.String(), name: Type.String() }),
  room: Type.Object({ id: Type.String(), name: Type.String() }),
  template: Type.Object({ id: Type.String(), name: Type.String() }),
  status: Type.String(),
  planned: Type.Object({ startsAt: Ms, endsAt: Ms }),
  actual: Type.Object({ checkinAt: nullable(Ms), startedAt: nullable(Ms), endedAt: nullable(Ms) }),
  /** The room's invigilators on this site, and anyone else who signed. */
  invigilators: Type.Array(PersonT),
  checkIn: Type.Object({
    roster: Count,
    admitted: Count,
    absent: Count,
    /** Admitted at the kiosk by the face check. */
    byFace: Count,
    /** Admitted by a staff override at the kiosk. */
    overridden: Count,
    /** Refused attempts (a refused candidate may have been admitted later). */
    refused: Count,
  }),
  absences: Type.Array(Type.Object({ ...Who, idNumber: Type.String() })),
  overrides: Type.Array(Type.Object({ at: Ms, ...Who, by: Type.String(), reason: Type.String() })),
  incidents: Type.Array(
    Type.Object({
      at: Ms,
      ...Who,
      category: Type.String(),
      categoryText: Type.Object({ zh: Type.String(), en: Type.String() }),
      note: Type.String(),
      recordedBy: Type.String(),
    }),
  ),
  /** `at` is null for a screen still locked at the end: the terminal keeps the lock, not when it was set (the audit log has that). */
  decisions: Type.Array(Type.Object({ at: nullable(Ms), kind: oneOf(ROOM_LOG_DECISIONS), ...Who, by: Type.String(), reason: nullable(Type.String()) })),
  pauses: Type.Array(
    Type.Object({
      startedAt: Ms,
      endedAt: nullable(Ms),
      scope: oneOf(['room', 'candidate'] as const),
      ...Who,
      reason: nullable(Type.String()),
      by: Type.String(),
    }),
  ),
  timeAdded: Type.Array(
    Type.Object({ at: Ms, scope: oneOf(['room', 'candidate'] as const), ...Who, minutes: Type.Number(), reason: Type.String(), by: Type.String() }),
  ),
  cameraOutages: Type.Array(Type.Object({ sourceId: Type.String(), sourceName: Type.String(), from: Ms, to: nullable(Ms), reason: Type.String() })),
  /** Integrity events the terminals and the server observed, counted per kind (the details are in the archive). */
  integrity: Type.Array(Type.Object({ kind: Type.String(), count: Count })),
  results: Type.Object({
    graded: Count,
    passed: Count,
    failed: Count,
    passRate: nullable(Type.Number()),
    averageScore: nullable(Type.Number()),
  }),
  generatedAt: Ms,
});
export type RoomLog = Static<typeof RoomLogT>;

export const RoomLogNoteT = Type.Object({
  id: Type.String(),
  at: Ms,
  author: PersonT,
  text: Type.String(),
  /** Written after the sign-off: appended to the frozen log, not part of what was signed. */
  afterSignOff: Type.Boolean(),
});
export type RoomLogNote = Static<typeof RoomLogNoteT>;

/** GET /api/records/sessions/:id/room-log */
export const RoomLogReplyT = Type.Object({
  /** open: still the live log; signed: frozen at the first sign-off. */
  state: oneOf(['open', 'signed'] as const),
  /** Sign-off is possible once the session has ended (ended, graded or archived). */
  ended: Type.Boolean(),
  log: RoomLogT,
  /** SHA-256 (hex) of the frozen log's JSON text exactly as stored; null while open. */
  sha256: nullable(Type.String()),
  signatures: Type.Array(Type.Object({ ...PersonT.properties, signedAt: Ms })),
  notes: Type.Array(RoomLogNoteT),
});
export type RoomLogReply = Static<typeof RoomLogReplyT>;

export const RoomLogNoteBodyT = Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type RoomLogNoteBody = Static<typeof RoomLogNoteBodyT>;

/** GET /api/records/sessions/:id/reports: where a session's documents are. */
export const SessionReportsT = Type.Object({
  sessionId: Type.String(),
  status: Type.String(),
  resultsSheetUrl: Type.String(),
  roomLogPdfUrl: Type.String(),
  candidates: Type.Array(
    Type.Object({
      ticketNo: Type.String(),
      name: Type.String(),
      seat: nullable(Type.String()),
      rosterStatus: Type.String(),
      score: nullable(Type.Number()),
      passed: nullable(Type.Boolean()),
      reportUrl: Type.String(),
    }),
  ),
});
export type SessionReports = Static<typeof SessionReportsT>;

/** Refusal codes the console words in the person's language. */
export const ROOM_LOG_REFUSALS = ['session_not_ended', 'already_signed'] as const;
