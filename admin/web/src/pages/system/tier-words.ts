// The object-store block's words (tier.tsx), Chinese first.
import type { Bilingual } from '../../../../../web/i18n.ts';

export interface TierWords {
  title: string;
  notConfigured: string;
  local: string;
  tiered: (objects: number) => string;
  waiting: (files: number) => string;
  lastUpload: string;
  never: string;
  lastError: string;
  storeDown: (since: string) => string;
  probeFailed: (at: string, message: string) => string;
  daysLeft: (days: number) => string;
  windowClosed: string;
  uploading: (n: number) => string;
  lastCheck: string;
  check: Record<'ok' | 'mismatch' | 'missing' | 'newer_version' | 'error', string>;
  problems: (n: number) => string;
  explain: string;
}

export const tierWords: Bilingual<TierWords> = {
  zh: {
    title: '对象存储分层',
    notConfigured: '未配置对象存储（配置文件 objectStore:）：全部录像与归档保存在本机磁盘。',
    local: '本机磁盘',
    tiered: (n) => `已存入对象存储（${n} 个文件）`,
    waiting: (n) => `等待上传（${n} 个文件）`,
    lastUpload: '最近上传',
    never: '尚无',
    lastError: '最近错误',
    probeFailed: (at, m) => `对象存储无法连接或无法写入（${at} 探测：${m}）：待上传的文件留在本机磁盘，录制照常进行。`,
    storeDown: (since) => `对象存储自 ${since} 起无法连接：待上传的文件留在本机磁盘，录制照常进行。`,
    daysLeft: (d) => `按当前录制速度，本机磁盘还可录制约 ${d} 天。`,
    windowClosed: '当前不在上传时段内（objectStore.uploadWindow）。',
    uploading: (n) => `正在上传 ${n} 个文件`,
    lastCheck: '最近抽检',
    check: { ok: '一致', mismatch: 'SHA-256 不符', missing: '对象缺失', newer_version: '被他人写入新版本', error: '未能读取' },
    problems: (n) => `${n} 个文件无法上传（本地文件缺失或已被改动、或存储中已有他人的同名对象），已保留在本机，请查看日志。`,
    explain:
      '超过 hotDays 天的录像与归档会上传到对象存储，校验 SHA-256 无误后才删除本机副本；读取时自动从对象存储取回。对象存储中的文件定期抽检，与写入时不符即告警并记入审计日志。',
  },
  en: {
    title: 'Object-store tier',
    notConfigured: 'No object store configured (objectStore: in the config): every recording and archive stays on the local disk.',
    local: 'Local disk',
    tiered: (n) => `In the object store (${n} files)`,
    waiting: (n) => `Waiting to upload (${n} files)`,
    lastUpload: 'Last upload',
    never: 'none yet',
    lastError: 'Last error',
    probeFailed: (at, m) => `The object store cannot be reached or written (probe at ${at}: ${m}): files waiting stay on the local disk; recording goes on.`,
    storeDown: (since) => `The object store has been unreachable since ${since}: files waiting stay on the local disk; recording goes on.`,
    daysLeft: (d) => `At today's recording rate the local disk holds about ${d} more days.`,
    windowClosed: 'Outside the upload window now (objectStore.uploadWindow).',
    uploading: (n) => `${n} uploads running`,
    lastCheck: 'Last spot check',
    check: { ok: 'matches', mismatch: 'SHA-256 differs', missing: 'object missing', newer_version: 'someone wrote a newer version', error: 'could not read' },
    problems: (n) =>
      `${n} files cannot be uploaded (missing or changed locally, or someone else's object holds their key); they stay on the local disk — see the log.`,
    explain:
      'Recordings and archives older than hotDays move to the object store; the local copy is deleted only after the SHA-256 of the upload is verified, and reads fetch them back transparently. Stored files are spot-checked; a file that no longer matches is an alert and an audit entry.',
  },
};
