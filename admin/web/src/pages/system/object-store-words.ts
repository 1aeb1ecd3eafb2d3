// The object-store block's words (the centre's S3 store as the last probe saw it), Chinese first.
import type { Bilingual } from '../../../../../web/i18n.ts';

export interface ObjectStoreWords {
  title: string;
  none: string;
  state: Record<'checking' | 'ok' | 'failed', string>;
  /** The probe's problem codes (storage/object-store/errors.ts) in the IT person's words. */
  problem: Record<string, string>;
  otherProblem: string;
  where: string;
  lockLabel: string;
  lock: Record<'none' | 'governance' | 'compliance', string>;
  policy: (hotDays: number, window: string, mbps: number | null) => string;
  verified: Record<'store-checksum' | 'read-back', string>;
  checkedAt: (at: string) => string;
  detail: string;
  /** The probe's findings from its codes (reachable, writable, versioning, lock), never its English sentence. */
  findings: (f: { bucket: string; reachable: boolean | null; writable: boolean | null; versioning: string | null; locked: boolean }) => string;
}

export const objectStoreWords: Bilingual<ObjectStoreWords> = {
  zh: {
    title: '对象存储',
    none: '未配置对象存储：录像和归档只保存在本机磁盘上（配置 objectStore: 后，较早的录像会转存到中心的对象存储）。',
    state: {
      checking: '正在检查对象存储…',
      ok: '对象存储可以连接，可以写入',
      failed: '对象存储不可用——录像照常保存在本机，待存储恢复后再转存',
    },
    problem: {
      'wrong-key': '存储不接受访问密钥：请检查 objectStore.accessKeyId 和 secretFile 文件中的密钥',
      'missing-bucket': '存储桶不存在：请在存储上创建该存储桶，或改正 objectStore.bucket',
      unreachable: '无法连接存储：请检查 objectStore.endpoint、网络和存储服务是否运行',
      tls: 'TLS 证书不受信任：请在 objectStore.caFile 中给出签发存储证书的 CA，或检查证书和地址',
      'no-object-lock': '配置要求对象锁定，但该存储桶没有启用对象锁定（只能在创建存储桶时启用）',
      denied: '存储拒绝了此密钥的操作：请检查该账号对存储桶的读写权限',
      'verify-failed': '写入后读回的探测数据与写入的不一致',
    },
    otherProblem: '存储返回了错误',
    where: '地址',
    lockLabel: '防删除',
    lock: { none: '未要求对象锁定', governance: '对象锁定：治理模式（governance）', compliance: '对象锁定：合规模式（compliance），任何人都不能提前删除' },
    policy: (d, w, m) => `本机保留 ${d} 天后转存 · 上传时段：${w === 'always' ? '全天' : w} · 带宽上限：${m === null ? '不限' : `${m} Mbit/s`}`,
    verified: { 'store-checksum': '上传由存储的 SHA-256 校验和核验', 'read-back': '上传后读回并计算 SHA-256 核验' },
    checkedAt: (at) => `上次检查：${at}`,
    detail: '详情',
    findings: (f) =>
      [
        `存储桶 ${f.bucket}`,
        f.reachable === null ? '' : f.reachable ? '可以连接' : '无法连接',
        f.writable === null || !f.reachable ? '' : f.writable ? '可以写入' : '未能写入',
        f.versioning === null || f.versioning === 'unknown'
          ? ''
          : `版本控制：${{ enabled: '已启用', suspended: '已暂停', off: '未启用' }[f.versioning] ?? f.versioning}`,
        f.locked ? '对象锁定：已启用' : '',
      ]
        .filter(Boolean)
        .join('；'),
  },
  en: {
    title: 'Object storage',
    none: 'No object store configured: recordings and archives stay on this disk only (with objectStore: set, older recordings move to the centre’s store).',
    state: {
      checking: 'Checking the object store…',
      ok: 'The object store is reachable and writable',
      failed: 'The object store is unavailable — recording goes on to this disk; files move once the store is back',
    },
    problem: {
      'wrong-key': 'The store does not accept the access key: check objectStore.accessKeyId and the key in the secretFile',
      'missing-bucket': 'The bucket does not exist: create it on the store, or fix objectStore.bucket',
      unreachable: 'Cannot reach the store: check objectStore.endpoint, the network and that the store is running',
      tls: 'The TLS certificate is not trusted: give the CA that signed the store’s certificate in objectStore.caFile, or check the certificate and address',
      'no-object-lock': 'Object lock is asked for, but the bucket has none (it can only be turned on when the bucket is created)',
      denied: 'The store refused this key: check the account’s rights on the bucket',
      'verify-failed': 'The probe object read back differs from what was written',
    },
    otherProblem: 'The store answered with an error',
    where: 'Where',
    lockLabel: 'Protection',
    lock: { none: 'No object lock asked for', governance: 'Object lock: governance', compliance: 'Object lock: compliance — no one can delete early' },
    policy: (d, w, m) => `Kept here ${d} days, then moved · upload hours: ${w} · bandwidth cap: ${m === null ? 'none' : `${m} Mbit/s`}`,
    verified: { 'store-checksum': 'Uploads verified by the store’s SHA-256 checksums', 'read-back': 'Uploads verified by reading them back and hashing' },
    checkedAt: (at) => `Last checked ${at}`,
    detail: 'Details',
    findings: (f) =>
      [
        `bucket ${f.bucket}`,
        f.reachable === null ? '' : f.reachable ? 'reachable' : 'unreachable',
        f.writable === null || !f.reachable ? '' : f.writable ? 'writable' : 'not writable',
        f.versioning === null || f.versioning === 'unknown'
          ? ''
          : `versioning: ${{ enabled: 'on', suspended: 'suspended', off: 'off' }[f.versioning] ?? f.versioning}`,
        f.locked ? 'object lock: on' : '',
      ]
        .filter(Boolean)
        .join('; '),
  },
};
