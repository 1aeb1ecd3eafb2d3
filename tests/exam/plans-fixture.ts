// Scaffolding for the exam-plan tests: a real exam service on a scratch data folder with a small
// bank whose template can be filled, valid ID numbers made to order, and roster files.
import { join } from 'node:path';
import type { Test } from 'tap';
import { createEventBus, fixedClock, checkDigitOf, type EventMap, type EventName } from '../../core/index.ts';
import { createAuditLog, dataPaths, ensureDataFolders, openDatabase } from '../../storage/index.ts';
import { createExamService } from '../../exam/index.ts';
import type { QuestionInput, Template } from '../../exam/types.ts';
import { scratchDir, testConfig } from '../helpers.ts';

/** 2026-03-01 00:00 in Guangzhou: the site's clock for every test unless a test moves it. */
export const T0 = Date.parse('2026-03-01T00:00:00+08:00');

export const TEMPLATE: Template = {
  id: 'test-principal-machinery',
  name: '测试：机械行业主要负责人',
  industry: 'machinery',
  category: 'principal',
  operationClass: null,
  durationMinutes: 90,
  total: 100,
  passMark: 80,
  sections: [
    { type: 'judge', count: 5, score: 10 },
    { type: 'single', count: 5, score: 10 },
  ],
};

export function bankQuestions(): QuestionInput[] {
  const out: QuestionInput[] = [];
  for (let i = 0; i < 12; i++) {
    const base = {
      externalId: null,
      images: [],
      industry: 'machinery' as const,
      category: 'principal' as const,
      operationClass: null,
      knowledgePoint: i % 2 ? '隐患排查治理' : '安全生产法律法规',
      difficulty: 2 as const,
      explanation: null,
      tier: 'national' as const,
    };
    out.push({ ...base, type: 'judge', stem: `判断题 第${i}题`, options: ['正确', '错误'], answer: [i % 2] });
    out.push({ ...base, type: 'single', stem: `单选题 第${i}题`, options: ['甲', '乙', '丙', '丁'].map((x) => `${x}${i}`), answer: [i % 4] });
  }
  return out;
}

/** A valid 18-character ID number: Guangzhou Tianhe region, the given birth date, sequence `seq`. */
export function idn(seq: number, birth = '19850312', region = '440106'): string {
  const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
}

export function site(t: Test, opts: { bank?: boolean; extraYaml?: string } = {}) {
  const dir = scratchDir(t);
  const config = testConfig(join(dir, 'data'), opts.extraYaml);
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const clock = fixedClock(T0);
  const bus = createEventBus((name, err) => {
    throw new Error(`listener of ${name} failed: ${String(err)}`);
  });
  const events: { name: EventName; payload: unknown }[] = [];
  for (const name of ['session.status', 'roster.imported', 'seats.assigned', 'seat.changed', 'papers.generated', 'result.graded'] as const) {
    bus.on(name, (payload: EventMap[typeof name]) => events.push({ name, payload }));
  }
  const audit = createAuditLog(db, clock);
  const exam = createExamService({ db, clock, bus, config, audit, paths });
  if (opts.bank !== false) exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plans = exam.plans;
  const actor = 'user:admin';
  return { dir, config, paths, db, clock, bus, events, audit, exam, plans, actor };
}

export type Site = ReturnType<typeof site>;

/** A plan for March 2026 and a session in room R1 (six seats) on the given day at 09:00. */
export function planAndSession(s: Site, opts: { day?: string; room?: string; planName?: string } = {}) {
  const plan = s.plans.createPlan({ name: opts.planName ?? '2026年3月主要负责人考试', from: '2026-03-01', to: '2026-03-31' }, s.actor);
  const session = s.plans.createSession(
    { planId: plan.id, room: opts.room ?? 'R1', startsAt: `${opts.day ?? '2026-03-10'}T09:00`, templateId: TEMPLATE.id },
    s.actor,
  );
  return { plan, session };
}

export const HEADER = ['身份证号', '姓名', '人员类别', '作业类别', '行业', '培训机构', '照片', '准考证号'];

/** A CSV roster: rows are cells in HEADER order (missing trailing cells are empty). */
export function csv(rows: string[][], header = HEADER): Buffer {
  return Buffer.from([header, ...rows].map((r) => r.join(',')).join('\n'), 'utf8');
}

export function person(
  seq: number,
  name = `考生${seq}`,
  extra: Partial<{ category: string; industry: string; institution: string; photo: string; ticket: string }> = {},
): string[] {
  return [
    idn(seq),
    name,
    extra.category ?? '主要负责人',
    '',
    extra.industry ?? '机械',
    extra.institution ?? '广州市安全培训中心',
    extra.photo ?? '',
    extra.ticket ?? '',
  ];
}

/** Imports, seats, generates papers and opens the session up to `in_progress`. */
export async function runToInProgress(s: Site, sessionId: string, people: string[][]) {
  await s.plans.importRoster(sessionId, { bytes: csv(people), filename: 'roster.csv' }, s.actor);
  s.plans.assignSeats(sessionId, s.actor);
  s.plans.generateSessionPapers(sessionId, s.actor);
  s.plans.advanceSession(sessionId, 'checkin', s.actor);
  s.plans.advanceSession(sessionId, 'in_progress', s.actor);
}

/** Answers that get every question right, from the stored paper's key. */
export function rightAnswers(s: Site, sessionId: string, idNumber: string): Record<number, number[]> {
  const paper = s.plans.paperStore.forCandidate(sessionId, idNumber)!;
  return Object.fromEntries(paper.items.map((it, i) => [i + 1, it.key]));
}

/** The same number with a check character that is wrong for it. */
export function wrongCheck(id: string): string {
  const right = id.at(-1)!;
  return id.slice(0, 17) + (right === '7' ? 'X' : '7');
}
