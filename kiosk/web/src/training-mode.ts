// The kiosk's training mode (培训考勤), beside the entrance controller (controller.ts) that owns the
// candidate's flow: today's classes of this kiosk's rooms and whether it is a classroom kiosk at all, the
// sign-in/sign-out pick, the trainee's lookup — answered in the exam lookup's shape, so the notice, the face
// guide, the refusals and the staff dialog are the exam's own screens and rules — and, after a sign-out,
// the teacher-rating offer (a score and a comment per teacher, or the QR code to do it on the phone).
// It moves the same state the screens render, through what the controller lends it (TrainingHost).
import { HttpError, NetworkError } from '../../../web/http.ts';
import type { Store } from '../../../web/store.ts';
import {
  rateAtKiosk,
  ratingOffer,
  trainingClasses,
  trainingLookup,
  type Challenge,
  type ConsentAsk,
  type KioskClass,
  type LookupBody,
  type LookupReply,
  type SignAction,
  type TrainingSigned,
} from './api.ts';
import type { Attempt, State } from './state.ts';
import { TRAINING_STRINGS } from './training-words.ts';

/** What the screen shows after a sign-in, or after a sign-out with nothing to rate. */
export const SIGNED_RETURN_MS = 8_000;
/**
 * Rating a teacher (or scanning the QR code to do it on the phone) takes a minute; the next trainee in
 * the queue must not wait longer. The token stays valid after the screen has gone: the QR is the way back.
 */
const RATING_RETURN_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the entrance controller lends the training mode: its state, its flow counter, its timers. */
export interface TrainingHost {
  readonly store: Store<State>;
  /** The current flow; a late answer for an abandoned one is dropped. */
  flow(): number;
  returnLater(ms: number): void;
  /** Runs a request until the server answers (controller.ts persist). */
  persist<T>(flow: number, fn: () => Promise<T>, opts?: { rethrow409?: boolean }): Promise<T | undefined>;
}

export class TrainingMode {
  /** The lesson a trainee's attempt is for, carried from the lookup to the screens. */
  attempt: Attempt['training'] = null;

  constructor(
    private readonly host: TrainingHost,
    /** `?mode=training` (a classroom's kiosk) or `?mode=exam` (the entrance) fixes the screen; absent, the day decides. */
    private readonly mode: 'training' | 'exam' | null,
  ) {}

  private get store(): Store<State> {
    return this.host.store;
  }

  /** Today's classes of this kiosk's rooms: a classroom kiosk becomes the training sign-in screen. */
  async refresh(): Promise<void> {
    let training: KioskClass[];
    try {
      training = await trainingClasses();
    } catch {
      return;
    }
    const s = this.store.get();
    const picked = training.find((c) => c.id === s.trainingClassId) ?? training.find((c) => c.signInLessonId) ?? training[0] ?? null;
    // Before a lesson starts people sign in; once the day's lessons have started and none opens, they sign out.
    const firstLoad = s.training === null;
    const action: SignAction = firstLoad && picked && !picked.signInLessonId && picked.lessons.some((l) => l.state === 'ended') ? 'check_out' : s.action;
    this.store.set({ training, trainingClassId: picked?.id ?? null, action });
  }

  /** A classroom kiosk: set so by its URL, or training classes today here and no exam check-in open. */
  active(s: State = this.store.get()): boolean {
    if (this.mode) return this.mode === 'training';
    return Boolean(s.training?.length) && !s.kiosk?.sessions.length;
  }

  /** Sign in or sign out: the trainee (or staff) picks before the card or the number. */
  setAction(action: SignAction): void {
    if (this.store.get().screen === 'idle') this.store.set({ action });
  }

  pickClass(classId: string): void {
    if (this.store.get().screen === 'idle') this.store.set({ trainingClassId: classId });
  }

  /** A trainee's lookup, in the exam lookup's shape (the member as the candidate, the lesson where the session goes). */
  async lookup(source: LookupBody): Promise<LookupReply> {
    const s = this.store.get();
    const classId = s.trainingClassId;
    if (!classId) {
      // A classroom kiosk with no class today: said as the server says it, never an exam lookup instead.
      this.attempt = null;
      const tt = TRAINING_STRINGS[s.lang];
      return {
        ok: false,
        reason: 'class_not_today' as Extract<LookupReply, { ok: false }>['reason'],
        detail: "no training class today in this kiosk's rooms",
        message: tt.refusals.class_not_today!,
        candidate: null,
        session: null,
        admittedAt: null,
        seat: null,
      };
    }
    const r = await trainingLookup(classId, { ...source, action: s.action });
    if (!r.ok) {
      this.attempt = null;
      const next = r.nextLesson ? TRAINING_STRINGS[s.lang].nextLesson(r.nextLesson.start, r.nextLesson.topic) : '';
      return {
        ok: false,
        reason: r.reason as Extract<LookupReply, { ok: false }>['reason'],
        detail: r.detail,
        message: `${r.message}${next ? `（${next}）` : ''}`,
        candidate: r.member,
        session: null,
        admittedAt: null,
        seat: null,
      };
    }
    const l = r.lesson;
    this.attempt = { action: r.action, classId: r.class.id, className: r.class.name, lesson: l };
    return {
      ok: true,
      attemptId: r.attemptId,
      expiresAt: r.expiresAt,
      candidate: {
        name: r.member.name,
        idNumberMasked: r.member.idNumberMasked,
        ticketNo: null,
        photoUrl: r.member.photoUrl,
        hasPhoto: r.member.hasPhoto,
        cardPhoto: false,
      },
      session: {
        id: r.class.id,
        name: r.class.name,
        roomId: l.roomId ?? '',
        roomName: `${l.start}–${l.end} ${l.topic}`,
        startsAt: l.startsAt,
        startsAtLocal: `${l.day} ${l.start}`,
        status: l.state,
      },
      seat: null,
      challenge: r.challenge as Challenge,
      consent: r.consent as ConsentAsk,
      // A trainee's face checks have no limit (kiosk/protocol.ts FaceAttemptsT): staff may not override a trainee's face.
      faceAttempts: { used: 0, limit: null, left: null },
    };
  }

  /** A card waits while a trainee rates a teacher (the screen returns by itself within RATING_RETURN_MS). */
  rating(s: State = this.store.get()): boolean {
    return s.screen === 'signed' && s.rating !== null && s.rating.index < s.rating.teachers.length;
  }

  /** A trainee signed in or out; after a sign-out, the teachers now due a rating (each with its QR code). */
  async showSigned(attempt: Attempt, r: TrainingSigned): Promise<void> {
    const flow = this.host.flow();
    this.store.set({
      screen: 'signed',
      overrideOpen: false,
      overrideError: null,
      rating: null,
      signed: {
        decision: r.decision,
        name: attempt.candidate.name,
        topic: r.topic,
        at: r.at,
        lateMinutes: r.lateMinutes,
        earlyMinutes: r.earlyMinutes,
        hours: r.hours,
        totalHours: r.totalHours,
        by: r.by ?? null,
      },
    });
    void this.refresh();
    if (r.decision !== 'checked_out') return this.host.returnLater(SIGNED_RETURN_MS);
    this.host.returnLater(RATING_RETURN_MS);
    // Whatever the offer's fate, the sign-out stands: a refusal (nothing due, a server without ratings) or a
    // lost network only means no rating step here — a few tries, then the screen simply returns.
    let offer: Awaited<ReturnType<typeof ratingOffer>> | null = null;
    for (let i = 0; i < 3 && offer === null; i++) {
      try {
        offer = await ratingOffer(r.attemptId);
      } catch (err) {
        if (!(err instanceof NetworkError)) break;
        await sleep(1_000);
      }
      if (flow !== this.host.flow()) return;
    }
    if (offer === null || flow !== this.host.flow()) return void this.host.returnLater(SIGNED_RETURN_MS);
    if (offer.teachers.length === 0) return this.host.returnLater(SIGNED_RETURN_MS);
    this.store.set({
      rating: { className: offer.className, teachers: offer.teachers, index: 0, score: null, comment: '', busy: false, rated: [], error: null },
    });
  }

  /** The trainee taps a score: the screen stays while they choose. */
  rate(score: number): void {
    const g = this.store.get().rating;
    if (!g || g.busy || score < 1 || score > 5) return;
    this.store.set({ rating: { ...g, score, error: null } });
    this.host.returnLater(RATING_RETURN_MS);
  }

  setRatingComment(comment: string): void {
    const g = this.store.get().rating;
    if (g) this.store.set({ rating: { ...g, comment } });
  }

  async submitRating(): Promise<void> {
    const g = this.store.get().rating;
    const teacher = g?.teachers[g.index];
    if (!g || !teacher || g.score === null || g.busy) return;
    const flow = this.host.flow();
    this.store.set({ rating: { ...g, busy: true, error: null } });
    try {
      const r = await this.host.persist(flow, () => rateAtKiosk(teacher.token, g.score!, g.comment), { rethrow409: true });
      if (r === undefined) return;
      this.nextTeacher(teacher.teacherName);
    } catch (err) {
      // Rated already (from the phone, a moment ago) or the token spent: say so, and go on to the next.
      const code = err instanceof HttpError ? err.code : 'error';
      const t = TRAINING_STRINGS[this.store.get().lang];
      const now = this.store.get().rating;
      if (now)
        this.store.set({ rating: { ...now, busy: false, error: t.ratingRefused[code] ?? t.ratingFailed(err instanceof Error ? err.message : String(err)) } });
    }
  }

  /** Rated, or skipped (the QR code still works until its token expires). */
  nextTeacher(ratedName: string | null = null): void {
    const g = this.store.get().rating;
    if (!g) return;
    const rated = ratedName ? [...g.rated, ratedName] : g.rated;
    this.store.set({ rating: { ...g, index: g.index + 1, score: null, comment: '', busy: false, rated, error: null } });
    this.host.returnLater(g.index + 1 >= g.teachers.length ? SIGNED_RETURN_MS : RATING_RETURN_MS);
  }
}
