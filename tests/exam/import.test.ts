// Question-bank import from real files (.xlsx written by exceljs, .csv in UTF-8 and GBK, .json):
// every notation reads right, a bad file is refused whole with every bad row named, duplicates are
// reported and stored once, and headers are matched however people typed them.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ValidationError, fixedClock, formatProblem } from '../../core/index.ts';
import { createAuditLog, openDatabase } from '../../storage/index.ts';
import { createBankStore } from '../../exam/bank/store.ts';
import { createBankAdmin, importFormatOf, type ImportFormat, type ImportProgress } from '../../exam/bank/import/index.ts';
import { createBankImages } from '../../exam/bank/images.ts';
import { png } from './images-fixture.ts';
import type { Question } from '../../exam/types.ts';
import { scratchDir } from '../helpers.ts';
import { cli } from '../processes.ts';

type Cell = string | number | boolean | null;

const HEADER = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '答案', '难度', '知识点', '行业', '人员类别', '作业类别', '来源', '图片'];

/** A good 单选 row; `patch` replaces cells by header name. */
function row(stem: string, patch: Record<string, Cell> = {}): Cell[] {
  const base: Record<string, Cell> = {
    题型: '单选',
    题干: stem,
    选项A: '甲',
    选项B: '乙',
    选项C: '丙',
    选项D: '丁',
    答案: 'A',
    难度: 3,
    知识点: '安全生产法律法规',
    行业: '通用',
    人员类别: '主要负责人',
    作业类别: '',
    来源: '',
    图片: '',
  };
  return HEADER.map((h) => (h in patch ? patch[h]! : base[h]!));
}

async function writeXlsx(file: string, sheets: Record<string, Cell[][]>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  await wb.xlsx.writeFile(file);
  return file;
}

function csvText(rows: Cell[][]): string {
  const cell = (c: Cell) => {
    const s = c === null ? '' : String(c);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Node can decode GBK but not encode it; the decoder's own table, turned around, can. */
function gbkEncode(text: string): Buffer {
  const decoder = new TextDecoder('gbk');
  const table = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(Uint8Array.of(lead, trail));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  return Buffer.from(
    [...text].flatMap((ch) => {
      if (ch.charCodeAt(0) < 0x80) return [ch.charCodeAt(0)];
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no GBK code for ${ch}`);
      return bytes;
    }),
  );
}

function scratchBank(t: Test) {
  const dir = scratchDir(t);
  const db = openDatabase(join(dir, 'examroom.sqlite'));
  t.teardown(() => db.close());
  const clock = fixedClock(Date.UTC(2025, 2, 1, 9, 30));
  const bank = createBankStore(db, clock);
  const audit = createAuditLog(db, clock);
  const images = createBankImages({ db, clock, audit });
  const admin = createBankAdmin({ db, bank, audit, clock, images });
  const importFile = (file: string, opts: { onProgress?: (p: ImportProgress) => void; format?: ImportFormat } = {}) =>
    admin.importFile(file, opts.format ?? importFormatOf(file), {
      filename: file,
      actor: 'user:admin',
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  /** The latest version's questions by stem. */
  const byStem = (): Map<string, Question> => new Map(bank.pool(bank.latest()!.id, { includeRetired: true }).map((q) => [q.stem, q]));
  return { dir, db, bank, audit, images, admin, importFile, byStem, path: (name: string) => join(dir, name) };
}

/** The problem lines a rejected import printed, as the CLI and the HTTP reply show them. */
async function rejection(t: Test, p: Promise<unknown>): Promise<{ lines: string[]; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ValidationError) return { lines: err.problems.map(formatProblem), message: err.message };
    throw err;
  }
  t.fail('the import was accepted');
  return { lines: [], message: '' };
}

t.test('every answer notation imports as the right answer', async (t) => {
  const s = scratchBank(t);
  const cases: [string, Record<string, Cell>, number[]][] = [
    ['多选 ABD', { 题型: '多选', 答案: 'ABD' }, [0, 1, 3]],
    ['多选 A、B、D', { 题型: '多选', 答案: 'A、B、D' }, [0, 1, 3]],
    ['多选 A,B,D', { 题型: '多选', 答案: 'A,B,D' }, [0, 1, 3]],
    ['多选 A，B，D', { 题型: '多选', 答案: 'A，B，D' }, [0, 1, 3]],
    ['多选 A B D', { 题型: '多选', 答案: 'A B D' }, [0, 1, 3]],
    ['多选 abd', { 题型: '多选', 答案: 'abd' }, [0, 1, 3]],
    ['多选 ＡＢＤ', { 题型: '多选', 答案: 'ＡＢＤ' }, [0, 1, 3]],
    ['多选 Ａ　Ｂ', { 题型: '多选题', 答案: 'Ａ　Ｂ' }, [0, 1]],
    ['单选 c', { 答案: 'c' }, [2]],
    ['单选 Ｄ', { 题型: '单项选择题', 答案: 'Ｄ' }, [3]],
    ...(
      [
        ['√', 0],
        ['×', 1],
        ['✓', 0],
        ['✗', 1],
        ['对', 0],
        ['错', 1],
        ['正确', 0],
        ['错误', 1],
        ['T', 0],
        ['F', 1],
        ['是', 0],
        ['否', 1],
        ['A', 0],
        ['B', 1],
      ] as const
    ).map(([mark, answer]): [string, Record<string, Cell>, number[]] => [
      `判断 ${mark}`,
      { 题型: '判断', 选项A: '', 选项B: '', 选项C: '', 选项D: '', 答案: mark },
      [answer],
    ]),
    ['判断 TRUE (a boolean cell)', { 题型: '判断题', 选项A: '', 选项B: '', 选项C: '', 选项D: '', 答案: true }, [0]],
    ['判断 with 错误 listed first: A means false', { 题型: '判断', 选项A: '错误', 选项B: '正确', 选项C: '', 选项D: '', 答案: 'A' }, [1]],
  ];
  // Numbered: stems that differ only in full-width forms or spacing would be one question.
  cases.forEach((c, i) => (c[0] = `${i + 1}. ${c[0]}`));
  const file = await writeXlsx(s.path('notations.xlsx'), { 题库: [HEADER, ...cases.map(([stem, patch]) => row(stem, patch))] });
  const r = await s.importFile(file);
  t.equal(r.imported, cases.length);
  const stored = s.byStem();
  for (const [stem, , answer] of cases) t.same(stored.get(stem)?.answer, answer, stem);
  const judge = [...stored.values()].find((q) => q.type === 'judge')!;
  t.same(judge.options, ['正确', '错误'], 'judge questions always have the options 正确, 错误');
  t.equal(judge.tier, 'local', 'an empty 来源 means the centre’s own bank');
});

t.test('a file with 20 bad rows is refused with every one of them named, and nothing is stored', async (t) => {
  const s = scratchBank(t);
  const before = await s.importFile(await writeXlsx(s.path('first.xlsx'), { 题库: [HEADER, row('已有的题')] }));
  const bad: Cell[][] = [
    row('题型不认识', { 题型: '填空' }),
    row('好题一'),
    row('题型为空', { 题型: '' }),
    row('', {}),
    row('只有一个选项', { 选项B: '', 选项C: '', 选项D: '' }),
    row('选项有缺口', { 选项C: '' }),
    row('答案超出选项', { 题型: '多选', 答案: 'AE' }),
    row('单选两个答案', { 答案: 'AB' }),
    row('多选一个答案', { 题型: '多选', 答案: 'A' }),
    row('答案不是字母', { 答案: 'X' }),
    row('好题二'),
    row('没有答案', { 答案: '' }),
    row('难度太高', { 难度: 6 }),
    row('难度为空', { 难度: '' }),
    row('没有知识点', { 知识点: '' }),
    row('行业不认识', { 行业: '航天' }),
    row('人员类别不认识', { 人员类别: '临时工' }),
    row('负责人有作业类别', { 作业类别: '焊接与热切割作业' }),
    row('来源不认识', { 来源: '火星' }),
    row('图片路径越界', { 图片: '../../etc/passwd.png' }),
    row('判断题有奇怪的选项', { 题型: '判断', 选项C: '', 选项D: '', 答案: '对' }),
    row('单选用了对错', { 答案: '对' }),
  ];
  const file = await writeXlsx(s.path('bad.xlsx'), { 题库: [HEADER, ...bad] });
  const { lines, message } = await rejection(t, s.importFile(file));
  t.same(lines, [
    'row 2, column 题型: unknown question type; use 判断, 单选 or 多选 (got "填空")',
    'row 4, column 题型: empty; give 判断, 单选 or 多选',
    'row 5, column 题干: the question text is empty',
    'row 6, column 选项B: a single-choice question needs at least two options (选项A and 选项B)',
    'row 7, column 选项C: empty, but 选项D is filled; options run from A with no gaps',
    'row 8, column 答案: "AE" names option E, but only A–D exist',
    'row 9, column 答案: a single-choice question takes one answer (got "AB")',
    'row 10, column 答案: a multiple-choice question needs at least two answers (got "A")',
    'row 11, column 答案: "X" is not an answer (use letters A–F, or 对/错 for 判断)',
    'row 13, column 答案: no answer given',
    'row 14, column 难度: must be a whole number from 1 to 5 (got "6")',
    'row 15, column 难度: empty; give a difficulty from 1 (easiest) to 5',
    'row 16, column 知识点: empty; name the knowledge point (知识点) the question tests',
    'row 17, column 行业: unknown industry; use one of 冶金, 有色, 建材, 机械, 轻工, 纺织, 烟草, 商贸, 危化, 通用 (got "航天")',
    'row 18, column 人员类别: unknown personnel category; use 主要负责人, 安全生产管理人员, 特种作业人员 (got "临时工")',
    'row 19, column 作业类别: only 特种作业人员 questions have an operation class; leave it empty for 主要负责人 (got "焊接与热切割作业")',
    'row 20, column 来源: unknown source; use 国家, 省级, 本地 (or leave it empty for 本地) (got "火星")',
    'row 21, column 图片: an image is a relative file name ending .png, .jpg, .jpeg, .gif, .webp or .bmp (got "../../etc/passwd.png")',
    'row 22, column 选项A: a 判断 question\'s options are 正确 and 错误; leave 选项A–选项F empty or put 正确/错误 in A and B (got "甲 / 乙")',
    'row 23, column 答案: "对" is a 判断 answer, but this is a single-choice question: give letters A–D',
  ]);
  t.equal(message, 'bad.xlsx: 20 problems in 20 rows; nothing was imported');
  t.same(s.bank.versions(), [before.version], 'no version was made');
  t.equal(s.db.prepare('SELECT COUNT(*) FROM questions').pluck().get(), 1, 'not even the good rows were stored');
  t.equal(s.audit.list({ action: 'bank.import' }).length, 1, 'a refused import changes nothing, the audit log included');
});

t.test('a row with several problems lists each of them', async (t) => {
  const s = scratchBank(t);
  const file = await writeXlsx(s.path('two.xlsx'), { 题库: [HEADER, row('两处错', { 难度: 0, 行业: '' })] });
  const { lines, message } = await rejection(t, s.importFile(file));
  t.same(lines, [
    'row 2, column 难度: must be a whole number from 1 to 5 (got "0")',
    'row 2, column 行业: empty; use one of 冶金, 有色, 建材, 机械, 轻工, 纺织, 烟草, 商贸, 危化, 通用',
  ]);
  t.match(message, /: 2 problems in 1 row; nothing was imported$/);
});

t.test('duplicates within the file and against the bank are reported and stored once', async (t) => {
  const s = scratchBank(t);
  const first = await s.importFile(await writeXlsx(s.path('first.xlsx'), { 题库: [HEADER, row('已有题一'), row('已有题二', { 答案: 'B' })] }));
  const existing = s.byStem();
  const file = await writeXlsx(s.path('second.xlsx'), {
    题库: [
      HEADER,
      row('已有题一'),
      row('新题'),
      // The same question typed again: other spacing, full-width letters, options in another order.
      row(' 新 题 ', { 选项A: '丁', 选项D: '甲', 答案: 'D' }),
      row('已有题二', { 答案: 'C' }),
      row('新题', { 答案: 'B' }),
    ],
  });
  const r = await s.importFile(file);
  t.equal(r.imported, 1);
  t.same(r.duplicates, [
    { where: 'row 2', sameAs: `question ${existing.get('已有题一')!.id}`, questionId: existing.get('已有题一')!.id, answerDiffers: false },
    { where: 'row 4', sameAs: 'row 3', questionId: null, answerDiffers: false },
    { where: 'row 5', sameAs: `question ${existing.get('已有题二')!.id}`, questionId: existing.get('已有题二')!.id, answerDiffers: true },
    { where: 'row 6', sameAs: 'row 3', questionId: null, answerDiffers: true },
  ]);
  t.equal(r.version!.parent, first.version!.id, 'the import builds on the latest version');
  t.equal(r.version!.questionCount, 3, 'the new version holds the old questions and the one new one');
  t.equal(s.db.prepare('SELECT COUNT(*) FROM questions').pluck().get(), 3, 'nothing was stored twice');
  t.match(s.audit.list({ action: 'bank.import' })[0]!.detail, { file: 'second.xlsx', imported: 1, duplicates: 4, version: r.version!.id });

  const again = await s.importFile(file);
  t.equal(again.imported, 0);
  t.equal(again.version, null, 'a file with nothing new makes no version');
  t.equal(s.bank.versions().length, 2);
});

t.test('headers match in any order, with full-width forms, spaces and required-field marks', async (t) => {
  const s = scratchBank(t);
  const header = [' 答　案 ', '知识点 ', 'Ｂ', '*题 干', '行　业', '难度(1-5)', '选项Ａ', '备注', '人员类别', '题型', '选项C', '作业类别', '编号'];
  const file = await writeXlsx(s.path('messy.xlsx'), {
    题库: [
      ['2025年安全生产考核题库'],
      [],
      header,
      ['b', '隐患排查治理', '乙', '何者正确？', '冶金', '２', '甲', '这列不认识，被忽略', '特种作业人员', '单选', '丙', '', 'GM-0001'],
    ],
  });
  const r = await s.importFile(file);
  t.equal(r.imported, 1);
  const q = s.byStem().get('何者正确？')!;
  t.match(q, {
    type: 'single',
    options: ['甲', '乙', '丙'],
    answer: [1],
    difficulty: 2,
    knowledgePoint: '隐患排查治理',
    industry: 'metallurgy',
    category: 'special_operation',
    operationClass: null,
    externalId: 'GM-0001',
    tier: 'local',
  });
});

t.test('a header without a required column names the column', async (t) => {
  const s = scratchBank(t);
  const file = await writeXlsx(s.path('nohdr.xlsx'), { 题库: [HEADER.filter((h) => h !== '答案' && h !== '行业'), ['单选', '题']] });
  const { lines } = await rejection(t, s.importFile(file));
  t.same(lines, ['row 1, column 答案: no such column in the header row', 'row 1, column 行业: no such column in the header row']);
});

t.test('a GBK-encoded CSV (Excel’s default in China) imports like a UTF-8 one', async (t) => {
  const s = scratchBank(t);
  const rows = [
    HEADER,
    row('发现事故隐患应当立即报告。', { 题型: '判断', 选项A: '', 选项B: '', 选项C: '', 选项D: '', 答案: '√' }),
    row('下列哪项属于特种作业？', {
      选项A: '电工作业',
      选项B: '文秘',
      选项C: '保洁',
      选项D: '',
      答案: 'A',
      人员类别: '特种作业人员',
      作业类别: '低压电工作业',
      来源: '省级',
    }),
  ];
  writeFileSync(s.path('gbk.csv'), gbkEncode(csvText(rows)));
  const r = await s.importFile(s.path('gbk.csv'));
  t.equal(r.imported, 2);
  const stored = s.byStem();
  t.match(stored.get('发现事故隐患应当立即报告。'), { type: 'judge', answer: [0] });
  t.match(stored.get('下列哪项属于特种作业？'), { options: ['电工作业', '文秘', '保洁'], operationClass: '低压电工作业', tier: 'provincial' });
});

t.test('a UTF-8 CSV with a BOM and a stem across lines keeps Excel’s row numbers', async (t) => {
  const s = scratchBank(t);
  const rows = [HEADER, row('第一行\n第二行'), row('坏的', { 难度: 'hard' })];
  writeFileSync(s.path('bom.csv'), `\ufeff${csvText(rows)}`);
  const { lines } = await rejection(t, s.importFile(s.path('bom.csv')));
  t.same(lines, ['row 3, column 难度: must be a whole number from 1 to 5 (got "hard")'], 'the quoted two-line stem is one row');
  writeFileSync(s.path('bom.csv'), `\ufeff${csvText(rows.slice(0, 2))}`);
  t.equal((await s.importFile(s.path('bom.csv'))).imported, 1);
  t.ok(s.byStem().has('第一行\n第二行'), 'the BOM is not part of the first header');
});

t.test('JSON takes QuestionInput fields or the Chinese column names', async (t) => {
  const s = scratchBank(t);
  const items = [
    {
      type: 'multiple',
      stem: '英文字段',
      options: ['甲', '乙', '丙'],
      answer: [0, 2],
      difficulty: 4,
      knowledgePoint: '应急管理',
      industry: 'hazardous_chemicals',
      category: 'safety_manager',
      tier: 'national',
      images: ['fig/1.png'],
      explanation: '因为',
    },
    { 题型: '判断', 题干: '中文字段', 答案: '错', 难度: '1', 知识点: '应急管理', 行业: '危化', 人员类别: '安全生产管理人员' },
    {
      type: 'single',
      stem: '字母答案',
      options: ['甲', '乙'],
      answer: 'b',
      difficulty: 2,
      knowledgePoint: '应急管理',
      industry: 'general',
      category: 'principal',
    },
  ];
  writeFileSync(s.path('q.json'), JSON.stringify(items));
  const fig = s.images.put('fig/1.png', await png('red'), 'user:admin');
  t.match(fig.id, /^[0-9a-f]{64}\.png$/);
  t.equal((await s.importFile(s.path('q.json'))).imported, 3);
  const stored = s.byStem();
  t.match(
    stored.get('英文字段'),
    { answer: [0, 2], tier: 'national', images: [fig.id], explanation: '因为' },
    'the question stores the image id, not the name',
  );
  t.match(stored.get('中文字段'), { type: 'judge', answer: [1], industry: 'hazardous_chemicals' });
  t.match(stored.get('字母答案'), { answer: [1] });

  writeFileSync(s.path('bad.json'), JSON.stringify([items[0], { ...items[2], answer: [5] }, { ...items[2], stem: '别的', colour: 'red' }, 'just a string']));
  const { lines } = await rejection(t, s.importFile(s.path('bad.json')));
  t.same(lines, [
    'item 2, field answer: 5 is not an option index (0–1) (got a list of 1)',
    'item 3, field colour: unknown field',
    'item 4: not an object with the question\'s fields (got "just a string")',
  ]);
});

t.test('questions on several sheets import together; problems name the sheet', async (t) => {
  const s = scratchBank(t);
  const judge = (stem: string, answer: Cell) => row(stem, { 题型: '判断', 选项A: '', 选项B: '', 选项C: '', 选项D: '', 答案: answer });
  const sheets = {
    说明: [['本题库共两张表'], ['请勿修改表头']],
    单选题: [HEADER, row('单选一')],
    判断题: [HEADER, judge('判断一', '对'), judge('判断二', '?')],
  };
  const { lines } = await rejection(t, s.importFile(await writeXlsx(s.path('sheets.xlsx'), sheets)));
  t.same(lines, ['sheet 判断题, row 3, column 答案: "?" is not an answer (use letters A–F, or 对/错 for 判断)']);
  sheets.判断题.pop();
  t.equal((await s.importFile(await writeXlsx(s.path('sheets.xlsx'), sheets))).imported, 2);
});

t.test('files that are not what their name says are refused with one clear line', async (t) => {
  const s = scratchBank(t);
  writeFileSync(s.path('renamed.xlsx'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]));
  t.same((await rejection(t, s.importFile(s.path('renamed.xlsx')))).lines, [
    'file: this is an Excel 97–2003 (.xls) workbook renamed .xlsx; open it in Excel or WPS and save it as .xlsx',
  ]);
  writeFileSync(s.path('text.xlsx'), 'hello');
  t.same((await rejection(t, s.importFile(s.path('text.xlsx')))).lines, ['file: not an .xlsx workbook (an .xlsx file is a zip archive; this one is not)']);
  writeFileSync(s.path('empty.csv'), '');
  t.same((await rejection(t, s.importFile(s.path('empty.csv')))).lines, ['file: the file is empty']);
  writeFileSync(s.path('header-only.csv'), csvText([HEADER]));
  t.same((await rejection(t, s.importFile(s.path('header-only.csv')))).lines, ['file: no questions below the header row']);
  writeFileSync(
    s.path('no-header.csv'),
    csvText([
      ['a', 'b'],
      ['c', 'd'],
    ]),
  );
  t.same((await rejection(t, s.importFile(s.path('no-header.csv')))).lines, [
    'row 1: no header row with the columns 题型, 题干, 答案, 难度, 知识点, 行业, 人员类别, 选项A…选项F (got "a | b")',
  ]);
  const formatProblems = (name: string) => (t.throws(() => importFormatOf(name)) as ValidationError).problems.map(formatProblem);
  t.same(formatProblems('old.xls'), ['file: .xls (Excel 97–2003 / WPS) workbooks are not read; save it as .xlsx (Excel 工作簿) or CSV UTF-8 (got "old.xls")']);
  t.same(formatProblems('notes.txt'), ['file: import takes .xlsx, .csv or .json files (got "notes.txt")']);
  t.equal(s.bank.versions().length, 0);
});

t.test('progress is reported through reading, checking and storing', async (t) => {
  const s = scratchBank(t);
  const rows = Array.from({ length: 1001 }, (_, i) => row(`进度题${i}`));
  const seen: ImportProgress[] = [];
  await s.importFile(await writeXlsx(s.path('many.xlsx'), { 题库: [HEADER, ...rows] }), { onProgress: (p) => seen.push(p) });
  t.same([...new Set(seen.map((p) => p.phase))], ['reading', 'checking', 'storing']);
  t.ok(
    seen.some((p) => p.phase === 'reading' && p.rows === 1000),
    'reading reports as rows go by',
  );
  t.same(seen.at(-1), { phase: 'storing', rows: 1001, total: 1001 });
});

t.test('a large import leaves the event loop free while it stores, and nothing of it is in the bank until it is whole', async (t) => {
  const s = scratchBank(t);
  await s.importFile(await writeXlsx(s.path('first.xlsx'), { 题库: [HEADER, row('已有题')] }));
  const before = s.bank.latest()!;
  const rows = Array.from({ length: 3000 }, (_, i) => row(`大题库${i}`));
  const file = s.path('large.csv');
  writeFileSync(file, csvText([HEADER, ...rows]));
  let done = false;
  let tickedWhileStoring = false;
  let seenMidway: { latest: string; questions: number } | null = null;
  const result = await s.importFile(file, {
    onProgress: (p) => {
      if (p.phase !== 'storing' || seenMidway || p.rows === 0 || p.rows >= p.total!) return;
      // Halfway through storing: a timer set now must fire before the import ends, and a reader sees the bank as it was.
      setTimeout(() => (tickedWhileStoring = !done), 0);
      seenMidway = { latest: s.bank.latest()!.id, questions: s.bank.pool(s.bank.latest()!.id).length };
    },
  });
  done = true;
  t.ok(tickedWhileStoring, 'a timer ran between the chunks of the store');
  t.same(seenMidway, { latest: before.id, questions: 1 }, 'midway, the bank is the one before: no version, no new question');
  t.equal(result.imported, 3000);
  t.equal(s.bank.pool(s.bank.latest()!.id).length, 3001, 'then all of it at once');
  t.equal((s.db.prepare("SELECT COUNT(*) AS n FROM temp.sqlite_master WHERE name LIKE 'bank_stage_%'").get() as { n: number }).n, 0, 'the stage is gone');
});

t.test('a version that comes in while an import is stored makes it check again: nothing lost, nothing twice', async (t) => {
  const s = scratchBank(t);
  const big = s.path('big.csv');
  writeFileSync(big, csvText([HEADER, ...Array.from({ length: 1500 }, (_, i) => row(`并发题${i}`))]));
  // The other version's questions, as an import elsewhere read them: one the big file holds too, one it does not.
  const elsewhere = scratchBank(t);
  await elsewhere.importFile(await writeXlsx(elsewhere.path('small.xlsx'), { 题库: [HEADER, row('并发题7'), row('另一份的题')] }));
  const theirs = elsewhere.bank.pool(elsewhere.bank.latest()!.id);
  // Another connection to the same file: the CLI next to the server.
  const cliDb = openDatabase(join(s.dir, 'examroom.sqlite'));
  t.teardown(() => cliDb.close());
  const cliBank = createBankStore(cliDb, fixedClock(Date.UTC(2025, 2, 1, 9, 31)));
  let landed = false;
  const result = await s.importFile(big, {
    onProgress: (p) => {
      if (p.phase !== 'storing' || p.rows === 0 || landed) return;
      landed = true;
      cliBank.createVersion({ id: 'local-from-cli', kind: 'import', parent: null, label: 'small.xlsx', questions: theirs });
    },
  });
  t.ok(landed);
  const versions = s.bank.versions();
  t.same(
    versions.map((v) => v.id),
    [result.version!.id, 'local-from-cli'],
    'two versions: the big import is the newer',
  );
  t.equal(versions[0]!.parent, 'local-from-cli', '…built on the one that came in meanwhile, not on what was there before');
  t.equal(result.imported, 1499, 'checked again: the question the other version stored is a duplicate now');
  t.match(result.duplicates, [{ sameAs: /^question / }]);
  const stems = s.bank.pool(s.bank.latest()!.id).map((q) => q.stem);
  t.equal(stems.length, 1501, 'every question once');
  t.ok(stems.includes('另一份的题'), "the other version's question is in the newest version");
});

t.test('the CLI: `bank import` ends with the summary line, refuses a bad file whole, and `bank list` / `bank retire` work', async (t) => {
  const dir = scratchDir(t);
  const data = join(dir, 'data');
  const good = await writeXlsx(join(dir, 'good.xlsx'), {
    题库: [
      HEADER,
      row('命令行一'),
      row('命令行二', { 题型: '多选', 答案: 'A、C' }),
      row('命令行一'),
      row('命令行三', { 题型: '判断', 选项A: '', 选项B: '', 选项C: '', 选项D: '', 答案: '×' }),
    ],
  });
  const ok = await cli(['bank', 'import', good, '--data', data]);
  t.equal(ok.code, 0, ok.stderr);
  const out = ok.stdout.trimEnd().split('\n');
  t.equal(out.at(-1), 'imported 3, duplicates 1', 'the last stdout line is the summary');
  t.ok(out.includes('row 4: same question as row 2; not stored again'), 'the duplicate is named');
  t.notMatch(ok.stderr, /reading|checking|storing/, 'no progress lines for a small import into a pipe');

  const dbFile = join(data, 'db', 'examroom.sqlite');
  const readBank = () => {
    const db = openDatabase(dbFile, { readonly: true });
    try {
      return {
        versions: createBankStore(db, fixedClock(0)).versions(),
        judge: db.prepare("SELECT id, retired_at AS retiredAt FROM questions WHERE stem = '命令行三'").get() as { id: string; retiredAt: number | null },
      };
    } finally {
      db.close();
    }
  };
  const { versions, judge } = readBank();
  t.equal(versions.length, 1);
  t.equal(versions[0]!.questionCount, 3);

  // Each CLI start costs seconds of CPU, so the three that do not depend on each other run at once.
  const bad = await writeXlsx(join(dir, 'bad.xlsx'), {
    题库: [HEADER, row('坏一', { 答案: 'AE' }), row('好的'), row('坏二', { 难度: '高' }), row('', { 行业: '航天' })],
  });
  const [refused, list, retire] = await Promise.all([
    cli(['bank', 'import', bad, '--data', data]),
    cli(['bank', 'list', '--data', data]),
    cli(['bank', 'retire', judge.id, '--data', data]),
  ]);

  t.equal(refused.code, 1);
  t.equal(refused.stdout, '');
  t.same(
    refused.stderr.split('\n').filter((l) => l.startsWith('row ')),
    [
      'row 2, column 答案: "AE" names option E, but only A–D exist',
      'row 4, column 难度: must be a whole number from 1 to 5 (got "高")',
      'row 5, column 题干: the question text is empty',
      'row 5, column 行业: unknown industry; use one of 冶金, 有色, 建材, 机械, 轻工, 纺织, 烟草, 商贸, 危化, 通用 (got "航天")',
    ],
    'one line per problem',
  );
  t.match(refused.stderr, /^examroom: bad\.xlsx: 4 problems in 3 rows; nothing was imported$/m);
  t.notMatch(refused.stderr, /^\s+at /m, 'no stack trace');

  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, new RegExp(`^${versions[0]!.id}\\s+import\\s+good\\.xlsx\\s+3\\s`, 'm'));
  t.equal(retire.code, 0, retire.stderr);
  t.match(retire.stdout, new RegExp(`^retired ${judge.id}:`));

  const after = readBank();
  t.same(after.versions, versions, 'the refused file made no version');
  t.type(after.judge.retiredAt, 'number', 'the question is retired, not deleted');
});

t.test('a corrected question replaces a retired one with another answer', async (t) => {
  const dir = scratchDir(t);
  const { buildTestApp, testConfig } = await import('../helpers.ts');
  const app = await buildTestApp({ config: testConfig(dir) });
  t.teardown(() => app.close());
  const header = '题型,题干,选项A,选项B,选项C,选项D,答案,难度,知识点,行业,人员类别\n';
  const row = (answer: string) => `单选,新上岗从业人员岗前安全培训不少于多少学时,8,16,24,48,${answer},2,安全教育培训,通用,主要负责人\n`;
  const first = await app.exam.bankAdmin.importFile(Buffer.from(header + row('B')), 'csv', { actor: 'test', filename: 'v1.csv' });
  t.equal(first.imported, 1);
  const wrongId = app.exam.bank.search({ versionId: app.exam.bank.latest()!.id }).items[0]!.id;
  const again = await app.exam.bankAdmin.importFile(Buffer.from(header + row('C')), 'csv', { actor: 'test', filename: 'v2.csv' });
  t.equal(again.imported, 0, 'while the wrong one is active, the corrected one is a duplicate with another answer');
  t.equal(again.duplicates[0]?.answerDiffers, true);
  app.exam.bankAdmin.retire(wrongId, 'test', null);
  const fixed = await app.exam.bankAdmin.importFile(Buffer.from(header + row('C')), 'csv', { actor: 'test', filename: 'v3.csv' });
  t.equal(fixed.imported, 1, 'once the wrong one is retired, the corrected one is imported');
  const same = await app.exam.bankAdmin.importFile(Buffer.from(header + row('B')), 'csv', { actor: 'test', filename: 'v4.csv' });
  t.equal(same.imported, 0, 'the retired content itself does not come back');
});
