// Signed question-bank packages (docs/bank-package.md). The central bank publishes full snapshots —
// questions and templates — signed with Ed25519 over a canonical serialisation; a site installs only
// what a configured key signed, never goes back to an older package, and keeps every version.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Conflict, DomainError, ValidationError, schemaProblems, systemClock, type Problem } from '../../core/index.ts';
import { bankPublicKey, type Config } from '../../config/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';
import { CATEGORIES, INDUSTRIES, QUESTION_TYPES, TIERS, type QuestionInput, type Template } from '../types.ts';
import { validateTemplate } from '../papers/template.ts';
import { JUDGE_OPTIONS, MAX_OPTIONS, letterOf, optionRange } from './notation.ts';
import { normaliseText, questionIdOf, type BankStore, type BankVersion, type StagedQuestions } from './store.ts';
import { createBankImages, isImageId, type BankImages } from './images.ts';

export const PACKAGE_FORMAT = 'examroom-bank/1';
/** Uncompressed; a national bank of ~10,000 questions is a few MB, so this leaves ample room. */
export const MAX_PACKAGE_BYTES = 64 * 1024 * 1024;
const MAX_PROBLEMS = 100;

// ---------------------------------------------------------------------------------------------------
// Canonical JSON: what the signature covers.

/**
 * Sorted keys (by UTF-16 code units), no whitespace, strings and numbers as JSON.stringify writes
 * them. For the data a package holds this is RFC 8785 (JCS), so a publisher's tool in any language
 * that implements JCS produces the same bytes, and re-indenting or reordering a file does not break
 * its signature while changing any value does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
}

// ---------------------------------------------------------------------------------------------------
// The format.

const closed = { additionalProperties: false } as const;
const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, _ . - (max 64)' });
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const nullable = (s: TSchema) => Type.Union([s, Type.Null()]);

const QuestionT = Type.Object(
  {
    externalId: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    type: oneOf(QUESTION_TYPES),
    stem: Type.String({ minLength: 1, maxLength: 5000 }),
    options: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 2, maxItems: MAX_OPTIONS }),
    answer: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, maxItems: MAX_OPTIONS }),
    images: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 10 })),
    industry: oneOf(INDUSTRIES),
    category: oneOf(CATEGORIES),
    operationClass: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    knowledgePoint: Type.String({ minLength: 1, maxLength: 200 }),
    difficulty: Type.Integer({ minimum: 1, maximum: 5 }),
    explanation: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
    tier: oneOf(TIERS),
  },
  closed,
);

const SignatureT = Type.Object(
  {
    keyId: Name,
    alg: Type.Literal('ed25519'),
    // 64 signature bytes are 88 base64 characters, the last two always "==".
    value: Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$', description: 'the base64 of a 64-byte Ed25519 signature' }),
  },
  closed,
);

const BodyT = Type.Object(
  {
    format: Type.Literal(PACKAGE_FORMAT),
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'a version name like 2026.11.1 (letters, digits, _ . -)' }),
    sequence: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a whole number, strictly increasing per publisher' }),
    publishedAt: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$',
      description: 'an ISO 8601 time with its zone, like 2026-11-01T08:00:00Z',
    }),
    publisher: Name,
    questions: Type.Array(QuestionT, { minItems: 1 }),
    // Checked one by one with validateTemplate (exam/papers/template.ts): one set of template rules.
    templates: Type.Array(Type.Unknown()),
  },
  closed,
);

let compiled: { Check(value: unknown): boolean } | null = null;
const bodyValidator = () => (compiled ??= Compile(BodyT));

/** A question as a package carries it: the nullable fields may be left out. */
export type PackageQuestion = Omit<QuestionInput, 'externalId' | 'images' | 'operationClass' | 'explanation'> &
  Partial<Pick<QuestionInput, 'externalId' | 'images' | 'operationClass' | 'explanation'>>;
/** A template as a package carries it; validateTemplate fills in what may be left out. */
export type PackageTemplate = Omit<Template, 'operationClass' | 'durationMinutes' | 'total' | 'passMark'> &
  Partial<Pick<Template, 'operationClass' | 'durationMinutes' | 'total' | 'passMark'>>;

export interface UnsignedPackage {
  format: typeof PACKAGE_FORMAT;
  version: string;
  sequence: number;
  publishedAt: string;
  publisher: string;
  questions: PackageQuestion[];
  templates: PackageTemplate[];
}

export interface PackageSignature {
  keyId: string;
  alg: 'ed25519';
  value: string;
}

export interface BankPackage extends UnsignedPackage {
  signature: PackageSignature;
}

/** A package whose signature checked out and whose content is valid, ready to install. */
export interface VerifiedPackage {
  version: string;
  sequence: number;
  publisher: string;
  publishedAt: number;
  keyId: string;
  /** SHA-256 of the signed (canonical) bytes: the same for every formatting of the same package. */
  sha256: string;
  questions: QuestionInput[];
  templates: Template[];
}

// ---------------------------------------------------------------------------------------------------
// Errors a caller can act on.

export type RefusalReason = 'untrusted_key' | 'bad_signature' | 'not_newer' | 'mark_altered';

/** The package is well-formed but this site will not install it: who signed it, or its age. */
export class PackageRefused extends DomainError {
  override readonly code = 'package_refused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'PackageRefused';
  }
}

/** This very package (same version, same signed content) is installed already. */
export class PackageAlreadyInstalled extends Conflict {
  constructor(readonly installed: BankVersion) {
    super(`version ${installed.id} is already installed (received ${new Date(installed.receivedAt).toISOString()}); nothing to do`);
    this.name = 'PackageAlreadyInstalled';
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading and checking.

function refusedFile(problem: string, got?: unknown): ValidationError {
  const p: Problem = { path: '(package)', problem, ...(got === undefined ? {} : { got }) };
  return new ValidationError([p], `package refused: ${problem}`);
}

/** Bytes as they arrive (file, upload, download): JSON text, optionally gzip-compressed. */
export function decodePackage(bytes: Uint8Array | string): Record<string, unknown> {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes.replace(/^\uFEFF/, '');
  } else {
    let raw = bytes;
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        raw = gunzipSync(raw, { maxOutputLength: MAX_PACKAGE_BYTES });
      } catch (err) {
        throw refusedFile(`the gzip data is damaged or unpacks to more than ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB (${(err as Error).message})`);
      }
    }
    if (raw.length > MAX_PACKAGE_BYTES) throw refusedFile(`larger than ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB`, `${raw.length} bytes`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw refusedFile('not UTF-8 text, so not a bank package (a package is a JSON file, optionally gzip-compressed)');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw refusedFile(`not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw refusedFile('must be a JSON object with format, version, sequence, … and signature', value);
  return value as Record<string, unknown>;
}

/** Checks format and signature shape, then the signature itself. Nothing in the body is trusted before this. */
export function checkSignature(pkg: Record<string, unknown>, trusted: ReadonlyMap<string, KeyObject>): { keyId: string; signed: Buffer } {
  if (pkg.format !== PACKAGE_FORMAT) {
    throw new ValidationError(
      [{ path: 'format', problem: `must be "${PACKAGE_FORMAT}": this is not a bank package this software reads`, got: pkg.format }],
      `package refused: format is not ${PACKAGE_FORMAT}`,
    );
  }
  if (pkg.signature === undefined)
    throw new ValidationError(
      [{ path: 'signature', problem: 'missing: the package is not signed (sign it with `examroom bank sign`)' }],
      'package refused: not signed',
    );
  const sigProblems = packageSchemaProblems(SignatureT, pkg.signature, 'signature');
  if (sigProblems.length > 0) throw new ValidationError(sigProblems, `package refused: its signature block is malformed`);
  const sig = pkg.signature as PackageSignature;
  const named = typeof pkg.version === 'string' && pkg.version.length <= 64 ? `package ${pkg.version}` : 'the package';
  const key = trusted.get(sig.keyId);
  if (!key) {
    const list = trusted.size > 0 ? [...trusted.keys()].join(', ') : 'none; add the central bank’s key under bank.publicKeys in the config';
    throw new PackageRefused('untrusted_key', `${named} is signed by key ${sig.keyId}, which this site does not trust (trusted: ${list})`);
  }
  const { signature: _omitted, ...body } = pkg;
  let signed: Buffer;
  try {
    signed = Buffer.from(canonicalJson(body), 'utf8');
  } catch (err) {
    throw refusedFile((err as Error).message);
  }
  if (!verify(null, signed, key, Buffer.from(sig.value, 'base64'))) {
    throw new PackageRefused(
      'bad_signature',
      `${named}: the signature by key ${sig.keyId} does not match the content — the file was altered after signing, or damaged in transit`,
    );
  }
  return { keyId: sig.keyId, signed };
}

/** Everything about the body a schema and the exam rules can check; every problem at once. */
export function contentProblems(pkg: unknown): Problem[] {
  // The compiled check is ~20× faster on a national bank; the interpreted walk runs only to explain a failure.
  if (!bodyValidator().Check(pkg)) return packageSchemaProblems(BodyT, pkg, '');
  const problems: Problem[] = [];
  const body = pkg as UnsignedPackage;
  if (!Number.isFinite(Date.parse(body.publishedAt))) problems.push({ path: 'publishedAt', problem: 'is not a real date and time', got: body.publishedAt });
  const seen = new Map<string, number>();
  body.questions.forEach((q, i) => {
    const at = `questions[${i}]`;
    const who = q.externalId ? ` (question ${q.externalId})` : '';
    const add = (path: string, problem: string, got?: unknown) =>
      problems.push({ path: `${at}${path}`, problem: problem + who, ...(got === undefined ? {} : { got }) });
    if (q.type === 'judge' && (q.options.length !== JUDGE_OPTIONS.length || q.options.some((o, k) => o !== JUDGE_OPTIONS[k])))
      add('.options', `a judge question has exactly the options ${JSON.stringify(JUDGE_OPTIONS)}`, q.options);
    const norm = q.options.map(normaliseText);
    norm.forEach((o, k) => {
      const j = norm.indexOf(o);
      if (j < k) add(`.options[${k}]`, `option ${letterOf(k)} is the same text as option ${letterOf(j)}`, q.options[k]);
    });
    for (const a of q.answer) {
      if (a >= q.options.length) add('.answer', `answer ${a} names option ${letterOf(a)}, but only ${optionRange(q.options.length)} exist`, q.answer);
    }
    if (q.answer.some((a, k) => k > 0 && a <= q.answer[k - 1]!)) add('.answer', 'must list option indices in ascending order without repeats', q.answer);
    if (q.type !== 'multiple' && q.answer.length !== 1) add('.answer', `a ${q.type} question has exactly one right option`, q.answer);
    if (q.type === 'multiple' && q.answer.length < 2) add('.answer', 'a multiple question has at least two right options', q.answer);
    const id = questionIdOf(withDefaults(q));
    const j = seen.get(id);
    if (j !== undefined) add('', `is the same question as questions[${j}]`);
    else seen.set(id, i);
  });
  const templateIds = new Map<string, number>();
  body.templates.forEach((t, i) => {
    try {
      const v = validateTemplate(t);
      const j = templateIds.get(v.id);
      if (j !== undefined) problems.push({ path: `templates[${i}].id`, problem: `duplicate of templates[${j}].id`, got: v.id });
      else templateIds.set(v.id, i);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const p of err.problems) problems.push({ ...p, path: `templates[${i}]${p.path ? `.${p.path}` : ''}` });
    }
  });
  return problems;
}

function withDefaults(q: PackageQuestion): QuestionInput {
  return { ...q, externalId: q.externalId ?? null, images: q.images ?? [], operationClass: q.operationClass ?? null, explanation: q.explanation ?? null };
}

/**
 * Reads a package and checks everything that does not depend on what is installed: format, who
 * signed it, the signature, the content. The order matters: nothing the body claims is looked at
 * before the signature holds.
 */
export function verifyPackage(bytes: Uint8Array | string, trusted: ReadonlyMap<string, KeyObject>): VerifiedPackage {
  const pkg = decodePackage(bytes);
  const { keyId, signed } = checkSignature(pkg, trusted);
  const problems = contentProblems((({ signature: _s, ...body }) => body)(pkg));
  if (problems.length > 0) {
    const shown =
      problems.length > MAX_PROBLEMS
        ? [...problems.slice(0, MAX_PROBLEMS), { path: '(package)', problem: `and ${problems.length - MAX_PROBLEMS} more problems` }]
        : problems;
    throw new ValidationError(shown, `package refused: signed by ${keyId}, but its content has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  }
  const body = pkg as unknown as BankPackage;
  return {
    version: body.version,
    sequence: body.sequence,
    publisher: body.publisher,
    publishedAt: Date.parse(body.publishedAt),
    keyId,
    sha256: createHash('sha256').update(signed).digest('hex'),
    questions: body.questions.map(withDefaults),
    templates: body.templates.map((t) => validateTemplate(t)),
  };
}

/** The schema's verdict, in a publisher's words: an unknown field most likely means a newer format. */
function packageSchemaProblems(schema: TSchema, value: unknown, prefix: string): Problem[] {
  return schemaProblems(schema, value, {
    prefix,
    root: '(package)',
    unknownField: () => `unknown field (a newer format? this software reads ${PACKAGE_FORMAT})`,
  });
}

// ---------------------------------------------------------------------------------------------------
// Installing.

export interface InstalledPackage {
  version: BankVersion;
  publisher: string;
  sequence: number;
  keyId: string;
  sha256: string;
}

export interface AcceptedBy {
  /** For the audit log: `user:NAME`, `cli:OSUSER`, `system`. */
  actor: string;
  ip?: string | null;
  /** How it arrived, for the audit log. */
  source: 'upload' | 'file' | 'sync';
}

export interface PackageServiceDeps {
  db: Db;
  bank: BankStore;
  audit: AuditLog;
  config: Config;
  /** Where a package's image ids must be found; made on the same database when not given. */
  images?: BankImages;
  /**
   * The marks the newest audit anchor carries (`bank:PUBLISHER` → sequence), read from outside the
   * database (documents/audit-anchors.ts): a mark row removed or lowered there still counts.
   */
  anchoredMarks?: () => Record<string, number>;
}

export const MARK_SEAL = 'bank-package-mark';
const markName = (publisher: string) => `bank:${publisher}`;

interface MarkRow {
  publisher: string;
  sequence: number;
  version: string;
  accepted_at: number;
  mac: string | null;
}

export const PACKAGE_ACCEPTED = 'bank.package.accepted';

/**
 * A package carries no image bytes: a question names its pictures by image id (the SHA-256 of the
 * bytes and the extension), so the signature covers exactly which picture is shown, and the files
 * must be on this site before the package is installed. A question whose picture is missing would
 * show a candidate half a question; the whole package is refused instead.
 */
function missingImages(questions: readonly QuestionInput[], images: BankImages): Problem[] {
  const problems: Problem[] = [];
  questions.forEach((q, i) =>
    q.images.forEach((img, k) => {
      const path = `questions[${i}].images[${k}]`;
      const who = q.externalId ? ` (question ${q.externalId})` : '';
      if (!isImageId(img))
        problems.push({ path, problem: `a package names an image by its id, the SHA-256 of the file and its extension (<64 hex>.png)${who}`, got: img });
      else if (!images.has(img))
        problems.push({
          path,
          problem: `no image with this id is on this site; upload the picture files first (examroom bank import … --images DIR, or POST /api/bank/images?name=…)${who}`,
          got: img,
        });
    }),
  );
  return problems;
}

export function createPackageService(deps: PackageServiceDeps) {
  const { db, bank, audit } = deps;
  // Without a shared one, a private instance serves: the service only looks images up, it never stores one.
  const images = deps.images ?? createBankImages({ db, clock: systemClock, audit });
  // The config loader has already refused unreadable keys, so this cannot throw for a loaded config.
  const trusted: ReadonlyMap<string, KeyObject> = new Map(deps.config.bank.publicKeys.map((k) => [k.id, bankPublicKey(k.key)]));

  // The highest sequence per publisher has its own row (bank_package_marks, written in the same
  // transaction as the version), sealed with the audit key; the acceptance entries of the audit log and
  // the newest audit anchor (outside the database) are consulted too, and the highest of the three wins.
  // So neither a rewritten audit log nor a lowered or removed row lets an older package back in.
  const fromAudit = db.prepare<[string, string], { version: string; sequence: number }>(
    `SELECT json_extract(detail, '$.version') AS version, json_extract(detail, '$.sequence') AS sequence
       FROM audit_log WHERE action = ? AND json_extract(detail, '$.publisher') = ?
      ORDER BY json_extract(detail, '$.sequence') DESC LIMIT 1`,
  );
  const markOf = db.prepare<[string], MarkRow>('SELECT * FROM bank_package_marks WHERE publisher = ?');
  const allMarks = db.prepare<[], MarkRow>('SELECT * FROM bank_package_marks ORDER BY publisher');
  const saveMark = db.prepare(
    `INSERT INTO bank_package_marks (publisher, sequence, version, accepted_at, mac) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (publisher) DO UPDATE SET sequence = excluded.sequence, version = excluded.version, accepted_at = excluded.accepted_at, mac = excluded.mac`,
  );
  const sealValues = (m: MarkRow) => [m.publisher, m.sequence, m.version, m.accepted_at];
  /** A row sealed with the audit key whose seal no longer holds was edited in the database. */
  const altered = (m: MarkRow) => m.mac !== null && audit.checkSeal(MARK_SEAL, sealValues(m), m.mac) === false;

  const service = {
    trustedKeyIds: (): string[] => [...trusted.keys()],

    /**
     * The newest package installed from this publisher, if any: the highest of its mark row, the audit
     * log's acceptance entries and the newest anchor (version null when only the anchor knows it).
     * Throws PackageRefused('mark_altered') when the row's seal does not hold.
     */
    lastAccepted(publisher: string): { version: string | null; sequence: number } | null {
      const row = markOf.get(publisher);
      if (row && altered(row))
        throw new PackageRefused(
          'mark_altered',
          `the record of the newest package installed from ${publisher} was altered in the database (its seal does not match); nothing is installed from ${publisher} until the database is restored — run \`examroom audit verify\``,
        );
      const found: { version: string | null; sequence: number }[] = [];
      if (row) found.push({ version: row.version, sequence: row.sequence });
      const logged = fromAudit.get(PACKAGE_ACCEPTED, publisher);
      if (logged) found.push(logged);
      const anchored = deps.anchoredMarks?.()[markName(publisher)];
      if (anchored !== undefined) found.push({ version: null, sequence: anchored });
      return found.reduce<{ version: string | null; sequence: number } | null>((a, b) => (!a || b.sequence > a.sequence ? b : a), null);
    },

    /** The marks as the audit anchors carry them; a row whose seal fails is left out (the verifier then reports it lowered). */
    marks(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const m of allMarks.all()) if (!altered(m)) out[markName(m.publisher)] = m.sequence;
      return out;
    },

    /** Checks a package without installing it. */
    verify(bytes: Uint8Array | string): VerifiedPackage {
      return verifyPackage(bytes, trusted);
    },

    /**
     * Installs a package as a new bank version, or refuses it with a reason and changes nothing.
     * One IMMEDIATE transaction: the CLI and the server may accept at the same moment, and only one
     * of two packages with the same sequence may win.
     */
    accept(bytes: Uint8Array | string, by: AcceptedBy): InstalledPackage {
      const p = verifyPackage(bytes, trusted);
      return db.transaction((): InstalledPackage => installChecked(p, by, null)).immediate();
    },

    /**
     * The same for the server (an upload, a sync): the questions are first staged in steps that leave the
     * event loop free (bank.stageQuestions), then the one IMMEDIATE transaction checks everything again and
     * copies them in. A package refused by the checks is refused before anything is staged.
     */
    async acceptInSteps(bytes: Uint8Array | string, by: AcceptedBy): Promise<InstalledPackage> {
      const p = verifyPackage(bytes, trusted);
      refusal(p);
      const staged = await bank.stageQuestions(p.questions);
      try {
        return db.transaction((): InstalledPackage => installChecked(p, by, staged)).immediate();
      } finally {
        staged.drop();
      }
    },
  };
  /** Throws why `p` may not be installed now (images missing, version taken, not newer); nothing when it may. */
  function refusal(p: VerifiedPackage): void {
    const missing = missingImages(p.questions, images);
    if (missing.length) {
      const shown =
        missing.length > MAX_PROBLEMS
          ? [...missing.slice(0, MAX_PROBLEMS), { path: '(package)', problem: `and ${missing.length - MAX_PROBLEMS} more images` }]
          : missing;
      throw new ValidationError(
        shown,
        `package ${p.version} refused: ${missing.length} of the images its questions show ${missing.length === 1 ? 'is' : 'are'} not on this site; nothing was installed`,
      );
    }
    const existing = bank.version(p.version);
    if (existing) {
      if (existing.sha256 === p.sha256) throw new PackageAlreadyInstalled(existing);
      throw new Conflict(
        `version ${p.version} is already installed with different content (sha256 ${(existing.sha256 ?? 'none').slice(0, 12)}…, this package ${p.sha256.slice(0, 12)}…); a changed bank must be published as a new version`,
      );
    }
    const last = service.lastAccepted(p.publisher);
    if (last && p.sequence <= last.sequence) {
      const rel = p.sequence === last.sequence ? 'is not newer than' : 'is older than';
      throw new PackageRefused(
        'not_newer',
        `package ${p.version} (sequence ${p.sequence}) ${rel} ${last.version ?? 'the newest package recorded in the audit anchors'} (${last.sequence}), already installed from ${p.publisher}`,
      );
    }
  }

  /** Checks again and installs, inside the caller's IMMEDIATE transaction. */
  function installChecked(p: VerifiedPackage, by: AcceptedBy, staged: StagedQuestions | null): InstalledPackage {
    refusal(p);
    const version = bank.createVersion({
      id: p.version,
      kind: 'package',
      label: p.publisher,
      publishedAt: p.publishedAt,
      signedBy: p.keyId,
      sha256: p.sha256,
      questions: staged ? [] : p.questions,
      ...(staged ? { staged } : {}),
      templates: p.templates,
    });
    const entry = audit.append({
      actor: by.actor,
      action: PACKAGE_ACCEPTED,
      target: p.version,
      detail: {
        version: p.version,
        publisher: p.publisher,
        sequence: p.sequence,
        publishedAt: new Date(p.publishedAt).toISOString(),
        keyId: p.keyId,
        sha256: p.sha256,
        questions: version.questionCount,
        templates: version.templateCount,
        source: by.source,
      },
      ip: by.ip ?? null,
    });
    const mark: MarkRow = { publisher: p.publisher, sequence: p.sequence, version: p.version, accepted_at: entry.at, mac: null };
    saveMark.run(mark.publisher, mark.sequence, mark.version, mark.accepted_at, audit.seal(MARK_SEAL, sealValues(mark)));
    return { version, publisher: p.publisher, sequence: p.sequence, keyId: p.keyId, sha256: p.sha256 };
  }
  return service;
}

export type PackageService = ReturnType<typeof createPackageService>;

// ---------------------------------------------------------------------------------------------------
// The central bank's side: keys and signing (`examroom bank keygen`, `examroom bank sign`).

export interface SigningKeyPair {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  /** The 32 raw public-key bytes in base64: one line for the site config. */
  publicKeyBase64: string;
}

export function generateSigningKey(keyId: string): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyBase64: rawPublicKeyBase64(publicKey),
  };
}

export function rawPublicKeyBase64(key: KeyObject): string {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
}

/** The YAML line a site pastes under `bank.publicKeys`. */
export function publicKeyConfigLine(keyId: string, publicKeyBase64: string): string {
  return `- { id: ${keyId}, key: "${publicKeyBase64}" }`;
}

/**
 * Signs a package body. Its content is checked first with the same rules a site applies, so a
 * publisher finds a broken question before a thousand sites refuse it. A signature already present
 * is replaced.
 */
export function signPackage(unsigned: UnsignedPackage | Record<string, unknown>, privateKeyPem: string, keyId: string): BankPackage {
  const { signature: _old, ...body } = unsigned as Record<string, unknown>;
  const problems = contentProblems(body);
  if (problems.length > 0)
    throw new ValidationError(
      problems.slice(0, MAX_PROBLEMS),
      `the package has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was signed`,
    );
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(keyId))
    throw new ValidationError([{ path: 'keyId', problem: 'must be letters, digits, _ . - (max 64)', got: keyId }]);
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new ValidationError([{ path: 'key', problem: `is not a readable PEM private key (${(err as Error).message})` }]);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ValidationError([
      {
        path: 'key',
        problem: `is an ${String(key.asymmetricKeyType).toUpperCase()} key; packages are signed with Ed25519 (make one with \`examroom bank keygen\`)`,
      },
    ]);
  const value = sign(null, Buffer.from(canonicalJson(body), 'utf8'), key).toString('base64');
  return { ...(body as unknown as UnsignedPackage), signature: { keyId, alg: 'ed25519', value } };
}

/** SHA-256 of what a signature covers; a publisher posts it so a site can compare by hand. */
export function packageDigest(pkg: UnsignedPackage | BankPackage): string {
  const { signature: _s, ...body } = pkg as BankPackage;
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** The public half of a private key, for printing next to a signature. */
export function publicKeyOf(privateKeyPem: string): string {
  return rawPublicKeyBase64(createPublicKey(createPrivateKey(privateKeyPem)));
}

/** For messages: "2026.11.1 (412 questions, 6 templates)". */
export function describeVersion(v: BankVersion): string {
  return `${v.id} (${v.questionCount} question${v.questionCount === 1 ? '' : 's'}, ${v.templateCount} template${v.templateCount === 1 ? '' : 's'})`;
}
