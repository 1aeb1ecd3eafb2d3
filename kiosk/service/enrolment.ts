// Reference photos: each roster or ID-card photo enrolled once and cached by file (content-addressed
// names make the path a cache key), in the background after a roster import, again when missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isCurrentDescriptor, type FaceWarning } from '../face/index.ts';
import { maskIdNumber } from '../../core/index.ts';
import type { EnrolOutcome } from './types.ts';
import { broadcast, engine, type IdentityState } from './state.ts';
import { TOKEN_ROTATE_EVENT } from '../protocol.ts';
import { ENROLMENT_ERASED, ENROLMENT_RETENTION_DELETED } from '../../storage/index.ts';

// Refusals a reference no longer gets (it is enrolled with a warning instead): a stored one of these
// dates from the earlier policy and is enrolled again rather than trusted.
// A template the retention rule deleted is made again when a live session needs the photo once more.
const retakeOnly = new Set<string>(['too_small', 'too_blurred', 'turned_away', ENROLMENT_RETENTION_DELETED]);

/** The descriptor of a stored photo (relative to captures/), enrolled once and cached by file. */
export function enrolPhoto(st: IdentityState, photo: string, opts: { refresh?: boolean } = {}): Promise<EnrolOutcome> {
  // Its owner asked for erasure (storage/face-retention.ts): not even "enrol again" makes a new template;
  // the kiosk's staff check by eye instead.
  const marker = st.store.enrolment(photo);
  if (marker?.status === 'refused' && (marker.reason as string) === ENROLMENT_ERASED)
    return Promise.resolve({ ok: false, reason: marker.reason, detail: marker.detail });
  if (!opts.refresh) {
    const known = st.store.enrolment(photo);
    // A descriptor of another model or computed another way (descriptor version) is not comparable with
    // today's probes: enrol the photo again.
    if (known?.status === 'ok' && isCurrentDescriptor(known.quality))
      return Promise.resolve({ ok: true, descriptor: known.descriptor, warnings: known.quality?.warnings ?? [] });
    if (known?.status === 'refused' && !retakeOnly.has(known.reason)) return Promise.resolve({ ok: false, reason: known.reason, detail: known.detail });
  }
  let p = st.enrolling.get(photo);
  if (p) return p;
  p = (async (): Promise<EnrolOutcome> => {
    const file = join(st.paths.captures, photo);
    if (!existsSync(file)) return { ok: false, reason: 'missing', detail: `photo file ${photo} is missing from the captures folder` };
    // A roster or ID-card photo cannot be retaken: blur, size and turn are warnings, not refusals.
    const r = await (await engine(st)).enrol(st.vault.readFile(file), { mode: 'accurate', purpose: 'reference' });
    const now = st.clock.now();
    if (r.ok) {
      st.store.saveEnrolment({ photo, status: 'ok', descriptor: r.descriptor, quality: r.quality, enrolledAt: now });
      return { ok: true, descriptor: r.descriptor, warnings: r.quality.warnings ?? [] };
    }
    st.store.saveEnrolment({ photo, status: 'refused', reason: r.reason, detail: r.detail, enrolledAt: now });
    return { ok: false, reason: r.reason, detail: r.detail };
  })().finally(() => st.enrolling.delete(photo));
  st.enrolling.set(photo, p);
  return p;
}

/** Enrols a session's roster photos one after another; returns how each went. */
export async function enrolSession(st: IdentityState, sessionId: string, opts: { refresh?: boolean } = {}) {
  const out: {
    idNumber: string;
    name: string;
    photo: string | null;
    status: 'ok' | 'refused' | 'no_photo';
    reason: string | null;
    detail: string | null;
    warnings: FaceWarning[];
  }[] = [];
  for (const e of st.plans.roster(sessionId)) {
    if (st.stopped) break;
    if (!e.photo) {
      out.push({
        idNumber: maskIdNumber(e.idNumber),
        name: e.name,
        photo: null,
        status: 'no_photo',
        reason: null,
        detail: 'no photo on the roster',
        warnings: [],
      });
      continue;
    }
    const r = await enrolPhoto(st, e.photo, opts);
    out.push({
      idNumber: maskIdNumber(e.idNumber),
      name: e.name,
      photo: e.photo,
      status: r.ok ? 'ok' : 'refused',
      reason: r.ok ? null : r.reason,
      detail: r.ok ? null : r.detail,
      warnings: r.ok ? r.warnings : [],
    });
  }
  return out;
}

/** 'erased' (the person's request) or 'deleted' (retention) for a row kept after its descriptor went. */
function markerState(k: { status: string; reason?: string }): 'erased' | 'deleted' | null {
  if (k.status !== 'refused') return null;
  return k.reason === ENROLMENT_ERASED ? 'erased' : k.reason === ENROLMENT_RETENTION_DELETED ? 'deleted' : null;
}

/** Without the engine: what is known so far, so staff see refused photos before the exam day. */
export function enrolments(st: IdentityState, sessionId: string) {
  st.plans.session(sessionId);
  return st.plans.roster(sessionId).map((e) => {
    const k = e.photo ? st.store.enrolment(e.photo) : null;
    return {
      idNumber: maskIdNumber(e.idNumber),
      ticketNo: e.ticketNo,
      name: e.name,
      photo: e.photo,
      status: !e.photo ? 'no_photo' : !k ? 'pending' : (markerState(k) ?? k.status),
      reason: k?.status === 'refused' && !markerState(k) ? k.reason : null,
      detail: k?.status === 'refused' && !markerState(k) ? k.detail : null,
      // Usable but poor (blurred, small, turned): staff see why, and may replace the photo.
      warnings: k?.status === 'ok' ? (k.quality?.warnings ?? []) : [],
      enrolledAt: k ? new Date(k.enrolledAt).toISOString() : null,
    };
  });
}

/** Background enrolment of imported rosters' photos, and the kiosks told when sessions or admissions change. Returns the stop. */
export function listenToBus(st: IdentityState): () => void {
  const offImported = st.bus.on('roster.imported', ({ sessionId }) => {
    if (!st.config.identity.enrolOnImport) return;
    // Only rosters with photos wake the engine: an import without photos costs nothing.
    const pending = st.plans.roster(sessionId).filter((e) => {
      const k = e.photo ? st.store.enrolment(e.photo) : undefined;
      return e.photo && (!k || (k.status === 'refused' && (k.reason as string) === ENROLMENT_RETENTION_DELETED));
    });
    if (pending.length === 0) return;
    st.backgroundQueue = st.backgroundQueue
      .then(() => enrolSession(st, sessionId))
      .then((r) => {
        const refused = r.filter((x) => x.status === 'refused');
        if (refused.length) st.deps.log?.warn({ sessionId, refused: refused.length }, 'roster photos the face engine cannot use');
        const poor = r.filter((x) => x.warnings.length > 0);
        if (poor.length) st.deps.log?.warn({ sessionId, warned: poor.length }, 'roster photos enrolled with quality warnings');
      })
      .catch((err: unknown) => st.logError(err, 'background enrolment failed'));
  });
  const offStatus = st.bus.on('session.status', () => broadcast(st, null, 'session', {}));
  const offAdmitted = st.bus.on('candidate.admitted', () => broadcast(st, null, 'session', {}));
  // This kiosk's device token is due: its page fetches the new one (kiosk/protocol.ts TOKEN_ROTATE_EVENT).
  const offTokens = st.bus.on('device.token_due', ({ deviceId, kind }) => {
    if (kind === 'kiosk') broadcast(st, deviceId, TOKEN_ROTATE_EVENT, {});
  });
  return () => {
    offImported();
    offStatus();
    offAdmitted();
    offTokens();
  };
}
