// What the exam module's web parts (the admin console's bank, templates, plans and today pages) read from
// the server, as TypeBox schemas (the routes' response schemas) and the types made from them. Shared by
// the server and the browser, so it imports nothing but 'typebox'. Each part keeps its own section.
import { Type, type Static } from 'typebox';

// ── Bank (exam/bank) ──────────────────────────────────────────────────────────────────────────────

// ── Templates (exam/papers) ───────────────────────────────────────────────────────────────────────

// ── Plans, sessions, rosters, seats, admission tickets (exam/plans) ───────────────────────────────

// ── A session's checklist before it starts (today page) ──────────────────────────────────────────

/** The contract's version, so an empty section still leaves the file a module. */
export const EXAM_PROTOCOL_VERSION = Type.Literal(1);
export type ExamProtocolVersion = Static<typeof EXAM_PROTOCOL_VERSION>;
