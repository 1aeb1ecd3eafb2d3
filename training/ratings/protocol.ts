// Teacher ratings (教师评价) as the server answers them and the web apps read them: TypeBox schemas shared
// by the server, the kiosk app, the phone rating page and the admin console; imports nothing but 'typebox'.
//
// A rating is spent from a one-time token for one trainee and one teacher of one class. Tokens are made
// only for a trainee who was credited time in at least one of that teacher's lessons, right after a
// face-verified sign-out at the kiosk (or by staff for an attendee); one rating per trainee per teacher.
// The same token serves the kiosk's own rating screen and the QR code the kiosk shows beside it.
//
// Kiosk (role kiosk):
//   POST /api/kiosk/training/ratings/offer  RatingOfferBodyT → RatingOfferT   after a sign-out: the teachers due
//   POST /api/kiosk/training/ratings        RateBodyT → RatingDoneT            rate at the kiosk
// Phone page (public, no account; the token is the only credential, sent in the body, never in a URL path):
//   POST /api/training/rate/ticket          RatingTicketBodyT → RatingTicketT  what the token is for
//   POST /api/training/rate                 RateBodyT → RatingDoneT            rate from the phone
// Staff:
//   GET  /api/training/classes/:classId/ratings          ClassRatingsT     admin, the class's 班主任
//   POST /api/training/classes/:classId/ratings/tokens   IssueTokenBodyT → RatingTokenT   admin, the class's 班主任 (audited)
//   GET  /api/training/teachers/:teacherId/ratings?from=&to=   TeacherRatingsT   admin
// Refusals (ErrorReply code): 404 `not_found` (no such token); 409 `token_used`, `token_expired`, `already_rated`
// (the trainee has rated this teacher), `did_not_attend` (no credited time in the teacher's lessons),
// `not_signed_out` (the kiosk attempt is not a completed sign-out of this kiosk); 400 a score outside 1–5.
// Nobody reads a single rating with the trainee's name: summaries and comments carry no rater.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Where the phone page lives; the token goes after `#t=` so it never reaches a server log or a Referer. */
export const RATE_PAGE_PATH = '/rate/';
export const rateUrlPath = (token: string) => `${RATE_PAGE_PATH}#t=${token}`;
export const RATING_COMMENT_MAX = 500;

const TokenT = Type.String({ minLength: 20, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const RatingTokenT = Type.Object({
  teacherId: Type.String(),
  teacherName: Type.String(),
  teacherTitle: nullable(Type.String()),
  /** One-time credential: shown once, stored only as its SHA-256. */
  token: TokenT,
  /** RATE_PAGE_PATH + '#t=' + token: the kiosk prefixes its own origin for the QR code. */
  ratePath: Type.String(),
  expiresAt: Type.String({ description: 'ISO 8601' }),
});
export type RatingToken = Static<typeof RatingTokenT>;

export const RatingOfferBodyT = Type.Object(
  { attemptId: Type.String({ minLength: 1, maxLength: 64, description: "the kiosk attempt of the trainee's sign-out, just completed" }) },
  { additionalProperties: false },
);
export type RatingOfferBody = Static<typeof RatingOfferBodyT>;

export const RatingOfferT = Type.Object({
  classId: Type.String(),
  className: Type.String(),
  /** Teachers whose last lesson of the class the trainee has now left, that the trainee attended and has not rated; may be empty. */
  teachers: Type.Array(RatingTokenT),
});
export type RatingOffer = Static<typeof RatingOfferT>;

export const RateBodyT = Type.Object(
  {
    token: TokenT,
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: RATING_COMMENT_MAX })),
  },
  { additionalProperties: false },
);
export type RateBody = Static<typeof RateBodyT>;

export const RatingDoneT = Type.Object({
  ok: Type.Literal(true),
  teacherName: Type.String(),
  at: Type.String({ description: 'ISO 8601' }),
});
export type RatingDone = Static<typeof RatingDoneT>;

export const RatingTicketBodyT = Type.Object({ token: TokenT }, { additionalProperties: false });
export type RatingTicketBody = Static<typeof RatingTicketBodyT>;

/** What the phone page shows before the trainee rates. */
export const RatingTicketT = Type.Object({
  state: Type.Union([Type.Literal('open'), Type.Literal('used'), Type.Literal('expired')]),
  className: Type.String(),
  institution: Type.String(),
  teacherName: Type.String(),
  teacherTitle: nullable(Type.String()),
  /** The teacher's lessons in this class: 'YYYY-MM-DD HH:mm topic'. */
  lessons: Type.Array(Type.String()),
  /** The trainee's name with all but the first character hidden (张**): enough to know it is theirs. */
  traineeName: Type.String(),
  expiresAt: Type.String(),
  /** expiresAt on the site's clock, 'YYYY-MM-DD HH:mm' (the phone may be set to another zone). */
  expiresAtLocal: Type.String(),
});
export type RatingTicket = Static<typeof RatingTicketT>;

export const IssueTokenBodyT = Type.Object(
  { idNumber: Type.String({ minLength: 15, maxLength: 24 }), teacherId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type IssueTokenBody = Static<typeof IssueTokenBodyT>;

/** Figures of a set of ratings; no rater is named anywhere in them. */
export const RatingSummaryT = Type.Object({
  ratings: Type.Integer(),
  /** Trainees who could rate (credited time in the teacher's lessons). */
  eligible: Type.Integer(),
  average: nullable(Type.Number({ description: 'one decimal' })),
  /** Count of scores 1, 2, 3, 4, 5 (index 0 is score 1). */
  distribution: Type.Array(Type.Integer(), { minItems: 5, maxItems: 5 }),
});
export type RatingSummary = Static<typeof RatingSummaryT>;

export const TeacherClassRatingsT = Type.Object({
  teacherId: Type.String(),
  name: Type.String(),
  title: nullable(Type.String()),
  summary: RatingSummaryT,
  /** Comments without names, sorted by text (not by time, which sign-out order would tie to a person). */
  comments: Type.Array(Type.String()),
});
export type TeacherClassRatings = Static<typeof TeacherClassRatingsT>;

export const ClassRatingsT = Type.Object({
  classId: Type.String(),
  className: Type.String(),
  teachers: Type.Array(TeacherClassRatingsT),
});
export type ClassRatings = Static<typeof ClassRatingsT>;

export const TeacherRatingsQueryT = Type.Object(
  {
    from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  },
  { additionalProperties: false },
);
export type TeacherRatingsQuery = Static<typeof TeacherRatingsQueryT>;

export const TeacherRatingsT = Type.Object({
  teacherId: Type.String(),
  name: Type.String(),
  title: nullable(Type.String()),
  from: nullable(Type.String()),
  to: nullable(Type.String()),
  overall: RatingSummaryT,
  classes: Type.Array(
    Type.Object({ classId: Type.String(), className: Type.String(), startsOn: Type.String(), endsOn: Type.String(), summary: RatingSummaryT }),
  ),
});
export type TeacherRatings = Static<typeof TeacherRatingsT>;
