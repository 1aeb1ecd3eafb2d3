// What the exam module's web parts (the admin console's bank, templates, plans and today pages) read from
// the server, as TypeBox schemas (the routes' response schemas) and the types made from them. Shared by
// the server and the browser, so it imports nothing but 'typebox'. Each part keeps its own section.
import { Type, type Static } from 'typebox';

// ── Bank (exam/bank) ──────────────────────────────────────────────────────────────────────────────

// ── Templates (exam/papers) ───────────────────────────────────────────────────────────────────────

// ── Plans, sessions, rosters, seats, admission tickets (exam/plans) ───────────────────────────────

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

/** The contract's version, so an empty section still leaves the file a module. */
export const EXAM_PROTOCOL_VERSION = Type.Literal(1);
export type ExamProtocolVersion = Static<typeof EXAM_PROTOCOL_VERSION>;
