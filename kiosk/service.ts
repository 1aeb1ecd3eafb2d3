// The identity service: the entrance check (人证合一) — ID lookup against today's rosters, live face
// verification with an active liveness challenge, admission through the terminal service, staff
// overrides — plus roster-photo enrolment and the seat re-check of terminal snapshots.
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { Conflict, DomainError, Forbidden, Locked, NotFound, Unauthorized, ValidationError, newId, type Clock, type EventBus } from '../core/index.ts';
import type { Config, KioskConfig } from '../config/index.ts';
import type { AuditLog, DataPaths, Db } from '../storage/index.ts';
import type { ExamService } from '../exam/index.ts';
import { DESCRIPTOR_VERSION, distance, laplacianVariance, type FaceBox, type FaceRefusal, type FaceWarning, type FullFaceEngine, type LivenessChallenge } from './face/index.ts';
import { createIdentityStore, type CardData, type IdentityAttempt } from './store.ts';
import { idNumberProblem, isDate, localDate, localDateTime, maskIdNumber, normaliseIdNumber } from './time.ts';

/** What the kiosk needs of the face engine: the contract of face/types.ts plus the detector choice. */
export type KioskFaceEngine = Pick<FullFaceEngine, 'enrol' | 'analyse' | 'liveness' | 'threshold' | 'close'>;

/** A staff member who proved their password at the kiosk. */
export interface StaffUser {
  username: string;
  role: string;
  rooms: string[];
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
  /** The face engine, created on first use (loading the models takes seconds and ≈150 MB per worker). */
  engine: () => Promise<KioskFaceEngine>;
  /** Marks the candidate admitted on the roster (the terminal service owns that rule). */
  admit: (sessionId: string, idNumber: string, by: string) => Admitted;
  /** Checks a staff member's password through the user service (lockout and its audit included). */
  authenticate: (username: string, password: string, ip: string | null) => Promise<StaffUser>;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info?(obj: unknown, msg?: string): void };
}

type Session = ReturnType<ExamService['plans']['session']>;
type Entry = ReturnType<ExamService['plans']['roster']>[number];

export const FRAMES = { min: 3, max: 20, recommended: 8, seconds: 2, maxBytes: 1024 * 1024 } as const;
const CARD_TTL_MS = 10 * 60_000;
const PHOTO_GRACE_MS = 10 * 60_000;
const OPEN = ['checkin', 'in_progress'];
const NOT_YET = ['scheduled', 'papers_ready'];
const ENTERED = ['admitted', 'in_exam', 'submitted'];

export type LookupRefusal =
  | 'bad_id_number'
  | 'not_on_roster'
  | 'wrong_day'
  | 'wrong_site'
  | 'checkin_not_open'
  | 'checkin_closed'
  | 'already_admitted'
  | 'card_expired'
  | 'unknown_card';

export type VerifyRefusal = 'liveness' | FaceRefusal | 'mismatch' | 'card_mismatch' | 'no_reference' | 'admission_failed';

export interface SessionView {
  id: string;
  name: string;
  roomId: string;
  roomName: string;
  startsAt: string;
  startsAtLocal: string;
  status: string;
}

export interface CandidateView {
  name: string;
  idNumberMasked: string;
  ticketNo: string | null;
  photoUrl: string | null;
  hasPhoto: boolean;
  cardPhoto: boolean;
}

export type LookupResult =
  | { ok: true; attemptId: string; expiresAt: string; candidate: CandidateView; session: SessionView; seat: string | null; challenge: LivenessChallenge }
  | { ok: false; reason: LookupRefusal; detail: string; message: string; candidate: { name: string; idNumberMasked: string } | null; session: SessionView | null; admittedAt: string | null; seat: string | null };

export interface FaceJudgement {
  ok: boolean;
  reason: VerifyRefusal | null;
  detail: string;
  liveness: unknown;
  distance: number | null;
  cardDistance: number | null;
  threshold: number;
  capture: string | null;
  captureExpiresAt: number | null;
  probeDescriptor: Float32Array | null;
}

export type VerifyResult =
  | { ok: true; decision: 'admitted'; attemptId: string; seat: string | null; roomId: string; roomName: string; distance: number; cardDistance: number | null; threshold: number; candidate: CandidateView }
  | { ok: false; decision: 'refused'; attemptId: string; reason: VerifyRefusal; detail: string; message: string; distance: number | null; threshold: number; retryAllowed: boolean };

export interface CardInput {
  idNumber: string;
  name: string;
  photoBase64?: string;
  issuer?: string;
  validUntil?: string;
}

interface HeldCard extends CardData {
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
};

function jpegOk(b: Buffer): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function imageKind(b: Buffer): 'jpg' | 'png' | null {
  if (jpegOk(b)) return 'jpg';
  if (b.length > 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  return null;
}

/** Writes and fsyncs: a capture is acknowledged only once it would survive a power cut. */
export function writeDurably(file: string, bytes: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const fd = openSync(file, 'w', 0o640);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function decodeBase64Image(b64: string, path: string, maxBytes: number): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new ValidationError([{ path, problem: 'is not base64 (send the bytes only: no data: prefix, no line breaks)' }]);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > maxBytes) throw new ValidationError([{ path, problem: `is ${bytes.length} bytes; the limit is ${maxBytes}` }]);
  return bytes;
}

export function createIdentityService(deps: IdentityDeps) {
  const { db, clock, bus, config, audit, paths, exam } = deps;
  const plans = exam.plans;
  const tz = config.site.timezone;
  const store = createIdentityStore(db, clock);
  const cards = new Map<string, HeldCard>();
  const streams = new Set<KioskStream>();
  const enrolling = new Map<string, Promise<EnrolOutcome>>();
  let engineP: Promise<KioskFaceEngine> | null = null;
  let stopped = false;
  const logError = (err: unknown, msg: string) => deps.log?.error({ err }, msg);

  function engine(): Promise<KioskFaceEngine> {
    // After stop, a late check (a snapshot still queued at shutdown) must not start a worker that keeps the process alive.
    if (stopped) return Promise.reject(new Error('the identity service has stopped'));
    if (!engineP) {
      engineP = deps.engine();
      // A failed load is retried by the next request rather than remembered forever.
      engineP.catch(() => (engineP = null));
    }
    return engineP;
  }

  const roomName = (id: string) => config.rooms.find((r) => r.id === id)?.name ?? id;
  function kiosk(id: string): KioskConfig {
    const k = config.kiosks.find((x) => x.id === id);
    if (!k) throw new Forbidden(`device ${id} is not a kiosk of this site's config`);
    return k;
  }
  const serves = (k: KioskConfig, roomId: string) => !k.rooms || k.rooms.includes(roomId);

  function sessionView(s: Session): SessionView {
    return { id: s.id, name: s.template.name, roomId: s.roomId, roomName: roomName(s.roomId), startsAt: new Date(s.startsAt).toISOString(), startsAtLocal: localDateTime(s.startsAt, tz), status: s.status };
  }

  function entryOf(sessionId: string, idNumber: string): Entry | null {
    return plans.roster(sessionId).find((e) => e.idNumber === idNumber) ?? null;
  }

  function candidateView(e: { name: string; idNumber: string; ticketNo?: string | null; photo: string | null }, attemptId: string, cardPhoto: boolean): CandidateView {
    return {
      name: e.name,
      idNumberMasked: maskIdNumber(e.idNumber),
      ticketNo: e.ticketNo ?? null,
      photoUrl: e.photo ? `/api/kiosk/photos/${attemptId}` : null,
      hasPhoto: Boolean(e.photo),
      cardPhoto,
    };
  }

  function broadcast(kioskId: string | null, event: string, data: unknown): void {
    for (const s of streams) {
      if (kioskId !== null && s.kioskId !== kioskId) continue;
      try {
        s.send(event, data);
      } catch (err) {
        logError(err, 'kiosk event stream write failed');
        streams.delete(s);
      }
    }
  }

  // ---- enrolment of reference photos -----------------------------------------------------

  type EnrolOutcome = { ok: true; descriptor: Float32Array; warnings: FaceWarning[] } | { ok: false; reason: FaceRefusal | 'missing'; detail: string };

  // Refusals a reference no longer gets (it is enrolled with a warning instead): a stored one of these
  // dates from the earlier policy and is enrolled again rather than trusted.
  const retakeOnly = new Set<string>(['too_small', 'too_blurred', 'turned_away']);

  /** The descriptor of a stored photo (relative to captures/), enrolled once and cached by file. */
  function enrolPhoto(photo: string, opts: { refresh?: boolean } = {}): Promise<EnrolOutcome> {
    if (!opts.refresh) {
      const known = store.enrolment(photo);
      // A descriptor computed another way is not comparable with today's probes: enrol the photo again.
      if (known?.status === 'ok' && (known.quality?.descriptorVersion ?? 1) === DESCRIPTOR_VERSION) return Promise.resolve({ ok: true, descriptor: known.descriptor, warnings: known.quality?.warnings ?? [] });
      if (known?.status === 'refused' && !retakeOnly.has(known.reason)) return Promise.resolve({ ok: false, reason: known.reason, detail: known.detail });
    }
    let p = enrolling.get(photo);
    if (p) return p;
    p = (async (): Promise<EnrolOutcome> => {
      const file = join(paths.captures, photo);
      if (!existsSync(file)) return { ok: false, reason: 'missing', detail: `photo file ${photo} is missing from the captures folder` };
      // A roster or ID-card photo cannot be retaken: blur, size and turn are warnings, not refusals.
      const r = await (await engine()).enrol(readFileSync(file), { mode: 'accurate', purpose: 'reference' });
      const now = clock.now();
      if (r.ok) {
        store.saveEnrolment({ photo, status: 'ok', descriptor: r.descriptor, quality: r.quality, enrolledAt: now });
        return { ok: true, descriptor: r.descriptor, warnings: r.quality.warnings ?? [] };
      }
      store.saveEnrolment({ photo, status: 'refused', reason: r.reason, detail: r.detail, enrolledAt: now });
      return { ok: false, reason: r.reason, detail: r.detail };
    })().finally(() => enrolling.delete(photo));
    enrolling.set(photo, p);
    return p;
  }

  /** Enrols a session's roster photos one after another; returns how each went. */
  async function enrolSession(sessionId: string, opts: { refresh?: boolean } = {}) {
    const out: { idNumber: string; name: string; photo: string | null; status: 'ok' | 'refused' | 'no_photo'; reason: string | null; detail: string | null; warnings: FaceWarning[] }[] = [];
    for (const e of plans.roster(sessionId)) {
      if (stopped) break;
      if (!e.photo) {
        out.push({ idNumber: maskIdNumber(e.idNumber), name: e.name, photo: null, status: 'no_photo', reason: null, detail: 'no photo on the roster', warnings: [] });
        continue;
      }
      const r = await enrolPhoto(e.photo, opts);
      out.push({ idNumber: maskIdNumber(e.idNumber), name: e.name, photo: e.photo, status: r.ok ? 'ok' : 'refused', reason: r.ok ? null : r.reason, detail: r.ok ? null : r.detail, warnings: r.ok ? r.warnings : [] });
    }
    return out;
  }

  /** Without the engine: what is known so far, so staff see refused photos before the exam day. */
  function enrolments(sessionId: string) {
    plans.session(sessionId);
    return plans.roster(sessionId).map((e) => {
      const k = e.photo ? store.enrolment(e.photo) : null;
      return {
        idNumber: maskIdNumber(e.idNumber),
        ticketNo: e.ticketNo,
        name: e.name,
        photo: e.photo,
        status: !e.photo ? 'no_photo' : !k ? 'pending' : k.status,
        reason: k?.status === 'refused' ? k.reason : null,
        detail: k?.status === 'refused' ? k.detail : null,
        // Usable but poor (blurred, small, turned): staff see why, and may replace the photo.
        warnings: k?.status === 'ok' ? (k.quality?.warnings ?? []) : [],
        enrolledAt: k ? new Date(k.enrolledAt).toISOString() : null,
      };
    });
  }

  let backgroundQueue: Promise<unknown> = Promise.resolve();
  const offImported = bus.on('roster.imported', ({ sessionId }) => {
    if (!config.identity.enrolOnImport) return;
    // Only rosters with photos wake the engine: an import without photos costs nothing.
    const pending = plans.roster(sessionId).filter((e) => e.photo && !store.enrolment(e.photo));
    if (pending.length === 0) return;
    backgroundQueue = backgroundQueue
      .then(() => enrolSession(sessionId))
      .then((r) => {
        const refused = r.filter((x) => x.status === 'refused');
        if (refused.length) deps.log?.warn({ sessionId, refused: refused.length }, 'roster photos the face engine cannot use');
        const poor = r.filter((x) => x.warnings.length > 0);
        if (poor.length) deps.log?.warn({ sessionId, warned: poor.length }, 'roster photos enrolled with quality warnings');
      })
      .catch((err: unknown) => logError(err, 'background enrolment failed'));
  });
  const offStatus = bus.on('session.status', () => broadcast(null, 'session', {}));
  const offAdmitted = bus.on('candidate.admitted', () => broadcast(null, 'session', {}));

  // ---- the kiosk's idle screen ------------------------------------------------------------

  function state(kioskId: string) {
    const k = kiosk(kioskId);
    const today = localDate(clock.now(), tz);
    const sessions = plans
      .listSessions({})
      .filter((s) => OPEN.includes(s.status) && localDate(s.startsAt, tz) === today && serves(k, s.roomId))
      .sort((a, b) => a.startsAt - b.startsAt)
      .map((s) => {
        const roster = plans.roster(s.id);
        return { ...sessionView(s), admitted: roster.filter((e) => ENTERED.includes(e.status)).length, total: roster.length };
      });
    return {
      kiosk: { id: k.id, name: k.name },
      site: { id: config.site.id, name: config.site.name },
      serverTime: new Date(clock.now()).toISOString(),
      sessions,
      challenges: config.identity.livenessChallenges,
      frames: { min: FRAMES.min, max: FRAMES.max, recommended: FRAMES.recommended, seconds: FRAMES.seconds },
    };
  }

  // ---- the card reader --------------------------------------------------------------------

  function sweepCards(): void {
    const now = clock.now();
    for (const [id, c] of cards) if (now - c.at > CARD_TTL_MS) cards.delete(id);
  }

  function postCard(kioskId: string, input: CardInput): { cardId: string } {
    kiosk(kioskId);
    const problems: { path: string; problem: string; got?: unknown }[] = [];
    const idNumber = normaliseIdNumber(input.idNumber);
    let photo: Buffer | null = null;
    if (input.photoBase64 !== undefined) {
      photo = decodeBase64Image(input.photoBase64, 'body.photoBase64', 2 * 1024 * 1024);
      if (!imageKind(photo)) problems.push({ path: 'body.photoBase64', problem: 'is neither a JPEG nor a PNG image' });
    }
    if (input.validUntil !== undefined && input.validUntil !== '长期' && !isDate(input.validUntil)) {
      problems.push({ path: 'body.validUntil', problem: 'must be a date YYYY-MM-DD (or 长期 for a card without end date)', got: input.validUntil });
    }
    if (problems.length) throw new ValidationError(problems);
    sweepCards();
    const cardId = `c_${newId(clock.now())}`;
    const validUntil = input.validUntil && input.validUntil !== '长期' ? input.validUntil : null;
    const card: HeldCard = { cardId, kioskId, idNumber, name: input.name, issuer: input.issuer ?? null, validUntil, photo, at: clock.now() };
    cards.set(cardId, card);
    broadcast(kioskId, 'card', { cardId, name: card.name, idNumberMasked: maskIdNumber(idNumber), hasPhoto: Boolean(photo), validUntil });
    return { cardId };
  }

  function auditSimulatedCard(kioskId: string, idNumber: string, actor: string, ip: string | null): void {
    audit.append({ actor, action: 'kiosk.card.simulated', target: kioskId, detail: { idNumber: maskIdNumber(normaliseIdNumber(idNumber)) }, ip });
  }

  function takeCard(kioskId: string, cardId: string): HeldCard | null {
    sweepCards();
    const c = cards.get(cardId);
    return c && c.kioskId === kioskId ? c : null;
  }

  // ---- lookup ---------------------------------------------------------------------------------

  function refuse(kioskId: string, idNumber: string, reason: LookupRefusal, detail: string, extra: { name?: string; session?: Session | null; admittedAt?: number | null; seat?: string | null; message?: string } = {}): LookupResult {
    audit.append({
      actor: `device:${kioskId}`,
      action: 'kiosk.lookup.refused',
      target: extra.session?.id ?? maskIdNumber(idNumber),
      detail: { reason, idNumber: maskIdNumber(idNumber), detail },
    });
    return {
      ok: false,
      reason,
      detail,
      message: extra.message ?? LOOKUP_MESSAGES[reason],
      candidate: extra.name ? { name: extra.name, idNumberMasked: maskIdNumber(idNumber) } : null,
      session: extra.session ? sessionView(extra.session) : null,
      admittedAt: extra.admittedAt ? new Date(extra.admittedAt).toISOString() : null,
      seat: extra.seat ?? null,
    };
  }

  function admittedAt(sessionId: string, idNumber: string): number | null {
    const mine = store.admission(sessionId, idNumber);
    if (mine?.decidedAt) return mine.decidedAt;
    // Admitted by hand at a staff desk: the exam engine keeps when.
    return plans.admittedAt(sessionId, idNumber);
  }

  function lookup(kioskId: string, input: { source: 'typed'; idNumber: string } | { source: 'card'; cardId: string }): LookupResult {
    const k = kiosk(kioskId);
    const now = clock.now();
    const today = localDate(now, tz);
    let card: HeldCard | null = null;
    let idNumber: string;
    if (input.source === 'card') {
      card = takeCard(kioskId, input.cardId);
      if (!card) return refuse(kioskId, '', 'unknown_card', `card ${input.cardId} was not read by this kiosk's reader in the last ${CARD_TTL_MS / 60_000} minutes`);
      idNumber = card.idNumber;
    } else {
      idNumber = normaliseIdNumber(input.idNumber);
    }
    const bad = idNumberProblem(idNumber);
    if (bad) return refuse(kioskId, idNumber, 'bad_id_number', `ID number ${bad}`);
    if (card?.validUntil && card.validUntil < today) return refuse(kioskId, idNumber, 'card_expired', `the ID card expired on ${card.validUntil}`, { name: card.name, message: `身份证已于 ${card.validUntil} 过期` });

    const mine = store
      .sessionsOfPerson(idNumber)
      .map((id) => plans.session(id))
      .sort((a, b) => a.startsAt - b.startsAt);
    if (mine.length === 0) return refuse(kioskId, idNumber, 'not_on_roster', `ID number ${maskIdNumber(idNumber)} is on no roster of site ${config.site.name}`);
    const entries = new Map(mine.map((s) => [s.id, entryOf(s.id, idNumber)!]));
    const name = entries.get(mine[0]!.id)!.name;

    const todays = mine.filter((s) => localDate(s.startsAt, tz) === today);
    if (todays.length === 0) {
      const next = mine.find((s) => s.startsAt > now) ?? mine.at(-1)!;
      const when = localDateTime(next.startsAt, tz);
      const future = next.startsAt > now;
      return refuse(kioskId, idNumber, 'wrong_day', `${name}'s ${future ? 'next' : 'last'} exam session here is on ${when} in room ${next.roomId} (${roomName(next.roomId)}), not today (${today})`, {
        name,
        session: next,
        message: future ? `您的考试时间为 ${when}（${roomName(next.roomId)}），今天不是您的考试日` : `您的考试已于 ${when} 结束，今天没有您的考试`,
      });
    }

    const entryIn = (s: Session) => entries.get(s.id)!;
    const open = todays.find((s) => OPEN.includes(s.status) && entryIn(s).status === 'registered');
    const entered = todays.find((s) => OPEN.includes(s.status) && ENTERED.includes(entryIn(s).status));
    const pending = todays.find((s) => NOT_YET.includes(s.status));
    const wrongSite = (s: Session) =>
      refuse(kioskId, idNumber, 'wrong_site', `${name}'s session ${s.id} is in room ${s.roomId} (${roomName(s.roomId)}), which kiosk ${k.id} (${k.name}) does not serve`, {
        name,
        session: s,
        message: `您的考场为 ${roomName(s.roomId)}，请到${config.kiosks.filter((x) => serves(x, s.roomId)).map((x) => x.name).join('或') || '指定'}入口检录`,
      });

    if (open) {
      if (!serves(k, open.roomId)) return wrongSite(open);
      const e = entryIn(open);
      const id = `a_${newId(now)}`;
      const challenges = config.identity.livenessChallenges;
      const challenge = challenges[randomInt(challenges.length)]!;
      let cardPhoto: string | null = null;
      if (card?.photo) {
        cardPhoto = `kiosk/${today}/${id}-card.${imageKind(card.photo)}`;
        writeDurably(join(paths.captures, cardPhoto), card.photo);
      }
      const a = store.insertAttempt({
        id,
        kioskId,
        sessionId: open.id,
        idNumber,
        source: input.source,
        challenge,
        rosterPhoto: e.photo,
        cardPhoto,
        card: card ? { cardId: card.cardId, name: card.name, issuer: card.issuer, validUntil: card.validUntil } : null,
        expiresAt: now + config.identity.attemptMinutes * 60_000,
      });
      // The reference is enrolled while the candidate looks at the camera, not after they have.
      if (e.photo) enrolPhoto(e.photo).catch((err: unknown) => logError(err, 'enrolment of a roster photo failed'));
      return { ok: true, attemptId: a.id, expiresAt: new Date(a.expiresAt).toISOString(), candidate: candidateView(e, a.id, Boolean(cardPhoto)), session: sessionView(open), seat: e.seat, challenge };
    }
    if (entered) {
      const e = entryIn(entered);
      const at = admittedAt(entered.id, idNumber);
      const when = at ? localDateTime(at, tz).slice(11) : null;
      return refuse(kioskId, idNumber, 'already_admitted', `${name} was admitted to session ${entered.id}${at ? ` at ${localDateTime(at, tz)}` : ''}${e.seat ? `, seat ${e.seat}` : ''} in room ${entered.roomId}`, {
        name,
        session: entered,
        admittedAt: at,
        seat: e.seat,
        message: `您已于 ${when ?? '此前'} 完成检录，${roomName(entered.roomId)}${e.seat ? ` ${e.seat} 号座位` : ''}`,
      });
    }
    if (pending) {
      if (!serves(k, pending.roomId)) return wrongSite(pending);
      return refuse(kioskId, idNumber, 'checkin_not_open', `session ${pending.id} (${localDateTime(pending.startsAt, tz)}, room ${pending.roomId}) is ${pending.status}; staff have not opened check-in yet`, {
        name,
        session: pending,
        message: `检录尚未开始（考试 ${localDateTime(pending.startsAt, tz).slice(11)} 开始，${roomName(pending.roomId)}），请稍候`,
      });
    }
    const last = todays.at(-1)!;
    const e = entryIn(last);
    return refuse(kioskId, idNumber, 'checkin_closed', `session ${last.id} is ${last.status} and ${name} is ${e.status} on its roster; check-in has closed`, {
      name,
      session: last,
      message: last.status === 'in_progress' ? `考试已于 ${localDateTime(last.startsAt, tz).slice(11)} 开始，检录已结束` : '今天的考试已结束',
    });
  }

  function openAttempt(kioskId: string, attemptId: string): IdentityAttempt {
    const a = store.attempt(attemptId);
    if (!a) throw new NotFound(`no verification attempt ${JSON.stringify(attemptId)}`);
    if (a.kioskId !== kioskId) throw new Conflict(`attempt ${attemptId} was started at kiosk ${a.kioskId}, not here`);
    return a;
  }

  function photoOf(kioskId: string, attemptId: string): { bytes: Buffer; type: string } {
    const a = openAttempt(kioskId, attemptId);
    if (a.decidedAt && clock.now() - a.decidedAt > PHOTO_GRACE_MS) throw new Conflict(`attempt ${attemptId} was decided more than ${PHOTO_GRACE_MS / 60_000} minutes ago; its photo is no longer shown`);
    if (!a.rosterPhoto) throw new NotFound(`the candidate of attempt ${attemptId} has no roster photo`);
    const file = join(paths.captures, a.rosterPhoto);
    if (!existsSync(file)) throw new NotFound(`roster photo ${a.rosterPhoto} is missing from the captures folder`);
    const bytes = readFileSync(file);
    return { bytes, type: imageKind(bytes) === 'png' ? 'image/png' : 'image/jpeg' };
  }

  // ---- the face: liveness, then 1:1 against the references -----------------------------------

  function checkFrames(frames: string[]): Buffer[] {
    if (frames.length < FRAMES.min || frames.length > FRAMES.max) {
      throw new ValidationError([{ path: 'body.frames', problem: `needs ${FRAMES.min} to ${FRAMES.max} frames taken over about ${FRAMES.seconds} s`, got: frames }]);
    }
    const problems: { path: string; problem: string }[] = [];
    const out = frames.map((f, i) => {
      try {
        const b = decodeBase64Image(f, `body.frames[${i}]`, FRAMES.maxBytes);
        if (!jpegOk(b)) problems.push({ path: `body.frames[${i}]`, problem: 'is not a JPEG' });
        return b;
      } catch (err) {
        if (err instanceof ValidationError) problems.push(...err.problems);
        return Buffer.alloc(0);
      }
    });
    if (problems.length) throw new ValidationError(problems);
    return out;
  }

  /**
   * Liveness over all frames, then the first frames that give a usable face are the probe: the
   * candidate starts the challenge looking straight at the camera. The probe frame is stored as the
   * attempt's capture whatever the outcome (the first frame when none gave a face).
   */
  async function judge(a: IdentityAttempt, frames: Buffer[]): Promise<FaceJudgement> {
    const eng = await engine();
    const threshold = eng.threshold;
    const refs = [a.rosterPhoto ? enrolPhoto(a.rosterPhoto) : Promise.resolve(null), a.cardPhoto ? enrolPhoto(a.cardPhoto) : Promise.resolve(null)] as const;
    const livenessP = eng.liveness(frames, a.challenge);
    let probe: { index: number; descriptor: Float32Array } | null = null;
    let probeRefusal: { reason: FaceRefusal; detail: string } | null = null;
    for (const i of [0, 1, 2].filter((x) => x < frames.length)) {
      const r = await eng.enrol(frames[i]!, { mode: 'fast', purpose: 'live' });
      if (r.ok) {
        probe = { index: i, descriptor: r.descriptor };
        break;
      }
      probeRefusal ??= { reason: r.reason, detail: `frame ${i + 1}: ${r.detail}` };
    }
    const [live, roster, cardRef] = await Promise.all([livenessP, refs[0], refs[1]]);
    const captureBytes = frames[probe?.index ?? 0]!;
    const capture = `kiosk/${localDate(clock.now(), tz)}/${a.id}.jpg`;
    writeDurably(join(paths.captures, capture), captureBytes);
    const base = { liveness: live, threshold, capture, captureExpiresAt: clock.now() + config.retention.days * 86_400_000, probeDescriptor: probe?.descriptor ?? null };
    const no = (reason: VerifyRefusal, detail: string, d: number | null = null, cd: number | null = null): FaceJudgement => ({ ok: false, reason, detail, distance: d, cardDistance: cd, ...base });

    if (!live.ok) {
      if (live.reason === 'no_face' || live.reason === 'several_faces') return no(live.reason, `liveness (${live.challenge}): ${live.detail}`);
      return no('liveness', `liveness challenge ${live.challenge} not seen (${live.reason}): ${live.detail}`);
    }
    if (!probe) return no(probeRefusal?.reason ?? 'no_face', probeRefusal?.detail ?? 'no usable face in the first frames');
    if (!roster) return no('no_reference', 'the candidate has no roster photo to compare with');
    if (!roster.ok) return no('no_reference', `the roster photo cannot be used (${roster.reason}): ${roster.detail}`);
    const d = distance(probe.descriptor, roster.descriptor);
    let cd: number | null = null;
    let cardNote = '';
    if (cardRef?.ok) cd = distance(probe.descriptor, cardRef.descriptor);
    else if (cardRef) cardNote = `; the ID card photo could not be used (${cardRef.reason}) and was not compared`;
    const poor = roster.warnings.length ? `; the roster photo was enrolled with warnings (${roster.warnings.map((w) => w.reason).join(', ')})` : '';
    if (d > threshold) return no('mismatch', `distance to the roster photo ${d.toFixed(3)} is above the threshold ${threshold}${poor}${cardNote}`, d, cd);
    if (cd !== null && cd > threshold) return no('card_mismatch', `matches the roster photo (${d.toFixed(3)}) but not the ID card photo (${cd.toFixed(3)} > ${threshold})`, d, cd);
    return { ok: true, reason: null, detail: `distance ${d.toFixed(3)} ≤ ${threshold}${cd !== null ? `, ID card ${cd.toFixed(3)}` : ''}${cardNote}; liveness: ${live.detail}`, distance: d, cardDistance: cd, ...base };
  }

  /** Common guard of verify: the attempt is this kiosk's, undecided and not expired. */
  function pendingAttempt(kioskId: string, attemptId: string): IdentityAttempt {
    const a = openAttempt(kioskId, attemptId);
    if (a.decidedAt) throw new Conflict(`attempt ${attemptId} was already decided (${a.decision}); look the ID up again for a new attempt`);
    if (clock.now() > a.expiresAt) throw new Conflict(`attempt ${attemptId} expired at ${localDateTime(a.expiresAt, tz)}; look the ID up again`);
    return a;
  }

  const completions = new Map<string, (a: IdentityAttempt, j: FaceJudgement) => unknown>();

  const verifying = new Set<string>();

  async function verify(kioskId: string, attemptId: string, rawFrames: string[]): Promise<VerifyResult | unknown> {
    const frames = checkFrames(rawFrames);
    const a = pendingAttempt(kioskId, attemptId);
    // A double-tapped button must not run the face check twice: the second request is told so at once.
    if (verifying.has(a.id)) throw new Conflict(`attempt ${a.id} is being verified already`);
    verifying.add(a.id);
    try {
      const j = await judge(a, frames);
      if (a.classId) return completions.get('training')!(a, j);
      return completeAdmission(a, j);
    } finally {
      verifying.delete(a.id);
    }
  }

  function completeAdmission(a: IdentityAttempt, j: FaceJudgement): VerifyResult {
    const s = plans.session(a.sessionId!);
    const e = entryOf(s.id, a.idNumber)!;
    const actor = `device:${a.kioskId}`;
    let refusal: { reason: VerifyRefusal; detail: string } | null = j.ok ? null : { reason: j.reason!, detail: j.detail };
    let seat: string | null = null;
    if (!refusal) {
      try {
        seat = deps.admit(s.id, a.idNumber, actor).seat;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        refusal = { reason: 'admission_failed', detail: err.message };
      }
    }
    const decided = store.decide(a.id, {
      decision: refusal ? 'refused' : 'admitted',
      reason: refusal?.reason ?? null,
      detail: refusal?.detail ?? j.detail,
      liveness: j.liveness,
      distance: j.distance,
      cardDistance: j.cardDistance,
      threshold: j.threshold,
      seat,
      capture: j.capture,
      captureExpiresAt: j.captureExpiresAt,
      probeDescriptor: j.probeDescriptor,
    });
    if (!decided) throw new Conflict(`attempt ${a.id} was decided by another request meanwhile`);
    const at = clock.now();
    audit.append({
      actor,
      action: refusal ? 'kiosk.verify.refused' : 'kiosk.verify.admitted',
      target: s.id,
      detail: { attemptId: a.id, ticketNo: e.ticketNo, reason: refusal?.reason ?? null, detail: refusal?.detail ?? null, distance: j.distance, cardDistance: j.cardDistance, threshold: j.threshold, seat, capture: j.capture, source: a.source },
    });
    if (refusal) {
      bus.emit('identity.refused', { attemptId: a.id, kioskId: a.kioskId, sessionId: s.id, roomId: s.roomId, idNumber: a.idNumber, reason: refusal.reason, distance: j.distance, at });
      return { ok: false, decision: 'refused', attemptId: a.id, reason: refusal.reason, detail: refusal.detail, message: VERIFY_MESSAGES[refusal.reason], distance: j.distance, threshold: j.threshold, retryAllowed: refusal.reason !== 'no_reference' };
    }
    bus.emit('identity.verified', { attemptId: a.id, kioskId: a.kioskId, sessionId: s.id, roomId: s.roomId, idNumber: a.idNumber, seat, distance: j.distance!, at });
    return { ok: true, decision: 'admitted', attemptId: a.id, seat, roomId: s.roomId, roomName: roomName(s.roomId), distance: j.distance!, cardDistance: j.cardDistance, threshold: j.threshold, candidate: candidateView(e, a.id, Boolean(a.cardPhoto)) };
  }

  // ---- staff override ---------------------------------------------------------------------------

  async function override(kioskId: string, attemptId: string, input: { username: string; password: string; reason: string }, ip: string | null) {
    const a = openAttempt(kioskId, attemptId);
    if (!a.sessionId) throw new Conflict(`attempt ${attemptId} is a training check; overrides are for exam admission`);
    if (a.decision === 'admitted' || a.decision === 'overridden') throw new Conflict(`attempt ${attemptId} already ended in admission (${a.decision})`);
    const reason = input.reason.trim();
    if ([...reason].length < 4) throw new ValidationError([{ path: 'body.reason', problem: 'say why in at least 4 characters (it goes into the audit log)', got: input.reason }]);
    const s = plans.session(a.sessionId);
    const via = `device:${kioskId}`;
    const refused = (why: string, actor: string) =>
      audit.append({ actor, action: 'kiosk.override.refused', target: s.id, detail: { attemptId, via, username: input.username.slice(0, 64), why }, ip });
    let user: StaffUser;
    try {
      user = await deps.authenticate(input.username, input.password, ip);
    } catch (err) {
      if (err instanceof Unauthorized) {
        refused('wrong user name or password', via);
        throw new Forbidden('override refused: wrong user name or password');
      }
      if (err instanceof Locked) refused('account locked', via);
      throw err;
    }
    const actor = `user:${user.username}`;
    if (!(user.role === 'admin' || (user.role === 'invigilator' && user.rooms.includes(s.roomId)))) {
      refused(`role ${user.role}${user.role === 'invigilator' ? ` for rooms ${user.rooms.join(', ')}` : ''} may not admit to room ${s.roomId}`, actor);
      throw new Forbidden(`override refused: ${user.username} is not an admin or an invigilator of room ${s.roomId}`);
    }
    const e = entryOf(s.id, a.idNumber)!;
    const seat = deps.admit(s.id, a.idNumber, actor).seat;
    if (!a.decidedAt) store.decide(a.id, { decision: 'overridden', reason: 'override', detail: 'admitted by staff without a face decision', seat, overrideBy: actor, overrideReason: reason });
    else store.override(a.id, { seat, by: actor, reason });
    audit.append({ actor, action: 'kiosk.override', target: s.id, detail: { attemptId, via, ticketNo: e.ticketNo, seat, reason, refusal: a.reason, distance: a.distance }, ip });
    bus.emit('identity.override', { attemptId, kioskId, sessionId: s.id, roomId: s.roomId, idNumber: a.idNumber, seat, by: actor, reason, at: clock.now() });
    return { ok: true as const, decision: 'admitted' as const, seat, roomId: s.roomId, roomName: roomName(s.roomId), by: user.username };
  }

  // ---- quality hints for the live guide ----------------------------------------------------------

  async function quality(kioskId: string, frameB64: string) {
    kiosk(kioskId);
    const frame = decodeBase64Image(frameB64, 'body.frame', FRAMES.maxBytes);
    if (!jpegOk(frame)) throw new ValidationError([{ path: 'body.frame', problem: 'is not a JPEG' }]);
    let meta: { width?: number | undefined; height?: number | undefined };
    try {
      meta = await sharp(frame).metadata();
    } catch {
      throw new ValidationError([{ path: 'body.frame', problem: 'is not a readable JPEG' }]);
    }
    const W = meta.width ?? 0;
    const H = meta.height ?? 0;
    const f = await (await engine()).analyse(frame);
    const hints: string[] = [];
    if (!f.found || !f.box) hints.push('no_face');
    if (f.faces > 1) hints.push('several_faces');
    if (f.box && W) {
      const share = f.box.width / W;
      if (share < 0.2) hints.push('too_small');
      if (share > 0.7) hints.push('too_close');
      const cx = (f.box.x + f.box.width / 2) / W;
      const cy = H ? (f.box.y + f.box.height / 2) / H : 0.5;
      if (Math.abs(cx - 0.5) > 0.2 || Math.abs(cy - 0.5) > 0.25) hints.push('off_center');
      if (Math.abs(f.yaw) > 20) hints.push('turned');
      if ((await sharpness(frame, f.box, W, H)) < 40) hints.push('blurred');
    }
    return { face: f.found, faces: f.faces, box: f.box, imageWidth: W, imageHeight: H, yaw: f.yaw, eyeOpenness: f.eyeOpenness, hints };
  }

  async function sharpness(frame: Buffer, box: FaceBox, W: number, H: number): Promise<number> {
    const left = Math.max(0, Math.floor(box.x));
    const top = Math.max(0, Math.floor(box.y));
    const width = Math.max(8, Math.min(W - left, Math.floor(box.width)));
    const height = Math.max(8, Math.min(H - top, Math.floor(box.height)));
    const { data, info } = await sharp(frame).extract({ left, top, width, height }).resize({ width: 128 }).greyscale().raw().toBuffer({ resolveWithObject: true });
    return laplacianVariance(data, info.width, info.height);
  }

  // ---- seat re-check of terminal snapshots -----------------------------------------------------

  async function checkSnapshot(s: { sessionId: string; idNumber: string; jpeg: Buffer; terminalId: string; roomId: string }) {
    const emit = (identity: 'match' | 'mismatch' | 'no_face' | 'several_faces' | 'unchecked', d: number | null, detail: string) => {
      bus.emit('seat.check', { terminalId: s.terminalId, roomId: s.roomId, sessionId: s.sessionId, idNumber: s.idNumber, identity, distance: d, detail, at: clock.now() });
      return { identity, distance: d, detail };
    };
    const admission = store.admission(s.sessionId, s.idNumber);
    let ref: Float32Array | null = admission?.probeDescriptor ?? null;
    let against = 'the kiosk capture at admission';
    if (!ref) {
      const photo = entryOf(s.sessionId, s.idNumber)?.photo ?? null;
      if (photo) {
        const r = await enrolPhoto(photo);
        if (r.ok) {
          ref = r.descriptor;
          against = 'the roster photo';
        }
      }
    }
    // Without a reference the engine is not even started: a site without photos pays nothing for snapshots.
    if (!ref) return emit('unchecked', null, 'no kiosk capture and no usable roster photo to compare with');
    const eng = await engine();
    const probe = await eng.enrol(s.jpeg, { mode: 'fast', purpose: 'live' });
    if (!probe.ok) {
      if (probe.reason === 'no_face' || probe.reason === 'several_faces') return emit(probe.reason, null, probe.detail);
      return emit('unchecked', null, `snapshot not usable (${probe.reason}): ${probe.detail}`);
    }
    const d = distance(probe.descriptor, ref);
    return d <= eng.threshold
      ? emit('match', d, `distance ${d.toFixed(3)} to ${against} ≤ ${eng.threshold}`)
      : emit('mismatch', d, `distance ${d.toFixed(3)} to ${against} is above ${eng.threshold}: possibly a different person at the seat`);
  }

  // ---- admin views ----------------------------------------------------------------------------------

  function listAttempts(f: { sessionId?: string; limit?: number }) {
    return store.list(f).map((a) => ({
      id: a.id,
      kioskId: a.kioskId,
      sessionId: a.sessionId,
      classId: a.classId,
      action: a.action,
      idNumber: maskIdNumber(a.idNumber),
      source: a.source,
      challenge: a.challenge,
      startedAt: new Date(a.startedAt).toISOString(),
      decidedAt: a.decidedAt ? new Date(a.decidedAt).toISOString() : null,
      decision: a.decision,
      reason: a.reason,
      detail: a.detail,
      distance: a.distance,
      cardDistance: a.cardDistance,
      threshold: a.threshold,
      seat: a.seat,
      capture: a.capture,
      captureExpiresAt: a.captureExpiresAt ? new Date(a.captureExpiresAt).toISOString() : null,
      overrideBy: a.overrideBy,
      overrideReason: a.overrideReason,
    }));
  }

  function captureOf(attemptId: string, actor: string, ip: string | null): Buffer {
    const a = store.attempt(attemptId);
    if (!a) throw new NotFound(`no verification attempt ${JSON.stringify(attemptId)}`);
    if (!a.capture) throw new NotFound(`attempt ${attemptId} has no capture (it was never verified)`);
    const file = join(paths.captures, a.capture);
    if (!existsSync(file)) throw new NotFound(`capture ${a.capture} is missing from the captures folder`);
    audit.append({ actor, action: 'kiosk.capture.view', target: attemptId, detail: { sessionId: a.sessionId, idNumber: maskIdNumber(a.idNumber) }, ip });
    return readFileSync(file);
  }

  return {
    store,
    engine,
    kiosk,
    state,
    postCard,
    auditSimulatedCard,
    takeCard,
    lookup,
    photoOf,
    verify,
    judge,
    pendingAttempt,
    override,
    quality,
    checkSnapshot,
    enrolPhoto,
    enrolSession,
    enrolments,
    listAttempts,
    captureOf,
    /** Finishes the enrolments queued by roster imports (tests and shutdown wait on it). */
    idle: () => backgroundQueue,
    /** Lets another purpose (training attendance) complete a verified face its own way. */
    onComplete(kind: 'training', fn: (a: IdentityAttempt, j: FaceJudgement) => unknown): void {
      completions.set(kind, fn);
    },
    subscribe(s: KioskStream): () => void {
      streams.add(s);
      return () => streams.delete(s);
    },
    /** Stops listening and ends the event streams; background enrolment stops after the photo in hand. */
    stop(): void {
      stopped = true;
      offImported();
      offStatus();
      offAdmitted();
      for (const s of streams) s.close();
      streams.clear();
    },
    /** Closes the engine if this service created it. */
    async closeEngine(): Promise<void> {
      const p = engineP;
      engineP = null;
      if (p) await (await p.catch(() => null))?.close();
    },
    broadcast,
    roomOfSession: (sessionId: string) => plans.session(sessionId).roomId,
    sessionView,
    roomName,
    candidateView,
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
