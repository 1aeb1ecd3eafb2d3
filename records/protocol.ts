// The records module's HTTP contract shared by the server and its web apps (records/web/: the staff
// statistics page and the public disclosure page): TypeBox schemas the routes answer with, and the
// types made from them. Shared with the browser, so it imports nothing but 'typebox'.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);

// ---------------------------------------------------------------------------------------------
// Statistics and disclosure (records/statistics/; definitions in docs/records.md "Statistics")
// ---------------------------------------------------------------------------------------------

export const STATISTICS_GROUPINGS = ['session', 'institution', 'category', 'industry', 'month'] as const;
export type StatisticsGrouping = (typeof STATISTICS_GROUPINGS)[number];

/** The public page hides any figure built from fewer people than this (CLARIFICATIONS: disclosure). */
export const DISCLOSURE_MIN_PEOPLE = 5;

export const FiguresT = Type.Object({
  /** Roster entries (报名): one per person per session. */
  registered: Type.Integer(),
  /** 缺考: on the roster, never sat (marked absent when the session ended). */
  absent: Type.Integer(),
  /** 实考: sittings with a result. A retake is a sitting of its own. */
  sat: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  /** passed / sat, 0–1; null when nobody sat. */
  passRate: nullable(Type.Number()),
  /** absent / registered, 0–1; null for an empty roster. */
  absenceRate: nullable(Type.Number()),
  /** Mean of score / total × 100 over the sittings (百分制); null when nobody sat. */
  averageScore: nullable(Type.Number()),
  /** Sittings that were the one retake (补考, attempt 2), and how many of them passed. */
  retakes: Type.Integer(),
  retakesPassed: Type.Integer(),
  /** passed / sat over first attempts only; null when no first attempt was sat. */
  firstAttemptPassRate: nullable(Type.Number()),
});
export type Figures = Static<typeof FiguresT>;

export const StatisticsGroupT = Type.Object({
  /** Session id, institution name ('' = none given), category, industry or YYYY-MM. */
  key: Type.String(),
  /** What a person reads for the key, in both languages (the vocabulary stays on the server, with the exam's labels). */
  label: Type.Object({ zh: Type.String(), en: Type.String() }),
  /** Filled for session rows: the day, the template's name and the room. */
  session: Type.Optional(
    Type.Object({ date: Type.String(), templateId: Type.String(), templateName: Type.String(), roomId: Type.String(), roomName: Type.String() }),
  ),
  figures: FiguresT,
});
export type StatisticsGroup = Static<typeof StatisticsGroupT>;

export const StatisticsReplyT = Type.Object({
  from: Type.String({ description: 'YYYY-MM-DD, site calendar, inclusive' }),
  to: Type.String({ description: 'YYYY-MM-DD, site calendar, inclusive' }),
  groupBy: oneOf(STATISTICS_GROUPINGS),
  /** Graded or archived sessions counted. */
  sessions: Type.Integer(),
  /** Sessions in the period left out because they are not graded yet (scheduled … ended). */
  notYetGraded: Type.Integer(),
  total: FiguresT,
  groups: Type.Array(StatisticsGroupT),
  generatedAt: Type.String(),
});
export type StatisticsReply = Static<typeof StatisticsReplyT>;

export const ITEM_FLAGS = ['too_hard', 'too_easy', 'low_discrimination', 'negative_discrimination'] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];

export const ItemFiguresT = Type.Object({
  questionId: Type.String(),
  externalId: nullable(Type.String()),
  type: Type.String(),
  knowledgePoint: nullable(Type.String()),
  difficulty: nullable(Type.Integer()),
  /** The stem, for administrators only (the bank is not shown to inspectors); null otherwise. */
  stem: nullable(Type.String()),
  retired: Type.Boolean(),
  /** Graded papers that carried the question. */
  responses: Type.Integer(),
  correct: Type.Integer(),
  /** Facility (难度系数 P): correct / responses. */
  facility: Type.Number(),
  /** Size of each of the upper and lower groups: 27 % of the responses, rounded. */
  groupSize: Type.Integer(),
  /** Discrimination (区分度 D): share correct in the upper 27 % minus the lower 27 % by total score; null below the minimum responses. */
  discrimination: nullable(Type.Number()),
  /** Empty when fine or when too few responses to judge (see `judged`). */
  flags: Type.Array(oneOf(ITEM_FLAGS)),
  /** False below the minimum responses: the figures are shown, nothing is flagged. */
  judged: Type.Boolean(),
});
export type ItemFigures = Static<typeof ItemFiguresT>;

export const ItemAnalysisReplyT = Type.Object({
  from: Type.String(),
  to: Type.String(),
  templateId: nullable(Type.String()),
  papers: Type.Integer(),
  thresholds: Type.Object({
    minResponses: Type.Integer(),
    groupShare: Type.Number(),
    facilityBelow: Type.Number(),
    facilityAbove: Type.Number(),
    discriminationBelow: Type.Number(),
  }),
  items: Type.Array(ItemFiguresT),
  generatedAt: Type.String(),
});
export type ItemAnalysisReply = Static<typeof ItemAnalysisReplyT>;

/** A disclosed figure: the number, or null when it would be built from fewer than DISCLOSURE_MIN_PEOPLE people. */
const disclosed = <T extends TSchema>(t: T) => nullable(t);

export const PublicPassRateT = Type.Object({
  /** The training institution as rosters name it; '' for sittings whose roster named none. */
  institution: Type.String(),
  /** True when the figures below are withheld (fewer than DISCLOSURE_MIN_PEOPLE sat). */
  suppressed: Type.Boolean(),
  sat: disclosed(Type.Integer()),
  passed: disclosed(Type.Integer()),
  passRate: disclosed(Type.Number()),
});
export type PublicPassRate = Static<typeof PublicPassRateT>;

export const PublicPassRatesReplyT = Type.Object({
  siteName: Type.String(),
  /** The site's IANA zone: the page shows times on the site's clock. */
  timezone: Type.String(),
  /** Whole months, YYYY-MM, inclusive. */
  from: Type.String(),
  to: Type.String(),
  minPeople: Type.Integer(),
  institutions: Type.Array(PublicPassRateT),
  /** All institutions together; withheld too when it would let a withheld row be worked out. */
  total: Type.Object({ suppressed: Type.Boolean(), sat: disclosed(Type.Integer()), passed: disclosed(Type.Integer()), passRate: disclosed(Type.Number()) }),
  generatedAt: Type.String(),
});
export type PublicPassRatesReply = Static<typeof PublicPassRatesReplyT>;
