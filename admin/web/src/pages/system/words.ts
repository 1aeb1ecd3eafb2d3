// The System page's words, Chinese first. Sentences that carry figures are functions of them.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { AuditFindingView, AuditVerdictView } from '../../../../../server/protocol.ts';

export const SECTIONS = ['health', 'disk', 'recording', 'upstream', 'privacy', 'backup', 'audit', 'config'] as const;
export type SectionId = (typeof SECTIONS)[number];

export interface SystemWords {
  sections: Record<SectionId, string>;
  loading: string;
  refresh: string;
  // health
  overall: Record<'ok' | 'degraded' | 'failing', string>;
  version: string;
  started: (at: string, span: string) => string;
  serverTime: string;
  clockSkew: (secs: number) => string;
  clockSame: string;
  database: string;
  databaseOk: (v: number | undefined, size: string) => string;
  databaseBad: string;
  dataDisk: string;
  diskLine: (free: string, total: string, line: string) => string;
  diskLow: string;
  ffmpeg: string;
  ffmpegMissing: string;
  recorder: string;
  recorderOk: string;
  sourcesDown: (ids: string) => string;
  h265WithoutSub: (ids: string) => string;
  certificates: string;
  plainHttp: string;
  certLine: (name: string, until: string, days: number) => string;
  certSoon: string;
  caReplaced: (since: string, n: number) => string;
  // disk
  diskFree: (free: string, total: string) => string;
  diskAlarm: (line: string) => string;
  diskBlocked: string;
  forecastOk: (days: number) => string;
  forecastShort: string;
  perDay: string;
  examDay: (bytes: string, days: number) => string;
  noExamDay: string;
  retention: (days: number, need: string, usable: string) => string;
  untilFull: (days: number, date: string) => string;
  neverFull: string;
  forecastOkHot: (days: number) => string;
  forecastShortHot: (days: number) => string;
  perDayHot: (days: number) => string;
  retentionHot: (days: number, need: string, usable: string) => string;
  neverFullHot: (days: number) => string;
  fits: string;
  measuring: (minutes: number) => string;
  days: (n: number) => string;
  shortBy: (bytes: string) => string;
  source: string;
  bytesPerDay: string;
  share: string;
  explain: string[];
  whatToDo: string;
  doShort: string[];
  /** With an object store: what the store holds over the retention period (days, bytes, per day). */
  storeNeed: (days: number, bytes: string, perDay: string) => string;
  /** With an object store the local disk keeps hotDays only: the levers are this disk, hotDays and the store. */
  doShortHot: (hotDays: number) => string[];
  // recording
  room: string;
  kind: Record<'camera' | 'screen', string>;
  state: string;
  up: string;
  down: string;
  recording: string;
  yes: string;
  notRecording: string;
  whyDown: string;
  whyBlocked: string;
  whyOutside: string;
  lastSegment: string;
  none: string;
  restarts: string;
  noSources: string;
  redactedNote: string;
  // upstream
  target: string;
  level: Record<string, string>;
  pushState: Record<string, string>;
  sent: string;
  lastError: string;
  noUpstream: string;
  // audit
  action: string;
  actionHint: string;
  actor: string;
  auditTarget: string;
  from: string;
  to: string;
  filter: string;
  clear: string;
  time: string;
  detail: string;
  older: string;
  noEntries: string;
  verify: string;
  verifying: string;
  verifiedOk: (n: number) => string;
  verifiedBad: (seq: number | undefined, problem: string) => string;
  /** The chain links up but an anchor disagrees (a rewrite made with the audit key). */
  anchorsBad: (n: number) => string;
  /** How many anchors were compared, the latest, and the one last sent upstream. */
  anchorsLine: (v: AuditVerdictView) => string;
  /** One finding of the anchor check, in words. */
  finding: (f: AuditFindingView) => string;
  badTime: string;
  // config
  configFile: (file: string) => string;
  configInline: string;
  maskedNote: (n: number) => string;
  maskedBadge: string;
  configRead: string;
}

export const systemWords: Bilingual<SystemWords> = {
  zh: {
    sections: {
      health: '运行状况',
      disk: '磁盘预测',
      recording: '录像状态',
      upstream: '上级平台',
      privacy: '人脸数据',
      backup: '数据库备份',
      audit: '审计日志',
      config: '当前配置',
    },
    loading: '正在读取…',
    refresh: '刷新',
    overall: { ok: '系统运行正常', degraded: '系统可以运行，但有需要处理的问题', failing: '系统故障：数据库不可用' },
    version: '软件版本',
    started: (at, span) => `${at} 启动，已运行 ${span}`,
    serverTime: '服务器时间',
    clockSkew: (s) => `这台电脑的时钟与服务器相差 ${s} 秒；考试一律以服务器时间为准`,
    clockSame: '这台电脑的时钟与服务器一致',
    database: '数据库',
    databaseOk: (v, size) => `正常（结构版本 ${v ?? '—'}，大小 ${size}）`,
    databaseBad: '无法读写',
    dataDisk: '数据磁盘',
    diskLine: (free, total, line) => `剩余 ${free} / 共 ${total}（告警线 ${line}）`,
    diskLow: '空间不足，低于告警线 — 请尽快扩容',
    ffmpeg: '录像组件 ffmpeg',
    ffmpegMissing: '未安装：摄像头无法录像',
    recorder: '摄像头与录像',
    recorderOk: '所有视频源在线',
    sourcesDown: (ids) => `离线：${ids}（见「录像状态」）`,
    h265WithoutSub: (ids) => `H.265 摄像机没有 H.264 子码流：${ids} — 多数浏览器无法直播 H.265，请在摄像机上把子码流设为 H.264 并在配置中填写 subUrl`,
    certificates: 'HTTPS 证书',
    plainHttp: '未启用 HTTPS（明文 HTTP）：考试机的摄像头和屏幕采集需要 HTTPS',
    certLine: (name, until, days) => `${name}：有效期至 ${until}（还剩 ${days} 天）`,
    certSoon: '证书将在 7 天内到期',
    caReplaced: (since, n) => `${since} 更换了考点根证书，还有 ${n} 台设备尚未重新信任（需下载 /ca.crt 安装）`,
    diskFree: (free, total) => `录像磁盘剩余 ${free}，共 ${total}`,
    diskAlarm: (line) => `低于告警线 ${line}：录像照常进行，请尽快扩容`,
    diskBlocked: '已低于最低保留空间：新的录像已停止（实时画面照常）',
    forecastOk: (d) => `按当前排考，磁盘能存下 ${d} 天（法规保留期）的录像`,
    forecastShort: '按当前排考，磁盘存不下保留期内的全部录像',
    perDay: '保留期内平均每个日历日（含不考试的日子）',
    examDay: (b, d) => `有考试的日子每天约 ${b}（已排 ${d} 天有考试）`,
    noExamDay: '目前没有已排的考试',
    retention: (d, need, usable) => `保留期 ${d} 天内还需 ${need}，现有可用空间 ${usable}（已扣除告警线）`,
    untilFull: (d, date) => `约 ${d} 天后（${date}）写满`,
    neverFull: '保留期内不会写满',
    forecastOkHot: (d) => `按当前排考，本机磁盘能存下最近 ${d} 天（hotDays）的录像；更早的录像在对象存储`,
    forecastShortHot: (d) => `按当前排考，本机磁盘存不下最近 ${d} 天（hotDays）的录像`,
    perDayHot: (d) => `未来 ${d} 天（hotDays）内平均每个日历日（含不考试的日子）`,
    retentionHot: (d, need, usable) => `本机磁盘只需存放最近 ${d} 天（hotDays，更早的移至对象存储）：需 ${need}，现有可用空间 ${usable}（已扣除告警线）`,
    neverFullHot: (d) => `本机只保留 ${d} 天，不会写满（对象存储须可用）`,
    fits: '够用',
    measuring: (m) => `正在测量码率：已录像 ${m} 分钟，第一个录像段写完后（几分钟内）给出预测`,
    days: () => '天',
    shortBy: (b) => `还差 ${b}。`,
    source: '视频源',
    bytesPerDay: '每天',
    share: '占比',
    explain: [
      '预测怎么算：每个视频源按它最近 90 天的实际码率计算；「仅考试时录像」的视频源在已排考试（检录前 30 分钟到结束后 30 分钟）内录像，排考以后按最近 90 天平均每天的录像时长推算；「全天录像」的视频源按全天计算。',
      '保留期内需要的总量减去已存的录像，必须放得下「剩余空间减去告警线」。写满日期不计算到期删除的旧录像，所以只会偏早，不会偏晚。',
    ],
    whatToDo: '空间不够怎么办',
    storeNeed: (d, b, p) =>
      `对象存储在保留期 ${d} 天内约需 ${b}（平均每天 ${p}，按当前排考和码率估算）：录像在本机存放 hotDays 后转存，一直保存到保留期满。请确认对象存储的容量（或配额）够用。`,
    doShortHot: (d) => [
      '给本机录像磁盘扩容，或挂载一块更大的磁盘作为录像目录（paths.data 下的 media）。',
      `缩短本机保留天数（objectStore.hotDays，现为 ${d} 天），录像更早转存到对象存储；保留期（retention.days）不变，也不需要缩短。`,
      '确认对象存储可以连接：存储不可用时，待上传的录像会留在本机磁盘上，占用的空间逐日增加（见下方「对象存储分层」）。',
      '把不需要全天录像的摄像头改为「仅考试时录像」（cameras[].record: sessions）。',
      '对象存储的空间不够时请向存储管理员申请扩容；任何时候都不会为了腾空间而删除保留期内的录像。',
    ],
    doShort: [
      '给录像磁盘扩容，或挂载一块更大的磁盘作为录像目录（paths.data 下的 media）。',
      '把不需要全天录像的摄像头改为「仅考试时录像」（cameras[].record: sessions）。',
      '保留期（retention.days）已是法规要求的 1096 天时不能再缩短；超过 1096 天的可以缩短到 1096 天。',
      '任何时候都不会为了腾空间而删除保留期内的录像。',
    ],
    room: '考场',
    kind: { camera: '摄像头', screen: '考试机屏幕' },
    state: '状态',
    up: '在线',
    down: '离线',
    recording: '录像',
    yes: '正在录像',
    notRecording: '未录像',
    whyDown: '视频源离线',
    whyBlocked: '磁盘空间低于最低保留线',
    whyOutside: '不在考试录像时段内（仅考试时录像）',
    lastSegment: '最近一段录像',
    none: '无',
    restarts: '重启次数',
    noSources: '没有配置摄像头，也没有在线的考试机屏幕',
    redactedNote: '原因中的摄像头密码已隐藏',
    target: '平台',
    level: { province: '省级', city: '市级' },
    pushState: { starting: '正在连接', pushing: '推流中', retrying: '重试中', stopped: '已停止' },
    sent: '已发送',
    lastError: '最近错误',
    noUpstream: '未配置上级平台推流（配置文件 upstream:）',
    action: '操作',
    actionHint: '如 user.login；以点结尾表示一类，如 exam.',
    actor: '操作人',
    auditTarget: '对象',
    from: '起始时间',
    to: '截止时间',
    filter: '筛选',
    clear: '清除',
    time: '时间',
    detail: '详情',
    older: '更早的记录',
    noEntries: '没有符合条件的记录',
    verify: '校验审计日志',
    verifying: '正在校验…',
    verifiedOk: (n) => `审计日志完整：已逐条核对 ${n} 条记录，哈希链没有断裂，没有记录被修改或删除。`,
    verifiedBad: (seq, p) =>
      `审计日志被破坏：第 ${seq ?? '?'} 条${/altered/.test(p) ? '记录内容被修改' : /missing/.test(p) ? '前后有记录被删除' : /out of order/.test(p) ? '记录顺序错乱' : '与前一条记录的哈希不相连'}。请保留现场并报告上级。`,
    anchorsBad: (n) => `审计日志被改写：哈希链本身相连，但有 ${n} 处与签名锚点不符（有人用密钥重算过）。请保留现场并报告上级。`,
    anchorsLine: (v) => {
      const latest = v.anchors.latest;
      // Entries after the newest anchor are only in the database until the next anchor is written.
      const after = latest ? v.checked - latest.seq : 0;
      return `${v.keyed ? `自第 ${v.keyed.from} 条起以审计密钥签名。` : ''}${v.anchors.present ? `已与 ${v.anchors.count} 个签名锚点核对（锚点是保存在数据库之外、带本站签名的日志快照，有人改写数据库中的日志也能发现）${latest ? `，最新的锚点覆盖到第 ${latest.seq} 条` : ''}。${after > 0 ? `其后的 ${after} 条记录将由下一个锚点覆盖（每 500 条或每小时、以及服务启停时写一个）。` : ''}` : ''}${v.lastSent ? `上次报送上级的锚点覆盖到第 ${v.lastSent.seq} 条。` : ''}`;
    },
    finding: (f) => {
      const a = f.sent ? `上次报送给上级平台的锚点${f.anchor !== undefined ? `（第 ${f.anchor} 号）` : ''}` : `第 ${f.anchor ?? '?'} 号锚点`;
      switch (f.kind) {
        case 'no_key':
          return `无法核对：从第 ${f.seq ?? '?'} 条起的记录用审计密钥签过，本次校验拿不到该密钥，只核对了顺序和链接，未核对内容。`;
        case 'anchor_file_missing':
          return f.tamper ? '锚点文件不见了：服务每次启动都会写锚点，文件被删除或数据目录恢复时漏掉了它。' : '还没有锚点文件，服务下次启动时写第一个。';
        case 'anchor_damaged':
          return `锚点文件第 ${f.line ?? '?'} 行被改动或损坏（签名对不上）。`;
        case 'anchor_gap':
          return `锚点文件缺了锚点${f.expected !== undefined && f.found !== undefined ? `（第 ${f.expected}–${f.found - 1} 号）` : ''}，或有一行被替换。`;
        case 'anchor_entry_missing':
          return `${a}记录的第 ${f.seq ?? '?'} 条日志已不在数据库中（被删除）。`;
        case 'anchor_hash_differs':
          return `第 ${f.seq ?? '?'} 条日志的哈希与${a}签名时不同：日志在该条或之前被改写。`;
        case 'anchor_count_differs':
          return `${a}记录到第 ${f.seq ?? '?'} 条时共 ${f.expected ?? '?'} 条，现在是 ${f.found ?? '?'} 条：之前有记录被增删。`;
        case 'anchor_keyed_differs':
          return `${a}记录的密钥切换点与数据库不符（切换记录被改动）。`;
        case 'mark_lowered':
          return `题库包版本高水位 ${f.name ?? ''} 在数据库中为 ${f.found || '无'}，但第 ${f.anchor ?? '?'} 号锚点记录的是 ${f.expected ?? '?'}（被回退）。`;
        case 'sent_not_in_file':
          return `第 ${f.anchor ?? '?'} 号锚点已报送给上级平台，但本地锚点文件里没有它（文件被截断或替换）。`;
        case 'sent_damaged':
          return `上次报送的锚点签名对不上。`;
        default:
          return f.problem;
      }
    },
    badTime: '时间格式不对',
    configFile: (f) => `配置文件：${f}`,
    configInline: '配置来自测试或命令行，没有文件',
    maskedNote: (n) => `为安全起见，${n} 处密码、密钥和地址中的凭据已隐藏（显示为 ***）。`,
    maskedBadge: '已隐藏',
    configRead: '每次查看配置都会记入审计日志。',
  },
  en: {
    sections: {
      health: 'Health',
      disk: 'Disk forecast',
      recording: 'Recording',
      upstream: 'Upstream',
      privacy: 'Face data',
      backup: 'Backups',
      audit: 'Audit log',
      config: 'Config in force',
    },
    loading: 'Loading…',
    refresh: 'Refresh',
    overall: { ok: 'Everything is working', degraded: 'Working, but something needs attention', failing: 'Failing: the database cannot be used' },
    version: 'Software version',
    started: (at, span) => `started ${at}, up for ${span}`,
    serverTime: 'Server time',
    clockSkew: (s) => `this PC's clock is ${s} s off the server's; exams always go by the server's time`,
    clockSame: "this PC's clock agrees with the server's",
    database: 'Database',
    databaseOk: (v, size) => `fine (schema version ${v ?? '—'}, ${size})`,
    databaseBad: 'cannot be read or written',
    dataDisk: 'Data disk',
    diskLine: (free, total, line) => `${free} free of ${total} (alarm line ${line})`,
    diskLow: 'below the alarm line — add disk space soon',
    ffmpeg: 'ffmpeg (recording)',
    ffmpegMissing: 'not installed: cameras cannot record',
    recorder: 'Cameras and recording',
    recorderOk: 'every source is up',
    sourcesDown: (ids) => `down: ${ids} (see Recording)`,
    h265WithoutSub: (ids) =>
      `H.265 cameras without an H.264 sub-stream: ${ids} — most browsers cannot play H.265 live; set the camera's sub-stream to H.264 and give it as subUrl in the config`,
    certificates: 'HTTPS certificates',
    plainHttp: 'HTTPS is off (plain HTTP): exam PCs need HTTPS for their camera and screen capture',
    certLine: (name, until, days) => `${name}: valid until ${until} (${days} days left)`,
    certSoon: 'a certificate expires within 7 days',
    caReplaced: (since, n) => `the site CA was replaced on ${since}; ${n} device(s) must still trust it (install /ca.crt)`,
    diskFree: (free, total) => `Recording disk: ${free} free of ${total}`,
    diskAlarm: (line) => `below the ${line} alarm line: recording goes on — add disk space soon`,
    diskBlocked: 'below the last-resort floor: new recordings stopped (live view goes on)',
    forecastOk: (d) => `At the current exam plan the disk holds the ${d} days of recordings the regulation asks for`,
    forecastShort: 'At the current exam plan the disk cannot hold the retention period of recordings',
    perDay: 'Per calendar day over the retention period (days without exams included)',
    examDay: (b, d) => `about ${b} on a day with exams (${d} exam days planned)`,
    noExamDay: 'no exam planned yet',
    retention: (d, need, usable) => `${need} still needed over the ${d}-day retention period; ${usable} usable (above the alarm line)`,
    untilFull: (d, date) => `full in about ${d} day${d === 1 ? '' : 's'} (${date})`,
    neverFull: 'does not fill up within the retention period',
    forecastOkHot: (d) => `At the current exam plan the local disk holds the last ${d} days (hotDays); older recordings are in the object store`,
    forecastShortHot: (d) => `At the current exam plan the local disk cannot hold the last ${d} days (hotDays) of recordings`,
    perDayHot: (d) => `Per calendar day over the next ${d} days (hotDays; days without exams included)`,
    retentionHot: (d, need, usable) =>
      `The local disk holds only the last ${d} days (hotDays; older ones move to the object store): ${need} needed; ${usable} usable (above the alarm line)`,
    neverFullHot: (d) => `keeps only ${d} days locally: does not fill up (while the object store is reachable)`,
    fits: 'Fits',
    measuring: (m) =>
      `Measuring the bit rate: ${m} minute${m === 1 ? '' : 's'} recorded; the forecast follows once the first segment is written (within minutes)`,
    days: (n) => (n === 1 ? 'day' : 'days'),
    shortBy: (b) => `${b} short.`,
    source: 'Source',
    bytesPerDay: 'Per day',
    share: 'Share',
    explain: [
      "How it is worked out: each source at its actual bit rate of the last 90 days; a 'sessions' source records inside the planned exams (30 min before check-in to 30 min after the end), and after the plan at its average recorded hours per day of the last 90 days; an 'always' source around the clock.",
      'What the retention period needs, minus what is already stored, must fit in the free space above the alarm line. The date it fills up ignores old recordings expiring meanwhile, so it errs early, never late.',
    ],
    whatToDo: 'When it does not fit',
    storeNeed: (d, b, p) =>
      `The object store needs about ${b} over the ${d}-day retention period (${p} a day on average, at the current exam plan and rates): recordings move there after hotDays and stay until retention ends. Check the store's capacity (or quota) covers it.`,
    doShortHot: (d) => [
      'Add space to the local recording disk, or mount a larger disk as the recordings folder (media under paths.data).',
      `Keep fewer days here (objectStore.hotDays, now ${d}) so recordings move to the object store sooner; retention (retention.days) stays as it is and need not be shortened.`,
      'Check the object store is reachable: while it is not, recordings waiting to move stay on this disk and take more space each day (see the object-store tier block below).',
      'Record cameras that need not run all day only during exams (cameras[].record: sessions).',
      'When the object store runs short, ask its administrator for more; nothing inside retention is ever deleted to make room.',
    ],
    doShort: [
      'Add disk space, or mount a bigger disk as the recordings folder (media under paths.data).',
      'Record cameras that need not run around the clock only during exams (cameras[].record: sessions).',
      'Retention (retention.days) cannot go below the 1096 days the regulation requires; above that it may be shortened to 1096.',
      'Nothing inside the retention period is ever deleted to make room.',
    ],
    room: 'Room',
    kind: { camera: 'camera', screen: 'terminal screen' },
    state: 'State',
    up: 'up',
    down: 'down',
    recording: 'Recording',
    yes: 'recording',
    notRecording: 'not recording',
    whyDown: 'the source is down',
    whyBlocked: 'the disk is below its last-resort floor',
    whyOutside: 'outside exam recording windows (records during sessions only)',
    lastSegment: 'Last segment',
    none: 'none',
    restarts: 'Restarts',
    noSources: 'No cameras are configured and no terminal screen is connected',
    redactedNote: 'camera passwords in the reason are hidden',
    target: 'Platform',
    level: { province: 'province', city: 'city' },
    pushState: { starting: 'connecting', pushing: 'pushing', retrying: 'retrying', stopped: 'stopped' },
    sent: 'Sent',
    lastError: 'Last error',
    noUpstream: 'No upstream push is configured (upstream: in the config file)',
    action: 'Action',
    actionHint: 'e.g. user.login; end with a dot for a family, e.g. exam.',
    actor: 'Actor',
    auditTarget: 'Target',
    from: 'From',
    to: 'To',
    filter: 'Filter',
    clear: 'Clear',
    time: 'Time',
    detail: 'Detail',
    older: 'Older entries',
    noEntries: 'No entries match',
    verify: 'Verify the audit log',
    verifying: 'Verifying…',
    verifiedOk: (n) => `The audit log is intact: all ${n} entries checked, the hash chain is unbroken, nothing was altered or removed.`,
    verifiedBad: (seq, p) => `The audit log is broken at entry ${seq ?? '?'}: ${p}. Keep the machine as it is and report it.`,
    anchorsBad: (n) =>
      `The audit log was rewritten: its hash chain links up, but ${n} finding${n === 1 ? '' : 's'} disagree with the signed anchors (someone re-hashed it with the key). Keep the machine as it is and report it.`,
    anchorsLine: (v) => {
      const latest = v.anchors.latest;
      const after = latest ? v.checked - latest.seq : 0;
      return `${v.keyed ? `Keyed with the audit key from entry ${v.keyed.from}. ` : ''}${v.anchors.present ? `Checked against ${v.anchors.count} signed anchor${v.anchors.count === 1 ? '' : 's'} (signed snapshots of the log kept outside the database, so a rewrite inside it shows)${latest ? `; the latest covers entries up to ${latest.seq}` : ''}. ${after > 0 ? `The ${after} entries after it are covered by the next anchor (one every 500 entries or hour, and at each start and stop). ` : ''}` : ''}${v.lastSent ? `The anchor last sent upstream covers entries up to ${v.lastSent.seq}.` : ''}`.trim();
    },
    finding: (f) => `${f.tamper ? '' : 'Not checked: '}${f.problem}`,
    badTime: 'not a valid time',
    configFile: (f) => `Config file: ${f}`,
    configInline: 'The config came from a test or the command line, not a file',
    maskedNote: (n) => `For safety, ${n} passwords, keys and credentials in addresses are hidden (shown as ***).`,
    maskedBadge: 'hidden',
    configRead: 'Every look at the config is recorded in the audit log.',
  },
};
