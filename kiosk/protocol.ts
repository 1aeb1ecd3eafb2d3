// The entrance kiosk's HTTP contract (docs/kiosk-api.md): what the kiosk app sends and what the server
// answers — the idle screen's state, an ID lookup, the face verification, the live guide's quality
// hints, the staff override, the card-reader event — as TypeBox schemas (the routes' response
// schemas, so Fastify checks and serialises every reply with them) and the TypeScript types made from
// them. Shared by the server and the kiosk web app, so it imports nothing but 'typebox' and training's protocol (the sign-in reply).
import { Type, type Static, type TSchema } from 'typebox';
import { TrainingSignedT } from '../training/protocol.ts';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** One of a fixed list of strings, typed as their union. */
const oneOf = <const T extends readonly string[]>(xs: T) => Type.Enum<[...T]>(xs);

/** The liveness challenges (kiosk/face): the candidate turns or blinks while the frames are taken. */
export const CHALLENGES = ['turn_left', 'turn_right', 'blink'] as const;
export type Challenge = (typeof CHALLENGES)[number];

export const LOOKUP_REFUSALS = [
  'bad_id_number',
  'not_on_roster',
  'wrong_day',
  'wrong_site',
  'checkin_not_open',
  'checkin_closed',
  'already_admitted',
  'card_expired',
  'unknown_card',
] as const;
export type LookupRefusal = (typeof LOOKUP_REFUSALS)[number];

/** Why a face check refused: liveness, the face engine's refusals of the live frames, or the comparison. */
export const VERIFY_REFUSALS = [
  'liveness',
  'unreadable',
  'no_face',
  'several_faces',
  'too_small',
  'too_blurred',
  'turned_away',
  'mismatch',
  'card_mismatch',
  'no_reference',
  'admission_failed',
  'timed_out',
] as const;
export type VerifyRefusal = (typeof VERIFY_REFUSALS)[number];

export const QUALITY_HINTS = ['no_face', 'several_faces', 'too_small', 'too_close', 'off_center', 'turned', 'blurred'] as const;
export type QualityHint = (typeof QUALITY_HINTS)[number];

/**
 * What the face guide last said when the kiosk stopped waiting for a usable face (POST …/give-up): a
 * server hint, the kiosk's own darkness check, the camera being unusable, or nothing heard at all.
 */
export const GIVE_UP_HINTS = [...QUALITY_HINTS, 'too_dark', 'camera_down', 'no_answer'] as const;
export type GiveUpHint = (typeof GIVE_UP_HINTS)[number];

/** The face engine's refusals of one picture (kiosk/face/types.ts FaceRefusal), and the quality rules a reference may fail. */
export const FACE_REFUSALS = ['unreadable', 'no_face', 'several_faces', 'too_small', 'too_blurred', 'turned_away'] as const;
export const FACE_QUALITY_ISSUES = ['too_small', 'too_blurred', 'turned_away'] as const;
/** What the liveness pass found instead of the challenge (kiosk/face/types.ts LivenessResult). */
export const LIVENESS_FINDINGS = ['no_face', 'several_faces', 'no_motion', 'challenge_not_met', 'too_few_frames'] as const;

/**
 * The figures behind a face refusal, as codes and numbers: the staff dialog builds its words from these
 * and `reason` in the screen's language (kiosk/web/src/i18n.ts). The English `detail` beside them is the
 * engine's account for the audit log and the attempt's record; no screen shows it.
 */
export const RefusalFactsT = Type.Object({
  /** liveness: the challenge asked, and what was seen instead. */
  challenge: nullable(oneOf(CHALLENGES)),
  liveness: nullable(oneOf(LIVENESS_FINDINGS)),
  /** A live frame the engine refused (no_face, too_small, …): which one, 1-based. */
  frame: nullable(Type.Integer()),
  /** no_reference: the roster photo is missing, or the engine's refusal of it. */
  rosterPhoto: nullable(oneOf(['missing', ...FACE_REFUSALS] as const)),
  /** The roster photo was enrolled despite these quality findings (a poor reference weakens a mismatch). */
  rosterWarnings: Type.Array(oneOf(FACE_QUALITY_ISSUES)),
  /** Distance to the ID-card photo, or why the card photo could not be compared. */
  cardDistance: nullable(Type.Number()),
  cardPhotoUnused: nullable(oneOf(FACE_REFUSALS)),
  /** timed_out: how long the face guide waited and what it last saw. */
  waitedSeconds: nullable(Type.Integer()),
  lastHint: nullable(oneOf(GIVE_UP_HINTS)),
});
export type RefusalFacts = Static<typeof RefusalFactsT>;

/**
 * A person's face checks in this exam session, counted by the server (identity_attempts): `used` are the
 * refused ones, whatever page or kiosk they were at; `limit` is config identity.faceAttempts and `left`
 * what remains. Once none is left the server refuses more (409 face_attempts_used) and staff decide at
 * the desk (override). A training check has no limit (null): staff cannot override a trainee's face.
 */
export const FaceAttemptsT = Type.Object({
  used: Type.Integer({ minimum: 0 }),
  limit: nullable(Type.Integer({ minimum: 1 })),
  left: nullable(Type.Integer({ minimum: 0 })),
});
export type FaceAttempts = Static<typeof FaceAttemptsT>;

/** Where the person left an attempt undecided: the notice, the face guide, the declined screen, the "staff only" screen. */
export const CANCEL_STAGES = ['notice', 'face_guide', 'declined', 'staff_needed'] as const;
export type CancelStage = (typeof CANCEL_STAGES)[number];
/**
 * POST /api/kiosk/attempts/:id/cancel: the kiosk left the attempt without a decision — the person tapped
 * 取消/返回 (`by: person`) or the screen timed out (`by: timer`). Recorded as `cancelled` and audited.
 */
export const CancelBodyT = Type.Object({ stage: oneOf(CANCEL_STAGES), by: oneOf(['person', 'timer'] as const) }, { additionalProperties: false });
export type CancelBody = Static<typeof CancelBodyT>;
export const CancelReplyT = Type.Object({ ok: Type.Literal(true), attemptId: Type.String(), decision: Type.Literal('cancelled'), decidedAt: Type.String() });
export type CancelReply = Static<typeof CancelReplyT>;

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const IdNumber = Type.String({ minLength: 1, maxLength: 40, description: 'the 18-character ID number (full-width digits and spaces are accepted)' });
export const LookupBodyT = Type.Union([
  Type.Object({ source: Type.Literal('typed'), idNumber: IdNumber }, { additionalProperties: false }),
  Type.Object({ source: Type.Literal('card'), cardId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
]);
export type LookupBody = Static<typeof LookupBodyT>;

/**
 * POST /api/kiosk/attempts/:id/give-up: the kiosk waited `limits.faceSeconds` (KioskState) without a face
 * good enough to start the challenge. The server records the attempt as refused (`timed_out`) and audits
 * it like any other refusal, so no candidate ever leaves the kiosk without a decision on record.
 */
export const GiveUpBodyT = Type.Object(
  {
    waitedSeconds: Type.Integer({ minimum: 0, maximum: 3600, description: 'how long the face guide waited, whole seconds' }),
    lastHint: oneOf(GIVE_UP_HINTS),
  },
  { additionalProperties: false },
);
export type GiveUpBody = Static<typeof GiveUpBodyT>;

// ---------------------------------------------------------------------------------------------
// Notice and consent (issue 23): the notice is shown before any capture; the person accepts or declines
// ---------------------------------------------------------------------------------------------

export const NOTICE_LANGS = ['zh', 'en'] as const;
export type NoticeLang = (typeof NOTICE_LANGS)[number];
export const CONSENT_DECISIONS = ['accepted', 'declined'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];
/**
 * The reason a staff admission (exam) or confirmation (training) is recorded with when the person declined
 * face recognition: staff compared the ID card with the person by eye.
 */
export const DECLINED_FACE_REASON = 'declined face recognition';

/**
 * An override's recorded reason in words: the declined-face reason is kept in English in the audit log,
 * optionally followed by ": " and the staff's own words; Chinese screens and documents say it in Chinese.
 */
export function overrideReasonWords(reason: unknown): { zh: string; en: string } {
  const r = String(reason ?? '');
  if (r !== DECLINED_FACE_REASON && !r.startsWith(`${DECLINED_FACE_REASON}: `)) return { zh: r, en: r };
  const rest = r.slice(DECLINED_FACE_REASON.length + 2);
  return { zh: rest ? `拒绝人脸识别：${rest}` : '拒绝人脸识别', en: r };
}

/** One language of the notice: the exact text shown (first line the title) and the SHA-256 of its UTF-8. */
export const FaceNoticeT = Type.Object({
  version: Type.String(),
  lang: oneOf(NOTICE_LANGS),
  text: Type.String(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export type FaceNotice = Static<typeof FaceNoticeT>;

/**
 * What a lookup says about consent for the session (or class) it opened: needed (nothing in force, or the
 * last word was a decline — a person may change their mind), or not needed because an acceptance is in
 * force (asked once per session or class, never at every capture). The notice in force comes in both
 * languages either way: shown when needed, and named when a person who accepted withdraws at the kiosk.
 */
export const ConsentAskT = Type.Object({
  needed: Type.Boolean(),
  inForce: nullable(Type.Object({ decision: oneOf(CONSENT_DECISIONS), decidedAt: Type.String(), noticeVersion: Type.String() })),
  notice: Type.Object({ zh: FaceNoticeT, en: FaceNoticeT }),
});
export type ConsentAsk = Static<typeof ConsentAskT>;

/** POST /api/kiosk/attempts/:id/consent: the person's choice, and which notice they saw (version + hash + language). */
export const ConsentBodyT = Type.Object(
  {
    decision: oneOf(CONSENT_DECISIONS),
    noticeVersion: Type.String({ minLength: 1, maxLength: 40 }),
    noticeSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    lang: oneOf(NOTICE_LANGS),
  },
  { additionalProperties: false },
);
export type ConsentBody = Static<typeof ConsentBodyT>;

export const ConsentReplyT = Type.Object({
  ok: Type.Literal(true),
  attemptId: Type.String(),
  decision: oneOf(CONSENT_DECISIONS),
  decidedAt: Type.String(),
  noticeVersion: Type.String(),
});
export type ConsentReply = Static<typeof ConsentReplyT>;

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

export const SessionViewT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  roomId: Type.String(),
  roomName: Type.String(),
  /** ISO 8601, and the same on the site's clock (YYYY-MM-DD HH:MM). */
  startsAt: Type.String(),
  startsAtLocal: Type.String(),
  status: Type.String(),
});
export type SessionView = Static<typeof SessionViewT>;

/** GET /api/kiosk/state: the idle screen. */
export const KioskStateT = Type.Object({
  kiosk: Type.Object({ id: Type.String(), name: Type.String() }),
  site: Type.Object({ id: Type.String(), name: Type.String() }),
  serverTime: Type.String(),
  sessions: Type.Array(Type.Object({ ...SessionViewT.properties, admitted: Type.Integer(), total: Type.Integer() })),
  challenges: Type.Array(oneOf(CHALLENGES)),
  frames: Type.Object({ min: Type.Integer(), max: Type.Integer(), recommended: Type.Integer(), seconds: Type.Number() }),
  /**
   * `faceSeconds` (config identity.kioskFaceSeconds, default 45): how long the face guide waits for a face
   * good enough to start the challenge before the kiosk ends the attempt as timed_out (POST …/give-up).
   */
  limits: Type.Object({ faceSeconds: Type.Integer() }),
  /** The prominent notice of the idle screen (config faceNotice.idle), in both languages. */
  privacy: Type.Object({ idle: Type.Object({ zh: Type.String(), en: Type.String() }) }),
});
export type KioskState = Static<typeof KioskStateT>;

export const CandidateViewT = Type.Object({
  name: Type.String(),
  idNumberMasked: Type.String(),
  ticketNo: nullable(Type.String()),
  photoUrl: nullable(Type.String()),
  hasPhoto: Type.Boolean(),
  cardPhoto: Type.Boolean(),
});
export type CandidateView = Static<typeof CandidateViewT>;

/** POST /api/kiosk/lookup: a new attempt with its challenge, or the refusal. */
export const LookupReplyT = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    attemptId: Type.String(),
    expiresAt: Type.String(),
    candidate: CandidateViewT,
    session: SessionViewT,
    seat: nullable(Type.String()),
    challenge: oneOf(CHALLENGES),
    consent: ConsentAskT,
    /** When `left` is 0 the kiosk takes no face: it sends the person to staff (the attempt is for the override). */
    faceAttempts: FaceAttemptsT,
  }),
  Type.Object({
    ok: Type.Literal(false),
    reason: oneOf(LOOKUP_REFUSALS),
    detail: Type.String(),
    message: Type.String(),
    candidate: nullable(Type.Object({ name: Type.String(), idNumberMasked: Type.String() })),
    session: nullable(SessionViewT),
    admittedAt: nullable(Type.String()),
    seat: nullable(Type.String()),
  }),
]);
export type LookupReply = Static<typeof LookupReplyT>;

export const AdmittedT = Type.Object({
  ok: Type.Literal(true),
  decision: Type.Literal('admitted'),
  attemptId: Type.String(),
  seat: nullable(Type.String()),
  roomId: Type.String(),
  roomName: Type.String(),
  distance: Type.Number(),
  cardDistance: nullable(Type.Number()),
  threshold: Type.Number(),
  candidate: CandidateViewT,
});

export const RefusedT = Type.Object({
  ok: Type.Literal(false),
  decision: Type.Literal('refused'),
  attemptId: Type.String(),
  reason: oneOf(VERIFY_REFUSALS),
  detail: Type.String(),
  message: Type.String(),
  distance: nullable(Type.Number()),
  threshold: Type.Number(),
  facts: RefusalFactsT,
  /** A new attempt may be looked up: the reason allows it and the person has face checks left. */
  retryAllowed: Type.Boolean(),
  faceAttempts: FaceAttemptsT,
});

/** A training sign-in or sign-out (training/sign-in.ts) verified through the same route: training/protocol.ts TrainingSignedT. */
export const TrainingCheckT = TrainingSignedT;

/** POST /api/kiosk/attempts/:id/verify: admitted with the seat, or refused with the reason (or a training check). */
export const VerifyReplyT = Type.Union([AdmittedT, RefusedT, TrainingCheckT]);
/** The exam-admission answers (the kiosk app's); a training check is answered by TrainingCheckT. */
export type VerifyReply = Static<typeof AdmittedT> | Static<typeof RefusedT>;

/**
 * POST /api/kiosk/quality: one frame of the live face guide, for an open attempt of this kiosk whose person
 * has accepted the notice (no frame is processed before that) and has face checks left.
 */
export const QualityBodyT = Type.Object(
  {
    attemptId: Type.String({ minLength: 1, maxLength: 64 }),
    frame: Type.String({ minLength: 4, description: 'base64 of a JPEG, no data: prefix' }),
  },
  { additionalProperties: false },
);
export type QualityBody = Static<typeof QualityBodyT>;

/** POST /api/kiosk/quality: hints for the live face guide. */
export const QualityReplyT = Type.Object({
  face: Type.Boolean(),
  faces: Type.Integer(),
  box: nullable(Type.Object({ x: Type.Number(), y: Type.Number(), width: Type.Number(), height: Type.Number() })),
  imageWidth: Type.Integer(),
  imageHeight: Type.Integer(),
  yaw: Type.Number(),
  eyeOpenness: Type.Number(),
  hints: Type.Array(oneOf(QUALITY_HINTS)),
});
export type QualityReply = Static<typeof QualityReplyT>;

/** POST /api/kiosk/attempts/:id/override: staff admitted the candidate. */
export const OverrideReplyT = Type.Object({
  ok: Type.Literal(true),
  decision: Type.Literal('admitted'),
  seat: nullable(Type.String()),
  roomId: Type.String(),
  roomName: Type.String(),
  by: Type.String(),
});
export type OverrideReply = Static<typeof OverrideReplyT>;

/** The same route for a training member who declined face recognition: the class's 班主任 confirmed the sign-in or sign-out by eye. */
export const TrainingConfirmedT = TrainingSignedT;

/**
 * The event on GET /api/kiosk/events that says this kiosk's device token is due for rotation (data `{}`):
 * the page POSTs `{}` to /api/devices/token (terminal/protocol.ts DEVICE_TOKEN_PATH), whose answer sets
 * the new device cookie, then makes any authenticated request so the server sees the new token used.
 */
export const TOKEN_ROTATE_EVENT = 'token_rotate';

/** The `card` event on GET /api/kiosk/events: the reader on this kiosk read an ID card. */
export const CardEventT = Type.Object({
  cardId: Type.String(),
  name: Type.String(),
  idNumberMasked: Type.String(),
  hasPhoto: Type.Boolean(),
  validUntil: nullable(Type.String()),
  /**
   * Why a card from the reader bridge has no photo: no WLT decoder configured on the kiosk PC, or the
   * decoder failed. The live face is then compared with the roster photo alone; the kiosk tells staff.
   */
  photoMissing: Type.Optional(nullable(oneOf(['no_decoder', 'decoder_failed'] as const))),
});
export type CardEvent = Static<typeof CardEventT>;

// The kiosk's device-health report (POST /api/devices/health: secure context, camera, browser, clock,
// build) is the one report every device sends, defined once in terminal/protocol.ts
// (DeviceHealthReportT); the kiosk app imports it from there. A protocol file may not import another
// module's, so it is not re-exported here. docs/kiosk-api.md "Device health".

// ---------------------------------------------------------------------------------------------
// The ID-card reader (kiosk/reader-bridge, docs/kiosk-api.md "Card reader")
// ---------------------------------------------------------------------------------------------

/** The reader bridge of kiosk K1 pairs as device `K1.reader` (kind `reader`), with a token of its own. */
export const READER_SUFFIX = '.reader';
export const readerDeviceId = (kioskId: string): string => `${kioskId}${READER_SUFFIX}`;
/** The kiosk a reader device belongs to, or null when the id is not a reader's. */
export const kioskOfReader = (deviceId: string): string | null => (deviceId.endsWith(READER_SUFFIX) ? deviceId.slice(0, -READER_SUFFIX.length) : null);

export const CARD_TYPES = ['resident', 'hmt_residence_permit'] as const;

const Ymd = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
/**
 * POST /api/kiosk/card: what the reader read. `idNumber` and `name` are all an old client sends; the
 * bridge adds the rest. `photoBase64` is the card photo as the decoder gave it — JPEG, PNG or the
 * BMP the vendors' WLT decoders write (the server converts a BMP to PNG). Without a decoder the bridge
 * sends no photo and says why in `photoMissing`.
 */
export const CardPostT = Type.Object(
  {
    idNumber: Type.String({ minLength: 1, maxLength: 40, description: 'the 18-character ID number' }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    photoBase64: Type.Optional(Type.String({ minLength: 4, description: 'base64 of a JPEG, PNG or BMP, no data: prefix' })),
    issuer: Type.Optional(Type.String({ maxLength: 100 })),
    validUntil: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD, or 长期' })),
    validFrom: Type.Optional(Ymd),
    sex: Type.Optional(Type.String({ maxLength: 8, description: 'in words: 男, 女, 未知, 未说明' })),
    nation: Type.Optional(Type.String({ maxLength: 16, description: 'in words: 汉, 蒙古… (a residence permit has none)' })),
    birthDate: Type.Optional(Ymd),
    address: Type.Optional(Type.String({ maxLength: 80 })),
    cardType: Type.Optional(oneOf(CARD_TYPES)),
    photoMissing: Type.Optional(oneOf(['no_decoder', 'decoder_failed'] as const)),
  },
  { additionalProperties: false },
);
export type CardPost = Static<typeof CardPostT>;

/** What the reader is doing, from the bridge's point of view. */
export const READER_STATES = ['ready', 'no_reader', 'not_authorised', 'reader_fault'] as const;
export type ReaderState = (typeof READER_STATES)[number];
/** A read that went wrong with a card on the reader: said on the kiosk and to staff. */
export const READER_PROBLEMS = ['unreadable_card', 'unsupported_card'] as const;
export type ReaderProblem = (typeof READER_PROBLEMS)[number];

/** POST READER_STATUS_PATH (the reader device): the reader's part of the device-health report. */
export const READER_STATUS_PATH = '/api/devices/reader-status';
export const ReaderReportT = Type.Object(
  {
    state: oneOf(READER_STATES),
    /** In words, for staff and the log (English): which port, what the module said. */
    detail: Type.String({ maxLength: 300 }),
    port: Type.String({ maxLength: 100 }),
    samId: nullable(Type.String({ maxLength: 64 })),
    /** When the last card was read and posted (the bridge's clock, ISO; the server keeps its own time too). */
    lastCardAt: nullable(Type.String({ maxLength: 40 })),
    /** Whether a WLT decoder is configured: without one the card photo is not compared. */
    photoDecoder: Type.Boolean(),
    bridgeVersion: Type.String({ maxLength: 40 }),
    /** A card problem just now (sent once per card on the reader), or null. */
    problem: nullable(Type.Object({ reason: oneOf(READER_PROBLEMS), detail: Type.String({ maxLength: 300 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type ReaderReport = Static<typeof ReaderReportT>;

/** The `reader` event on GET /api/kiosk/events: the reader's state changed or a card could not be used. */
export const ReaderEventT = Type.Object({
  state: oneOf(READER_STATES),
  /** Whether the bridge holds its connection to the server (a bridge that is down cannot say so itself). */
  online: Type.Boolean(),
  problem: nullable(oneOf(READER_PROBLEMS)),
  /** For staff, English. */
  detail: Type.String(),
  photoDecoder: Type.Boolean(),
});
export type ReaderEvent = Static<typeof ReaderEventT>;
