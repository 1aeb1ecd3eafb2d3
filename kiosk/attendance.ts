// Training attendance (培训考勤): classes, their members, and check-in / check-out at the kiosk with the
// same liveness + 1:1 face verification as exam admission. Attended hours per person and per class are
// computed from the recorded times (each day credited up to the class's scheduled hours), and absences
// per class and day are listed for the report to the district office.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  Conflict,
  NotFound,
  ValidationError,
  newId,
  idNumberProblem,
  isDate,
  localDate,
  localDateTime,
  maskIdNumber,
  normaliseIdNumber,
  type Clock,
  type EventBus,
  type Problem,
  toCsv,
} from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { AuditLog, DataPaths, Db, FaceVault } from '../storage/index.ts';
import type { LivenessChallenge } from './face/types.ts';
import { randomInt } from 'node:crypto';
import { VERIFY_MESSAGES, decodeBase64Image, writeDurably, type FaceJudgement, type IdentityService, type StaffConfirmation } from './service/index.ts';
import type { IdentityAttempt } from './store.ts';
import { readTable } from '../documents/index.ts';

export interface AttendanceDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  identity: IdentityService;
  /** Seals the class members' photos (storage/face-vault.ts). */
  faceVault: FaceVault;
}

export interface TrainingClass {
  id: string;
  name: string;
  institution: string;
  startsOn: string;
  endsOn: string;
  dailyHours: number;
  createdAt: number;
  createdBy: string;
}

export interface MemberInput {
  idNumber: string;
  name: string;
  /** base64 of a JPEG or PNG. */
  photoBase64?: string;
}

export type Action = 'check_in' | 'check_out';

export type TrainingRefusal =
  | 'bad_id_number'
  | 'not_a_member'
  | 'class_not_today'
  | 'already_checked_in'
  | 'not_checked_in'
  | 'already_checked_out'
  | 'unknown_card';

export const TRAINING_MESSAGES: Record<TrainingRefusal, string> = {
  bad_id_number: '身份证号码有误，请核对后重新输入',
  not_a_member: '不在本培训班名单中',
  class_not_today: '今天不是本培训班的上课日',
  already_checked_in: '今天已签到，请勿重复签到',
  not_checked_in: '今天尚未签到，不能签退',
  already_checked_out: '今天已签退',
  unknown_card: '读卡信息已失效，请重新刷卡',
};

const CLASS_COLS =
  'id, name, institution, starts_on AS startsOn, ends_on AS endsOn, daily_hours AS dailyHours, created_at AS createdAt, created_by AS createdBy';

interface AttendanceRow {
  idNumber: string;
  day: string;
  checkInAt: number;
  checkOutAt: number | null;
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (d <= end) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const HEADERS: Record<'idNumber' | 'name' | 'photo', string[]> = {
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '证件号码', 'idnumber', 'id_number'],
  name: ['姓名', 'name'],
  photo: ['照片', 'photo'],
};

export function createAttendanceService(deps: AttendanceDeps) {
  const { db, clock, bus, config, audit, paths, identity, faceVault } = deps;
  const tz = config.site.timezone;

  function getClass(id: string): TrainingClass {
    const c = db.prepare(`SELECT ${CLASS_COLS} FROM training_classes WHERE id = ?`).get(id) as TrainingClass | undefined;
    if (!c) throw new NotFound(`no training class ${JSON.stringify(id)}`);
    return c;
  }

  function member(classId: string, idNumber: string): { idNumber: string; name: string; photo: string | null } | null {
    return (
      (db.prepare('SELECT id_number AS idNumber, name, photo FROM training_members WHERE class_id = ? AND id_number = ?').get(classId, idNumber) as
        | { idNumber: string; name: string; photo: string | null }
        | undefined) ?? null
    );
  }

  function record(classId: string, idNumber: string, day: string): AttendanceRow | null {
    return (
      (db
        .prepare(
          'SELECT id_number AS idNumber, day, check_in_at AS checkInAt, check_out_at AS checkOutAt FROM training_attendance WHERE class_id = ? AND id_number = ? AND day = ?',
        )
        .get(classId, idNumber, day) as AttendanceRow | undefined) ?? null
    );
  }

  function createClass(
    input: { name: string; institution: string; startsOn: string; endsOn: string; dailyHours: number },
    actor: string,
    ip: string | null = null,
  ): TrainingClass {
    const problems: Problem[] = [];
    if (!input.name.trim()) problems.push({ path: 'name', problem: 'must not be empty' });
    if (!input.institution.trim()) problems.push({ path: 'institution', problem: 'must name the training institution' });
    if (!isDate(input.startsOn)) problems.push({ path: 'startsOn', problem: 'must be a date YYYY-MM-DD', got: input.startsOn });
    if (!isDate(input.endsOn)) problems.push({ path: 'endsOn', problem: 'must be a date YYYY-MM-DD', got: input.endsOn });
    if (isDate(input.startsOn) && isDate(input.endsOn) && input.endsOn < input.startsOn)
      problems.push({ path: 'endsOn', problem: `is before startsOn ${input.startsOn}`, got: input.endsOn });
    if (!(input.dailyHours > 0 && input.dailyHours <= 24))
      problems.push({ path: 'dailyHours', problem: 'must be more than 0 and at most 24', got: input.dailyHours });
    if (problems.length) throw new ValidationError(problems);
    const id = `tc_${newId(clock.now())}`;
    db.transaction(() => {
      db.prepare(
        'INSERT INTO training_classes (id, name, institution, starts_on, ends_on, daily_hours, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(id, input.name.trim(), input.institution.trim(), input.startsOn, input.endsOn, input.dailyHours, clock.now(), actor);
      audit.append({
        actor,
        action: 'training.class.create',
        target: id,
        detail: { name: input.name, institution: input.institution, startsOn: input.startsOn, endsOn: input.endsOn, dailyHours: input.dailyHours },
        ip,
      });
    }).immediate();
    return getClass(id);
  }

  function listClasses(): TrainingClass[] {
    return db.prepare(`SELECT ${CLASS_COLS} FROM training_classes ORDER BY starts_on, name`).all() as TrainingClass[];
  }

  /** All or nothing: every member is checked first and every problem listed; then they are stored in one transaction. */
  function addMembers(classId: string, members: MemberInput[], actor: string, ip: string | null = null) {
    getClass(classId);
    const problems: Problem[] = [];
    const seen = new Map<string, number>();
    const planned = members.map((m, i) => {
      const idNumber = normaliseIdNumber(m.idNumber);
      const bad = idNumberProblem(idNumber);
      if (bad) problems.push({ path: `members[${i}].idNumber`, problem: bad, got: idNumber.length > 4 ? `…${idNumber.slice(-4)}` : idNumber });
      const j = seen.get(idNumber);
      if (j !== undefined) problems.push({ path: `members[${i}].idNumber`, problem: `same person as members[${j}]` });
      seen.set(idNumber, i);
      if (!m.name.trim()) problems.push({ path: `members[${i}].name`, problem: 'must not be empty' });
      let photo: { bytes: Buffer; ext: string } | null = null;
      if (m.photoBase64 !== undefined) {
        try {
          const bytes = decodeBase64Image(m.photoBase64, `members[${i}].photoBase64`, 5 * 1024 * 1024);
          const ext = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpg' : bytes[0] === 0x89 && bytes[1] === 0x50 ? 'png' : null;
          if (!ext) problems.push({ path: `members[${i}].photoBase64`, problem: 'is neither a JPEG nor a PNG image' });
          else photo = { bytes, ext };
        } catch (err) {
          if (err instanceof ValidationError) problems.push(...err.problems);
          else throw err;
        }
      }
      return { idNumber, name: m.name.trim(), photo };
    });
    if (problems.length) throw new ValidationError(problems);
    const now = clock.now();
    const stored = planned.map((p) => {
      if (!p.photo) return { ...p, file: null as string | null };
      // Content-addressed like roster photos: a new photo never overwrites the one a record points at.
      const file = `training/${p.idNumber}-${createHash('sha256').update(p.photo.bytes).digest('hex').slice(0, 12)}.${p.photo.ext}`;
      writeDurably(faceVault, join(paths.captures, file), p.photo.bytes);
      return { ...p, file };
    });
    db.transaction(() => {
      const up = db.prepare(
        `INSERT INTO training_members (class_id, id_number, name, photo, added_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(class_id, id_number) DO UPDATE SET name = excluded.name, photo = COALESCE(excluded.photo, training_members.photo)`,
      );
      for (const p of stored) up.run(classId, p.idNumber, p.name, p.file, now);
      audit.append({
        actor,
        action: 'training.members.import',
        target: classId,
        detail: { members: stored.length, photos: stored.filter((p) => p.file).length },
        ip,
      });
    }).immediate();
    // Photos are enrolled in the background so refusals show before the class starts.
    void (async () => {
      for (const p of stored) if (p.file) await identity.enrolPhoto(p.file).catch(() => null);
    })();
    return { classId, added: stored.length, photos: stored.filter((p) => p.file).length };
  }

  /**
   * A members table file — .xlsx, .csv (UTF-8 or GB18030, as Excel saves it) or .json — with 身份证号,
   * 姓名 and optionally 照片 (a file in `photosDir`). Spreadsheets are read as roster imports are.
   */
  async function parseMembersFile(bytes: Buffer, filename: string, readPhoto: (name: string) => Buffer | string): Promise<MemberInput[]> {
    const lower = filename.toLowerCase();
    const problems: Problem[] = [];
    let rows: { where: string; cells: Record<string, string> }[];
    if (lower.endsWith('.json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
      } catch (err) {
        throw new ValidationError([{ path: filename, problem: `is not valid JSON (${(err as Error).message})` }]);
      }
      const list = Array.isArray(parsed) ? parsed : (parsed as { members?: unknown }).members;
      if (!Array.isArray(list)) throw new ValidationError([{ path: filename, problem: 'must be a list of members, or { "members": [...] }' }]);
      rows = list.map((x, i) => ({
        where: `item ${i + 1}`,
        cells: Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')])),
      }));
    } else if (lower.endsWith('.csv') || lower.endsWith('.txt') || lower.endsWith('.xlsx')) {
      const table = await readTable(bytes, lower.endsWith('.txt') ? `${filename}.csv` : filename);
      rows = table.rows.map((r) => ({ where: `row ${r.row}`, cells: r.cells }));
    } else {
      throw new ValidationError([{ path: 'filename', problem: 'members are read from .xlsx, .csv or .json (an old .xls: save it as .xlsx)', got: filename }]);
    }
    const col = (r: Record<string, string>, field: keyof typeof HEADERS) => {
      for (const [k, v] of Object.entries(r)) if (HEADERS[field].includes(k.normalize('NFKC').replace(/\s+/g, '').toLowerCase())) return v;
      return undefined;
    };
    const out: MemberInput[] = [];
    rows.forEach(({ where, cells: r }) => {
      const idNumber = col(r, 'idNumber');
      const name = col(r, 'name');
      if (!idNumber) problems.push({ path: `${where}, column 身份证号`, problem: 'missing' });
      if (!name) problems.push({ path: `${where}, column 姓名`, problem: 'missing' });
      const photoName = col(r, 'photo');
      let photoBase64: string | undefined;
      if (photoName) {
        const got = readPhoto(photoName);
        if (typeof got === 'string') problems.push({ path: `${where}, column 照片`, problem: got, got: photoName });
        else photoBase64 = got.toString('base64');
      }
      out.push({ idNumber: idNumber ?? '', name: name ?? '', ...(photoBase64 ? { photoBase64 } : {}) });
    });
    if (problems.length) throw new ValidationError(problems);
    return out;
  }

  function members(classId: string) {
    getClass(classId);
    return db.prepare('SELECT id_number AS idNumber, name, photo FROM training_members WHERE class_id = ? ORDER BY name').all(classId) as {
      idNumber: string;
      name: string;
      photo: string | null;
    }[];
  }

  // ---- the kiosk side -----------------------------------------------------------------------------

  function todaysClasses() {
    const today = localDate(clock.now(), tz);
    return listClasses().filter((c) => c.startsOn <= today && today <= c.endsOn);
  }

  function refuse(kioskId: string, classId: string, idNumber: string, reason: TrainingRefusal, detail: string, name: string | null = null) {
    audit.append({
      actor: `device:${kioskId}`,
      action: 'training.lookup.refused',
      target: classId,
      detail: { reason, idNumber: maskIdNumber(idNumber), detail },
    });
    return { ok: false as const, reason, detail, message: TRAINING_MESSAGES[reason], member: name ? { name, idNumberMasked: maskIdNumber(idNumber) } : null };
  }

  function lookup(kioskId: string, classId: string, input: ({ source: 'typed'; idNumber: string } | { source: 'card'; cardId: string }) & { action: Action }) {
    identity.kiosk(kioskId);
    const c = getClass(classId);
    const now = clock.now();
    const today = localDate(now, tz);
    let idNumber: string;
    if (input.source === 'card') {
      const card = identity.takeCard(kioskId, input.cardId);
      if (!card) return refuse(kioskId, classId, '', 'unknown_card', `card ${input.cardId} was not read by this kiosk's reader recently`);
      idNumber = card.idNumber;
    } else idNumber = normaliseIdNumber(input.idNumber);
    const bad = idNumberProblem(idNumber);
    if (bad) return refuse(kioskId, classId, idNumber, 'bad_id_number', `ID number ${bad}`);
    const m = member(classId, idNumber);
    if (!m) return refuse(kioskId, classId, idNumber, 'not_a_member', `${maskIdNumber(idNumber)} is not a member of class ${c.name}`);
    if (today < c.startsOn || today > c.endsOn)
      return refuse(kioskId, classId, idNumber, 'class_not_today', `class ${c.name} meets ${c.startsOn} to ${c.endsOn}; today is ${today}`, m.name);
    const r = record(classId, idNumber, today);
    if (input.action === 'check_in') {
      if (r && r.checkOutAt === null)
        return refuse(
          kioskId,
          classId,
          idNumber,
          'already_checked_in',
          `${m.name} checked in today at ${localDateTime(r.checkInAt, tz).slice(11)} and has not checked out`,
          m.name,
        );
      if (r)
        return refuse(
          kioskId,
          classId,
          idNumber,
          'already_checked_out',
          `${m.name} already attended today (${localDateTime(r.checkInAt, tz).slice(11)}–${localDateTime(r.checkOutAt!, tz).slice(11)}); one sitting per day`,
          m.name,
        );
    } else {
      if (!r) return refuse(kioskId, classId, idNumber, 'not_checked_in', `${m.name} has not checked in today; a check-out needs a check-in first`, m.name);
      if (r.checkOutAt !== null)
        return refuse(
          kioskId,
          classId,
          idNumber,
          'already_checked_out',
          `${m.name} already checked out today at ${localDateTime(r.checkOutAt, tz).slice(11)}`,
          m.name,
        );
    }
    const challenges = config.identity.livenessChallenges;
    const challenge: LivenessChallenge = challenges[randomInt(challenges.length)]!;
    const id = `a_${newId(now)}`;
    const a = identity.store.insertAttempt({
      id,
      kioskId,
      sessionId: null,
      idNumber,
      source: input.source,
      challenge,
      rosterPhoto: m.photo,
      cardPhoto: null,
      card: null,
      expiresAt: now + config.identity.attemptMinutes * 60_000,
      classId,
      action: input.action,
    });
    if (m.photo) identity.enrolPhoto(m.photo).catch(() => null);
    return {
      ok: true as const,
      attemptId: a.id,
      expiresAt: new Date(a.expiresAt).toISOString(),
      action: input.action,
      challenge,
      member: { name: m.name, idNumberMasked: maskIdNumber(idNumber), photoUrl: m.photo ? `/api/kiosk/photos/${a.id}` : null, hasPhoto: Boolean(m.photo) },
      class: { id: c.id, name: c.name, institution: c.institution },
      // Asked once per class before any capture (issue 23); a decline is confirmed by staff (kiosk override route).
      consent: identity.consentAsk({ classId }, idNumber),
    };
  }

  /** After the face: the check is recorded only when the face was verified. */
  function complete(a: IdentityAttempt, j: FaceJudgement) {
    const classId = a.classId!;
    const action = a.action!;
    const at = clock.now();
    const actor = `device:${a.kioskId}`;
    const outcome = {
      liveness: j.liveness,
      distance: j.distance,
      cardDistance: null,
      threshold: j.threshold,
      capture: j.capture,
      captureExpiresAt: j.captureExpiresAt,
      probeDescriptor: j.probeDescriptor,
    };
    if (!j.ok) {
      identity.store.decide(a.id, { decision: 'refused', reason: j.reason, detail: j.detail, ...outcome });
      audit.append({
        actor,
        action: 'training.verify.refused',
        target: classId,
        detail: { attemptId: a.id, action, idNumber: maskIdNumber(a.idNumber), reason: j.reason, detail: j.detail, distance: j.distance },
      });
      return {
        ok: false as const,
        decision: 'refused' as const,
        attemptId: a.id,
        reason: j.reason!,
        detail: j.detail,
        message: VERIFY_MESSAGES[j.reason!],
        distance: j.distance,
        threshold: j.threshold,
        retryAllowed: j.reason !== 'no_reference',
      };
    }
    const hours = recordSitting(a, at, () => {
      identity.store.decide(a.id, { decision: 'admitted', reason: null, detail: j.detail, ...outcome });
      return { action: `training.${action}`, actor, detail: { distance: j.distance } };
    });
    bus.emit('training.attendance', { classId, idNumber: a.idNumber, action, at, hours });
    return {
      ok: true as const,
      decision: action === 'check_in' ? ('checked_in' as const) : ('checked_out' as const),
      attemptId: a.id,
      at: new Date(at).toISOString(),
      hours,
      totalHours: hoursOf(classId, a.idNumber).hours,
      distance: j.distance,
      threshold: j.threshold,
    };
  }
  identity.onComplete('training', complete);

  /**
   * A member who declined face recognition: staff compared the ID card with the person and confirmed the
   * check (kiosk/service/override.ts checked their password and the consent record). Audited as them.
   */
  function confirmByStaff(a: IdentityAttempt, by: StaffConfirmation) {
    const at = clock.now();
    const hours = recordSitting(a, at, () => {
      identity.store.decide(a.id, {
        decision: 'overridden',
        reason: 'override',
        detail: 'confirmed by staff: the member declined face recognition and the ID card was checked by eye',
        overrideBy: by.actor,
        overrideReason: by.reason,
      });
      return { action: `training.${a.action!}.confirmed`, actor: by.actor, detail: { via: by.via, reason: by.reason }, ip: by.ip };
    });
    bus.emit('training.attendance', { classId: a.classId!, idNumber: a.idNumber, action: a.action!, at, hours });
    return {
      ok: true as const,
      decision: a.action === 'check_in' ? ('checked_in' as const) : ('checked_out' as const),
      attemptId: a.id,
      at: new Date(at).toISOString(),
      hours,
      totalHours: hoursOf(a.classId!, a.idNumber).hours,
    };
  }
  identity.onStaffConfirm('training', confirmByStaff);

  /** Writes the sitting (check-in row, or its check-out and credited hours), the attempt's decision and the audit entry, in one transaction. */
  function recordSitting(
    a: IdentityAttempt,
    at: number,
    decide: () => { action: string; actor: string; detail: Record<string, unknown>; ip?: string | null },
  ): number | null {
    const classId = a.classId!;
    const action = a.action!;
    const day = localDate(at, tz);
    let hours: number | null = null;
    db.transaction(() => {
      const r = record(classId, a.idNumber, day);
      if (action === 'check_in') {
        // Re-checked inside the transaction: two kiosks racing for the same person record one sitting.
        if (r) throw new Conflict(`${maskIdNumber(a.idNumber)} already checked in today`);
        db.prepare('INSERT INTO training_attendance (class_id, id_number, day, check_in_at, check_in_attempt) VALUES (?, ?, ?, ?, ?)').run(
          classId,
          a.idNumber,
          day,
          at,
          a.id,
        );
      } else {
        if (!r) throw new Conflict(`${maskIdNumber(a.idNumber)} has not checked in today`);
        if (r.checkOutAt !== null) throw new Conflict(`${maskIdNumber(a.idNumber)} already checked out today`);
        db.prepare('UPDATE training_attendance SET check_out_at = ?, check_out_attempt = ? WHERE class_id = ? AND id_number = ? AND day = ?').run(
          at,
          a.id,
          classId,
          a.idNumber,
          day,
        );
        hours = credited(getClass(classId), r.checkInAt, at);
      }
      const d = decide();
      audit.append({
        actor: d.actor,
        action: d.action,
        target: classId,
        detail: { attemptId: a.id, idNumber: maskIdNumber(a.idNumber), ...d.detail, hours },
        ...(d.ip !== undefined ? { ip: d.ip } : {}),
      });
    }).immediate();
    return hours;
  }

  /** Hours credited for one sitting: the time between check-in and check-out, at most the scheduled day. */
  function credited(c: TrainingClass, inAt: number, outAt: number): number {
    return round2(Math.min((outAt - inAt) / 3_600_000, c.dailyHours));
  }

  function rows(classId: string): AttendanceRow[] {
    return db
      .prepare(
        'SELECT id_number AS idNumber, day, check_in_at AS checkInAt, check_out_at AS checkOutAt FROM training_attendance WHERE class_id = ? ORDER BY day, id_number',
      )
      .all(classId) as AttendanceRow[];
  }

  function hoursOf(classId: string, idNumber: string) {
    const c = getClass(classId);
    const mine = rows(classId).filter((r) => r.idNumber === idNumber);
    return {
      hours: round2(mine.reduce((s, r) => s + (r.checkOutAt === null ? 0 : credited(c, r.checkInAt, r.checkOutAt)), 0)),
      days: mine.filter((r) => r.checkOutAt !== null).length,
    };
  }

  /** Per person and for the class: attended (credited) hours against the hours scheduled so far. */
  function hours(classId: string) {
    const c = getClass(classId);
    const today = localDate(clock.now(), tz);
    const heldDays = daysBetween(c.startsOn, c.endsOn < today ? c.endsOn : today).filter((d) => d <= today);
    const scheduled = round2(heldDays.length * c.dailyHours);
    const all = rows(classId);
    const people = members(classId).map((m) => {
      const mine = all.filter((r) => r.idNumber === m.idNumber);
      const attended = round2(mine.reduce((s, r) => s + (r.checkOutAt === null ? 0 : credited(c, r.checkInAt, r.checkOutAt)), 0));
      return {
        idNumber: maskIdNumber(m.idNumber),
        name: m.name,
        attendedHours: attended,
        scheduledHours: scheduled,
        daysAttended: mine.filter((r) => r.checkOutAt !== null).length,
        daysWithoutCheckOut: mine.filter((r) => r.checkOutAt === null && r.day < today).length,
      };
    });
    return {
      class: c,
      daysHeld: heldDays.length,
      scheduledHoursPerPerson: scheduled,
      totalAttendedHours: round2(people.reduce((s, p) => s + p.attendedHours, 0)),
      members: people,
    };
  }

  /**
   * Who missed which day, for the district office: no check-in at all (absent), or a check-in never
   * closed by a check-out on a past day (no_check_out: no hours are credited for it). Today counts
   * only once the class day is over, so the morning's list does not call everyone absent.
   */
  function absences(classId: string, opts: { includeToday?: boolean } = {}) {
    const c = getClass(classId);
    const today = localDate(clock.now(), tz);
    const last = c.endsOn < today ? c.endsOn : today;
    const days = daysBetween(c.startsOn, last).filter((d) => d < today || (opts.includeToday && d === today));
    const all = rows(classId);
    const out: { day: string; idNumber: string; name: string; kind: 'absent' | 'no_check_out'; checkInAt: string | null }[] = [];
    for (const day of days) {
      for (const m of members(classId)) {
        const r = all.find((x) => x.day === day && x.idNumber === m.idNumber);
        if (!r) out.push({ day, idNumber: maskIdNumber(m.idNumber), name: m.name, kind: 'absent', checkInAt: null });
        else if (r.checkOutAt === null && day < today)
          out.push({ day, idNumber: maskIdNumber(m.idNumber), name: m.name, kind: 'no_check_out', checkInAt: localDateTime(r.checkInAt, tz) });
      }
    }
    return { class: c, days, absences: out };
  }

  function absencesCsv(classId: string): string {
    const a = absences(classId);
    const label = { absent: '缺勤', no_check_out: '未签退' } as const;
    // core/csv.ts: a BOM so that Excel reads UTF-8, and formula starts defused (class and institution
    // names are typed by the training institutions).
    return toCsv([
      ['培训班', '培训机构', '日期', '姓名', '身份证号', '情况', '签到时间'],
      ...a.absences.map((x) => [a.class.name, a.class.institution, x.day, x.name, x.idNumber, label[x.kind], x.checkInAt]),
    ]);
  }

  return { createClass, listClasses, getClass, addMembers, parseMembersFile, members, todaysClasses, lookup, complete, hours, hoursOf, absences, absencesCsv };
}

export type AttendanceService = ReturnType<typeof createAttendanceService>;
