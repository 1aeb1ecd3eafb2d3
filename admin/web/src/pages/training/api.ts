// The training page's calls. Contracts: training/protocol.ts (classes, teachers, timetable, members,
// attendance, corrections, hours), training/report, training/ratings and training/archive protocol files
// (the district report, the ratings, the class file); jobs: documents/protocol.ts.
import { HttpError, NetworkError, call } from '../../../../../web/http.ts';
import type {
  AttendanceView,
  ClassDetail,
  ClassHours,
  ClassPatch,
  ClassView,
  CorrectionView,
  LessonPatch,
  LessonView,
  MembersImportReply,
  MemberView,
  NewClass,
  NewCorrection,
  NewLesson,
  NewTeacher,
  TeacherPatch,
  TeacherView,
  TimetableImportReply,
} from '../../../../../training/protocol.ts';
import type { DistrictReportReply } from '../../../../../training/report/protocol.ts';
import type { ClassRatings, TeacherRatings } from '../../../../../training/ratings/protocol.ts';
import type { ClassArchiveView } from '../../../../../training/archive/protocol.ts';
import type { JobView } from '../../../../../documents/protocol.ts';

export type { AttendanceView, ClassDetail, ClassHours, ClassView, CorrectionView, LessonView, MemberView, TeacherView, DistrictReportReply, ClassRatings };

/** The 班主任's role: sees and manages only their own classes (the server refuses the others, as if they did not exist). */
export const HEAD_TEACHER_ROLE = 'headteacher';

const enc = encodeURIComponent;
const cls = (id: string) => `/api/training/classes/${enc(id)}`;

/** A refusal with every problem listed (a timetable or members import): where (row, column) and why. */
export class Refused extends HttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly problems: { path: string; problem: string; got?: unknown }[],
  ) {
    super(status, code, message);
  }
}

/** One request whose refusal keeps the server's list of problems (web/http.ts keeps only its sentence). */
async function request<T>(method: 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body: File | unknown): Promise<T> {
  const file = body instanceof File;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': file ? 'application/octet-stream' : 'application/json' },
      ...(body === undefined ? {} : { body: file ? body : JSON.stringify(body) }),
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  const data = (await res.json().catch(() => null)) as (T & { error?: string; message?: string; problems?: Refused['problems'] }) | null;
  if (!res.ok) {
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new NetworkError(`HTTP ${res.status}`);
    throw new Refused(res.status, data?.error ?? 'error', data?.message ?? `HTTP ${res.status}`, data?.problems ?? []);
  }
  return data as T;
}
const upload = <T>(url: string, file: File) => request<T>('POST', url, file);
const send = <T>(method: 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body?: unknown) => request<T>(method, url, body);

export const api = {
  site: () => call<{ site: { name: string; timezone: string } }>('GET', '/api/site'),
  rooms: () => call<{ id: string; name: string }[]>('GET', '/api/proctor/rooms'),
  users: () => call<{ username: string; displayName: string | null; role: string }[]>('GET', '/api/users'),
  classes: () => call<ClassView[]>('GET', '/api/training/classes'),
  detail: (id: string) => call<ClassDetail>('GET', cls(id)),
  createClass: (body: NewClass) => send<ClassView>('POST', '/api/training/classes', body),
  patchClass: (id: string, body: ClassPatch) => send<ClassView>('PATCH', cls(id), body),
  teachers: (all = false) => call<TeacherView[]>('GET', `/api/training/teachers${all ? '?all=1' : ''}`),
  createTeacher: (body: NewTeacher) => send<TeacherView>('POST', '/api/training/teachers', body),
  patchTeacher: (id: string, body: TeacherPatch) => send<TeacherView>('PATCH', `/api/training/teachers/${enc(id)}`, body),
  addLesson: (id: string, body: NewLesson) => send<LessonView>('POST', `${cls(id)}/lessons`, body),
  patchLesson: (id: string, lessonId: string, body: LessonPatch) => send<LessonView>('PATCH', `${cls(id)}/lessons/${enc(lessonId)}`, body),
  cancelLesson: (id: string, lessonId: string, reason: string) => send<unknown>('DELETE', `${cls(id)}/lessons/${enc(lessonId)}`, { reason }),
  importTimetable: (id: string, file: File, opts: { replace: boolean; dryRun: boolean }) =>
    upload<TimetableImportReply>(`${cls(id)}/timetable?filename=${enc(file.name)}${opts.replace ? '&replace=1' : ''}${opts.dryRun ? '&dryRun=1' : ''}`, file),
  members: (id: string) => call<MemberView[]>('GET', `${cls(id)}/members`),
  importMembers: (id: string, file: File) => upload<MembersImportReply>(`${cls(id)}/members?filename=${enc(file.name)}`, file),
  attendance: (id: string, lessonId: string | null) => call<AttendanceView>('GET', `${cls(id)}/attendance${lessonId ? `?lessonId=${enc(lessonId)}` : ''}`),
  attendanceStream: (id: string) => `${cls(id)}/attendance/stream`,
  corrections: (id: string) => call<CorrectionView[]>('GET', `${cls(id)}/corrections`),
  correct: (id: string, body: NewCorrection) => send<CorrectionView>('POST', `${cls(id)}/corrections`, body),
  hours: (id: string) => call<ClassHours>('GET', `${cls(id)}/hours`),
  absencesCsv: (id: string) => `${cls(id)}/absences.csv`,
  report: (id: string) => call<DistrictReportReply>('GET', `${cls(id)}/report`),
  signReport: (id: string) => call<DistrictReportReply>('POST', `${cls(id)}/report/sign-off`),
  addReportNote: (id: string, text: string) => call<DistrictReportReply>('POST', `${cls(id)}/report/notes`, { text }),
  ratings: (id: string) => call<ClassRatings>('GET', `${cls(id)}/ratings`),
  teacherRatings: (teacherId: string) => call<TeacherRatings>('GET', `/api/training/teachers/${enc(teacherId)}/ratings`),
  archives: (id: string) => call<ClassArchiveView[]>('GET', `/api/training/archives?classId=${enc(id)}`),
  startArchive: (id: string, withMedia: boolean) => call<JobView>('POST', `${cls(id)}/archive`, { withMedia }),
  archiveFile: (archiveId: string) => `/api/training/archives/${enc(archiveId)}/file`,
};
