// What the exam module's web parts (the admin console's bank, templates, plans and today pages) read from
// the server, as TypeBox schemas (the routes' response schemas) and the types made from them. Shared by
// the server and the browser, so it imports nothing but 'typebox'. Each part keeps its own section.
import { Type, type Static, type TSchema } from 'typebox';
import { HoursCheckT } from '../training/protocol.ts';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// ── Bank (exam/bank) ──────────────────────────────────────────────────────────────────────────────

export const BANK_QUESTION_TYPES = ['judge', 'single', 'multiple'] as const;
export type BankQuestionType = (typeof BANK_QUESTION_TYPES)[number];

/** GET /api/bank/versions: one version of the bank (a signed package, a local import, or the shipped one). */
export const BankVersionViewT = Type.Object({
  id: Type.String(),
  parent: nullable(Type.String()),
  kind: Type.Union([Type.Literal('package'), Type.Literal('import'), Type.Literal('shipped')]),
  label: nullable(Type.String()),
  publishedAt: nullable(Type.Integer()),
  receivedAt: Type.Integer(),
  signedBy: nullable(Type.String()),
  sha256: nullable(Type.String()),
  questionCount: Type.Integer(),
  templateCount: Type.Integer(),
  seq: Type.Integer(),
});
export type BankVersionView = Static<typeof BankVersionViewT>;

/** GET /api/bank/sync: where the bank syncs from and how the last pull went. */
export interface BankSyncView {
  configured: boolean;
  url: string | null;
  intervalMinutes: number | null;
  trustedKeys: string[];
  etag: string | null;
  lastModified: string | null;
  checkedAt: number | null;
  lastVersion: string | null;
  lastError: string | null;
}

/** GET /api/bank/questions: a question as a search lists it (never its answer). */
export interface ListedQuestionView {
  id: string;
  externalId: string | null;
  type: BankQuestionType;
  stem: string;
  options: string[];
  /** Image ids: GET /api/bank/images/:id. */
  images: string[];
  industry: string;
  category: string;
  operationClass: string | null;
  knowledgePoint: string;
  difficulty: number;
  tier: string;
  fingerprint: string;
  retiredAt: number | null;
}
export interface QuestionPageView {
  version: string | null;
  total: number;
  items: ListedQuestionView[];
}

/** POST /api/bank/images: an uploaded picture; rows name it in the 图片 column by `name`. */
export interface UploadedImageView {
  id: string;
  name: string;
  mime: string;
  bytes: number;
  created: boolean;
}

/**
 * POST /api/bank/imports?filename=… (the file as the body) answers 202 and a job of this kind
 * (documents/protocol.ts JobView); the page follows it by /api/jobs/:id/events.
 */
export const BANK_IMPORT_JOB = 'bank.import';

export const BankImportJobParamsT = Type.Object({
  filename: Type.String(),
  bytes: Type.Integer({ description: "the file's size" }),
  /** The upload the job reads (kept in the server's memory until the job takes it). */
  upload: Type.String(),
});
export type BankImportJobParams = Static<typeof BankImportJobParamsT>;

/**
 * The job's progress `note` is the phase: rows read and checked (total null until the file is read),
 * rows checked against the bank for duplicates, questions stored.
 */
export const BANK_IMPORT_PHASES = ['reading', 'checking', 'storing'] as const;
export type BankImportPhase = (typeof BANK_IMPORT_PHASES)[number];

/** A row not stored because the bank or an earlier row holds the same question. */
export const BankImportDuplicateT = Type.Object({
  where: Type.String(),
  sameAs: Type.String(),
  questionId: nullable(Type.String()),
  answerDiffers: Type.Boolean(),
});

/** The job's result when done (and the synchronous POST /api/bank/import's reply). */
export interface BankImportDone {
  file: string;
  rows: number;
  imported: number;
  duplicates: Static<typeof BankImportDuplicateT>[];
  /** Null when every row was a duplicate: nothing new, no version. */
  version: BankVersionView | null;
  imagesStored: number;
}

/** One problem of a refused file, as the CLI prints it (`line`) and split for a table. */
export const BankImportProblemT = Type.Object({
  /** `row 5`, `sheet 单选题, row 5`, `item 3` or `file`. */
  where: Type.String(),
  /** `column 答案` / `field answer`; null for the whole row or file. */
  column: nullable(Type.String()),
  problem: Type.String(),
  /** The CLI's line: `row 5, column 答案: …`. */
  line: Type.String(),
});
export type BankImportProblem = Static<typeof BankImportProblemT>;

/** A failed import job's result: nothing was stored; every problem of the file. The job's `error` says it in one line. */
export const BankImportRefusedT = Type.Object({ file: Type.String(), problems: Type.Array(BankImportProblemT) });
export type BankImportRefused = Static<typeof BankImportRefusedT>;

// ── Templates (exam/papers) ───────────────────────────────────────────────────────────────────────

export interface TemplateSectionView {
  type: BankQuestionType;
  count: number;
  score: number;
  difficultyMix?: Partial<Record<'1' | '2' | '3' | '4' | '5', number>>;
  requiredKnowledgePoints?: string[];
}

/** GET /api/templates: one template. */
export interface ListedTemplateView {
  source: 'version' | 'shipped';
  id: string;
  name: string;
  industry: string;
  category: string;
  operationClass: string | null;
  durationMinutes: number;
  total: number;
  passMark: number;
  multipleChoiceScoring: 'all_or_nothing' | 'partial';
  sections: TemplateSectionView[];
}
export interface TemplateListView {
  version: string | null;
  templates: ListedTemplateView[];
  invalid: { id: string; problems: { path: string; problem: string }[] }[];
}

/** GET /api/templates/:id/check: per section, needed vs available per difficulty and per required knowledge point. */
export interface TemplateCheckView {
  templateId: string;
  version: string;
  ok: boolean;
  poolSize: number;
  sections: {
    section: number;
    type: BankQuestionType;
    label: string;
    count: number;
    score: number;
    ok: boolean;
    /** difficulty null: the section asks no mix, any difficulty counts. */
    buckets: { difficulty: number | null; needed: number; available: number; short: number }[];
    knowledgePoints: { knowledgePoint: string; available: number; drawable: number }[];
    selectionsLog10: number | null;
  }[];
  problems: { path: string; problem: string }[];
  warnings: string[];
}

// ── Plans, sessions, rosters, seats, admission tickets (exam/plans) ───────────────────────────────
// Routes in exam/plans/routes.ts; the admin console's plans page (admin/web/src/pages/plans) reads them.

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
export const RosterImportReplyT = Type.Object({
  sessionId: Type.String(),
  added: Type.Integer(),
  total: Type.Integer(),
  entries: Type.Array(RosterEntryT),
  /** The training-hours check (training/, config rules: training.beforeExam warn): who falls short, with hours and where they came from. */
  trainingHours: Type.Optional(Type.Object({ checked: Type.Integer(), short: Type.Array(HoursCheckT) })),
});
export type RosterImportReply = Static<typeof RosterImportReplyT>;

/**
 * POST /api/exam/sessions/:sessionId/candidates (admin): one candidate added by hand, checked exactly as a
 * roster file's row (the same columns, by their English names; the same refusals, their path the field).
 */
export const AddCandidateT = Type.Object(
  {
    idNumber: Type.String({ minLength: 1, maxLength: 32 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    category: Type.String({ minLength: 1, maxLength: 40 }),
    operationClass: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
    industry: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
    institution: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    ticketNo: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    trainedOn: Type.Optional(nullable(Type.String({ maxLength: 10 }))),
    // Null first: the server's validator coerces types, and with the number tried first a blank field's
    // null became 0 — "学时 0 without a 培训机构" refused every candidate added with the field left empty.
    trainingHours: Type.Optional(Type.Union([Type.Null(), Type.Number()])),
    /** A JPEG or PNG ID photo, base64, at most 5 MB decoded. */
    photoBase64: Type.Optional(nullable(Type.String({ maxLength: 7_000_000 }))),
  },
  { additionalProperties: false },
);
export type AddCandidate = Static<typeof AddCandidateT>;
export const AddCandidateReplyT = Type.Object({ ...RosterImportReplyT.properties, entry: RosterEntryT });
export type AddCandidateReply = Static<typeof AddCandidateReplyT>;

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

/** What must be in place before a session can open check-in, in the order a person fixes them. */
export const CHECKLIST_ITEM_IDS = ['bank', 'template', 'roster', 'photos', 'seats', 'papers', 'terminals', 'cameras', 'disk'] as const;
export type ChecklistItemId = (typeof CHECKLIST_ITEM_IDS)[number];

/** ok: in place; warn: the session can go on, but a person should look; missing: not there yet. */
export const CHECK_STATES = ['ok', 'warn', 'missing'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** The admin console's pages that fix an item (admin/web/src/route.ts PAGES). */
export const FIXING_PAGES = ['plans', 'devices', 'bank', 'templates', 'system'] as const;
export type FixingPage = (typeof FIXING_PAGES)[number];

export const ChecklistItemT = Type.Object({
  id: Type.Enum([...CHECKLIST_ITEM_IDS]),
  state: Type.Enum([...CHECK_STATES]),
  /** True when the server refuses to open check-in until this item is ok (roster, seats, papers and what papers need). */
  blocks: Type.Boolean(),
  /** The figures the page words the item with (e.g. roster, seated, papers, unpaired, offline, daysUntilFull). */
  counts: Type.Record(Type.String(), Type.Number()),
  /** What the figures are about: terminal ids, camera names, bank version, candidates' names, the template's problems. */
  names: Type.Array(Type.String()),
  /** The item in English, as the CLI would say it (API callers, logs); the page words it in the person's language. */
  detail: Type.String(),
  /** Where in the admin console a person fixes it: `href(fix.page, fix.params)`. */
  fix: Type.Object({ page: Type.Enum([...FIXING_PAGES]), params: Type.Record(Type.String(), Type.String()) }),
});
export type ChecklistItem = Static<typeof ChecklistItemT>;

/** GET /api/exam/sessions/:sessionId/checklist (admin): one answer for the whole list, from every module's own state. */
export const SessionChecklistT = Type.Object({
  sessionId: Type.String(),
  status: Type.String(),
  roomId: Type.String(),
  /** The server's clock when the list was made (the page's "as of"). */
  checkedAt: Type.String({ description: 'ISO 8601' }),
  /** No item blocks check-in (items may still warn or be missing without blocking). */
  ready: Type.Boolean(),
  items: Type.Array(ChecklistItemT),
  /** The roster by where each candidate is now: what the start and end confirmations tell a person. */
  people: Type.Object({
    roster: Type.Integer(),
    /** Let in at the door (admitted, at a terminal or submitted). */
    admitted: Type.Integer(),
    /** Logged in at a terminal (in the exam or submitted). */
    atTerminal: Type.Integer(),
    submitted: Type.Integer(),
    absent: Type.Integer(),
  }),
});
export type SessionChecklist = Static<typeof SessionChecklistT>;

/** The transitions a person makes from the today page, with the session status each one leads to. */
export const SESSION_TRANSITIONS = [
  { id: 'openCheckIn', from: 'papers_ready', to: 'checkin' },
  { id: 'start', from: 'checkin', to: 'in_progress' },
  { id: 'end', from: 'in_progress', to: 'ended' },
  { id: 'grade', from: 'ended', to: 'graded' },
  // Archiving is the records module's job (POST /api/records/sessions/:id/archive); the job moves the session.
  { id: 'archive', from: 'graded', to: 'archived' },
] as const;
export type SessionTransitionId = (typeof SESSION_TRANSITIONS)[number]['id'];
