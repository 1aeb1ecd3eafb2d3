// What the kiosk's screens render: one state object (held in a Store by the controller), its types, and
// the state a freshly loaded page starts from. Only controller.ts changes it.
import type { ReaderEvent } from '../../protocol.ts';
import type { Lang } from '../../../web/i18n.ts';
import type { PairingState } from '../../../web/pairing.ts';
import type { CandidateView, Challenge, ConsentAsk, GiveUpHint, KioskState, QualityHint, SessionView } from './api.ts';
import type { CameraStatus } from './camera.ts';

/** A candidate gets this many face checks before only staff can decide. */
export const MAX_TRIES = 3;

/** consent: the face-recognition notice, before any capture; declined: the person said no, staff check the ID card by eye. */
export type Screen = 'boot' | 'pairing' | 'idle' | 'looking' | 'refused' | 'consent' | 'declined' | 'capture' | 'admitted' | 'failed';

export type { PairingState };

export interface Attempt {
  attemptId: string;
  candidate: CandidateView;
  session: SessionView;
  seat: string | null;
  challenge: Challenge;
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
   * The verification refusal being shown. `detail` is the engine's account, for staff (override dialog);
   * the candidate sees the person-worded text of `reason` (and of `hint`, for a timeout) in their language.
   */
  failure: {
    reason: string;
    message: string;
    detail: string;
    distance: number | null;
    threshold: number;
    retryAllowed: boolean;
    hint: GiveUpHint | null;
    waitedSeconds: number | null;
  } | null;
  /** seat null: admitted but not seated yet (staff seat the candidate). */
  admitted: { name: string; seat: string | null; roomName: string; by: string | null } | null;
  /** How many verifications this candidate has used (a retry is a new attempt). */
  tries: number;
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
    tries: 0,
    overrideOpen: false,
    overrideBusy: false,
    overrideError: null,
    returnAt: null,
    error: null,
  };
}
