// The people page's words: users (add, change, disable, unlock, reset password) and the person file.
import type { Bilingual } from '../../../../../web/i18n.ts';

/** headteacher: the 班主任 of training classes (the training page only, their own classes). */
export const ROLES = ['admin', 'invigilator', 'inspector', 'headteacher'] as const;
export type RoleName = (typeof ROLES)[number];
export const LEVELS = ['province', 'city', 'site'] as const;

/** An actor as people know it: "user:jiankao2" → "jiankao2" (the audit's prefix means nothing to them). */
export const plainUser = (actor: string) => actor.replace(/^user:/, '');

export const peopleWords: Bilingual<{
  users: string;
  username: string;
  displayName: string;
  role: string;
  roles: Record<RoleName, string>;
  rooms: string;
  jurisdiction: string;
  levels: Record<(typeof LEVELS)[number], string>;
  code: string;
  codeHint: string;
  state: string;
  actions: string;
  active: string;
  disabled: string;
  locked: (until: string) => string;
  add: string;
  addHeading: string;
  password: string;
  newPassword: string;
  passwordHint: string;
  edit: string;
  save: string;
  cancel: string;
  disable: string;
  enable: string;
  confirmDisable: (u: string) => string;
  unlock: string;
  reset: string;
  resetHeading: (u: string) => string;
  typeOne: string;
  generate: string;
  doReset: string;
  generatedOnce: (u: string) => string;
  generatedNote: string;
  done: string;
  added: (u: string) => string;
  saved: (u: string) => string;
  resetDone: (u: string) => string;
  unlocked: (u: string) => string;
  disabledNow: (u: string) => string;
  enabledNow: (u: string) => string;
  you: string;
  taken: (u: string) => string;
  statusWords: Record<string, string>;
  problems: {
    username: string;
    password: string;
    rooms: string;
    jurisdiction: string;
    code: string;
  };
  loadFailed: (why: string) => string;
  // person file
  personFile: string;
  idNumber: string;
  idHint: string;
  lookUp: string;
  idProblem: string;
  pdf: string;
  exams: string;
  noExams: string;
  session: string;
  date: string;
  template: string;
  attempt: (n: number) => string;
  rosterStatus: string;
  result: string;
  passed: string;
  failed: string;
  notGraded: string;
  validUntil: string;
  certificates: string;
  noCertificates: string;
  number: string;
  status: string;
  checks: string;
  noChecks: string;
  decision: string;
  incidents: string;
  noIncidents: string;
  faceTitle: string;
  faceDeclined: string;
  faceAccepted: string;
  seatCheck: (seat: string | null, reason: 'login' | 'alert', by: string | null, notThePerson?: boolean) => string;
  /** An identity check's codes (kiosk/protocol.ts VERIFY_REFUSALS, kiosk/store.ts Decision) in words. */
  checkAction: Record<string, string>;
  checkDecision: Record<string, string>;
  checkReason: Record<string, string>;
  training: (hours: number) => string;
  validPasses: (n: number) => string;
}> = {
  zh: {
    users: '用户',
    username: '用户名',
    displayName: '姓名',
    role: '角色',
    roles: { admin: '管理员', invigilator: '监考员', inspector: '巡查员', headteacher: '班主任' },
    rooms: '考场',
    jurisdiction: '辖区',
    levels: { province: '省', city: '市', site: '本考点' },
    code: '区划代码',
    codeHint: '省、市为六位行政区划代码；本考点填考点编号',
    state: '状态',
    actions: '操作',
    active: '正常',
    disabled: '已停用',
    locked: (u) => `已锁定至 ${u}`,
    add: '添加用户',
    addHeading: '添加用户',
    password: '初始密码',
    newPassword: '新密码',
    passwordHint: '至少 10 位，须含字母和数字',
    edit: '修改',
    save: '保存',
    cancel: '取消',
    disable: '停用',
    enable: '启用',
    confirmDisable: (u) => `确认停用 ${u}？其登录会话将立即失效。`,
    unlock: '解锁',
    reset: '重置密码',
    resetHeading: (u) => `重置 ${u} 的密码`,
    typeOne: '输入新密码',
    generate: '自动生成密码',
    doReset: '确认重置',
    generatedOnce: (u) => `${u} 的新密码：`,
    generatedNote: '此密码只显示这一次，请当面告知本人；关闭后无法再次查看。',
    done: '我已记下，关闭',
    added: (u) => `已添加用户 ${u}`,
    saved: (u) => `已保存 ${u} 的修改`,
    resetDone: (u) => `已重置 ${u} 的密码，其原有登录已失效`,
    unlocked: (u) => `已解锁 ${u}`,
    disabledNow: (u) => `已停用 ${u}`,
    enabledNow: (u) => `已启用 ${u}`,
    you: '（本人）',
    taken: (u) => `已有名为 ${u} 的用户，请换一个用户名`,
    statusWords: { registered: '已报名', admitted: '已入场', in_exam: '考试中', submitted: '已交卷', absent: '缺考' },
    problems: {
      username: '用户名须为 2–64 位字母、数字或 _ . @ -',
      password: '密码至少 10 位，且须含字母和数字',
      rooms: '监考员至少要绑定一个考场',
      jurisdiction: '巡查员须指定辖区',
      code: '省、市辖区须为六位行政区划代码',
    },
    loadFailed: (w) => `无法读取用户列表：${w}`,
    personFile: '一人一档',
    idNumber: '身份证号',
    idHint: '18 位身份证号',
    lookUp: '查询',
    idProblem: '身份证号须为 18 位（最后一位可为 X）',
    pdf: '下载一人一档 PDF',
    exams: '考试记录',
    noExams: '无考试记录',
    session: '场次',
    date: '日期',
    template: '试卷',
    attempt: (n) => (n > 1 ? '补考' : '初考'),
    rosterStatus: '考生状态',
    result: '成绩',
    passed: '合格',
    failed: '不合格',
    notGraded: '未评分',
    validUntil: '有效期至',
    certificates: '证书',
    noCertificates: '无证书',
    number: '编号',
    status: '状态',
    checks: '身份核验',
    noChecks: '无核验记录',
    decision: '结果',
    incidents: '违纪记录',
    noIncidents: '无违纪记录',
    faceTitle: '人脸识别同意与人工核验',
    faceDeclined: '拒绝人脸识别（人工核验）',
    faceAccepted: '同意人脸识别',
    seatCheck: (seat, reason, by, notThePerson) =>
      `${seat ?? '—'} 号座 · ${reason === 'login' ? '登录后核验' : '座位告警后复核'} · ${by ? (notThePerson ? `${plainUser(by)} 核验：非本人，已记录违纪` : `已由 ${plainUser(by)} 核验`) : '未核验'}`,
    checkAction: { exam: '考场入场核验', check_in: '培训签到', check_out: '培训签退' },
    checkDecision: { admitted: '通过', refused: '未通过', overridden: '人工核验放行', cancelled: '本人取消', expired: '未完成（已过期）', none: '进行中' },
    checkReason: {
      liveness: '活体检测未通过',
      unreadable: '照片无法识别',
      no_face: '未检测到人脸',
      several_faces: '检测到多张人脸',
      too_small: '人脸过小',
      too_blurred: '画面模糊',
      turned_away: '未正对镜头',
      mismatch: '与登记照片不符',
      card_mismatch: '与身份证照片不符',
      no_reference: '无可用的登记照片',
      admission_failed: '入场登记失败',
      timed_out: '超时',
      // Where a cancelled attempt was left (kiosk/protocol.ts CANCEL_STAGES); an expired one says it in its decision.
      notice: '在人脸识别告知页离开',
      face_guide: '在人脸拍摄引导时离开',
      declined: '拒绝人脸识别后未经人工核验离开',
      staff_needed: '等待工作人员处理时离开',
      expired: '',
    },
    training: (h) => `培训签到学时：${h}`,
    validPasses: (n) => `有效合格：${n} 项`,
  },
  en: {
    users: 'Users',
    username: 'User name',
    displayName: 'Name',
    role: 'Role',
    roles: { admin: 'admin', invigilator: 'invigilator', inspector: 'inspector', headteacher: 'head teacher (班主任)' },
    rooms: 'Rooms',
    jurisdiction: 'Jurisdiction',
    levels: { province: 'province', city: 'city', site: 'this site' },
    code: 'Division code',
    codeHint: 'six-digit division code for a province or city; the site id for this site',
    state: 'State',
    actions: 'Actions',
    active: 'active',
    disabled: 'disabled',
    locked: (u) => `locked until ${u}`,
    add: 'Add user',
    addHeading: 'Add a user',
    password: 'Initial password',
    newPassword: 'New password',
    passwordHint: 'at least 10 characters, letters and digits',
    edit: 'Change',
    save: 'Save',
    cancel: 'Cancel',
    disable: 'Disable',
    enable: 'Enable',
    confirmDisable: (u) => `Disable ${u}? Their sessions end at once.`,
    unlock: 'Unlock',
    reset: 'Reset password',
    resetHeading: (u) => `Reset the password of ${u}`,
    typeOne: 'Type a new password',
    generate: 'Generate one',
    doReset: 'Reset',
    generatedOnce: (u) => `New password of ${u}:`,
    generatedNote: 'Shown this once only: tell the person directly; it cannot be shown again.',
    done: 'Noted, close',
    added: (u) => `Added ${u}`,
    saved: (u) => `Saved the changes to ${u}`,
    resetDone: (u) => `Reset the password of ${u}; their sessions ended`,
    unlocked: (u) => `Unlocked ${u}`,
    disabledNow: (u) => `Disabled ${u}`,
    enabledNow: (u) => `Enabled ${u}`,
    you: ' (you)',
    taken: (u) => `a user named ${u} already exists; choose another name`,
    statusWords: { registered: 'registered', admitted: 'admitted', in_exam: 'in exam', submitted: 'submitted', absent: 'absent' },
    problems: {
      username: 'the user name must be 2–64 letters, digits or _ . @ -',
      password: 'the password must be at least 10 characters with letters and digits',
      rooms: 'an invigilator must be bound to at least one room',
      jurisdiction: 'an inspector needs a jurisdiction',
      code: 'a province or city jurisdiction is a six-digit division code',
    },
    loadFailed: (w) => `could not load the users: ${w}`,
    personFile: 'Person file',
    idNumber: 'ID number',
    idHint: '18-character ID number',
    lookUp: 'Look up',
    idProblem: 'an ID number has 18 characters (the last may be X)',
    pdf: 'Download the person file (PDF)',
    exams: 'Exams',
    noExams: 'no exams',
    session: 'Session',
    date: 'Date',
    template: 'Paper',
    attempt: (n) => (n > 1 ? 'retake' : 'first sitting'),
    rosterStatus: 'Candidate state',
    result: 'Result',
    passed: 'pass',
    failed: 'fail',
    notGraded: 'not graded',
    validUntil: 'Valid until',
    certificates: 'Certificates',
    noCertificates: 'no certificates',
    number: 'Number',
    status: 'Status',
    checks: 'Identity checks',
    noChecks: 'no identity checks',
    decision: 'Decision',
    incidents: 'Incidents',
    noIncidents: 'no incidents',
    faceTitle: 'Face recognition consent and checks by staff',
    faceDeclined: 'declined face recognition (checked by staff)',
    faceAccepted: 'accepted face recognition',
    seatCheck: (seat, reason, by, notThePerson) =>
      `seat ${seat ?? '—'} · ${reason === 'login' ? 'check after log-in' : 'check after an alert of the seat'} · ${by ? (notThePerson ? `not the person, found by ${plainUser(by)} (incident recorded)` : `confirmed by ${plainUser(by)}`) : 'not confirmed'}`,
    checkAction: { exam: 'exam admission', check_in: 'training sign-in', check_out: 'training sign-out' },
    checkDecision: {
      admitted: 'admitted',
      refused: 'refused',
      overridden: 'admitted by staff check',
      cancelled: 'cancelled by the person',
      expired: 'not finished (expired)',
      none: 'in progress',
    },
    checkReason: {
      liveness: 'liveness check failed',
      unreadable: 'picture unreadable',
      no_face: 'no face found',
      several_faces: 'several faces',
      too_small: 'face too small',
      too_blurred: 'picture blurred',
      turned_away: 'not facing the camera',
      mismatch: 'does not match the roster photo',
      card_mismatch: 'does not match the ID-card photo',
      no_reference: 'no usable roster photo',
      admission_failed: 'admission failed',
      timed_out: 'timed out',
      notice: 'left at the face-recognition notice',
      face_guide: 'left at the face guide',
      declined: 'declined face recognition and left before the staff check',
      staff_needed: 'left while waiting for staff',
      expired: '',
    },
    training: (h) => `training hours signed in: ${h}`,
    validPasses: (n) => `valid passes: ${n}`,
  },
};
