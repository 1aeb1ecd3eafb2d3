// The privacy section's words (face data held, retention, legal bases for sending face images), Chinese first.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { OutboundDestination } from '../../../../../records/protocol.ts';

export interface PrivacyWords {
  title: string;
  people: (n: number) => string;
  split: (local: number, archived: number) => string;
  objectStoreNone: string;
  level: Record<'ok' | 'warn' | 'filing', (warnAt: number, filingAt: number) => string>;
  retentionTitle: string;
  descriptorRule: (days: number) => string;
  evidenceRule: (days: number) => string;
  lastSweep: (at: string, descriptors: number, images: number) => string;
  noSweep: (minutes: number) => string;
  outboundTitle: string;
  outboundNote: string;
  destination: Record<OutboundDestination, string>;
  noBasis: string;
  asked: string;
  basisBy: (who: string, at: string) => string;
  basisLabel: string;
  basisHint: string;
  save: string;
  withdraw: string;
  confirmWithdraw: string;
  /** The button that really withdraws, beside the question (not a second "withdraw"). */
  withdrawConfirmed: string;
  cancel: string;
  saved: string;
  docs: string;
}

export const privacyWords: Bilingual<PrivacyWords> = {
  zh: {
    title: '人脸数据',
    people: (n) => `本站保存了 ${n.toLocaleString('zh-CN')} 人的人脸数据`,
    split: (l, a) => `本机 ${l.toLocaleString('zh-CN')} 人，已归档（一期一档）${a.toLocaleString('zh-CN')} 人，同一人只计一次`,
    objectStoreNone: '未配置对象存储',
    level: {
      ok: (w, f) => `未达预警线（${w.toLocaleString('zh-CN')} 人）。达到 ${f.toLocaleString('zh-CN')} 人时须向所在地省级网信部门备案。`,
      warn: (w, f) =>
        `已超过预警线 ${w.toLocaleString('zh-CN')} 人：达到 ${f.toLocaleString('zh-CN')} 人时须在 30 个工作日内向所在地省级网信部门备案（《人脸识别技术应用安全管理办法》），请提前准备。`,
      filing: (_w, f) => `已达到 ${f.toLocaleString('zh-CN')} 人：须向所在地省级网信部门备案。`,
    },
    retentionTitle: '按目的保存',
    descriptorRule: (d) => `人脸特征值：场次评分后或培训班结束后 ${d} 天删除`,
    evidenceRule: (d) => `人脸照片（报名照、入场抓拍、座位抽拍）：作为考试证据随录像保存 ${d} 天后删除`,
    lastSweep: (at, d, i) => `上次清理 ${at}：删除特征值 ${d} 条、照片 ${i} 张（均记入审计日志）`,
    noSweep: (m) => `服务启动后尚未清理（每 ${m} 分钟一次）`,
    outboundTitle: '人脸照片外发',
    outboundNote: '默认不外发任何人脸照片：上报只含核验结果与成绩。只有管理员写明法律依据的去向才可发送明文照片；每次设置均记入审计日志。',
    destination: { reporting: '省级考试平台成绩上报', 'archive-export': '归档文件导出（明文照片）' },
    noBasis: '未写明法律依据：不发送照片',
    asked: '配置文件要求随上报发送照片（reporting.send.photos），但未写明依据，因此不发送。',
    basisBy: (who, at) => `由 ${who.replace(/^user:/, '')} 于 ${at} 设置`,
    basisLabel: '法律依据（写明法规名称与条款）',
    basisHint: '4–500 字',
    save: '保存依据',
    withdraw: '撤销依据',
    confirmWithdraw: '确认撤销？撤销后不再发送照片',
    withdrawConfirmed: '确认撤销',
    cancel: '取消',
    saved: '已保存',
    docs: '数据清单、保存期限与站点须自行完成的事项见 docs/privacy.md。',
  },
  en: {
    title: 'Face data',
    people: (n) => `This site holds face data of ${n.toLocaleString('en')} people`,
    split: (l, a) => `${l.toLocaleString('en')} on this machine, ${a.toLocaleString('en')} in session archives; each person counted once`,
    objectStoreNone: 'no object store configured',
    level: {
      ok: (w, f) =>
        `Below the warning line (${w.toLocaleString('en')}). At ${f.toLocaleString('en')} people the site must file with the provincial cyberspace office.`,
      warn: (w, f) =>
        `Past the warning line of ${w.toLocaleString('en')}: at ${f.toLocaleString('en')} people the site must file with the provincial cyberspace office within 30 working days. Prepare now.`,
      filing: (_w, f) => `${f.toLocaleString('en')} people reached: the site must file with the provincial cyberspace office.`,
    },
    retentionTitle: 'Kept by purpose',
    descriptorRule: (d) => `Face descriptors: deleted ${d} days after the session is graded or the class ends`,
    evidenceRule: (d) => `Face images (registration photos, kiosk captures, seat snapshots): exam evidence, kept ${d} days with the recordings, then deleted`,
    lastSweep: (at, d, i) => `Last sweep ${at}: ${d} descriptors and ${i} images deleted (each in the audit log)`,
    noSweep: (m) => `No sweep since the server started (every ${m} minutes)`,
    outboundTitle: 'Face images leaving the appliance',
    outboundNote:
      'By default no face image leaves: reports carry verification outcomes and scores. Plain face images go only to a destination whose legal basis an admin has named; every setting is audited.',
    destination: { reporting: 'Results reporting to the provincial platform', 'archive-export': 'Archive export (plain face images)' },
    noBasis: 'No legal basis named: no images sent',
    asked: 'The config asks for photos with the reports (reporting.send.photos), but no basis is named, so none are sent.',
    basisBy: (who, at) => `Set by ${who.replace(/^user:/, '')} at ${at}`,
    basisLabel: 'Legal basis (name the law or rule and its article)',
    basisHint: '4–500 characters',
    save: 'Save basis',
    withdraw: 'Withdraw basis',
    confirmWithdraw: 'Withdraw? No images will be sent',
    withdrawConfirmed: 'Confirm withdrawal',
    cancel: 'Cancel',
    saved: 'Saved',
    docs: 'The data map, how long each kind is kept and what the site must do itself: docs/privacy.md.',
  },
};
