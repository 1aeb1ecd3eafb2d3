// The results page's words (zh first): the session picker, results, documents, certificates, the
// session archive and the reporting status.
import type { Bilingual } from '../../../../../web/i18n.ts';
import { sessionStatusWords } from '../../../../../web/session-status.ts';
import { humanBytes } from '../../format.ts';

export const resultsWords: Bilingual<{
  session: string;
  pick: string;
  noSessions: string;
  status: Record<string, string>;
  statistics: string;
  loadFailed: (why: string) => string;
  // results
  results: string;
  notGradedYet: (status: string) => string;
  summary: (s: {
    roster: number;
    admitted: number;
    absent: number;
    graded: number;
    passed: number;
    passRate: number | null;
    averageScore: number | null;
  }) => string;
  ticket: string;
  name: string;
  idNumber: string;
  attempt: (n: number) => string;
  rosterStatus: Record<string, string>;
  score: string;
  verdict: string;
  passed: string;
  failed: string;
  report: string;
  reportPdf: string;
  personFile: string;
  // documents
  documents: string;
  resultsSheet: string;
  roomLog: string;
  roomLogOpen: string;
  roomLogSigned: (names: string) => string;
  roomLogNotEnded: string;
  notes: (n: number) => string;
  // certificates
  certificates: string;
  noCertificates: string;
  number: string;
  validUntil: string;
  certStatus: Record<string, string>;
  revoke: string;
  reason: string;
  reasonHint: string;
  confirmRevoke: (n: string) => string;
  revokeFinal: string;
  cancel: string;
  revoked: (n: string) => string;
  reasonMissing: string;
  exportXlsx: string;
  exportJson: string;
  // archive
  archive: string;
  make: string;
  withMedia: string;
  cancelJob: string;
  confirmCancel: string;
  yesCancel: string;
  keepGoing: string;
  none: string;
  version: (v: number) => string;
  running: string;
  made: (file: string) => string;
  cancelled: string;
  failedJob: (why: string) => string;
  size: (bytes: number) => string;
  files: (n: number) => string;
  parts: Record<string, string>;
  writing: (part: string, files: number, mib: string) => string;
  archiveOnlyGraded: string;
  // a plain copy of an archive (face images decrypted; issue 23)
  exportPlain: string;
  confirmPlain: string;
  yesPlain: string;
  keepSealed: string;
  plainMaking: string;
  plainMade: (file: string) => string;
  plainFailed: (why: string) => string;
  noPlainBasis: string;
  // reporting
  reporting: string;
  repOff: string;
  repOk: string;
  repPending: (n: number) => string;
  repFailing: (n: number) => string;
  lastError: string;
  target: string;
  packageLine: (v: number, state: string, attempts: number) => string;
  repState: Record<string, string>;
  retry: string;
  noPackages: string;
}> = {
  zh: {
    session: '考试场次',
    pick: '选择场次',
    noSessions: '还没有考试场次',
    status: sessionStatusWords.zh as Record<string, string>,
    statistics: '统计分析（合格率、题目分析）',
    loadFailed: (w) => `无法读取：${w}`,
    results: '成绩',
    notGradedYet: (s) => `本场次${s}，尚未评分；评分后这里显示成绩、成绩单和证书。`,
    summary: (s) =>
      `名单 ${s.roster} 人 · 入场 ${s.admitted} · 缺考 ${s.absent} · 已评分 ${s.graded} · 合格 ${s.passed}` +
      (s.passRate === null ? '' : ` · 合格率 ${(s.passRate * 100).toFixed(1)}%`) +
      (s.averageScore === null ? '' : ` · 平均分 ${s.averageScore}`),
    ticket: '准考证号',
    name: '姓名',
    idNumber: '身份证号',
    attempt: (n) => (n > 1 ? '补考' : '初考'),
    rosterStatus: { registered: '已报名', admitted: '已入场', in_exam: '考试中', submitted: '已交卷', absent: '缺考' },
    score: '成绩',
    verdict: '结论',
    passed: '合格',
    failed: '不合格',
    report: '成绩单',
    reportPdf: 'PDF',
    personFile: '一人一档',
    documents: '场次文书',
    resultsSheet: '成绩汇总表（PDF）',
    roomLog: '考场记录（PDF）',
    roomLogOpen: '考场记录尚未签字确认（监考员在监考台签字）',
    roomLogSigned: (n) => `考场记录已签字确认：${n}`,
    roomLogNotEnded: '考试结束后方可签字确认考场记录',
    notes: (n) => `补充说明 ${n} 条`,
    certificates: '证书',
    noCertificates: '本场次未颁发证书',
    number: '证书编号',
    validUntil: '有效期至',
    certStatus: { valid: '有效', expired: '已过期', revoked: '已吊销' },
    revoke: '吊销',
    reason: '吊销原因',
    reasonHint: '将显示在证书查验页上',
    confirmRevoke: (n) => `吊销证书 ${n}？吊销后不可恢复，查验页将显示“已吊销”及原因。`,
    revokeFinal: '确认吊销',
    cancel: '取消',
    revoked: (n) => `已吊销证书 ${n}`,
    reasonMissing: '请填写吊销原因（1–200 字）',
    exportXlsx: '导出政务服务数据（xlsx）',
    exportJson: '导出（json）',
    archive: '一期一档',
    make: '生成一期一档归档',
    withMedia: '包含录像文件',
    cancelJob: '取消',
    confirmCancel: '确定取消正在生成的归档？已写入的部分将被删除。',
    yesCancel: '确定取消',
    keepGoing: '继续生成',
    none: '尚未归档',
    version: (v) => `第 ${v} 版`,
    running: '正在生成…',
    made: (f) => `已生成 ${f}`,
    cancelled: '已取消，未留下文件',
    failedJob: (w) => `生成失败：${w}`,
    size: humanBytes,
    files: (n) => `${n} 个文件`,
    parts: {
      session: '考试场次',
      roster: '考生名单',
      'sign-in': '签到记录',
      seats: '座位表',
      papers: '试卷与答卷',
      incidents: '违纪记录',
      integrity: '考试机完整性',
      'video-index': '录像索引',
      'results-sheet': '成绩汇总表',
      'room-log': '考场记录',
      'score-reports': '成绩单',
      certificates: '证书',
      people: '一人一档',
    },
    writing: (p, n, m) => `正在写入${p} · 已 ${n} 个文件 · ${m} MiB`,
    archiveOnlyGraded: '评分后方可归档',
    exportPlain: '导出明文副本',
    confirmPlain:
      '明文副本中的人脸照片不再加密。须已在 系统 → 人脸数据 中设定「归档文件导出」的法律依据；每次导出都记入审计日志（导出人、归档、法律依据）。确定导出？',
    yesPlain: '确定导出',
    keepSealed: '不导出',
    plainMaking: '正在生成明文副本…',
    plainMade: (f) => `已导出明文副本 ${f}；请只交给法律依据所指的接收方，用后删除`,
    plainFailed: (w) => `未能导出明文副本：${w}`,
    noPlainBasis: '尚未设定「归档文件导出」的法律依据：请管理员先在 系统 → 人脸数据 中填写法律依据，再导出',
    reporting: '成绩上报（省考试平台）',
    repOff: '成绩上报：未配置',
    repOk: '成绩上报：已全部送达',
    repPending: (n) => `成绩上报：${n} 个待送达`,
    repFailing: (n) => `成绩上报：${n} 个待送达，正在重试`,
    lastError: '上次错误：',
    target: '上报地址：',
    packageLine: (v, s, a) => `第 ${v} 版 · ${s} · 尝试 ${a} 次`,
    repState: { pending: '待送达', sent: '已送达' },
    retry: '立即重试',
    noPackages: '本场次尚无上报数据包',
  },
  en: {
    session: 'Session',
    pick: 'Pick a session',
    noSessions: 'no sessions yet',
    status: sessionStatusWords.en as Record<string, string>,
    statistics: 'Statistics (pass rates, item analysis)',
    loadFailed: (w) => `could not load: ${w}`,
    results: 'Results',
    notGradedYet: (s) => `This session is ${s} and not graded yet; its results, score reports and certificates appear here once it is.`,
    summary: (s) =>
      `roster ${s.roster} · admitted ${s.admitted} · absent ${s.absent} · graded ${s.graded} · passed ${s.passed}` +
      (s.passRate === null ? '' : ` · pass rate ${(s.passRate * 100).toFixed(1)}%`) +
      (s.averageScore === null ? '' : ` · average ${s.averageScore}`),
    ticket: 'Ticket',
    name: 'Name',
    idNumber: 'ID number',
    attempt: (n) => (n > 1 ? 'retake' : 'first'),
    rosterStatus: { registered: 'registered', admitted: 'admitted', in_exam: 'in exam', submitted: 'submitted', absent: 'absent' },
    score: 'Score',
    verdict: 'Verdict',
    passed: 'pass',
    failed: 'fail',
    report: 'Score report',
    reportPdf: 'PDF',
    personFile: 'Person file',
    documents: 'Session documents',
    resultsSheet: 'Results sheet (PDF)',
    roomLog: 'Room log (PDF)',
    roomLogOpen: 'The room log is not signed off yet (invigilators sign it in the proctor console)',
    roomLogSigned: (n) => `Room log signed off by ${n}`,
    roomLogNotEnded: 'The room log can be signed off once the exam has ended',
    notes: (n) => `${n} ${n === 1 ? 'note' : 'notes'} added`,
    certificates: 'Certificates',
    noCertificates: 'no certificates issued for this session',
    number: 'Number',
    validUntil: 'Valid until',
    certStatus: { valid: 'valid', expired: 'expired', revoked: 'revoked' },
    revoke: 'Revoke',
    reason: 'Reason',
    reasonHint: 'shown on the verify page',
    confirmRevoke: (n) => `Revoke certificate ${n}? This cannot be undone; the verify page will say revoked, with the reason.`,
    revokeFinal: 'Revoke for good',
    cancel: 'Cancel',
    revoked: (n) => `Revoked ${n}`,
    reasonMissing: 'give the reason (1–200 characters)',
    exportXlsx: 'Export for the government service platform (xlsx)',
    exportJson: 'Export (json)',
    archive: 'Session archive',
    make: 'Make the session archive',
    withMedia: 'include the video files',
    cancelJob: 'Cancel',
    confirmCancel: 'Cancel the archive being made? What was written is removed.',
    yesCancel: 'Yes, cancel',
    keepGoing: 'Keep going',
    none: 'not archived yet',
    version: (v) => `version ${v}`,
    running: 'making…',
    made: (f) => `made ${f}`,
    cancelled: 'cancelled; no file was left',
    failedJob: (w) => `failed: ${w}`,
    size: humanBytes,
    files: (n) => `${n} ${n === 1 ? 'file' : 'files'}`,
    parts: {
      session: 'session',
      roster: 'roster',
      'sign-in': 'sign-in record',
      seats: 'seat map',
      papers: 'papers and answers',
      incidents: 'incidents',
      integrity: 'terminal integrity',
      'video-index': 'video index',
      'results-sheet': 'results sheet',
      'room-log': 'room log',
      'score-reports': 'score reports',
      certificates: 'certificates',
      people: 'person files',
    },
    writing: (p, n, m) => `writing the ${p} · ${n} ${n === 1 ? 'file' : 'files'} so far · ${m} MiB`,
    archiveOnlyGraded: 'a session can be archived once it is graded',
    exportPlain: 'Export plain copy',
    confirmPlain:
      'The plain copy holds the face images decrypted. It needs the legal basis for "Archive export" set in System → Face data, and each export is audited (who, which archive, the basis). Export it?',
    yesPlain: 'Yes, export',
    keepSealed: 'Do not export',
    plainMaking: 'making the plain copy…',
    plainMade: (f) => `exported the plain copy ${f}; hand it only to the recipient the legal basis names, and delete it after`,
    plainFailed: (w) => `no plain copy: ${w}`,
    noPlainBasis: 'no legal basis is set for "Archive export": an admin names it in System → Face data first, then export again',
    reporting: 'Reporting to the provincial exam platform',
    repOff: 'Reporting: not configured',
    repOk: 'Reporting: all delivered',
    repPending: (n) => `Reporting: ${n} pending`,
    repFailing: (n) => `Reporting: ${n} pending, retrying`,
    lastError: 'Last error: ',
    target: 'Platform: ',
    packageLine: (v, s, a) => `version ${v} · ${s} · ${a} ${a === 1 ? 'attempt' : 'attempts'}`,
    repState: { pending: 'pending', sent: 'delivered' },
    retry: 'Retry now',
    noPackages: 'no results package for this session yet',
  },
};
