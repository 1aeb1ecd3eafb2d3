// A history of many exam sessions made through the exam engine's own functions (plans, roster import,
// seats, papers, grading, session status) on a real SQLite file — nothing is written to the tables by
// hand — and a ledger of what the history decided (who sat, who stayed away, every answer's
// correctness), from which the tests count the expected figures themselves.
//
// Candidates have an ability; each answers a question right with a probability from ability and the
// question's difficulty, drawn from a seeded generator, so the history is the same on every run.
// Three questions are bad on purpose, for the item analysis to find: one nobody can answer
// (IMPOSSIBLE), one everybody answers (TRIVIAL), and one whose key is wrong, so the strong candidates
// "miss" it and the weak ones "get" it (WRONG_KEY).
import type { fixedClock } from '../../core/index.ts';
import type { ExamService } from '../../exam/index.ts';
import type { QuestionInput, Template } from '../../exam/types.ts';
import { idn } from '../exam/plans-fixture.ts';

export const INSTITUTIONS = ['广州市安全生产培训中心', '番禺区安全培训学校', '南沙职业技能培训学校', '黄埔区应急管理培训中心', '白云区安全技术培训站'];
/** Fewer than 5 sittings in the whole history: the disclosure page must withhold it. */
export const TINY_INSTITUTION = '从化区小型培训点';
const GEN_INDUSTRIES = ['冶金', '机械', '轻工', '商贸', '危化'];

export const T_MACH: Template = {
  id: 'hist-principal-machinery',
  name: '机械行业主要负责人',
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
export const T_GEN: Template = {
  id: 'hist-manager-general',
  name: '安全生产管理人员（通用）',
  industry: 'general',
  category: 'safety_manager',
  operationClass: null,
  durationMinutes: 90,
  total: 100,
  passMark: 80,
  sections: [
    { type: 'judge', count: 5, score: 10 },
    { type: 'single', count: 5, score: 10 },
  ],
};

/** Stems of the deliberately bad questions (machinery template's pool). */
export const IMPOSSIBLE = '单选题 机械 第0题';
export const TRIVIAL = '判断题 机械 第0题';
export const WRONG_KEY = '单选题 机械 第1题';

function questions(): QuestionInput[] {
  const out: QuestionInput[] = [];
  for (const [industry, category, tag] of [
    ['machinery', 'principal', '机械'],
    ['general', 'safety_manager', '通用'],
  ] as const) {
    for (let i = 0; i < 8; i++) {
      const base = {
        externalId: `${tag}-${i}`,
        images: [],
        industry,
        category,
        operationClass: null,
        knowledgePoint: i % 2 ? '隐患排查治理' : '安全生产法律法规',
        difficulty: 2 as const,
        explanation: null,
        tier: 'national' as const,
      };
      out.push({ ...base, type: 'judge', stem: `判断题 ${tag} 第${i}题`, options: ['正确', '错误'], answer: [i % 2] });
      out.push({ ...base, type: 'single', stem: `单选题 ${tag} 第${i}题`, options: ['甲', '乙', '丙', '丁'].map((x) => `${x}${tag}${i}`), answer: [i % 4] });
    }
  }
  return out;
}

/** mulberry32: a small seeded generator, so the history is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One roster entry as the history decided it. */
export interface Sitting {
  sessionId: string;
  /** Site-local YYYY-MM-DD of the session's start. */
  date: string;
  templateId: string;
  idNumber: string;
  name: string;
  category: 'principal' | 'safety_manager';
  industry: string;
  institution: string | null;
  attempt: 1 | 2;
  absent: boolean;
  /** For those who sat: the graded result. */
  resultId: string | null;
  score: number | null;
  total: number | null;
  passed: boolean | null;
  /** For those who sat: each question on their paper, answered right or not. */
  answers: { questionId: string; correct: boolean }[];
}

export interface History {
  sittings: Sitting[];
  /** Graded sessions, in order, with their date. */
  sessions: { id: string; date: string; templateId: string }[];
  /** Sessions of the period left before `graded` (one ended, one scheduled). */
  ungraded: string[];
  questionIdByStem: Map<string, string>;
  /** The site-clock instant after the history: "now" for the requests. */
  now: number;
}

const at = (local: string) => Date.parse(`${local}+08:00`);

/**
 * Fills the app's database with `sessions` graded sessions from March 2026 on (two a week, alternating
 * templates, room R3 of STATS_CONFIG_YAML), then one session left `ended` and one `scheduled`.
 */
export async function makeHistory(
  app: { exam: ExamService },
  clock: ReturnType<typeof fixedClock>,
  opts: { sessions?: number; seed?: number; room?: string } = {},
): Promise<History> {
  const nSessions = opts.sessions ?? 40;
  const rand = rng(opts.seed ?? 20260301);
  const plans = app.exam.plans;
  const actor = 'user:admin';
  clock.set(at('2026-02-20T08:00:00'));
  const version = app.exam.bank.createVersion({ id: 'hist-v1', kind: 'import', questions: questions(), templates: [T_MACH, T_GEN] });
  const questionIdByStem = new Map<string, string>();
  for (const q of app.exam.bank.pool(version.id)) questionIdByStem.set(q.stem, q.id);
  const plan = plans.createPlan({ name: '2026年安全生产考核', from: '2026-03-01', to: '2026-12-31' }, actor);

  // People: ability in [0.55, 1); each is sent by one institution (a few by none; a few by the tiny one).
  interface Person {
    seq: number;
    idNumber: string;
    name: string;
    ability: number;
    institution: string | null;
    industry: string;
    template: Template;
    fails: number;
    done: boolean;
  }
  const people: Person[] = [];
  let seq = 0;
  const newPerson = (template: Template): Person => {
    seq++;
    // Papers are drawn with fresh random seeds, so outcomes (and with them who comes back for a retake)
    // differ between runs: who belongs where is fixed by the person's number, not by the draw.
    let institution: string | null = INSTITUTIONS[Math.floor(rand() * INSTITUTIONS.length)]!;
    if (seq % 20 === 0) institution = null;
    else if (seq === 7 || seq === 150) institution = TINY_INSTITUTION;
    const p: Person = {
      seq,
      idNumber: idn(seq),
      name: `考生${seq}`,
      ability: 0.55 + rand() * 0.45,
      institution,
      industry: template === T_MACH ? '机械' : GEN_INDUSTRIES[Math.floor(rand() * GEN_INDUSTRIES.length)]!,
      template,
      fails: 0,
      done: false,
    };
    people.push(p);
    return p;
  };

  const sittings: Sitting[] = [];
  const sessions: History['sessions'] = [];
  const day0 = Date.UTC(2026, 2, 2); // Monday 2 March 2026
  const dayOf = (i: number) => new Date(day0 + (Math.floor(i / 2) * 7 + (i % 2) * 3) * 86_400_000).toISOString().slice(0, 10);

  const holdSession = async (i: number, date: string, finish: 'graded' | 'ended' | 'scheduled') => {
    const template = i % 2 ? T_GEN : T_MACH;
    clock.set(at(`${date}T07:00:00`));
    const session = plans.createSession({ planId: plan.id, room: opts.room ?? 'R3', startsAt: `${date}T09:00`, templateId: template.id }, actor);
    if (finish === 'scheduled') return session.id;
    // Retakes first: people of this template who failed once and were not yet back; then newcomers.
    const retakers = people.filter((p) => p.template === template && p.fails === 1 && !p.done && rand() < 0.7).slice(0, 4);
    const size = 5 + Math.floor(rand() * 10);
    const cohort = [...retakers];
    while (cohort.length < size) cohort.push(newPerson(template));
    // Half the rosters name the column 培训单位, as many training centres' spreadsheets do.
    const header = ['身份证号', '姓名', '人员类别', '行业', i % 4 < 2 ? '培训机构' : '培训单位'];
    const category = template === T_MACH ? '主要负责人' : '安全生产管理人员';
    const csv = [header, ...cohort.map((p) => [p.idNumber, p.name, category, p.industry, p.institution ?? ''])].map((r) => r.join(',')).join('\n');
    await plans.importRoster(session.id, { bytes: Buffer.from(csv, 'utf8'), filename: 'roster.csv' }, actor);
    plans.assignSeats(session.id, actor);
    plans.generateSessionPapers(session.id, actor);
    plans.advanceSession(session.id, 'checkin', actor);
    plans.advanceSession(session.id, 'in_progress', actor);
    clock.set(at(`${date}T10:30:00`));
    const entries = new Map(plans.roster(session.id).map((e) => [e.idNumber, e]));
    for (const p of cohort) {
      const entry = entries.get(p.idNumber)!;
      // The tiny institution's two people always come: its 1–4 sittings are what the disclosure must withhold.
      const absent = rand() < 0.08 && p.institution !== TINY_INSTITUTION;
      const sitting: Sitting = {
        sessionId: session.id,
        date,
        templateId: template.id,
        idNumber: p.idNumber,
        name: p.name,
        category: template.category as Sitting['category'],
        industry: entry.industry,
        institution: p.institution,
        attempt: entry.attempt as 1 | 2,
        absent,
        resultId: null,
        score: null,
        total: null,
        passed: null,
        answers: [],
      };
      sittings.push(sitting);
      if (absent) {
        // A no-show of a retake keeps the failure; of a first attempt, the person simply never comes back.
        p.done = true;
        continue;
      }
      const paper = plans.paperStore.forCandidate(session.id, p.idNumber)!;
      const sheet: Record<number, number[]> = {};
      paper.items.forEach((it, k) => {
        const q = [...questionIdByStem].find(([, id]) => id === it.questionId)![0];
        const chance = q === IMPOSSIBLE ? 0.03 : q === TRIVIAL ? 1 : q === WRONG_KEY ? (p.ability < 0.78 ? 0.9 : 0.1) : p.ability;
        const right = rand() < chance;
        const options = it.type === 'judge' ? 2 : 4;
        sheet[k + 1] = right ? it.key : [(it.key[0]! + 1) % options];
        sitting.answers.push({ questionId: it.questionId, correct: right });
      });
      const result = plans.gradeCandidate(session.id, p.idNumber, sheet);
      Object.assign(sitting, { resultId: result.id, score: result.score, total: result.total, passed: result.passed });
      if (result.passed) p.done = true;
      else if (++p.fails >= 2) p.done = true;
    }
    plans.advanceSession(session.id, 'ended', actor);
    if (finish === 'graded') {
      plans.advanceSession(session.id, 'graded', actor);
      sessions.push({ id: session.id, date, templateId: template.id });
    }
    return session.id;
  };

  for (let i = 0; i < nSessions; i++) await holdSession(i, dayOf(i), 'graded');
  const ungraded = [await holdSession(nSessions, dayOf(nSessions), 'ended'), await holdSession(nSessions + 1, dayOf(nSessions + 1), 'scheduled')];
  // The ended session's sittings are not part of any figure: only graded sessions count.
  const ungradedSet = new Set(ungraded);
  const counted = sittings.filter((s) => !ungradedSet.has(s.sessionId));
  const now = at(`${dayOf(nSessions + 1)}T12:00:00`);
  clock.set(now);
  return { sittings: counted, sessions, ungraded, questionIdByStem, now };
}

/** The test site with a third room of 30 seats, for sessions of up to 14 candidates and retakes. */
export const STATS_ROOM_YAML = '  - { id: R3, name: 三号考场, seats: { rows: 5, columns: 6 } }\n';
