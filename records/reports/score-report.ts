// The score report (成绩单) of one candidate: an A4 page in Chinese with who they are (ID number masked),
// the session, seat, score and pass, the kiosk's live capture beside the roster photo, the seat
// re-check snapshots with their verdicts, the time on the paper and any incidents. Printed by staff.
import type { FaceVault } from '../../storage/index.ts';
import { resolve, sep } from 'node:path';
import { localDate, localDateTime, localTime, maskIdNumber } from '../../core/index.ts';
import { createPdf, type PhotoSlot } from '../../documents/index.ts';
import { overrideReasonWords } from '../../kiosk/protocol.ts';
import {
  admittingCheck,
  categoryLabel,
  durationWords,
  findCandidate,
  industryLabel,
  snapshotsOf,
  timeUsedMs,
  type actorNamer,
  type SessionFacts,
} from './gather.ts';

/** Snapshots shown as pictures, in the row of the two identity photos; every one is counted below them. */
const SNAPSHOT_PHOTOS = 2;

export const SNAPSHOT_VERDICTS: Record<string, string> = {
  match: '一致',
  mismatch: '不一致',
  no_face: '未检出人脸',
  several_faces: '多张人脸',
  unchecked: '未核验',
};
export const KIOSK_DECISIONS: Record<string, string> = {
  admitted: '人脸核验通过',
  overridden: '人工放行',
  refused: '核验未通过',
  cancelled: '核验中途取消',
  expired: '核验未完成（已过期）',
};
export const SUBMITTED_BY: Record<string, string> = { candidate: '考生交卷', auto: '到时自动交卷', invigilator: '监考员收卷' };

/** A stored capture as a picture the PDF kit can draw; null (shown as a labelled empty frame) otherwise. */
export function loadCapture(capturesDir: string, rel: string | null, vault: FaceVault): { image: Buffer | null; missingText?: string } {
  if (!rel) return { image: null };
  const root = resolve(capturesDir);
  const file = resolve(root, rel);
  // A stored path is ours, but a report must never read outside captures/ whatever a row says.
  if (!file.startsWith(root + sep)) return { image: null, missingText: '路径无效' };
  let bytes: Buffer;
  try {
    bytes = vault.readFile(file);
  } catch (err) {
    if ((err as { code?: string }).code === 'face_key') return { image: null, missingText: '照片无法解密' };
    return { image: null, missingText: '照片文件缺失' };
  }
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return jpeg || png ? { image: bytes } : { image: null, missingText: '格式无法显示' };
}

export interface ScoreReportOptions {
  capturesDir: string;
  /** Opens the sealed photos (storage/face-vault.ts). */
  faceVault: FaceVault;
  now: number;
  names: ReturnType<typeof actorNamer>;
  /**
   * false: frames say where the photos are instead of showing them. The archive's copy is made so,
   * because face data never leaves the appliance in plain form (its photos go in encrypted parts).
   */
  photos?: boolean;
}

export async function renderScoreReport(f: SessionFacts, candidate: string, o: ScoreReportOptions): Promise<Buffer> {
  const e = findCandidate(f, candidate);
  const s = f.session;
  const capture = (rel: string | null) =>
    o.photos === false ? { image: null, missingText: rel ? '照片不随本件存档' : undefined } : loadCapture(o.capturesDir, rel, o.faceVault);
  const tz = f.timezone;
  const result = f.results.get(e.idNumber) ?? null;
  const absent = !result && (e.status === 'absent' || e.status === 'registered');
  const check = admittingCheck(f, e.idNumber);
  const attempt = f.terminal.attempts.find((a) => a.idNumber === e.idNumber) ?? null;
  const snaps = snapshotsOf(f, e.idNumber);
  const incidents = f.incidents.filter((i) => i.idNumber === e.idNumber);
  const integrity = f.terminal.integrity.filter((i) => i.idNumber === e.idNumber);

  const pdf = await createPdf({
    title: '考试成绩单',
    siteName: f.siteName,
    createdAt: o.now,
    footerNote: `打印于 ${localDateTime(o.now, tz)} · 场次 ${s.id}`,
  });
  pdf.heading('安全生产考试成绩单');
  pdf.keyValues(
    [
      ['姓名', e.name],
      ['身份证号', maskIdNumber(e.idNumber)],
      ['人员类别', categoryLabel(e)],
      ['行业', industryLabel(e)],
      ['准考证号', e.ticketNo],
      ['考试次数', e.attempt === 2 ? '第 2 次（补考）' : '第 1 次'],
      ['培训机构', e.institution ?? '—'],
    ],
    { columns: 2 },
  );
  pdf.subheading('考试场次');
  pdf.keyValues(
    [
      ['考试计划', f.planName],
      ['考试日期', localDate(s.startsAt, tz)],
      ['考试时间', `${localTime(s.startsAt, tz)}–${localTime(s.endsAt, tz)}`],
      ['考场', `${f.roomName}（${s.roomId}）`],
      ['座位号', e.seat ?? '—'],
      ['试卷', s.template.name],
    ],
    { columns: 2 },
  );

  pdf.subheading('考试成绩');
  const passMark = s.template.passMark;
  const verdict = result ? (result.passed ? '合格' : '不合格') : absent ? '缺考' : '未评分';
  pdf.keyValues(
    [
      ['成绩', result ? `${fmtScore(result.score)} 分（满分 ${fmtScore(result.total)}）` : '—'],
      ['结论', verdict],
      ['合格线', `${fmtScore(passMark)} 分`],
      ['评分时间', result ? localDateTime(result.gradedAt, tz) : '—'],
      ['答题用时', durationWords(timeUsedMs(f, e.idNumber))],
      ['交卷方式', attempt?.submittedBy ? SUBMITTED_BY[attempt.submittedBy]! : result ? '—' : '未交卷'],
      ...(result?.validUntil ? ([['合格有效期至', localDate(result.validUntil, tz)]] as [string, string][]) : []),
    ],
    { columns: 2 },
  );

  // An exam of 90 minutes with a snapshot a minute has dozens: the verdicts are counted, the pictures
  // beside the two identity photos show the ones a reader must see (anything but a match first), and
  // the table lists every snapshot that was not a match.
  pdf.subheading('身份核验与座位复核');
  const counts = new Map<string, number>();
  for (const x of snaps) counts.set(x.identity, (counts.get(x.identity) ?? 0) + 1);
  const shown = [...snaps].sort((a, b) => Number(a.identity === 'match') - Number(b.identity === 'match') || a.at - b.at).slice(0, SNAPSHOT_PHOTOS);
  shown.sort((a, b) => a.at - b.at);
  const roster = capture(e.photo);
  const live = capture(check?.capture ?? null);
  pdf.photos(
    [
      { label: '报名照片', image: roster.image, missingText: roster.missingText ?? '无报名照片' },
      { label: '入场现场照片', image: live.image, missingText: live.missingText ?? '无现场照片' },
      ...shown.map((x): PhotoSlot => {
        const c = capture(x.file);
        return {
          label: `复核 ${localTime(x.at, tz)} ${SNAPSHOT_VERDICTS[x.identity] ?? x.identity}`,
          image: c.image,
          ...(c.missingText ? { missingText: c.missingText } : {}),
        };
      }),
    ],
    { height: 110 },
  );
  pdf.keyValues(
    [
      ['入场核验', check?.decision ? KIOSK_DECISIONS[check.decision]! : '未经核验台'],
      ['核验时间', check?.decidedAt ? localDateTime(check.decidedAt, tz) : '—'],
      ['人脸距离', check?.distance != null ? `${check.distance.toFixed(3)}（阈值 ${check.threshold?.toFixed(3) ?? '—'}）` : '—'],
      ['放行人 / 理由', check?.decision === 'overridden' ? `${o.names.words(check.overrideBy)}：${overrideReasonWords(check.overrideReason).zh}` : '—'],
      ['座位复核抓拍', snaps.length ? `${snaps.length} 张：${[...counts].map(([k, n]) => `${SNAPSHOT_VERDICTS[k] ?? k} ${n}`).join('，')}` : '无'],
    ],
    { columns: 2 },
  );
  const unusual = snaps.filter((x) => x.identity !== 'match');
  if (unusual.length)
    pdf.table(
      [
        { header: '复核时间', width: 2.2 },
        { header: '终端', width: 1.4 },
        { header: '复核结果', width: 1.6 },
        { header: '人脸距离', width: 1.3, align: 'right' },
        { header: '说明', width: 3.5 },
      ],
      unusual.map((x) => [
        localDateTime(x.at, tz),
        x.terminalId,
        SNAPSHOT_VERDICTS[x.identity] ?? x.identity,
        x.distance !== null ? x.distance.toFixed(3) : '—',
        x.detail ?? '',
      ]),
    );

  pdf.subheading('违纪及异常');
  if (incidents.length === 0 && integrity.length === 0) pdf.paragraph('无。');
  if (incidents.length)
    pdf.table(
      [
        { header: '时间', width: 2.2 },
        { header: '类别', width: 1.8 },
        { header: '情况说明', width: 4.2 },
        { header: '记录人', width: 1.8 },
      ],
      incidents.map((i) => [localDateTime(i.at, tz), i.categoryText.zh, i.note, o.names.words(i.recordedBy)]),
    );
  if (integrity.length) {
    const kinds = new Map<string, number>();
    for (const i of integrity) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
    pdf.paragraph(`终端记录的异常事件：${[...kinds].map(([k, n]) => `${k} × ${n}`).join('，')}（明细见考场档案）。`, { color: '#555555' });
  }
  pdf.space(18);
  pdf.keyValues(
    [
      ['监考员签名', '____________________'],
      ['考点（盖章）', '____________________'],
    ],
    { columns: 2 },
  );
  return pdf.end();
}

export const fmtScore = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
