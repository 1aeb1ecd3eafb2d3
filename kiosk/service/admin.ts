// Admin views: the attempts, and a capture (each view audited).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFound } from '../../core/index.ts';
import { distance } from '../face/index.ts';
import { maskIdNumber } from '../../core/index.ts';
import type { IdentityState } from './state.ts';
import { expireStale } from './outcomes.ts';

export function listAttempts(st: IdentityState, f: { sessionId?: string; limit?: number }) {
  // What staff read is never an attempt hanging open past its expiry.
  expireStale(st);
  return st.store.list(f).map((a) => ({
    id: a.id,
    kioskId: a.kioskId,
    sessionId: a.sessionId,
    classId: a.classId,
    action: a.action,
    idNumber: maskIdNumber(a.idNumber),
    source: a.source,
    challenge: a.challenge,
    startedAt: new Date(a.startedAt).toISOString(),
    decidedAt: a.decidedAt ? new Date(a.decidedAt).toISOString() : null,
    decision: a.decision,
    reason: a.reason,
    detail: a.detail,
    distance: a.distance,
    cardDistance: a.cardDistance,
    threshold: a.threshold,
    seat: a.seat,
    capture: a.capture,
    captureExpiresAt: a.captureExpiresAt ? new Date(a.captureExpiresAt).toISOString() : null,
    overrideBy: a.overrideBy,
    overrideReason: a.overrideReason,
  }));
}

export function captureOf(st: IdentityState, attemptId: string, actor: string, ip: string | null): Buffer {
  const a = st.store.attempt(attemptId);
  if (!a) throw new NotFound(`no verification attempt ${JSON.stringify(attemptId)}`);
  if (!a.capture) throw new NotFound(`attempt ${attemptId} has no capture (it was never verified)`);
  const file = join(st.paths.captures, a.capture);
  if (!existsSync(file)) throw new NotFound(`capture ${a.capture} is missing from the captures folder`);
  st.audit.append({ actor, action: 'kiosk.capture.view', target: attemptId, detail: { sessionId: a.sessionId, idNumber: maskIdNumber(a.idNumber) }, ip });
  return st.vault.readFile(file);
}
