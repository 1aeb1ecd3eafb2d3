// The exam and what follows it: the question bank's source and keys, how exams run on the terminals,
// certificates and verification (records/), and results reporting to the provincial platform. The rules
// (retakes, validity, training hours) are their own file, config/rules.ts.
import { Type, type Static } from 'typebox';
import { closed, Id } from './common.ts';

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

export type BankKeyConfig = Static<typeof BankKeySchema>;
