// Classes (培训班) and the site's teachers (师资): create, change, list — every change audited. A class's
// required hours come from the rules (config `rules:`, per category and operation item) unless typed in,
// and the class keeps where they came from; its 班主任 is a user of role headteacher (or an admin).
import { Conflict, ValidationError, isDate, newId, type Problem } from '../core/index.ts';
import { ruleFor, type AppliedRule, type RuleCategory } from '../config/index.ts';
import type { ClassPatch, ClassView, NewClass, NewTeacher, TeacherPatch, TeacherView } from './protocol.ts';
import { iso, type ClassRow, type Model, type TrainingDeps, type Viewer } from './model.ts';

/** The rule a class of this category and item falls under (items: 作业类别 for special operations, industry otherwise). */
export function classRule(rules: TrainingDeps['config']['rules'], category: RuleCategory, item: string | null): AppliedRule {
  return ruleFor(rules, {
    category,
    operationClass: category === 'special_operation' ? item : null,
    industry: (category === 'special_operation' ? '' : (item ?? '')) as never,
  });
}

interface TeacherRow {
  id: string;
  name: string;
  title: string;
  qualification: string;
  rse: number;
  createdAt: number;
  updatedAt: number;
  retiredAt: number | null;
}
const TEACHER_COLS =
  'id, name, title, qualification, registered_safety_engineer AS rse, created_at AS createdAt, updated_at AS updatedAt, retired_at AS retiredAt';
const teacherView = (t: TeacherRow): TeacherView => ({
  id: t.id,
  name: t.name,
  title: t.title,
  qualification: t.qualification,
  registeredSafetyEngineer: t.rse === 1,
  retired: t.retiredAt !== null,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
});

export function createClasses(deps: TrainingDeps, m: Model) {
  const { db, clock, config, audit } = deps;

  function checkHeadteacher(username: string | null | undefined, problems: Problem[]): void {
    if (!username) return;
    const u = db.prepare('SELECT role, disabled FROM users WHERE username = ?').get(username) as { role: string; disabled: number } | undefined;
    if (!u) problems.push({ path: 'headteacher', problem: 'no such user (add one with role headteacher: 班主任)', got: username });
    else if (u.role !== 'headteacher' && u.role !== 'admin')
      problems.push({ path: 'headteacher', problem: `is a ${u.role}; a 班主任 is a user of role headteacher (or an admin)`, got: username });
    else if (u.disabled) problems.push({ path: 'headteacher', problem: 'is a disabled user', got: username });
  }

  function checkRoom(roomId: string | null | undefined, problems: Problem[], path = 'roomId'): void {
    if (roomId && !config.rooms.some((r) => r.id === roomId))
      problems.push({ path, problem: `no such room (rooms are ${config.rooms.map((r) => r.id).join(', ')})`, got: roomId });
  }

  function create(input: NewClass, actor: string, ip: string | null = null): ClassView {
    const problems: Problem[] = [];
    const name = input.name.trim();
    const institution = input.institution.trim();
    if (!name) problems.push({ path: 'name', problem: 'must not be empty' });
    if (!institution) problems.push({ path: 'institution', problem: 'must name the training institution' });
    if (!isDate(input.startsOn)) problems.push({ path: 'startsOn', problem: 'must be a date YYYY-MM-DD', got: input.startsOn });
    if (!isDate(input.endsOn)) problems.push({ path: 'endsOn', problem: 'must be a date YYYY-MM-DD', got: input.endsOn });
    if (isDate(input.startsOn) && isDate(input.endsOn) && input.endsOn < input.startsOn)
      problems.push({ path: 'endsOn', problem: `is before startsOn ${input.startsOn}`, got: input.endsOn });
    checkHeadteacher(input.headteacher, problems);
    checkRoom(input.roomId, problems);
    const daily = input.dailyHours !== undefined;
    const category = input.category ?? null;
    const item = input.operationItem?.normalize('NFKC').trim() || null;
    if (!daily && !category)
      problems.push({ path: 'category', problem: 'a class with a timetable names its personnel category (principal, safety_manager, special_operation)' });
    if (category === 'special_operation' && !item)
      problems.push({ path: 'operationItem', problem: 'a special-operations class names its operation item (作业类别)' });
    let requiredHours = input.requiredHours ?? null;
    let requiredHoursSource = 'set';
    const days = isDate(input.startsOn) && isDate(input.endsOn) ? (Date.parse(input.endsOn) - Date.parse(input.startsOn)) / 86_400_000 + 1 : 1;
    if (requiredHours === null && daily) {
      requiredHours = input.dailyHours! * days;
      requiredHoursSource = 'dailyHours × days';
    } else if (requiredHours === null && category) {
      const rule = classRule(config.rules, category, item);
      requiredHours = rule.training.classHours;
      requiredHoursSource = `${rule.path}.training.classHours`;
      if (requiredHours === null)
        problems.push({ path: 'requiredHours', problem: `${rule.path} sets no class hours (rules: ${category}: training: classHours): give requiredHours` });
    }
    if (problems.length) throw new ValidationError(problems);
    const id = `tc_${newId(clock.now())}`;
    const now = clock.now();
    db.transaction(() => {
      db.prepare(
        `INSERT INTO training_classes (id, name, institution, starts_on, ends_on, daily_hours, created_at, created_by, kind, category, operation_item,
           training_type, room_id, required_hours, required_hours_source, headteacher, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        name,
        institution,
        input.startsOn,
        input.endsOn,
        // daily_hours (008, NOT NULL) has no meaning for a timetable class: its average day is kept.
        daily ? input.dailyHours! : Math.min(24, Math.max(0.1, requiredHours! / days)),
        now,
        actor,
        daily ? 'daily' : 'timetable',
        category,
        item,
        input.trainingType ?? 'initial',
        input.roomId ?? null,
        requiredHours,
        requiredHoursSource,
        input.headteacher ?? null,
        now,
      );
      if (daily) {
        // The old day class: one whole-day lesson per day, credited by the old rule (migration 032).
        const ins = db.prepare(
          `INSERT INTO training_lessons (id, class_id, kind, day, starts_at, ends_at, topic, hours, created_at, created_by, updated_at)
           VALUES (?, ?, 'day', ?, ?, ?, '全天培训', ?, ?, ?, ?)`,
        );
        for (let d = Date.parse(input.startsOn); d <= Date.parse(input.endsOn); d += 86_400_000) {
          const day = new Date(d).toISOString().slice(0, 10);
          const start = dayStart(day);
          ins.run(`tl_${id}_${day}`, id, day, start, dayStart(nextDay(day)), input.dailyHours!, now, actor, now);
        }
      }
      audit.append({
        actor,
        action: 'training.class.create',
        target: id,
        detail: { ...input, requiredHours, requiredHoursSource },
        ip,
      });
    }).immediate();
    return m.classView(m.classRow(id)!);
  }

  /** Midnight of a site-calendar day, as an instant. */
  function dayStart(day: string): number {
    const guess = Date.parse(`${day}T00:00:00Z`);
    // The zone's offset at that moment (whole minutes); two passes settle a DST edge.
    let t = guess;
    for (let i = 0; i < 2; i++) {
      const local = new Date(t).toLocaleString('sv-SE', { timeZone: m.tz }).replace(' ', 'T');
      t = guess - (Date.parse(`${local}Z`) - t);
    }
    return t;
  }
  const nextDay = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);

  function patch(v: Viewer, classId: string, p: ClassPatch, actor: string, ip: string | null = null): ClassView {
    const c = m.classFor(v, classId);
    if (v.role !== 'admin')
      throw new ValidationError([
        { path: 'classId', problem: 'only an admin changes a class itself; its 班主任 manages its timetable, members and attendance' },
      ]);
    const problems: Problem[] = [];
    const next: ClassRow = { ...c };
    if (p.name !== undefined) next.name = p.name.trim();
    if (p.institution !== undefined) next.institution = p.institution.trim();
    if (p.category !== undefined) next.category = p.category;
    if (p.operationItem !== undefined) next.operationItem = p.operationItem?.normalize('NFKC').trim() || null;
    if (p.trainingType !== undefined) next.trainingType = p.trainingType;
    if (p.roomId !== undefined) next.roomId = p.roomId;
    if (p.startsOn !== undefined) next.startsOn = p.startsOn;
    if (p.endsOn !== undefined) next.endsOn = p.endsOn;
    if (p.requiredHours !== undefined) {
      next.requiredHours = p.requiredHours;
      next.requiredHoursSource = 'set';
    }
    if (p.headteacher !== undefined) next.headteacher = p.headteacher;
    checkHeadteacher(p.headteacher, problems);
    checkRoom(p.roomId, problems);
    if (!isDate(next.startsOn)) problems.push({ path: 'startsOn', problem: 'must be a date YYYY-MM-DD', got: next.startsOn });
    if (!isDate(next.endsOn)) problems.push({ path: 'endsOn', problem: 'must be a date YYYY-MM-DD', got: next.endsOn });
    if (next.endsOn < next.startsOn) problems.push({ path: 'endsOn', problem: `is before startsOn ${next.startsOn}`, got: next.endsOn });
    const outside = m.lessonsOf(c.id).filter((l) => l.day < next.startsOn || l.day > next.endsOn);
    for (const l of outside) problems.push({ path: 'startsOn', problem: `lesson ${l.day} ${l.topic} would fall outside the class's dates; move it first` });
    if (problems.length) throw new ValidationError(problems);
    db.transaction(() => {
      db.prepare(
        `UPDATE training_classes SET name = ?, institution = ?, category = ?, operation_item = ?, training_type = ?, room_id = ?, starts_on = ?, ends_on = ?,
           required_hours = ?, required_hours_source = ?, headteacher = ?, updated_at = ? WHERE id = ?`,
      ).run(
        next.name,
        next.institution,
        next.category,
        next.operationItem,
        next.trainingType,
        next.roomId,
        next.startsOn,
        next.endsOn,
        next.requiredHours,
        next.requiredHoursSource,
        next.headteacher,
        clock.now(),
        c.id,
      );
      audit.append({ actor, action: 'training.class.update', target: c.id, detail: { changes: p }, ip });
    }).immediate();
    return m.classView(m.classRow(c.id)!);
  }

  function list(v: Viewer): ClassView[] {
    const rows = (
      v.role === 'headteacher'
        ? db.prepare(`SELECT id FROM training_classes WHERE headteacher = ? COLLATE NOCASE ORDER BY starts_on DESC, name`).all(v.username ?? '')
        : db.prepare('SELECT id FROM training_classes ORDER BY starts_on DESC, name').all()
    ) as { id: string }[];
    return rows.map((r) => m.classView(m.classRow(r.id)!)).filter((c) => c !== null);
  }

  // ---- teachers ------------------------------------------------------------------------------------

  function teacherRow(id: string): TeacherRow | null {
    return (db.prepare(`SELECT ${TEACHER_COLS} FROM training_teachers WHERE id = ?`).get(id) as TeacherRow | undefined) ?? null;
  }

  function teachers(opts: { all?: boolean } = {}): TeacherView[] {
    return (
      db.prepare(`SELECT ${TEACHER_COLS} FROM training_teachers ${opts.all ? '' : 'WHERE retired_at IS NULL'} ORDER BY name, id`).all() as TeacherRow[]
    ).map(teacherView);
  }

  function addTeacher(input: NewTeacher, actor: string, ip: string | null = null): TeacherView {
    const name = input.name.normalize('NFKC').trim();
    if (!name) throw new ValidationError([{ path: 'name', problem: 'must not be empty' }]);
    const id = `tt_${newId(clock.now())}`;
    const now = clock.now();
    db.transaction(() => {
      db.prepare(
        `INSERT INTO training_teachers (id, name, title, qualification, registered_safety_engineer, created_at, created_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, name, input.title?.trim() ?? '', input.qualification?.trim() ?? '', input.registeredSafetyEngineer ? 1 : 0, now, actor, now);
      audit.append({ actor, action: 'training.teacher.create', target: id, detail: { ...input, name }, ip });
    }).immediate();
    return teacherView(teacherRow(id)!);
  }

  function patchTeacher(id: string, p: TeacherPatch, actor: string, ip: string | null = null): TeacherView {
    const t = teacherRow(id);
    if (!t) throw new ValidationError([{ path: 'teacherId', problem: 'no such teacher', got: id }]);
    const name = p.name !== undefined ? p.name.normalize('NFKC').trim() : t.name;
    if (!name) throw new ValidationError([{ path: 'name', problem: 'must not be empty' }]);
    const now = clock.now();
    db.transaction(() => {
      db.prepare(
        'UPDATE training_teachers SET name = ?, title = ?, qualification = ?, registered_safety_engineer = ?, retired_at = ?, updated_at = ? WHERE id = ?',
      ).run(
        name,
        p.title?.trim() ?? t.title,
        p.qualification?.trim() ?? t.qualification,
        p.registeredSafetyEngineer === undefined ? t.rse : p.registeredSafetyEngineer ? 1 : 0,
        p.retired === undefined ? t.retiredAt : p.retired ? (t.retiredAt ?? now) : null,
        now,
        id,
      );
      audit.append({ actor, action: 'training.teacher.update', target: id, detail: { changes: p }, ip });
    }).immediate();
    return teacherView(teacherRow(id)!);
  }

  /** A teacher by name as a timetable file writes it (the active one; two of the same name must be told apart by id). */
  function teacherByName(name: string): { id: string } | { problem: string } {
    const key = name.normalize('NFKC').replace(/\s+/g, '');
    const found = (db.prepare('SELECT id, name FROM training_teachers WHERE retired_at IS NULL').all() as { id: string; name: string }[]).filter(
      (t) => t.name.replace(/\s+/g, '') === key || t.id === name.trim(),
    );
    if (found.length === 1) return { id: found[0]!.id };
    if (found.length === 0) return { problem: "is not on the site's teacher list (add the teacher first)" };
    return { problem: `names ${found.length} teachers; write the teacher's id (${found.map((t) => t.id).join(', ')})` };
  }

  function assertNoConflict(id: string): void {
    if (!teacherRow(id)) throw new Conflict(`no teacher ${id}`);
  }

  return { create, patch, list, teachers, addTeacher, patchTeacher, teacherRow, teacherByName, assertNoConflict, dayStart, nextDay };
}

export type Classes = ReturnType<typeof createClasses>;
