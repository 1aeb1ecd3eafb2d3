// The kiosk's HTTP calls, as docs/kiosk-api.md defines them. The shapes are kiosk's protocol
// (kiosk/protocol.ts), which the server's routes answer with; HTTP, who-am-I and pairing are the web kit's.
import { call } from '../../../web/http.ts';
import type {
  CancelBody,
  CancelReply,
  ConsentBody,
  ConsentReply,
  GiveUpBody,
  KioskState,
  LookupBody,
  LookupReply,
  OverrideReply,
  QualityReply,
  VerifyReply,
} from '../../protocol.ts';
import type { KioskClass, TrainingLookupBody, TrainingLookupReply, TrainingSigned } from '../../../training/protocol.ts';
import type { RatingDone, RatingOffer } from '../../../training/ratings/protocol.ts';

export type {
  CandidateView,
  ConsentAsk,
  ConsentDecision,
  FaceNotice,
  CancelStage,
  CardEvent,
  Challenge,
  FaceAttempts,
  GiveUpHint,
  KioskState,
  LookupBody,
  LookupReply,
  OverrideReply,
  QualityHint,
  QualityReply,
  RefusalFacts,
  SessionView,
  VerifyReply,
} from '../../protocol.ts';

export const kioskState = () => call<KioskState>('GET', '/api/kiosk/state');
export const lookup = (body: LookupBody) => call<LookupReply>('POST', '/api/kiosk/lookup', body);
/** One frame of the face guide, for an attempt whose person accepted the notice (the server refuses it otherwise). */
export const quality = (attemptId: string, frame: string, signal?: AbortSignal) =>
  call<QualityReply>('POST', '/api/kiosk/quality', { attemptId, frame }, signal);
/** The kiosk left an undecided attempt (取消, 返回, or the screen timed out): the server records it cancelled. */
export const cancelAttempt = (attemptId: string, body: CancelBody) =>
  call<CancelReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/cancel`, body);
/** An exam attempt is admitted or refused; a training attempt answers with the sign-in or sign-out recorded. */
export const verify = (attemptId: string, frames: string[]) =>
  call<VerifyReply | TrainingSigned>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/verify`, { frames });
export const giveUp = (attemptId: string, body: GiveUpBody) => call<VerifyReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/give-up`, body);
export const override = (attemptId: string, body: { username: string; password: string; reason: string }) =>
  call<OverrideReply | TrainingSigned>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/override`, body);
/** The person's choice on the face-recognition notice, naming the notice shown (issue 23). */
export const consent = (attemptId: string, body: ConsentBody) =>
  call<ConsentReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/consent`, body);

// ------------------------------------------------------------------ training (培训考勤): training/protocol.ts, training/ratings/protocol.ts

export type { KioskClass, LessonView, SignAction, TrainingLookupBody, TrainingLookupReply, TrainingSigned } from '../../../training/protocol.ts';
export type { RatingDone, RatingOffer, RatingToken } from '../../../training/ratings/protocol.ts';

/** Today's classes in this kiosk's rooms, each with today's lessons. */
export const trainingClasses = () => call<KioskClass[]>('GET', '/api/kiosk/training');
export const trainingLookup = (classId: string, body: TrainingLookupBody) =>
  call<TrainingLookupReply>('POST', `/api/kiosk/training/${encodeURIComponent(classId)}/lookup`, body);
/** After a sign-out: the teachers the trainee may rate now, each with a one-time token (also for the QR code). */
export const ratingOffer = (attemptId: string) => call<RatingOffer>('POST', '/api/kiosk/training/ratings/offer', { attemptId });
export const rateAtKiosk = (token: string, score: number, comment: string) =>
  call<RatingDone>('POST', '/api/kiosk/training/ratings', { token, score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
