// The server's problem text for a bad row (bank and roster imports), in Chinese for the common cases.
// The server words every problem in English (the CLI and logs read them); a Chinese screen shows the
// matching phrase below, and the server's own text when nothing matches (and always in English mode),
// so no problem is ever hidden. Patterns follow exam/bank/import/checks.ts, exam/bank/notation.ts,
// exam/plans/roster.ts, exam/plans/roster-zip.ts, training/timetable.ts, training/members.ts, training/attendance.ts, training/classes.ts, documents/xlsx-reader.ts, documents/sheet-rows.ts and
// core/id-number.ts: change them together.
import type { Lang } from '../../../web/i18n.ts';

const list = (s: string) => s.split(/,\s*(?:or\s+)?|\s+or\s+/).join('、');

const ZH: [RegExp, (m: RegExpExecArray) => string][] = [
  // bank rows
  [/^no answer given$/, () => '没有填写答案'],
  [/^the question text is empty$/, () => '题干为空'],
  [/^empty; give 判断, 单选 or 多选$/, () => '为空：请填 判断、单选 或 多选'],
  [/^unknown question type; use 判断, 单选 or 多选$/, () => '题型不认识：请填 判断、单选 或 多选'],
  [/^empty; give a difficulty from 1 \(easiest\) to 5$/, () => '为空：请填难度 1（最易）到 5'],
  [/^must be a whole number from (\d+) to (\d+)$/, (m) => `必须是 ${m[1]} 到 ${m[2]} 的整数`],
  [/^empty; name the knowledge point/, () => '为空：请填写这道题考的知识点'],
  [/^must be text$/, () => '必须是文字'],
  [/^"(.*)" is not an answer \(use letters (\S+), or 对\/错 for 判断\)$/, (m) => `“${m[1]}”不是答案：请用字母 ${m[2]}，判断题用 对/错`],
  [/^"(.*)" names (.+), but only (.+) exist$/, (m) => `“${m[1]}”写了 ${m[2]}，但只有选项 ${m[3]}`],
  [/^"(.*)" names (\S+) twice$/, (m) => `“${m[1]}”把 ${m[2]} 写了两次`],
  [/^(\S+) needs at least two answers \(got "(.*)"\)$/, (m) => `${m[1]}至少要两个答案（填的是“${m[2]}”）`],
  [/^(\S+) takes one answer \(got "(.*)"\)$/, (m) => `${m[1]}只能有一个答案（填的是“${m[2]}”）`],
  [/^empty, but (\S+) is filled; options run from A with no gaps$/, (m) => `为空，但 ${m[1]} 有内容：选项须从 A 起连续填写`],
  [/^the same text as (\S+)$/, (m) => `与 ${m[1]} 的内容相同`],
  // roster rows
  [/^names a photo, but the roster was uploaded without its photos/, () => '名单中写了照片文件名，但没有一起上传照片：请把名单和照片打成一个 .zip 上传'],
  [/^no such photo in the zip$/, () => '压缩包里没有这张照片'],
  [/^missing$/, () => '未填写'],
  [/^missing \(this session is for (.+)\)$/, (m) => `未填写（本场次是 ${m[1]}）`],
  [/^missing from the header row \(found: (.*)\)$/, (m) => `表头里没有这一列（表头是：${m[1] === 'nothing' ? '空' : list(m[1]!)}）`],
  [/^must be one of (.+)$/, (m) => `必须是以下之一：${list(m[1]!)}`],
  [/^must be (\S+): this session's template (\S+) is for (?:that|.+)/, (m) => `必须是 ${m[1]}（本场次的组卷模板 ${m[2]} 只考 ${m[1]}）`],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字`],
  [/^must be a date YYYY-MM-DD$/, () => '必须是日期，格式 YYYY-MM-DD'],
  [/^is after the exam day (\S+)$/, (m) => `晚于考试日 ${m[1]}`],
  [/^is in the future \(today is (\S+)\)$/, (m) => `是将来的日期（今天是 ${m[1]}）`],
  [/^is also on row (\d+)$/, (m) => `与第 ${m[1]} 行重复`],
  [/^the same person is also on row (\d+)$/, (m) => `同一人也在第 ${m[1]} 行`],
  [/^this person is already on the roster of this session$/, () => '此人已在本场次名单中'],
  [/^is already used by another candidate of this session$/, () => '已被本场次的其他考生使用'],
  [/^must be 1–32 letters, digits or "-"$/, () => '须为 1–32 位字母、数字或“-”'],
  [/^already passed on (\S+), valid until (\S+)$/, (m) => `已于 ${m[1]} 考试合格，有效期至 ${m[2]}`],
  // spreadsheets and zips refused by their sizes (documents/xlsx-reader.ts, documents/sheet-rows.ts, exam/plans/roster-zip.ts)
  [
    /^its zip header says it unzips to (\S+ MiB), past the limit of (\S+ MiB); refused as a zip bomb$/,
    (m) => `压缩包头声明解压后有 ${m[1]}，超过上限 ${m[2]}：按压缩炸弹拒收`,
  ],
  [
    /^its zip header says (\S+ MiB) unzips to (\S+ MiB), more than (\d+) times; refused as a zip bomb$/,
    (m) => `压缩包头声明 ${m[1]} 解压后有 ${m[2]}，超过 ${m[3]} 倍：按压缩炸弹拒收`,
  ],
  [/^unzips past (\S+ MiB) \(limit \S+ MiB\); refused as a zip bomb$/, (m) => `解压后超过 ${m[1]}（上限）：按压缩炸弹拒收`],
  [/^unzips to more than (\d+) times its zipped (\S+ MiB); refused as a zip bomb$/, (m) => `解压后超过压缩大小（${m[2]}）的 ${m[1]} 倍：按压缩炸弹拒收`],
  [/^the workbook's parts unzip past (\S+ MiB) in all/, (m) => `工作簿各部分解压后合计超过 ${m[1]}：按压缩炸弹拒收`],
  [/^its zip entries declare more than (\S+ MiB) unzipped in all/, (m) => `压缩包内各文件声明的解压大小合计超过 ${m[1]}：按压缩炸弹拒收`],
  [/^holds (\d+) zip entries; a workbook may hold at most (\d+)/, (m) => `压缩包内有 ${m[1]} 个文件，工作簿最多 ${m[2]} 个：按压缩炸弹拒收`],
  [/^unzips to another size than its zip header says/, () => '解压后的大小与压缩包头声明的不符：文件已损坏或被篡改'],
  [/^reading it needed more than (\d+) MiB of memory/, (m) => `读取它需要超过 ${m[1]} MiB 内存：按表格炸弹或错误文件拒收，请只保存要导入的工作表再导入`],
  [/^holds more than (\d+) characters, Excel's limit for a cell$/, (m) => `超过 ${m[1]} 个字符（Excel 单元格的上限）`],
  [/^holds a DOCTYPE or another markup declaration/, () => '含有 DOCTYPE 等标记声明，表格文件不会有：拒收'],
  [/^holds one tag or text longer than (\d+) characters/, (m) => `含有超过 ${m[1]} 个字符的单个标签或文本，真实表格不会有：拒收`],
  [/^is encrypted; save the workbook without a password$/, () => '已加密：请去掉密码后另存再导入'],
  [/^is not a readable \.xlsx workbook/, () => '不是可读取的 .xlsx 工作簿：文件不是压缩包，或已损坏、不完整'],
  [/^unzips to more than (\S+ MB) \(its header says (\S+ MB)\); refused as a zip bomb/, (m) => `解压后超过 ${m[1]}（包头声明 ${m[2]}）：按压缩炸弹拒收`],
  [/^the zip unzips to more than (\S+ MB) in all; refused as a zip bomb$/, (m) => `压缩包解压后合计超过 ${m[1]}：按压缩炸弹拒收`],
  [/^holds (\d+) entries; a roster zip may hold at most (\d+)$/, (m) => `压缩包内有 ${m[1]} 个文件，名单压缩包最多 ${m[2]} 个`],
  // timetables and training members (training/timetable.ts, training/members.ts)
  [/^is outside the class's dates (\S+) to (\S+)$/, (m) => `不在培训班日期 ${m[1]} 至 ${m[2]} 之内`],
  [/^(\S+) is outside the class's dates$/, (m) => `${m[1]} 不在培训班日期之内`],
  [/^room (\S+) is booked twice at once: (.+)$/, (m) => `教室 ${m[1]} 同一时间被安排了两次：${bookedWith(m[2]!)}`],
  [/^(.+) is booked twice at once: (.+)$/, (m) => `${m[1]} 同一时间被安排了两次：${bookedWith(m[2]!)}`],
  [/^overlaps (?:row (\d+)|lesson) \((\S+) (\S+)\) of the same class$/, (m) => `与本班${m[1] ? `第 ${m[1]} 行` : '课程'}（${m[2]} ${m[3]}）时间重叠`],
  [/^overlaps the class's lesson (\S+) (.+)$/, (m) => `与本班 ${m[1]} 的课程“${m[2]}”时间重叠`],
  [/^the lessons add up to (\S+) 学时; (?:class .+ requires|the class requires) (\S+)/, (m) => `课程合计 ${m[1]} 学时，与规定学时 ${m[2]} 不符`],
  [/^(\S+) 学时 do not fit in (\S+) \(a 学时 is at least 45 minutes\)$/, (m) => `${m[1]} 学时超出了 ${m[2]} 的时长（每学时至少 45 分钟）`],
  // attendance corrections and classes (training/attendance.ts, training/classes.ts)
  [/^is in the future: a presence is entered once it has happened$/, () => '是将来的时间：在场时间须在发生之后才能补录'],
  [/^must be after inAt$/, () => '必须晚于到达时间'],
  [/^is needed for a presence correction$/, () => '补录在场时间须填写此项'],
  [/^must be a time HH:MM or an ISO 8601 date-time$/, () => '必须是时间，如 08:30'],
  [/^must be a time HH:MM$/, () => '必须是时间，如 08:30'],
  [/^say why in at least 4 characters/, () => '请填写原因，至少 4 个字（记入审计日志）'],
  [/^a (\S+) correction takes no times$/, () => '这种更正不填时间'],
  [/^is not a member of class (.+)$/, (m) => `不是培训班“${m[1]}”的学员`],
  [/^no such lesson in class (.+)$/, (m) => `培训班“${m[1]}”没有这节课`],
  [/^no such teacher$/, () => '没有这位教师'],
  [/^no such room(?: \(rooms are (.+)\))?$/, (m) => `没有这间教室${m[1] ? `（教室有：${list(m[1])}）` : ''}`],
  [/^is before startsOn (\S+)$/, (m) => `早于开班日期 ${m[1]}`],
  [/^must name the training institution$/, () => '请填写培训机构'],
  [/^lesson (\S+) (.+) would fall outside the class's dates; move it first$/, (m) => `课程 ${m[1]}“${m[2]}”将落在培训班日期之外：请先调整这节课`],
  [/^is not after the start (\S+)$/, (m) => `不晚于开始时间 ${m[1]}`],
  [/^is not on the site's teacher list/, () => '不在本考点的教师名录中：请先添加这位教师'],
  [/^is retired from the teacher list$/, () => '已从教师名录中停用'],
  [/^must be a time such as (\S+)$/, (m) => `必须是时间，如 ${m[1]}`],
  [/^must be a date such as (\S+)$/, (m) => `必须是日期，如 ${m[1]}`],
  [/^must be a number of 学时 above 0 and at most 24$/, () => '学时必须大于 0、不超过 24'],
  [/^must be a number of 学时$/, () => '必须是学时数'],
  [/^must name the lesson$/, () => '请填写课程内容'],
  [/^has a header row but no lessons$/, () => '只有表头，没有课程'],
  [/^has a header row but no members$/, () => '只有表头，没有学员'],
  [/^same person as (.+)$/, (m) => `与 ${m[1]} 是同一人`],
  [/^must not be empty$/, () => '不能为空'],
  [/^is neither a JPEG nor a PNG image$/, () => '不是 JPEG 或 PNG 图片'],
  // ID numbers (core/id-number.ts)
  [/^check digit should be (\S+)$/, (m) => `校验位应为 ${m[1]}`],
  [/^must be 18 characters, 17 digits and a check digit \(0–9 or X\); this has (\d+)$/, (m) => `须为 18 位（17 位数字加校验位 0–9 或 X），这里是 ${m[1]} 位`],
  [/^is a 15-digit number from a first-generation card/, () => '这是一代身份证的 15 位号码（2013 年起停用）：请填现行身份证的 18 位号码'],
  [/^region code (\S+) does not start with a province code/, (m) => `地区码 ${m[1]} 的开头不是省级代码`],
  [/^birth date (\S+) \(characters 7–14\) is not a calendar date$/, (m) => `出生日期 ${m[1]}（第 7–14 位）不是有效日期`],
  [
    /^birth date (\S+) \(characters 7–14\) is (before 1900|in the future)$/,
    (m) => `出生日期 ${m[1]}（第 7–14 位）${m[2] === 'before 1900' ? '早于 1900 年' : '是将来的日期'}`,
  ],
];

/** What a double booking collides with: `row 3 (2026-03-10 08:30–10:30) overlaps`, `class 某班 (day hh:mm–hh:mm, topic)`. */
function bookedWith(with_: string): string {
  const row = /^row (\d+) \((\S+) (\S+)\) overlaps$/.exec(with_);
  if (row) return `与第 ${row[1]} 行（${row[2]} ${row[3]}）时间重叠`;
  const lesson = /^lesson \((\S+) (\S+)\) overlaps$/.exec(with_);
  if (lesson) return `与（${lesson[1]} ${lesson[2]}）的课程时间重叠`;
  const cls = /^class (.+) \((\S+) (\S+), (.*)\)$/.exec(with_);
  if (cls) return `培训班“${cls[1]}”${cls[2]} ${cls[3]} 的课程“${cls[4]}”`;
  return with_;
}

/** One problem in the page's language: the Chinese words when a pattern matches, else the server's text. */
export function problemWords(problem: string, lang: Lang): { text: string; lang: 'zh-CN' | 'en' } {
  if (lang === 'zh') {
    for (const [re, say] of ZH) {
      const m = re.exec(problem);
      if (m) return { text: say(m), lang: 'zh-CN' };
    }
  }
  return { text: problem, lang: 'en' };
}
