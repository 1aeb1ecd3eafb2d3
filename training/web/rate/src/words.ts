// The rating page's words, zh-CN first (the trainee's phone), English on the toggle.
import type { Bilingual } from '../../../../web/i18n.ts';

const zh = {
  title: '教师评价',
  langToggle: 'English',
  loading: '正在读取评价码…',
  noToken: '没有评价码。请用手机扫描考勤机签退后显示的二维码；也可以直接在考勤机上评价。',
  forTeacher: (name: string, title: string | null) => `${name}${title ? `（${title}）` : ''}`,
  classLine: (cls: string, inst: string) => `${cls} · ${inst}`,
  lessons: '这位老师在本班的课程',
  trainee: (name: string) => `学员：${name}`,
  ask: '请为这位老师的授课评分（1–5 分）',
  starWords: ['很不满意', '不满意', '一般', '满意', '很满意'],
  stars: (n: number) => `${n} 分`,
  comment: '留言（可不填，最多 500 字）',
  submit: '提交评价',
  submitting: '正在提交…',
  anonymous: '评价只计入老师的考核汇总，不显示您的姓名。每位老师只能评一次。',
  thanks: (name: string) => `感谢您的评价！已记录对 ${name} 老师的评分。`,
  closeHint: '现在可以关闭此页面。',
  expiresAt: (t: string) => `评价码有效期至 ${t}`,
  states: {
    used: '此评价码已经使用过，每位老师只能评价一次。',
    expired: '此评价码已过期。',
  } as Record<string, string>,
  refusals: {
    unknown_token: '评价码无效：请重新扫描考勤机上的二维码。',
    token_used: '此评价码已经使用过，每位老师只能评价一次。',
    token_expired: '此评价码已过期。',
    already_rated: '您已经评价过这位老师（每位老师只能评一次）。',
    did_not_attend: '没有您在这位老师课上的考勤记录，不能评价。',
    invalid: '提交的内容不正确，请检查后重试。',
  } as Record<string, string>,
  network: '无法连接考点服务器：请确认手机连在考点允许的网络上，然后重试。也可以在考勤机上评价。',
  failed: (why: string) => `出错了：${why}`,
  retry: '重试',
};

export type Words = typeof zh;

const en: Words = {
  title: 'Rate your teacher',
  langToggle: '中文',
  loading: 'Reading the rating code…',
  noToken: 'No rating code. Scan the QR code the attendance kiosk shows after you sign out, or rate at the kiosk.',
  forTeacher: (name, title) => `${name}${title ? ` (${title})` : ''}`,
  classLine: (cls, inst) => `${cls} · ${inst}`,
  lessons: "This teacher's lessons in your class",
  trainee: (name) => `Trainee: ${name}`,
  ask: "Rate this teacher's teaching (1–5)",
  starWords: ['Very poor', 'Poor', 'Fair', 'Good', 'Very good'],
  stars: (n) => `${n} of 5`,
  comment: 'Comment (optional, up to 500 characters)',
  submit: 'Submit',
  submitting: 'Submitting…',
  anonymous: "Ratings count in the teacher's assessment as a summary; your name is not shown. One rating per teacher.",
  thanks: (name) => `Thank you! Your rating of ${name} is recorded.`,
  closeHint: 'You may close this page.',
  expiresAt: (t) => `The code is valid until ${t}`,
  states: {
    used: 'This rating code has been used: one rating per teacher.',
    expired: 'This rating code has expired.',
  },
  refusals: {
    unknown_token: 'This rating code is not valid: scan the QR code at the kiosk again.',
    token_used: 'This rating code has been used: one rating per teacher.',
    token_expired: 'This rating code has expired.',
    already_rated: 'You have already rated this teacher (once per teacher).',
    did_not_attend: "There is no attendance of yours in this teacher's lessons.",
    invalid: 'Something in the rating is not right; check it and try again.',
  },
  network: 'Cannot reach the site server: make sure the phone is on the network the site allows, then retry. You can also rate at the kiosk.',
  failed: (why) => `Something went wrong: ${why}`,
  retry: 'Retry',
};

export const WORDS: Bilingual<Words> = { zh, en };
