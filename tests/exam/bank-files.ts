// Question files as an exam centre writes them (CSV, 中文 headers), for the admin console's import
// tests: a good file that fills the shipped template gm-principal-machinery (40 判断, 40 单选, 10 多选
// with its difficulty mix) with room to spare, and the same file with bad rows the import must name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped template the good file fills. */
export const BANK_TEMPLATE_ID = 'gm-principal-machinery';

const HEADER = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '答案', '难度', '知识点', '行业', '人员类别', '图片'];
const POINTS = ['安全生产法律法规', '隐患排查治理', '机械安全技术', '应急管理'];

type Row = Record<(typeof HEADER)[number], string>;

function csv(rows: Row[]): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [HEADER, ...rows.map((r) => HEADER.map((h) => r[h] ?? ''))].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** 80 判断, 80 单选, 24 多选 on four knowledge points, difficulties 1–4 (多选 2–4); `tag` keeps two files' questions apart. */
export function goodBankRows(tag = ''): Row[] {
  const rows: Row[] = [];
  const base = (i: number, difficulty: number) => ({
    难度: String(difficulty),
    知识点: POINTS[i % POINTS.length]!,
    行业: '机械',
    人员类别: '主要负责人',
    图片: '',
  });
  for (let i = 0; i < 80; i++) {
    rows.push({
      题型: '判断',
      题干: `${tag}机械设备检修前必须切断电源并挂牌上锁（第${i + 1}题）`,
      选项A: '',
      选项B: '',
      选项C: '',
      选项D: '',
      答案: i % 3 ? '正确' : '错误',
      ...base(i, 1 + (i % 4)),
    });
    rows.push({
      题型: '单选',
      题干: `${tag}企业安全生产第一责任人是谁（第${i + 1}题）`,
      选项A: `主要负责人${i}`,
      选项B: `安全员${i}`,
      选项C: `班组长${i}`,
      选项D: `操作工${i}`,
      答案: 'ABCD'[i % 4]!,
      ...base(i, 1 + (i % 4)),
    });
  }
  for (let i = 0; i < 24; i++) {
    rows.push({
      题型: '多选',
      题干: `${tag}下列哪些属于隐患排查的内容（第${i + 1}题）`,
      选项A: `设备${i}`,
      选项B: `人员${i}`,
      选项C: `环境${i}`,
      选项D: `管理${i}`,
      答案: ['AB', 'ABC', 'BCD', 'ACD'][i % 4]!,
      ...base(i, 2 + (i % 3)),
    });
  }
  return rows;
}

/**
 * The good rows with three problems in two rows: row 3 (the second data row) has no answer, row 6 has
 * difficulty 9 and an unknown question type. What the import must list:
 */
export const BAD_FILE_LINES = ['row 3, column 答案', 'row 6, column 题型', 'row 6, column 难度'];

export function badBankRows(): Row[] {
  const rows = goodBankRows('坏');
  rows[1] = { ...rows[1]!, 答案: '' };
  rows[4] = { ...rows[4]!, 题型: '填空', 难度: '9' };
  return rows;
}

/** The stem of the one question with a picture (`picture` of writeBankFiles). */
export const PICTURE_STEM = '图中所示的安全标志表示什么？';

/**
 * Writes the good and the bad file into `dir`; returns their paths. With `picture` (an uploaded
 * image's name) the good file has one more 单选 question that shows it.
 */
export function writeBankFiles(dir: string, opts: { picture?: string } = {}): { good: string; bad: string } {
  const good = join(dir, '机械主要负责人题库.csv');
  const bad = join(dir, '题库-有错行.csv');
  const rows = goodBankRows();
  if (opts.picture)
    rows.push({
      题型: '单选',
      题干: PICTURE_STEM,
      选项A: '禁止启动',
      选项B: '当心触电',
      选项C: '必须戴安全帽',
      选项D: '紧急出口',
      答案: 'A',
      难度: '2',
      知识点: '机械安全技术',
      行业: '机械',
      人员类别: '主要负责人',
      图片: opts.picture,
    });
  writeFileSync(good, `\ufeff${csv(rows)}`);
  writeFileSync(bad, `\ufeff${csv(badBankRows())}`);
  return { good, bad };
}
