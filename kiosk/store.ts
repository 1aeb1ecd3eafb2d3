// The identity tables (migrations 006, 038): rows in, rows out. No policy here; the service decides.
import type { Clock } from '../core/index.ts';
import { statementCache, type Db, type FaceVault } from '../storage/index.ts';
import type { FaceQuality, FaceRefusal, LivenessChallenge } from './face/types.ts';

/** cancelled: the kiosk left the attempt at the notice or the face guide; expired: nobody finished it (migration 038). */
export type Decision = 'admitted' | 'refused' | 'overridden' | 'cancelled' | 'expired';

export interface CardData {
  cardId: string;
  name: string;
  issuer: string | null;
  validUntil: string | null;
  /** From a reader bridge (absent on older rows and typed-in cards): the card's type, and why it had no photo. */
  cardType?: 'resident' | 'hmt_residence_permit';
  photoMissing?: 'no_decoder' | 'decoder_failed' | null;
}

export interface IdentityAttempt {
  id: string;
  kioskId: string;
  sessionId: string | null;
  idNumber: string;
  source: 'typed' | 'card';
  challenge: LivenessChallenge;
  rosterPhoto: string | null;
  cardPhoto: string | null;
  card: CardData | null;
  startedAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decision: Decision | null;
  reason: string | null;
  detail: string | null;
  liveness: unknown;
  distance: number | null;
  cardDistance: number | null;
  threshold: number | null;
  seat: string | null;
  capture: string | null;
  captureExpiresAt: number | null;
  overrideBy: string | null;
  overrideReason: string | null;
  /** Training attempts (columns of migration 008): the class and what the check does. */
  classId: string | null;
  action: 'check_in' | 'check_out' | null;
  /** The training lesson signed in or out of (migration 032). */
  lessonId: string | null;
}

interface AttemptRow {
  id: string;
  kiosk_id: string;
  session_id: string | null;
  id_number: string;
  source: 'typed' | 'card';
  challenge: LivenessChallenge;
  roster_photo: string | null;
  card_photo: string | null;
  card: string | null;
  started_at: number;
  expires_at: number;
  decided_at: number | null;
  decision: Decision | null;
  reason: string | null;
  detail: string | null;
  liveness: string | null;
  distance: number | null;
  card_distance: number | null;
  threshold: number | null;
  seat: string | null;
  capture: string | null;
  capture_expires_at: number | null;
  override_by: string | null;
  override_reason: string | null;
  class_id: string | null;
  action: 'check_in' | 'check_out' | null;
  lesson_id: string | null;
}

const toAttempt = (r: AttemptRow): IdentityAttempt => ({
  id: r.id,
  kioskId: r.kiosk_id,
  sessionId: r.session_id,
  idNumber: r.id_number,
  source: r.source,
  challenge: r.challenge,
  rosterPhoto: r.roster_photo,
  cardPhoto: r.card_photo,
  card: r.card ? (JSON.parse(r.card) as CardData) : null,
  startedAt: r.started_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  decision: r.decision,
  reason: r.reason,
  detail: r.detail,
  liveness: r.liveness ? (JSON.parse(r.liveness) as unknown) : null,
  distance: r.distance,
  cardDistance: r.card_distance,
  threshold: r.threshold,
  seat: r.seat,
  capture: r.capture,
  captureExpiresAt: r.capture_expires_at,
  overrideBy: r.override_by,
  overrideReason: r.override_reason,
  classId: r.class_id,
  action: r.action,
  lessonId: r.lesson_id ?? null,
});

export interface NewAttempt {
  id: string;
  kioskId: string;
  sessionId: string | null;
  idNumber: string;
  source: 'typed' | 'card';
  challenge: LivenessChallenge;
  rosterPhoto: string | null;
  cardPhoto: string | null;
  card: CardData | null;
  expiresAt: number;
  classId?: string | null;
  action?: 'check_in' | 'check_out' | null;
  lessonId?: string | null;
}

export interface Outcome {
  decision: Decision;
  reason: string | null;
  detail: string | null;
  liveness?: unknown;
  distance?: number | null;
  cardDistance?: number | null;
  threshold?: number | null;
  seat?: string | null;
  capture?: string | null;
  /** SHA-256 of the capture as stored (sealed), for the object-store tier (migration 037). */
  captureSha256?: string | null;
  captureExpiresAt?: number | null;
  probeDescriptor?: Float32Array | null;
  overrideBy?: string | null;
  overrideReason?: string | null;
}

export type Enrolment =
  | { photo: string; status: 'ok'; descriptor: Float32Array; quality: FaceQuality | null; enrolledAt: number }
  | { photo: string; status: 'refused'; reason: FaceRefusal; detail: string; enrolledAt: number };

interface EnrolmentRow {
  photo: string;
  status: 'ok' | 'refused';
  descriptor: Buffer | null;
  reason: string | null;
  detail: string | null;
  quality: string | null;
  enrolled_at: number;
}

// Descriptors are face data: sealed in the database like the images on disk (storage/face-vault.ts).
export function createIdentityStore(db: Db, clock: Clock, vault: FaceVault) {
  const q = statementCache(db);
  const fromDescriptor = (d: Float32Array) => vault.sealDescriptor(d);
  const toDescriptor = (b: Buffer, where: string) => vault.openDescriptor(b, where);

  return {
    insertAttempt(a: NewAttempt): IdentityAttempt {
      q(`INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, roster_photo, card_photo, card, started_at, expires_at, class_id, action, lesson_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        a.id,
        a.kioskId,
        a.sessionId,
        a.idNumber,
        a.source,
        a.challenge,
        a.rosterPhoto,
        a.cardPhoto,
        a.card ? JSON.stringify(a.card) : null,
        clock.now(),
        a.expiresAt,
        a.classId ?? null,
        a.action ?? null,
        a.lessonId ?? null,
      );
      return this.attempt(a.id)!;
    },

    attempt(id: string): IdentityAttempt | null {
      const r = q('SELECT * FROM identity_attempts WHERE id = ?').get(id) as AttemptRow | undefined;
      return r ? toAttempt(r) : null;
    },

    /**
     * Records the outcome once: a second decision on the same attempt changes nothing and returns false.
     * `expired` is the one outcome that gives way — to what the kiosk reports late (give-up after a network cut).
     */
    decide(id: string, o: Outcome): boolean {
      return (
        q(`UPDATE identity_attempts SET decided_at = ?, decision = ?, reason = ?, detail = ?, liveness = ?, distance = ?, card_distance = ?, threshold = ?, seat = ?,
             capture = COALESCE(?, capture), capture_sha256 = COALESCE(?, capture_sha256), capture_expires_at = COALESCE(?, capture_expires_at), probe_descriptor = COALESCE(?, probe_descriptor),
             override_by = ?, override_reason = ?
           WHERE id = ? AND (decided_at IS NULL OR decision = 'expired')`).run(
          clock.now(),
          o.decision,
          o.reason,
          o.detail,
          o.liveness === undefined ? null : JSON.stringify(o.liveness),
          o.distance ?? null,
          o.cardDistance ?? null,
          o.threshold ?? null,
          o.seat ?? null,
          o.capture ?? null,
          o.captureSha256 ?? null,
          o.captureExpiresAt ?? null,
          o.probeDescriptor ? fromDescriptor(o.probeDescriptor) : null,
          o.overrideBy ?? null,
          o.overrideReason ?? null,
          id,
        ).changes === 1
      );
    },

    /** Refused face checks of one person in a session (or of a trainee in one lesson's sign-in or sign-out). */
    refusedCount(
      scope: { sessionId: string; idNumber: string } | { classId: string; lessonId: string | null; action: string | null; idNumber: string },
    ): number {
      const r =
        'sessionId' in scope
          ? q(`SELECT count(*) AS n FROM identity_attempts WHERE session_id = ? AND id_number = ? AND decision = 'refused'`).get(
              scope.sessionId,
              scope.idNumber,
            )
          : q(
              `SELECT count(*) AS n FROM identity_attempts WHERE class_id = ? AND id_number = ? AND lesson_id IS ? AND action IS ? AND decision = 'refused'`,
            ).get(scope.classId, scope.idNumber, scope.lessonId, scope.action);
      return (r as { n: number }).n;
    },

    /** Attempts still undecided whose expiry is before `before`, oldest first (the sweep marks them expired). */
    undecidedBefore(before: number, limit = 500): IdentityAttempt[] {
      return (
        q('SELECT * FROM identity_attempts WHERE decided_at IS NULL AND expires_at < ? ORDER BY expires_at LIMIT ?').all(before, limit) as AttemptRow[]
      ).map(toAttempt);
    },

    /** An override after a refusal replaces the decision but keeps the scores and capture of the refusal. */
    override(id: string, o: { seat: string | null; by: string; reason: string }): void {
      q(
        `UPDATE identity_attempts SET decided_at = ?, decision = 'overridden', seat = ?, override_by = ?, override_reason = ?, reason = COALESCE(reason, 'override') WHERE id = ?`,
      ).run(clock.now(), o.seat, o.by, o.reason, id);
    },

    /** The newest admission (by face or by override) of a person in a session: when and how they entered. */
    admission(sessionId: string, idNumber: string): (IdentityAttempt & { probeDescriptor: Float32Array | null }) | null {
      const r = q(
        `SELECT * FROM identity_attempts WHERE session_id = ? AND id_number = ? AND decision IN ('admitted', 'overridden') ORDER BY decided_at DESC LIMIT 1`,
      ).get(sessionId, idNumber) as (AttemptRow & { probe_descriptor: Buffer | null }) | undefined;
      return r
        ? { ...toAttempt(r), probeDescriptor: r.probe_descriptor ? toDescriptor(r.probe_descriptor, `identity_attempts.probe_descriptor of ${r.id}`) : null }
        : null;
    },

    list(f: { sessionId?: string; limit?: number }): IdentityAttempt[] {
      const where = f.sessionId ? 'WHERE session_id = ?' : '';
      const args: unknown[] = f.sessionId ? [f.sessionId] : [];
      return (
        db.prepare(`SELECT * FROM identity_attempts ${where} ORDER BY started_at DESC, id DESC LIMIT ?`).all(...args, f.limit ?? 200) as AttemptRow[]
      ).map(toAttempt);
    },

    /**
     * The sessions a person is on the roster of. A deliberate read across into the exam engine's
     * table (indexed by roster_by_person): the plan service offers rosters per session only, and a
     * kiosk lookup must not walk every session's roster to find one person.
     */
    sessionsOfPerson(idNumber: string): string[] {
      return (q('SELECT session_id AS s FROM roster_entries WHERE id_number = ?').all(idNumber) as { s: string }[]).map((r) => r.s);
    },

    enrolment(photo: string): Enrolment | null {
      const r = q('SELECT * FROM face_enrolments WHERE photo = ?').get(photo) as EnrolmentRow | undefined;
      if (!r) return null;
      return r.status === 'ok'
        ? {
            photo: r.photo,
            status: 'ok',
            descriptor: toDescriptor(r.descriptor!, `face_enrolments.descriptor of ${r.photo}`),
            quality: r.quality ? (JSON.parse(r.quality) as FaceQuality) : null,
            enrolledAt: r.enrolled_at,
          }
        : { photo: r.photo, status: 'refused', reason: r.reason as FaceRefusal, detail: r.detail ?? '', enrolledAt: r.enrolled_at };
    },

    saveEnrolment(e: Enrolment): void {
      q(`INSERT INTO face_enrolments (photo, status, descriptor, reason, detail, quality, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(photo) DO UPDATE SET status = excluded.status, descriptor = excluded.descriptor, reason = excluded.reason, detail = excluded.detail,
           quality = excluded.quality, enrolled_at = excluded.enrolled_at`).run(
        e.photo,
        e.status,
        e.status === 'ok' ? fromDescriptor(e.descriptor) : null,
        e.status === 'refused' ? e.reason : null,
        e.status === 'refused' ? e.detail : null,
        e.status === 'ok' && e.quality ? JSON.stringify(e.quality) : null,
        e.enrolledAt,
      );
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
