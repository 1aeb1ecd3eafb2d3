// The kiosk's brain: one state object the screens render, and the rules that move it — pairing, the
// card-reader event stream, the ID lookup, the live face guide, the liveness challenge, verification,
// the result. The screens only read state (its shape is state.ts) and call the
// actions. Parts with a job of their own live beside it: the training mode — classes, sign-in/out, the
// rating offer — (training-mode.ts), the staff override (staff-override.ts), the card reader's event stream (card-stream.ts), the keypad and
// typing ID scanners (keypad.ts), the darkness probe of the face guide (dark-frame.ts).
//
// Time budget: ≤ 5 s per candidate from ID to seat, not counting the person. So the camera stays
// open between candidates, the face guide starts while the roster card is being read, the first
// "ready" from the quality check starts the challenge, and no screen waits on a timer it does not need.
//
// Before any capture the person reads the face-recognition notice and accepts or declines (issue 23), once
// per session: the server says whether it is needed. Declining is as easy as accepting and never a dead
// end: the screen sends them to staff, who check the ID card by eye through the override.
//
// The entrance never gets stuck: once the ID has been looked up, staff can open the override from every
// screen (face guide, challenge, comparing, refusal), and a face guide that gets no usable face within
// the site's limit (KioskState.limits.faceSeconds) ends the attempt as a recorded refusal (timed_out) with
// its reason on screen — never a silent return to the idle screen.
import { HttpError, NetworkError, whoAmI } from '../../../web/http.ts';
import { storeLang, storedLang, type Lang } from '../../../web/i18n.ts';
import { DevicePairing } from '../../../web/pairing.ts';
import { Store } from '../../../web/store.ts';
import {
  cancelAttempt,
  consent,
  giveUp,
  kioskState,
  lookup,
  quality,
  verify,
  type CancelStage,
  type CardEvent,
  type TrainingSigned,
  type ConsentAsk,
  type ConsentDecision,
  type GiveUpHint,
  type LookupBody,
  type LookupReply,
  type VerifyReply,
} from './api.ts';
import { Camera, type CameraStatus } from './camera.ts';
import { CardStream } from './card-stream.ts';
import { previewIsDark } from './dark-frame.ts';
import { HealthReporter } from '../../../web/device-health.ts';
import { STRINGS } from './i18n.ts';
import { Keypad } from './keypad.ts';
import { initialState, type Attempt, type Hint, type State } from './state.ts';
import { StaffOverride } from './staff-override.ts';
import { TrainingMode } from './training-mode.ts';

const LANG_KEY = 'examroom.kiosk.lang';
/** The server allows 5 quality checks a second per kiosk; 4 leaves room for a slow answer. */
const QUALITY_INTERVAL_MS = 250;
/** JPEG quality of every frame sent: ≈ 50–80 kB at 640×480, well under the server's 1 MiB a frame. */
const FRAME_QUALITY = 0.85;
const REFUSAL_RETURN_MS = 6_000;
/**
 * The face guide's wait when the server has not said (config identity.kioskFaceSeconds, default 45): long
 * enough for someone slow to step up and be guided, short enough that a queue is not held by a camera
 * that sees nothing. It ends in a timed_out refusal, never a silent return.
 */
const FACE_SECONDS_DEFAULT = 45;
const ADMITTED_RETURN_MS = 8_000;
/** A refusal stays this long for staff to come over (the override dialog stops it while open). */
const FAILED_RETURN_MS = 60_000;
/** Reading the notice takes a minute or two; an abandoned one frees the kiosk well before the attempt expires. */
const CONSENT_RETURN_MS = 180_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Controller {
  readonly store: Store<State>;
  readonly camera: Camera;
  /** The device-health report (web/device-health.ts): sent once paired, and when the camera changes. */
  private readonly health: HealthReporter;
  private readonly pairing: DevicePairing;
  /** The card reader's event stream. */
  private readonly stream: CardStream;
  /** The staff override dialog (staff-override.ts). */
  readonly staff: StaffOverride;
  /** The ID typed or scanned on the idle screen (keypad.ts). */
  readonly keypad: Keypad;
  private returnTimer: ReturnType<typeof setTimeout> | undefined;
  private qualityTimer: ReturnType<typeof setTimeout> | undefined;
  private qualityAbort: AbortController | null = null;
  /** The lookup that started this candidate, repeated for a retry (a retry is a new attempt). */
  private source: LookupBody | null = null;
  private pendingCard: CardEvent | null = null;
  /** The accepted lookup whose notice is on screen: its challenge starts once the person accepts. */
  private lookedUp: Extract<LookupReply, { ok: true }> | null = null;
  /** The training mode (training-mode.ts): a classroom's kiosk signing trainees in and out. */
  readonly training: TrainingMode;
  /** The notice in force for this candidate's attempt, so one who agreed can still withdraw at the face guide. */
  private notices: ConsentAsk['notice'] | null = null;
  /** Bumped whenever the flow moves on, so a late answer for an abandoned candidate is dropped. */
  private flow = 0;
  private wakeRetry: (() => void) | null = null;
  private stateTimer: ReturnType<typeof setInterval> | undefined;
  private deviceId: string | null;

  constructor(loc: Location) {
    const lang = storedLang(LANG_KEY);
    const q = new URLSearchParams(loc.search);
    this.deviceId = q.get('device');
    this.pairing = new DevicePairing({
      kind: 'kiosk',
      deviceId: this.deviceId,
      pollMs: 1_500,
      show: (pairing) => this.store.set({ pairing }),
      approved: () => this.ready(),
    });
    this.health = new HealthReporter('kiosk', { camera: window.isSecureContext ? 'missing' : 'not-secure', screenCapture: { state: 'not-needed' } });
    this.camera = new Camera((camera) => {
      this.store.set({ camera });
      this.reportCamera(camera);
    });
    this.store = new Store<State>(initialState(lang));
    this.training = new TrainingMode(
      {
        store: this.store,
        flow: () => this.flow,
        returnLater: (ms) => this.returnLater(ms),
        persist: (flow, fn, opts) => this.persist(flow, fn, opts),
      },
      q.get('mode') === 'training' ? 'training' : q.get('mode') === 'exam' ? 'exam' : null,
    );
    this.staff = new StaffOverride({
      store: this.store,
      flow: () => this.flow,
      pause: () => {
        clearTimeout(this.returnTimer);
        const s = this.store.get();
        if (s.screen === 'capture' && s.phase === 'align') {
          clearTimeout(this.qualityTimer);
          this.qualityAbort?.abort();
          this.qualityAbort = null;
        }
      },
      resume: () => {
        // Frames already taken were still verified while the dialog was open: that verdict may have landed.
        const s = this.store.get();
        if (s.screen === 'capture' && s.phase === 'align') this.alignLoop(this.flow);
        else if (s.screen === 'failed' || s.screen === 'declined') this.returnLater(FAILED_RETURN_MS);
      },
      returnLater: (ms) => this.returnLater(ms),
      showSigned: (attempt, r) => this.training.showSigned(attempt, r),
    });
    this.keypad = new Keypad({
      store: this.store,
      invalid: () => this.t.idInvalid,
      submit: (idNumber) => void this.start({ source: 'typed', idNumber }),
      abandonLookup: () => this.toIdle(),
    });
    this.stream = new CardStream({
      live: (open) => this.store.set(open ? { live: true, offline: false } : { live: false }),
      offline: () => this.store.set({ offline: true }),
      unpaired: () => void this.startPairing(),
      card: (card) => this.onCard(card),
      reader: (reader) => this.store.set({ reader }),
      session: () => void this.refreshState(),
    });
  }

  get t() {
    return STRINGS[this.store.get().lang];
  }

  setLang(lang: Lang): void {
    storeLang(LANG_KEY, lang);
    this.store.set({ lang });
  }

  // ------------------------------------------------------------------ start-up and pairing

  async boot(): Promise<void> {
    let delay = 1_000;
    for (;;) {
      try {
        const me = await whoAmI();
        if (me?.kind === 'device' && me.device.kind === 'kiosk') return this.ready();
        return void this.startPairing();
      } catch {
        this.store.set({ offline: true });
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  async startPairing(): Promise<void> {
    this.stream.close();
    this.health.disconnected();
    this.store.set({ screen: 'pairing', offline: false });
    await this.pairing.start();
  }

  private ready(): void {
    this.store.set({ screen: 'idle', pairing: null, offline: false });
    this.health.connected();
    void this.camera.start();
    this.stream.open();
    void this.refreshState();
    clearInterval(this.stateTimer);
    this.stateTimer = setInterval(() => void this.refreshState(), 60_000);
  }

  private reportCamera(camera: CameraStatus): void {
    if (camera === 'on') this.health.update({ camera: 'available' });
    else if (camera === 'denied') this.health.update({ camera: 'denied', cameraDetail: this.camera.lastError ?? 'NotAllowedError' });
    else if (camera === 'missing')
      this.health.update(this.camera.lastError ? { camera: 'missing', cameraDetail: this.camera.lastError } : { camera: 'missing' });
    else if (camera === 'not-secure') this.health.update({ camera: 'not-secure' });
  }

  private async refreshState(): Promise<void> {
    try {
      this.store.set({ kiosk: await kioskState() });
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) return void this.startPairing();
      // The idle screen simply keeps what it showed; the banner comes from the stream.
    }
    await this.training.refresh();
  }

  /**
   * The lookup of the mode the kiosk is in. A trainee's lookup is answered in the exam lookup's shape
   * (training-mode.ts), so the notice, the face guide, the refusals and the staff dialog are the exam's
   * own screens and rules: nothing new can get stuck.
   */
  private lookupFor(source: LookupBody): Promise<LookupReply> {
    if (this.training.active()) return this.training.lookup(source);
    this.training.attempt = null;
    return lookup(source);
  }

  // ------------------------------------------------------------------ the card reader's event stream

  private onCard(card: CardEvent): void {
    const s = this.store.get();
    // A card in the middle of someone's face check waits for that check to end.
    // A trainee rating a teacher finishes first (the screen returns by itself).
    const rating = this.training.rating(s);
    if (s.screen === 'capture' || s.screen === 'looking' || s.screen === 'consent' || s.overrideOpen || rating) {
      this.pendingCard = card;
      return;
    }
    if (s.screen === 'pairing' || s.screen === 'boot') return;
    void this.start({ source: 'card', cardId: card.cardId });
  }

  // ------------------------------------------------------------------ one candidate

  private async start(source: LookupBody): Promise<void> {
    this.leaveAttempt('person');
    const flow = this.newFlow();
    this.source = source;
    this.store.set({
      screen: 'looking',
      typedError: null,
      refusal: null,
      attempt: null,
      consent: null,
      failure: null,
      admitted: null,
      signed: null,
      rating: null,
      overrideOpen: false,
      overrideError: null,
      error: null,
      returnAt: null,
    });
    void this.camera.start();
    const r = await this.persist(flow, () => this.lookupFor(source));
    if (r === undefined) return;
    if (!r.ok) {
      this.store.set({
        screen: 'refused',
        typed: '',
        refusal: { reason: r.reason, message: r.message, detail: r.detail, candidate: r.candidate, session: r.session, seat: r.seat },
      });
      return this.returnLater(REFUSAL_RETURN_MS);
    }
    this.opened(flow, r);
  }

  /**
   * An attempt is open: the notice when the person has not agreed for this session, else the face guide —
   * unless the server says no face check is left, when no face is taken and the screen sends them to staff.
   */
  private opened(flow: number, r: Extract<LookupReply, { ok: true }>): void {
    this.notices = r.consent.notice;
    if (r.faceAttempts.left === 0) return this.staffNeeded(r);
    if (r.consent.needed) return this.askConsent(r);
    this.capture(flow, r);
  }

  /** Every face check of the session used (the server's count): staff decide; the attempt is there for the override. */
  private staffNeeded(r: Extract<LookupReply, { ok: true }>): void {
    this.store.set({
      screen: 'failed',
      typed: '',
      consent: null,
      attempt: { attemptId: r.attemptId, candidate: r.candidate, session: r.session, seat: r.seat, challenge: r.challenge, training: this.training.attempt },
      failure: {
        reason: 'face_attempts_used',
        message: '',
        distance: null,
        threshold: 0,
        facts: null,
        retryAllowed: false,
        faceAttempts: r.faceAttempts,
        hint: null,
        waitedSeconds: null,
      },
    });
    this.returnLater(FAILED_RETURN_MS);
  }

  /** Where the attempt on screen is still undecided, as the cancel request names it (null: decided, or none). */
  private undecidedStage(s: State): CancelStage | null {
    if (!s.attempt) return null;
    if (s.screen === 'consent') return 'notice';
    // While verifying the verdict decides; the server refuses a cancel then, which changes nothing.
    if (s.screen === 'capture') return 'face_guide';
    if (s.screen === 'declined') return 'declined';
    if (s.screen === 'failed' && s.failure?.reason === 'face_attempts_used') return 'staff_needed';
    return null;
  }

  /**
   * The kiosk leaves an attempt nobody decided (取消, 返回, a new card, or the screen's own timer): the server
   * records it as cancelled, so no attempt hangs open in staff lists and the person file. Sent once, not
   * retried: an attempt whose cancel is lost is marked expired by the server's sweep.
   */
  private leaveAttempt(by: 'person' | 'timer'): void {
    const s = this.store.get();
    const stage = this.undecidedStage(s);
    if (!stage || !s.attempt) return;
    const id = s.attempt.attemptId;
    cancelAttempt(id, { stage, by }).catch(() => undefined);
  }

  /** The notice, before any capture: nothing is taken from the camera until the person accepts. */
  private askConsent(r: Extract<LookupReply, { ok: true }>): void {
    this.lookedUp = r;
    this.store.set({
      screen: 'consent',
      typed: '',
      attempt: { attemptId: r.attemptId, candidate: r.candidate, session: r.session, seat: r.seat, challenge: r.challenge, training: this.training.attempt },
      consent: { notice: r.consent.notice, previous: r.consent.inForce?.decision ?? null, busy: false },
    });
    this.returnLater(CONSENT_RETURN_MS);
  }

  /** Accept → the face check; decline → staff check the ID card by eye. The server records which notice was shown, in which language. */
  async decideConsent(decision: ConsentDecision): Promise<void> {
    const s = this.store.get();
    const attempt = s.attempt;
    if (s.screen !== 'consent' || !s.consent || s.consent.busy || !attempt || !this.lookedUp) return;
    const notice = s.consent.notice[s.lang];
    const flow = this.flow;
    clearTimeout(this.returnTimer);
    this.store.set({ consent: { ...s.consent, busy: true }, returnAt: null });
    let r: Awaited<ReturnType<typeof consent>> | undefined;
    try {
      r = await this.persist(
        flow,
        () => consent(attempt.attemptId, { decision, noticeVersion: notice.version, noticeSha256: notice.sha256, lang: notice.lang }),
        { rethrow409: true },
      );
    } catch (err) {
      // The attempt expired while the notice was read, or the site changed the notice: a fresh lookup
      // opens a new attempt and shows the notice in force.
      if (err instanceof HttpError && err.status === 409 && this.source) return void this.start(this.source);
      throw err;
    }
    if (r === undefined) return;
    const looked = this.lookedUp;
    this.lookedUp = null;
    if (r.decision === 'accepted') return this.capture(flow, looked);
    this.store.set({ screen: 'declined', consent: null });
    this.returnLater(FAILED_RETURN_MS);
  }

  /**
   * Consent can be withdrawn (the notice says so): at the face guide, before the challenge, the person
   * declines after all — recorded as a decline naming the notice in force — and staff check by eye.
   */
  async withdraw(): Promise<void> {
    const s = this.store.get();
    const attempt = s.attempt;
    if (s.screen !== 'capture' || s.phase !== 'align' || s.overrideOpen || !attempt || !this.notices) return;
    // A new flow stops the face guide: no frame is taken after this tap.
    const flow = this.newFlow();
    const n = this.notices[s.lang];
    let r: Awaited<ReturnType<typeof consent>> | undefined;
    try {
      r = await this.persist(flow, () => consent(attempt.attemptId, { decision: 'declined', noticeVersion: n.version, noticeSha256: n.sha256, lang: n.lang }), {
        rethrow409: true,
      });
    } catch (err) {
      if (err instanceof HttpError && err.status === 409 && this.source) return void this.start(this.source);
      throw err;
    }
    if (r === undefined) return;
    this.store.set({ screen: 'declined', consent: null });
    this.returnLater(FAILED_RETURN_MS);
  }

  private capture(flow: number, r: Extract<LookupReply, { ok: true }>): void {
    clearTimeout(this.returnTimer);
    this.store.set({
      screen: 'capture',
      consent: null,
      returnAt: null,
      typed: '',
      attempt: { attemptId: r.attemptId, candidate: r.candidate, session: r.session, seat: r.seat, challenge: r.challenge, training: this.training.attempt },
      phase: 'align',
      hint: null,
      progress: 0,
    });
    this.alignLoop(flow);
  }

  /** What the face guide last knew, as the give-up request names it. */
  private lastHint(): GiveUpHint {
    const s = this.store.get();
    if (s.camera === 'denied' || s.camera === 'missing' || s.camera === 'not-secure' || s.camera === 'off' || s.camera === 'starting') return 'camera_down';
    if (!s.hint || s.hint === 'ok') return 'no_answer';
    return s.hint;
  }

  /**
   * Sends one quality frame at a time, at most every QUALITY_INTERVAL_MS; the first "ready" starts the
   * challenge. Without one within the face limit the attempt ends as a recorded timed_out refusal. The
   * staff dialog pauses the guide (and its clock); closing it starts a fresh wait.
   */
  private alignLoop(flow: number): void {
    const since = performance.now();
    const limitMs = (this.store.get().kiosk?.limits.faceSeconds ?? FACE_SECONDS_DEFAULT) * 1000;
    const tick = async () => {
      if (flow !== this.flow || this.store.get().phase !== 'align' || this.store.get().overrideOpen) return;
      const started = performance.now();
      if (started - since >= limitMs) return void this.timedOut(flow, Math.round((started - since) / 1000));
      const frame = this.camera.grab(FRAME_QUALITY);
      if (!frame) {
        this.qualityTimer = setTimeout(tick, 100);
        return;
      }
      const dark = previewIsDark();
      this.qualityAbort = new AbortController();
      const attempt = this.store.get().attempt;
      if (!attempt) return;
      let hint: Hint | null = null;
      try {
        const q = await quality(attempt.attemptId, frame, this.qualityAbort.signal);
        // Darkness only explains a face not found: a face the server can see is good enough.
        hint = q.hints[0] === 'no_face' && dark ? 'too_dark' : (q.hints[0] ?? 'ok');
        if (this.store.get().offline) this.store.set({ offline: false });
      } catch (err) {
        if ((err as { name?: string }).name === 'AbortError') return;
        // The attempt can no longer take a face (decided or expired meanwhile, consent withdrawn, no face
        // check left): a fresh lookup says where the person stands.
        if (err instanceof HttpError && err.status === 409 && flow === this.flow && this.source) return void this.recoverDecided(flow, attempt);
        if (err instanceof NetworkError) this.store.set({ offline: true });
        // The hints are advice: if the server cannot give them (overloaded, a fault), the candidate
        // still gets the challenge, and the verification decides.
        else if (!(err instanceof HttpError && err.status === 429)) hint = 'ok';
      }
      if (flow !== this.flow || this.store.get().phase !== 'align' || this.store.get().overrideOpen) return;
      if (hint) this.store.set({ hint });
      if (hint === 'ok') return void this.challenge(flow, frame);
      this.qualityTimer = setTimeout(tick, Math.max(0, QUALITY_INTERVAL_MS - (performance.now() - started)));
    };
    void tick();
  }

  /** The face limit passed without a usable face: the server records the refusal, the screen says why. */
  private async timedOut(flow: number, waitedSeconds: number): Promise<void> {
    const attempt = this.store.get().attempt;
    if (!attempt) return;
    const lastHint = this.lastHint();
    clearTimeout(this.qualityTimer);
    this.qualityAbort?.abort();
    this.store.set({ phase: 'verifying' });
    let r: Awaited<ReturnType<typeof giveUp>> | undefined;
    try {
      r = await this.persist(flow, () => giveUp(attempt.attemptId, { waitedSeconds, lastHint }), { rethrow409: true });
    } catch (err) {
      // Decided meanwhile (a staff override from another desk, a verification whose answer was lost):
      // a fresh lookup says where the candidate stands.
      if (err instanceof HttpError && err.status === 409 && this.source) return this.recoverDecided(flow, attempt);
      this.store.set({ screen: 'failed', failure: null, error: (err as Error).message });
      return this.returnLater(REFUSAL_RETURN_MS * 2);
    }
    if (r === undefined) return;
    this.showVerdict(attempt, r, { hint: lastHint, waitedSeconds });
  }

  /** Admitted → the seat; refused → the reason, with retry and the staff override. */
  private showVerdict(attempt: Attempt, r: VerifyReply | TrainingSigned, timeout: { hint: GiveUpHint; waitedSeconds: number } | null = null): void {
    if (r.ok && (r.decision === 'checked_in' || r.decision === 'checked_out')) return void this.training.showSigned(attempt, r as TrainingSigned);
    if (r.ok) {
      this.store.set({
        screen: 'admitted',
        overrideOpen: false,
        overrideError: null,
        admitted: { name: attempt.candidate.name, seat: (r as { seat: string | null }).seat, roomName: (r as { roomName: string }).roomName, by: null },
      });
      return this.returnLater(ADMITTED_RETURN_MS);
    }
    r = r as Extract<VerifyReply, { ok: false }>;
    this.store.set({
      screen: 'failed',
      phase: 'align',
      failure: {
        reason: r.reason,
        message: r.message,
        distance: r.distance,
        threshold: r.threshold,
        facts: r.facts,
        retryAllowed: r.retryAllowed,
        faceAttempts: r.faceAttempts,
        hint: timeout?.hint ?? null,
        waitedSeconds: timeout?.waitedSeconds ?? null,
      },
    });
    // Staff already at the dialog keep it; the screen waits for them.
    if (!this.store.get().overrideOpen) this.returnLater(FAILED_RETURN_MS);
  }

  /** `ready` is the frame the quality check just passed: facing the camera, it opens the sequence. */
  private async challenge(flow: number, ready: string): Promise<void> {
    const k = this.store.get().kiosk;
    const frames = k?.frames ?? { min: 3, max: 20, recommended: 8, seconds: 2 };
    const count = Math.max(frames.min, Math.min(frames.max, frames.recommended));
    const gap = (frames.seconds * 1000) / count;
    this.store.set({ phase: 'challenge', hint: 'ok', progress: 1 / count });
    // The sequence must start facing the camera (the server compares the frontal frames with the
    // roster photo, and the challenge is measured from there): the frame just judged ready is that start,
    // taken before the prompt could make anyone move. The rest follow while the candidate performs.
    const taken: string[] = [ready];
    for (let i = 1; i < count; i++) {
      await sleep(gap);
      if (flow !== this.flow) return;
      const f = this.camera.grab(FRAME_QUALITY);
      if (f) taken.push(f);
      this.store.set({ progress: (i + 1) / count });
    }
    if (flow !== this.flow) return;
    if (taken.length < frames.min) {
      this.store.set({ phase: 'align', hint: 'no_face', progress: 0 });
      return this.alignLoop(flow);
    }
    this.store.set({ phase: 'verifying' });
    const attempt = this.store.get().attempt!;
    let r: Awaited<ReturnType<typeof verify>> | undefined;
    try {
      r = await this.persist(flow, () => verify(attempt.attemptId, taken), { rethrow409: true });
    } catch (err) {
      // 409 after a retry over a lost connection: the server decided the first time and the answer
      // was lost on the way. A fresh lookup says where the candidate stands (admitted with a seat).
      if (err instanceof HttpError && err.status === 409 && this.source) return this.recoverDecided(flow, attempt);
      this.store.set({ screen: 'failed', failure: null, error: (err as Error).message });
      return this.returnLater(REFUSAL_RETURN_MS * 2);
    }
    if (r === undefined) return;
    this.showVerdict(attempt, r);
  }

  private async recoverDecided(flow: number, attempt: Attempt): Promise<void> {
    const again = await this.persist(flow, () => this.lookupFor(this.source!));
    if (again === undefined) return;
    if (!again.ok && again.reason === 'already_admitted' && again.seat) {
      this.store.set({
        overrideOpen: false,
        screen: 'admitted',
        admitted: { name: attempt.candidate.name, seat: again.seat, roomName: again.session?.roomName ?? attempt.session.roomName, by: null },
      });
      return this.returnLater(ADMITTED_RETURN_MS);
    }
    // Not admitted (the attempt had expired, or was refused and the answer lost): a new attempt has
    // just been opened, so the candidate simply goes through the face check again.
    if (again.ok) return this.opened(flow, again);
    this.store.set({
      screen: 'refused',
      refusal: { reason: again.reason, message: again.message, detail: again.detail, candidate: again.candidate, session: again.session, seat: again.seat },
    });
    this.returnLater(REFUSAL_RETURN_MS);
  }

  /**
   * Runs a request until the server answers: a lost network shows the banner and the same request
   * (the same frames) goes again, so nothing the candidate did is lost. An error answer ends the
   * candidate's flow with the server's words. Returns undefined when the flow was abandoned.
   */
  private async persist<T>(flow: number, fn: () => Promise<T>, opts: { rethrow409?: boolean } = {}): Promise<T | undefined> {
    let delay = 1_000;
    for (;;) {
      try {
        const r = await fn();
        if (this.store.get().offline) this.store.set({ offline: false });
        return flow === this.flow ? r : undefined;
      } catch (err) {
        if (flow !== this.flow) return undefined;
        if (err instanceof NetworkError) {
          this.store.set({ offline: true });
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.wakeRetry = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeRetry = null;
          if (flow !== this.flow) return undefined;
          delay = Math.min(delay * 2, 5_000);
          continue;
        }
        if (err instanceof HttpError && err.status === 401) {
          void this.startPairing();
          return undefined;
        }
        if (opts.rethrow409 && err instanceof HttpError && err.status === 409) throw err;
        this.store.set({ screen: 'failed', failure: null, error: err instanceof HttpError ? err.message : String(err) });
        this.returnLater(REFUSAL_RETURN_MS * 2);
        return undefined;
      }
    }
  }

  /** The banner's "retry now". */
  retryNow(): void {
    this.wakeRetry?.();
    if (!this.store.get().live) this.stream.open();
  }

  private newFlow(): number {
    this.flow++;
    clearTimeout(this.returnTimer);
    clearTimeout(this.qualityTimer);
    this.qualityAbort?.abort();
    this.qualityAbort = null;
    this.wakeRetry = null;
    return this.flow;
  }

  private returnLater(ms: number): void {
    clearTimeout(this.returnTimer);
    this.store.set({ returnAt: performance.now() + ms });
    this.returnTimer = setTimeout(() => this.toIdle('timer'), ms);
  }

  /** Back to the idle screen (an attempt left undecided is cancelled); a card read meanwhile is taken up at once. */
  toIdle(by: 'person' | 'timer' = 'person'): void {
    this.leaveAttempt(by);
    this.newFlow();
    this.source = null;
    this.lookedUp = null;
    this.training.attempt = null;
    this.notices = null;
    this.store.set({
      screen: 'idle',
      refusal: null,
      attempt: null,
      consent: null,
      failure: null,
      admitted: null,
      signed: null,
      rating: null,
      overrideOpen: false,
      overrideError: null,
      overrideBusy: false,
      error: null,
      returnAt: null,
      typed: '',
      typedError: null,
      hint: null,
      phase: 'align',
    });
    const card = this.pendingCard;
    this.pendingCard = null;
    if (card) void this.start({ source: 'card', cardId: card.cardId });
  }

  /** A new attempt for the same candidate (the refused one is final on the server, which says whether a face check is left). */
  retry(): void {
    const s = this.store.get();
    if (!this.source || !s.failure?.retryAllowed) return;
    void this.start(this.source);
  }
}
