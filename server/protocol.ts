// What the server's own routes (server/routes/) answer the web apps — today the admin console's System
// page: the appliance's status, the config in force (secrets masked), the audit log and its check —
// and how the server ends a signed-in person's WebSockets when their session ends (SESSION_CLOSE).
// TypeBox schemas (the routes' response schemas) and their types; shared with the browser, so it
// imports nothing but 'typebox'.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The centre's object store as the last probe saw it (server/object-store.ts); never a secret or key id. */
export const ObjectStoreStatusT = Type.Object({
  /** checking = the first probe has not answered yet. */
  state: Type.Union([Type.Literal('checking'), Type.Literal('ok'), Type.Literal('failed')]),
  endpoint: Type.String(),
  bucket: Type.String(),
  prefix: Type.String(),
  objectLock: Type.Union([Type.Literal('none'), Type.Literal('governance'), Type.Literal('compliance')]),
  hotDays: Type.Integer(),
  uploadWindow: Type.String(),
  bandwidthMbps: nullable(Type.Number()),
  /** wrong-key, missing-bucket, unreachable, tls, no-object-lock, denied… (storage/object-store/errors.ts); null when well. */
  problem: nullable(Type.String()),
  /** The probe's own sentence (English; the console words the problem in zh-CN first). */
  message: nullable(Type.String()),
  reachable: nullable(Type.Boolean()),
  writable: nullable(Type.Boolean()),
  versioning: nullable(Type.String()),
  verifiedBy: nullable(Type.Union([Type.Literal('store-checksum'), Type.Literal('read-back')])),
  checkedAt: nullable(Type.Integer()),
});
export type ObjectStoreStatus = Static<typeof ObjectStoreStatusT>;

/** GET /api/system/status: what runs, since when, on what, and whether it is well. */
export const SystemStatusT = Type.Object({
  version: Type.String(),
  node: Type.String(),
  startedAt: Type.Integer({ description: 'when this process started (server time, epoch ms)' }),
  serverTime: Type.Integer(),
  timezone: Type.String(),
  /** How long recordings are kept (retention.days). */
  retentionDays: Type.Integer(),
  site: Type.Object({ id: Type.String(), name: Type.String() }),
  /** What /healthz says: ok, degraded (a part needs attention) or failing (the database). */
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('failing')]),
  database: Type.Object({
    ok: Type.Boolean(),
    error: Type.Optional(Type.String()),
    schemaVersion: Type.Optional(Type.Integer()),
    file: Type.String(),
    bytes: Type.Number({ description: 'the database file with its write-ahead log' }),
  }),
  disk: Type.Object({
    ok: Type.Boolean(),
    path: Type.String(),
    freeBytes: Type.Number(),
    totalBytes: Type.Number(),
    minFreeBytes: Type.Number(),
    error: Type.Optional(Type.String()),
  }),
  ffmpeg: Type.Object({ ok: Type.Boolean(), version: nullable(Type.String()) }),
  /** The recorder's view: sources down, its disk low. */
  media: Type.Object({
    ok: Type.Boolean(),
    down: Type.Array(Type.String()),
    /** Cameras sending H.265 with no H.264 sub-stream (subUrl): most browsers cannot play them live. */
    h265WithoutSub: Type.Array(Type.String()),
  }),
  /** null = plain HTTP (no certificate to watch). */
  tls: nullable(Type.Object({ ok: Type.Boolean(), mode: Type.String() })),
  /** null = no objectStore configured: media stays on the local disk. */
  objectStore: Type.Optional(nullable(ObjectStoreStatusT)),
});
export type SystemStatus = Static<typeof SystemStatusT>;

/** GET /api/system/config: the config in force, every secret replaced by `mask` (config/masking.ts). */
export const MaskedConfigT = Type.Object({
  file: nullable(Type.String()),
  mask: Type.String(),
  /** Where something was hidden: `users[0].password`, `cameras[1].url`… */
  masked: Type.Array(Type.String()),
  config: Type.Record(Type.String(), Type.Unknown()),
});
export type MaskedConfigView = Static<typeof MaskedConfigT>;

/** One audit log entry (GET /api/audit). */
export const AuditEntryT = Type.Object({
  seq: Type.Integer(),
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  target: nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditEntryView = Static<typeof AuditEntryT>;

/** GET /api/audit's filters: newest first, `beforeSeq` pages back. */
export const AuditQueryT = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    action: Type.Optional(Type.String({ maxLength: 64, description: 'an action (user.login), or a prefix ending in a dot (user.)' })),
    actor: Type.Optional(Type.String({ maxLength: 100 })),
    target: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'at or after, epoch ms (server time)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'before, epoch ms' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQueryT>;

/**
 * POST /api/audit/verify (documents/audit-check.ts): the chain walked with the audit key, then held
 * against the signed anchors (the local anchor file and the one last sent upstream). `seq`/`problem`:
 * the chain's first broken link; `findings`: every anchor that disagrees, and what could not be checked.
 */
const AuditFindingT = Type.Object({
  kind: Type.Union([
    Type.Literal('no_key'),
    Type.Literal('anchor_file_missing'),
    Type.Literal('anchor_damaged'),
    Type.Literal('anchor_gap'),
    Type.Literal('anchor_entry_missing'),
    Type.Literal('anchor_hash_differs'),
    Type.Literal('anchor_count_differs'),
    Type.Literal('anchor_keyed_differs'),
    Type.Literal('mark_lowered'),
    Type.Literal('sent_not_in_file'),
    Type.Literal('sent_damaged'),
  ]),
  tamper: Type.Boolean(),
  problem: Type.String(),
  seq: Type.Optional(Type.Integer()),
  anchor: Type.Optional(Type.Integer()),
  line: Type.Optional(Type.Integer()),
  name: Type.Optional(Type.String()),
  expected: Type.Optional(Type.Integer()),
  found: Type.Optional(Type.Integer()),
  sent: Type.Optional(Type.Boolean()),
});
export type AuditFindingView = Static<typeof AuditFindingT>;

export const AuditVerdictT = Type.Object({
  ok: Type.Boolean(),
  complete: Type.Boolean(),
  checked: Type.Integer(),
  seq: Type.Optional(Type.Integer()),
  problem: Type.Optional(Type.String()),
  keyed: Type.Optional(Type.Object({ from: Type.Integer(), contentChecked: Type.Boolean(), note: Type.Optional(Type.String()) })),
  anchors: Type.Object({
    file: Type.String(),
    present: Type.Boolean(),
    count: Type.Integer(),
    latest: nullable(Type.Object({ n: Type.Integer(), seq: Type.Integer(), at: Type.String() })),
  }),
  lastSent: nullable(
    Type.Object({ n: nullable(Type.Integer()), seq: Type.Integer(), at: nullable(Type.String()), sentAt: Type.String(), packageId: Type.String() }),
  ),
  findings: Type.Array(AuditFindingT),
  omitted: Type.Integer(),
});
export type AuditVerdictView = Static<typeof AuditVerdictT>;

/**
 * The close codes of a WebSocket the server ends because the session it was opened with ended
 * (server/auth/channels.ts). Either way the page stops reconnecting and asks the person to sign in
 * again; event streams simply end, and their reconnect is refused with 401.
 * SIGNED_OUT: logged out (here or elsewhere), the session expired, the password was reset — or, for a
 * device, its token was revoked. RIGHTS_CHANGED: the account was disabled, or its role, rooms or
 * jurisdiction changed. Browser code copies the numbers with `typeof SESSION_CLOSE` as their type
 * (a type-only import keeps TypeBox out of its bundle).
 */
export const SESSION_CLOSE = { SIGNED_OUT: 4401, RIGHTS_CHANGED: 4403 } as const;

/** One database backup as the System page lists it (GET /api/system/backups; storage/backup/). */
export const BackupViewT = Type.Object({
  name: Type.String(),
  takenAt: Type.Integer(),
  reason: Type.Union([Type.Literal('nightly'), Type.Literal('manual'), Type.Literal('upgrade')]),
  bytes: Type.Number(),
  /** 'destination' = off this disk (backup.path or the object store); 'this-disk' = waiting, or no destination. */
  at: Type.Union([Type.Literal('destination'), Type.Literal('this-disk')]),
  checksum: Type.Boolean(),
});
export type BackupView = Static<typeof BackupViewT>;

export const BackupWarningT = Type.Union([
  Type.Literal('no-destination'),
  Type.Literal('no-copy-off-disk'),
  Type.Literal('stale'),
  Type.Literal('keys-not-exported'),
  Type.Literal('last-failed'),
]);
export type BackupWarning = Static<typeof BackupWarningT>;

export const BackupStatusT = Type.Object({
  destination: Type.Object({
    kind: Type.Union([Type.Literal('folder'), Type.Literal('object-store'), Type.Literal('this-disk')]),
    where: Type.String(),
    offDisk: Type.Boolean(),
  }),
  lastOffDisk: nullable(Type.Object({ name: Type.String(), takenAt: Type.Integer() })),
  waitingToShip: Type.Integer(),
  running: nullable(Type.Object({ reason: Type.String(), since: Type.Integer() })),
  lastError: nullable(Type.Object({ at: Type.Integer(), message: Type.String() })),
  nextNightlyAt: nullable(Type.Integer()),
  keysExported: Type.Boolean(),
  warnings: Type.Array(BackupWarningT),
  backups: Type.Array(BackupViewT),
  /** Exam sessions in progress now: the console asks before a backup while candidates answer. */
  examsInProgress: Type.Integer(),
});
export type BackupStatusView = Static<typeof BackupStatusT>;

/** POST /api/system/backups/:name/verify: the backup restored into a scratch folder and checked. */
export const BackupCheckT = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  problems: Type.Array(Type.String()),
  integrity: nullable(Type.String()),
  auditEntries: nullable(Type.Integer()),
  auditHead: nullable(Type.Integer()),
});
export type BackupCheckView = Static<typeof BackupCheckT>;
