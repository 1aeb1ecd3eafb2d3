// The printable seat list (座位表) posted at the room door and kept in the session file. ID numbers
// are masked: the list hangs in a corridor, and region plus last four digits are enough to match a card.
import type { Config } from '../../config/index.ts';
import { CATEGORY_LABELS } from '../types.ts';
import { maskIdNumber, localDate, localTime, toCsv } from '../../core/index.ts';
import type { ExamSession, Plan, RosterEntry } from './model.ts';

export interface SeatListRow {
  seat: string | null;
  ticketNo: string;
  name: string;
  idNumber: string;
}

export interface SeatList {
  site: string;
  plan: string;
  sessionId: string;
  room: string;
  roomName: string;
  date: string;
  time: string;
  exam: string;
  rows: SeatListRow[];
}

export function seatListOf(config: Config, plan: Plan, s: ExamSession, entries: RosterEntry[]): SeatList {
  const tz = config.site.timezone;
  const room = config.rooms.find((r) => r.id === s.roomId);
  const exam = [CATEGORY_LABELS[s.template.category], s.template.operationClass, s.template.name].filter(Boolean).join(' · ');
  const rows = entries
    .map((e) => ({ seat: e.seat, ticketNo: e.ticketNo, name: e.name, idNumber: maskIdNumber(e.idNumber) }))
    .sort((a, b) => (a.seat ?? '~').localeCompare(b.seat ?? '~') || a.ticketNo.localeCompare(b.ticketNo));
  return {
    site: config.site.name,
    plan: plan.name,
    sessionId: s.id,
    room: s.roomId,
    roomName: room?.name ?? s.roomId,
    date: localDate(s.startsAt, tz),
    time: `${localTime(s.startsAt, tz)}–${localTime(s.endsAt, tz)}`,
    exam,
    rows,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function seatListHtml(l: SeatList): string {
  const body = l.rows
    .map(
      (r) =>
        `<tr><td class="seat">${esc(r.seat ?? '未排')}</td><td>${esc(r.ticketNo)}</td><td>${esc(r.name)}</td><td class="id">${esc(r.idNumber)}</td><td class="sign"></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>座位表 ${esc(l.roomName)} ${esc(l.date)}</title>
<style>
  @page { size: A4 portrait; margin: 15mm 12mm; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", sans-serif; font-size: 11pt; color: #000; margin: 0; }
  h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
  .meta { display: grid; grid-template-columns: 1fr 1fr; gap: 1mm 8mm; margin-bottom: 4mm; }
  table { width: 100%; border-collapse: collapse; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  th, td { border: 0.3mm solid #000; padding: 1.6mm 2mm; text-align: left; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td.seat { font-weight: bold; text-align: center; width: 14mm; }
  td.id { font-family: "DejaVu Sans Mono", monospace; letter-spacing: 0.2mm; }
  td.sign { width: 28mm; }
  .foot { margin-top: 4mm; font-size: 9pt; }
  @media screen { body { max-width: 186mm; margin: 10mm auto; } }
</style>
</head>
<body>
<h1>${esc(l.site)} 考场座位表</h1>
<div class="meta">
  <div>考试计划：${esc(l.plan)}</div>
  <div>场次：${esc(l.sessionId)}</div>
  <div>考场：${esc(l.roomName)}（${esc(l.room)}）</div>
  <div>时间：${esc(l.date)} ${esc(l.time)}</div>
  <div>科目：${esc(l.exam)}</div>
  <div>人数：${l.rows.length}</div>
</div>
<table>
<thead><tr><th>座位号</th><th>准考证号</th><th>姓名</th><th>身份证号</th><th>签名</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
<div class="foot">监考员签名：____________　　日期：____________</div>
</body>
</html>
`;
}

/** UTF-8 with a BOM, formula starts defused (core/csv.ts): names come from roster files anyone may have typed. */
export function seatListCsv(l: SeatList): string {
  return toCsv([['座位号', '准考证号', '姓名', '身份证号'], ...l.rows.map((r) => [r.seat ?? '', r.ticketNo, r.name, r.idNumber])]);
}
