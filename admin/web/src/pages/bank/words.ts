// The bank page's words, zh-CN first.
import type { Bilingual } from '../../../../../web/i18n.ts';

export const bankWords: Bilingual<{
  versions: string;
  version: string;
  kind: Record<'package' | 'import' | 'shipped', string>;
  label: string;
  questions: string;
  templates: string;
  builtInTemplates: string;
  builtInTemplatesHelp: string;
  received: string;
  signedBy: string;
  noVersions: string;
  sync: string;
  syncOff: string;
  syncUrl: string;
  syncChecked: string;
  syncLastVersion: string;
  syncLastError: string;
  syncNever: string;
  syncNow: string;
  syncDone: (v: string | null, installed: boolean) => string;
  importTitle: string;
  importHint: string;
  importFile: string;
  importStart: string;
  importing: string;
  phase: Record<'reading' | 'checking' | 'storing', (done: number, total: number | null) => string>;
  phaseEnded: (phase: 'reading' | 'checking' | 'storing', done: number, total: number | null) => string;
  queued: string;
  cancel: string;
  importDone: (imported: number, dups: number, version: string | null) => string;
  duplicatesTitle: string;
  importRefused: (file: string, n: number) => string;
  importNothing: string;
  importStopped: (status: string) => string;
  colWhere: string;
  colColumn: string;
  colProblem: string;
  where: (w: string) => string;
  column: (c: string | null) => string;
  imagesTitle: string;
  imagesHint: string;
  imageFile: string;
  imageName: string;
  imageNameShort: string;
  imageUpload: string;
  imageId: string;
  imageStored: (created: boolean) => string;
  searchTitle: string;
  text: string;
  type: string;
  anyType: string;
  typeNames: Record<'judge' | 'single' | 'multiple', string>;
  knowledgePoint: string;
  difficulty: string;
  anyDifficulty: string;
  versionLatest: string;
  includeRetired: string;
  search: string;
  found: (n: number) => string;
  none: string;
  stem: string;
  state: string;
  active: string;
  retired: string;
  retire: string;
  retireTitle: string;
  retireText: string;
  retireConfirm: string;
  back: string;
  prev: string;
  next: string;
  pageOf: (p: number, n: number) => string;
  loading: string;
  picture: string;
}> = {
  zh: {
    versions: '题库版本',
    version: '版本',
    kind: { package: '签名题库包', import: '本地导入', shipped: '内置' },
    label: '来源',
    questions: '试题数',
    templates: '随版本的组卷模板',
    builtInTemplates: '无（用内置模板）',
    builtInTemplatesHelp: '这个版本没有带组卷模板；组卷用系统内置的模板（见“组卷模板”页）',
    received: '入库时间',
    signedBy: '签名密钥',
    noVersions: '题库为空：请导入试题文件或从中心题库同步。',
    sync: '中心题库同步',
    syncOff: '未配置中心题库（config 中 bank.centralUrl），只能本地导入或上传签名题库包。',
    syncUrl: '地址',
    syncChecked: '上次检查',
    syncLastVersion: '上次取得的版本',
    syncLastError: '上次错误',
    syncNever: '从未',
    syncNow: '立即同步',
    syncDone: (v, installed) => (installed ? `已安装新版本 ${v}` : `已是最新${v ? `（${v}）` : ''}`),
    importTitle: '导入试题（Excel / CSV / JSON）',
    importHint: '全部或全不：有一行出错则整个文件不入库，并列出每个出错的行和列。重复的题目会列出并跳过。',
    importFile: '试题文件',
    importStart: '开始导入',
    importing: '正在导入',
    phase: {
      reading: (d) => `正在读取并检查：已读 ${d} 行`,
      checking: (d, t) => `正在查重：${d} / ${t ?? '?'}`,
      storing: (d, t) => `正在入库：${d} / ${t ?? '?'}`,
    },
    phaseEnded: (p, d, t) => (p === 'storing' ? `已入库 ${d} / ${t ?? d}` : p === 'checking' ? `已查重 ${d} / ${t ?? d}` : `已读取并检查 ${d} 行`),
    queued: '排队等待中…',
    cancel: '取消导入',
    importDone: (n, d, v) => `导入完成：新增 ${n} 题，重复 ${d} 题${v ? `，新版本 ${v}` : '，没有新题，未生成新版本'}`,
    duplicatesTitle: '重复的题目（未再次入库）',
    importRefused: (f, n) => `${f} 未导入：共 ${n} 处问题，什么都没有入库。请在文件中改正以下各行后重新导入。`,
    importNothing: '什么都没有入库。',
    importStopped: (s) => `导入已${s === 'cancelled' ? '取消' : '中断'}，什么都没有入库，请重新导入。`,
    colWhere: '位置',
    colColumn: '列',
    colProblem: '问题',
    where: (w) =>
      w
        .replace(/^sheet (.*), row (\d+)$/u, '工作表 $1 第 $2 行')
        .replace(/^row (\d+)$/u, '第 $1 行')
        .replace(/^item (\d+)$/u, '第 $1 项')
        .replace(/^file$/u, '整个文件'),
    column: (c) => (c ? c.replace(/^column /u, '').replace(/^field /u, '') : '—'),
    imagesTitle: '上传试题图片',
    imagesHint: '在试题文件的「图片」列填写图片名称（如 fig/1.png）；导入时按名称找到最新上传的图片。',
    imageFile: '图片文件（PNG、JPEG、GIF、WebP、BMP，≤ 2 MiB）',
    imageName: '图片名称（试题文件中填写的名称）',
    imageNameShort: '名称',
    imageUpload: '上传',
    imageId: '图片编号',
    imageStored: (c) => (c ? '已保存' : '此名称已是这张图片'),
    searchTitle: '查找试题',
    text: '题干或选项中的文字',
    type: '题型',
    anyType: '全部题型',
    typeNames: { judge: '判断', single: '单选', multiple: '多选' },
    knowledgePoint: '知识点',
    difficulty: '难度',
    anyDifficulty: '全部',
    versionLatest: '最新版本',
    includeRetired: '包括已停用的',
    search: '查找',
    found: (n) => `共 ${n} 题`,
    none: '没有符合条件的试题。',
    stem: '试题',
    state: '状态',
    active: '在用',
    retired: '已停用',
    retire: '停用',
    retireTitle: '停用这道题？',
    retireText: '停用后，新生成的试卷不再抽到这道题；已经用过它的试卷保持不变。试题不会被删除，停用无法撤销。',
    retireConfirm: '确认停用',
    back: '返回',
    prev: '上一页',
    next: '下一页',
    pageOf: (p, n) => `第 ${p} / ${n} 页`,
    loading: '加载中…',
    picture: '试题图片',
  },
  en: {
    versions: 'Bank versions',
    version: 'Version',
    kind: { package: 'signed package', import: 'local import', shipped: 'shipped' },
    label: 'From',
    questions: 'Questions',
    templates: 'Templates in it',
    builtInTemplates: 'none (built-in used)',
    builtInTemplatesHelp: 'This version carries no templates; papers use the built-in ones (see the Templates page)',
    received: 'Received',
    signedBy: 'Signing key',
    noVersions: 'The bank is empty: import a question file or sync with the central bank.',
    sync: 'Central bank sync',
    syncOff: 'No central bank is configured (bank.centralUrl in the config): import files or upload signed packages.',
    syncUrl: 'URL',
    syncChecked: 'Last checked',
    syncLastVersion: 'Last version received',
    syncLastError: 'Last error',
    syncNever: 'never',
    syncNow: 'Sync now',
    syncDone: (v, installed) => (installed ? `installed the new version ${v}` : `up to date${v ? ` (${v})` : ''}`),
    importTitle: 'Import questions (Excel / CSV / JSON)',
    importHint: 'All or nothing: one bad row keeps the whole file out, and every bad row and column is listed. Duplicates are listed and skipped.',
    importFile: 'Question file',
    importStart: 'Import',
    importing: 'Importing',
    phase: {
      reading: (d) => `reading and checking: ${d} rows read`,
      checking: (d, t) => `looking for duplicates: ${d} of ${t ?? '?'}`,
      storing: (d, t) => `storing: ${d} of ${t ?? '?'}`,
    },
    phaseEnded: (p, d, t) =>
      p === 'storing' ? `stored ${d} of ${t ?? d}` : p === 'checking' ? `checked ${d} of ${t ?? d} for duplicates` : `${d} rows read and checked`,
    queued: 'waiting in the queue…',
    cancel: 'Cancel the import',
    importDone: (n, d, v) => `Imported: ${n} new questions, ${d} duplicates${v ? `, new version ${v}` : '; nothing new, so no new version'}`,
    duplicatesTitle: 'Duplicates (not stored again)',
    importRefused: (f, n) => `${f} was not imported: ${n} problems, nothing was stored. Fix these rows in the file and import it again.`,
    importNothing: 'Nothing was stored.',
    importStopped: (s) => `The import was ${s}; nothing was stored. Import the file again.`,
    colWhere: 'Where',
    colColumn: 'Column',
    colProblem: 'Problem',
    where: (w) => w,
    column: (c) => (c ? c.replace(/^column /u, '').replace(/^field /u, '') : '—'),
    imagesTitle: 'Upload question images',
    imagesHint: "Name the picture in the question file's 图片 column (e.g. fig/1.png); an import finds the latest upload under that name.",
    imageFile: 'Image file (PNG, JPEG, GIF, WebP, BMP, ≤ 2 MiB)',
    imageName: 'Name (as the question file names it)',
    imageNameShort: 'Name',
    imageUpload: 'Upload',
    imageId: 'Image id',
    imageStored: (c) => (c ? 'stored' : 'this name already held this picture'),
    searchTitle: 'Find questions',
    text: 'Text in the stem or options',
    type: 'Type',
    anyType: 'any type',
    typeNames: { judge: 'true/false', single: 'single choice', multiple: 'multiple choice' },
    knowledgePoint: 'Knowledge point',
    difficulty: 'Difficulty',
    anyDifficulty: 'any',
    versionLatest: 'latest version',
    includeRetired: 'include retired',
    search: 'Search',
    found: (n) => `${n} questions`,
    none: 'No question matches.',
    stem: 'Question',
    state: 'State',
    active: 'in use',
    retired: 'retired',
    retire: 'Retire',
    retireTitle: 'Retire this question?',
    retireText: 'No new paper will draw it; papers that already hold it keep it. It is never deleted, and retiring cannot be undone.',
    retireConfirm: 'Retire it',
    back: 'Back',
    prev: 'Previous',
    next: 'Next',
    pageOf: (p, n) => `page ${p} of ${n}`,
    loading: 'loading…',
    picture: 'question picture',
  },
};
