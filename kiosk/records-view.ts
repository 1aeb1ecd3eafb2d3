// What other modules read of the entrance kiosk's identity_attempts: every identity check (exam admissions
// and training check-ins) by person for the person file (一人一档) and by session for the archive, the
// score reports, room log and results packages; and the training classes a person attended with credited
// hours (as attendance.ts credits them). Read only; each caller keeps the fields it publishes. The face
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
  /** null: the attempt ran out or was abandoned before a decision. */
  decision: 'admitted' | 'refused' | 'overridden' | null;
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

export interface TrainingAttendanceRecord {
  classId: string;
  /** The name the class's member list gives. */
  memberName: string;
  name: string;
  institution: string;
  startsOn: string;
  endsOn: string;
  dailyHours: number;
  /** Hours credited: each sitting's check-in to check-out, at most the class's daily hours. */
  attendedHours: number;
  daysAttended: number;
  /** Days checked in but never out: no hours credited for them. */
  daysWithoutCheckOut: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function trainingAttendanceOf(db: Db, idNumber: string): TrainingAttendanceRecord[] {
  const classes = db
    .prepare(
      `SELECT c.id AS classId, m.name AS memberName, c.name, c.institution, c.starts_on AS startsOn, c.ends_on AS endsOn, c.daily_hours AS dailyHours
       FROM training_members m JOIN training_classes c ON c.id = m.class_id WHERE m.id_number = ? ORDER BY c.starts_on, c.id`,
    )
    .all(idNumber) as Omit<TrainingAttendanceRecord, 'attendedHours' | 'daysAttended' | 'daysWithoutCheckOut'>[];
  const sittings = db.prepare('SELECT check_in_at AS inAt, check_out_at AS outAt FROM training_attendance WHERE class_id = ? AND id_number = ? ORDER BY day');
  return classes.map((c) => {
    const rows = sittings.all(c.classId, idNumber) as { inAt: number; outAt: number | null }[];
    const closed = rows.filter((r) => r.outAt !== null);
    return {
      ...c,
      attendedHours: round2(closed.reduce((s, r) => s + round2(Math.min((r.outAt! - r.inAt) / 3_600_000, c.dailyHours)), 0)),
      daysAttended: closed.length,
      daysWithoutCheckOut: rows.length - closed.length,
    };
  });
}
