// Identity: the entrance kiosk (人证合一: ID → roster → live face with liveness → 1:1 verify → seat), staff
// overrides, seat re-checks of terminal snapshots, and the face check training/ uses for lesson sign-ins
// (training completes a verified training attempt through identity.onComplete / onStaffConfirm).
// It never admits without a recorded decision (face or audited override), never deletes a capture, and never
// compares a face taken at the kiosk without the person's recorded consent for that session or class.
import type { FastifyPluginAsync } from 'fastify';
import { createFaceEngine } from './face/index.ts';
import { createIdentityService, type IdentityDeps, type KioskFaceEngine } from './service/index.ts';
import { kioskRoutes } from './routes.ts';

export {
  createIdentityService,
  FRAMES,
  LOOKUP_MESSAGES,
  VERIFY_MESSAGES,
  type IdentityService,
  type IdentityDeps,
  type KioskFaceEngine,
  type LookupResult,
  type VerifyResult,
  type StaffUser,
  type Admitted,
  type FaceJudgement,
  type StaffConfirmation,
  // training/ stores members' photos and reads the kiosk's frames the same way.
  decodeBase64Image,
  writeDurably,
} from './service/index.ts';
export { createSeatChecker, type SeatCheck } from './seat-check.ts';
// Consent to face recognition (face_consents, written only here): `kiosk.identity.faceConsent(scope, idNumber)`
// on the service, or this function of the database for a reader without one. Newest row wins.
export { faceConsentOf, type ConsentScope, type FaceConsent } from './service/consent.ts';
export { faceNotice, idleNotice } from './service/notice.ts';
export type { IdentityAttempt } from './store.ts';
// records/ (the archive, score reports and room log, results packages, the person file) and training/ (the class file) read identity checks through these.
export { identityChecksOf, identityChecksOfSession, identityChecksOfClass, type IdentityCheckRecord } from './records-view.ts';
// records/privacy (a person's data on request) reads their consent decisions through this.
export { faceConsentsOf, type FaceConsentRecord } from './records-view.ts';
// The object-store tier (server/tier.ts) copies captures to the store through this; face retention deletes both.
export { captureTierFiles } from './tier-files.ts';
export { createFaceEngine, DEFAULT_THRESHOLD, DESCRIPTOR_VERSION, type FaceEngine, type FullFaceEngine } from './face/index.ts';

export type KioskDeps = Omit<IdentityDeps, 'engine'> & {
  /** A face engine to share (tests load one per file); when absent the kiosk creates its own on first use and closes it. */
  engine?: KioskFaceEngine;
};

export function createKioskService(deps: KioskDeps) {
  const shared = deps.engine ?? null;
  const identity = createIdentityService({
    ...deps,
    engine: shared
      ? () => Promise.resolve(shared)
      : () =>
          createFaceEngine({
            ...(deps.config.identity.threshold !== null ? { threshold: deps.config.identity.threshold } : {}),
            ...(deps.log ? { log: deps.log as never } : {}),
          }),
  });
  return {
    identity,
    async stop(): Promise<void> {
      identity.stop();
      // Our own engine is closed first: enrolments still queued then fail at once instead of being waited for.
      if (!shared) await identity.closeEngine();
      await identity.idle().catch(() => {});
    },
  };
}

export type KioskService = ReturnType<typeof createKioskService>;

export const kioskPlugin: FastifyPluginAsync<{ kiosk: KioskService }> = async (app, { kiosk }) => {
  await app.register(kioskRoutes, { identity: kiosk.identity });
};
