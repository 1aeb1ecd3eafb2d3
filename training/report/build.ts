// The district report's content (上报区县的培训考勤情况): from the core's credited hours, those who came but
// were credited fewer hours than the class requires, with their hours and the lessons they missed, and
// those registered who never signed in to any lesson. Pure: the same facts give the same report.
import type { ClassDetail, ClassHours } from '../protocol.ts';
import { REPORT_FORMAT, type DistrictReport } from './protocol.ts';

/** The personnel categories as the district office's forms name them. */
const CATEGORY_LABELS = { principal: '主要负责人', safety_manager: '安全生产管理人员', special_operation: '特种作业人员' } as const;

const round1 = (x: number) => Math.round(x * 10) / 10;

/** End of the last lesson not cancelled (ms), or null for a class without lessons. */
export function classEndsAt(detail: ClassDetail): number | null {
  const ends = detail.lessons.filter((l) => !l.cancelled).map((l) => Date.parse(l.endsAt));
  return ends.length ? Math.max(...ends) : null;
}

export function buildReport(
  detail: ClassDetail,
  hours: ClassHours,
  o: { site: { id: string; name: string }; now: number; headteacherName: string | null },
): DistrictReport {
  const c = detail.class;
  const label = (i: number) => {
    const l = hours.lessons[i]!;
    return `${l.day} ${l.start} ${l.topic}`;
  };
  const short = hours.members
    .filter((m) => !m.neverCame && !m.complete)
    .map((m) => {
      const missed: string[] = [];
      const partial: string[] = [];
      const excused: string[] = [];
      m.lessons.forEach((p, i) => {
        const l = hours.lessons[i]!;
        if (!l.held) return;
        if (p.state === 'excused') excused.push(label(i));
        else if (p.credited <= 0) missed.push(label(i));
        else if (p.credited < l.hours) partial.push(`${label(i)}（${p.credited}/${l.hours} 学时）`);
      });
      return {
        idNumber: m.idNumber,
        name: m.name,
        employer: m.employer,
        creditedHours: m.creditedHours,
        requiredHours: m.requiredHours,
        missingHours: round1(Math.max(0, m.requiredHours - m.creditedHours)),
        lessonsAttended: m.lessons.filter((p) => p.credited > 0).length,
        lessonsMissed: missed,
        lessonsPartial: partial,
        lessonsExcused: excused,
      };
    });
  const neverCame = hours.members
    .filter((m) => m.neverCame)
    .map((m) => ({ idNumber: m.idNumber, name: m.name, employer: m.employer, requiredHours: m.requiredHours }));
  const endsAt = classEndsAt(detail);
  return {
    format: REPORT_FORMAT,
    class: {
      id: c.id,
      name: c.name,
      institution: c.institution,
      category: c.category,
      categoryLabel: c.category ? CATEGORY_LABELS[c.category] : null,
      room: c.roomName ?? c.roomId,
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      requiredHours: c.requiredHours,
      headTeacher: c.headteacher ? { username: c.headteacher, displayName: o.headteacherName ?? c.headteacherName ?? c.headteacher } : null,
    },
    site: o.site,
    endsAt: endsAt === null ? null : new Date(endsAt).toISOString(),
    counts: {
      members: hours.members.length,
      completed: hours.members.filter((m) => m.complete).length,
      short: short.length,
      neverCame: neverCame.length,
      lessons: hours.lessons.length,
      scheduledHours: hours.scheduledHours,
    },
    short,
    neverCame,
    asOf: new Date(o.now).toISOString(),
  };
}
