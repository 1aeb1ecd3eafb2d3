// Teacher ratings (教师评价). A trainee rates each teacher of a class once, 1–5 with an optional comment,
// by spending a one-time token made for that trainee and that teacher. Tokens are made only for someone
// the core credited time in at least one of the teacher's lessons: at the kiosk, right after that
// person's face-verified sign-out (the kiosk shows the rating screen and the same token as a QR code for
// the phone), or by staff for an attendee. The token is stored as its SHA-256 only; a rating row names
// the trainee so "once" holds (UNIQUE in migration 035), but nothing read from here ever names a rater:
// summaries are counts, averages and comments sorted by text.
import { createHash, randomBytes } from 'node:crypto';
import { Conflict, NotFound, ValidationError, maskIdNumber, normaliseIdNumber, type Clock } from '../../core/index.ts';
import { localDateTime } from '../../core/site-time.ts';
import type { AuditLog, Db } from '../../storage/index.ts';
import type { ClassDetail, ClassHours } from '../protocol.ts';
import type { TrainingFacts } from '../report/facts.ts';
import {
  RATING_COMMENT_MAX,
  rateUrlPath,
  type ClassRatings,
  type RatingDone,
  type RatingOffer,
  type RatingSummary,
  type RatingTicket,
  type RatingToken,
  type TeacherRatings,
} from './protocol.ts';

export interface RatingsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  facts: TrainingFacts;
  /** The site's time zone: the phone page shows the code's expiry on the site's clock, not the phone's. */
  config: { site: { timezone: string } };
}

/** How long a token may wait to be spent (a trainee who rates from the phone that evening). */
export const RATING_TOKEN_DAYS = 7;
/** The kiosk's offer follows the sign-out it names: an attempt older than this offers nothing. */
export const OFFER_WINDOW_MS = 30 * 60_000;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const round1 = (x: number) => Math.round(x * 10) / 10;

interface TeacherRow {
  id: string;
  name: string;
  title: string;
}

interface TokenRow {
  token_hash: string;
  class_id: string;
  id_number: string;
  teacher_id: string;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
}

export function createRatings(deps: RatingsDeps) {
  const { db, clock, audit, facts } = deps;
  const tz = deps.config.site.timezone;
  const q = {
    teacher: db.prepare<[string], TeacherRow>('SELECT id, name, title FROM training_teachers WHERE id = ?'),
    token: db.prepare<[string], TokenRow>('SELECT * FROM training_rating_tokens WHERE token_hash = ?'),
    rated: db.prepare<[string, string, string], { id: number }>('SELECT id FROM training_ratings WHERE class_id = ? AND teacher_id = ? AND id_number = ?'),
    signOut: db.prepare<[string], { class_id: string; lesson_id: string; id_number: string; at: number; kiosk_id: string | null }>(
      `SELECT e.class_id, e.lesson_id, e.id_number, e.at, a.kiosk_id FROM training_events e LEFT JOIN identity_attempts a ON a.id = e.attempt_id
        WHERE e.attempt_id = ? AND e.kind = 'sign_out'`,
    ),
    scores: db.prepare<[string, string], { score: number; comment: string | null }>(
      'SELECT score, comment FROM training_ratings WHERE class_id = ? AND teacher_id = ?',
    ),
    classesOfTeacher: db.prepare<[string, string, string], { id: string }>(
      `SELECT DISTINCT c.id FROM training_classes c JOIN training_lessons l ON l.class_id = c.id
        WHERE l.teacher_id = ? AND l.cancelled_at IS NULL AND c.ends_on >= ? AND c.starts_on <= ? ORDER BY c.starts_on, c.id`,
    ),
  };

  function teacher(id: string): TeacherRow {
    const t = q.teacher.get(id);
    if (!t) throw new NotFound(`no teacher ${JSON.stringify(id)}`);
    return t;
  }

  /** The class's teachers, each with the ids of their lessons (not cancelled), in the order they first teach. */
  function teachersOf(detail: ClassDetail): { teacherId: string; lessons: ClassDetail['lessons'] }[] {
    const by = new Map<string, ClassDetail['lessons']>();
    for (const l of [...detail.lessons].sort((a, b) => a.startsAt.localeCompare(b.startsAt))) {
      if (l.cancelled || !l.teacherId) continue;
      by.set(l.teacherId, [...(by.get(l.teacherId) ?? []), l]);
    }
    return [...by].map(([teacherId, lessons]) => ({ teacherId, lessons }));
  }

  /** Credited any time in one of these lessons (the core's hours: a correction counts, an excuse does not). */
  function attended(hours: ClassHours, idNumber: string, lessonIds: ReadonlySet<string>): boolean {
    const m = hours.members.find((x) => x.idNumber === idNumber);
    if (!m) return false;
    return m.lessons.some((p) => lessonIds.has(p.lessonId) && p.credited > 0);
  }

  function mint(classId: string, idNumber: string, t: TeacherRow, by: { actor: string; attemptId: string | null }): RatingToken {
    const now = clock.now();
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now + RATING_TOKEN_DAYS * 86_400_000;
    db.prepare(
      'INSERT INTO training_rating_tokens (token_hash, class_id, id_number, teacher_id, issued_at, expires_at, issued_by, attempt_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(hashOf(token), classId, idNumber, t.id, now, expiresAt, by.actor, by.attemptId);
    return {
      teacherId: t.id,
      teacherName: t.name,
      teacherTitle: t.title || null,
      token,
      ratePath: rateUrlPath(token),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  function summarise(scores: { score: number }[], eligible: number): RatingSummary {
    const distribution = [0, 0, 0, 0, 0];
    for (const s of scores) distribution[s.score - 1]! += 1;
    return {
      ratings: scores.length,
      eligible,
      average: scores.length ? round1(scores.reduce((n, s) => n + s.score, 0) / scores.length) : null,
      distribution,
    };
  }

  function eligibleCount(hours: ClassHours, lessonIds: ReadonlySet<string>): number {
    return hours.members.filter((m) => m.lessons.some((p) => lessonIds.has(p.lessonId) && p.credited > 0)).length;
  }

  return {
    /**
     * After a sign-out at this kiosk: a token for each teacher whose last lesson of the class the trainee
     * has now left (this lesson or an earlier one), whom they attended and have not rated.
     */
    offer(kioskId: string, attemptId: string): RatingOffer {
      const e = q.signOut.get(attemptId);
      if (!e || e.kiosk_id !== kioskId) throw new Conflict(`attempt ${attemptId} is not a completed sign-out at kiosk ${kioskId}`, 'not_signed_out');
      if (clock.now() - e.at > OFFER_WINDOW_MS)
        throw new Conflict(`the sign-out of attempt ${attemptId} was more than 30 minutes ago; ask the 班主任 for a rating code`, 'not_signed_out');
      const detail = facts.detail(e.class_id);
      const hours = facts.hours(e.class_id);
      const left = detail.lessons.find((l) => l.id === e.lesson_id);
      const teachers: RatingToken[] = [];
      db.transaction(() => {
        for (const t of teachersOf(detail)) {
          const last = t.lessons[t.lessons.length - 1]!;
          if (left && last.startsAt > left.startsAt) continue;
          if (q.rated.get(e.class_id, t.teacherId, e.id_number)) continue;
          if (!attended(hours, e.id_number, new Set(t.lessons.map((l) => l.id)))) continue;
          teachers.push(mint(e.class_id, e.id_number, teacher(t.teacherId), { actor: `device:${kioskId}`, attemptId }));
        }
      }).immediate();
      return { classId: detail.class.id, className: detail.class.name, teachers };
    },

    /** Staff hand a rating code to an attendee (one who left before the kiosk offered it); audited. */
    issue(classId: string, idNumberGiven: string, teacherId: string, actor: string, ip: string | null = null): RatingToken {
      const idNumber = normaliseIdNumber(idNumberGiven);
      const detail = facts.detail(classId);
      const t = teacher(teacherId);
      const mine = teachersOf(detail).find((x) => x.teacherId === teacherId);
      if (!mine) throw new Conflict(`teacher ${t.name} teaches no lesson of class ${detail.class.name}`, 'not_a_teacher_of_class');
      const hours = facts.hours(classId);
      if (!hours.members.some((m) => m.idNumber === idNumber)) throw new NotFound(`${maskIdNumber(idNumber)} is not a member of class ${detail.class.name}`);
      if (!attended(hours, idNumber, new Set(mine.lessons.map((l) => l.id))))
        throw new Conflict(`${maskIdNumber(idNumber)} was credited no time in ${t.name}'s lessons; only those who attended rate a teacher`, 'did_not_attend');
      if (q.rated.get(classId, teacherId, idNumber)) throw new Conflict(`${maskIdNumber(idNumber)} has already rated ${t.name} in this class`, 'already_rated');
      let token!: RatingToken;
      db.transaction(() => {
        token = mint(classId, idNumber, t, { actor, attemptId: null });
        audit.append({ actor, action: 'training.rating.token', target: classId, detail: { teacherId, idNumber: maskIdNumber(idNumber) }, ip });
      }).immediate();
      return token;
    },

    /** What the phone page shows for a token. */
    ticket(token: string): RatingTicket {
      const row = q.token.get(hashOf(token));
      if (!row) throw new NotFound('no such rating code; it may have been mistyped');
      const detail = facts.detail(row.class_id);
      const t = teacher(row.teacher_id);
      const name = facts.hours(row.class_id).members.find((m) => m.idNumber === row.id_number)?.name ?? '';
      const used = row.used_at !== null || Boolean(q.rated.get(row.class_id, row.teacher_id, row.id_number));
      return {
        state: used ? 'used' : clock.now() >= row.expires_at ? 'expired' : 'open',
        className: detail.class.name,
        institution: detail.class.institution,
        teacherName: t.name,
        teacherTitle: t.title || null,
        lessons: detail.lessons.filter((l) => l.teacherId === t.id && !l.cancelled).map((l) => `${l.day} ${l.start} ${l.topic}`),
        traineeName: name ? `${[...name][0]}${'*'.repeat(Math.max(1, [...name].length - 1))}` : '',
        expiresAt: new Date(row.expires_at).toISOString(),
        expiresAtLocal: localDateTime(row.expires_at, tz),
      };
    },

    /** Spends a token: one rating per trainee per teacher per class. */
    rate(token: string, score: number, comment: string | undefined, via: 'kiosk' | 'phone', actor: string, ip: string | null = null): RatingDone {
      if (!Number.isInteger(score) || score < 1 || score > 5)
        throw new ValidationError([{ path: 'score', problem: 'must be a whole number from 1 to 5', got: score }]);
      const text = comment?.trim() ? comment.trim() : null;
      if (text && text.length > RATING_COMMENT_MAX)
        throw new ValidationError([{ path: 'comment', problem: `must be at most ${RATING_COMMENT_MAX} characters`, got: `${text.length} characters` }]);
      const hash = hashOf(token);
      const now = clock.now();
      let teacherName = '';
      db.transaction(() => {
        const row = q.token.get(hash);
        if (!row) throw new NotFound('no such rating code; it may have been mistyped');
        const t = teacher(row.teacher_id);
        teacherName = t.name;
        if (q.rated.get(row.class_id, row.teacher_id, row.id_number))
          throw new Conflict(`this trainee has already rated ${t.name} in this class; a teacher is rated once`, 'already_rated');
        if (row.used_at !== null) throw new Conflict('this rating code has been used', 'token_used');
        if (now >= row.expires_at) throw new Conflict('this rating code has expired', 'token_expired');
        // Checked again at the spend: a correction may have taken the time back since the token was made.
        const detail = facts.detail(row.class_id);
        const mine = teachersOf(detail).find((x) => x.teacherId === row.teacher_id);
        if (!mine || !attended(facts.hours(row.class_id), row.id_number, new Set(mine.lessons.map((l) => l.id))))
          throw new Conflict(`no credited time in ${t.name}'s lessons; only those who attended rate a teacher`, 'did_not_attend');
        db.prepare('UPDATE training_rating_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL').run(now, hash);
        db.prepare('INSERT INTO training_ratings (class_id, teacher_id, id_number, score, comment, at, via, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          row.class_id,
          row.teacher_id,
          row.id_number,
          score,
          text,
          now,
          via,
          hash,
        );
        // Who rated and what is not in the audit log either: it would undo the anonymity of the summaries.
        audit.append({ actor, action: 'training.rating', target: row.class_id, detail: { teacherId: row.teacher_id, via }, ip });
      }).immediate();
      return { ok: true, teacherName, at: new Date(now).toISOString() };
    },

    /** Per teacher of the class: the figures and the comments, no rater named. */
    ofClass(classId: string): ClassRatings {
      const detail = facts.detail(classId);
      const hours = facts.hours(classId);
      return {
        classId: detail.class.id,
        className: detail.class.name,
        teachers: teachersOf(detail).map(({ teacherId, lessons }) => {
          const t = teacher(teacherId);
          const rows = q.scores.all(classId, teacherId);
          return {
            teacherId,
            name: t.name,
            title: t.title || null,
            summary: summarise(rows, eligibleCount(hours, new Set(lessons.map((l) => l.id)))),
            comments: rows.flatMap((r) => (r.comment ? [r.comment] : [])).sort((a, b) => a.localeCompare(b, 'zh-CN')),
          };
        }),
      };
    },

    /** One teacher over time: per class whose dates meet [from, to], and overall. */
    ofTeacher(teacherId: string, range: { from?: string; to?: string }): TeacherRatings {
      const t = teacher(teacherId);
      const all: { score: number }[] = [];
      let eligible = 0;
      const classes = q.classesOfTeacher.all(teacherId, range.from ?? '0000-01-01', range.to ?? '9999-12-31').map(({ id }) => {
        const detail = facts.detail(id);
        const mine = teachersOf(detail).find((x) => x.teacherId === teacherId)!;
        const rows = q.scores.all(id, teacherId);
        const summary = summarise(rows, eligibleCount(facts.hours(id), new Set(mine.lessons.map((l) => l.id))));
        all.push(...rows);
        eligible += summary.eligible;
        return { classId: id, className: detail.class.name, startsOn: detail.class.startsOn, endsOn: detail.class.endsOn, summary };
      });
      return { teacherId, name: t.name, title: t.title || null, from: range.from ?? null, to: range.to ?? null, overall: summarise(all, eligible), classes };
    },
  };
}

export type Ratings = ReturnType<typeof createRatings>;
