// The kiosk's HTTP calls, as docs/kiosk-api.md defines them. The shapes are kiosk's protocol
// (kiosk/protocol.ts), which the server's routes answer with; HTTP, who-am-I and pairing are the web kit's.
import { call } from '../../../web/http.ts';
import type { ConsentBody, ConsentReply, GiveUpBody, KioskState, LookupBody, LookupReply, OverrideReply, QualityReply, VerifyReply } from '../../protocol.ts';

export type {
  CandidateView,
  ConsentAsk,
  ConsentDecision,
  FaceNotice,
  CardEvent,
  Challenge,
  GiveUpHint,
  KioskState,
  LookupBody,
  LookupReply,
  OverrideReply,
  QualityHint,
  QualityReply,
  SessionView,
  VerifyReply,
} from '../../protocol.ts';

export const kioskState = () => call<KioskState>('GET', '/api/kiosk/state');
export const lookup = (body: LookupBody) => call<LookupReply>('POST', '/api/kiosk/lookup', body);
export const quality = (frame: string, signal?: AbortSignal) => call<QualityReply>('POST', '/api/kiosk/quality', { frame }, signal);
export const verify = (attemptId: string, frames: string[]) =>
  call<VerifyReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/verify`, { frames });
export const giveUp = (attemptId: string, body: GiveUpBody) => call<VerifyReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/give-up`, body);
export const override = (attemptId: string, body: { username: string; password: string; reason: string }) =>
  call<OverrideReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/override`, body);
/** The person's choice on the face-recognition notice, naming the notice shown (issue 23). */
export const consent = (attemptId: string, body: ConsentBody) =>
  call<ConsentReply>('POST', `/api/kiosk/attempts/${encodeURIComponent(attemptId)}/consent`, body);
