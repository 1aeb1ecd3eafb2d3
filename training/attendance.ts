// What the sign-ins add up to: each trainee's standing in each lesson (live: who is in, late, missing),
// credited 学时 per lesson and per class, the 班主任's corrections and justified absences (append-only,
// audited, with a reason), the absence list, and annual hours per ID number across classes.
import { Conflict, ValidationError, localDate, localTime, maskIdNumber, normaliseIdNumber, parseInstant, toCsv } from '../core/index.ts';
import { creditFor, presenceOf, type CorrectionRow, type EventRow, type LessonRow } from './credit.ts';
import type { Absences, AnnualHours, AttendanceView, ClassHours, CorrectionView, LessonPresence, NewCorrection } from './protocol.ts';
import { iso, roundSum, type ClassRow, type Model, type StoredLesson, type TrainingDeps, type Viewer } from './model.ts';
import type { Members } from './members.ts';

export function createAttendance(deps: TrainingDeps, m: Model, members: Members) {
  const { db, clock, bus, config, audit } = deps;
  const tz = m.tz;
  const settings = { lateGraceMinutes: config.training.lateGraceMinutes, signOutClosesMinutes: config.training.signOutClosesMinutes };

  function eventsOfClass(classId: string): EventRow[] {
    return db
      .prepare('SELECT lesson_id AS lessonId, id_number AS idNumber, kind, at, via FROM training_events WHERE class_id = ? ORDER BY id')
      .all(classId) as EventRow[];
  }
  function correctionsOfClass(classId: string): CorrectionRow[] {
    return db
      .prepare(
        'SELECT id, lesson_id AS lessonId, id_number AS idNumber, kind, in_at AS inAt, out_at AS outAt FROM training_corrections WHERE class_id = ? ORDER BY id',
      )
      .all(classId) as CorrectionRow[];
  }

  const key = (lessonId: string, idNumber: string) => `${lessonId}\u0000${idNumber}`;
  function group<T extends { lessonId: string; idNumber: string }>(rows: T[]): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const r of rows) {
      const k = key(r.lessonId, r.idNumber);
      const list = out.get(k);
      if (list) list.push(r);
      else out.set(k, [r]);
    }
    return out;
  }

  /** Every member × every lesson of a class (lessons not cancelled), at `now`. */
  function grid(c: ClassRow, now = clock.now()) {
    const lessons = m.lessonsOf(c.id);
    const ev = group(eventsOfClass(c.id));
    const co = group(correctionsOfClass(c.id));
    const people = members.rows(c.id);
    const byMember = new Map<string, LessonPresence[]>();
    for (const p of people)
      byMember.set(
        p.idNumber,
        lessons.map((l) => presenceOf(l, ev.get(key(l.id, p.idNumber)) ?? [], co.get(key(l.id, p.idNumber)) ?? [], now, settings)),
      );
    return { lessons, people, byMember };
  }

  function hoursOfMember(classId: string, idNumber: string): number {
    const c = m.classRow(classId);
    if (!c) return 0;
    const now = clock.now();
    const ev = group(eventsOfClass(c.id).filter((e) => e.idNumber === idNumber));
    const co = group(correctionsOfClass(c.id).filter((e) => e.idNumber === idNumber));
    return roundSum(
      m.lessonsOf(c.id).reduce((s, l) => s + presenceOf(l, ev.get(key(l.id, idNumber)) ?? [], co.get(key(l.id, idNumber)) ?? [], now, settings).credited, 0),
    );
  }

  function classHours(v: Viewer, classId: string): ClassHours {
    const c = m.classFor(v, classId);
    const now = clock.now();
    const { lessons, people, byMember } = grid(c, now);
    // Held = ended: a lesson running now is in progress — nobody has missed it yet, and its hours are not held yet.
    const held = (l: StoredLesson) => l.endsAt <= now;
    const running = (l: StoredLesson) => l.startsAt <= now && now < l.endsAt;
    const rows = people.map((p) => {
      const ls = byMember.get(p.idNumber)!;
      const credited = roundSum(ls.reduce((s, x) => s + x.credited, 0));
      return {
        idNumber: p.idNumber,
        idNumberMasked: maskIdNumber(p.idNumber),
        name: p.name,
        employer: p.employer,
        creditedHours: credited,
        requiredHours: c.requiredHours,
        lessons: ls,
        missedLessons: ls.filter((x, i) => held(lessons[i]!) && x.credited === 0 && x.state !== 'excused' && x.state !== 'in' && x.state !== 'late').length,
        complete: credited + 1e-9 >= c.requiredHours,
        neverCame: ls.every((x) => x.signInAt === null && x.state !== 'corrected'),
      };
    });
    return {
      class: m.classView(c),
      lessons: lessons.map((l) => ({
        id: l.id,
        day: l.day,
        start: localTime(l.startsAt, tz),
        end: l.kind === 'day' ? '24:00' : localTime(l.endsAt, tz),
        topic: l.topic,
        hours: l.hours,
        held: held(l),
        inProgress: running(l),
      })),
      heldHours: roundSum(lessons.filter(held).reduce((s, l) => s + l.hours, 0)),
      inProgressHours: roundSum(lessons.filter(running).reduce((s, l) => s + l.hours, 0)),
      scheduledHours: roundSum(lessons.reduce((s, l) => s + l.hours, 0)),
      totalCreditedHours: roundSum(rows.reduce((s, r) => s + r.creditedHours, 0)),
      members: rows,
    };
  }

  /** Changes whenever a sign-in, a correction or the timetable changes: the live view's poll compares it. */
  function version(classId: string): string {
    const r = db
      .prepare(
        `SELECT (SELECT COALESCE(MAX(id), 0) FROM training_events WHERE class_id = ?) AS e,
                (SELECT COALESCE(MAX(id), 0) FROM training_corrections WHERE class_id = ?) AS c,
                (SELECT COALESCE(MAX(updated_at), 0) || '.' || COUNT(*) FROM training_lessons WHERE class_id = ?) AS l,
                (SELECT COUNT(*) FROM training_members WHERE class_id = ?) AS m`,
      )
      .get(classId, classId, classId, classId) as { e: number; c: number; l: string; m: number };
    return `${r.e}.${r.c}.${r.l}.${r.m}`;
  }

  /** The lesson running now, else the next one today, else the last one held. */
  function currentLesson(lessons: StoredLesson[], now: number): StoredLesson | null {
    const today = localDate(now, tz);
    return (
      lessons.find((l) => l.startsAt <= now && now < l.endsAt) ??
      lessons.find((l) => l.day === today && l.startsAt > now) ??
      [...lessons].reverse().find((l) => l.startsAt <= now) ??
      lessons[0] ??
      null
    );
  }

  function attendanceView(v: Viewer, classId: string, lessonId?: string): AttendanceView {
    const c = m.classFor(v, classId);
    const now = clock.now();
    const { lessons, people, byMember } = grid(c, now);
    const lesson = lessonId ? (lessons.find((l) => l.id === lessonId) ?? null) : currentLesson(lessons, now);
    if (lessonId && !lesson) throw new ValidationError([{ path: 'lessonId', problem: `no such lesson in class ${c.name}`, got: lessonId }]);
    const idx = lesson ? lessons.indexOf(lesson) : -1;
    const counts: Record<string, number> = {};
    const rows = people.map((p) => {
      const presence = idx >= 0 ? byMember.get(p.idNumber)![idx]! : null;
      if (presence) counts[presence.state] = (counts[presence.state] ?? 0) + 1;
      return {
        idNumber: p.idNumber,
        idNumberMasked: maskIdNumber(p.idNumber),
        name: p.name,
        employer: p.employer,
        photoUrl: p.photo ? `/api/training/classes/${encodeURIComponent(c.id)}/members/${encodeURIComponent(p.idNumber)}/photo` : null,
        presence,
      };
    });
    const counted = m.signedInCounts(c.id);
    return {
      class: { id: c.id, name: c.name },
      lesson: lesson ? m.lessonView(lesson, c, counted.get(lesson.id) ?? 0, now) : null,
      now: iso(now),
      version: version(c.id),
      counts,
      members: rows,
    };
  }

  function correctionView(c: ClassRow, r: CorrectionRow & { reason: string; actor: string; at: number }): CorrectionView {
    return {
      id: r.id,
      classId: c.id,
      lessonId: r.lessonId,
      idNumber: r.idNumber,
      name: members.member(c.id, r.idNumber)?.name ?? '',
      kind: r.kind,
      inAt: r.inAt === null ? null : iso(r.inAt),
      outAt: r.outAt === null ? null : iso(r.outAt),
      reason: r.reason,
      actor: r.actor,
      at: iso(r.at),
    };
  }

  function corrections(v: Viewer, classId: string): CorrectionView[] {
    const c = m.classFor(v, classId);
    const rows = db
      .prepare(
        `SELECT id, lesson_id AS lessonId, id_number AS idNumber, kind, in_at AS inAt, out_at AS outAt, reason, actor, at
           FROM training_corrections WHERE class_id = ? ORDER BY id`,
      )
      .all(c.id) as (CorrectionRow & { reason: string; actor: string; at: number })[];
    return rows.map((r) => correctionView(c, r));
  }

  /** A time as typed for a correction: ISO (with or without offset: the site clock) or HH:MM on the lesson's day. */
  function timeOn(l: StoredLesson, raw: string | undefined, path: string): number {
    if (!raw) throw new ValidationError([{ path, problem: 'is needed for a presence correction' }]);
    const hhmm = /^(\d{1,2}):(\d{2})$/.exec(raw.trim());
    const at = hhmm ? parseInstant(`${l.day}T${hhmm[1]!.padStart(2, '0')}:${hhmm[2]}`, tz) : parseInstant(raw, tz);
    if (at === null) throw new ValidationError([{ path, problem: 'must be a time HH:MM or an ISO 8601 date-time', got: raw }]);
    return at;
  }

  function correct(v: Viewer, classId: string, input: NewCorrection, actor: string, ip: string | null = null): CorrectionView {
    const c = m.classToManage(v, classId);
    const idNumber = normaliseIdNumber(input.idNumber);
    const mem = members.member(c.id, idNumber);
    if (!mem) throw new ValidationError([{ path: 'idNumber', problem: `is not a member of class ${c.name}`, got: maskIdNumber(idNumber) }]);
    const l = m.lessonsOf(c.id).find((x) => x.id === input.lessonId);
    if (!l) throw new ValidationError([{ path: 'lessonId', problem: `no such lesson in class ${c.name}`, got: input.lessonId }]);
    const reason = input.reason.trim();
    if ([...reason].length < 4)
      throw new ValidationError([{ path: 'reason', problem: 'say why in at least 4 characters (it goes into the audit log)', got: input.reason }]);
    const now = clock.now();
    let inAt: number | null = null;
    let outAt: number | null = null;
    if (input.kind === 'presence') {
      inAt = timeOn(l, input.inAt, 'inAt');
      outAt = timeOn(l, input.outAt, 'outAt');
      if (outAt <= inAt) throw new ValidationError([{ path: 'outAt', problem: 'must be after inAt', got: input.outAt }]);
      if (outAt > now)
        throw new ValidationError([{ path: 'outAt', problem: 'is in the future: a presence is entered once it has happened', got: input.outAt }]);
    } else if (input.inAt || input.outAt) {
      throw new ValidationError([{ path: 'inAt', problem: `a ${input.kind} correction takes no times` }]);
    }
    const before = db.prepare('SELECT id, kind FROM training_corrections WHERE lesson_id = ? AND id_number = ? ORDER BY id DESC LIMIT 1').get(l.id, idNumber) as
      | { id: number; kind: string }
      | undefined;
    if (input.kind === 'withdrawn' && (!before || before.kind === 'withdrawn'))
      throw new Conflict(`no correction in force for ${mem.name} in ${l.topic}: nothing to withdraw`);
    let id = 0;
    db.transaction(() => {
      id = Number(
        db
          .prepare(
            'INSERT INTO training_corrections (class_id, lesson_id, id_number, kind, in_at, out_at, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(c.id, l.id, idNumber, input.kind, inAt, outAt, reason, actor, now).lastInsertRowid,
      );
      audit.append({
        actor,
        action: `training.correction.${input.kind}`,
        target: c.id,
        detail: { correctionId: id, lessonId: l.id, idNumber: maskIdNumber(idNumber), inAt, outAt, reason, replaces: before?.id ?? null },
        ip,
      });
    }).immediate();
    bus.emit('training.attendance', { classId: c.id, lessonId: l.id, idNumber, action: 'correction', at: now, hours: null });
    return corrections(v, c.id).find((x) => x.id === id)!;
  }

  /** Who did not attend in full, per lesson held: the district report's raw list (trainrec builds the report). */
  function absences(v: Viewer, classId: string): Absences {
    const c = m.classFor(v, classId);
    const now = clock.now();
    const { lessons, people, byMember } = grid(c, now);
    const out: Absences['absences'] = [];
    lessons.forEach((l, i) => {
      if (l.endsAt > now) return; // not ended: in progress or to come, nobody has missed it yet
      for (const p of people) {
        const x = byMember.get(p.idNumber)![i]!;
        const kind =
          x.state === 'missing'
            ? 'missing'
            : x.state === 'no_sign_out'
              ? 'no_sign_out'
              : x.state === 'excused'
                ? 'excused'
                : x.earlyMinutes !== null && x.state !== 'in' && x.state !== 'late'
                  ? 'left_early'
                  : x.lateMinutes !== null
                    ? 'late'
                    : null;
        if (kind)
          out.push({
            lessonId: l.id,
            day: l.day,
            start: localTime(l.startsAt, tz),
            end: l.kind === 'day' ? '24:00' : localTime(l.endsAt, tz),
            topic: l.topic,
            idNumber: maskIdNumber(p.idNumber),
            name: p.name,
            kind,
            credited: x.credited,
            hours: l.hours,
          });
      }
    });
    return { class: m.classView(c), absences: out };
  }

  function absencesCsv(v: Viewer, classId: string): string {
    const a = absences(v, classId);
    const label = { missing: '缺勤', no_sign_out: '未签退', excused: '请假', left_early: '早退', late: '迟到' } as const;
    return toCsv([
      ['培训班', '培训机构', '日期', '时间', '课程', '姓名', '身份证号', '情况', '计入学时', '本课学时'],
      ...a.absences.map((x) => [
        a.class.name,
        a.class.institution,
        x.day,
        `${x.start}-${x.end}`,
        x.topic,
        x.name,
        x.idNumber,
        label[x.kind],
        x.credited,
        x.hours,
      ]),
    ]);
  }

  /**
   * Credited 学时 per ID number over some lessons — a calendar year's (site calendar, by the lesson's day)
   * or one class's — optionally only for some ID numbers (a roster's). One grouped query pairs each
   * person's sign-in and sign-out per lesson; corrections (few) are applied on top by the same rule
   * (credit.ts), so the figures equal the class view's. bench/training.ts measures it.
   */
  function credited(scope: { year?: number; classId?: string; only?: Set<string> }): Map<string, { hours: number; byClass: Map<string, number> }> {
    const where: string[] = ['l.cancelled_at IS NULL'];
    const args: (string | number)[] = [];
    if (scope.year !== undefined) {
      where.push('l.day BETWEEN ? AND ?');
      args.push(`${scope.year}-01-01`, `${scope.year}-12-31`);
    }
    if (scope.classId !== undefined) {
      where.push('l.class_id = ?');
      args.push(scope.classId);
    }
    const ids = scope.only ? JSON.stringify([...scope.only]) : null;
    const lessonSql = `SELECT id, class_id AS classId, kind, day, starts_at AS startsAt, ends_at AS endsAt, hours, cancelled_at AS cancelledAt
      FROM training_lessons l WHERE ${where.join(' AND ')}`;
    const lessons = new Map<string, LessonRow>((db.prepare(lessonSql).all(...args) as LessonRow[]).map((l) => [l.id, l]));
    const personFilter = ids ? ' AND e.id_number IN (SELECT value FROM json_each(?))' : '';
    const pairs = db
      .prepare(
        `SELECT e.lesson_id, e.id_number, MAX(CASE WHEN e.kind = 'sign_in' THEN e.at END), MAX(CASE WHEN e.kind = 'sign_out' THEN e.at END)
           FROM training_lessons l JOIN training_events e ON e.lesson_id = l.id
          WHERE ${where.join(' AND ')}${personFilter} GROUP BY e.lesson_id, e.id_number`,
      )
      .raw()
      .all(...args, ...(ids ? [ids] : [])) as [string, string, number | null, number | null][];
    const corr = db
      .prepare(
        `SELECT c.id, c.lesson_id AS lessonId, c.id_number AS idNumber, c.kind, c.in_at AS inAt, c.out_at AS outAt
           FROM training_lessons l JOIN training_corrections c ON c.lesson_id = l.id WHERE ${where.join(' AND ')}${personFilter.replace('e.id_number', 'c.id_number')}`,
      )
      .all(...args, ...(ids ? [ids] : [])) as CorrectionRow[];
    const co = group(corr);
    const out = new Map<string, { hours: number; byClass: Map<string, number> }>();
    const add = (idNumber: string, classId: string, h: number) => {
      let p = out.get(idNumber);
      if (!p) out.set(idNumber, (p = { hours: 0, byClass: new Map() }));
      p.hours += h;
      p.byClass.set(classId, (p.byClass.get(classId) ?? 0) + h);
    };
    const now = clock.now();
    const seen = new Set<string>();
    for (const [lessonId, idNumber, inAt, outAt] of pairs) {
      const l = lessons.get(lessonId);
      if (!l) continue;
      const k = key(lessonId, idNumber);
      const corrections = co.get(k);
      if (corrections) {
        seen.add(k);
        const events: EventRow[] = [];
        if (inAt !== null) events.push({ lessonId, idNumber, kind: 'sign_in', at: inAt, via: 'face' });
        if (outAt !== null) events.push({ lessonId, idNumber, kind: 'sign_out', at: outAt, via: 'face' });
        add(idNumber, l.classId, presenceOf(l, events, corrections, now, settings).credited);
      } else add(idNumber, l.classId, inAt !== null && outAt !== null ? creditFor(l, inAt, outAt) : 0);
    }
    for (const [k, corrections] of co) {
      if (seen.has(k)) continue;
      const l = lessons.get(corrections[0]!.lessonId);
      if (l) add(corrections[0]!.idNumber, l.classId, presenceOf(l, [], corrections, now, settings).credited);
    }
    for (const p of out.values()) {
      p.hours = roundSum(p.hours);
      for (const [c, h] of p.byClass) p.byClass.set(c, roundSum(h));
    }
    return out;
  }

  const annualHoursAll = (year: number, only?: Set<string>) => credited({ year, ...(only ? { only } : {}) });

  function annualHours(v: Viewer, idNumberRaw: string, year: number): AnnualHours {
    const idNumber = normaliseIdNumber(idNumberRaw);
    const all = annualHoursAll(year, new Set([idNumber])).get(idNumber);
    const classes = (
      db
        .prepare(
          `SELECT DISTINCT c.id FROM training_members mm JOIN training_classes c ON c.id = mm.class_id
            WHERE mm.id_number = ? AND c.starts_on <= ? AND c.ends_on >= ? ORDER BY c.starts_on`,
        )
        .all(idNumber, `${year}-12-31`, `${year}-01-01`) as { id: string }[]
    )
      .map((r) => m.classRow(r.id)!)
      .filter((c) => m.canSee(v, c));
    const lines = classes.map((c) => ({
      classId: c.id,
      name: c.name,
      institution: c.institution,
      category: c.category,
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      requiredHours: c.requiredHours,
      creditedHours: all?.byClass.get(c.id) ?? 0,
    }));
    return { idNumber, year, hours: roundSum(lines.reduce((s, x) => s + x.creditedHours, 0)), classes: lines };
  }

  return { hoursOfMember, classHours, attendanceView, version, corrections, correct, absences, absencesCsv, credited, annualHoursAll, annualHours, grid };
}

export type Attendance = ReturnType<typeof createAttendance>;
