// People and their data: log-in security, the users made at start-up, identity checks at the kiosk, the
// face-recognition notice, face data's retention, and the audit log's anchors.
import { Type, type Static } from 'typebox';
import { closed, Id } from './common.ts';

export const SecuritySchema = Type.Object(
  {
    sessionHours: Type.Optional(Type.Number({ minimum: 0.25, maximum: 24 * 7, default: 12 })),
    lockoutFailures: Type.Optional(Type.Integer({ minimum: 3, maximum: 20, default: 5 })),
    lockoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15 })),
    loginPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
    pairingMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60, default: 30 })),
    // Device tokens (docs/security.md "Snapshots on disk and device tokens").
    deviceTokens: Type.Optional(
      Type.Object(
        {
          unusedDays: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 3650,
              default: 30,
              description: 'a kiosk/terminal token not used for this many days is refused; the PC must be paired again (a connected device never expires)',
            }),
          ),
          rotateDays: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 3650,
              default: 7,
              description: 'a token older than this is replaced by a new one while its device is connected',
            }),
          ),
          graceMinutes: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 24 * 60,
              default: 10,
              description: 'after a rotation, the old token stays valid this long once the new one was first used',
            }),
          ),
        },
        // Durations only: the tokens themselves live hashed in the database, never in the config.
        { ...closed, secret: false, description: 'how long kiosk/terminal tokens live and when they are replaced (days and minutes, not tokens)' },
      ),
    ),
  },
  closed,
);

export const Jurisdiction = Type.Object(
  {
    level: Type.Union([Type.Literal('province'), Type.Literal('city'), Type.Literal('site')]),
    code: Type.String({ minLength: 1, description: 'division code for province/city, site id for site' }),
  },
  closed,
);

export const UserBootstrapSchema = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9_.@-]{2,64}$', description: '2–64 letters, digits, _ . @ -' }),
    displayName: Type.Optional(Type.String({ minLength: 1 })),
    role: Type.Union([Type.Literal('admin'), Type.Literal('invigilator'), Type.Literal('inspector'), Type.Literal('headteacher')]),
    password: Type.Optional(Type.String({ minLength: 10, secret: 'value', description: 'plain text, at least 10 characters; for demo sites only' })),
    passwordHash: Type.Optional(Type.String({ pattern: '^scrypt\\$', secret: 'value', description: 'from `examroom user hash`' })),
    rooms: Type.Optional(Type.Array(Id)),
    jurisdiction: Type.Optional(Jurisdiction),
  },
  closed,
);

export const IdentitySchema = Type.Object(
  {
    threshold: Type.Optional(
      Type.Number({
        // The scale is the descriptor model's: a value set for the earlier face-api model (0.5–0.65) would
        // refuse nearly every candidate on MobileFaceNet-512, so it is a config error, not a silent change.
        minimum: 0.9,
        maximum: 1.6,
        description:
          'face descriptor distance at or below which two faces are the same person, on the MobileFaceNet-512 scale (0.9–1.6; the measured default 1.179); absent = that default. A value of 0.5–0.65 was for the earlier face-api model: remove it',
      }),
    ),
    livenessChallenges: Type.Optional(
      Type.Array(Type.Union([Type.Literal('turn_left'), Type.Literal('turn_right'), Type.Literal('blink')]), {
        minItems: 1,
        description: 'the active challenges a kiosk may ask for, one drawn at random per attempt',
      }),
    ),
    attemptMinutes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 60, default: 5, description: 'how long a kiosk attempt stays open between the ID lookup and the face capture' }),
    ),
    enrolOnImport: Type.Optional(Type.Boolean({ default: true, description: 'enrol roster photos in the background as soon as a roster is imported' })),
    kioskFaceSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 600,
        default: 45,
        description:
          'how long the kiosk waits for a face good enough to start the liveness challenge; then the attempt is refused as timed_out (recorded and audited) and staff can decide',
      }),
    ),
    faceAttempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10,
        default: 3,
        description:
          'how many face checks a candidate may have refused in one exam session before the server refuses more and only staff at the desk decide (override); counted per person and session, whatever page or kiosk they used',
      }),
    ),
  },
  closed,
);

// The face-recognition notice (issue 23; 人脸识别技术应用安全管理办法): what the kiosk shows before any
// capture and while idle. Every consent records the version label and the SHA-256 of the exact text shown.
const NoticeTexts = Type.Object(
  {
    zh: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    en: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  },
  closed,
);
export const FaceNoticeSchema = Type.Object(
  {
    version: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, description: 'the label recorded with every consent; change it whenever the text changes' }),
    ),
    controller: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'who processes the face data (default: site.name)' })),
    contact: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'whom to ask: an office, a telephone number, an address' })),
    text: Type.Optional(NoticeTexts),
    idle: Type.Optional(NoticeTexts),
  },
  closed,
);

// Face data kept by purpose (records/privacy, storage/face-retention.ts; docs/privacy.md). Evidence images
// follow retention.days with the recordings; these are the descriptors' own clock and the filing warning.
export const PrivacySchema = Type.Object(
  {
    descriptorDays: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 365,
        default: 30,
        description: 'face descriptors are deleted this many days after their exam session is graded or their training class closes',
      }),
    ),
    faceCountWarnAt: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 99_999,
        default: 80_000,
        description: 'warn in the admin console when this many distinct people have face data here (the filing duty starts at 100,000)',
      }),
    ),
    sweepMinutes: Type.Optional(Type.Number({ minimum: 1, maximum: 1440, default: 60, description: 'how often the face-data retention sweep runs' })),
  },
  closed,
);

/** The audit log's anchors (documents/audit-anchors.ts): signed heads written outside the database. */
export const AuditSchema = Type.Object(
  {
    anchorEveryEntries: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, default: 500, description: 'write an anchor after this many new audit entries' }),
    ),
    anchorEveryMinutes: Type.Optional(
      Type.Number({ minimum: 1, maximum: 1440, default: 60, description: 'and at least this often while the log grows (server time); also at start and stop' }),
    ),
  },
  closed,
);

export type UserBootstrap = Static<typeof UserBootstrapSchema>;
export type JurisdictionConfig = Static<typeof Jurisdiction>;
