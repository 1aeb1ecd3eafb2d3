// The terminal's brain: one state object the screens render, and the rules that move it — device
// pairing, the gateway conversation (log-in, paper, saves, time, lock, submit), reconnection without
// losing an answer, integrity reports and webcam snapshots. The screens only read state (its shape is
// state.ts) and call the actions at the bottom. Beside it: the device-health report and the screen
// sender (device-reports.ts), the integrity events' throttle and queue (integrity-reports.ts).
import type {
  ClientMessage,
  ErrorMessage,
  HelloMessage,
  IntegrityKind,
  LoggedInMessage,
  PaperMessage,
  PcState,
  ServerMessage,
  SessionInfo,
  SubmittedMessage,
  TimeMessage,
} from '../../protocol.ts';
import { whoAmI } from '../../../web/http.ts';
import { storage, storeLang, storedLang, type Lang } from '../../../web/i18n.ts';
import { DevicePairing } from '../../../web/pairing.ts';
import { rotateDeviceToken } from '../../../web/device-token.ts';
import { Store } from '../../../web/store.ts';
import { CLOSE, Connection } from './connection.ts';
import { STRINGS } from './i18n.ts';
import { installIntegrityHooks } from './integrity.ts';
import { SaveQueue } from './saves.ts';
import { Webcam } from './webcam.ts';
import { appHashOfPage, cameraStateOfError, cameraUnreachable, displayOf } from '../../../web/device-health.ts';
import { DeviceReports } from './device-reports.ts';
import { IntegrityReports } from './integrity-reports.ts';
import { initialState, type Screen, type State } from './state.ts';
import type { SecureNeed } from '../../../web/secure-context.ts';

const LANG_KEY = 'examroom.terminal.lang';
/** How long the "time added" banner stays up. */
const ADDED_BANNER_MS = 30_000;

export class Controller {
  readonly store: Store<State>;
  saves: SaveQueue | null = null;
  private conn: Connection | null = null;
  private attemptKey: string | null = null;
  private attemptSessionId: string | null = null;
  private credential: string | null = null;
  private readonly pairing: DevicePairing;
  private retrySaves: ReturnType<typeof setTimeout> | undefined;
  private removeIntegrity: (() => void) | null = null;
  private webcam: Webcam | null = null;
  /** The device-health report and the screen sender. */
  private readonly device: DeviceReports;
  /** Integrity events, sent while logged in on this connection, queued otherwise. */
  private readonly integrity: IntegrityReports;
  private noticeId = 0;
  private helloAt = 0;
  private paperOnThisConnection = false;
  private loggedInOnThisConnection = false;
  private deviceId: string | null;
  private resultTimer: ReturnType<typeof setTimeout> | undefined;
  /** This page was (re)loaded into an attempt it had not shown: a result arriving now is not shown (privacy). */
  private resumedUnseen = false;
  private addedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly loc: Location) {
    const lang = storedLang(LANG_KEY);
    const params = new URLSearchParams(loc.search);
    this.deviceId = params.get('device');
    this.pairing = new DevicePairing({
      kind: 'terminal',
      deviceId: this.deviceId,
      pollMs: 2_000,
      show: (pairing) => this.store.set({ pairing }),
      approved: () => this.connect(),
    });
    // `?screen=off|tab|desktop` (default desktop): what the kiosk's Chromium is set up to capture.
    const screen = params.get('screen');
    this.device = new DeviceReports(loc, screen === 'off' || screen === 'tab' ? screen : 'desktop');
    this.integrity = new IntegrityReports(
      () => this.loggedInOnThisConnection,
      (m) => this.send({ type: 'integrity', ...m }),
    );
    this.store = new Store<State>(initialState(lang));
  }

  get t() {
    return STRINGS[this.store.get().lang];
  }

  /** Server epoch ms now, from the last hello/pong/time and the monotonic clock since. */
  serverNow(): number | null {
    const h = this.store.get().hello;
    return h ? h.serverTime + (performance.now() - this.helloAt) : null;
  }

  // ------------------------------------------------------------------ start-up and pairing

  async boot(): Promise<void> {
    window.addEventListener('online', () => this.conn?.reconnectNow());
    let delay = 1_000;
    for (;;) {
      try {
        const me = await whoAmI();
        if (me?.kind === 'device' && me.device.kind === 'terminal') return this.connect();
        return this.startPairing();
      } catch {
        // The server is not answering yet (a restart, the network): keep trying, quietly.
        this.store.set({ screen: 'connecting' });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    }
  }

  async startPairing(): Promise<void> {
    this.conn?.stop();
    this.conn = null;
    this.device.stopScreen('the device is not paired');
    this.device.disconnected();
    this.store.set({ screen: 'pairing', online: false, lost: null });
    // The server restarting, or a rate limit: the pairing asks again by itself, as well as on the button.
    await this.pairing.start();
  }

  // ------------------------------------------------------------------ the gateway connection

  private connect(): void {
    if (this.store.get().screen === 'boot' || this.store.get().screen === 'pairing') this.store.set({ screen: 'connecting' });
    this.conn?.stop();
    const conn = new Connection(Connection.urlFor(this.loc), {
      open: () => {},
      message: (m) => this.onMessage(m),
      closed: (info) => void this.onClosed(info),
    });
    this.conn = conn;
    conn.start();
  }

  private async onClosed(info: { code: number; reason: string; everOpened: boolean; retryInMs: number | null }): Promise<void> {
    this.paperOnThisConnection = false;
    this.loggedInOnThisConnection = false;
    this.saves?.disconnected();
    const s = this.store.get();
    if (info.code === CLOSE.REVOKED) {
      this.endAttemptView();
      return this.startPairing();
    }
    if (info.code === CLOSE.REPLACED) {
      this.endAttemptView();
      this.device.stopScreen('another page of this terminal took over');
      this.device.disconnected();
      this.store.set({ screen: 'replaced', online: false, lost: null });
      return;
    }
    if (info.code === CLOSE.MOVED) {
      // The candidate continues at another terminal: this one goes back to the log-in screen.
      this.nextCandidate();
      if (!s.hello) this.store.set({ screen: 'connecting' });
    }
    // Refused before any hello: perhaps the device cookie is gone (revoked while we were away).
    if (!info.everOpened && s.hello === null) {
      try {
        const me = await whoAmI();
        if (!me) return this.startPairing();
      } catch {
        // server unreachable: the retry below keeps going
      }
    }
    this.store.set({
      online: false,
      lost: s.hello ? { retryAt: info.retryInMs === null ? null : performance.now() + info.retryInMs } : null,
      // Refused before a hello with a reason (e.g. "not a configured terminal"): say so on screen.
      connectError: s.hello === null && info.reason ? info.reason : null,
      saveRev: s.saveRev + 1,
    });
  }

  private send(msg: ClientMessage): boolean {
    return this.conn?.send(msg) ?? false;
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'hello':
        return this.onHello(m);
      case 'pong':
        this.syncServerTime(m.serverTime);
        return;
      case 'session':
        this.store.set({ session: m.session });
        this.leaveFinishedAttempt(m.session);
        return;
      case 'login_refused':
        this.store.set({
          loginBusy: false,
          loginError: { reason: m.reason, message: m.message },
          waitingMove: m.reason === 'wrong_seat' && m.moveRequestId !== undefined,
          ...(m.reason === 'terminal_locked' ? { loginLocked: true } : {}),
        });
        return;
      case 'login_lock':
        this.store.set({ loginLocked: m.locked, loginBusy: false, ...(m.locked ? {} : { loginError: null }) });
        return;
      case 'logged_in':
        return this.onLoggedIn(m);
      case 'paper':
        return this.onPaper(m);
      case 'time':
        this.syncServerTime(m.serverTime);
        this.store.set({ time: { msg: m, at: performance.now() } });
        this.tellAddedTime(m.lastAdded);
        return;
      case 'ack':
        this.saves?.ack(m.seq, m.no);
        this.bumpSaves();
        this.pumpSaves();
        return;
      case 'lock':
        this.store.set({ locked: m.locked ? { reason: m.reason } : null });
        return;
      case 'submitted':
        return this.onSubmitted(m);
      case 'noted':
      case 'snapshot_result':
        return;
      case 'token_rotate':
        // The device token is due: the new one comes as a cookie on an HTTP answer, the socket goes on.
        void rotateDeviceToken();
        return;
      case 'bye':
        // The close that follows says what to do; the words are for the log only.
        return;
      case 'error':
        return this.onError(m);
    }
  }

  private syncServerTime(serverTime: number): void {
    const h = this.store.get().hello;
    if (!h) return;
    this.helloAt = performance.now();
    this.store.set({ hello: { ...h, serverTime } });
  }

  private onHello(m: HelloMessage): void {
    this.helloAt = performance.now();
    this.conn?.healthy();
    this.conn?.setHeartbeat(m.limits.heartbeatIntervalMs, m.limits.heartbeatTimeoutMs);
    this.saves?.setMaxInFlight(m.limits.maxInFlightSaves);
    const s = this.store.get();
    const screen: Screen = s.screen === 'boot' || s.screen === 'connecting' || s.screen === 'pairing' ? 'login' : s.screen;
    this.store.set({ hello: m, session: m.session, online: true, lost: null, screen, pairing: null, connectError: null, loginLocked: m.loginLocked === true });
    this.leaveFinishedAttempt(m.session);
    this.device.connected(m, this.webcam !== null);
    this.device.startScreen();
    // A candidate was on this terminal before the connection dropped. The gateway re-attaches the
    // attempt by itself (logged_in with resumed: true); should it not, log in again with the same
    // credential, which it then treats as a resume.
    if (s.candidate && !s.submitted && this.credential) {
      setTimeout(() => {
        if (!this.loggedInOnThisConnection && this.conn?.isOpen) this.send({ type: 'login', credential: this.credential!, pc: this.pcState() });
      }, 1_500);
    }
    this.integrity.flush();
  }

  private onLoggedIn(m: LoggedInMessage): void {
    this.loggedInOnThisConnection = true;
    const s = this.store.get();
    const key = `examroom.terminal.${m.session.id}.${m.candidate.ticketNo}`;
    if (key !== this.attemptKey) {
      this.attemptKey = key;
      this.attemptSessionId = m.session.id;
      this.saves = new SaveQueue(`${key}.saves`, storage(), this.store.get().hello?.limits.maxInFlightSaves ?? 16);
    }
    const marked = new Set<number>(JSON.parse(storage()?.getItem(`${key}.marks`) ?? '[]') as number[]);
    const current = Number(storage()?.getItem(`${key}.current`) ?? '0') || 0;
    const sameCandidate = s.candidate?.ticketNo === m.candidate.ticketNo;
    this.resumedUnseen = m.resumed && s.candidate === null;
    // A reconnect keeps the screen; a fresh log-in reads the instructions first, unless this
    // terminal already showed them for this attempt (a reload in the middle of the exam).
    let screen: Screen = s.screen;
    if (!sameCandidate || s.screen === 'login') screen = m.resumed && storage()?.getItem(`${key}.started`) ? 'exam' : 'instructions';
    this.store.set({
      candidate: m.candidate,
      faceConsent: m.faceConsent ?? null,
      session: m.session,
      exam: m.exam,
      loginBusy: false,
      loginError: null,
      waitingMove: false,
      screen,
      questions: sameCandidate ? s.questions : null,
      marked: sameCandidate ? s.marked : marked,
      current: sameCandidate ? s.current : current,
      submitted: null,
    });
    this.startExamSideEffects();
    this.integrity.flush();
  }

  private onPaper(m: PaperMessage): void {
    const saves = this.saves;
    if (!saves) return;
    saves.sync(m.answers, m.lastSeq);
    this.paperOnThisConnection = true;
    this.resumedUnseen = false;
    const s = this.store.get();
    this.store.set({ questions: m.questions, current: Math.min(s.current, Math.max(0, m.questions.length - 1)) });
    this.bumpSaves();
    this.pumpSaves();
  }

  private onSubmitted(m: SubmittedMessage): void {
    this.saves?.forget();
    if (this.attemptKey) for (const k of ['marks', 'current', 'started', 'added']) storage()?.removeItem(`${this.attemptKey}.${k}`);
    this.stopExamSideEffects();
    this.credential = null;
    // A reloaded page never brings back a finished candidate's name and score.
    if (this.resumedUnseen) return this.nextCandidate();
    // The name and score are the candidate's business only: they leave the screen by themselves.
    const ms = (this.store.get().hello?.resultDisplaySeconds ?? 60) * 1000;
    clearTimeout(this.resultTimer);
    this.resultTimer = setTimeout(() => {
      if (this.store.get().screen === 'result') this.nextCandidate();
    }, ms);
    this.store.set({ submitted: m, submitting: false, confirming: false, screen: 'result', locked: null, added: null, resultClearsAt: performance.now() + ms });
  }

  /** Time added since the candidate was last told (kept per attempt, so a reload does not tell it twice). */
  private tellAddedTime(a: TimeMessage['lastAdded']): void {
    if (!a || !this.attemptKey || this.store.get().submitted) return;
    const key = `${this.attemptKey}.added`;
    if (Number(storage()?.getItem(key) ?? '0') >= a.at) return;
    storage()?.setItem(key, String(a.at));
    clearTimeout(this.addedTimer);
    this.store.set({ added: a });
    this.addedTimer = setTimeout(() => this.store.set({ added: null }), ADDED_BANNER_MS);
  }

  private onError(m: ErrorMessage): void {
    if (m.for === 'save' && m.seq !== undefined && this.saves) {
      const r = this.saves.refused(m.seq, m.code);
      this.bumpSaves();
      if (r?.dropped && m.code !== 'submitted' && m.code !== 'time_up') this.note(this.t.errorSaveRefused(r.no, m.reason));
      else if (r && !r.dropped) {
        // Not final (rate limited, not started, a server hiccup): the pick waits and goes again.
        clearTimeout(this.retrySaves);
        this.retrySaves = setTimeout(() => this.pumpSaves(), 1_000);
      }
      return;
    }
    if (m.for === 'login') {
      if (m.code === 'already_logged_in') return void this.send({ type: 'resync' });
      this.store.set({ loginBusy: false, loginError: { reason: null, message: m.reason } });
      return;
    }
    if (m.for === 'submit') {
      this.store.set({ submitting: false, error: m.reason });
      return;
    }
    if (m.code === 'not_logged_in' && this.credential && this.store.get().candidate) {
      this.send({ type: 'login', credential: this.credential, pc: this.pcState() });
    }
  }

  private bumpSaves(): void {
    this.store.set((s) => ({ saveRev: s.saveRev + 1 }));
  }

  /** Sends what the queue holds, once this connection has the paper (so seqs follow the server's). */
  private pumpSaves(): void {
    if (!this.saves || !this.paperOnThisConnection || !this.conn?.isOpen) return;
    for (const msg of this.saves.drain()) {
      if (!this.send(msg)) {
        this.saves.disconnected();
        break;
      }
    }
    this.bumpSaves();
  }

  /** A submitted paper stays on screen until the room's next session opens (or the next candidate). */
  private leaveFinishedAttempt(session: SessionInfo | null): void {
    const s = this.store.get();
    if (s.screen === 'result' && s.candidate && session && session.id !== this.attemptSessionId) this.nextCandidate();
  }

  /** What this page would lose outside a secure context (the words of web/secure-context.ts). */
  get secureNeed(): SecureNeed {
    return this.device.secureNeed;
  }

  // ------------------------------------------------------------------ integrity and webcam

  private startExamSideEffects(): void {
    if (!this.removeIntegrity) {
      this.removeIntegrity = installIntegrityHooks(
        (kind, detail) => this.reportIntegrity(kind, detail),
        (what) => {
          if (what === 'fullscreen') this.store.set({ fullscreenLost: true });
          else if (what === 'fullscreen_back') this.store.set({ fullscreenLost: false });
          else this.note(what === 'blocked' ? this.t.blockedNotice : this.t.integrityNotice);
        },
      );
    }
    const h = this.store.get().hello;
    if (!this.webcam && h && h.snapshotIntervalSeconds > 0) {
      const cam = new Webcam(h.snapshotIntervalSeconds, h.limits.maxSnapshotBytes, (jpegBase64) => {
        if (this.loggedInOnThisConnection) this.send({ type: 'snapshot', jpegBase64 });
      });
      this.webcam = cam;
      void cam.start().then((ok) => {
        if (this.webcam !== cam) return;
        this.store.set({ camera: ok });
        if (ok) this.device.update({ camera: 'available' });
        else
          this.device.update(
            cameraUnreachable()
              ? { camera: cameraUnreachable()! }
              : cam.lastError
                ? cameraStateOfError(cam.lastError)
                : { camera: 'error', cameraDetail: 'the camera did not play' },
          );
      });
    }
  }

  private stopExamSideEffects(): void {
    this.removeIntegrity?.();
    this.removeIntegrity = null;
    this.webcam?.stop();
    this.webcam = null;
    this.store.set({ camera: false, fullscreenLost: false });
  }

  private endAttemptView(): void {
    this.stopExamSideEffects();
  }

  /** An integrity event from the page (throttled; queued while the connection is down). */
  reportIntegrity(kind: IntegrityKind, detail?: string): void {
    this.integrity.report(kind, detail);
  }

  private note(text: string): void {
    const id = ++this.noticeId;
    this.store.set({ notice: { text, id } });
    setTimeout(() => {
      if (this.store.get().notice?.id === id) this.store.set({ notice: null });
    }, 4_000);
  }

  // ------------------------------------------------------------------ actions (called by the screens)

  setLang(lang: Lang): void {
    storeLang(LANG_KEY, lang);
    this.store.set({ lang });
  }

  /** Back to the log-in screen after a submission, for whoever sits here next. */
  nextCandidate(): void {
    clearTimeout(this.resultTimer);
    clearTimeout(this.addedTimer);
    this.stopExamSideEffects();
    this.credential = null;
    this.attemptKey = null;
    this.attemptSessionId = null;
    this.saves = null;
    this.store.set({
      screen: 'login',
      candidate: null,
      faceConsent: null,
      exam: null,
      questions: null,
      current: 0,
      view: 'question',
      marked: new Set(),
      time: null,
      locked: null,
      submitted: null,
      confirming: false,
      loginError: null,
      added: null,
      resultClearsAt: null,
    });
  }

  retryPairing(): void {
    void this.startPairing();
  }

  login(credential: string): void {
    // Sent as typed (trimmed): the server ignores case, spaces and dashes (381-2045-7796 = 38120457796).
    const c = credential.trim();
    if (!c) return;
    this.credential = c;
    if (!this.send({ type: 'login', credential: c, pc: this.pcState() })) return;
    this.store.set({ loginBusy: true, loginError: null });
  }

  /** What every log-in tells the server of this PC (terminal/protocol.ts PcStateT): build, captured surface, full screen. */
  private pcState(): PcState {
    const sc = window.__screen;
    const recording = sc?.captured && sc.state !== 'unavailable' && sc.state !== 'stopped' && sc.lastError !== 'screen capture ended';
    const d = displayOf();
    return { appHash: appHashOfPage(), surface: recording ? (sc.captured?.displaySurface ?? null) : null, fullscreen: d.fullscreen || d.kiosk };
  }

  startAnswering(): void {
    if (!this.store.get().questions) return;
    if (this.attemptKey) storage()?.setItem(`${this.attemptKey}.started`, '1');
    this.store.set({ screen: 'exam', view: 'question' });
    // Kiosk mode is full screen already; elsewhere ask for it (leaving it is reported).
    if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
  }

  enterFullscreen(): void {
    document.documentElement.requestFullscreen?.().catch(() => {});
  }

  goTo(index: number): void {
    const s = this.store.get();
    if (!s.questions) return;
    const current = Math.max(0, Math.min(s.questions.length - 1, index));
    if (this.attemptKey) storage()?.setItem(`${this.attemptKey}.current`, String(current));
    this.store.set({ current, view: 'question' });
  }

  showSheet(show: boolean): void {
    this.store.set({ view: show ? 'sheet' : 'question' });
  }

  /** Picks option `option` of the current question: single and judge replace, multiple toggles. */
  choose(no: number, option: number): void {
    const s = this.store.get();
    const q = s.questions?.find((x) => x.no === no);
    if (!q || !this.saves || s.locked || s.submitted || this.timeState() === 'paused' || this.timeState() === 'over') return;
    if (option < 0 || option >= q.options.length) return;
    const before = this.saves.choiceOf(no);
    const choice = q.type === 'multiple' ? (before.includes(option) ? before.filter((x) => x !== option) : [...before, option]) : [option];
    this.saves.answer(no, choice);
    this.bumpSaves();
    this.pumpSaves();
  }

  toggleMark(no: number): void {
    const s = this.store.get();
    const marked = new Set(s.marked);
    if (marked.has(no)) marked.delete(no);
    else marked.add(no);
    if (this.attemptKey) storage()?.setItem(`${this.attemptKey}.marks`, JSON.stringify([...marked]));
    this.store.set({ marked });
  }

  askSubmit(show: boolean): void {
    this.store.set({ confirming: show, error: null });
  }

  submit(): void {
    const s = this.store.get();
    if (!s.online || s.submitting || (this.saves?.unsaved ?? 0) > 0) return;
    if (this.send({ type: 'submit', confirm: true })) this.store.set({ submitting: true });
  }

  timeState(): TimeMessage['state'] | null {
    return this.store.get().time?.msg.state ?? null;
  }

  /** Remaining ms as the server last said, counted down on the monotonic clock while running. */
  remainingMs(): number | null {
    const t = this.store.get().time;
    if (!t || t.msg.remainingMs === null) return null;
    if (t.msg.state !== 'running') return t.msg.remainingMs;
    return Math.max(0, t.msg.remainingMs - (performance.now() - t.at));
  }
}
