// What the kiosk's screens render: one state object (held in a Store by the controller), its types, and
// the state a freshly loaded page starts from. Only controller.ts changes it.
import type { ReaderEvent } from '../../protocol.ts';
import type { Lang } from '../../../web/i18n.ts';
import type { PairingState } from '../../../web/pairing.ts';
import type {
  CandidateView,
  Challenge,
  ConsentAsk,
  FaceAttempts,
  GiveUpHint,
  KioskClass,
  KioskState,
  LessonView,
  QualityHint,
  RatingToken,
  RefusalFacts,
  SessionView,
  SignAction,
} from './api.ts';
import type { CameraStatus } from './camera.ts';

/**
 * consent: the face-recognition notice, before any capture; declined: the person said no, staff check the ID card by eye.
 * signed: a trainee's sign-in or sign-out recorded (after a sign-out, the teacher rating and its QR code).
 */
export type Screen = 'boot' | 'pairing' | 'idle' | 'looking' | 'refused' | 'consent' | 'declined' | 'capture' | 'admitted' | 'failed' | 'signed';

export type { PairingState };

export interface Attempt {
  attemptId: string;
  candidate: CandidateView;
  session: SessionView;
  seat: string | null;
  challenge: Challenge;
  /** A trainee signing in or out of a lesson (training mode), not a candidate. */
  training: { action: SignAction; classId: string; className: string; lesson: LessonView } | null;
}

/** A sign-in or sign-out as recorded by the server (face or the 班主任's confirmation). */
export interface Signed {
  decision: 'checked_in' | 'checked_out';
  name: string;
  topic: string;
  at: string;
  lateMinutes: number | null;
  earlyMinutes: number | null;
  hours: number | null;
  totalHours: number;
  by: string | null;
}

/** The rating step after a sign-out: one teacher at a time, each with the one-time token the QR code also carries. */
export interface Rating {
  className: string;
  teachers: RatingToken[];
  index: number;
  score: number | null;
  comment: string;
  busy: boolean;
  /** Rated (or refused: already rated) teachers' names, in order. */
  rated: string[];
  error: string | null;
}

/** Where the capture screen is: aligning the face, doing the challenge, waiting for the verdict. */
export type CapturePhase = 'align' | 'challenge' | 'verifying';

export type Hint = QualityHint | 'too_dark' | 'ok';

export interface State {
  lang: Lang;
  screen: Screen;
  pairing: PairingState | null;
  kiosk: KioskState | null;
  /** The server's event stream (card reader announcements) is open. */
  live: boolean;
  /** A request or the event stream failed: the banner shows until the server answers again. */
  offline: boolean;
  /** The ID-card reader, as its bridge last said (null: the server has heard nothing of a reader yet). */
  reader: ReaderEvent | null;
  typed: string;
  typedError: string | null;
  /** A lookup refusal (not on roster, wrong day…): shown, then back to idle. */
  refusal: {
    reason: string;
    message: string;
    detail: string;
    candidate: { name: string; idNumberMasked: string } | null;
    session: SessionView | null;
    seat: string | null;
  } | null;
  attempt: Attempt | null;
  /** The notice being shown (both languages: the language toggle switches the text and what is recorded). */
  consent: { notice: NonNullable<ConsentAsk['notice']>; previous: 'accepted' | 'declined' | null; busy: boolean } | null;
  camera: CameraStatus;
  phase: CapturePhase;
  hint: Hint | null;
  /** 0–1 while the challenge frames are taken. */
  progress: number;
  /**
   * The verification refusal being shown: the candidate sees the person-worded text of `reason` (and of
   * `hint`, for a timeout), staff in the dialog words built from `reason` and `facts` — both in the screen's
   * language. The engine's English account stays on the server (audit log, the attempt's record).
   * reason `face_attempts_used`: the lookup said no face check is left, so no face is taken and staff decide.
   */
  failure: {
    reason: string;
    message: string;
    distance: number | null;
    threshold: number;
    facts: RefusalFacts | null;
    retryAllowed: boolean;
    /** The person's face checks in this session as the server counts them (limit null: no limit, a trainee). */
    faceAttempts: FaceAttempts;
    hint: GiveUpHint | null;
    waitedSeconds: number | null;
  } | null;
  /** seat null: admitted but not seated yet (staff seat the candidate). */
  admitted: { name: string; seat: string | null; roomName: string; by: string | null } | null;
  /** Today's training classes in this kiosk's rooms (null until asked; [] on a plain exam entrance). */
  training: KioskClass[] | null;
  /** The class a trainee signs in to (the kiosk's only class, or the one staff picked). */
  trainingClassId: string | null;
  /** Sign in or sign out: what the next lookup asks for. */
  action: SignAction;
  signed: Signed | null;
  rating: Rating | null;
  overrideOpen: boolean;
  overrideBusy: boolean;
  overrideError: string | null;
  /** performance.now() at which the current screen returns to idle by itself, or null. */
  returnAt: number | null;
  error: string | null;
}

/** A page just loaded: nothing known until boot asks the server who this device is. */
export function initialState(lang: Lang): State {
  return {
    lang,
    screen: 'boot',
    pairing: null,
    kiosk: null,
    live: false,
    offline: false,
    reader: null,
    typed: '',
    typedError: null,
    refusal: null,
    attempt: null,
    consent: null,
    camera: 'off',
    phase: 'align',
    hint: null,
    progress: 0,
    failure: null,
    admitted: null,
    training: null,
    trainingClassId: null,
    action: 'check_in',
    signed: null,
    rating: null,
    overrideOpen: false,
    overrideBusy: false,
    overrideError: null,
    returnAt: null,
    error: null,
  };
}
