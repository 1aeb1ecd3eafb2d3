// The person file (一人一档): everything the appliance knows of one ID number, gathered from the modules
// that own it through their index.ts — every exam session attempted with its result, which retake it was
// and the rule applied (exam), training classes with attended hours and identity checks with their
// photos (kiosk), incidents (proctor), certificates (records/certificates). It only reads.
import { NotFound, ValidationError, idNumberProblem, normaliseIdNumber, localDate, type Clock } from '../../core/index.ts';
import { describeRule, ruleFor, type AppliedRule, type Config } from '../../config/index.ts';
import type { Db } from '../../storage/index.ts';
import { retakesOf, type Category, type ExamService, type Industry } from '../../exam/index.ts';
import { identityChecksOf, type IdentityCheckRecord } from '../../kiosk/index.ts';
import { trainingAttendanceOf, type TrainingAttendanceRecord } from '../../training/index.ts';
import { incidentsOf, seatConfirmationsOf, type PersonIncident, type SeatConfirmationRecord } from '../../proctor/index.ts';
import { consentAtSeat, type SeatConsentDecision } from '../../terminal/index.ts';
import { certificatesOf, type PersonCertificate } from './certificates-hook.ts';

export const PERSON_FILE_FORMAT = 'examroom-person-file/1';

export interface PersonExam {
  sessionId: string;
  planName: string;
  roomId: string;
  startsAt: number;
  sessionStatus: string;
  templateName: string;
  ticketNo: string;
  seat: string | null;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  institution: string | null;
  /** Roster status: registered, admitted, absent, in_exam, submitted. */
  status: string;
  trainedOn: string | null;
  /** 1 first sitting, 2 a retake (补考). */
  attempt: number;
  /** Which retake: 0 the first sitting, 1 the first 补考 … */
  retake: number;
  /** The rule the roster import applied (null: imported before rules were recorded). */
  rule: AppliedRule | null;
  ruleText: string | null;
  result: { score: number; total: number; passed: boolean; gradedAt: number; validUntil: number | null } | null;
}

export interface PersonFile {
  format: typeof PERSON_FILE_FORMAT;
  idNumber: string;
  name: string;
  /** The roster photo, relative to the data folder's captures/. */
  photo: string | null;
  madeAt: number;
  /** The session this file is cut to (its part in that session's archive), or null: the whole file. */
  sessionId: string | null;
  exams: PersonExam[];
  /** Passes still valid when the file was made. */
  validPasses: { sessionId: string; category: Category; operationClass: string | null; industry: Industry; validUntil: number }[];
  training: {
    /** Where the hours come from: the training module's classes, timetable and credited hours (training/). */
    source: 'training';
    note: string;
    classes: TrainingAttendanceRecord[];
    totalAttendedHours: number;
    /** The hours the rules ask of each qualification on this file (rules: trainingHours). */
    required: { category: Category; item: string | null; path: string; initial: number | null; refresher: number | null }[];
  };
  certificates: { available: boolean; note: string | null; items: PersonCertificate[] };
  identityChecks: PersonIdentityCheck[];
  incidents: PersonIncident[];
  /** The face-recognition choice in force for each exam session where the kiosk recorded one (issue 23). */
  faceConsents: { sessionId: string; decision: SeatConsentDecision; decidedAt: number; noticeVersion: string }[];
  /** Invigilators' seat confirmations, by eye, of this person in sessions where they declined face recognition. */
  seatConfirmations: SeatConfirmationRecord[];
}

/** An identity check as the person file shows it: no liveness, card photo or card distance. */
export type PersonIdentityCheck = Pick<
  IdentityCheckRecord,
  | 'id'
  | 'idNumber'
  | 'kioskId'
  | 'sessionId'
  | 'classId'
  | 'action'
  | 'source'
  | 'startedAt'
  | 'decidedAt'
  | 'decision'
  | 'reason'
  | 'distance'
  | 'threshold'
  | 'seat'
  | 'capture'
  | 'rosterPhoto'
  | 'overrideBy'
  | 'overrideReason'
>;

// Named one by one, in this order: the person file's JSON is a published format.
const personCheck = (c: IdentityCheckRecord): PersonIdentityCheck => ({
  id: c.id,
  idNumber: c.idNumber,
  kioskId: c.kioskId,
  sessionId: c.sessionId,
  classId: c.classId,
  action: c.action,
  source: c.source,
  startedAt: c.startedAt,
  decidedAt: c.decidedAt,
  decision: c.decision,
  reason: c.reason,
  distance: c.distance,
  threshold: c.threshold,
  seat: c.seat,
  capture: c.capture,
  rosterPhoto: c.rosterPhoto,
  overrideBy: c.overrideBy,
  overrideReason: c.overrideReason,
});

export const TRAINING_NOTE =
  '培训班与学时取自本机培训模块：每节课刷脸签到、签退，按在场时间占课时的比例计入学时（0.1 学时取整）。 The classes and hours come from the training module: each lesson credits the share of it the trainee was present, rounded to 0.1 学时.';
export const NO_CERTIFICATES_NOTE = '证书模块未安装（数据库中没有 certificates 表）。 The certificates part is not installed in this database.';

export interface PersonFileDeps {
  db: Db;
  clock: Clock;
  config: Config;
  exam: ExamService;
}

/** The ID number as typed (spaces, full-width, lower-case x), checked: a person file is asked for by a real number. */
export function personId(raw: string): string {
  const id = normaliseIdNumber(raw);
  const problem = idNumberProblem(id);
  if (problem) throw new ValidationError([{ path: 'idNumber', problem }], `ID number ${problem}`);
  return id;
}

export function gatherPersonFile(deps: PersonFileDeps, rawId: string, opts: { sessionId?: string | null } = {}): PersonFile {
  const { db, clock, config, exam } = deps;
  const idNumber = personId(rawId);
  const sessionId = opts.sessionId ?? null;
  const madeAt = clock.now();

  let person: ReturnType<ExamService['plans']['personRecord']> | null = null;
  try {
    person = exam.plans.personRecord(idNumber);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
  const retakes = new Map(retakesOf(db, idNumber).map((r) => [r.sessionId, r]));
  const classes = trainingAttendanceOf(db, idNumber, clock.now());
  const checks = identityChecksOf(db, idNumber).map(personCheck);
  const incidents = incidentsOf(db, idNumber);
  const certs = certificatesOf(db, idNumber);
  if (!person && classes.length === 0 && checks.length === 0)
    throw new NotFound(`no person file for ID number ${idNumber}: never on a roster, in a training class or at a kiosk`);

  let exams: PersonExam[] = (person?.exams ?? []).map((e) => {
    const r = retakes.get(e.session.id);
    const rule = r?.rule ?? null;
    return {
      sessionId: e.session.id,
      planName: e.session.planName,
      roomId: e.session.roomId,
      startsAt: e.session.startsAt,
      sessionStatus: e.session.status,
      templateName: e.session.templateName,
      ticketNo: e.entry.ticketNo,
      seat: e.entry.seat,
      category: e.entry.category,
      operationClass: e.entry.operationClass,
      industry: e.entry.industry,
      institution: e.entry.institution,
      status: e.entry.status,
      trainedOn: e.entry.trainedOn,
      attempt: e.entry.attempt,
      retake: r?.retake ?? (e.entry.attempt === 2 ? 1 : 0),
      rule,
      ruleText: rule ? describeRule(rule) : null,
      result: e.result
        ? { score: e.result.score, total: e.result.total, passed: e.result.passed, gradedAt: e.result.gradedAt, validUntil: e.result.validUntil }
        : null,
    };
  });
  if (sessionId !== null) {
    exams = exams.filter((e) => e.sessionId === sessionId);
    if (exams.length === 0) throw new NotFound(`${idNumber} is not on the roster of exam session ${sessionId}`);
  }
  const cut = sessionId !== null;
  const day = cut ? localDate(exams[0]!.startsAt, config.site.timezone) : null;
  // A session's part carries the training finished by its day: what the candidate sat the exam on.
  const trainingShown = day === null ? classes : classes.filter((c) => c.startsOn <= day);
  const qualifications = new Map<string, PersonFile['training']['required'][number]>();
  for (const e of exams) {
    const rule = e.rule ?? ruleFor(config.rules, e);
    qualifications.set(rule.path, {
      category: e.category,
      item: rule.item,
      path: rule.path,
      initial: rule.trainingHours.initial,
      refresher: rule.trainingHours.refresher,
    });
  }
  return {
    format: PERSON_FILE_FORMAT,
    idNumber,
    name: person?.name ?? classes[0]?.memberName ?? '',
    photo: person?.photo ?? null,
    madeAt,
    sessionId,
    exams,
    validPasses: (cut ? [] : (person?.valid ?? [])).map((v) => ({
      sessionId: v.sessionId,
      category: v.category,
      operationClass: v.operationClass,
      industry: v.industry,
      validUntil: v.validUntil!,
    })),
    training: {
      source: 'training',
      note: TRAINING_NOTE,
      classes: trainingShown,
      totalAttendedHours: Math.round(trainingShown.reduce((s, c) => s + c.attendedHours, 0) * 100) / 100,
      required: [...qualifications.values()],
    },
    certificates: {
      available: certs !== null,
      note: certs === null ? NO_CERTIFICATES_NOTE : null,
      items: (certs ?? []).filter((c) => !cut || c.sessionId === sessionId),
    },
    identityChecks: cut ? checks.filter((c) => c.sessionId === sessionId) : checks,
    incidents: cut ? incidents.filter((i) => i.sessionId === sessionId) : incidents,
    faceConsents: exams.flatMap((e) => {
      const c = consentAtSeat(db, e.sessionId, idNumber);
      return c ? [{ sessionId: e.sessionId, decision: c.decision, decidedAt: c.decidedAt, noticeVersion: c.noticeVersion }] : [];
    }),
    seatConfirmations: seatConfirmationsOf(db, idNumber).filter((c) => !cut || c.sessionId === sessionId),
  };
}

/** The file as JSON: instants as ISO 8601 text, like every other JSON the appliance serves. */
export function personFileJson(f: PersonFile): unknown {
  const walk = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v === 'number' && (/At$/.test(key) || key === 'validUntil')) return new Date(v).toISOString();
    return v;
  };
  return walk(f);
}
