// The results package of one exam session (docs/reporting.md): who sat, their results, how each was
// identified at the kiosk, and the audit log's latest anchor, as JSON signed with the site key the same
// way an archive manifest is (Ed25519, detached, over the exact bytes). What it reports is gathered
// through the exam and kiosk modules' public faces; nothing here writes their tables.
import { createHash } from 'node:crypto';
import { iso } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditAnchor, SiteSigner } from '../../documents/index.ts';
import type { ExamService } from '../../exam/index.ts';
import { identityChecksOfSession } from '../../kiosk/index.ts';
import { faceVaultOr, type DataPaths, type Db, type FaceVault } from '../../storage/index.ts';
import { readFaceImage } from '../privacy/face-image.ts';

import { PACKAGE_FORMAT } from './deliver.ts';

export { PACKAGE_FORMAT };

/** Stable per site, session and version: the receiver's idempotency key. */
export const packageIdOf = (siteId: string, sessionId: string, version: number) => `${siteId}:${sessionId}:${version}`;

/** What the package reports; its hash tells whether a new grading changed anything. */
export interface PackageContent {
  site: { id: string; name: string; province: string; city: string };
  plan: { id: string; name: string; from: string; to: string };
  session: {
    id: string;
    roomId: string;
    roomName: string;
    status: string;
    startsAt: string;
    endsAt: string;
    checkinAt: string | null;
    startedAt: string | null;
    endedAt: string | null;
    templateId: string;
    templateName: string;
    industry: string;
    category: string;
    operationClass: string | null;
    total: number;
    passMark: number;
  };
  results: {
    idNumber: string;
    name: string;
    ticketNo: string;
    category: string;
    operationClass: string | null;
    industry: string;
    institution: string | null;
    attempt: number;
    seat: string | null;
    /** The roster's last status (absent, submitted …). */
    status: string;
    score: number | null;
    total: number | null;
    passed: boolean | null;
    gradedAt: string | null;
    validUntil: string | null;
  }[];
  /** null when the site's config leaves identity checks out (reporting.send.identityChecks: false). */
  identityChecks:
    | {
        idNumber: string;
        kioskId: string;
        source: 'typed' | 'card';
        startedAt: string;
        decidedAt: string | null;
        decision: 'admitted' | 'refused' | 'overridden' | 'cancelled' | 'expired' | null;
        reason: string | null;
        distance: number | null;
        threshold: number | null;
        seat: string | null;
        override: { by: string; reason: string | null } | null;
        /** The live capture, base64 JPEG: only with reporting.send.photos and a legal basis named for it. */
        photo?: string | null;
      }[]
    | null;
  /** Present only when the package carries face images: the legal basis an admin named for sending them. */
  faceImages?: { basis: string };
}

export interface ResultsPackage extends PackageContent {
  format: typeof PACKAGE_FORMAT;
  packageId: string;
  version: number;
  createdAt: string;
  /**
   * The audit log's newest signed anchor when the package was made (documents/audit-anchors.ts): seq,
   * hash and at as before, plus its number, entry count and Ed25519 signature. The platform keeps it, so a
   * later rewrite of the site's log shows.
   */
  auditAnchor: AuditAnchor | { seq: number; hash: string; at: string };
  signer: { alg: 'Ed25519'; keyId: string; publicKey: string };
}

export interface SignedPackage {
  id: string;
  version: number;
  /** The JSON exactly as signed and sent. */
  body: Buffer;
  /** base64 of the Ed25519 signature over body. */
  signature: string;
  keyId: string;
  contentSha256: string;
  auditAnchor: { seq: number; hash: string };
}

export interface PackageSources {
  db: Db;
  config: Config;
  exam: ExamService;
  paths: DataPaths;
  /**
   * The legal basis in force for sending face images to a destination (records/privacy, set by an admin,
   * audited), or null. Absent or null: no image leaves, whatever reporting.send.photos asks.
   */
  faceImagesTo?: (destination: 'reporting') => string | null;
  /** Opens the sealed captures (only when a destination's config sends photos). */
  faceVault?: FaceVault;
}

/** What a session's package would report now. */
export function packageContent(src: PackageSources, sessionId: string): PackageContent {
  const { config, exam } = src;
  const plans = exam.plans;
  const s = plans.session(sessionId);
  const plan = plans.plan(s.planId);
  const times = plans.sessionTimes(s.id);
  const room = config.rooms.find((r) => r.id === s.roomId);
  const results = plans.roster(s.id).map((e) => {
    const r = plans.resultOf(s.id, e.idNumber);
    return {
      idNumber: e.idNumber,
      name: e.name,
      ticketNo: e.ticketNo,
      category: e.category,
      operationClass: e.operationClass,
      industry: e.industry,
      institution: e.institution,
      attempt: e.attempt,
      seat: e.seat,
      status: e.status,
      score: r?.score ?? null,
      total: r?.total ?? null,
      passed: r ? r.passed : null,
      gradedAt: r ? iso(r.gradedAt) : null,
      validUntil: iso(r?.validUntil ?? null),
    };
  });
  const send = config.reporting.send;
  // Face images leave in plain form only where an admin named the legal basis (issue 23): the config's
  // send.photos says what the platform wants, the basis says why the site may give it.
  const basis = send.photos ? (src.faceImagesTo?.('reporting') ?? null) : null;
  const photos = send.identityChecks && basis !== null;
  // The key is loaded only when a photo is really sent (a package without images never needs it).
  let opened: FaceVault | null = null;
  const vault = () => (opened ??= faceVaultOr(src.faceVault, config.paths.keys));
  const identityChecks = send.identityChecks
    ? identityChecksOfSession(src.db, s.id).map((a) => ({
        idNumber: a.idNumber,
        kioskId: a.kioskId,
        source: a.source,
        startedAt: iso(a.startedAt),
        decidedAt: iso(a.decidedAt),
        decision: a.decision,
        reason: a.reason,
        distance: a.distance,
        threshold: a.threshold,
        seat: a.seat,
        override: a.overrideBy ? { by: a.overrideBy, reason: a.overrideReason } : null,
        ...(photos ? { photo: readFaceImage(vault(), src.paths.captures, a.capture)?.toString('base64') ?? null } : {}),
      }))
    : null;
  return {
    site: { id: config.site.id, name: config.site.name, province: config.site.province, city: config.site.city },
    plan: { id: plan.id, name: plan.name, from: plan.startsOn, to: plan.endsOn },
    session: {
      id: s.id,
      roomId: s.roomId,
      roomName: room?.name ?? s.roomId,
      status: s.status,
      startsAt: iso(s.startsAt),
      endsAt: iso(s.endsAt),
      checkinAt: iso(times.checkinAt),
      startedAt: iso(times.startedAt),
      endedAt: iso(times.endedAt),
      templateId: s.templateId,
      templateName: s.template.name,
      industry: s.template.industry,
      category: s.template.category,
      operationClass: s.template.operationClass,
      total: s.template.total,
      passMark: s.template.passMark,
    },
    results,
    identityChecks,
    ...(photos ? { faceImages: { basis: basis! } } : {}),
  };
}

/**
 * The session's status moves on (graded → archived) without changing what was reported, so it is left
 * out of the hash that decides whether a new version is due.
 */
export function contentHash(c: PackageContent): string {
  const { status: _status, ...session } = c.session;
  return createHash('sha256')
    .update(JSON.stringify({ ...c, session }))
    .digest('hex');
}

/**
 * Builds and signs version `version` of a session's package. `anchor`: the audit anchor to carry; null
 * only when none could be written or read (the anchors folder unwritable): then the package says so with
 * an anchor of nothing (seq 0), and the platform sees the site has no anchor to give.
 */
export function signPackage(content: PackageContent, o: { version: number; now: number; anchor: AuditAnchor | null; signer: SiteSigner }): SignedPackage {
  const anchor = o.anchor ?? { seq: 0, hash: '0'.repeat(64), at: iso(o.now) };
  const id = packageIdOf(content.site.id, content.session.id, o.version);
  const pkg: ResultsPackage = {
    format: PACKAGE_FORMAT,
    packageId: id,
    version: o.version,
    createdAt: iso(o.now),
    ...content,
    auditAnchor: anchor,
    signer: { alg: 'Ed25519', keyId: o.signer.keyId, publicKey: o.signer.publicKeyRaw },
  };
  // The same form as an archive's manifest.json: two-space JSON and a final newline, signed as stored.
  const body = Buffer.from(`${JSON.stringify(pkg, null, 2)}\n`);
  return {
    id,
    version: o.version,
    body,
    signature: o.signer.sign(body).toString('base64'),
    keyId: o.signer.keyId,
    contentSha256: contentHash(content),
    auditAnchor: { seq: anchor.seq, hash: anchor.hash },
  };
}
