// Per-lesson sign-in and sign-out at the kiosk: ID (typed or read from the card) → member and the lesson
// whose window is open → an identity attempt with a liveness challenge → the kiosk's own consent, verify
// (live face 1:1 against the member's photo, liveness) and give-up calls → recorded here, once, in the
// same transaction as the attempt's decision. A member who declined face recognition is confirmed by the
// class's 班主任 (or an admin) through the kiosk's override route; this file says who may.
import { randomInt } from 'node:crypto';
import { Conflict, idNumberProblem, localDate, localTime, maskIdNumber, newId, normaliseIdNumber } from '../core/index.ts';
import type { FaceJudgement, IdentityAttempt, StaffConfirmation, StaffUser } from '../kiosk/index.ts';
import { creditFor } from './credit.ts';
import type { KioskClass, LessonView, SignAction, TrainingLookupBody, TrainingLookupReply, TrainingRefusal, TrainingSigned } from './protocol.ts';
import { iso, roundSum, type ClassRow, type Model, type StoredLesson, type TrainingDeps } from './model.ts';
import type { Members } from './members.ts';

export const TRAINING_MESSAGES: Record<TrainingRefusal, string> = {
  bad_id_number: '身份证号码有误，请核对后重新输入',
  unknown_card: '读卡信息已失效，请重新刷卡',
  not_a_member: '不在本培训班名单中',
  class_not_today: '今天不是本培训班的上课日',
  no_lesson_open: '现在没有可以签到的课程',
  window_closed: '该课程现在不能签到或签退',
  already_checked_in: '本节课已签到，请勿重复签到',
  not_checked_in: '本节课尚未签到，不能签退',
  already_checked_out: '本节课已签退',
  excused: '本节课已登记请假',
};

interface EventLite {
  lessonId: string;
  kind: 'sign_in' | 'sign_out';
  at: number;
}

export function createSignIn(deps: TrainingDeps, m: Model, members: Members, hoursOfMember: (classId: string, idNumber: string) => number) {
  const { db, clock, bus, config, audit, identity } = deps;
  const tz = m.tz;
  const opensMs = config.training.signInOpensMinutes * 60_000;
  const closesMs = config.training.signOutClosesMinutes * 60_000;
  const graceMs = config.training.lateGraceMinutes * 60_000;

  function eventsOf(classId: string, idNumber: string): EventLite[] {
    return db
      .prepare('SELECT lesson_id AS lessonId, kind, at FROM training_events WHERE class_id = ? AND id_number = ? ORDER BY at')
      .all(classId, idNumber) as EventLite[];
  }

  /** Today's classes in this kiosk's rooms, each with today's lessons. */
  function todaysClasses(kioskId: string): KioskClass[] {
    const k = identity.kiosk(kioskId);
    const now = clock.now();
    const today = localDate(now, tz);
    const rows = db.prepare('SELECT id FROM training_classes WHERE starts_on <= ? AND ends_on >= ? ORDER BY starts_on, name').all(today, today) as {
      id: string;
    }[];
    const rooms = k.rooms ?? null;
    return rows
      .map((r) => m.classRow(r.id)!)
      .filter((c) => !rooms || !c.roomId || rooms.includes(c.roomId))
      .map((c) => {
        const counts = m.signedInCounts(c.id);
        const lessons = m
          .lessonsOf(c.id)
          .filter((l) => l.day === today)
          .map((l) => m.lessonView(l, c, counts.get(l.id) ?? 0, now));
        const open = lessons.find((l) => l.state === 'open' || l.state === 'running');
        return {
          id: c.id,
          name: c.name,
          institution: c.institution,
          startsOn: c.startsOn,
          endsOn: c.endsOn,
          dailyHours: c.kind === 'daily' ? c.dailyHours : null,
          roomId: c.roomId,
          lessons,
          signInLessonId: open?.id ?? null,
        };
      });
  }

  function refuse(
    kioskId: string,
    c: ClassRow,
    idNumber: string,
    reason: TrainingRefusal,
    detail: string,
    name: string | null = null,
    nextLesson: LessonView | null = null,
  ): TrainingLookupReply {
    audit.append({ actor: `device:${kioskId}`, action: 'training.lookup.refused', target: c.id, detail: { reason, idNumber: maskIdNumber(idNumber), detail } });
    return {
      ok: false,
      reason,
      detail,
      message: TRAINING_MESSAGES[reason],
      member: name ? { name, idNumberMasked: maskIdNumber(idNumber) } : null,
      ...(nextLesson ? { nextLesson } : {}),
    };
  }

  /** Which lesson a sign-in or sign-out now is for, or why there is none. */
  function pickLesson(
    c: ClassRow,
    idNumber: string,
    action: SignAction,
    lessonId: string | undefined,
    now: number,
  ): { lesson: StoredLesson } | { reason: TrainingRefusal; detail: string; next?: StoredLesson } {
    const today = localDate(now, tz);
    const lessons = m.lessonsOf(c.id).filter((l) => l.day === today || (lessonId !== undefined && l.id === lessonId));
    const evs = eventsOf(c.id, idNumber);
    const has = (l: StoredLesson, kind: 'sign_in' | 'sign_out') => evs.find((e) => e.lessonId === l.id && e.kind === kind);
    const span = (l: StoredLesson) => `${l.topic} ${localTime(l.startsAt, tz)}–${l.kind === 'day' ? '24:00' : localTime(l.endsAt, tz)}`;
    const signInOpen = (l: StoredLesson) => now >= l.startsAt - opensMs && now < l.endsAt;
    const signOutOpen = (l: StoredLesson) => now >= l.startsAt - opensMs && now <= l.endsAt + closesMs;
    if (lessonId !== undefined) {
      const l = lessons.find((x) => x.id === lessonId);
      if (!l) return { reason: 'window_closed', detail: `lesson ${lessonId} is not a lesson of class ${c.name} today` };
      if (action === 'check_in' && !signInOpen(l))
        return { reason: 'window_closed', detail: `sign-in to ${span(l)} is open from ${localTime(l.startsAt - opensMs, tz)} until its end` };
      if (action === 'check_out' && !signOutOpen(l))
        return { reason: 'window_closed', detail: `sign-out of ${span(l)} is open until ${localTime(l.endsAt + closesMs, tz)}` };
      if (action === 'check_in' && has(l, 'sign_in'))
        return { reason: 'already_checked_in', detail: `signed in to ${span(l)} at ${localTime(has(l, 'sign_in')!.at, tz)}` };
      if (action === 'check_out' && !has(l, 'sign_in'))
        return { reason: 'not_checked_in', detail: `not signed in to ${span(l)}; a sign-out needs a sign-in first` };
      if (action === 'check_out' && has(l, 'sign_out'))
        return { reason: 'already_checked_out', detail: `signed out of ${span(l)} at ${localTime(has(l, 'sign_out')!.at, tz)}` };
      return { lesson: l };
    }
    if (action === 'check_in') {
      const open = lessons.filter(signInOpen);
      const free = open.find((l) => !has(l, 'sign_in'));
      if (free) return { lesson: free };
      if (open.length) {
        const l = open[open.length - 1]!;
        return has(l, 'sign_out')
          ? { reason: 'already_checked_out', detail: `signed out of ${span(l)} at ${localTime(has(l, 'sign_out')!.at, tz)}` }
          : { reason: 'already_checked_in', detail: `signed in to ${span(l)} at ${localTime(has(l, 'sign_in')!.at, tz)}` };
      }
      const next = lessons.find((l) => l.startsAt - opensMs > now);
      return next
        ? { reason: 'no_lesson_open', detail: `sign-in to the next lesson, ${span(next)}, opens at ${localTime(next.startsAt - opensMs, tz)}`, next }
        : { reason: 'no_lesson_open', detail: `class ${c.name} has no more lessons today` };
    }
    const inNow = lessons.filter((l) => signOutOpen(l) && has(l, 'sign_in') && !has(l, 'sign_out'));
    if (inNow.length) return { lesson: inNow[inNow.length - 1]! };
    const out = lessons.filter((l) => signOutOpen(l) && has(l, 'sign_out'));
    if (out.length) {
      const l = out[out.length - 1]!;
      return { reason: 'already_checked_out', detail: `signed out of ${span(l)} at ${localTime(has(l, 'sign_out')!.at, tz)}` };
    }
    return { reason: 'not_checked_in', detail: 'not signed in to a lesson whose sign-out is open; a sign-out needs a sign-in first' };
  }

  function lookup(kioskId: string, classId: string, input: TrainingLookupBody): TrainingLookupReply {
    identity.kiosk(kioskId);
    const c = m.classRow(classId);
    if (!c) throw new Conflict(`no training class ${JSON.stringify(classId)}`);
    const now = clock.now();
    const today = localDate(now, tz);
    let idNumber: string;
    if (input.source === 'card') {
      const card = identity.takeCard(kioskId, input.cardId);
      if (!card) return refuse(kioskId, c, '', 'unknown_card', `card ${input.cardId} was not read by this kiosk's reader recently`);
      idNumber = card.idNumber;
    } else idNumber = normaliseIdNumber(input.idNumber);
    const bad = idNumberProblem(idNumber);
    if (bad) return refuse(kioskId, c, idNumber, 'bad_id_number', `ID number ${bad}`);
    const mem = members.member(c.id, idNumber);
    if (!mem) return refuse(kioskId, c, idNumber, 'not_a_member', `${maskIdNumber(idNumber)} is not a member of class ${c.name}`);
    if (today < c.startsOn || today > c.endsOn)
      return refuse(kioskId, c, idNumber, 'class_not_today', `class ${c.name} meets ${c.startsOn} to ${c.endsOn}; today is ${today}`, mem.name);
    const pick = pickLesson(c, idNumber, input.action, input.lessonId, now);
    if (!('lesson' in pick)) return refuse(kioskId, c, idNumber, pick.reason, pick.detail, mem.name, pick.next ? m.lessonView(pick.next, c, 0, now) : null);
    const l = pick.lesson;
    const challenges = config.identity.livenessChallenges;
    const challenge = challenges[randomInt(challenges.length)]!;
    const a = identity.store.insertAttempt({
      id: `a_${newId(now)}`,
      kioskId,
      sessionId: null,
      idNumber,
      source: input.source,
      challenge,
      rosterPhoto: mem.photo,
      cardPhoto: null,
      card: null,
      expiresAt: now + config.identity.attemptMinutes * 60_000,
      classId: c.id,
      action: input.action,
      lessonId: l.id,
    });
    if (mem.photo) identity.enrolPhoto(mem.photo).catch(() => null);
    return {
      ok: true,
      attemptId: a.id,
      expiresAt: iso(a.expiresAt),
      action: input.action,
      challenge,
      member: {
        name: mem.name,
        idNumberMasked: maskIdNumber(idNumber),
        photoUrl: mem.photo ? `/api/kiosk/photos/${a.id}` : null,
        hasPhoto: Boolean(mem.photo),
      },
      class: { id: c.id, name: c.name, institution: c.institution },
      lesson: m.lessonView(l, c, m.signedInCounts(c.id).get(l.id) ?? 0, now),
      // Asked once per class before any capture (issue 23); a decline is confirmed by the 班主任 (kiosk override route).
      consent: identity.consentAsk({ classId: c.id }, idNumber),
    };
  }

  function lessonOfAttempt(a: IdentityAttempt): StoredLesson {
    const l = m.lessonsOf(a.classId!, { withCancelled: true }).find((x) => x.id === a.lessonId);
    if (!l) throw new Conflict(`attempt ${a.id} names no lesson of class ${a.classId}; look the ID up again`);
    return l;
  }

  /** Writes the event, the attempt's decision and the audit entry in one transaction; the unique index stops a second one. */
  function record(
    a: IdentityAttempt,
    at: number,
    via: 'face' | 'staff',
    decide: () => { action: string; actor: string; detail: Record<string, unknown>; ip?: string | null },
  ): Omit<TrainingSigned, 'distance' | 'threshold' | 'by'> {
    const c = m.classRow(a.classId!)!;
    const l = lessonOfAttempt(a);
    const kind = a.action === 'check_in' ? 'sign_in' : 'sign_out';
    let hours: number | null = null;
    let late: number | null = null;
    let early: number | null = null;
    let actor = '';
    db.transaction(() => {
      const prior = db.prepare('SELECT kind, at FROM training_events WHERE lesson_id = ? AND id_number = ?').all(l.id, a.idNumber) as {
        kind: string;
        at: number;
      }[];
      const signIn = prior.find((p) => p.kind === 'sign_in');
      // Re-checked inside the transaction: two kiosks racing for the same person record one event.
      if (kind === 'sign_in' && signIn) throw new Conflict(`${maskIdNumber(a.idNumber)} already signed in to ${l.topic}`);
      if (kind === 'sign_out' && !signIn) throw new Conflict(`${maskIdNumber(a.idNumber)} has not signed in to ${l.topic}`);
      if (kind === 'sign_out' && prior.some((p) => p.kind === 'sign_out')) throw new Conflict(`${maskIdNumber(a.idNumber)} already signed out of ${l.topic}`);
      const d = decide();
      actor = d.actor;
      db.prepare('INSERT INTO training_events (class_id, lesson_id, id_number, kind, at, attempt_id, via, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        c.id,
        l.id,
        a.idNumber,
        kind,
        at,
        a.id,
        via,
        d.actor,
      );
      if (kind === 'sign_in' && l.kind === 'lesson' && at > l.startsAt + graceMs) late = Math.floor((at - l.startsAt) / 60_000);
      if (kind === 'sign_out') {
        hours = creditFor(l, signIn!.at, at);
        if (l.kind === 'lesson' && at < l.endsAt - graceMs) early = Math.ceil((l.endsAt - at) / 60_000);
      }
      audit.append({
        actor: d.actor,
        action: d.action,
        target: c.id,
        detail: { attemptId: a.id, lessonId: l.id, idNumber: maskIdNumber(a.idNumber), ...d.detail, hours, lateMinutes: late, earlyMinutes: early },
        ...(d.ip !== undefined ? { ip: d.ip } : {}),
      });
    }).immediate();
    const later = m.lessonsOf(c.id).some((x) => x.startsAt > l.startsAt && x.teacherId !== null && x.teacherId === l.teacherId);
    const lastLessonOfTeacher = kind === 'sign_out' && l.teacherId !== null && !later;
    bus.emit('training.attendance', {
      classId: c.id,
      lessonId: l.id,
      idNumber: a.idNumber,
      action: a.action!,
      at,
      hours,
      teacherId: l.teacherId,
      lastLessonOfTeacher,
    });
    void actor;
    return {
      ok: true,
      decision: a.action === 'check_in' ? 'checked_in' : 'checked_out',
      attemptId: a.id,
      at: iso(at),
      lessonId: l.id,
      topic: l.topic,
      teacherId: l.teacherId,
      teacherName: l.teacherName,
      lastLessonOfTeacher,
      lateMinutes: late,
      earlyMinutes: early,
      hours,
      totalHours: roundSum(hoursOfMember(c.id, a.idNumber)),
    };
  }

  /** After the face: the sign-in or sign-out is recorded only when the face was verified. */
  function complete(a: IdentityAttempt, j: FaceJudgement) {
    const at = clock.now();
    const actor = `device:${a.kioskId}`;
    const outcome = {
      liveness: j.liveness,
      distance: j.distance,
      cardDistance: null,
      threshold: j.threshold,
      capture: j.capture,
      captureSha256: j.captureSha256,
      captureExpiresAt: j.captureExpiresAt,
      probeDescriptor: j.probeDescriptor,
    };
    if (!j.ok) {
      identity.store.decide(a.id, { decision: 'refused', reason: j.reason, detail: j.detail, ...outcome });
      audit.append({
        actor,
        action: 'training.verify.refused',
        target: a.classId!,
        detail: {
          attemptId: a.id,
          lessonId: a.lessonId,
          action: a.action,
          idNumber: maskIdNumber(a.idNumber),
          reason: j.reason,
          detail: j.detail,
          distance: j.distance,
        },
      });
      // The kiosk's own refusal reply: the reason's words, the facts for staff, the face checks counted.
      return identity.refusedReply(a, { ...j, reason: j.reason! });
    }
    const r = record(a, at, 'face', () => {
      identity.store.decide(a.id, { decision: 'admitted', reason: null, detail: j.detail, ...outcome });
      return { action: `training.${a.action}`, actor, detail: { distance: j.distance } };
    });
    return { ...r, distance: j.distance, threshold: j.threshold };
  }

  /** A member who declined face recognition: the class's 班主任 compared the ID card with the person. Audited as them. */
  function confirmByStaff(a: IdentityAttempt, by: StaffConfirmation) {
    const at = clock.now();
    return record(a, at, 'staff', () => {
      identity.store.decide(a.id, {
        decision: 'overridden',
        reason: 'override',
        detail: 'confirmed by the 班主任: the member declined face recognition and the ID card was checked by eye',
        overrideBy: by.actor,
        overrideReason: by.reason,
      });
      return { action: `training.${a.action!}.confirmed`, actor: by.actor, detail: { via: by.via, reason: by.reason }, ip: by.ip };
    });
  }

  /** The class's own 班主任, or an admin; nobody else (an invigilator no longer). */
  function mayConfirm(a: IdentityAttempt, user: StaffUser): string | null {
    if (user.role === 'admin') return null;
    const c = a.classId ? m.classRow(a.classId) : null;
    if (user.role === 'headteacher' && c?.headteacher && c.headteacher.toLowerCase() === user.username.toLowerCase()) return null;
    return `${user.username} (${user.role}) is not the 班主任 of class ${c?.name ?? a.classId}${c?.headteacher ? ` (${c.headteacher})` : ''} or an admin`;
  }

  identity.onComplete('training', complete);
  identity.onStaffConfirm('training', confirmByStaff, mayConfirm);

  return { todaysClasses, lookup, complete, confirmByStaff, mayConfirm };
}
