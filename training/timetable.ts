// A class's timetable (课程表): lessons added one by one or imported from an .xlsx/.csv through the
// project's bounded table reader. Every check names its row: a lesson outside the class's dates, end not
// after start, an unknown teacher, a teacher or a room booked twice at once (in the file or by another
// class), and 学时 that do not add up to the class's required hours. All or nothing; audited.
import { Conflict, ValidationError, formatProblem, isDate, localTime, newId, type Problem } from '../core/index.ts';
import { headerKey, readTable } from '../documents/index.ts';
import type { Classes } from './classes.ts';
import type { LessonPatch, LessonView, NewLesson, TimetableImportReply } from './protocol.ts';
import { round1, type ClassRow, type Model, type StoredLesson, type TrainingDeps, type Viewer } from './model.ts';

/** The columns of a timetable file, by the Chinese header people use; English names for JSON and scripts. */
export const TIMETABLE_COLUMNS = {
  day: ['日期', '上课日期', 'date', 'day'],
  start: ['开始', '开始时间', '起始时间', 'start'],
  end: ['结束', '结束时间', 'end'],
  time: ['时间', '上课时间', '时段', 'time'],
  topic: ['课程', '课程名称', '内容', '培训内容', '主题', 'topic'],
  teacher: ['教师', '授课教师', '讲师', '授课人', 'teacher'],
  hours: ['学时', 'hours'],
  room: ['教室', '培训教室', 'room'],
} as const;
type Col = keyof typeof TIMETABLE_COLUMNS;

interface Planned {
  where: string;
  day: string;
  startsAt: number;
  endsAt: number;
  start: string;
  end: string;
  topic: string;
  teacherId: string | null;
  teacherName: string | null;
  hours: number;
  roomId: string | null;
}

/** HH:MM from what a cell holds: "8:30", "08:30", "08:30:00", or Excel's fraction of a day (0.354166…). */
export function timeOf(raw: string): string | null {
  const s = raw.normalize('NFKC').trim().replace('：', ':');
  let m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(s);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    return h <= 24 && min <= 59 && (h < 24 || min === 0) ? `${String(h).padStart(2, '0')}:${m[2]}` : null;
  }
  m = /^0?\.\d+$/.exec(s);
  if (m) {
    const minutes = Math.round(Number(s) * 24 * 60);
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }
  return null;
}

/** YYYY-MM-DD from "2026-03-10", "2026/3/10", "2026年3月10日" or an Excel date serial. */
export function dateOf(raw: string): string | null {
  const s = raw.normalize('NFKC').trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (m) {
    const d = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    return isDate(d) ? d : null;
  }
  m = /^(\d{5})(?:\.0+)?$/.exec(s);
  if (m) return new Date(Date.UTC(1899, 11, 30) + Number(m[1]) * 86_400_000).toISOString().slice(0, 10);
  return null;
}

const overlaps = (a: { startsAt: number; endsAt: number }, b: { startsAt: number; endsAt: number }) => a.startsAt < b.endsAt && b.startsAt < a.endsAt;

export function createTimetable(deps: TrainingDeps, m: Model, classes: Classes) {
  const { db, clock, config, audit, bus } = deps;

  const instant = (day: string, hhmm: string) => classes.dayStart(day) + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * 60_000;

  /** Lessons of other classes (and of this class not being replaced) that a new lesson must not collide with. */
  function booked(fromMs: number, toMs: number, exceptLessons: Set<string>) {
    return (
      db
        .prepare(
          `SELECT l.id, l.class_id AS classId, c.name AS className, l.day, l.starts_at AS startsAt, l.ends_at AS endsAt, l.topic, l.teacher_id AS teacherId,
                  COALESCE(l.room_id, c.room_id) AS roomId
             FROM training_lessons l JOIN training_classes c ON c.id = l.class_id
            WHERE l.cancelled_at IS NULL AND l.kind = 'lesson' AND l.starts_at < ? AND l.ends_at > ?`,
        )
        .all(toMs, fromMs) as {
        id: string;
        classId: string;
        className: string;
        day: string;
        startsAt: number;
        endsAt: number;
        topic: string;
        teacherId: string | null;
        roomId: string | null;
      }[]
    ).filter((l) => !exceptLessons.has(l.id));
  }

  /** Checks one planned lesson against the class, the others in the same batch, and what is booked already. */
  function checkLesson(c: ClassRow, p: Planned, batch: Planned[], existing: ReturnType<typeof booked>, problems: Problem[], col: (k: Col) => string) {
    if (p.day < c.startsOn || p.day > c.endsOn)
      problems.push({ path: col('day'), problem: `is outside the class's dates ${c.startsOn} to ${c.endsOn}`, got: p.day });
    if (p.endsAt <= p.startsAt) problems.push({ path: col('end'), problem: `is not after the start ${p.start}`, got: p.end });
    if (!(p.hours > 0 && p.hours <= 24)) problems.push({ path: col('hours'), problem: 'must be a number of 学时 above 0 and at most 24', got: p.hours });
    else if (p.endsAt > p.startsAt && p.hours > (p.endsAt - p.startsAt) / (45 * 60_000) + 1e-9)
      problems.push({
        path: col('hours'),
        problem: `${p.hours} 学时 do not fit in ${p.start}–${p.end} (a 学时 is at least 45 minutes)`,
        got: p.hours,
      });
    if (p.endsAt <= p.startsAt) return;
    for (const o of batch) {
      if (o === p || !overlaps(o, p)) continue;
      if (o.teacherId && o.teacherId === p.teacherId)
        problems.push({
          path: col('teacher'),
          problem: `${p.teacherName ?? p.teacherId} is booked twice at once: ${o.where} (${o.day} ${o.start}–${o.end}) overlaps`,
        });
      else if (batch.indexOf(o) < batch.indexOf(p))
        problems.push({ path: col('start'), problem: `overlaps ${o.where} (${o.day} ${o.start}–${o.end}) of the same class` });
    }
    for (const o of existing) {
      if (!overlaps(o, p)) continue;
      const other = `class ${o.className} (${o.day} ${localTime(o.startsAt, m.tz)}–${localTime(o.endsAt, m.tz)}, ${o.topic})`;
      if (o.teacherId && o.teacherId === p.teacherId)
        problems.push({ path: col('teacher'), problem: `${p.teacherName ?? p.teacherId} is booked twice at once: ${other}` });
      const room = p.roomId ?? c.roomId;
      if (room && o.roomId === room && o.classId !== c.id) problems.push({ path: col('room'), problem: `room ${room} is booked twice at once: ${other}` });
      if (o.classId === c.id) problems.push({ path: col('start'), problem: `overlaps the class's lesson ${o.day} ${o.topic}` });
    }
  }

  function insert(c: ClassRow, p: Planned, actor: string, now: number): string {
    const id = `tl_${newId(now)}`;
    db.prepare(
      `INSERT INTO training_lessons (id, class_id, kind, day, starts_at, ends_at, topic, teacher_id, hours, room_id, created_at, created_by, updated_at)
       VALUES (?, ?, 'lesson', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, c.id, p.day, p.startsAt, p.endsAt, p.topic, p.teacherId, p.hours, p.roomId, now, actor, now);
    return id;
  }

  function views(c: ClassRow): LessonView[] {
    const counts = m.signedInCounts(c.id);
    return m.lessonsOf(c.id, { withCancelled: true }).map((l) => m.lessonView(l, c, counts.get(l.id) ?? 0));
  }

  function plan(c: ClassRow, input: NewLesson, problems: Problem[], where = 'lesson'): Planned {
    const day = isDate(input.day) ? input.day : null;
    const start = timeOf(input.start);
    const end = timeOf(input.end);
    if (!day) problems.push({ path: 'day', problem: 'must be a date YYYY-MM-DD', got: input.day });
    if (!start) problems.push({ path: 'start', problem: 'must be a time HH:MM', got: input.start });
    if (!end) problems.push({ path: 'end', problem: 'must be a time HH:MM', got: input.end });
    let teacherName: string | null = null;
    if (input.teacherId) {
      const t = classes.teacherRow(input.teacherId);
      if (!t) problems.push({ path: 'teacherId', problem: 'no such teacher', got: input.teacherId });
      else if (t.retiredAt !== null) problems.push({ path: 'teacherId', problem: 'is retired from the teacher list', got: input.teacherId });
      else teacherName = t.name;
    }
    if (input.roomId && !config.rooms.some((r) => r.id === input.roomId)) problems.push({ path: 'roomId', problem: 'no such room', got: input.roomId });
    const d = day ?? c.startsOn;
    return {
      where,
      day: d,
      start: start ?? '00:00',
      end: end ?? '00:00',
      startsAt: instant(d, start ?? '00:00'),
      endsAt: instant(d, end ?? '00:00'),
      topic: input.topic.trim(),
      teacherId: input.teacherId ?? null,
      teacherName,
      hours: input.hours,
      roomId: input.roomId ?? null,
    };
  }

  function add(v: Viewer, classId: string, input: NewLesson, actor: string, ip: string | null = null): LessonView {
    const c = m.classToManage(v, classId);
    if (c.kind === 'daily') throw new Conflict(`class ${c.name} is a day-sitting class (kind daily): it has no timetable`);
    const problems: Problem[] = [];
    const p = plan(c, input, problems);
    if (!problems.length) checkLesson(c, p, [p], booked(p.startsAt, p.endsAt, new Set()), problems, (k) => k);
    if (problems.length) throw new ValidationError(problems);
    let id = '';
    db.transaction(() => {
      id = insert(c, p, actor, clock.now());
      audit.append({ actor, action: 'training.lesson.create', target: c.id, detail: { lessonId: id, ...input }, ip });
    }).immediate();
    bus.emit('training.timetable', { classId: c.id });
    return views(c).find((l) => l.id === id)!;
  }

  function lessonOf(c: ClassRow, lessonId: string): StoredLesson {
    const l = m.lessonsOf(c.id, { withCancelled: true }).find((x) => x.id === lessonId);
    if (!l) throw new ValidationError([{ path: 'lessonId', problem: `no such lesson in class ${c.name}`, got: lessonId }]);
    return l;
  }

  function update(v: Viewer, classId: string, lessonId: string, patch: LessonPatch, actor: string, ip: string | null = null): LessonView {
    const c = m.classToManage(v, classId);
    const l = lessonOf(c, lessonId);
    if (l.kind === 'day') throw new Conflict('a migrated day sitting is not edited; it only keeps its records');
    const signed = m.signedInCounts(c.id).get(l.id) ?? 0;
    const timesChange = patch.day !== undefined || patch.start !== undefined || patch.end !== undefined || patch.hours !== undefined;
    if (signed && timesChange)
      throw new Conflict(`lesson ${l.day} ${l.topic} has ${signed} sign-in(s): its times and 学时 stay as they were (cancel it with a reason instead)`);
    const view = m.lessonView(l, c, 0);
    const merged: NewLesson = {
      day: patch.day ?? l.day,
      start: patch.start ?? view.start,
      end: patch.end ?? view.end,
      topic: patch.topic ?? l.topic,
      teacherId: patch.teacherId !== undefined ? patch.teacherId : l.teacherId,
      hours: patch.hours ?? l.hours,
      roomId: patch.roomId !== undefined ? patch.roomId : l.roomId,
    };
    const problems: Problem[] = [];
    const p = plan(c, merged, problems);
    if (!problems.length) checkLesson(c, p, [p], booked(p.startsAt, p.endsAt, new Set([l.id])), problems, (k) => k);
    if (problems.length) throw new ValidationError(problems);
    db.transaction(() => {
      db.prepare(
        'UPDATE training_lessons SET day = ?, starts_at = ?, ends_at = ?, topic = ?, teacher_id = ?, hours = ?, room_id = ?, updated_at = ? WHERE id = ?',
      ).run(p.day, p.startsAt, p.endsAt, p.topic, p.teacherId, p.hours, p.roomId, clock.now(), l.id);
      audit.append({ actor, action: 'training.lesson.update', target: c.id, detail: { lessonId: l.id, changes: patch }, ip });
    }).immediate();
    bus.emit('training.timetable', { classId: c.id });
    return views(c).find((x) => x.id === l.id)!;
  }

  /** Nobody signed in: the lesson goes. Otherwise it is cancelled and kept with its reason (its sign-ins are records). */
  function remove(v: Viewer, classId: string, lessonId: string, reason: string, actor: string, ip: string | null = null) {
    const c = m.classToManage(v, classId);
    const l = lessonOf(c, lessonId);
    const signed = (db.prepare('SELECT COUNT(*) AS n FROM training_events WHERE lesson_id = ?').get(l.id) as { n: number }).n;
    const corrected = (db.prepare('SELECT COUNT(*) AS n FROM training_corrections WHERE lesson_id = ?').get(l.id) as { n: number }).n;
    db.transaction(() => {
      if (signed || corrected)
        db.prepare('UPDATE training_lessons SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ?, updated_at = ? WHERE id = ?').run(
          clock.now(),
          actor,
          reason.trim(),
          clock.now(),
          l.id,
        );
      else db.prepare('DELETE FROM training_lessons WHERE id = ?').run(l.id);
      audit.append({
        actor,
        action: signed || corrected ? 'training.lesson.cancel' : 'training.lesson.delete',
        target: c.id,
        detail: { lessonId: l.id, day: l.day, topic: l.topic, reason },
        ip,
      });
    }).immediate();
    bus.emit('training.timetable', { classId: c.id });
    return { lessonId: l.id, removed: !(signed || corrected), cancelled: Boolean(signed || corrected) };
  }

  /**
   * The timetable file: all or nothing. replace: the lessons nobody signed in to are replaced (a lesson
   * with sign-ins refuses the import); without it the class must have no lessons yet.
   */
  async function importFile(
    v: Viewer,
    classId: string,
    file: { bytes: Buffer; filename: string },
    opts: { replace: boolean; dryRun: boolean },
    actor: string,
    ip: string | null = null,
  ): Promise<TimetableImportReply> {
    const c = m.classToManage(v, classId);
    if (c.kind === 'daily') throw new Conflict(`class ${c.name} is a day-sitting class (kind daily): it has no timetable`);
    if (!/\.(xlsx|csv|json)$/i.test(file.filename))
      throw new ValidationError([
        { path: 'filename', problem: 'a timetable is read from .xlsx, .csv or .json (an old .xls: save it as .xlsx)', got: file.filename },
      ]);
    const table = await readTable(file.bytes, file.filename);
    const names = (k: Col) => TIMETABLE_COLUMNS[k].map((n) => headerKey(n).toLowerCase());
    const headerOf = (k: Col) => table.headers.find((h) => names(k).includes(headerKey(h).toLowerCase())) ?? null;
    const problems: Problem[] = [];
    const hasTimes = (headerOf('start') && headerOf('end')) || headerOf('time');
    for (const k of ['day', 'topic', 'hours'] as Col[])
      if (!headerOf(k))
        problems.push({ path: `column ${TIMETABLE_COLUMNS[k][0]}`, problem: `missing from the header row (found: ${table.headers.join(', ') || 'nothing'})` });
    if (!hasTimes) problems.push({ path: 'column 开始', problem: 'missing: give 开始 and 结束, or 时间 as 08:30-10:30' });
    if (problems.length) throw new ValidationError(problems, `timetable ${file.filename}: ${problems.map(formatProblem).join('; ')}; nothing was imported`);
    if (table.rows.length === 0) throw new ValidationError([{ path: file.filename, problem: 'has a header row but no lessons' }]);

    const existing = m.lessonsOf(c.id);
    const counts = m.signedInCounts(c.id);
    if (existing.length && !opts.replace)
      throw new Conflict(`class ${c.name} has ${existing.length} lessons already: import with replace=1 to replace those nobody has signed in to`);
    const corrected = new Set(
      (db.prepare('SELECT DISTINCT lesson_id AS l FROM training_corrections WHERE class_id = ?').all(c.id) as { l: string }[]).map((r) => r.l),
    );
    const kept = existing.filter((l) => counts.get(l.id) || corrected.has(l.id));
    if (opts.replace && kept.length)
      throw new Conflict(
        `lessons with sign-ins or corrections cannot be replaced: ${kept.map((l) => `${l.day} ${l.topic}`).join('; ')}; change the other lessons one by one`,
      );

    const planned: Planned[] = [];
    const cols: Record<string, (k: Col) => string> = {};
    for (const r of table.rows) {
      const cell = (k: Col) => {
        const h = headerOf(k);
        return h ? (r.cells[h] ?? '').trim() : '';
      };
      const at = (k: Col) => `row ${r.row}, column ${headerOf(k) ?? TIMETABLE_COLUMNS[k][0]}`;
      if (Object.values(r.cells).every((x) => !x.trim())) continue;
      const before = problems.length;
      const day = dateOf(cell('day'));
      if (!day) problems.push({ path: at('day'), problem: 'must be a date such as 2026-03-10', got: cell('day') });
      let start = timeOf(cell('start'));
      let end = timeOf(cell('end'));
      if ((!start || !end) && cell('time')) {
        const parts = cell('time')
          .normalize('NFKC')
          .split(/\s*[-–—~至到]\s*/);
        start = parts.length === 2 ? timeOf(parts[0]!) : null;
        end = parts.length === 2 ? timeOf(parts[1]!) : null;
        if (!start || !end) problems.push({ path: at('time'), problem: 'must be a span such as 08:30-10:30', got: cell('time') });
      } else {
        if (!start) problems.push({ path: at('start'), problem: 'must be a time such as 08:30', got: cell('start') });
        if (!end) problems.push({ path: at('end'), problem: 'must be a time such as 10:30', got: cell('end') });
      }
      const topic = cell('topic').normalize('NFKC').trim();
      if (!topic) problems.push({ path: at('topic'), problem: 'must name the lesson' });
      else if ([...topic].length > 200) problems.push({ path: at('topic'), problem: 'must be at most 200 characters', got: topic });
      const hoursText = cell('hours').normalize('NFKC');
      const hours = Number(hoursText);
      if (!hoursText || !Number.isFinite(hours)) problems.push({ path: at('hours'), problem: 'must be a number of 学时', got: hoursText });
      let teacherId: string | null = null;
      let teacherName: string | null = null;
      if (cell('teacher')) {
        const t = classes.teacherByName(cell('teacher'));
        if ('problem' in t) problems.push({ path: at('teacher'), problem: t.problem, got: cell('teacher') });
        else {
          teacherId = t.id;
          teacherName = classes.teacherRow(t.id)!.name;
        }
      }
      const room = cell('room') || null;
      const roomId = room ? (config.rooms.find((x) => x.id === room || x.name === room)?.id ?? null) : null;
      if (room && !roomId) problems.push({ path: at('room'), problem: `no such room (rooms are ${config.rooms.map((x) => x.id).join(', ')})`, got: room });
      if (problems.length > before) continue;
      const p: Planned = {
        where: `row ${r.row}`,
        day: day!,
        start: start!,
        end: end!,
        startsAt: instant(day!, start!),
        endsAt: instant(day!, end!),
        topic,
        teacherId,
        teacherName,
        hours,
        roomId,
      };
      planned.push(p);
      cols[p.where] = at;
    }
    if (planned.length) {
      const from = Math.min(...planned.map((p) => p.startsAt));
      const to = Math.max(...planned.map((p) => p.endsAt));
      const others = booked(from, to, new Set(existing.map((l) => l.id)));
      for (const p of planned) checkLesson(c, p, planned, others, problems, cols[p.where]!);
    }
    const total = round1(planned.reduce((s, p) => s + (Number.isFinite(p.hours) ? p.hours : 0), 0));
    if (!problems.length && total !== c.requiredHours)
      problems.push({
        path: `column ${headerOf('hours') ?? '学时'}`,
        problem: `the lessons add up to ${total} 学时; class ${c.name} requires ${c.requiredHours} (${c.requiredHoursSource ?? 'set'})`,
        got: total,
      });
    if (problems.length) {
      const rowOf = (p: Problem) => Number(/^row (\d+)/.exec(p.path)?.[1] ?? 1e9);
      problems.sort((a, b) => rowOf(a) - rowOf(b));
      throw new ValidationError(
        problems,
        `timetable ${file.filename}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      );
    }
    if (opts.dryRun) {
      return {
        classId: c.id,
        dryRun: true,
        lessons: planned.map((p, i) =>
          m.lessonView({ ...p, id: `row-${i}`, classId: c.id, kind: 'lesson', cancelledAt: null, cancelReason: null } as StoredLesson, c, 0),
        ),
        totalHours: total,
        replaced: existing.length,
      };
    }
    db.transaction(() => {
      const now = clock.now();
      for (const l of existing) db.prepare('DELETE FROM training_lessons WHERE id = ?').run(l.id);
      for (const p of planned) insert(c, p, actor, now);
      audit.append({
        actor,
        action: 'training.timetable.import',
        target: c.id,
        detail: { file: file.filename, lessons: planned.length, hours: total, replaced: existing.length },
        ip,
      });
    }).immediate();
    bus.emit('training.timetable', { classId: c.id });
    return { classId: c.id, dryRun: false, lessons: views(c), totalHours: total, replaced: existing.length };
  }

  /** What is wrong with the timetable as it stands, for the class page (the import refuses these; edits one by one may pass through them). */
  function problemsOf(c: ClassRow): { path: string; problem: string }[] {
    if (c.kind === 'daily') return [];
    const lessons = m.lessonsOf(c.id);
    const out: { path: string; problem: string }[] = [];
    const total = round1(lessons.reduce((s, l) => s + l.hours, 0));
    if (total !== c.requiredHours) out.push({ path: '学时', problem: `the lessons add up to ${total} 学时; the class requires ${c.requiredHours}` });
    for (const l of lessons) if (l.day < c.startsOn || l.day > c.endsOn) out.push({ path: `lesson ${l.id}`, problem: `${l.day} is outside the class's dates` });
    if (!c.headteacher) out.push({ path: 'headteacher', problem: 'no 班主任: nobody can confirm a trainee who declines face recognition but an admin' });
    return out;
  }

  return { add, update, remove, importFile, views, problemsOf, lessonOf };
}

export type Timetable = ReturnType<typeof createTimetable>;
