// How fast per-candidate papers are made: 1,000 papers from a 50,000-question pool, the size of a
// large provincial bank handed to one template. The bank is built in memory, deterministically (no
// database: this measures generation, not SQLite). Usage: npm run bench -- papers [PAPERS] [QUESTIONS]
import type { Question, QuestionType, Template } from '../exam/types.ts';
import { shippedTemplates } from '../exam/papers/template.ts';
import { generatePaper, preparePool } from '../exam/papers/generate.ts';
import { seededRng } from '../exam/papers/random.ts';

const papers = Number(process.argv[2] ?? 1000);
const size = Number(process.argv[3] ?? 50_000);

function buildBank(n: number): Question[] {
  const rng = seededRng('bench-bank');
  const pick = <T>(weighted: [T, number][]): T => {
    let x = rng.below(1000);
    for (const [v, w] of weighted) if ((x -= w) < 0) return v;
    return weighted[0]![0];
  };
  const out: Question[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick<QuestionType>([
      ['judge', 400],
      ['single', 400],
      ['multiple', 200],
    ]);
    const options =
      type === 'judge' ? ['正确', '错误'] : Array.from({ length: type === 'multiple' ? 4 + rng.below(2) : 4 }, (_, k) => `选项${k + 1}（第${i}题）`);
    const answer = type === 'multiple' ? options.map((_, k) => k).filter((k) => k < 2 || rng.below(2) === 0) : [rng.below(options.length)];
    out.push({
      id: `q${String(i).padStart(8, '0')}`,
      externalId: null,
      type,
      stem: `第${i}题：关于安全生产的表述`,
      options,
      answer,
      images: [],
      industry: rng.below(10) < 6 ? 'general' : 'metallurgy',
      category: 'principal',
      operationClass: null,
      knowledgePoint: `知识点${String(rng.below(60)).padStart(2, '0')}`,
      difficulty: pick<Question['difficulty']>([
        [1, 150],
        [2, 300],
        [3, 300],
        [4, 200],
        [5, 50],
      ]),
      explanation: null,
      tier: 'national',
      fingerprint: `fp${i}`,
      retiredAt: null,
    });
  }
  return out;
}

function run(label: string, t: Template, pool: Question[]): number {
  const start = process.hrtime.bigint();
  const prep = preparePool(pool);
  const prepared = process.hrtime.bigint();
  let items = 0;
  for (let i = 0; i < papers; i++) items += generatePaper(t, pool, `bench-seed-${i}`).length;
  const end = process.hrtime.bigint();
  const prepMs = Number(prepared - start) / 1e6;
  const genMs = Number(end - prepared) / 1e6;
  console.log(
    `${label}: index ${prep.questions.length} questions ${prepMs.toFixed(1)} ms, ${papers} papers (${items} items) ${genMs.toFixed(1)} ms, ${((genMs * 1000) / papers).toFixed(0)} µs/paper`,
  );
  return prepMs + genMs;
}

const template = shippedTemplates().find((t) => t.id === 'gm-principal-metallurgy')!;
const withPoints: Template = {
  ...template,
  id: 'bench-required-points',
  sections: template.sections.map((s, i) => ({ ...s, requiredKnowledgePoints: [0, 1, 2, 3, 4].map((k) => `知识点${String(i * 10 + k).padStart(2, '0')}`) })),
};

const t0 = process.hrtime.bigint();
const bank = buildBank(size);
console.log(`bank: ${size} questions built in ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms (not counted)`);
// Separate arrays, so each run pays for its own indexing.
const plain = run(`${template.id} (判断 40 + 单选 40 + 多选 10, difficulty mixes)`, template, bank.slice());
run(`${withPoints.id} (the same + 5 required knowledge points per section)`, withPoints, bank.slice());
console.log(`papers: ${plain.toFixed(0)} ms for ${papers} papers`);
