// The person file (一人一档) as an A4 Chinese PDF through documents/ createPdf: who, every exam with its
// result, retakes and the rule applied, training hours, certificates, identity checks with their photos,
// incidents. Every section is drawn even when empty, saying so: an empty table must read as "none", not
// as a part that was forgotten.
import type { FaceVault } from '../../storage/index.ts';
import { join, normalize } from 'node:path';
import { localDate, localDateTime } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { createPdf, type PhotoSlot } from '../../documents/index.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../../exam/index.ts';
import type { PersonFile } from './file.ts';

const DECISIONS: Record<string, string> = {
  admitted: '核验通过',
  refused: '未通过',
  overridden: '人工放行',
  cancelled: '本人取消',
  expired: '未完成（已过期）',
};
const ROSTER_STATUS: Record<string, string> = { registered: '已报名', admitted: '已入场', absent: '缺考', in_exam: '考试中', submitted: '已交卷' };
const PHOTOS_PER_ROW = 4;

/**
 * Where a rule's figures come from, in words: 主要负责人 · 危化（本考点规则）. The config path
 * (rules.principal.items.hazardous_chemicals) is for the JSON and the operator, not the person's file.
 */
function ruleSource(r: { category: keyof typeof CATEGORY_LABELS; item: string | null }): string {
  const item = r.item === null ? '' : ` · ${INDUSTRY_LABELS[r.item as keyof typeof INDUSTRY_LABELS] ?? r.item}`;
  return `${CATEGORY_LABELS[r.category]}${item}`;
}
const ruleOrigin = (configured: boolean) => (configured ? '本考点规则' : '全国默认');

/** A photo under captures/, or null when the file is gone (the frame then says so). */
function capture(capturesDir: string, rel: string | null, vault: FaceVault): Buffer | null {
  if (!rel) return null;
  const p = normalize(rel);
  if (p.startsWith('..') || p.startsWith('/')) return null;
  try {
    return vault.readFile(join(capturesDir, p));
  } catch {
    return null;
  }
}

export async function personFilePdf(f: PersonFile, opts: { config: Config; capturesDir: string; faceVault: FaceVault }): Promise<Buffer> {
  const tz = opts.config.site.timezone;
  const day = (ms: number | null) => (ms === null ? '—' : localDate(ms, tz));
  const time = (ms: number | null) => (ms === null ? '—' : localDateTime(ms, tz));
  const what = (e: { category: keyof typeof CATEGORY_LABELS; operationClass: string | null; industry: keyof typeof INDUSTRY_LABELS }) =>
    `${CATEGORY_LABELS[e.category]}${e.operationClass ? ` · ${e.operationClass}` : ''} · ${INDUSTRY_LABELS[e.industry]}`;
  const sessionPart = f.sessionId !== null;
  const doc = await createPdf({
    title: sessionPart ? '一人一档 · 本场考试部分' : '一人一档 · 个人档案',
    siteName: opts.config.site.name,
    createdAt: f.madeAt,
    footerNote: `生成于 ${time(f.madeAt)} · 身份证号 ${f.idNumber}`,
  });
  doc.heading(sessionPart ? '一人一档（本场考试部分）' : '一人一档');
  doc.keyValues(
    [
      ['姓名', f.name || '—'],
      ['身份证号', f.idNumber],
      ['档案范围', sessionPart ? `本场考试 ${f.exams[0] ? day(f.exams[0].startsAt) : ''}` : '全部记录'],
      ['生成时间', time(f.madeAt)],
      ['考试场次', `${f.exams.length} 场`],
      ['有效合格', f.validPasses.length ? f.validPasses.map((v) => `${what(v)}（至 ${day(v.validUntil)}）`).join('；') : sessionPart ? '见全部档案' : '无'],
    ],
    { columns: 2 },
  );
  const lastCapture = [...f.identityChecks].reverse().find((c) => c.capture);
  doc.photos(
    [
      {
        label: '报名照片',
        image: capture(opts.capturesDir, f.photo, opts.faceVault),
        missingText: f.photo ? '照片文件缺失' : '无照片',
        unreadableText: '照片文件损坏',
      },
      ...(lastCapture
        ? [
            {
              label: `最近一次现场抓拍 ${time(lastCapture.startedAt)}`,
              image: capture(opts.capturesDir, lastCapture.capture, opts.faceVault),
              missingText: '抓拍文件缺失',
              unreadableText: '照片文件损坏',
            },
          ]
        : []),
    ],
    { height: 120 },
  );

  doc.subheading('考试记录');
  if (f.exams.length === 0) doc.paragraph('无考试记录。');
  else
    doc.table(
      [
        // Widths measured so a date, 考场 · 座位, 100/100 and 不合格 each stay on one line (9.5 pt, 4 pt padding).
        { header: '考试日期', width: 1.2 },
        { header: '考试计划 / 场次', width: 1.6 },
        { header: '类别 · 作业 / 行业', width: 1.8 },
        { header: '考场 · 座位', width: 1.3 },
        { header: '状态', width: 0.8, align: 'center' },
        { header: '成绩', width: 1, align: 'right' },
        { header: '结果', width: 0.8, align: 'center' },
        { header: '有效期至', width: 1.2 },
      ],
      f.exams.map((e) => [
        day(e.startsAt),
        `${e.planName}\n${e.sessionId}`,
        what(e),
        `${e.roomName} · ${e.seat ?? '—'}`,
        ROSTER_STATUS[e.status] ?? e.status,
        e.result ? `${e.result.score}/${e.result.total}` : '—',
        e.result ? (e.result.passed ? '合格' : '不合格') : '未评分',
        e.result?.passed ? day(e.result.validUntil) : '—',
      ]),
    );

  doc.subheading('补考与适用规则');
  if (f.exams.length === 0) doc.paragraph('无。');
  else
    doc.table(
      [
        { header: '考试日期', width: 1.1 },
        { header: '第几次', width: 1.1 },
        { header: '培训结业', width: 1.1 },
        { header: '适用规则', width: 4.5 },
      ],
      f.exams.map((e) => [
        day(e.startsAt),
        e.retake === 0 ? '首次考试' : `第 ${e.retake} 次补考`,
        e.trainedOn ?? '—',
        e.rule ? `${e.ruleText}\n${ruleSource(e.rule)}（${ruleOrigin(e.rule.configured)}）` : '导入时未记录规则',
      ]),
    );

  doc.subheading('培训记录');
  doc.paragraph(f.training.note.split(' The ')[0]!, { size: 9, color: '#555555' });
  if (f.training.classes.length === 0) doc.paragraph('无培训考勤记录。');
  else
    doc.table(
      [
        { header: '培训班', width: 2 },
        { header: '培训机构', width: 2 },
        { header: '日期', width: 1.8 },
        { header: '出勤天数', width: 0.9, align: 'right' },
        { header: '计入学时', width: 0.9, align: 'right' },
      ],
      f.training.classes.map((c) => [
        c.name,
        c.institution,
        `${c.startsOn} 至 ${c.endsOn}`,
        `${c.daysAttended}${c.daysWithoutCheckOut ? `（另 ${c.daysWithoutCheckOut} 天未签退）` : ''}`,
        String(c.attendedHours),
      ]),
    );
  doc.paragraph(
    `合计计入学时：${f.training.totalAttendedHours}。规定学时：${
      f.training.required.length
        ? f.training.required.map((r) => `${ruleSource(r)} 初训 ${r.initial ?? '按培训大纲'}、每年再培训 ${r.refresher ?? '按培训大纲'}`).join('；')
        : '—'
    }`,
  );

  doc.subheading('证书');
  if (!f.certificates.available) doc.paragraph(f.certificates.note!.split(' The ')[0]!);
  else if (f.certificates.items.length === 0) doc.paragraph('无证书。');
  else
    doc.table(
      [
        // A number (PREFIX-2026-000001) must not break at its hyphens.
        { header: '证书编号', width: 2.3 },
        { header: '类别 · 作业 / 行业', width: 2.2 },
        { header: '发证日期', width: 1.1 },
        { header: '有效期至', width: 1.1 },
        { header: '状态', width: 1.3 },
      ],
      f.certificates.items.map((c) => [
        c.number,
        what(c as never),
        day(c.issuedAt),
        day(c.validUntil),
        c.revokedAt !== null ? `已撤销 ${day(c.revokedAt)}：${c.revokedReason ?? ''}` : c.validUntil < f.madeAt ? '已过期' : '有效',
      ]),
    );

  const classNames = new Map(f.training.classes.map((c) => [c.classId, c.name]));
  doc.subheading('身份核验');
  if (f.identityChecks.length === 0) doc.paragraph('无身份核验记录。');
  else {
    doc.table(
      [
        { header: '时间', width: 1.4 },
        { header: '用途', width: 2 },
        { header: '一体机', width: 1 },
        { header: '结果', width: 1 },
        { header: '人脸距离 / 阈值', width: 1.2, align: 'right' },
        { header: '人工放行', width: 2 },
      ],
      f.identityChecks.map((c) => [
        time(c.startedAt),
        c.sessionId ? `考试入场 ${c.sessionId}` : `培训${c.action === 'check_out' ? '签退' : '签到'} ${classNames.get(c.classId ?? '') ?? c.classId ?? ''}`,
        c.kioskId,
        c.decision ? (DECISIONS[c.decision] ?? c.decision) : '未完成',
        c.distance === null ? '—' : `${c.distance.toFixed(3)} / ${c.threshold?.toFixed(3) ?? '—'}`,
        c.overrideBy ? `${c.overrideBy}：${c.overrideReason ?? ''}` : c.reason && c.decision === 'refused' ? `（${c.reason}）` : '—',
      ]),
    );
    const withPhoto = f.identityChecks.filter((c) => c.capture);
    for (let i = 0; i < withPhoto.length; i += PHOTOS_PER_ROW) {
      const row: PhotoSlot[] = withPhoto.slice(i, i + PHOTOS_PER_ROW).map((c) => ({
        label: `${time(c.startedAt)} ${c.decision ? (DECISIONS[c.decision] ?? '') : ''}`,
        image: capture(opts.capturesDir, c.capture, opts.faceVault),
        missingText: '抓拍文件缺失',
        unreadableText: '照片文件损坏',
      }));
      doc.photos(row, { height: 100 });
    }
  }

  // Issue 23: a refusal of face recognition and the checks staff made by eye instead.
  doc.subheading('人脸识别同意与人工核验');
  if (f.faceConsents.length === 0 && f.seatConfirmations.length === 0) doc.paragraph('无记录（未在入口一体机作出选择）。');
  if (f.faceConsents.length)
    doc.table(
      [
        { header: '场次', width: 2 },
        { header: '选择', width: 1.4 },
        { header: '时间', width: 1.4 },
        { header: '告知书版本', width: 1.2 },
      ],
      f.faceConsents.map((c) => [c.sessionId, c.decision === 'declined' ? '拒绝（人工核验）' : '同意', time(c.decidedAt), c.noticeVersion]),
    );
  if (f.seatConfirmations.length)
    doc.table(
      [
        { header: '场次 · 座位', width: 2 },
        { header: '起因', width: 1.2 },
        { header: '应核验', width: 1.4 },
        { header: '核验时间', width: 1.4 },
        { header: '核验人', width: 1.4 },
      ],
      f.seatConfirmations.map((c) => [
        `${c.sessionId} · ${c.seat ?? '—'}`,
        c.reason === 'login' ? '登录后' : '座位告警',
        time(c.dueAt),
        c.confirmedAt === null ? '未核验' : c.outcome === 'not_the_person' ? `${time(c.confirmedAt)} 非本人` : time(c.confirmedAt),
        c.confirmedBy ?? '—',
      ]),
    );

  doc.subheading('违纪记录');
  if (f.incidents.length === 0) doc.paragraph('无违纪记录。');
  else
    doc.table(
      [
        { header: '时间', width: 1.4 },
        { header: '场次 · 座位', width: 2 },
        { header: '类别', width: 1.2 },
        { header: '记录', width: 3 },
        { header: '记录人', width: 1.2 },
      ],
      f.incidents.map((i) => [time(i.at), `${i.sessionId} · ${i.seat ?? '—'}`, i.categoryText.zh, i.note, i.recordedBy]),
    );
  return doc.end();
}
