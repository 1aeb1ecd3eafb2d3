// The plans page's words, zh-CN first.
import type { Bilingual } from '../../../../../web/i18n.ts';
import { sessionStatusWords } from '../../../../../web/session-status.ts';

export interface PlansWords {
  plans: string;
  noPlans: string;
  newPlan: string;
  planName: string;
  from: string;
  to: string;
  create: string;
  sessionsOf: (plan: string) => string;
  noSessions: string;
  newSession: string;
  room: string;
  startsAt: string;
  template: string;
  duration: string;
  durationHint: string;
  minutes: string;
  status: Record<string, string>;
  cols: { time: string; room: string; template: string; status: string; roster: string; id: string };
  open: string;
  selected: string;
  pickSession: string;
  session: string;
  rosterTitle: string;
  importTitle: string;
  importHelp: string;
  chooseFile: string;
  importButton: string;
  importing: string;
  imported: (added: number, total: number) => string;
  addTitle: string;
  addHelp: string;
  addFields: Record<
    'idNumber' | 'name' | 'category' | 'operationClass' | 'industry' | 'institution' | 'ticketNo' | 'trainedOn' | 'trainingHours' | 'photo' | 'session',
    string
  >;
  addCategory: Record<'principal' | 'safety_manager' | 'special_operation', string>;
  addButton: string;
  adding: string;
  addDone: (name: string, ticket: string, total: number) => string;
  addRefused: string;
  refusedTitle: (n: number) => string;
  problemCols: { row: string; column: string; problem: string; got: string };
  nothingImported: string;
  rosterEmpty: string;
  rosterCols: {
    photo: string;
    seat: string;
    ticket: string;
    name: string;
    id: string;
    institution: string;
    attempt: string;
    enrolment: string;
    actions: string;
  };
  retake: string;
  firstSitting: string;
  enrolment: Record<string, string>;
  warningsTitle: (n: number) => string;
  seatsTitle: string;
  drawSeats: string;
  redrawSeats: string;
  confirmRedraw: string;
  seatsDrawn: (n: number) => string;
  seatedOf: (seated: number, total: number) => string;
  /** Why the seat and paper buttons are greyed once check-in has begun (status: the session's). */
  closedAfter: (status: string) => string;
  seatsClosedReseatOk: (status: string) => string;
  noPapersYet: string;
  move: string;
  moveTo: string;
  /** The move form when every seat of the room is taken (an empty list would say nothing). */
  noFreeSeat: (room: string) => string;
  reason: string;
  save: string;
  cancel: string;
  moved: (name: string, seat: string) => string;
  print: string;
  seatListPdf: string;
  ticketsPdf: string;
  ticketsNeedSeats: string;
  papersTitle: string;
  generate: string;
  regenerate: string;
  confirmRegenerate: string;
  drawing: string;
  queued: string;
  saving: string;
  papersDone: (n: number, version: string) => string;
  papersFailed: string;
  papersNeedRoster: string;
  cancelJob: string;
  serverSays: string;
  required: (what: string) => string;
  dateOrder: string;
  loading: string;
}

export const plansWords: Bilingual<PlansWords> = {
  zh: {
    plans: '考试计划',
    noPlans: '还没有考试计划，先在下面新建一个。',
    newPlan: '新建考试计划',
    planName: '计划名称',
    from: '开始日期',
    to: '结束日期',
    create: '创建',
    sessionsOf: (p) => `“${p}”的场次`,
    noSessions: '这个计划还没有场次。',
    newSession: '新建场次',
    room: '考场',
    startsAt: '开考时间',
    template: '组卷模板',
    duration: '时长',
    durationHint: '空着则用模板的时长',
    minutes: '分钟',
    status: { ...sessionStatusWords.zh, active: '进行中', closed: '已结束' } as Record<string, string>,
    cols: { time: '时间', room: '考场', template: '模板', status: '状态', roster: '人数', id: '场次编号' },
    open: '打开',
    selected: '当前',
    pickSession: '选择一个场次，管理名单、座位、准考证和试卷。',
    session: '场次',
    rosterTitle: '考生名单',
    importTitle: '导入名单',
    importHelp:
      '选择名单文件（.xlsx / .csv），或把名单文件和照片打成一个 .zip 上传：照片按“照片”列的文件名，或以身份证号命名（如 110101199001011234.jpg）。Windows 压缩的中文文件名可以识别。全部正确才导入，有错误时一条也不导入。',
    chooseFile: '名单文件或 zip',
    importButton: '导入',
    importing: '正在导入…',
    imported: (a, t) => `已导入 ${a} 人，名单共 ${t} 人。`,
    addTitle: '添加一名考生',
    addHelp: '与名单文件中的一行按同样的规则检查（身份证号、人员类别、补考与有效期、培训学时、照片、考场座位数）。准考证号留空则自动生成。',
    addFields: {
      idNumber: '身份证号',
      name: '姓名',
      category: '人员类别',
      operationClass: '作业类别',
      industry: '行业',
      institution: '培训机构',
      ticketNo: '准考证号',
      trainedOn: '培训结业日期',
      trainingHours: '培训学时',
      photo: '照片（JPEG/PNG）',
      session: '本场次',
    },
    addCategory: { principal: '主要负责人', safety_manager: '安全生产管理人员', special_operation: '特种作业人员' },
    addButton: '添加考生',
    adding: '正在添加…',
    addDone: (n, t, total) => `已添加 ${n}（准考证号 ${t}），名单共 ${total} 人。`,
    addRefused: '未添加，请改正：',
    refusedTitle: (n) => `名单有 ${n} 处错误，未导入任何一行。请改正后重新导入：`,
    problemCols: { row: '行', column: '列', problem: '问题', got: '内容' },
    nothingImported: '未导入任何一行。',
    rosterEmpty: '名单为空。',
    rosterCols: {
      photo: '照片',
      seat: '座位',
      ticket: '准考证号',
      name: '姓名',
      id: '身份证号',
      institution: '培训机构',
      attempt: '次数',
      enrolment: '人脸登记',
      actions: '操作',
    },
    retake: '补考',
    firstSitting: '初考',
    enrolment: {
      ok: '可用',
      refused: '不可用',
      pending: '登记中',
      no_photo: '无照片',
      erased: '特征值已删除（本人要求）',
      deleted: '特征值已删除（保存期限已到）',
      unknown: '未知',
    },
    warningsTitle: (n) => `${n} 人的照片需要处理（人脸登记未通过或有提醒）`,
    seatsTitle: '座位',
    drawSeats: '随机排座',
    redrawSeats: '重新随机排座',
    confirmRedraw: '重新排座会改变所有考生的座位，已打印的座位表和准考证将作废。确定重新排座？',
    seatsDrawn: (n) => `已为 ${n} 人排座。`,
    seatedOf: (n, t) => `已排座 ${n}/${t} 人`,
    closedAfter: (st) =>
      st === 'checkin' ? '检录已开始，试卷和座位不能再修改' : st === 'in_progress' ? '考试已开始，试卷和座位不能再修改' : '本场次已结束，试卷和座位不能再修改',
    seatsClosedReseatOk: (st) => `${st === 'checkin' ? '检录已开始' : '考试已开始'}，不能重新排座；个别考生仍可“调座”`,
    noPapersYet: '还没有生成试卷',
    move: '调座',
    moveTo: '调到座位',
    noFreeSeat: (room) => `${room}已没有空座位：请先把另一名考生调开，或在配置中为本考场增加座位`,
    reason: '原因',
    save: '保存',
    cancel: '取消',
    moved: (n, s) => `${n} 已调到 ${s} 号座。`,
    print: '打印',
    seatListPdf: '座位表（PDF）',
    ticketsPdf: '准考证（PDF）',
    ticketsNeedSeats: '排座后才能打印准考证',
    papersTitle: '试卷（千人千卷）',
    generate: '生成试卷',
    regenerate: '重新生成试卷',
    confirmRegenerate: '重新生成会替换本场次的全部试卷（检录开始前才允许）。确定？',
    drawing: '正在组卷',
    queued: '排队等待（服务器正在做另一项长任务）',
    saving: '正在保存',
    papersDone: (n, v) => `已生成 ${n} 份试卷（题库版本 ${v}）。`,
    papersFailed: '生成试卷失败：',
    papersNeedRoster: '先导入名单',
    cancelJob: '取消',
    serverSays: '服务器说明',
    required: (w) => `请填写${w}`,
    dateOrder: '结束日期不能早于开始日期',
    loading: '加载中…',
  },
  en: {
    plans: 'Exam plans',
    noPlans: 'No exam plan yet; create one below.',
    newPlan: 'New exam plan',
    planName: 'Plan name',
    from: 'From',
    to: 'To',
    create: 'Create',
    sessionsOf: (p) => `Sessions of “${p}”`,
    noSessions: 'This plan has no session yet.',
    newSession: 'New session',
    room: 'Room',
    startsAt: 'Starts at',
    template: 'Template',
    duration: 'Duration',
    durationHint: "empty: the template's",
    minutes: 'min',
    status: { ...sessionStatusWords.en, active: 'active', closed: 'closed' } as Record<string, string>,
    cols: { time: 'Time', room: 'Room', template: 'Template', status: 'Status', roster: 'Roster', id: 'Session id' },
    open: 'Open',
    selected: 'open',
    pickSession: 'Pick a session to manage its roster, seats, admission tickets and papers.',
    session: 'Session',
    rosterTitle: 'Roster',
    importTitle: 'Import the roster',
    importHelp:
      'Pick the roster file (.xlsx / .csv), or one .zip with the roster file and the photos: named as the 照片 column says, or by ID number (110101199001011234.jpg). Chinese names zipped on Windows are read. All rows or none: one bad row imports nothing.',
    chooseFile: 'Roster file or zip',
    importButton: 'Import',
    importing: 'Importing…',
    imported: (a, t) => `${a} imported; ${t} on the roster.`,
    addTitle: 'Add one candidate',
    addHelp:
      'Checked by the same rules as a row of a roster file (ID number, category, retakes and validity, training hours, photo, the room’s seats). Leave the ticket number empty to have one issued.',
    addFields: {
      idNumber: 'ID number',
      name: 'Name',
      category: 'Category',
      operationClass: 'Operation class',
      industry: 'Industry',
      institution: 'Training institution',
      ticketNo: 'Ticket number',
      trainedOn: 'Training completed on',
      trainingHours: 'Training hours',
      photo: 'Photo (JPEG/PNG)',
      session: 'This session',
    },
    addCategory: { principal: 'Principal', safety_manager: 'Safety manager', special_operation: 'Special operations' },
    addButton: 'Add candidate',
    adding: 'Adding…',
    addDone: (n, t, total) => `${n} added (ticket ${t}); ${total} on the roster.`,
    addRefused: 'Not added; please correct:',
    refusedTitle: (n) => `${n} problem${n === 1 ? '' : 's'} in the roster; no row was imported. Fix them and import again:`,
    problemCols: { row: 'Row', column: 'Column', problem: 'Problem', got: 'Found' },
    nothingImported: 'No row was imported.',
    rosterEmpty: 'The roster is empty.',
    rosterCols: {
      photo: 'Photo',
      seat: 'Seat',
      ticket: 'Ticket',
      name: 'Name',
      id: 'ID number',
      institution: 'Training institution',
      attempt: 'Sitting',
      enrolment: 'Face enrolment',
      actions: '',
    },
    retake: 'retake',
    firstSitting: 'first',
    enrolment: {
      ok: 'usable',
      refused: 'refused',
      pending: 'pending',
      no_photo: 'no photo',
      erased: "face template deleted (the person's request)",
      deleted: 'face template deleted (retention period over)',
      unknown: 'unknown',
    },
    warningsTitle: (n) => `${n} photo${n === 1 ? '' : 's'} to look at (face enrolment refused or warned)`,
    seatsTitle: 'Seats',
    drawSeats: 'Draw seats',
    redrawSeats: 'Draw seats again',
    confirmRedraw: 'Drawing again changes every seat; printed seat lists and tickets become wrong. Draw again?',
    seatsDrawn: (n) => `${n} seated.`,
    seatedOf: (n, t) => `${n} of ${t} seated`,
    closedAfter: (st) =>
      st === 'checkin'
        ? 'Check-in has begun: papers and seats can no longer change'
        : st === 'in_progress'
          ? 'The exam has begun: papers and seats can no longer change'
          : 'This session is over: papers and seats can no longer change',
    seatsClosedReseatOk: (st) => `${st === 'checkin' ? 'Check-in has begun' : 'The exam has begun'}: no new draw; one candidate can still be moved`,
    noPapersYet: 'No papers generated yet',
    move: 'Move',
    moveTo: 'Move to seat',
    noFreeSeat: (room) => `${room} has no free seat: move another candidate away first, or add seats to the room in the config`,
    reason: 'Reason',
    save: 'Save',
    cancel: 'Cancel',
    moved: (n, s) => `${n} moved to seat ${s}.`,
    print: 'Print',
    seatListPdf: 'Seat list (PDF)',
    ticketsPdf: 'Admission tickets (PDF)',
    ticketsNeedSeats: 'Draw the seats before printing tickets',
    papersTitle: 'Papers (one per candidate)',
    generate: 'Generate papers',
    regenerate: 'Generate papers again',
    confirmRegenerate: "This replaces all of the session's papers (allowed before check-in). Go on?",
    drawing: 'Drawing papers',
    queued: 'Queued (the server is busy with another long job)',
    saving: 'Saving',
    papersDone: (n, v) => `${n} papers generated (bank version ${v}).`,
    papersFailed: 'Generating papers failed: ',
    papersNeedRoster: 'Import the roster first',
    cancelJob: 'Cancel',
    serverSays: 'The server says',
    required: (w) => `${w} is required`,
    dateOrder: 'The end date is before the start date',
    loading: 'Loading…',
  },
};
