// The district report as the two files the office receives: an A4 PDF from the shared PDF kit (Noto CJK,
// the score reports' machinery) and an .xlsx (exceljs, loaded on first use). Both print the report exactly
// as given — the frozen text once signed — with the sign-off and every note, those after it apart.
import { localDateTime } from '../../core/index.ts';
import { defuseText } from '../../core/index.ts';
import { createPdf } from '../../documents/index.ts';
import type { DistrictReportReply } from './protocol.ts';

const fmt = (x: number) => String(Math.round(x * 10) / 10);

export async function renderReportPdf(r: DistrictReportReply, o: { timezone: string; now: number }): Promise<Buffer> {
  const rep = r.report;
  const c = rep.class;
  const tz = o.timezone;
  const when = (iso: string) => localDateTime(Date.parse(iso), tz);
  const pdf = await createPdf({
    title: '培训考勤情况报告',
    siteName: rep.site.name,
    createdAt: o.now,
    footerNote: `${r.state === 'signed' ? `已签署 · SHA-256 ${r.sha256!.slice(0, 16)}…` : '未签署（数据随考勤变化）'} · 打印于 ${localDateTime(o.now, tz)}`,
  });
  pdf.heading('培训班未完成学时及报名未参训人员报告');
  pdf.keyValues(
    [
      ['培训班', c.name],
      ['培训机构', c.institution],
      ['人员类别', c.categoryLabel ?? '—'],
      ['培训地点', c.room ?? '—'],
      ['培训日期', c.startsOn === c.endsOn ? c.startsOn : `${c.startsOn} 至 ${c.endsOn}`],
      ['规定学时', `${fmt(c.requiredHours)} 学时`],
      ['班主任', c.headTeacher ? `${c.headTeacher.displayName}（${c.headTeacher.username}）` : '未指定'],
      ['统计时点', when(rep.asOf)],
    ],
    { columns: 2 },
  );
  pdf.subheading('汇总');
  pdf.keyValues(
    [
      ['报名人数', String(rep.counts.members)],
      ['完成学时', String(rep.counts.completed)],
      ['未完成学时', String(rep.counts.short)],
      ['报名未参训', String(rep.counts.neverCame)],
      ['课次', String(rep.counts.lessons)],
      ['计划学时', `${fmt(rep.counts.scheduledHours)} 学时`],
    ],
    { columns: 2 },
  );
  pdf.subheading(`一、未完成全部学时人员（${rep.short.length} 人）`);
  if (rep.short.length)
    pdf.table(
      [
        { header: '序号', width: 0.8, align: 'center' },
        { header: '姓名', width: 1.1 },
        { header: '身份证号', width: 2.6 },
        { header: '工作单位', width: 1.8 },
        { header: '已获学时', width: 1.15, align: 'right' },
        { header: '缺少学时', width: 1.15, align: 'right' },
        { header: '缺课情况', width: 3.0 },
      ],
      rep.short.map((s, i) => [
        String(i + 1),
        s.name,
        s.idNumber,
        s.employer ?? '—',
        fmt(s.creditedHours),
        fmt(s.missingHours),
        [...s.lessonsMissed.map((x) => `缺：${x}`), ...s.lessonsPartial.map((x) => `部分：${x}`), ...s.lessonsExcused.map((x) => `请假：${x}`)].join('；') ||
          '—',
      ]),
    );
  else pdf.paragraph('无。');
  pdf.subheading(`二、报名后未参加培训人员（${rep.neverCame.length} 人）`);
  if (rep.neverCame.length)
    pdf.table(
      [
        { header: '序号', width: 0.6, align: 'center' },
        { header: '姓名', width: 1.4 },
        { header: '身份证号', width: 2.8 },
        { header: '工作单位', width: 3.2 },
        { header: '应修学时', width: 1, align: 'right' },
      ],
      rep.neverCame.map((s, i) => [String(i + 1), s.name, s.idNumber, s.employer ?? '—', fmt(s.requiredHours)]),
    );
  else pdf.paragraph('无。');
  const before = r.notes.filter((n) => !n.afterSignOff);
  const after = r.notes.filter((n) => n.afterSignOff);
  if (before.length) {
    pdf.subheading('备注');
    for (const n of before) pdf.paragraph(`${when(n.at)} ${n.author.displayName}：${n.text}`);
  }
  pdf.subheading('班主任签署');
  if (r.state === 'signed' && r.signedBy)
    pdf.keyValues(
      [
        ['签署人', `${r.signedBy.displayName}（${r.signedBy.username}）`],
        ['签署时间', when(r.signedBy.signedAt)],
        ['内容摘要', `SHA-256 ${r.sha256}`],
      ],
      { columns: 1 },
    );
  else pdf.paragraph('本报告尚未由班主任签署；签署后内容冻结，其后的备注另行追加。');
  if (after.length) {
    pdf.subheading('签署后追加的备注');
    for (const n of after) pdf.paragraph(`${when(n.at)} ${n.author.displayName}：${n.text}`);
  }
  pdf.space(18);
  pdf.keyValues(
    [
      ['班主任签名', '____________________'],
      ['培训机构盖章', '____________________'],
    ],
    { columns: 2 },
  );
  return pdf.end();
}

export async function renderReportXlsx(r: DistrictReportReply, o: { timezone: string; now: number }): Promise<Buffer> {
  // Loaded on first use: exceljs costs ~350 ms to load, which every server start would pay.
  const { default: Excel } = await import('exceljs');
  const rep = r.report;
  const c = rep.class;
  const tz = o.timezone;
  const wb = new Excel.Workbook();
  wb.creator = rep.site.name;
  wb.created = new Date(o.now);
  // Text typed by people (names, employers, notes) may start like a formula: core/csv.ts defuseText.
  const t = (s: string | null) => (s === null ? '' : defuseText(s));

  const about = wb.addWorksheet('说明');
  about.columns = [
    { key: 'k', width: 16 },
    { key: 'v', width: 70 },
  ];
  const info: [string, string | number][] = [
    ['报告', '培训班未完成学时及报名未参训人员报告'],
    ['培训班', t(c.name)],
    ['培训机构', t(c.institution)],
    ['人员类别', c.categoryLabel ?? ''],
    ['培训日期', `${c.startsOn} 至 ${c.endsOn}`],
    ['规定学时', c.requiredHours],
    ['班主任', c.headTeacher ? t(`${c.headTeacher.displayName}（${c.headTeacher.username}）`) : ''],
    ['报名人数', rep.counts.members],
    ['完成学时人数', rep.counts.completed],
    ['未完成学时人数', rep.counts.short],
    ['报名未参训人数', rep.counts.neverCame],
    ['统计时点', localDateTime(Date.parse(rep.asOf), tz)],
    ['状态', r.state === 'signed' ? `已由班主任签署 ${localDateTime(Date.parse(r.signedBy!.signedAt), tz)}` : '未签署'],
    ['SHA-256', r.sha256 ?? ''],
  ];
  for (const [k, v] of info) about.addRow({ k, v });
  for (const n of r.notes)
    about.addRow({ k: n.afterSignOff ? '签署后备注' : '备注', v: t(`${localDateTime(Date.parse(n.at), tz)} ${n.author.displayName}：${n.text}`) });
  about.getColumn('k').font = { bold: true };

  const short = wb.addWorksheet('未完成学时');
  short.columns = [
    { key: 'no', header: '序号', width: 6 },
    { key: 'name', header: '姓名', width: 12 },
    { key: 'idNumber', header: '身份证号', width: 22 },
    { key: 'employer', header: '工作单位', width: 28 },
    { key: 'credited', header: '已获学时', width: 10 },
    { key: 'required', header: '规定学时', width: 10 },
    { key: 'missing', header: '缺少学时', width: 10 },
    { key: 'missed', header: '缺课', width: 50 },
    { key: 'partial', header: '部分出勤', width: 50 },
    { key: 'excused', header: '请假', width: 40 },
  ];
  rep.short.forEach((s, i) =>
    short.addRow({
      no: i + 1,
      name: t(s.name),
      idNumber: s.idNumber,
      employer: t(s.employer),
      credited: s.creditedHours,
      required: s.requiredHours,
      missing: s.missingHours,
      missed: t(s.lessonsMissed.join('；')),
      partial: t(s.lessonsPartial.join('；')),
      excused: t(s.lessonsExcused.join('；')),
    }),
  );
  const never = wb.addWorksheet('报名未参训');
  never.columns = [
    { key: 'no', header: '序号', width: 6 },
    { key: 'name', header: '姓名', width: 12 },
    { key: 'idNumber', header: '身份证号', width: 22 },
    { key: 'employer', header: '工作单位', width: 28 },
    { key: 'required', header: '规定学时', width: 10 },
  ];
  rep.neverCame.forEach((s, i) => never.addRow({ no: i + 1, name: t(s.name), idNumber: s.idNumber, employer: t(s.employer), required: s.requiredHours }));
  for (const ws of [short, never]) {
    ws.getRow(1).font = { bold: true };
    // ID numbers are text: as numbers a spreadsheet would round them to 15 digits.
    ws.getColumn('idNumber').numFmt = '@';
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
