// Separate consent to face recognition (issue 23; 人脸识别技术应用安全管理办法 and PIPL art. 29): asked at
// the kiosk once per exam session or training class, before any capture, and recorded in face_consents
// (migration 028; kiosk/ is its only writer). Rows are never changed: a later choice is a new row and the
// newest is the one in force. A decline is never a dead end — staff check the ID card by eye instead
// (override.ts) — and no face of a person without an acceptance in force is ever compared.
import { Conflict, maskIdNumber } from '../../core/index.ts';
import type { Db } from '../../storage/index.ts';
import type { ConsentAsk, ConsentBody, ConsentDecision, ConsentReply } from '../protocol.ts';
import type { IdentityAttempt } from '../store.ts';
import { faceNotice, faceNotices } from './notice.ts';
import type { IdentityState } from './state.ts';

/** Whose consent: the exam session's (admission and its seat re-checks) or the training class's. */
export type ConsentScope = { sessionId: string } | { classId: string };

export interface FaceConsent {
  decision: ConsentDecision;
  /** Server time, ms since the epoch. */
  decidedAt: number;
  noticeVersion: string;
}

/**
 * The consent in force for a person in a session or class: the newest row, or null when never asked.
 * A plain function of the database, so a reader elsewhere (the terminal's seat check) needs no service.
 */
export function faceConsentOf(db: Db, scope: ConsentScope, idNumber: string): FaceConsent | null {
  const [col, id] = 'sessionId' in scope ? ['session_id', scope.sessionId] : ['class_id', scope.classId];
  const row = db
    .prepare(
      `SELECT decision, decided_at AS decidedAt, notice_version AS noticeVersion FROM face_consents WHERE ${col} = ? AND id_number = ? ORDER BY id DESC LIMIT 1`,
    )
    .get(id, idNumber) as FaceConsent | undefined;
  return row ?? null;
}

export const scopeOf = (a: IdentityAttempt): ConsentScope => (a.classId ? { classId: a.classId } : { sessionId: a.sessionId! });
const scopeText = (s: ConsentScope) => ('sessionId' in s ? `session ${s.sessionId}` : `class ${s.classId}`);

export function faceConsent(st: IdentityState, scope: ConsentScope, idNumber: string): FaceConsent | null {
  return faceConsentOf(st.db, scope, idNumber);
}

/** What a lookup tells the kiosk: whether to show the notice, and the notice to show. */
export function consentAsk(st: IdentityState, scope: ConsentScope, idNumber: string): ConsentAsk {
  const c = faceConsentOf(st.db, scope, idNumber);
  const inForce = c ? { decision: c.decision, decidedAt: new Date(c.decidedAt).toISOString(), noticeVersion: c.noticeVersion } : null;
  // The notice comes even when not needed: a person who accepted may withdraw at the kiosk, naming what they read.
  return { needed: c?.decision !== 'accepted', inForce, notice: faceNotices(st.config) };
}

/**
 * The person's choice at the kiosk, on an open attempt of this kiosk. The notice they saw must be the one
 * in force (same version and text hash): a consent names exactly what the person read. Stored and audited
 * in one transaction before the answer, then announced on the bus (face.consent).
 */
export function recordConsent(st: IdentityState, a: IdentityAttempt, body: ConsentBody): ConsentReply {
  const notice = faceNotice(st.config, body.lang);
  if (body.noticeVersion !== notice.version || body.noticeSha256 !== notice.sha256)
    throw new Conflict(
      `the notice shown (version ${body.noticeVersion}, SHA-256 ${body.noticeSha256.slice(0, 12)}…) is not the one in force (version ${notice.version}, SHA-256 ${notice.sha256.slice(0, 12)}…); look the ID up again to show the current notice`,
    );
  const scope = scopeOf(a);
  const at = st.clock.now();
  st.db
    .transaction(() => {
      st.db
        .prepare(
          `INSERT INTO face_consents (id_number, session_id, class_id, decision, notice_version, notice_sha256, notice_lang, device_id, attempt_id, decided_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.idNumber, a.sessionId, a.classId, body.decision, notice.version, notice.sha256, body.lang, a.kioskId, a.id, at);
      st.audit.append({
        actor: `device:${a.kioskId}`,
        action: body.decision === 'accepted' ? 'kiosk.consent.accepted' : 'kiosk.consent.declined',
        target: a.classId ?? a.sessionId,
        detail: {
          attemptId: a.id,
          idNumber: maskIdNumber(a.idNumber),
          scope: scopeText(scope),
          noticeVersion: notice.version,
          noticeSha256: notice.sha256,
          lang: body.lang,
        },
      });
    })
    .immediate();
  st.bus.emit('face.consent', {
    idNumber: a.idNumber,
    sessionId: a.sessionId,
    classId: a.classId,
    decision: body.decision,
    noticeVersion: notice.version,
    kioskId: a.kioskId,
    attemptId: a.id,
    at,
  });
  return { ok: true, attemptId: a.id, decision: body.decision, decidedAt: new Date(at).toISOString(), noticeVersion: notice.version };
}

/** No capture is compared without an acceptance in force for the attempt's session or class. */
export function requireAccepted(st: IdentityState, a: IdentityAttempt): void {
  const c = faceConsentOf(st.db, scopeOf(a), a.idNumber);
  if (c?.decision === 'accepted') return;
  throw new Conflict(
    c
      ? `${maskIdNumber(a.idNumber)} declined face recognition for ${scopeText(scopeOf(a))}; no face is taken — staff check the ID card by eye (override)`
      : `${maskIdNumber(a.idNumber)} has not been shown the face-recognition notice for ${scopeText(scopeOf(a))}; record the choice (POST /api/kiosk/attempts/${a.id}/consent) before any capture`,
  );
}

/** Whether the person's last word for the attempt's session or class was a decline (the staff path is then theirs by right). */
export function declined(st: IdentityState, a: IdentityAttempt): boolean {
  return faceConsentOf(st.db, scopeOf(a), a.idNumber)?.decision === 'declined';
}
