// What the terminal's screens render: one state object (held in a Store by the controller), its types,
// and the state a freshly loaded page starts from. Only controller.ts changes it.
import type { CandidateInfo, HelloMessage, LoggedInMessage, LoginRefusal, PaperQuestion, SessionInfo, SubmittedMessage, TimeMessage } from '../../protocol.ts';
import type { Lang } from '../../../web/i18n.ts';
import type { PairingState } from '../../../web/pairing.ts';

export type Screen = 'boot' | 'pairing' | 'connecting' | 'login' | 'instructions' | 'exam' | 'result' | 'replaced';

export type { PairingState };

export interface TimeState {
  msg: TimeMessage;
  /** performance.now() when it arrived: the countdown moves on the monotonic clock between pushes. */
  at: number;
}

export interface State {
  lang: Lang;
  screen: Screen;
  pairing: PairingState | null;
  /** The socket is open and the server said hello on it. */
  online: boolean;
  /** Set while the connection is down after having been up: the banner shows. */
  lost: { retryAt: number | null } | null;
  hello: HelloMessage | null;
  session: SessionInfo | null;
  loginBusy: boolean;
  /** A refusal (shown in the candidate's language, the server's words beside it) or an error text. */
  loginError: { reason: LoginRefusal | null; message: string } | null;
  waitingMove: boolean;
  /** The server locked this terminal's log-in after repeated failures; only an invigilator unlocks it. */
  loginLocked: boolean;
  candidate: CandidateInfo | null;
  /** The candidate's face-recognition choice at the kiosk (logged_in.faceConsent), for the one-line reminder. */
  faceConsent: 'accepted' | 'declined' | null;
  exam: LoggedInMessage['exam'] | null;
  questions: PaperQuestion[] | null;
  /** Index into questions. */
  current: number;
  view: 'question' | 'sheet';
  marked: ReadonlySet<number>;
  time: TimeState | null;
  locked: { reason: string | null } | null;
  confirming: boolean;
  submitting: boolean;
  submitted: SubmittedMessage | null;
  notice: { text: string; id: number } | null;
  error: string | null;
  camera: boolean;
  /** Full screen was left during the exam: a banner offers the way back. */
  fullscreenLost: boolean;
  /** Why the server refused the connection, while no hello has come. */
  connectError: string | null;
  /** Bumped whenever the save queue changes, so per-question save states re-render. */
  saveRev: number;
  /** Time an invigilator just added, told to the candidate for a while (as a pause is). */
  added: NonNullable<TimeMessage['lastAdded']> | null;
  /** When the result screen clears itself (performance.now() ms), for its "clears in N s" line. */
  resultClearsAt: number | null;
}

/** A page just loaded: nothing known until boot asks the server who this device is. */
export function initialState(lang: Lang): State {
  return {
    lang,
    screen: 'boot',
    pairing: null,
    online: false,
    lost: null,
    hello: null,
    session: null,
    loginBusy: false,
    loginError: null,
    waitingMove: false,
    loginLocked: false,
    candidate: null,
    faceConsent: null,
    exam: null,
    questions: null,
    current: 0,
    view: 'question',
    marked: new Set(),
    time: null,
    locked: null,
    confirming: false,
    submitting: false,
    submitted: null,
    notice: null,
    error: null,
    camera: false,
    connectError: null,
    fullscreenLost: false,
    saveRev: 0,
    added: null,
    resultClearsAt: null,
  };
}
