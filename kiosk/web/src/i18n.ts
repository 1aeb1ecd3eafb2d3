// The kiosk's words: Simplified Chinese first (candidates and staff read Chinese), English on request.
// One key per phrase; a phrase that takes values is a function, so a missing value is a type error.
import type { Bilingual, Lang } from '../../../web/i18n.ts';
import type { FaceAttempts, ReaderProblem, ReaderState, RefusalFacts } from '../../protocol.ts';

/** What the staff dialog says about a refusal: built from its reason code and figures, never the engine's English. */
export interface RefusalFigures {
  reason: string;
  facts: RefusalFacts | null;
  distance: number | null;
  threshold: number;
  faceAttempts: FaceAttempts;
}
const d3 = (n: number) => n.toFixed(3);

export type { Lang };

const zh = {
  appTitle: '考点入口 · 人证核验',
  langToggle: 'English',
  langToggleLabel: 'Switch to English',
  // pairing
  pairingTitle: '核验台配对',
  pairingIntro: '本机尚未登记为入口核验台。请管理员在管理端「设备」页找到下面的配对码并批准：',
  pairingDevice: (id: string) => `核验台编号：${id}`,
  pairingNoDevice: '未指定核验台编号（由管理员在批准时指定）',
  pairingWaiting: '等待批准…',
  pairingRequesting: '正在申请配对码…',
  pairingRejected: '配对请求被拒绝。',
  pairingFailed: (why: string) => `无法申请配对：${why}`,
  pairingAgain: '重新申请配对码',
  pairingApproved: '配对成功',
  connecting: '正在连接考点服务器…',
  // idle
  idleTitle: '请刷身份证或输入证件号',
  idleSub: '将身份证放在读卡区，或由工作人员输入 18 位身份证号',
  // The page's own link to the server (its event stream), not the ID-card reader: that is readerNone/readerState.
  idleLink: (ok: boolean): string => (ok ? '已连接考点服务器' : '未连接考点服务器，正在重新连接…'),
  readerNone: '未连接身份证阅读器，请由工作人员输入证件号',
  readerState: {
    ready: '身份证阅读器就绪',
    no_reader: '身份证阅读器未连接：请工作人员检查读卡器的线缆，或手工输入证件号',
    not_authorised: '身份证阅读器未获授权，不能读卡：请工作人员联系读卡器厂商，或手工输入证件号',
    reader_fault: '身份证阅读器故障：请工作人员重启读卡器，或手工输入证件号',
  } as Record<ReaderState, string>,
  readerProblem: {
    unreadable_card: '身份证未能读取：请将身份证平放在读卡区，稍候不要移动',
    unsupported_card: '此类证件不能在本机读取：请工作人员手工输入证件号码',
  } as Record<ReaderProblem, string>,
  readerNoPhoto: '（工作人员：未配置身份证照片解码，仅与报名照片比对）',
  idField: '身份证号',
  idCount: (n: number) => `${n} / 18 位`,
  idInvalid: '身份证号校验不通过，请核对后重新输入',
  keyClear: '清空',
  keyBack: '退格',
  keyBackLabel: '删除一位',
  keyOk: '确认',
  looking: '查询中…',
  sessionCount: (admitted: number, total: number) => `已入场 ${admitted}/${total}`,
  // the face-recognition notice (the site's text comes from the server; these are the words around it)
  privacyTitle: '人脸识别告知：',
  idlePrivacy: '本入口使用人脸识别核验身份。拍照前会向您说明并征得您的同意；您也可以拒绝，由工作人员人工核对身份证。考场内有录音录像。',
  consentAsk: '请阅读左侧告知书，选择是否同意人脸识别。',
  consentAccept: '同意，开始人脸核验',
  consentDecline: '不同意，由工作人员人工核验',
  consentFree: '不同意不影响您参加考试或培训。',
  consentPrevious: '您此前选择了不同意，现在可以重新选择。',
  consentSaving: '正在记录您的选择…',
  noticeVersion: (v: string, sha: string) => `告知书版本 ${v} · SHA-256 ${sha}…`,
  declinedTitle: '您选择了不使用人脸识别',
  declinedLead: '请把身份证交给工作人员。工作人员核对身份证与本人后为您办理入场，不影响您参加考试。',
  declinedStaffTitle: '人工核验（考生不同意人脸识别）',
  declinedStaffLead: '考生不同意人脸识别。请核对身份证原件与本人是否一致，一致后放行。系统记录理由为“拒绝人脸识别”，并记入审计日志。',
  declinedStaffDetail: '考生在告知书上选择了“不同意”，本次未拍摄、未比对人脸。',
  declinedPresets: ['已核对身份证原件，本人与证件相符'],
  // The reason presets are recorded in Chinese in every UI language; the English UI shows what they say.
  presetGloss: {} as Record<string, string>,
  withdraw: '不同意人脸识别',
  // roster
  rosterSession: '考试场次',
  rosterRoom: '考场',
  rosterIdNumber: '身份证号',
  rosterTicket: '准考证号',
  rosterStartsAt: (t: string) => `开考 ${t}`,
  rosterNoPhoto: '名单无照片',
  refusedTitle: '无法进场',
  alreadyAdmittedTitle: '您已完成检录',
  returnIn: (s: number) => `${s} 秒后返回`,
  backNow: '返回',
  // capture
  captureTitle: '人脸核验',
  captureLead: '请正对摄像头，把脸放进椭圆框内',
  cameraStarting: '正在打开摄像头…',
  cameraDenied: '无法使用摄像头（未获许可）。请工作人员检查浏览器设置。',
  cameraMissing: '未找到摄像头或摄像头已断开。请工作人员检查连接。',
  cameraNotSecure: '本页面不是安全连接（HTTPS），浏览器不允许使用摄像头。请工作人员按页面上方的说明处理。',
  hints: {
    ok: '很好，请保持',
    no_face: '未检测到人脸，请站到摄像头前',
    several_faces: '画面中有多张人脸，请其他人离开镜头',
    too_small: '请靠近一些',
    too_close: '请稍微后退',
    off_center: '请把脸移到椭圆框中间',
    turned: '请正对摄像头',
    too_dark: '光线太暗，请面向光源',
    blurred: '画面模糊，请保持不动',
  } as Record<string, string>,
  challenges: {
    turn_left: '请向左转头',
    turn_right: '请向右转头',
    blink: '请眨眨眼',
  } as Record<string, string>,
  challengeThen: '然后回正',
  verifying: '正在比对…',
  cancel: '取消',
  // result
  admittedTitle: '核验通过',
  admittedGo: (room: string, seat: string) => `请到 ${room} ${seat} 号座位`,
  seatLabel: '座位号',
  roomLabel: '考场',
  nextCandidate: '下一位',
  refusedVerifyTitle: '核验未通过',
  triesLeft: (n: number) => (n > 0 ? `还可重试 ${n} 次` : '已达重试次数上限，请工作人员处理'),
  retry: '重新核验',
  staff: '工作人员处理',
  // override
  overrideTitle: '工作人员人工核验放行',
  overrideLead: '请核对证件与本人后放行。此操作将记入审计日志。',
  username: '工作人员账号',
  password: '密码',
  reason: '放行理由',
  reasonHint: '例如：已核对身份证原件，本人与证件相符',
  reasonPresets: ['已核对身份证原件，本人与证件相符', '名单照片陈旧，已核对身份证原件'],
  confirmOverride: '确认放行',
  overriding: '正在提交…',
  overrideBy: (by: string) => `由工作人员 ${by} 人工核验放行（已记入审计日志）`,
  lookupRefusals: {
    bad_id_number: '身份证号格式或校验位不正确，请核对后重新输入。',
    not_on_roster: '未在本考点的考生名单中找到此证件号。',
    wrong_day: '今天不是您的考试日期。',
    wrong_site: '您的考场不在本入口核验，请到对应入口。',
    checkin_not_open: '本场考试尚未开始检录，请稍候。',
    checkin_closed: '本场考试检录已结束。',
    already_admitted: '您已通过核验并分配座位，请直接入场。',
    card_expired: '身份证已过有效期，请工作人员处理。',
    unknown_card: '未读取到有效身份证，请重新刷卡。',
  } as Record<string, string>,
  verifyRefusals: {
    face_attempts_used: '本场考试的人脸核验次数已用完，请工作人员人工核验。',
    liveness: '未检测到按提示完成的动作。请本人正对摄像头，按提示动作后重试。',
    no_face: '没有拍到清晰的人脸，请正对摄像头重试。',
    several_faces: '画面中有多张人脸，请其他人离开镜头后重试。',
    too_small: '人脸太小，请靠近摄像头重试。',
    turned_away: '请正对摄像头重试。',
    too_blurred: '画面模糊，请保持不动重试。',
    mismatch: '现场人脸与名单照片不一致。',
    card_mismatch: '现场人脸与身份证照片不一致。',
    no_reference: '名单中没有可用的照片，需工作人员人工核验。',
    admission_failed: '人脸比对通过，但未能办理入场（场次状态已变化），请工作人员处理。',
    timed_out: '未能在规定时间内拍到可用的人脸，请工作人员处理。',
    unknown: '核验未通过，请工作人员处理。',
  } as Record<string, string>,
  timedOut: (seconds: number, why: string) => `等待 ${seconds} 秒仍未拍到可用的人脸${why ? `（${why}）` : ''}。请工作人员处理，或调整后重新核验。`,
  lastHints: {
    no_face: '未检测到人脸',
    several_faces: '画面中有多张人脸',
    too_small: '人脸太小、离摄像头太远',
    too_close: '离摄像头太近',
    off_center: '人脸不在画面中间',
    turned: '没有正对摄像头',
    blurred: '画面模糊',
    too_dark: '光线太暗',
    camera_down: '摄像头没有画面',
    no_answer: '无法判断画面',
  } as Record<string, string>,
  staffDetail: '核验记录（仅供工作人员）：',
  staffInProgress: '人脸核验进行中：',
  staffRefusal(f: RefusalFigures): string {
    const x = f.facts;
    const photo: Record<string, string> = {
      unreadable: '图像无法读取',
      no_face: '没有人脸',
      several_faces: '有多张人脸',
      too_small: '人脸过小',
      too_blurred: '画面模糊',
      turned_away: '没有正对镜头',
      missing: '名单中没有照片',
    };
    const seen: Record<string, string> = {
      no_motion: '画面中的人没有动作（可能是照片或屏幕）',
      challenge_not_met: '动作方向或幅度与要求不符',
      too_few_frames: '可用画面太少',
      no_face: '部分画面中没有人脸',
      several_faces: '画面中有多张人脸',
    };
    const card = x?.cardPhotoUnused ? `；身份证照片无法使用（${photo[x.cardPhotoUnused] ?? x.cardPhotoUnused}），未比对` : '';
    const poor = x?.rosterWarnings.length ? `；名单照片质量欠佳（${x.rosterWarnings.map((w) => photo[w] ?? w).join('、')}）` : '';
    const count = f.faceAttempts.limit !== null ? `（本场已用 ${f.faceAttempts.used}/${f.faceAttempts.limit} 次人脸核验）` : '';
    const d = f.distance;
    let what: string;
    if (f.reason === 'face_attempts_used')
      return `本场考试的 ${f.faceAttempts.limit ?? ''} 次人脸核验均未通过，不再拍摄人脸。请核对身份证原件与本人后人工放行。`;
    if (f.reason === 'liveness' || (x?.liveness && (f.reason === 'no_face' || f.reason === 'several_faces')))
      what = `活体检测未通过：要求${x?.challenge ? `「${zh.challenges[x.challenge] ?? x.challenge}」` : '的动作'}，${x?.liveness ? (seen[x.liveness] ?? x.liveness) : '未看到该动作'}`;
    else if (x?.frame && photo[f.reason]) what = `第 ${x.frame} 帧画面${photo[f.reason]}，无法比对`;
    else if (f.reason === 'mismatch' && d !== null)
      what = `与名单照片的相似距离 ${d3(d)}，高于阈值 ${d3(f.threshold)}（距离越小越相似）${x?.cardDistance != null ? `；与身份证照片的距离 ${d3(x.cardDistance)}` : ''}${poor}${card}`;
    else if (f.reason === 'card_mismatch' && d !== null && x?.cardDistance != null)
      what = `与名单照片相符（距离 ${d3(d)}），但与身份证照片不符（距离 ${d3(x.cardDistance)}，阈值 ${d3(f.threshold)}）`;
    else if (f.reason === 'no_reference')
      what = x?.rosterPhoto && x.rosterPhoto !== 'missing' ? `名单照片无法使用（${photo[x.rosterPhoto]}）` : '名单中没有该考生的照片';
    else if (f.reason === 'timed_out')
      what = `等待 ${x?.waitedSeconds ?? '?'} 秒未拍到可用的人脸，最后看到：${zh.lastHints[x?.lastHint ?? 'no_answer'] ?? x?.lastHint ?? ''}`;
    else if (f.reason === 'admission_failed') what = '人脸比对通过，但考试系统未能登记入场（场次状态已变化）';
    else what = zh.verifyRefusals[f.reason] ?? zh.verifyRefusals.unknown!;
    return `${what}${count}`;
  },
  overrideErrors: {
    403: '账号或密码不正确，或该账号无权处理本考场。',
    423: '该账号因多次密码错误已被锁定，请稍后再试或换用其他账号。',
    409: '该考生的核验已经处理过了。',
  } as Record<number, string>,
  // errors
  networkLost: '网络连接中断，正在重试。本次核验的数据已保留，恢复后自动继续。',
  retryNow: '立即重试',
  errorTitle: '出错了',
  errorLead: '核验没有完成，请工作人员处理。',
  serverError: (why: string) => `服务器拒绝了请求：${why}`,
};

export type Strings = typeof zh;

const en: Strings = {
  appTitle: 'Entrance · identity check',
  langToggle: '中文',
  langToggleLabel: '切换到中文',
  pairingTitle: 'Pair this kiosk',
  pairingIntro: 'This PC is not registered as an entrance kiosk yet. Ask an administrator to approve this code on the Devices page of the admin console:',
  pairingDevice: (id: string) => `Kiosk: ${id}`,
  pairingNoDevice: 'No kiosk id given (the administrator assigns one when approving)',
  pairingWaiting: 'Waiting for approval…',
  pairingRequesting: 'Requesting a pairing code…',
  pairingRejected: 'The pairing request was rejected.',
  pairingFailed: (why: string) => `Cannot request pairing: ${why}`,
  pairingAgain: 'Request a new code',
  pairingApproved: 'Paired',
  connecting: 'Connecting to the site server…',
  idleTitle: 'Swipe your ID card or enter the ID number',
  idleSub: 'Place the ID card on the reader, or staff type the 18-character ID number',
  idleLink: (ok: boolean) => (ok ? 'Connected to the server' : 'Not connected to the server: reconnecting…'),
  readerNone: 'No ID-card reader: staff type the ID number',
  readerState: {
    ready: 'ID-card reader ready',
    no_reader: 'ID-card reader not connected: staff, check its cable, or type the number',
    not_authorised: 'The ID-card reader is not authorised to read cards: staff, call its vendor, or type the number',
    reader_fault: 'The ID-card reader has failed: staff, restart it, or type the number',
  } as Record<ReaderState, string>,
  readerProblem: {
    unreadable_card: 'The card could not be read: lay it flat on the reader and hold still',
    unsupported_card: 'This kind of card cannot be read here: staff, type the number',
  } as Record<ReaderProblem, string>,
  readerNoPhoto: '(Staff: no card-photo decoder is set up; the face is compared with the roster photo only)',
  idField: 'ID number',
  idCount: (n: number) => `${n} / 18`,
  idInvalid: 'This ID number fails its check digit; please check it',
  keyClear: 'Clear',
  keyBack: 'Back',
  keyBackLabel: 'Delete one character',
  keyOk: 'OK',
  looking: 'Looking up…',
  sessionCount: (admitted: number, total: number) => `in ${admitted}/${total}`,
  privacyTitle: 'Face recognition:',
  idlePrivacy:
    'This entrance checks identity by face recognition. You are told how and asked before any photo is taken; you may decline and have staff check your ID card instead. Exam rooms are recorded with sound.',
  consentAsk: 'Please read the notice on the left and choose whether you agree to face recognition.',
  consentAccept: 'I agree: start the face check',
  consentDecline: 'I decline: staff check my ID card',
  consentFree: 'Declining does not stop you from taking the exam or the training.',
  consentPrevious: 'You declined before; you may choose again.',
  consentSaving: 'Recording your choice…',
  noticeVersion: (v: string, sha: string) => `Notice version ${v} · SHA-256 ${sha}…`,
  declinedTitle: 'You chose not to use face recognition',
  declinedLead: 'Please hand your ID card to a member of staff. They check it against you in person and admit you; your exam is not affected.',
  declinedStaffTitle: 'Check by eye (face recognition declined)',
  declinedStaffLead:
    'The candidate declined face recognition. Compare the original ID card with the person; admit if they match. The reason is recorded as "declined face recognition", in the audit log.',
  declinedStaffDetail: 'The candidate chose "decline" on the notice: no face was taken or compared.',
  declinedPresets: ['已核对身份证原件，本人与证件相符'],
  presetGloss: {
    '已核对身份证原件，本人与证件相符': 'ID card checked in person: it matches the candidate',
    '名单照片陈旧，已核对身份证原件': 'Roster photo out of date; ID card checked in person',
  } as Record<string, string>,
  withdraw: 'Decline face recognition',
  rosterSession: 'Session',
  rosterRoom: 'Room',
  rosterIdNumber: 'ID number',
  rosterTicket: 'Ticket',
  rosterStartsAt: (t: string) => `Starts ${t}`,
  rosterNoPhoto: 'No roster photo',
  refusedTitle: 'Cannot enter',
  alreadyAdmittedTitle: 'You are already checked in',
  returnIn: (s: number) => `Back in ${s} s`,
  backNow: 'Back',
  captureTitle: 'Face check',
  captureLead: 'Face the camera and keep your face inside the oval',
  cameraStarting: 'Opening the camera…',
  cameraDenied: 'The camera may not be used (permission refused). Staff: check the browser settings.',
  cameraMissing: 'No camera found or it was unplugged. Staff: check the connection.',
  cameraNotSecure: 'This page is not secure (HTTPS), so the browser gives it no camera. Staff: follow the notice at the top of the page.',
  hints: {
    ok: 'Good, hold it there',
    no_face: 'No face found: stand in front of the camera',
    several_faces: 'Several faces in view: others please step aside',
    too_small: 'Come a little closer',
    too_close: 'Step back a little',
    off_center: 'Move your face to the middle of the oval',
    turned: 'Face the camera',
    too_dark: 'Too dark: face the light',
    blurred: 'Blurred: hold still',
  },
  challenges: {
    turn_left: 'Turn your head to the left',
    turn_right: 'Turn your head to the right',
    blink: 'Blink your eyes',
  },
  challengeThen: 'then face the camera again',
  verifying: 'Comparing…',
  cancel: 'Cancel',
  admittedTitle: 'Verified',
  admittedGo: (room: string, seat: string) => `Please go to ${room}, seat ${seat}`,
  seatLabel: 'Seat',
  roomLabel: 'Room',
  nextCandidate: 'Next',
  refusedVerifyTitle: 'Not verified',
  triesLeft: (n: number) => (n > 0 ? `${n} more ${n === 1 ? 'try' : 'tries'}` : 'No tries left: staff must decide'),
  retry: 'Try again',
  staff: 'Staff decision',
  overrideTitle: 'Staff override',
  overrideLead: 'Check the ID card against the person before admitting. This is recorded in the audit log.',
  username: 'Staff user name',
  password: 'Password',
  reason: 'Reason',
  reasonHint: 'e.g. ID card checked in person, matches the candidate',
  reasonPresets: ['已核对身份证原件，本人与证件相符', '名单照片陈旧，已核对身份证原件'],
  confirmOverride: 'Admit',
  overriding: 'Submitting…',
  overrideBy: (by: string) => `Admitted by staff member ${by} (recorded in the audit log)`,
  lookupRefusals: {
    bad_id_number: 'This ID number is malformed or fails its check digit.',
    not_on_roster: 'This ID number is on no roster of this site.',
    wrong_day: 'Your exam is not today.',
    wrong_site: 'Your exam room is checked in at another entrance.',
    checkin_not_open: 'Check-in for this session has not opened yet; please wait.',
    checkin_closed: 'Check-in for this session is closed.',
    already_admitted: 'You have already been admitted and seated: please go in.',
    card_expired: 'This ID card has expired; staff must decide.',
    unknown_card: 'The card was not read; please swipe again.',
  },
  verifyRefusals: {
    face_attempts_used: 'Every face check of this session has been used: staff will check you in person.',
    liveness: 'The requested movement was not seen. Face the camera yourself and turn or blink as asked, then try again.',
    no_face: 'No clear face was captured; face the camera and try again.',
    several_faces: 'Several faces in view; others please step aside and try again.',
    too_small: 'The face is too small; come closer and try again.',
    turned_away: 'Face the camera and try again.',
    too_blurred: 'The picture was blurred; hold still and try again.',
    mismatch: 'The face does not match the roster photo.',
    card_mismatch: 'The face does not match the ID card photo.',
    no_reference: 'There is no usable roster photo: staff must check in person.',
    admission_failed: 'The face matched, but admission failed (the session changed); staff must decide.',
    timed_out: 'No usable face was captured in time; staff will help.',
    unknown: 'Not verified; staff will help.',
  },
  timedOut: (seconds: number, why: string) => `No usable face was captured in ${seconds} s${why ? ` (${why})` : ''}. Staff will help, or adjust and try again.`,
  lastHints: {
    no_face: 'no face found',
    several_faces: 'several faces in view',
    too_small: 'the face too small, too far from the camera',
    too_close: 'too close to the camera',
    off_center: 'the face not in the middle',
    turned: 'not facing the camera',
    blurred: 'the picture blurred',
    too_dark: 'too dark',
    camera_down: 'no picture from the camera',
    no_answer: 'the picture could not be judged',
  },
  staffDetail: 'Check record (staff only):',
  staffInProgress: 'Face check in progress:',
  staffRefusal(f: RefusalFigures): string {
    const x = f.facts;
    const photo: Record<string, string> = {
      unreadable: 'unreadable',
      no_face: 'shows no face',
      several_faces: 'shows several faces',
      too_small: 'the face too small',
      too_blurred: 'blurred',
      turned_away: 'not facing the camera',
      missing: 'no photo on the roster',
    };
    const seen: Record<string, string> = {
      no_motion: 'the person in the picture did not move (a photo or a screen?)',
      challenge_not_met: 'the movement was in the wrong direction or too small',
      too_few_frames: 'too few usable pictures',
      no_face: 'no face in some pictures',
      several_faces: 'several faces in the pictures',
    };
    const card = x?.cardPhotoUnused ? `; the ID card photo could not be used (${photo[x.cardPhotoUnused] ?? x.cardPhotoUnused}) and was not compared` : '';
    const poor = x?.rosterWarnings.length ? `; the roster photo is poor (${x.rosterWarnings.map((w) => photo[w] ?? w).join(', ')})` : '';
    const count = f.faceAttempts.limit !== null ? ` (${f.faceAttempts.used} of ${f.faceAttempts.limit} face checks of this session used)` : '';
    const d = f.distance;
    let what: string;
    if (f.reason === 'face_attempts_used')
      return `All ${f.faceAttempts.limit ?? ''} face checks of this session were refused; no more faces are taken. Check the ID card against the person and admit by hand.`;
    if (f.reason === 'liveness' || (x?.liveness && (f.reason === 'no_face' || f.reason === 'several_faces')))
      what = `Liveness not passed: asked to ${x?.challenge ? `"${en.challenges[x.challenge] ?? x.challenge}"` : 'move'}, ${x?.liveness ? (seen[x.liveness] ?? x.liveness) : 'the movement was not seen'}`;
    else if (x?.frame && photo[f.reason]) what = `Picture ${x.frame}: ${photo[f.reason]}, nothing to compare`;
    else if (f.reason === 'mismatch' && d !== null)
      what = `Distance to the roster photo ${d3(d)}, above the threshold ${d3(f.threshold)} (smaller is more alike)${x?.cardDistance != null ? `; to the ID card photo ${d3(x.cardDistance)}` : ''}${poor}${card}`;
    else if (f.reason === 'card_mismatch' && d !== null && x?.cardDistance != null)
      what = `Matches the roster photo (${d3(d)}) but not the ID card photo (${d3(x.cardDistance)}, threshold ${d3(f.threshold)})`;
    else if (f.reason === 'no_reference')
      what =
        x?.rosterPhoto && x.rosterPhoto !== 'missing'
          ? `The roster photo cannot be used (${photo[x.rosterPhoto]})`
          : 'No photo of this candidate on the roster';
    else if (f.reason === 'timed_out')
      what = `No usable face in ${x?.waitedSeconds ?? '?'} s; last seen: ${en.lastHints[x?.lastHint ?? 'no_answer'] ?? x?.lastHint ?? ''}`;
    else if (f.reason === 'admission_failed') what = 'The face matched, but the exam system could not record the admission (the session changed)';
    else what = en.verifyRefusals[f.reason] ?? en.verifyRefusals.unknown!;
    return `${what}${count}`;
  },
  overrideErrors: {
    403: 'Wrong user name or password, or this account may not decide for this room.',
    423: 'This account is locked after repeated wrong passwords; try later or use another account.',
    409: 'This candidate has already been decided.',
  },
  networkLost: 'Network connection lost; retrying. Nothing of this check is lost: it continues once the server answers.',
  retryNow: 'Retry now',
  errorTitle: 'Something went wrong',
  errorLead: 'The check could not be completed; staff will help.',
  serverError: (why: string) => `The server refused: ${why}`,
};

export const STRINGS: Bilingual<Strings> = { zh, en };

/** 440106198503120016 → 440106********0016: enough for staff to match the card, not enough to copy. */
export function maskId(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id;
}
