// What the records module's web parts read from the server, as TypeBox schemas (the routes' response
// schemas) and the types made from them. Shared by the server and the web apps, so it imports nothing
// but 'typebox'. Each part of records keeps its own section.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// ---------------------------------------------------------------------------------------------
// Session archive (一期一档); the jobs that make it are documents/protocol.ts's
// ---------------------------------------------------------------------------------------------

export { JOB_STATUSES, FINISHED_JOB_STATUSES, JobViewT, type JobStatusName, type JobView, type JobProgressEvent } from '../documents/protocol.ts';

/** GET /api/records/archives — one archive file of a session. */
export const ArchiveViewT = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  file: Type.String(),
  bytes: Type.Integer(),
  members: Type.Integer(),
  manifestSha256: Type.String(),
  withMedia: Type.Boolean(),
  parts: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  retentionUntil: Type.String({ description: 'ISO 8601: kept at least until then' }),
});
export type ArchiveView = Static<typeof ArchiveViewT>;

export const StartArchiveBodyT = Type.Object(
  { withMedia: Type.Optional(Type.Boolean({ description: 'also the recorded segment files, not only their index' })) },
  { additionalProperties: false },
);
export type StartArchiveBody = Static<typeof StartArchiveBodyT>;

/**
 * The archive job's progress note: the part being written, then the members and bytes of the whole
 * archive so far (`score-reports · 46 files · 0.9 MiB`). The CLI prints it as it is; the console reads
 * it back with readArchiveProgressNote to word it in its own language.
 */
export const archiveProgressNote = (part: string, members: number, bytes: number): string => `${part} · ${members} files · ${(bytes / 1048576).toFixed(1)} MiB`;
export function readArchiveProgressNote(note: string): { part: string; members: number; mib: string } | null {
  const m = /^([a-z0-9-]+) · (\d+) files · (\d+\.\d) MiB$/.exec(note);
  return m ? { part: m[1]!, members: Number(m[2]), mib: m[3]! } : null;
}

// ── Certificates (records/certificates) ───────────────────────────────────────────────────────────
const NullableString = Type.Union([Type.String(), Type.Null()]);
export const CERTIFICATE_STATUSES = ['valid', 'expired', 'revoked'] as const;
const CertificateStatusT = Type.Union([Type.Literal('valid'), Type.Literal('expired'), Type.Literal('revoked')]);

/** A certificate as staff see it (list, revoke): the whole ID number for admins, masked for invigilators. */
export const CertificateT = Type.Object({
  number: Type.String({ description: 'site serial: PREFIX-YEAR-000001' }),
  sessionId: Type.String(),
  idNumber: Type.String(),
  name: Type.String(),
  category: Type.String(),
  operationClass: NullableString,
  industry: Type.String(),
  sessionDate: Type.String({ description: 'YYYY-MM-DD, site calendar' }),
  score: Type.Number(),
  total: Type.Number(),
  issuedAt: Type.String({ description: 'ISO 8601, server time' }),
  validUntil: Type.String({ description: 'ISO 8601: the result validity ends at this instant' }),
  status: CertificateStatusT,
  revokedAt: NullableString,
  revokedBy: NullableString,
  revokedReason: NullableString,
  pdf: Type.String({ description: 'the PDF URL' }),
  verifyUrl: Type.String({ description: "the QR code's text" }),
});
export type CertificateView = Static<typeof CertificateT>;

/** What the public verify endpoint answers: only what a checker compares with the paper. */
export const VerifyReplyT = Type.Object({
  genuine: Type.Boolean({ description: "the signature is the site's and the fields are its record's" }),
  status: Type.Union([CertificateStatusT, Type.Literal('unknown'), Type.Literal('not_genuine')]),
  message: Type.String({ description: 'the verdict in Chinese, as the verify page shows it' }),
  messageEn: Type.String(),
  problem: Type.Optional(Type.String({ description: 'why a payload is not genuine' })),
  certificate: Type.Optional(
    Type.Object({
      number: Type.String(),
      name: Type.String(),
      maskedId: Type.String(),
      category: Type.String(),
      categoryLabel: Type.String(),
      operationClass: NullableString,
      sessionDate: Type.String(),
      validUntil: Type.String({ description: 'YYYY-MM-DD, the last day on the site calendar' }),
      status: CertificateStatusT,
      revokedOn: NullableString,
      revokedReason: NullableString,
    }),
  ),
});
export type VerifyReply = Static<typeof VerifyReplyT>;

export const SigningKeyT = Type.Object({
  alg: Type.Literal('Ed25519'),
  keyId: Type.String({ description: 'hex; a QR payload names its first 8 digits' }),
  publicKey: Type.String({ description: 'the raw 32-byte key, base64' }),
  publicKeyPem: Type.String({ description: 'SPKI PEM' }),
});

export const CertificateExportRowT = Type.Object({
  name: Type.String(),
  sex: Type.String(),
  idNumber: Type.String(),
  licenceNumber: Type.String({ description: 'T + ID number (ZWFW C0210-2021)' }),
  category: Type.String(),
  operationItem: Type.String(),
  industry: Type.String(),
  firstIssued: Type.String(),
  validUntil: Type.String(),
  issuingOffice: Type.String(),
  certificateNumber: Type.String(),
  sessionDate: Type.String(),
  score: Type.Number(),
});
// ── end certificates ──────────────────────────────────────────────────────────────────────────────
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

// ── Reporting to the provincial exam platform (records/reporting, GET /api/records/reports) ──

/** One delivery attempt of a results package. */
export interface ReportAttemptView {
  n: number;
  startedAt: string;
  finishedAt: string | null;
  /** The platform's HTTP status; null when no reply came (refused connection, timeout, the process ended). */
  statusCode: number | null;
  /** What went wrong, in words; null for the attempt that delivered. */
  error: string | null;
  /** When the next attempt was scheduled after this one; null once delivered. */
  nextAttemptAt: string | null;
}

/** The platform's receipt: its reply to the delivery it accepted (docs/reporting.md). */
export interface ReportReceipt {
  packageId: string;
  receiptId: string;
  receivedAt: string;
}

export interface ReportPackageView {
  id: string;
  sessionId: string;
  version: number;
  createdAt: string;
  /** pending: not yet accepted (being retried); sent: the platform's receipt is stored. */
  state: 'pending' | 'sent';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  receipt: ReportReceipt | null;
  sentAt: string | null;
  auditAnchor: { seq: number; hash: string };
  /** The latest attempts, newest first (at most 20; `attempts` counts them all). */
  recentAttempts: ReportAttemptView[];
}

export interface ReportingStatus {
  /** false: reporting.url is not set; nothing is packaged or sent. */
  configured: boolean;
  /** The platform's address (scheme, host, port, path), for the operator; never a credential. */
  target: string | null;
  pending: number;
  /** Failed attempts of the packages still pending. */
  failedAttempts: number;
  oldestPendingAt: string | null;
  lastSentAt: string | null;
  lastError: string | null;
}

export interface ReportsReply {
  status: ReportingStatus;
  packages: ReportPackageView[];
}

// ── Reports and the room log (records/reports) ──
// What the proctor console (and later the admin console) reads and sends for a session's documents after
// the exam: the room log (考场记录) with its sign-off and appended notes, and the index of a session's
// score reports and results sheet.
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
  /**
   * Candidates who declined face recognition at the kiosk (issue 23): checked by staff by eye instead.
   * Optional: a log signed before this existed has neither list.
   */
  faceDeclined: Type.Optional(Type.Array(Type.Object({ ...Who, decidedAt: Ms, noticeVersion: Type.String() }))),
  /** The invigilators' seat confirmations of those candidates: after log-in and on alerts of their seat. */
  seatConfirmations: Type.Optional(
    Type.Array(
      Type.Object({
        dueAt: Ms,
        ...Who,
        reason: oneOf(['login', 'alert'] as const),
        /** Alerts of the seat while it was due, the first one included when reason is 'alert'. */
        alerts: Count,
        confirmedAt: nullable(Ms),
        by: nullable(Type.String()),
        /** not_the_person: someone else was at the seat (an incident was recorded). Absent from logs signed before it: confirmed. */
        outcome: Type.Optional(nullable(oneOf(['confirmed', 'not_the_person'] as const))),
        note: nullable(Type.String()),
      }),
    ),
  ),
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

// ---------------------------------------------------------------------------------------------
// Privacy: face data held, retention, where face images may leave (records/privacy/, docs/privacy.md)
// ---------------------------------------------------------------------------------------------

/** The provincial filing duty of 人脸识别技术应用安全管理办法 starts at this many people's face data. */
export const FACE_FILING_THRESHOLD = 100_000;

/** Destinations face images could leave by in plain form; each needs its own legal basis. */
export const OUTBOUND_DESTINATIONS = ['reporting', 'archive-export'] as const;
export type OutboundDestination = (typeof OUTBOUND_DESTINATIONS)[number];
export const OutboundDestinationT = Type.Union([Type.Literal('reporting'), Type.Literal('archive-export')]);

export const FaceDeletionT = Type.Object({
  descriptors: Type.Integer({ description: 'kiosk probe descriptors cleared' }),
  enrolments: Type.Integer({ description: 'photo enrolments (descriptors) removed' }),
  captures: Type.Integer(),
  cardPhotos: Type.Integer(),
  snapshots: Type.Integer(),
  rosterPhotos: Type.Integer(),
  people: Type.Array(Type.String()),
});
export type FaceDeletionView = Static<typeof FaceDeletionT>;

export const OutboundBasisT = Type.Object({
  destination: OutboundDestinationT,
  /** null: none named (or withdrawn): face images do not leave to this destination. */
  basis: nullable(Type.String()),
  setBy: nullable(Type.String()),
  setAt: nullable(Type.String({ description: 'ISO 8601' })),
  /** The destination's config asks for face images (reporting.send.photos); without a basis none go. */
  asked: Type.Optional(Type.Boolean()),
});
export type OutboundBasis = Static<typeof OutboundBasisT>;

/** GET /api/records/privacy — the system page's privacy section. */
export const PrivacyStatusT = Type.Object({
  faceData: Type.Object({
    local: Type.Integer(),
    archived: Type.Integer(),
    /** null: no object store is configured (the tiering work adds it). */
    objectStore: nullable(Type.Integer()),
    total: Type.Integer(),
    warnAt: Type.Integer(),
    filingAt: Type.Integer(),
    level: Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('filing')]),
  }),
  retention: Type.Object({
    descriptorDays: Type.Integer(),
    evidenceDays: Type.Integer(),
    sweepMinutes: Type.Number(),
    lastSweep: nullable(Type.Object({ at: Type.String(), descriptors: FaceDeletionT, evidence: FaceDeletionT })),
  }),
  outbound: Type.Array(OutboundBasisT),
  serverTime: Type.String(),
});
export type PrivacyStatus = Static<typeof PrivacyStatusT>;

export const SetOutboundBasisT = Type.Object(
  { basis: nullable(Type.String({ minLength: 4, maxLength: 500, description: 'the law or rule that allows it, as free text; null withdraws it' })) },
  { additionalProperties: false },
);

export const EraseFaceDataT = Type.Object(
  { reason: Type.String({ minLength: 4, maxLength: 500, description: "the person's request: when, how, checked by whom" }) },
  { additionalProperties: false },
);

/** POST /api/records/people/:idNumber/face-data/erase — what went, and what evidence retention keeps until when. */
export const FaceErasureT = Type.Object({
  idNumber: Type.String(),
  deleted: FaceDeletionT,
  kept: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal('capture'), Type.Literal('card_photo'), Type.Literal('snapshot'), Type.Literal('roster_photo')]),
      of: Type.String(),
      until: Type.String({ description: 'ISO 8601' }),
    }),
  ),
});
export type FaceErasure = Static<typeof FaceErasureT>;
