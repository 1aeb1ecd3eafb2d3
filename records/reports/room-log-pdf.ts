// The room log (考场记录) as a printable PDF: drawn from the same reply the console reads — the frozen
// log once signed (with its SHA-256 and the signatures), then the notes appended after it.
import { localDateTime, localTime } from '../../core/index.ts';
import { createPdf } from '../../documents/index.ts';
import { overrideReasonWords } from '../../kiosk/protocol.ts';
import type { RoomLogReply } from '../protocol.ts';
import { percent } from './results-sheet.ts';

const DECISIONS: Record<string, string> = { forced_submit: '监考员收卷', locked: '锁定答题', move_approved: '同意换机', move_rejected: '拒绝换机' };

export async function renderRoomLog(reply: RoomLogReply, tz: string, now: number): Promise<Buffer> {
  const log = reply.log;
  const t = (ms: number | null) => (ms === null ? '—' : localDateTime(ms, tz));
  const who = (x: { ticketNo: string | null; name: string | null; seat: string | null }) =>
    x.name ? `${x.seat ? `${x.seat} 号座 ` : ''}${x.name}（${x.ticketNo ?? '—'}）` : '全场';
  const pdf = await createPdf({
    title: '考场记录',
    siteName: log.site.name,
    createdAt: now,
    footerNote: `打印于 ${localDateTime(now, tz)} · ${reply.sha256 ? `已签署 SHA-256 ${reply.sha256.slice(0, 16)}…` : '未签署'}`,
  });
  pdf.heading('考场记录');
  pdf.keyValues(
    [
      ['考试计划', log.plan.name],
      ['试卷', log.template.name],
      ['考场', `${log.room.name}（${log.room.id}）`],
      ['记录状态', reply.state === 'signed' ? '已签署（冻结）' : '未签署'],
      ['计划时间', `${t(log.planned.startsAt)}–${localTime(log.planned.endsAt, tz)}`],
      ['开始检录', t(log.actual.checkinAt)],
      ['实际开考', t(log.actual.startedAt)],
      ['实际结束', t(log.actual.endedAt)],
    ],
    { columns: 2 },
  );
  pdf.keyValues(
    [
      ['监考员', log.invigilators.map((p) => (p.displayName === p.username ? p.username : `${p.displayName}（${p.username}）`)).join('、') || '—'],
      ['场次编号', log.sessionId],
    ],
    { columns: 1 },
  );

  pdf.subheading('检录情况');
  const c = log.checkIn;
  pdf.keyValues(
    [
      ['应考', String(c.roster)],
      ['入场', String(c.admitted)],
      ['缺考', String(c.absent)],
      ['人脸核验通过', String(c.byFace)],
      ['人工放行', String(c.overridden)],
      ['核验未通过（次）', String(c.refused)],
    ],
    { columns: 2 },
  );
  if (log.absences.length)
    pdf.table(
      [
        { header: '缺考考生', width: 2 },
        { header: '准考证号', width: 2.4 },
        { header: '身份证号', width: 2.8 },
        { header: '座位', width: 1, align: 'center' },
      ],
      log.absences.map((a) => [a.name ?? '—', a.ticketNo ?? '—', a.idNumber, a.seat ?? '—']),
    );

  pdf.subheading('人工放行');
  if (!log.overrides.length) pdf.paragraph('无。');
  else
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '考生', width: 3 },
        { header: '放行人', width: 2 },
        { header: '理由', width: 3.4 },
      ],
      log.overrides.map((o) => [t(o.at), who(o), o.by, overrideReasonWords(o.reason).zh]),
    );

  // Issue 23: who declined face recognition and how staff checked them instead (absent from logs signed before it).
  if (log.faceDeclined?.length || log.seatConfirmations?.length) {
    pdf.subheading('拒绝人脸识别的考生及人工核验');
    if (log.faceDeclined?.length)
      pdf.table(
        [
          { header: '考生', width: 3.4 },
          { header: '拒绝时间', width: 2.4 },
          { header: '告知书版本', width: 1.8 },
        ],
        log.faceDeclined.map((d) => [who(d), t(d.decidedAt), d.noticeVersion]),
      );
    const checks = log.seatConfirmations ?? [];
    if (checks.length)
      pdf.table(
        [
          { header: '座位核验', width: 3 },
          { header: '起因', width: 1.8 },
          { header: '应核验', width: 2 },
          { header: '核验时间', width: 2 },
          { header: '核验人', width: 2.2 },
        ],
        checks.map((x) => [
          who(x),
          x.reason === 'login' ? '登录后' : `告警 ${x.alerts} 次`,
          t(x.dueAt),
          x.confirmedAt === null ? '未核验' : x.outcome === 'not_the_person' ? `${t(x.confirmedAt)} 非本人（已记违纪）` : t(x.confirmedAt),
          x.by ?? '—',
        ]),
      );
  }

  pdf.subheading('违纪记录及处理');
  if (!log.incidents.length && !log.decisions.length) pdf.paragraph('无。');
  if (log.incidents.length)
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '考生', width: 2.8 },
        { header: '类别', width: 1.6 },
        { header: '情况说明', width: 3.4 },
        { header: '记录人', width: 1.6 },
      ],
      log.incidents.map((i) => [t(i.at), who(i), i.categoryText.zh, i.note, i.recordedBy]),
    );
  if (log.decisions.length)
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '处理', width: 1.8 },
        { header: '考生', width: 2.8 },
        { header: '执行人', width: 1.8 },
        { header: '说明', width: 3 },
      ],
      log.decisions.map((d) => [d.at === null ? '考试结束时仍锁定' : t(d.at), DECISIONS[d.kind] ?? d.kind, who(d), d.by, d.reason ?? '']),
    );

  pdf.subheading('暂停与延时');
  if (!log.pauses.length && !log.timeAdded.length) pdf.paragraph('无。');
  if (log.pauses.length)
    pdf.table(
      [
        { header: '暂停', width: 2.2 },
        { header: '恢复', width: 2.2 },
        { header: '范围', width: 2.8 },
        { header: '原因', width: 2.6 },
        { header: '操作人', width: 1.8 },
      ],
      log.pauses.map((p) => [t(p.startedAt), p.endedAt === null ? '未恢复' : t(p.endedAt), who(p), p.reason ?? '', p.by]),
    );
  if (log.timeAdded.length)
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '范围', width: 2.8 },
        { header: '延时（分钟）', width: 1.6, align: 'right' },
        { header: '原因', width: 3 },
        { header: '操作人', width: 1.8 },
      ],
      log.timeAdded.map((x) => [t(x.at), who(x), String(x.minutes), x.reason, x.by]),
    );

  pdf.subheading('摄像机中断');
  if (!log.cameraOutages.length) pdf.paragraph('无。');
  else
    pdf.table(
      [
        { header: '摄像机', width: 3 },
        { header: '中断', width: 2.2 },
        { header: '恢复', width: 2.2 },
        { header: '原因', width: 3 },
      ],
      log.cameraOutages.map((o) => [`${o.sourceName}（${o.sourceId}）`, t(o.from), o.to === null ? '未恢复' : t(o.to), o.reason]),
    );
  if (log.integrity.length)
    pdf.paragraph(`终端异常事件：${log.integrity.map((i) => `${i.kind} × ${i.count}`).join('，')}（明细见考场档案）。`, { color: '#555555' });

  pdf.subheading('考试结果');
  const r = log.results;
  pdf.keyValues(
    [
      ['已评分', String(r.graded)],
      ['合格', String(r.passed)],
      ['不合格', String(r.failed)],
      ['合格率', percent(r.passRate)],
      ['平均分', r.averageScore === null ? '—' : String(r.averageScore)],
    ],
    { columns: 2 },
  );

  pdf.subheading('签署');
  if (reply.state === 'signed') {
    pdf.table(
      [
        { header: '监考员', width: 3 },
        { header: '签署时间', width: 2.4 },
      ],
      reply.signatures.map((s) => [s.displayName === s.username ? s.username : `${s.displayName}（${s.username}）`, t(s.signedAt)]),
    );
    pdf.paragraph(`签署后本记录已冻结，SHA-256：${reply.sha256}`, { size: 8.5, color: '#555555' });
  } else pdf.paragraph('本记录尚未签署：内容仍可能随系统记录更新。', { color: '#555555' });

  const before = reply.notes.filter((n) => !n.afterSignOff);
  const after = reply.notes.filter((n) => n.afterSignOff);
  const notes = (list: typeof reply.notes) =>
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '记录人', width: 2 },
        { header: '备注', width: 6.4 },
      ],
      list.map((n) => [t(n.at), n.author.displayName === n.author.username ? n.author.username : `${n.author.displayName}（${n.author.username}）`, n.text]),
    );
  if (before.length) {
    pdf.subheading('备注');
    notes(before);
  }
  if (after.length) {
    pdf.subheading('签署后追加的备注');
    notes(after);
  }
  return pdf.end();
}
