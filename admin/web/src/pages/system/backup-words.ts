// The backup section's words (where the database's copies are, what an admin must do), Chinese first.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { BackupWarning } from '../../../../../server/protocol.ts';

export interface BackupWords {
  title: string;
  destination: (kind: 'folder' | 'object-store' | 'this-disk', where: string) => string;
  lastOffDisk: (at: string) => string;
  noneOffDisk: string;
  waiting: (n: number) => string;
  nextNightly: (at: string) => string;
  noNightly: string;
  running: (since: string) => string;
  lastError: (at: string, message: string) => string;
  warnings: Record<BackupWarning, string>;
  now: string;
  confirmDuringExam: (sessions: number) => string;
  asked: string;
  verify: string;
  verifying: string;
  good: (name: string, entries: number, head: number) => string;
  bad: (name: string) => string;
  columns: { taken: string; reason: string; size: string; where: string; action: string };
  reasons: Record<'nightly' | 'manual' | 'upgrade', string>;
  at: Record<'destination' | 'this-disk', string>;
  empty: string;
  restoreNote: string;
}

export const backupWords: Bilingual<BackupWords> = {
  zh: {
    title: '数据库备份',
    destination: (k, w) =>
      k === 'object-store'
        ? `备份保存到对象存储：${w}`
        : k === 'folder'
          ? `备份保存到另一块磁盘或网络存储：${w}`
          : `未配置备份位置，备份只保存在本机磁盘：${w}`,
    lastOffDisk: (at) => `最近一份离开本机的备份：${at}`,
    noneOffDisk: '数据库还没有任何一份保存在本机以外的副本',
    waiting: (n) => `${n} 份备份在本机等待复制（考试进行中时暂缓，考试结束后自动复制）`,
    nextNightly: (at) => `下次每日备份：${at}`,
    noNightly: '每日备份已关闭（backup.at: off）',
    running: (s) => `正在备份（${s} 开始），考试照常进行`,
    lastError: (at, m) => `上次备份操作失败（${at}）：${m}`,
    warnings: {
      'no-destination': '本机磁盘损坏将丢失全部考试记录：请在配置中设置 backup.path（另一块磁盘或网络存储）或 objectStore（对象存储）。',
      'no-copy-off-disk': '备份位置已配置，但还没有一份备份成功复制过去。',
      stale: '最近一份离开本机的备份已超过两天。',
      'keys-not-exported': '尚未导出包含备份密钥的密钥包：没有它，任何备份都无法打开。请运行 examroom keys export 并离线保管。',
      'last-failed': '上次备份操作失败，详见下方和服务日志。',
    },
    now: '立即备份',
    confirmDuringExam: (n) =>
      `有 ${n} 场考试正在进行，考生正在作答。备份会以最低优先级在后台运行，但仍占用服务器的处理能力和磁盘。确定现在备份吗？（每晚的自动备份在考试之外进行）`,
    asked: '已开始备份',
    verify: '校验',
    verifying: '正在校验…',
    good: (n, e, h) => `${n}：校验通过——校验和一致，数据库完整性检查通过，审计链完好（${e} 条，末条 ${h}）`,
    bad: (n) => `${n}：校验失败`,
    columns: { taken: '备份时间', reason: '原因', size: '大小', where: '位置', action: '' },
    reasons: { nightly: '每日', manual: '手动', upgrade: '升级前' },
    at: { destination: '备份位置', 'this-disk': '本机' },
    empty: '还没有备份',
    restoreNote: '在新服务器上恢复：examroom backup restore 备份名 --bundle 密钥包（见 docs/backup.md）',
  },
  en: {
    title: 'Database backups',
    destination: (k, w) =>
      k === 'object-store'
        ? `Backups go to the object store: ${w}`
        : k === 'folder'
          ? `Backups go to another disk or a NAS: ${w}`
          : `No backup destination is configured; backups stay on this disk: ${w}`,
    lastOffDisk: (at) => `Newest copy off this disk: ${at}`,
    noneOffDisk: 'The database has no copy off this disk',
    waiting: (n) => `${n} backup(s) waiting on this disk to be copied (held while an exam runs, copied after it)`,
    nextNightly: (at) => `Next nightly backup: ${at}`,
    noNightly: 'The nightly backup is off (backup.at: off)',
    running: (s) => `A backup is running (since ${s}); exams go on as usual`,
    lastError: (at, m) => `The last backup action failed (${at}): ${m}`,
    warnings: {
      'no-destination':
        "A dead disk loses every exam record: set backup.path (another disk or a NAS) or objectStore (the centre's object store) in the config.",
      'no-copy-off-disk': 'A destination is configured, but no backup has reached it yet.',
      stale: 'The newest copy off this disk is more than two days old.',
      'keys-not-exported':
        'No key bundle holding the backup key has been exported: without it no backup can be opened. Run examroom keys export and keep it offline.',
      'last-failed': 'The last backup action failed; see below and the service log.',
    },
    now: 'Back up now',
    confirmDuringExam: (n) =>
      `${n} exam session${n === 1 ? ' is' : 's are'} in progress: candidates are answering. The backup runs in the background at the lowest priority, but it still uses the server's CPU and disk. Back up now? (The nightly backup runs outside exams.)`,
    asked: 'Backup started',
    verify: 'Verify',
    verifying: 'Verifying…',
    good: (n, e, h) => `${n}: good — checksum matches, integrity check ok, audit chain intact (${e} entries, head ${h})`,
    bad: (n) => `${n}: FAILED`,
    columns: { taken: 'Taken', reason: 'Reason', size: 'Size', where: 'Where', action: '' },
    reasons: { nightly: 'nightly', manual: 'manual', upgrade: 'before upgrade' },
    at: { destination: 'destination', 'this-disk': 'this disk' },
    empty: 'No backups yet',
    restoreNote: 'Restoring onto a new server: examroom backup restore NAME --bundle KEYS.bundle (see docs/backup.md)',
  },
};
