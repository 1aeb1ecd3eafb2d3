// The face-recognition notice (告知书) the kiosk shows before any capture, and the line it shows while idle.
// 人脸识别技术应用安全管理办法 asks that the person be told beforehand who processes their face, for what,
// what is kept, for how long, who sees it, their rights and whom to ask, and that the notice be prominent.
// The site may write its own text (config faceNotice.text); otherwise the built-in one is filled in with
// the site's controller, contact and retention. A consent records the version label and the SHA-256 of
// the exact text shown, so a later change of wording can never be read back into an old consent.
import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import type { FaceNotice, NoticeLang } from '../protocol.ts';

export const NOTICE_LANGS = ['zh', 'en'] as const satisfies readonly NoticeLang[];

function defaultNotice(config: Config, lang: NoticeLang): string {
  const n = config.faceNotice;
  const years = Math.floor(config.retention.days / 365);
  if (lang === 'zh') {
    const contact = n.contact ?? '入口处的考点工作人员或考点办公室';
    return [
      '人脸识别告知书',
      `处理者：${n.controller}（本考点）。`,
      '用途：仅用于考试入场和培训签到时核验是否本人（人证合一），以及考试期间在座位上复核是否本人。不用于其他目的。',
      '处理的信息：现场拍摄的人脸照片、由照片计算出的人脸特征值，以及与报名照片、身份证照片的比对结果。',
      `保存期限：人脸特征值在本场考试评卷完成（培训班结业）后按规定期限删除；现场照片作为考试证据，与考场录像一同保存 ${config.retention.days} 天（不少于 ${years} 年），期满删除。`,
      '谁能看到：本考点的监考员和管理人员，以及依法查阅的主管部门。人脸信息保存在本考点的设备中，加密存储，不通过互联网传送。',
      '您的权利：您可以拒绝人脸识别。拒绝不影响您参加考试或培训，工作人员将人工核对您的身份证与本人。您有权查阅、复制、更正、删除您的个人信息，并可随时撤回同意。',
      `咨询与投诉：${contact}。`,
      '另：考场内设有录音录像监控，这不是人脸识别；录像按考试规定保存。',
    ].join('\n');
  }
  const contact = n.contact ?? 'the staff at the entrance or the exam centre office';
  return [
    'Notice on face recognition',
    `Who processes: ${n.controller} (this exam centre).`,
    'What for: only to check that you are the person on the roster when you enter an exam or sign in to training (ID against person), and again at your seat during the exam. For nothing else.',
    'What is processed: the photo of your face taken here, the face features computed from it, and the result of comparing it with your roster and ID-card photos.',
    `How long: the face features are deleted a set time after the exam is graded (or the class ends); the photo taken here is exam evidence and is kept with the room recordings for ${config.retention.days} days (at least ${years} years), then deleted.`,
    "Who sees it: the invigilators and administrators of this centre, and the authorities that may inspect exams by law. Your face data stays on this centre's equipment, encrypted, and is not sent over the internet.",
    'Your rights: you may decline face recognition. Declining does not stop you from taking the exam or the training: staff will check your ID card against you in person. You may see, copy, correct and have deleted your personal information, and withdraw your consent at any time.',
    `Questions and complaints: ${contact}.`,
    'Also: the exam rooms are recorded on camera with sound; that is not face recognition, and the recordings are kept as the exam rules require.',
  ].join('\n');
}

const IDLE: Record<NoticeLang, string> = {
  zh: '本入口使用人脸识别核验身份。拍照前会向您说明并征得您的同意；您也可以拒绝，由工作人员人工核对身份证。考场内有录音录像。',
  en: 'This entrance checks identity by face recognition. You are told how and asked before any photo is taken; you may decline and have staff check your ID card instead. Exam rooms are recorded with sound.',
};

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The notice in force in one language: its version label, its exact text (first line the title) and that text's SHA-256. */
export function faceNotice(config: Config, lang: NoticeLang): FaceNotice {
  const text = (config.faceNotice.text[lang] ?? defaultNotice(config, lang)).replace(/\r\n?/g, '\n').trim();
  return { version: config.faceNotice.version, lang, text, sha256: sha256(text) };
}

export function faceNotices(config: Config): Record<NoticeLang, FaceNotice> {
  return { zh: faceNotice(config, 'zh'), en: faceNotice(config, 'en') };
}

/** The prominent line of the idle screen. */
export function idleNotice(config: Config): Record<NoticeLang, string> {
  return { zh: config.faceNotice.idle.zh ?? IDLE.zh, en: config.faceNotice.idle.en ?? IDLE.en };
}
