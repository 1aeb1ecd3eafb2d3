// A valid bank question for package and sync tests; `n` makes it distinct.
import type { QuestionInput } from '../../exam/types.ts';

export function question(n: number, over: Partial<QuestionInput> = {}): QuestionInput {
  return {
    externalId: `N-${n}`,
    type: 'single',
    stem: `第${n}题：进入有限空间作业前，应当首先（ ）。`,
    options: ['通风并检测', '直接进入', '单人作业', '关闭照明'],
    answer: [0],
    images: [],
    industry: 'general',
    category: 'principal',
    operationClass: null,
    knowledgePoint: '有限空间作业',
    difficulty: 2,
    explanation: null,
    tier: 'national',
    ...over,
  };
}
