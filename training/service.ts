// The training service: one object made of its parts (classes and teachers, timetable, members, the
// kiosk's per-lesson sign-in, attendance and hours, the exam's hours check), all over one Model.
import { localDate } from '../core/index.ts';
import { createAttendance } from './attendance.ts';
import { createClasses } from './classes.ts';
import { createEligibility } from './eligibility.ts';
import { createMembers } from './members.ts';
import { createModel, SYSTEM, type TrainingDeps } from './model.ts';
import type { ClassDetail } from './protocol.ts';
import { createLessonWindows, type LessonWindows } from './recording-windows.ts';
import { createSignIn } from './sign-in.ts';
import { createTimetable } from './timetable.ts';
import type { Viewer } from './model.ts';

export function createTrainingService(deps: TrainingDeps & { windows?: LessonWindows }) {
  const model = createModel(deps);
  const classes = createClasses(deps, model);
  const timetable = createTimetable(deps, model, classes);
  const members = createMembers(deps, model);
  const attendance = createAttendance(deps, model, members);
  const signIn = createSignIn(deps, model, members, attendance.hoursOfMember);
  const eligibility = createEligibility(deps, model, attendance);
  const windows = deps.windows ?? createLessonWindows({ db: deps.db, bus: deps.bus });

  function detail(v: Viewer, classId: string): ClassDetail {
    const c = model.classFor(v, classId);
    return { class: model.classView(c), lessons: timetable.views(c), sessions: eligibility.sessionsOfClass(c.id), problems: timetable.problemsOf(c) };
  }

  return {
    model,
    classes,
    timetable,
    members,
    attendance,
    signIn,
    eligibility,
    windows,
    detail,
    bus: deps.bus,
    system: SYSTEM,
    thisYear: () => Number(localDate(deps.clock.now(), model.tz).slice(0, 4)),
  };
}

export type TrainingService = ReturnType<typeof createTrainingService>;
