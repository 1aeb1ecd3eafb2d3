// The identity service: the entrance check (人证合一) — ID lookup against today's rosters, live face
// verification with an active liveness challenge, admission through the terminal service, staff
// overrides — plus roster-photo enrolment and the seat re-check of terminal snapshots.
// This file: the service's types, limits and the words shown to candidates (exported names are the
// module's public face through kiosk/index.ts).
import type { ExamService } from '../../exam/index.ts';
import type { Clock, EventBus } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditLog, DataPaths, Db, FaceVault } from '../../storage/index.ts';
import type { FaceRefusal, FaceWarning, FullFaceEngine } from '../face/index.ts';
import type {
  CandidateView,
  LookupRefusal,
  LookupReply as LookupResult,
  RefusalFacts,
  SessionView,
  VerifyRefusal,
  VerifyReply as VerifyResult,
} from '../protocol.ts';

// The kiosk's HTTP contract lives in protocol.ts (shared with the kiosk web app); these are its names here.
export type { CandidateView, LookupRefusal, LookupResult, SessionView, VerifyRefusal, VerifyResult };
import type { CardData } from '../store.ts';

/** What the kiosk needs of the face engine: the contract of face/types.ts plus the detector choice. */
export type KioskFaceEngine = Pick<FullFaceEngine, 'enrol' | 'analyse' | 'liveness' | 'threshold' | 'close'>;

/** A staff member who proved their password at the kiosk. */
export interface StaffUser {
  username: string;
  role: string;
  rooms: string[];
}

/** A staff member's confirmation, by eye, of a person who declined face recognition (training's path; override.ts). */
export interface StaffConfirmation {
  actor: string;
  reason: string;
  /** The kiosk it was given at, as `device:ID`. */
  via: string;
  ip: string | null;
}

/** What admitting a candidate gives back: their seat. */
export interface Admitted {
  seat: string | null;
}

export interface IdentityDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  exam: ExamService;
  /** Seals every face image and descriptor the kiosk writes and opens what it reads (storage/face-vault.ts). */
  faceVault: FaceVault;
  /** The face engine, created on first use (loading the models takes seconds and ≈150 MB per worker). */
  engine: () => Promise<KioskFaceEngine>;
  /** Marks the candidate admitted on the roster (the terminal service owns that rule). */
  admit: (sessionId: string, idNumber: string, by: string) => Admitted;
  /** Checks a staff member's password through the user service (lockout and its audit included). */
  authenticate: (username: string, password: string, ip: string | null) => Promise<StaffUser>;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info?(obj: unknown, msg?: string): void };
}

export type Session = ReturnType<ExamService['plans']['session']>;
export type Entry = ReturnType<ExamService['plans']['roster']>[number];

export const FRAMES = { min: 3, max: 20, recommended: 8, seconds: 2, maxBytes: 1024 * 1024 } as const;
export const CARD_TTL_MS = 10 * 60_000;
export const PHOTO_GRACE_MS = 10 * 60_000;
export const OPEN = ['checkin', 'in_progress'];
export const NOT_YET = ['scheduled', 'papers_ready'];
export const ENTERED = ['admitted', 'in_exam', 'submitted'];

export interface FaceJudgement {
  ok: boolean;
  reason: VerifyRefusal | null;
  detail: string;
  liveness: unknown;
  distance: number | null;
  cardDistance: number | null;
  threshold: number;
  capture: string | null;
  /** SHA-256 of the capture file as stored (sealed); null with no capture. */
  captureSha256: string | null;
  captureExpiresAt: number | null;
  probeDescriptor: Float32Array | null;
  /** The figures behind a refusal as codes and numbers, for the staff dialog's words (protocol RefusalFacts). */
  facts: RefusalFacts;
}

/** A judgement's facts before anything is known. */
export const noFacts = (): RefusalFacts => ({
  challenge: null,
  liveness: null,
  frame: null,
  rosterPhoto: null,
  rosterWarnings: [],
  cardDistance: null,
  cardPhotoUnused: null,
  waitedSeconds: null,
  lastHint: null,
});

/** POST /api/kiosk/card (kiosk/protocol.ts CardPostT): an old client sends the first five only. */
export type { CardPost as CardInput } from '../protocol.ts';

export interface HeldCard extends CardData {
  kioskId: string;
  idNumber: string;
  photo: Buffer | null;
  at: number;
}

/** Server-sent event streams of one kiosk: the routes hand in a writer, the service pushes to it. */
export interface KioskStream {
  kioskId: string;
  send(event: string, data: unknown): void;
  close(): void;
}

export const LOOKUP_MESSAGES: Record<LookupRefusal, string> = {
  bad_id_number: '身份证号码有误，请核对后重新输入',
  not_on_roster: '未在本考点任何考试名单中',
  wrong_day: '今天没有您的考试',
  wrong_site: '您的考场不在本入口，请到指定入口检录',
  checkin_not_open: '检录尚未开始，请稍候',
  checkin_closed: '检录已结束',
  already_admitted: '您已完成检录',
  card_expired: '身份证已过有效期',
  unknown_card: '读卡信息已失效，请重新刷卡',
};

export const VERIFY_MESSAGES: Record<VerifyRefusal, string> = {
  liveness: '活体检测未通过，请按提示动作重新核验',
  no_face: '未检测到人脸，请正对摄像头',
  several_faces: '画面中有多张人脸，请其他人员离开取景范围',
  too_small: '人脸太小，请靠近摄像头',
  too_blurred: '画面模糊，请保持不动',
  turned_away: '请正对摄像头',
  unreadable: '图像无法读取，请重试',
  mismatch: '人脸与报名照片不一致',
  card_mismatch: '人脸与身份证照片不一致',
  no_reference: '没有可用的报名照片，请工作人员人工核验',
  admission_failed: '核验通过但无法完成入场登记，请联系工作人员',
  timed_out: '未能在规定时间内拍到可用的人脸，请工作人员处理',
};

/** How enrolling one reference photo went: its descriptor (with quality warnings), or why not. */
export type EnrolOutcome = { ok: true; descriptor: Float32Array; warnings: FaceWarning[] } | { ok: false; reason: FaceRefusal | 'missing'; detail: string };
