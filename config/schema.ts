// The one configuration file, as a TypeBox schema. Every object is closed (additionalProperties: false)
// so a misspelt key is an error at start-up instead of a setting silently ignored.
import { Type, type Static } from 'typebox';
import { Gb28181Schema, type Gb28181Config } from './gb28181.ts';
import { ObjectStoreSchema, type ObjectStoreConfig } from './sections/object-store.ts';
import { RulesSchema, type Rules } from './rules.ts';
import { BackupSchema, type BackupConfig } from './sections/backup.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, _ . - (max 64)' });
const closed = { additionalProperties: false } as const;

export const DivisionCode = Type.String({ pattern: '^[0-9]{6}$', description: 'a six-digit administrative division code (GB/T 2260), in quotes' });

export const SiteSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    province: DivisionCode,
    city: DivisionCode,
    timezone: Type.Optional(Type.String({ default: 'Asia/Shanghai' })),
  },
  closed,
);

// `secret:` marks what config/masking.ts hides when the config in force is shown (GET /api/system/config):
// 'value' the whole value, 'url' a URL's password and query values, 'push-url' its path too; false = the name
// sounds secret but the value is not (a file path, a public key). An unmarked secret-sounding name is hidden
// whole, and tests/config/masking.test.ts fails on it until it is marked.
export const TlsSchema = Type.Object(
  { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1, secret: false, description: 'the private key FILE (its path is no secret)' }) },
  closed,
);
// HTTPS: "site-ca" = the appliance makes its own site CA and server certificate (server/tls/); a
// {cert, key} pair = a certificate the site got elsewhere; absent = plain HTTP (the demo on 127.0.0.1).
export const ServerTlsSchema = Type.Union([Type.Literal('site-ca'), TlsSchema], { description: '"site-ca", or { cert: FILE, key: FILE }' });

export const ServerSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ default: '0.0.0.0' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 8080 })),
    tls: Type.Optional(ServerTlsSchema),
    names: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9.:-]{1,253}$', description: 'a host name (examroom.lan) or an IP address (192.168.1.10)' }), {
        description: "the names and addresses PCs reach the appliance by; the site certificate covers them (absent = this host's LAN addresses)",
      }),
    ),
    httpPort: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: 'a plain-HTTP port that serves only the page for trusting the site CA (with tls: site-ca)' }),
    ),
    // `true` is accepted by the schema only so that config/load.ts can refuse it in words: it trusted every
    // hop, so any PC could name its own address in X-Forwarded-For.
    trustProxy: Type.Optional(
      Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], {
        description:
          'the reverse proxies in front of the appliance, as addresses or CIDR ranges (e.g. [127.0.0.1]): X-Forwarded-For/-Proto/-Host are believed only from them; false or absent = no proxy',
      }),
    ),
    connections: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(
            Type.Integer({ minimum: 16, maximum: 60000, default: 4096, description: 'open connections in all (WebSockets and event streams included)' }),
          ),
          perAddress: Type.Optional(
            Type.Integer({
              minimum: 8,
              maximum: 60000,
              default: 256,
              description: "open connections from one address (a proctor desk's live tiles are one each); this machine and the trusted proxies are not counted",
            }),
          ),
          headersSeconds: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 300, default: 15, description: "how long a client may take to send a request's headers" }),
          ),
          requestSeconds: Type.Optional(
            Type.Integer({ minimum: 5, maximum: 3600, default: 120, description: 'how long a client may take to send a whole request, uploads included' }),
          ),
          idleSeconds: Type.Optional(
            Type.Integer({
              minimum: 20,
              maximum: 3600,
              default: 120,
              description: 'a connection with nothing sent either way for this long is closed (WebSockets excepted; event streams ping every 15 s)',
            }),
          ),
          keepAliveSeconds: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'how long an idle keep-alive connection waits for its next request' }),
          ),
        },
        { ...closed, description: 'time limits and caps on connections, against clients that open many or send slowly' },
      ),
    ),
    metricsFrom: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'addresses or CIDR ranges (e.g. the monitoring server) that may read /metrics without logging in; this machine and admins always may',
      }),
    ),
  },
  closed,
);

export const PathsSchema = Type.Object(
  {
    data: Type.Optional(Type.String({ minLength: 1, default: '/var/lib/examroom' })),
    keys: Type.Optional(
      Type.String({
        minLength: 1,
        secret: false,
        description: 'the keys folder (site CA, signing keys); outside the data folder; default: the data folder\'s path + "-keys"',
      }),
    ),
  },
  closed,
);

export const RoomSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    seats: Type.Object(
      { rows: Type.Integer({ minimum: 1, maximum: 30 }), columns: Type.Integer({ minimum: 1, maximum: 30 }) },
      { ...closed, description: 'seat grid; seats are numbered 01, 02 … row by row' },
    ),
    terminals: Type.Optional(
      Type.Literal('perSeat', {
        description: 'one exam PC at every seat, ids ROOM-SEAT (R101-01 … R101-20), instead of a terminals: line per PC',
      }),
    ),
  },
  closed,
);

export const TerminalSchema = Type.Object(
  { id: Id, room: Id, seat: Type.String({ pattern: '^[0-9]{2,3}$', description: 'a two- or three-digit seat number in quotes, like "01"' }) },
  closed,
);

export const KioskSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    rooms: Type.Optional(Type.Array(Id, { minItems: 1, description: 'the rooms whose candidates enter here; absent = every room of the site' })),
  },
  closed,
);

export const IdentitySchema = Type.Object(
  {
    threshold: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 2,
        description: "face descriptor distance at or below which two faces are the same person; absent = the face engine's measured default",
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

// Regulation asks for the exams and training classes on record for three years, not every night:
// `sessions` records a room's sources from check-in open minus a margin to session end plus a margin;
// live view and upstream push run all day either way.
const RecordSchedule = Type.Union([Type.Literal('sessions'), Type.Literal('always')], {
  description: "sessions: record only during the room's exam sessions (and training lessons), margins included; always: around the clock",
});

export const CameraSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    room: Id,
    url: Type.String({ pattern: '^(rtsp|rtsps|rtmp|http|https|file)://', secret: 'url', description: 'rtsp://, rtmp://, http(s):// or file://' }),
    // The camera's low-resolution second stream (e.g. 640×360 or 352×288): the console's grid tiles play
    // it, live only; recording and upstream push stay on url. Absent = tiles play url, as before.
    subUrl: Type.Optional(
      Type.String({
        pattern: '^(rtsp|rtsps|rtmp|http|https|file)://',
        secret: 'url',
        description: "the camera's sub-stream for live tiles: rtsp://, rtmp://, http(s):// or file://",
      }),
    ),
    audio: Type.Optional(Type.Boolean({ default: true })),
    record: Type.Optional(RecordSchedule),
  },
  closed,
);

export const UpstreamSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    level: Type.Union([Type.Literal('province'), Type.Literal('city')]),
    protocol: Type.Union([Type.Literal('rtmp'), Type.Literal('rtsp')]),
    url: Type.String({
      pattern: '^(rtmp|rtmps|rtsp)://',
      secret: 'push-url',
      description: 'an rtmp://, rtmps:// or rtsp:// push target; {source} is replaced by the source id',
    }),
    sources: Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Id, { minItems: 1 })], { default: 'all' })),
  },
  closed,
);

export const RetentionSchema = Type.Object(
  {
    // 安全生产考试 rules require audio-video kept at least three years; 1,096 days covers a leap year.
    days: Type.Optional(Type.Integer({ minimum: 1096, default: 1096, description: 'at least 1096 (three years, by regulation)' })),
    minFreeGiB: Type.Optional(Type.Number({ minimum: 1, default: 20, description: 'below this free space new recordings stop' })),
  },
  closed,
);

// Excerpt downloads (media/playback.ts): each is an ffmpeg reading the span and a temporary MP4 as large,
// held until the download ends; these bound how many and how large (docs/security.md).
export const ExcerptsSchema = Type.Object(
  {
    perUser: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'excerpts one person may have being cut or downloaded at once' })),
    atOnce: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'excerpts being cut or downloaded at once, everyone together' })),
    maxMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60, default: 240, description: 'the longest span one excerpt may cover' })),
    maxMiB: Type.Optional(Type.Integer({ minimum: 1, default: 4096, description: 'the most recording one excerpt may hold (also its temporary file)' })),
  },
  closed,
);

export const MediaSchema = Type.Object(
  {
    segmentSeconds: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 3600, default: 300, description: 'length of a recording segment in seconds (cut at the next key frame)' }),
    ),
    stallSeconds: Type.Optional(Type.Integer({ minimum: 2, maximum: 300, default: 10, description: 'a source that delivers nothing this long is restarted' })),
    maxBackoffSeconds: Type.Optional(
      Type.Number({
        minimum: 0.5,
        maximum: 60,
        default: 3,
        description: 'longest wait between restarts of a failing source (keep ≤ 4 so a returning camera records within 5 s)',
      }),
    ),
    record: Type.Optional(RecordSchedule),
    recordMarginMinutes: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 240,
        default: 30,
        description:
          'with record: sessions, recording starts this long before check-in opens (or the planned start, if earlier) and runs this long after the session ends',
      }),
    ),
    reserveMiB: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 512,
        description: 'last-resort floor: below this free space no NEW recording starts (live view goes on); nothing is ever deleted',
      }),
    ),
    excerpts: Type.Optional(ExcerptsSchema),
    hevcTranscodes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 16,
        default: 2,
        description:
          'most H.265 sources transcoded to H.264 at once for a tile opened large in a browser that cannot play H.265 (one ffmpeg each, ≈ docs/media.md); 0: never',
      }),
    ),
  },
  closed,
);

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

export const BankKeySchema = Type.Object(
  {
    id: Id,
    key: Type.String({
      minLength: 1,
      secret: false,
      description: 'an Ed25519 public key: PEM text, or the base64 of its 32 raw bytes (from `examroom bank keygen`)',
    }),
  },
  closed,
);

export const BankSchema = Type.Object(
  {
    centralUrl: Type.Optional(
      Type.String({ pattern: '^https?://', secret: 'url', description: 'an http:// or https:// URL that serves the newest signed package' }),
    ),
    publicKeys: Type.Optional(Type.Array(BankKeySchema, { secret: false, description: 'the keys whose packages this site installs' })),
    syncIntervalMinutes: Type.Optional(
      Type.Number({ minimum: 1, maximum: 7 * 24 * 60, description: 'at least 1: how often the server pulls from centralUrl' }),
    ),
  },
  closed,
);

export const ExamSettingsSchema = Type.Object(
  {
    showScore: Type.Optional(Type.Boolean({ default: true, description: 'show the candidate their score on the terminal right after submitting' })),
    snapshotIntervalSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3600, default: 60, description: 'how often a terminal sends a webcam snapshot; 0 = never' }),
    ),
    // What a terminal may store (docs/security.md "Snapshots on disk and device tokens"): the server refuses
    // snapshots sent faster than the interval, beyond the per-attempt quota or larger than the cap.
    snapshotMaxKiB: Type.Optional(
      Type.Integer({ minimum: 8, maximum: 256, default: 64, description: 'largest snapshot stored, in KiB (a 320×240 JPEG is 10–30 KiB)' }),
    ),
    snapshotQuota: Type.Optional(
      Type.Object(
        {
          count: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 100_000,
              description: 'snapshots stored per candidate and session; default: a 180-minute sitting at the interval, plus 10',
            }),
          ),
          mebibytes: Type.Optional(
            Type.Number({ minimum: 1, maximum: 1024, default: 16, description: 'snapshot bytes stored per candidate and session, in MiB' }),
          ),
        },
        closed,
      ),
    ),
    reconnectGraceSeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 300,
        default: 10,
        description:
          "a candidate's terminal back within this many seconds (a page reload, a network blip, a server restart) is one resolved event, not an alert to acknowledge; 0 = alert at once",
      }),
    ),
    resultDisplaySeconds: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 3600,
        default: 60,
        description:
          "how long the terminal shows a candidate's name and score after submitting before it clears them for the next candidate (a reload clears at once)",
      }),
    ),
  },
  closed,
);

// After the exam (records/). Each of the three sections below is filled in by the part of records that reads it.
export const RecordsSchema = Type.Object(
  {
    verifyBaseUrl: Type.Optional(
      Type.String({
        minLength: 1,
        // Printed on every certificate; the loader refuses credentials, query and fragment in it.
        secret: false,
        description:
          "the public address a certificate's QR code points at (e.g. https://exam.example.gov.cn/verify); default: https://FIRST-SERVER-NAME:PORT/verify under TLS",
      }),
    ),
    // certificates (records/certificates): the serial's prefix and the issuing office of the ZWFW export.
    certificatePrefix: Type.Optional(
      Type.String({
        pattern: '^[A-Z0-9][A-Z0-9-]{0,23}$',
        description: 'the site code that starts every certificate number (PREFIX-YEAR-000001); default: site.id in capitals',
      }),
    ),
    issuingOffice: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "the issuing office (发证机关) written in the certificate export's column; default: blank" }),
    ),
    verifyPerMinute: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000, default: 60, description: 'public verify requests allowed per minute from one address' }),
    ),
  },
  closed,
);

/** Results reporting to the provincial exam platform (records/reporting): absent = nothing is sent. */
export const ReportingSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        minLength: 1,
        secret: 'url',
        description: "the provincial exam platform's receiving URL (docs/reporting.md): https://…, or http:// to this machine only",
      }),
    ),
    caFile: Type.Optional(
      Type.String({ minLength: 1, description: "a PEM file of the CA(s) that issued the platform's certificate, when it is not in the system's store" }),
    ),
    tokenFile: Type.Optional(
      Type.String({
        minLength: 1,
        secret: false,
        description: 'a file holding the bearer token the platform issued this site (kept out of the config so the config can be shown and copied)',
      }),
    ),
    timeoutSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 600, default: 30, description: 'how long one delivery attempt may take' })),
    maxBackoffMinutes: Type.Optional(
      Type.Number({
        minimum: 0.01,
        maximum: 1440,
        default: 60,
        description: 'the longest wait between two attempts while the platform is unreachable (retries never stop)',
      }),
    ),
    send: Type.Optional(
      Type.Object(
        {
          identityChecks: Type.Optional(Type.Boolean({ default: true, description: "each candidate's kiosk attempts (time, result, distance, override)" })),
          photos: Type.Optional(
            Type.Boolean({ default: false, description: "the kiosk's live capture of each attempt (face data: only where the platform requires it)" }),
          ),
        },
        closed,
      ),
    ),
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

/** Training classes' sign-in at the kiosk (training/, docs/training.md). */
export const TrainingSettingsSchema = Type.Object(
  {
    signInOpensMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 240, default: 30, description: 'sign-in to a lesson opens this many minutes before it starts' }),
    ),
    signOutClosesMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 240, default: 30, description: 'sign-out of a lesson stays open this many minutes after it ends' }),
    ),
    lateGraceMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 60,
        default: 5,
        description: 'a sign-in this many minutes after the start is not called late (the credited time is the time present all the same)',
      }),
    ),
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

/**
 * What every log-in at an exam PC checks (docs/exam-pcs.md "Integrity at log-in"): the page runs the
 * server's own build, records the whole monitor, and is full screen. On by default; a lab without
 * provisioned PCs (headless tests, a demo on a laptop) turns them off.
 */
export const ExamPcsSchema = Type.Object(
  {
    loginChecks: Type.Optional(
      Type.Object(
        {
          build: Type.Optional(
            Type.Boolean({ default: true, description: "refuse a log-in from a page whose app build is not the server's (an old or altered app)" }),
          ),
          monitor: Type.Optional(
            Type.Boolean({ default: true, description: 'refuse a log-in from a page that does not record the whole monitor (a tab, a window, or nothing)' }),
          ),
          fullscreen: Type.Optional(Type.Boolean({ default: true, description: 'refuse a log-in from a page that is not full screen (kiosk mode)' })),
        },
        closed,
      ),
    ),
    maxClockSkewSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: "a PC whose clock is further from the server's is flagged before the session" }),
    ),
  },
  closed,
);

export const ConfigSchema = Type.Object(
  {
    site: SiteSchema,
    server: Type.Optional(ServerSchema),
    paths: Type.Optional(PathsSchema),
    rooms: Type.Array(RoomSchema, { minItems: 1 }),
    terminals: Type.Optional(Type.Array(TerminalSchema)),
    kiosks: Type.Optional(Type.Array(KioskSchema)),
    cameras: Type.Optional(Type.Array(CameraSchema)),
    upstream: Type.Optional(Type.Array(UpstreamSchema)),
    retention: Type.Optional(RetentionSchema),
    media: Type.Optional(MediaSchema),
    security: Type.Optional(SecuritySchema),
    users: Type.Optional(Type.Array(UserBootstrapSchema)),
    bank: Type.Optional(BankSchema),
    exam: Type.Optional(ExamSettingsSchema),
    examPcs: Type.Optional(ExamPcsSchema),
    identity: Type.Optional(IdentitySchema),
    faceNotice: Type.Optional(FaceNoticeSchema),
    records: Type.Optional(RecordsSchema),
    reporting: Type.Optional(ReportingSchema),
    audit: Type.Optional(AuditSchema),
    privacy: Type.Optional(PrivacySchema),
    rules: Type.Optional(RulesSchema),
    training: Type.Optional(TrainingSettingsSchema),
    gb28181: Type.Optional(Gb28181Schema),
    backup: Type.Optional(BackupSchema),
    objectStore: Type.Optional(ObjectStoreSchema),
  },
  closed,
);

export type ConfigFile = Static<typeof ConfigSchema>;
export interface ConnectionLimits {
  max: number;
  perAddress: number;
  headersSeconds: number;
  requestSeconds: number;
  idleSeconds: number;
  keepAliveSeconds: number;
}
export type Room = Static<typeof RoomSchema>;
export type TerminalConfig = Static<typeof TerminalSchema>;
export type KioskConfig = Static<typeof KioskSchema>;
export type CameraConfig = Static<typeof CameraSchema>;
export type RecordMode = 'sessions' | 'always';
export type UpstreamConfig = Static<typeof UpstreamSchema>;
export type UserBootstrap = Static<typeof UserBootstrapSchema>;
export type JurisdictionConfig = Static<typeof Jurisdiction>;
export type BankKeyConfig = Static<typeof BankKeySchema>;

/** The config after defaults are filled in and relative paths resolved: what the rest of the code sees. */
export interface Config {
  file: string | null;
  site: Static<typeof SiteSchema> & { timezone: string };
  /** tls: a certificate the site named; siteCa: the appliance issues its own (server/tls/). Neither = plain HTTP. */
  server: {
    host: string;
    port: number;
    tls?: { cert: string; key: string };
    siteCa: boolean;
    names: string[];
    httpPort: number | null;
    /** The reverse proxies' addresses/CIDR ranges; empty = no proxy (request.ip is the socket's peer). */
    trustProxy: string[];
    metricsFrom: string[];
    connections: ConnectionLimits;
  };
  paths: { data: string; keys: string };
  rooms: Room[];
  terminals: TerminalConfig[];
  kiosks: KioskConfig[];
  cameras: (CameraConfig & { audio: boolean; record: RecordMode })[];
  upstream: (UpstreamConfig & { sources: 'all' | string[] })[];
  retention: { days: number; minFreeGiB: number };
  /** Recording and supervision of media sources (media/). */
  media: {
    segmentSeconds: number;
    stallSeconds: number;
    maxBackoffSeconds: number;
    reserveMiB: number;
    /** The schedule of every source without its own (cameras[].record): terminal screens and cameras alike. */
    record: RecordMode;
    recordMarginMinutes: number;
    /** Bounds on excerpt downloads (media/playback.ts). */
    excerpts: Required<Static<typeof ExcerptsSchema>>;
    /** Most H.265 → H.264 transcodes for enlarged tiles at once (media/hevc.ts). */
    hevcTranscodes: number;
  };
  security: Required<Omit<Static<typeof SecuritySchema>, 'deviceTokens'>> & {
    deviceTokens: { unusedDays: number; rotateDays: number; graceMinutes: number };
  };
  users: UserBootstrap[];
  /** The central question bank: where to pull packages from and whose signatures to trust. */
  bank: { centralUrl: string | null; publicKeys: BankKeyConfig[]; syncIntervalMinutes: number | null };
  /** How exams run on the terminals. */
  exam: {
    showScore: boolean;
    snapshotIntervalSeconds: number;
    /** Largest snapshot stored, in bytes (snapshotMaxKiB × 1024). */
    snapshotMaxBytes: number;
    /** Per attempt (session × candidate); count 0 when snapshots are off. */
    snapshotQuota: { count: number; bytes: number };
    reconnectGraceSeconds: number;
    resultDisplaySeconds: number;
  };
  /** What a log-in at an exam PC checks, and when a PC's clock is too far off (docs/exam-pcs.md). */
  examPcs: { loginChecks: { build: boolean; monitor: boolean; fullscreen: boolean }; maxClockSkewSeconds: number };
  /** Identity checks at the kiosk and the seat (kiosk/). threshold null = the face engine's default. */
  identity: {
    threshold: number | null;
    livenessChallenges: ('turn_left' | 'turn_right' | 'blink')[];
    attemptMinutes: number;
    enrolOnImport: boolean;
    kioskFaceSeconds: number;
  };
  /** The face-recognition notice (kiosk/service/notice.ts): null texts = the built-in zh-CN and English ones. */
  faceNotice: {
    version: string;
    controller: string;
    contact: string | null;
    text: { zh: string | null; en: string | null };
    idle: { zh: string | null; en: string | null };
  };
  /** After the exam (records/). verifyBaseUrl null = derived at use (records/certificates/verify-url.ts). */
  records: {
    verifyBaseUrl: string | null;
    /** The certificate number's prefix (site.id in capitals unless set). */
    certificatePrefix: string;
    issuingOffice: string | null;
    verifyPerMinute: number;
  };
  /** Retakes, retraining, result validity and training hours per personnel category and operation item (config/rules.ts). */
  rules: Rules;
  /** Results reporting (records/reporting). url null = not configured: nothing is packaged or sent. */
  reporting: {
    url: string | null;
    caFile: string | null;
    tokenFile: string | null;
    timeoutSeconds: number;
    maxBackoffMinutes: number;
    send: { identityChecks: boolean; photos: boolean };
  };
  /** When the server anchors the audit log (documents/audit-anchors.ts). */
  audit: { anchorEveryEntries: number; anchorEveryMinutes: number };
  /** Face data by purpose (records/privacy): descriptors' retention, the filing warning, the sweep's interval. */
  privacy: { descriptorDays: number; faceCountWarnAt: number; sweepMinutes: number };
  /** Training lessons' sign-in window and lateness (training/). */
  training: { signInOpensMinutes: number; signOutClosesMinutes: number; lateGraceMinutes: number };
  /** The appliance as a GB/T 28181 device (media/gb28181/); null = not configured. */
  gb28181: Gb28181Config | null;
  /** Database backups (storage/backup/, config/sections/backup.ts). */
  backup: BackupConfig;
  /** The centre's S3-compatible store (config/sections/object-store.ts); null = media stays on the local disk. */
  objectStore: ObjectStoreConfig | null;
}
