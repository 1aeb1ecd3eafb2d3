// What other modules read of the entrance kiosk's identity_attempts: every identity check (exam admissions
// and training sign-ins) by person for the person file (一人一档) and by session for the archive, the
// score reports, room log and results packages (training hours: training/records-view.ts); and of its
// face_consents, a person's decisions for their data export. Read only; each caller keeps the fields it
// publishes. The face
// descriptors and the raw ID-card read stay out (derived data and card data, not a record).
import type { Db } from '../storage/index.ts';

/** One kiosk attempt, as recorded. */
export interface IdentityCheckRecord {
  id: string;
  kioskId: string;
  idNumber: string;
  /** The exam session it admitted to, or null for a training check (classId). */
  sessionId: string | null;
  classId: string | null;
  action: 'check_in' | 'check_out' | null;
  /** How the ID was entered: read from the card or typed by staff. */
  source: 'typed' | 'card';
  startedAt: number;
  decidedAt: number | null;
  /**
   * cancelled: the person left at the notice or the face guide; expired: nobody finished it (both since
   * migration 038; the kiosk service's sweep gives older open rows their `expired`); null: still open.
   */
  decision: 'admitted' | 'refused' | 'overridden' | 'cancelled' | 'expired' | null;
  reason: string | null;
  detail: string | null;
  liveness: unknown;
  /** Face distance to the roster photo (smaller = more alike) and to the card photo, and the threshold in force. */
  distance: number | null;
  cardDistance: number | null;
  threshold: number | null;
  seat: string | null;
  /** Relative to the data folder's captures/: the live capture and the reference photos; null when none was kept. */
  capture: string | null;
  rosterPhoto: string | null;
  cardPhoto: string | null;
  overrideBy: string | null;
  overrideReason: string | null;
}

const CHECK_COLUMNS = `id, kiosk_id AS kioskId, id_number AS idNumber, session_id AS sessionId, class_id AS classId, action, source,
  started_at AS startedAt, decided_at AS decidedAt, decision, reason, detail, liveness, distance, card_distance AS cardDistance, threshold,
  seat, capture, roster_photo AS rosterPhoto, card_photo AS cardPhoto, override_by AS overrideBy, override_reason AS overrideReason`;

type StoredCheck = Omit<IdentityCheckRecord, 'liveness'> & { liveness: string | null };
const parsed = (rows: StoredCheck[]): IdentityCheckRecord[] => rows.map((r) => ({ ...r, liveness: r.liveness ? (JSON.parse(r.liveness) as unknown) : null }));

/** Every identity check of one person, oldest first. */
export function identityChecksOf(db: Db, idNumber: string): IdentityCheckRecord[] {
  return parsed(db.prepare(`SELECT ${CHECK_COLUMNS} FROM identity_attempts WHERE id_number = ? ORDER BY started_at, id`).all(idNumber) as StoredCheck[]);
}

/** Every identity check made for an exam session, oldest first. */
export function identityChecksOfSession(db: Db, sessionId: string): IdentityCheckRecord[] {
  return parsed(db.prepare(`SELECT ${CHECK_COLUMNS} FROM identity_attempts WHERE session_id = ? ORDER BY started_at, id`).all(sessionId) as StoredCheck[]);
}

/** Every identity check made for a training class (sign-ins and sign-outs of its lessons), oldest first. */
export function identityChecksOfClass(db: Db, classId: string): IdentityCheckRecord[] {
  return parsed(db.prepare(`SELECT ${CHECK_COLUMNS} FROM identity_attempts WHERE class_id = ? ORDER BY started_at, id`).all(classId) as StoredCheck[]);
}

/** One consent decision as face_consents keeps it (migration 028; kiosk/service/consent.ts writes it). */
export interface FaceConsentRecord {
  sessionId: string | null;
  classId: string | null;
  decision: 'accepted' | 'declined';
  noticeVersion: string;
  noticeSha256: string;
  noticeLang: string;
  deviceId: string | null;
  /** Server time, ms since the epoch. */
  decidedAt: number;
}

/** Every consent decision of one person, oldest first (the decision in force: faceConsentOf). */
export function faceConsentsOf(db: Db, idNumber: string): FaceConsentRecord[] {
  return db
    .prepare(
      `SELECT session_id AS sessionId, class_id AS classId, decision, notice_version AS noticeVersion, notice_sha256 AS noticeSha256,
              notice_lang AS noticeLang, device_id AS deviceId, decided_at AS decidedAt
       FROM face_consents WHERE id_number = ? ORDER BY decided_at, id`,
    )
    .all(idNumber) as FaceConsentRecord[];
}
