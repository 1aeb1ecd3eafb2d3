// Admission tickets (准考证) and the seat list (座位表) as A4 PDFs, drawn with the PDF kit
// (documents/pdf-kit.ts). A ticket goes home with the candidate, so the ID number on it is masked like
// the seat list's; the photo is the roster photo the kiosk will compare the face with.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, localDate, localDateTime, localTime, maskIdNumber } from '../../core/index.ts';
import { createPdf } from '../../documents/index.ts';
import type { Config } from '../../config/index.ts';
import type { FaceVault } from '../../storage/index.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../types.ts';
import type { ExamSession, Plan, RosterEntry } from './model.ts';
import type { SeatList } from './seat-list.ts';

/** One ticket per page: a person gets one sheet, and a printer's duplex never mixes two candidates. */
export async function admissionTicketsPdf(o: {
  config: Config;
  captures: string;
  /** Opens the sealed roster photos (storage/face-vault.ts). */
  faceVault: FaceVault;
  plan: Plan;
  session: ExamSession;
  entries: RosterEntry[];
  now: number;
}): Promise<Buffer> {
  const { config, session: s, entries } = o;
  const tz = config.site.timezone;
  if (entries.length === 0) throw new Conflict(`exam session ${s.id} has nobody on its roster; import the roster first`);
  const unseated = entries.filter((e) => !e.seat);
  if (unseated.length)
    throw new Conflict(
      `exam session ${s.id}: ${unseated.length} of ${entries.length} candidates have no seat yet; draw the seats before printing admission tickets`,
    );
  const room = config.rooms.find((r) => r.id === s.roomId);
  const exam = [CATEGORY_LABELS[s.template.category], s.template.operationClass].filter(Boolean).join(' · ');
  const pdf = await createPdf({
    title: '准考证',
    siteName: config.site.name,
    createdAt: o.now,
    footerNote: `打印于 ${localDateTime(o.now, tz)} · 场次 ${s.id}`,
  });
  entries.forEach((e, i) => {
    if (i > 0) pdf.pageBreak();
    pdf.heading(`${config.site.name} 准考证`);
    const file = e.photo ? join(o.captures, e.photo) : null;
    pdf.photos(
      [{ label: '考生照片', image: file && existsSync(file) ? o.faceVault.readFile(file) : null, missingText: '无照片', unreadableText: '照片无法读取' }],
      {
        height: 150,
      },
    );
    pdf.keyValues(
      [
        ['准考证号', e.ticketNo],
        ['姓名', e.name],
        ['身份证号', maskIdNumber(e.idNumber)],
        ['人员类别', exam],
        ['行业', INDUSTRY_LABELS[e.industry] ?? e.industry],
        ['考试科目', s.template.name],
        ['考试计划', o.plan.name],
        ['考试时间', `${localDate(s.startsAt, tz)} ${localTime(s.startsAt, tz)}–${localTime(s.endsAt, tz)}`],
        ['考场', `${room?.name ?? s.roomId}（${s.roomId}）`],
        ['座位号', e.seat ?? '—'],
        ['考点', config.site.name],
        ['场次', s.id],
      ],
      { columns: 2 },
    );
    pdf.space(10);
    pdf.subheading('考生须知');
    pdf.paragraph(
      [
        '1. 请于开考前 30 分钟凭本准考证和有效身份证件到达考场，经人脸核验后入场。',
        '2. 按座位号就座，不得擅自调换座位；开考后迟到 15 分钟以上不得入场。',
        '3. 考试期间全程录像，请勿携带手机等电子设备进入考场。',
      ].join('\n'),
    );
  });
  return pdf.end();
}

/** The seat list as a PDF: the same rows as the HTML and CSV forms, with a column to sign. */
export async function seatListPdf(l: SeatList, tz: string, now: number): Promise<Buffer> {
  const pdf = await createPdf({ title: '考场座位表', siteName: l.site, createdAt: now, footerNote: `打印于 ${localDateTime(now, tz)} · 场次 ${l.sessionId}` });
  pdf.heading(`${l.site} 考场座位表`);
  pdf.keyValues(
    [
      ['考试计划', l.plan],
      ['场次', l.sessionId],
      ['考场', `${l.roomName}（${l.room}）`],
      ['时间', `${l.date} ${l.time}`],
      ['科目', l.exam],
      ['人数', String(l.rows.length)],
    ],
    { columns: 2 },
  );
  pdf.table(
    [
      { header: '座位号', width: 1, align: 'center' },
      { header: '准考证号', width: 2 },
      { header: '姓名', width: 1.6 },
      { header: '身份证号', width: 2.4 },
      { header: '签名', width: 1.6 },
    ],
    l.rows.map((r) => [r.seat ?? '未排', r.ticketNo, r.name, r.idNumber, '']),
  );
  pdf.space(16);
  pdf.paragraph('监考员签名：____________　　日期：____________');
  return pdf.end();
}
