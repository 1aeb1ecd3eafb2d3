// The one configuration file, as a TypeBox schema. Every object is closed (additionalProperties: false)
// so a misspelt key is an error at start-up instead of a setting silently ignored. Each section's schema
// lives in config/sections/ (one file per area); this file puts them together as the file's top level and
// says what the rest of the code sees once defaults are filled in (Config).
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { Gb28181Schema, type Gb28181Config } from './gb28181.ts';
import { ObjectStoreSchema, type ObjectStoreConfig } from './sections/object-store.ts';
import { RulesSchema, type Rules } from './rules.ts';
import { closed } from './sections/common.ts';
import { BankSchema, type BankKeyConfig, ExamSettingsSchema, RecordsSchema, ReportingSchema } from './sections/exam.ts';
import {
  type ConnectionLimits,
  KioskSchema,
  type KioskConfig,
  PathsSchema,
  type Room,
  RoomSchema,
  ServerSchema,
  SiteSchema,
  type TerminalConfig,
  TerminalSchema,
} from './sections/foundation.ts';
import {
  CameraSchema,
  type CameraConfig,
  type ExcerptsSchema,
  MediaSchema,
  type RecordMode,
  RetentionSchema,
  UpstreamSchema,
  type UpstreamConfig,
} from './sections/media.ts';
import { AuditSchema, FaceNoticeSchema, IdentitySchema, PrivacySchema, SecuritySchema, UserBootstrapSchema, type UserBootstrap } from './sections/people.ts';
import { ExamPcsSchema, TrainingSettingsSchema } from './sections/training.ts';
import { BackupSchema, type BackupConfig } from './sections/backup.ts';

export * from './sections/exam.ts';
export * from './sections/foundation.ts';
export * from './sections/media.ts';
export * from './sections/people.ts';
export * from './sections/training.ts';

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
    /** Face checks refused per person and exam session before only staff decide (kiosk/service/face-attempts.ts). */
    faceAttempts: number;
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
