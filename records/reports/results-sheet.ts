// The results sheet (成绩汇总表) of one session: every candidate on the roster with seat, score and
// pass, absent or not graded, then the counts and the pass rate. One table that repeats its header on
// each page, so a room of any size prints as one document.
import { localDate, localDateTime, localTime, maskIdNumber } from '../../core/index.ts';
import { createPdf } from '../../documents/index.ts';
import { categoryLabel, isEnded, type SessionFacts } from './gather.ts';
import { fmtScore } from './score-report.ts';

export interface ResultsSheetRow {
  seat: string | null;
  ticketNo: string;
  name: string;
  idNumber: string;
  category: string;
  score: number | null;
  verdict: '合格' | '不合格' | '缺考' | '未评分';
}

export interface ResultsSheet {
  rows: ResultsSheetRow[];
  counts: { roster: number; sat: number; absent: number; passed: number; failed: number; ungraded: number };
  /** passed / graded; null before anyone is graded. */
  passRate: number | null;
  averageScore: number | null;
}

/** Seat order (then ticket): how the room was laid out, which is how invigilators read it back. */
export function resultsSheetOf(f: SessionFacts): ResultsSheet {
  const ended = isEnded(f.session);
  const rows = [...f.roster]
    .sort((a, b) => (a.seat ?? '\uffff').localeCompare(b.seat ?? '\uffff', undefined, { numeric: true }) || a.ticketNo.localeCompare(b.ticketNo))
    .map((e): ResultsSheetRow => {
      const r = f.results.get(e.idNumber);
      const absent = !r && (e.status === 'absent' || (ended && e.status === 'registered'));
      return {
        seat: e.seat,
        ticketNo: e.ticketNo,
        name: e.name,
        idNumber: maskIdNumber(e.idNumber),
        category: categoryLabel(e),
        score: r ? r.score : null,
        verdict: r ? (r.passed ? '合格' : '不合格') : absent ? '缺考' : '未评分',
      };
    });
  const graded = [...f.results.values()];
  const passed = graded.filter((r) => r.passed).length;
  const absent = rows.filter((r) => r.verdict === '缺考').length;
  return {
    rows,
    counts: {
      roster: rows.length,
      sat: rows.length - absent,
      absent,
      passed,
      failed: graded.length - passed,
      ungraded: rows.filter((r) => r.verdict === '未评分').length,
    },
    passRate: graded.length ? passed / graded.length : null,
    averageScore: graded.length ? Math.round((graded.reduce((n, r) => n + r.score, 0) / graded.length) * 10) / 10 : null,
  };
}

export const percent = (x: number | null) => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);

export async function renderResultsSheet(f: SessionFacts, now: number): Promise<Buffer> {
  const s = f.session;
  const tz = f.timezone;
  const sheet = resultsSheetOf(f);
  const pdf = await createPdf({
    title: '成绩汇总表',
    siteName: f.siteName,
    createdAt: now,
    footerNote: `打印于 ${localDateTime(now, tz)} · 场次 ${s.id}`,
  });
  pdf.heading('考试成绩汇总表');
  pdf.keyValues(
    [
      ['考试计划', f.planName],
      ['试卷', s.template.name],
      ['考试日期', localDate(s.startsAt, tz)],
      ['考试时间', `${localTime(s.startsAt, tz)}–${localTime(s.endsAt, tz)}`],
      ['考场', `${f.roomName}（${s.roomId}）`],
      ['合格线', `${fmtScore(s.template.passMark)} / ${fmtScore(s.template.total)} 分`],
    ],
    { columns: 2 },
  );
  pdf.table(
    [
      { header: '座位', width: 0.8, align: 'center' },
      { header: '准考证号', width: 2.2 },
      { header: '姓名', width: 1.4 },
      { header: '身份证号', width: 2.6 },
      { header: '人员类别', width: 2.2 },
      { header: '成绩', width: 0.9, align: 'right' },
      { header: '结论', width: 1, align: 'center' },
    ],
    sheet.rows.map((r) => [r.seat ?? '—', r.ticketNo, r.name, r.idNumber, r.category, r.score === null ? '—' : fmtScore(r.score), r.verdict]),
  );
  const c = sheet.counts;
  pdf.subheading('统计');
  pdf.keyValues(
    [
      ['应考人数', String(c.roster)],
      ['实考人数', String(c.sat)],
      ['缺考人数', String(c.absent)],
      ['合格人数', String(c.passed)],
      ['不合格人数', String(c.failed)],
      ['合格率', `${percent(sheet.passRate)}（合格 / 实考已评分）`],
      ['平均分', sheet.averageScore === null ? '—' : fmtScore(sheet.averageScore)],
      ...(c.ungraded ? ([['未评分', String(c.ungraded)]] as [string, string][]) : []),
    ],
    { columns: 2 },
  );
  pdf.space(18);
  pdf.keyValues(
    [
      ['监考员签名', '____________________'],
      ['考点负责人', '____________________'],
    ],
    { columns: 2 },
  );
  return pdf.end();
}
