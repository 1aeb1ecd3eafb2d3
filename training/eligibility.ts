// From training to the exam: an exam session may name the class held here that its candidates come
// from; each candidate's training hours are checked against the rule of their category and operation
// item (config `rules: … training: { classHours, beforeExam }`). Where the hours come from, in order:
// the roster's own 培训学时 + 培训机构 columns (trained elsewhere: 考培分离), the session's class, this
// site's classes in the exam's calendar year, or nothing known (0). The roster import calls check().
import { Conflict, NotFound, localDate } from '../core/index.ts';
import { ruleFor, type RuleCategory } from '../config/index.ts';
import type { Eligibility, HoursCheck } from './protocol.ts';
import { roundSum, type Model, type TrainingDeps } from './model.ts';
import type { Attendance } from './attendance.ts';

export interface CandidateHours {
  row: number | null;
  idNumber: string;
  name: string;
  category: RuleCategory;
  operationClass: string | null;
  industry: string;
  institution: string | null;
  hours: number | null;
}

export function createEligibility(deps: TrainingDeps, m: Model, attendance: Attendance) {
  const { db, clock, config, audit } = deps;

  function classOfSession(sessionId: string): string | null {
    return (db.prepare('SELECT class_id AS c FROM training_class_sessions WHERE session_id = ?').get(sessionId) as { c: string } | undefined)?.c ?? null;
  }

  function sessionsOfClass(classId: string): string[] {
    return (db.prepare('SELECT session_id AS s FROM training_class_sessions WHERE class_id = ? ORDER BY linked_at').all(classId) as { s: string }[]).map(
      (r) => r.s,
    );
  }

  /** PUT /api/training/sessions/:sessionId/class: sessionExists is the exam engine's word that the session is real. */
  function linkSession(sessionId: string, classId: string | null, sessionExists: boolean, actor: string, ip: string | null = null) {
    if (!sessionExists) throw new NotFound(`no exam session ${JSON.stringify(sessionId)}`);
    if (classId !== null && !m.classRow(classId)) throw new NotFound(`no training class ${JSON.stringify(classId)}`);
    const before = classOfSession(sessionId);
    db.transaction(() => {
      if (classId === null) db.prepare('DELETE FROM training_class_sessions WHERE session_id = ?').run(sessionId);
      else
        db.prepare(
          `INSERT INTO training_class_sessions (session_id, class_id, linked_at, linked_by) VALUES (?, ?, ?, ?)
           ON CONFLICT(session_id) DO UPDATE SET class_id = excluded.class_id, linked_at = excluded.linked_at, linked_by = excluded.linked_by`,
        ).run(sessionId, classId, clock.now(), actor);
      audit.append({ actor, action: 'training.session.link', target: sessionId, detail: { classId, before }, ip });
    }).immediate();
    return { sessionId, classId };
  }

  /** Every candidate's hours against their rule; one pass over the year's sign-ins for the whole roster. */
  function check(session: { id: string; startsAt: number }, rows: CandidateHours[]): HoursCheck[] {
    const classId = classOfSession(session.id);
    const cls = classId ? m.classRow(classId) : null;
    const year = Number(localDate(session.startsAt, m.tz).slice(0, 4));
    const needAnnual = rows.filter((r) => r.hours === null).map((r) => r.idNumber);
    const annual = needAnnual.length ? attendance.annualHoursAll(year, new Set(needAnnual)) : new Map();
    const inClass = cls
      ? new Set((db.prepare('SELECT id_number AS i FROM training_members WHERE class_id = ?').all(cls.id) as { i: string }[]).map((r) => r.i))
      : new Set<string>();
    const ofClass = cls ? attendance.credited({ classId: cls.id, only: new Set(rows.map((r) => r.idNumber)) }) : new Map<string, { hours: number }>();
    const classNames = new Map<string, string>();
    const nameOf = (id: string) => {
      if (!classNames.has(id)) classNames.set(id, m.classRow(id)?.name ?? id);
      return classNames.get(id)!;
    };
    return rows.map((r) => {
      const rule = ruleFor(config.rules, { category: r.category, operationClass: r.operationClass, industry: r.industry as never });
      let hours = 0;
      let source: HoursCheck['source'] = 'none';
      let from: string | null = null;
      let requiredHours = rule.training.classHours;
      let rowClass: string | null = null;
      if (r.hours !== null) {
        hours = r.hours;
        source = 'roster';
        from = r.institution;
      } else if (cls && inClass.has(r.idNumber)) {
        hours = ofClass.get(r.idNumber)?.hours ?? 0;
        source = 'class';
        from = `${cls.name} (${cls.institution})`;
        rowClass = cls.id;
        requiredHours = cls.requiredHours;
      } else {
        const a = annual.get(r.idNumber);
        if (a && a.hours > 0) {
          hours = a.hours;
          source = 'annual';
          from = `${year}: ${[...a.byClass.keys()].map(nameOf).join('、')}`;
        }
      }
      const action = requiredHours === null ? 'off' : rule.training.beforeExam;
      return {
        idNumber: r.idNumber,
        name: r.name,
        row: r.row,
        hours: roundSum(hours),
        requiredHours: requiredHours ?? 0,
        short: action !== 'off' && requiredHours !== null && hours + 1e-9 < requiredHours,
        source,
        from,
        classId: rowClass,
        rule: rule.path,
        action,
      };
    });
  }

  /**
   * The roster import's check: the same verdicts, and the hours the roster brought for candidates trained
   * elsewhere are kept (in the import's transaction) so the session's eligibility shows them later.
   */
  function checkImport(session: { id: string; startsAt: number }, rows: CandidateHours[]): HoursCheck[] {
    const verdicts = check(session, rows);
    const put = db.prepare('INSERT INTO training_roster_hours (session_id, id_number, institution, hours, recorded_at) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows) if (r.hours !== null) put.run(session.id, r.idNumber, r.institution ?? '', r.hours, clock.now());
    return verdicts;
  }

  /** GET /api/training/sessions/:sessionId/eligibility: the session's roster as the exam engine has it, with the hours its import brought. */
  function ofSession(session: { id: string; startsAt: number }, roster: CandidateHours[]): Eligibility {
    if (!roster) throw new Conflict('no roster');
    const brought = new Map(
      (
        db.prepare('SELECT id_number AS i, institution, hours FROM training_roster_hours WHERE session_id = ? ORDER BY id').all(session.id) as {
          i: string;
          institution: string;
          hours: number;
        }[]
      ).map((r) => [r.i, r]),
    );
    const candidates = check(
      session,
      roster.map((r) => {
        const b = brought.get(r.idNumber);
        return b ? { ...r, hours: b.hours, institution: b.institution || r.institution } : r;
      }),
    );
    return { sessionId: session.id, classId: classOfSession(session.id), checked: candidates.length, candidates, short: candidates.filter((c) => c.short) };
  }

  return { classOfSession, sessionsOfClass, linkSession, check, checkImport, ofSession };
}

export type EligibilityService = ReturnType<typeof createEligibility>;
