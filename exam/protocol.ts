// What the exam module's web parts (the admin console's bank, templates, plans and today pages) read from
// the server, as TypeBox schemas (the routes' response schemas) and the types made from them. Shared by
// the server and the browser, so it imports nothing but 'typebox'. Each part keeps its own section.
import { Type, type Static } from 'typebox';

// ── Bank (exam/bank) ──────────────────────────────────────────────────────────────────────────────

// ── Templates (exam/papers) ───────────────────────────────────────────────────────────────────────

// ── Plans, sessions, rosters, seats, admission tickets (exam/plans) ───────────────────────────────
// Routes in exam/plans/routes.ts; the admin console's plans page (admin/web/src/pages/plans) reads them.

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const literalsOf = (xs: readonly string[]) => Type.Union(xs.map((x) => Type.Literal(x)));

/** exam/plans/model.ts PLAN_STATUSES and SESSION_STATUSES (routes.ts checks they agree). */
export const PLAN_STATUS_NAMES = ['scheduled', 'active', 'closed', 'archived'] as const;
export const SESSION_STATUS_NAMES = ['scheduled', 'papers_ready', 'checkin', 'in_progress', 'ended', 'graded', 'archived'] as const;
export type SessionStatusName = (typeof SESSION_STATUS_NAMES)[number];

/** GET /api/exam/plans (each), POST /api/exam/plans */
export const PlanT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  from: Type.String({ description: 'YYYY-MM-DD' }),
  to: Type.String({ description: 'YYYY-MM-DD' }),
  status: literalsOf(PLAN_STATUS_NAMES),
  createdAt: Type.String(),
  createdBy: Type.String(),
  sessions: Type.Optional(Type.Integer()),
});
export type PlanView = Static<typeof PlanT>;

/** POST /api/exam/plans */
export const NewPlanT = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), from: Type.String({ description: 'YYYY-MM-DD' }), to: Type.String({ description: 'YYYY-MM-DD' }) },
  { additionalProperties: false },
);
export type NewPlan = Static<typeof NewPlanT>;

/** GET /api/exam/sessions (each), GET /api/exam/plans/:planId (sessions) */
export const SessionT = Type.Object({
  id: Type.String(),
  planId: Type.String(),
  roomId: Type.String(),
  roomName: Type.String(),
  startsAt: Type.String({ description: 'ISO 8601, server time' }),
  endsAt: Type.String(),
  durationMinutes: Type.Integer(),
  templateId: Type.String(),
  templateName: Type.String(),
  category: Type.String(),
  operationClass: nullable(Type.String()),
  industry: Type.String(),
  bankVersion: nullable(Type.String()),
  status: literalsOf(SESSION_STATUS_NAMES),
  seatSeed: nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type SessionView = Static<typeof SessionT>;

/** POST /api/exam/sessions */
export const NewSessionT = Type.Object(
  {
    planId: Type.String({ minLength: 1, maxLength: 64 }),
    room: Type.String({ minLength: 1, maxLength: 64 }),
    startsAt: Type.String({ description: 'ISO 8601; without an offset, the site clock' }),
    templateId: Type.String({ minLength: 1, maxLength: 100 }),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 10, maximum: 600 })),
  },
  { additionalProperties: false },
);
export type NewSession = Static<typeof NewSessionT>;

/** GET /api/exam/sessions/:sessionId/roster (each) */
export const RosterEntryT = Type.Object({
  ticketNo: Type.String(),
  idNumber: Type.String(),
  name: Type.String(),
  category: Type.String(),
  operationClass: nullable(Type.String()),
  industry: Type.String(),
  institution: nullable(Type.String()),
  photo: nullable(Type.String()),
  seat: nullable(Type.String()),
  attempt: Type.Integer(),
  status: Type.String(),
  trainedOn: nullable(Type.String()),
});
export type RosterEntryView = Static<typeof RosterEntryT>;

/**
 * POST /api/exam/sessions/:sessionId/roster?filename=NAME — the body is the raw file: a .csv/.xlsx/.json
 * roster, or a .zip holding one roster file and the photos its 照片 column names (or photos named
 * ID-NUMBER.jpg). A refusal (400) lists every problem as { path: "row 3, column 身份证号", problem }.
 */
export const RosterImportReplyT = Type.Object({ sessionId: Type.String(), added: Type.Integer(), total: Type.Integer(), entries: Type.Array(RosterEntryT) });
export type RosterImportReply = Static<typeof RosterImportReplyT>;

/** POST /api/exam/sessions/:sessionId/seats */
export const SeatsDrawnT = Type.Object({ seed: Type.String(), seated: Type.Integer(), entries: Type.Array(RosterEntryT) });
export type SeatsDrawn = Static<typeof SeatsDrawnT>;

/** PUT /api/exam/sessions/:sessionId/seats/:idNumber */
export const ReseatT = Type.Object(
  { seat: Type.String({ minLength: 1, maxLength: 8 }), reason: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export type Reseat = Static<typeof ReseatT>;

/** GET /api/exam/sessions/:sessionId/free-seats: the room's seats and those nobody of the session holds. */
export const FreeSeatsT = Type.Object({ seats: Type.Array(Type.String()), free: Type.Array(Type.String()) });
export type FreeSeats = Static<typeof FreeSeatsT>;

/** POST /api/exam/sessions/:sessionId/papers (synchronous), and the result of the papers job. */
export const GeneratedPapersT = Type.Object({
  sessionId: Type.String(),
  bankVersion: Type.String(),
  papers: Type.Integer(),
  replaced: Type.Integer(),
  warnings: Type.Array(Type.String()),
});
export type GeneratedPapersView = Static<typeof GeneratedPapersT>;

/**
 * POST /api/exam/sessions/:sessionId/papers/job answers 202 and the job's view (documents/protocol.ts);
 * follow it at /api/jobs/:id/events. Its kind and params, for a page re-attaching after a reload:
 */
export const PAPERS_JOB_KIND = 'exam.papers';
export interface PapersJobParamsView {
  sessionId: string;
}

/** GET /api/exam/sessions/:sessionId/admission-tickets.pdf — one A4 ticket per candidate (seats must be drawn). */
export const ADMISSION_TICKETS_PATH = (sessionId: string) => `/api/exam/sessions/${encodeURIComponent(sessionId)}/admission-tickets.pdf`;
/** GET /api/exam/sessions/:sessionId/seat-list?format=pdf (html and csv too). */
export const SEAT_LIST_PATH = (sessionId: string, format: 'pdf' | 'html' | 'csv' = 'pdf') =>
  `/api/exam/sessions/${encodeURIComponent(sessionId)}/seat-list?format=${format}`;

// ── A session's checklist before it starts (today page) ──────────────────────────────────────────

/** The contract's version, so an empty section still leaves the file a module. */
export const EXAM_PROTOCOL_VERSION = Type.Literal(1);
export type ExamProtocolVersion = Static<typeof EXAM_PROTOCOL_VERSION>;
