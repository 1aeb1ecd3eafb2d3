// The devices page's words, zh-CN first.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { LeftReason } from './api.ts';
import type * as protocol from '../../../../../terminal/protocol.ts';

export interface DevicesWords {
  pendingTitle: string;
  live: string;
  reconnecting: string;
  noPending: string;
  noPendingHint: string;
  code: string;
  kind: string;
  kinds: Record<'kiosk' | 'terminal' | 'reader', string>;
  /** A kiosk's ID-card reader (its bridge's report, docs/kiosk-api.md "Card reader"). */
  reader: {
    title: string;
    states: Record<string, string>;
    offline: string;
    lastCard: (at: string) => string;
    noCard: string;
    noDecoder: string;
  };
  asked: string;
  askedNone: string;
  address: string;
  browser: string;
  waiting: string;
  approveAs: string;
  approve: string;
  reject: string;
  pickId: string;
  replaces: string;
  noFreeId: string;
  /** Why 批准 is greyed: the id the PC asked for is held by a PC that is online now. */
  heldOnline: (id: string) => string;
  /** Why 批准 is greyed: no id picked yet. */
  pickFirst: string;
  /** The health of a device not connected now: its last report, not its state. */
  lastReport: (time: string) => string;
  approved: (code: string, id: string) => string;
  rejected: (code: string) => string;
  bulkTitle: string;
  bulkRoom: string;
  bulkPreview: string;
  bulkWillApprove: (n: number, room: string) => string;
  bulkWillLeave: (n: number) => string;
  bulkNothing: (room: string) => string;
  bulkConfirm: (n: number) => string;
  bulkDone: (n: number, room: string) => string;
  bulkLeftTitle: string;
  seat: string;
  reason: string;
  reasons: Record<LeftReason, string>;
  cancel: string;
  close: string;
  devicesTitle: string;
  filterAll: string;
  filterKiosks: string;
  id: string;
  roomSeat: string;
  state: string;
  online: string;
  offline: string;
  /** A paired PC at a seat nobody of the room's current session sits at. */
  spare: string;
  spareIdle: string;
  unpaired: string;
  revoked: string;
  /** The token went unused for security.deviceTokens.unusedDays: pair the PC again. */
  expired: string;
  notConfigured: string;
  lastSeen: string;
  health: string;
  never: string;
  noReport: string;
  secure: string;
  notSecure: string;
  camera: Record<protocol.CameraState, string>;
  screen: Record<protocol.ScreenCaptureState, string>;
  skew: (s: string) => string;
  build: string;
  /** The exam-PC checks of the report (docs/exam-pcs.md): display, whole-monitor capture, build. */
  fullscreen: string;
  notFullscreen: string;
  notWholeScreen: string;
  oldApp: string;
  readyPc: string;
  revoke: string;
  revokeTitle: (id: string) => string;
  revokeText: string;
  revokedToast: (id: string) => string;
  caTitle: string;
  caWhat: string;
  caWindows: string;
  caLinux: string;
  caFingerprint: string;
  caNone: string;
  caPlain: string;
  caGuide: string;
  ago: (s: string) => string;
}

export const words: Bilingual<DevicesWords> = {
  zh: {
    pendingTitle: '待批准的配对请求',
    live: '实时',
    reconnecting: '正在重新连接…',
    noPending: '没有待批准的配对请求。',
    noPendingHint: '在考试机上打开 https://服务器地址/terminal/?device=编号，屏幕上显示的配对码会出现在这里。',
    code: '配对码',
    kind: '类型',
    kinds: { kiosk: '核验台', terminal: '考试机', reader: '身份证阅读器' },
    reader: {
      title: '身份证阅读器',
      states: { ready: '就绪', no_reader: '未连接读卡器', not_authorised: '未获授权', reader_fault: '故障', unknown: '未报告' },
      offline: '读卡程序未连接',
      lastCard: (at: string) => `最近读卡 ${at}`,
      noCard: '尚未读卡',
      noDecoder: '未配置照片解码',
    },
    asked: '申请的编号',
    askedNone: '（未指定）',
    address: '地址',
    browser: '浏览器',
    waiting: '已等待',
    approveAs: '批准为',
    approve: '批准',
    reject: '拒绝',
    pickId: '选择编号…',
    replaces: '已配对，将替换',
    noFreeId: '配置中的编号都已配对且在线；要替换其中一台，请先在下方设备列表中吊销它',
    heldOnline: (id) => `${id} 已配对且正在线上：先确认是哪台电脑，若此电脑替换它，再从列表中手动选择`,
    pickFirst: '选择编号后才能批准',
    lastReport: (time) => `上次报告 ${time}`,
    approved: (code, id) => `配对码 ${code} 已批准为 ${id}`,
    rejected: (code) => `配对码 ${code} 已拒绝`,
    bulkTitle: '按考场批量批准',
    bulkRoom: '考场',
    bulkPreview: '查看并批准…',
    bulkWillApprove: (n, room) => `将把 ${n} 个请求批准为 ${room} 的考试机：`,
    bulkWillLeave: (n) => `${n} 个请求留待人工处理：`,
    bulkNothing: (room) => `没有可以自动批准为 ${room} 考试机的请求。`,
    bulkConfirm: (n) => `批准 ${n} 台`,
    bulkDone: (n, room) => `已批准 ${room} 的 ${n} 台考试机`,
    bulkLeftTitle: '留待人工处理',
    seat: '座位',
    reason: '原因',
    reasons: {
      no_device_id: '未指定编号：请在下方逐个选择编号批准',
      unknown_id: '配置中没有这个编号',
      other_room: '属于其他考场',
      duplicate: '编号重复或已配对：请核对是哪台电脑后单独批准',
      kiosk: '核验台不属于考场：请单独批准',
    },
    cancel: '取消',
    close: '关闭',
    devicesTitle: '设备',
    filterAll: '全部',
    filterKiosks: '核验台',
    id: '编号',
    roomSeat: '考场 · 座位',
    state: '状态',
    online: '在线',
    offline: '离线',
    spare: '备用机（本场无考生）',
    spareIdle: '备用机，空闲（本场无考生）',
    unpaired: '未配对',
    revoked: '已吊销',
    expired: '令牌已过期，需重新配对',
    notConfigured: '（不在配置中）',
    lastSeen: '最后在线',
    health: '设备状况',
    never: '从未',
    noReport: '尚未上报',
    secure: '安全连接',
    notSecure: '非安全连接',
    camera: {
      available: '摄像头正常',
      missing: '未接摄像头',
      denied: '摄像头权限被拒绝',
      'not-secure': '非安全连接，无法用摄像头',
      unsupported: '浏览器不支持摄像头',
      error: '摄像头故障',
      'not-needed': '无需摄像头',
    },
    screen: { capturing: '正在录屏', available: '可录屏', unavailable: '无法录屏', 'not-needed': '无需录屏' },
    skew: (s) => `时钟偏差 ${s}`,
    build: '版本',
    fullscreen: '全屏（考试模式）',
    notFullscreen: '未全屏',
    notWholeScreen: '录制的不是整个屏幕',
    oldApp: '程序版本与服务器不符',
    readyPc: '考试机就绪',
    revoke: '吊销',
    revokeTitle: (id) => `吊销 ${id}？`,
    revokeText: '该设备的连接会立即断开，它须重新申请配对并经批准后才能再用。此操作不能撤销。',
    revokedToast: (id) => `${id} 已吊销`,
    caTitle: '站点根证书',
    caWhat:
      '每台考试机和核验台都要先信任本站根证书（安装到“受信任的根证书颁发机构”），浏览器才会允许摄像头和录屏。下载后核对指纹，再按 docs/exam-pcs.md 第 1 步安装。',
    caWindows: 'Windows（.cer）',
    caLinux: 'Debian/Linux（.crt）',
    caFingerprint: 'SHA-256 指纹',
    caNone: '本站使用自己的证书（server.tls），没有站点根证书可下载。',
    caPlain: '本服务未启用 HTTPS（演示模式），没有站点根证书。',
    caGuide: '安装步骤',
    ago: (s) => `${s}前`,
  },
  en: {
    pendingTitle: 'Pending pairing requests',
    live: 'live',
    reconnecting: 'reconnecting…',
    noPending: 'No pairing request is waiting.',
    noPendingHint: 'Open https://SERVER/terminal/?device=ID on an exam PC: the code on its screen appears here.',
    code: 'Code',
    kind: 'Kind',
    kinds: { kiosk: 'Kiosk', terminal: 'Terminal', reader: 'ID-card reader' },
    reader: {
      title: 'ID-card reader',
      states: { ready: 'ready', no_reader: 'no reader plugged in', not_authorised: 'not authorised', reader_fault: 'fault', unknown: 'not reported' },
      offline: 'bridge not connected',
      lastCard: (at: string) => `last card ${at}`,
      noCard: 'no card read yet',
      noDecoder: 'no photo decoder',
    },
    asked: 'Asked to be',
    askedNone: '(none)',
    address: 'Address',
    browser: 'Browser',
    waiting: 'Waiting',
    approveAs: 'Approve as',
    approve: 'Approve',
    reject: 'Reject',
    pickId: 'Pick an id…',
    replaces: 'paired, would replace',
    noFreeId: 'every configured id is paired and online; to replace one, revoke it in the device list below first',
    heldOnline: (id) => `${id} is paired and online now: check which PC this is, and pick it by hand only if this PC replaces it`,
    pickFirst: 'pick an id to approve',
    lastReport: (time) => `last report ${time}`,
    approved: (code, id) => `Code ${code} approved as ${id}`,
    rejected: (code) => `Code ${code} rejected`,
    bulkTitle: 'Approve a room',
    bulkRoom: 'Room',
    bulkPreview: 'Review and approve…',
    bulkWillApprove: (n, room) => `${n} request(s) will be approved as terminals of ${room}:`,
    bulkWillLeave: (n) => `${n} request(s) are left for you:`,
    bulkNothing: (room) => `No request can be approved automatically as a terminal of ${room}.`,
    bulkConfirm: (n) => `Approve ${n}`,
    bulkDone: (n, room) => `${n} terminal(s) of ${room} approved`,
    bulkLeftTitle: 'Left for you',
    seat: 'Seat',
    reason: 'Why',
    reasons: {
      no_device_id: 'names no id: pick one below and approve it singly',
      unknown_id: 'no such id in the config',
      other_room: 'belongs to another room',
      duplicate: 'id claimed twice or already paired: check which PC it is and approve it singly',
      kiosk: 'a kiosk belongs to no room: approve it singly',
    },
    cancel: 'Cancel',
    close: 'Close',
    devicesTitle: 'Devices',
    filterAll: 'All',
    filterKiosks: 'Kiosks',
    id: 'Id',
    roomSeat: 'Room · seat',
    state: 'State',
    online: 'online',
    offline: 'offline',
    spare: 'spare (no candidate this session)',
    spareIdle: 'spare, idle (no candidate this session)',
    unpaired: 'not paired',
    revoked: 'revoked',
    expired: 'token expired: pair again',
    notConfigured: '(not in the config)',
    lastSeen: 'Last seen',
    health: 'Health',
    never: 'never',
    noReport: 'no report yet',
    secure: 'secure context',
    notSecure: 'NOT a secure context',
    camera: {
      available: 'camera ok',
      missing: 'no camera plugged in',
      denied: 'camera permission denied',
      'not-secure': 'no camera: not a secure context',
      unsupported: 'browser has no camera API',
      error: 'camera error',
      'not-needed': 'no camera needed',
    },
    screen: { capturing: 'capturing screen', available: 'screen capture ok', unavailable: 'no screen capture', 'not-needed': 'no screen capture needed' },
    skew: (s) => `clock skew ${s}`,
    build: 'build',
    fullscreen: 'full screen (kiosk)',
    notFullscreen: 'not full screen',
    notWholeScreen: 'not recording the whole screen',
    oldApp: "app is not the server's build",
    readyPc: 'exam PC ready',
    revoke: 'Revoke',
    revokeTitle: (id) => `Revoke ${id}?`,
    revokeText: 'Its connections close at once; it must request pairing again and be approved before it works. This cannot be undone.',
    revokedToast: (id) => `${id} revoked`,
    caTitle: 'Site CA certificate',
    caWhat:
      'Every exam PC and kiosk must trust the site CA (install it in the Trusted Root store) before its browser allows the camera and screen capture. Download it, compare the fingerprint, then follow step 1 of docs/exam-pcs.md.',
    caWindows: 'Windows (.cer)',
    caLinux: 'Debian/Linux (.crt)',
    caFingerprint: 'SHA-256 fingerprint',
    caNone: 'This site uses its own certificate (server.tls): there is no site CA to download.',
    caPlain: 'This server runs without HTTPS (demo): there is no site CA.',
    caGuide: 'How to install',
    ago: (s) => `${s} ago`,
  },
};
