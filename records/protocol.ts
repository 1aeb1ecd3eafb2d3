// What the records module's web parts read from the server, as TypeBox schemas (the routes' response
// schemas) and the types made from them. Shared by the server and the web apps, so it imports nothing
// but 'typebox'. Each part of records keeps its own section.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// ---------------------------------------------------------------------------------------------
// Session archive (一期一档) and the jobs that make it
// ---------------------------------------------------------------------------------------------

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES: readonly JobStatusName[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** GET /api/records/jobs/:jobId — a long job (an archive), what a reloaded page re-attaches to. */
export const JobViewT = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  /** What the job was asked (an archive job: { sessionId, withMedia, by }). */
  params: Type.Unknown(),
  status: Type.Enum([...JOB_STATUSES]),
  createdBy: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  startedAt: nullable(Type.String()),
  finishedAt: nullable(Type.String()),
  progress: Type.Object({ done: Type.Number(), total: nullable(Type.Number()), note: nullable(Type.String()) }),
  cancelRequested: Type.Boolean(),
  cancelledBy: nullable(Type.String()),
  /** The job's result once done (an archive job: { archive, sessionStatus, statusProblem }). */
  result: Type.Unknown(),
  error: nullable(Type.String()),
});
export type JobView = Static<typeof JobViewT>;

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

/** Server-sent events of GET /api/records/jobs/:jobId/events: `job` (the whole view, on connect and each status change) and `progress`. */
export interface JobProgressEvent {
  jobId: string;
  done: number;
  total: number | null;
  note: string | null;
}
// Contracts of the records module shared by the server and the web apps (types and TypeBox schemas).
// Each part of records keeps its own block below.
import { Type, type Static } from 'typebox';

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
