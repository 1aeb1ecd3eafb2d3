// The crediting rule, in one place (docs/training.md "Credited time"): what a person's sign-in, sign-out
// and the 班主任's corrections make of one lesson. Pure functions over plain rows, so the class view,
// the annual hours, the exam check and the bench all credit alike.
import type { LessonPresence, PresenceState } from './protocol.ts';

export interface LessonRow {
  id: string;
  classId: string;
  kind: 'lesson' | 'day';
  day: string;
  startsAt: number;
  endsAt: number;
  hours: number;
  cancelledAt: number | null;
}

export interface EventRow {
  lessonId: string;
  idNumber: string;
  kind: 'sign_in' | 'sign_out';
  at: number;
  via: 'face' | 'staff' | 'legacy';
}

export interface CorrectionRow {
  id: number;
  lessonId: string;
  idNumber: string;
  kind: 'presence' | 'justified_absence' | 'withdrawn';
  inAt: number | null;
  outAt: number | null;
}

export interface CreditSettings {
  lateGraceMinutes: number;
  signOutClosesMinutes: number;
}

/** Half up to one decimal: 学时 are reported to 0.1 (a minute of a 45-minute 学时 is 0.02). */
export const round1 = (x: number) => Math.round(x * 10 + 1e-9) / 10;
const round2 = (x: number) => Math.round(x * 100 + 1e-9) / 100;

/**
 * The 学时 credited for presence [inAt, outAt] at a lesson: the share of the lesson's length the person
 * was there (the overlap of the two spans) times its 学时, rounded half up to 0.1. A 'day' lesson (a
 * migrated day sitting) keeps its old rule: the sitting's length in hours, at most the day's, to 0.01.
 */
export function creditFor(l: Pick<LessonRow, 'kind' | 'startsAt' | 'endsAt' | 'hours'>, inAt: number, outAt: number): number {
  if (outAt <= inAt) return 0;
  if (l.kind === 'day') return round2(Math.min((outAt - inAt) / 3_600_000, l.hours));
  const overlap = Math.max(0, Math.min(outAt, l.endsAt) - Math.max(inAt, l.startsAt));
  return round1((l.hours * overlap) / (l.endsAt - l.startsAt));
}

/**
 * One person's standing in one lesson at `now`, from their events and the correction in force (the
 * newest; a 'withdrawn' one puts the events back in force).
 */
export function presenceOf(l: LessonRow, events: EventRow[], corrections: CorrectionRow[], now: number, s: CreditSettings): LessonPresence {
  const signIn = events.find((e) => e.kind === 'sign_in') ?? null;
  const signOut = events.find((e) => e.kind === 'sign_out') ?? null;
  const latest = corrections.length ? corrections.reduce((a, b) => (b.id > a.id ? b : a)) : null;
  const correction = latest && latest.kind !== 'withdrawn' ? latest : null;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const grace = s.lateGraceMinutes * 60_000;
  const base = {
    lessonId: l.id,
    signInAt: iso(signIn?.at ?? null),
    signOutAt: iso(signOut?.at ?? null),
    via: signIn?.via ?? null,
    correctionId: correction?.id ?? null,
  };
  const late = (at: number) => (l.kind === 'lesson' && at > l.startsAt + grace ? Math.floor((at - l.startsAt) / 60_000) : null);
  const early = (at: number) => (l.kind === 'lesson' && at < l.endsAt - grace ? Math.ceil((l.endsAt - at) / 60_000) : null);
  if (correction?.kind === 'justified_absence')
    return { ...base, state: 'excused', lateMinutes: null, earlyMinutes: null, credited: 0, correctionId: correction.id };
  if (correction?.kind === 'presence') {
    const inAt = correction.inAt!;
    const outAt = correction.outAt!;
    return { ...base, state: 'corrected', lateMinutes: late(inAt), earlyMinutes: early(outAt), credited: creditFor(l, inAt, outAt) };
  }
  if (!signIn) {
    const state: PresenceState = now >= l.startsAt ? 'missing' : 'not_yet';
    return { ...base, state, lateMinutes: null, earlyMinutes: null, credited: 0 };
  }
  const lateMinutes = late(signIn.at);
  if (!signOut) {
    const closed = now > l.endsAt + s.signOutClosesMinutes * 60_000;
    return { ...base, state: closed ? 'no_sign_out' : lateMinutes !== null ? 'late' : 'in', lateMinutes, earlyMinutes: null, credited: 0 };
  }
  const earlyMinutes = early(signOut.at);
  return {
    ...base,
    state: earlyMinutes !== null ? 'left_early' : 'present',
    lateMinutes,
    earlyMinutes,
    credited: creditFor(l, signIn.at, signOut.at),
  };
}
