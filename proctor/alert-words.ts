// What an alert says: the invigilator's text in Chinese and English, written once when the alert is
// raised (its code and params are stored beside it). Pure words: no database, no bus.
import type { EventMap } from '../core/index.ts';
import { diskForecastWords, diskLowWords } from '../media/index.ts';
import { overrideReasonWords as overrideReason } from '../kiosk/protocol.ts';
import type { AlertKind, Severity } from './protocol.ts';

export interface Raise {
  kind: AlertKind;
  severity: Severity;
  event: keyof EventMap;
  at: number;
  roomId: string | null;
  sessionId?: string | null;
  seat?: string | null;
  terminalId?: string | null;
  sourceId?: string | null;
  idNumber?: string | null;
  params: Record<string, unknown>;
  key: string;
}

const KIOSK_REASONS: Record<string, { zh: string; en: string }> = {
  mismatch: { zh: '人脸与照片不符', en: 'face does not match the photo' },
  card_mismatch: { zh: '人脸与身份证照片不符', en: 'face does not match the ID card photo' },
  liveness: { zh: '活体检测未通过', en: 'liveness check failed' },
  no_face: { zh: '未检测到人脸', en: 'no face found' },
  several_faces: { zh: '检测到多张人脸', en: 'several faces found' },
  // Every face refusal of kiosk/protocol.ts VERIFY_REFUSALS has words: a code is never the Chinese text.
  too_small: { zh: '人脸过小', en: 'face too small' },
  too_blurred: { zh: '画面模糊', en: 'picture blurred' },
  turned_away: { zh: '未正对镜头', en: 'not facing the camera' },
  unreadable: { zh: '图像无法读取', en: 'picture unreadable' },
  no_reference: { zh: '无可比对的照片', en: 'no reference photo' },
  admission_failed: { zh: '入场登记失败', en: 'admission failed' },
  timed_out: { zh: '规定时间内未拍到可用人脸', en: 'no usable face within the time allowed' },
};

// Invigilators read what the candidate did, not the protocol's code; an unknown kind shows its code.
const INTEGRITY_WORDS: Record<string, { zh: string; en: string }> = {
  focus_lost: { zh: '离开了考试窗口', en: 'left the exam window' },
  visibility_hidden: { zh: '考试页面被遮挡或最小化', en: 'the exam page was hidden or minimised' },
  fullscreen_left: { zh: '退出了全屏', en: 'left full screen' },
  copy: { zh: '尝试复制', en: 'tried to copy' },
  cut: { zh: '尝试剪切', en: 'tried to cut' },
  paste: { zh: '尝试粘贴', en: 'tried to paste' },
  context_menu: { zh: '尝试打开右键菜单', en: 'tried to open the context menu' },
  key_blocked: { zh: '按下了被禁用的按键', en: 'pressed a blocked key' },
  print: { zh: '尝试打印', en: 'tried to print' },
  wrong_seat_login: { zh: '在非本人座位登录', en: 'tried to log in at another seat' },
  second_connection: { zh: '同一考试机出现第二个连接', en: 'a second connection of the same terminal' },
  message_flood: { zh: '考试机发送消息过多', en: 'the terminal sent too many messages' },
};

/** Ingest's reason for an outage is ffmpeg's English: the Chinese text says what kind of outage it was. */
function downReasonZh(reason: unknown): string {
  const r = String(reason ?? '');
  if (/stall|no data/i.test(r)) return '数秒内没有收到画面数据';
  if (/stopped/i.test(r)) return '录像服务已停止';
  if (/refused|unreachable|timed? ?out|connection|401|403|404/i.test(r)) return '无法连接视频源';
  return '视频流读取中断';
}

/** Human text in both languages, built once when the alert is raised (a code + params stay too). */
export function textOf(r: Raise, who: { name: string; ticketNo: string; seat: string | null } | null): { zh: string; en: string } {
  const p = r.params;
  const seat = r.seat ?? who?.seat ?? null;
  const whoZh = who ? `${who.name}（准考证 ${who.ticketNo}${seat ? `，${seat} 号座` : ''}）` : seat ? `${seat} 号座` : '';
  const whoEn = who ? `${who.name} (ticket ${who.ticketNo}${seat ? `, seat ${seat}` : ''})` : seat ? `seat ${seat}` : '';
  const reason = KIOSK_REASONS[String(p.reason)] ?? { zh: String(p.reason ?? ''), en: String(p.reason ?? '') };
  switch (r.kind) {
    case 'kiosk_mismatch':
      return { zh: `入口核验：${whoZh} ${reason.zh}`, en: `Entrance check: ${whoEn} — ${reason.en}` };
    case 'kiosk_refused':
      return { zh: `入口核验未通过：${whoZh} ${reason.zh}`, en: `Entrance check refused: ${whoEn} — ${reason.en}` };
    case 'kiosk_override':
      return {
        zh: `人工放行：${whoZh}，操作人 ${String(p.by).replace(/^user:/, '')}，理由：${overrideReason(p.reason).zh}`,
        en: `Admitted by staff override: ${whoEn}, by ${String(p.by).replace(/^user:/, '')}, reason: ${overrideReason(p.reason).en}`,
      };
    case 'seat_mismatch':
      return { zh: `座位核验：${whoZh} 人脸与入场照片不符`, en: `Seat check: ${whoEn} — face does not match the admission photo` };
    case 'no_face':
      return { zh: `座位核验：${whoZh} 未检测到人脸`, en: `Seat check: ${whoEn} — no face in front of the terminal` };
    case 'several_faces':
      return { zh: `座位核验：${whoZh} 检测到多张人脸`, en: `Seat check: ${whoEn} — several faces at the terminal` };
    case 'terminal_offline':
      if (typeof p.downMs === 'number') {
        const secs = Math.max(1, Math.round(p.downMs / 1000));
        return {
          zh: `考试机 ${r.terminalId} 短暂断线 ${secs} 秒，已自动恢复${whoZh ? `：${whoZh}` : ''}`,
          en: `Terminal ${r.terminalId} reconnected after ${secs} s${whoEn ? `: ${whoEn}` : ''}`,
        };
      }
      return who
        ? { zh: `考试机 ${r.terminalId} 离线：${whoZh}`, en: `Terminal ${r.terminalId} offline: ${whoEn}` }
        : { zh: `考试机 ${r.terminalId}${seat ? `（${seat} 号座）` : ''} 离线`, en: `Terminal ${r.terminalId}${seat ? ` (seat ${seat})` : ''} offline` };
    case 'integrity': {
      // Folded per seat and candidate: every kind seen so far, with how often (kinds), newest last.
      const kinds = p.kinds && typeof p.kinds === 'object' ? (p.kinds as Record<string, number>) : { [String(p.kind)]: 1 };
      const words = Object.entries(kinds).map(([k, n]) => {
        const w = INTEGRITY_WORDS[k] ?? { zh: `异常操作（${k}）`, en: `integrity event (${k})` };
        return n > 1 ? { zh: `${w.zh} ×${n}`, en: `${w.en} ×${n}` } : w;
      });
      const zh = words.map((w) => w.zh).join('；');
      const en = words.map((w) => w.en).join('; ');
      return { zh: `考试机 ${r.terminalId}：${whoZh ? `${whoZh} ` : ''}${zh}`, en: `Terminal ${r.terminalId}: ${whoEn ? `${whoEn} — ` : ''}${en}` };
    }
    case 'camera_down':
      return p.kind === 'screen'
        ? { zh: `考试机屏幕画面中断：${r.sourceId}（${downReasonZh(p.reason)}）`, en: `Terminal screen feed down: ${r.sourceId} (${String(p.reason)})` }
        : {
            zh: `摄像头中断：${p.name ? `${String(p.name)}（${r.sourceId}）` : r.sourceId}，${downReasonZh(p.reason)}`,
            en: `Camera down: ${p.name ? `${String(p.name)} (${r.sourceId})` : r.sourceId} (${String(p.reason)})`,
          };
    case 'disk_forecast':
      return diskForecastWords({
        freeBytes: Number(p.freeBytes),
        needBytes: Number(p.needBytes),
        // Alerts raised before the field was named for what it is (days covered) carry retentionDays.
        days: Number(p.days ?? p.retentionDays),
        hotDays: p.hotDays === null || p.hotDays === undefined ? null : Number(p.hotDays),
        daysUntilFull: p.daysUntilFull === null || p.daysUntilFull === undefined ? null : Number(p.daysUntilFull),
        fullMonth: typeof p.fullMonth === 'string' ? p.fullMonth : null,
      });
    case 'move_requested': {
      // r.seat is where the candidate is now (the terminal they logged in at); their own seat is in params.
      const nameZh = who ? `${who.name}（准考证 ${who.ticketNo}）` : '考生';
      const nameEn = who ? `${who.name} (ticket ${who.ticketNo})` : 'A candidate';
      const fromZh = p.fromSeat ? `${String(p.fromSeat)} 号座${p.fromTerminal ? `（考试机 ${String(p.fromTerminal)}）` : ''}` : '未分配座位';
      const fromEn = p.fromSeat ? `seat ${String(p.fromSeat)}${p.fromTerminal ? ` (terminal ${String(p.fromTerminal)})` : ''}` : 'no seat';
      const toZh = `${String(p.toSeat ?? '?')} 号座（考试机 ${String(p.toTerminal)}）`;
      const toEn = `seat ${String(p.toSeat ?? '?')} (terminal ${String(p.toTerminal)})`;
      const c = p.contested && typeof p.contested === 'object' ? (p.contested as { terminalId?: unknown; seat?: unknown }) : null;
      if (c) {
        // The candidate's own terminal is connected and answering: whoever typed the ticket here may be an impostor.
        return {
          zh: `可能冒名顶替！换机申请：有人用 ${nameZh} 的准考证在 ${toZh} 登录，但该考生正在 ${String(c.seat)} 号座（考试机 ${String(c.terminalId)}）在线作答。请先核对两人的身份证，批准须输入座位号或身份证后 4 位并填写原因`,
          en: `Possible impersonation! Move request: someone used the ticket of ${nameEn} at ${toEn}, but that candidate is online and answering at seat ${String(c.seat)} (terminal ${String(c.terminalId)}). Check both people's ID cards; approving needs their seat or the last 4 of their ID number, and a reason`,
        };
      }
      return {
        zh: `换机申请：${nameZh} 在 ${toZh} 登录，其座位为 ${fromZh}；批准后在此继续作答`,
        en: `Move request: ${nameEn} logged in at ${toEn}; their seat is ${fromEn}. Approve to let them continue there`,
      };
    }
    case 'login_locked': {
      const where = { zh: `考试机 ${r.terminalId}${seat ? `（${seat} 号座）` : ''}`, en: `Terminal ${r.terminalId}${seat ? ` (seat ${seat})` : ''}` };
      return {
        zh: `${where.zh} 登录失败 ${String(p.failures)} 次，已锁定登录：可能有人在试探准考证号。请到场核实后在控制台解锁`,
        en: `${where.en} locked its log-in after ${String(p.failures)} failed attempts: someone may be guessing tickets. Go and see, then unlock it from the console`,
      };
    }
    case 'tier_backlog': {
      const days = p.daysLeft === null || p.daysLeft === undefined ? null : Math.floor(Number(p.daysLeft));
      const gib = (Number(p.waitingBytes) / 1024 ** 3).toFixed(1);
      return {
        zh: `对象存储无法连接：${gib} GiB 录像与归档在本机磁盘等待上传${days === null ? '' : `，按当前录制速度本机磁盘还可录制约 ${days} 天`}。录制照常进行；请检查对象存储与网络`,
        en: `The object store is unreachable: ${gib} GiB of recordings and archives wait on the local disk${days === null ? '' : `, which holds about ${days} more days of recording at today's rate`}. Recording goes on; check the store and the network`,
      };
    }
    case 'tier_integrity': {
      const why = {
        mismatch: { zh: '内容与写入时的 SHA-256 不符', en: 'its content no longer matches the SHA-256 written' },
        missing: { zh: '对象已不存在', en: 'the object is missing' },
        newer_version: { zh: '有人写入了更新的版本', en: 'someone wrote a newer version over it' },
      }[String(p.result) as 'mismatch' | 'missing' | 'newer_version'] ?? { zh: String(p.result), en: String(p.result) };
      return {
        zh: `对象存储中的证据校验异常：${String(p.key)}（版本 ${String(p.versionId ?? '—')}）${why.zh}。已记入审计日志，请核查存储访问记录`,
        en: `Evidence in the object store failed its check: ${String(p.key)} (version ${String(p.versionId ?? '—')}): ${why.en}. Audited; check who has access to the store`,
      };
    }
    case 'seat_not_the_person': {
      const by = String(p.by ?? '').replace(/^user:/, '');
      const done = {
        zh: p.locked ? `已锁定其考试机屏幕${p.paused ? '并暂停计时' : ''}` : '该考生尚未在考试机作答或已交卷，未锁定',
        en: p.locked
          ? `their screen is locked${p.paused ? ' and their clock paused' : ''}`
          : 'not answering at a terminal (not logged in or already submitted): nothing locked',
      };
      return {
        zh: `座位人工核验：${whoZh} 座位上的人不是本人（核验人 ${by}）。已记录违纪（替考），${done.zh}。请立即通知主考`,
        en: `Seat check by eye: the person at the seat of ${whoEn} is not the candidate (checked by ${by}). An incident (impersonation) is recorded; ${done.en}. Call the chief examiner now`,
      };
    }
    case 'disk_low':
      return diskLowWords({ freeBytes: Number(p.freeBytes), minFreeBytes: Number(p.minFreeBytes), recordingStopped: p.recordingStopped === true });
  }
}
