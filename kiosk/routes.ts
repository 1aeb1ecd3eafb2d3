// HTTP routes of the entrance kiosk (docs/kiosk-api.md). Handlers are thin: who is calling, call the
// service, shape the reply. The kiosk's routes accept only a paired kiosk device; staff views at the end.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, NOT_AN_EVENT_STREAM, openEventStream, wantsEventStream } from '../core/index.ts';
import type { IdentityService } from './service/index.ts';
import {
  CancelBodyT,
  CancelReplyT,
  ConsentBodyT,
  ConsentReplyT,
  CardPostT,
  kioskOfReader,
  GiveUpBodyT,
  KioskStateT,
  LookupBodyT,
  LookupReplyT,
  OverrideReplyT,
  QualityBodyT,
  QualityReplyT,
  TrainingConfirmedT,
  VerifyReplyT,
  type CancelBody,
  type ConsentBody,
  type QualityBody,
  type GiveUpBody,
} from './protocol.ts';

const closed = { additionalProperties: false } as const;
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
const AttemptId = Type.Object({ attemptId: Type.String({ minLength: 1, maxLength: 64 }) }, closed);
const IdNumber = Type.String({ minLength: 1, maxLength: 40, description: 'the 18-character ID number (full-width digits and spaces are accepted)' });
/** The lookup body (kiosk/protocol.ts); the training routes take the same. */
export const LookupBody = LookupBodyT;
const Base64 = Type.String({ minLength: 4, description: 'base64 of a JPEG, no data: prefix' });
/** What a card reader posts (kiosk/protocol.ts): an old client's five fields, or everything the reader read. */
const CardBody = CardPostT;

/**
 * The kiosk a card comes from: the kiosk device itself (an old driver holding the kiosk's token), or the
 * kiosk whose ID-card reader bridge this is (device `K1.reader`, kiosk/reader-bridge).
 */
function cardKioskOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind === 'device' && p.role === 'reader') {
    const k = kioskOfReader(p.device.id);
    if (k) return k;
  }
  return kioskOf(request);
}

/** The kiosk device calling; the route's roles already guarantee it is one. */
export function kioskOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind !== 'device' || p.role !== 'kiosk') throw new Forbidden('kiosk routes are for a paired kiosk');
  return p.device.id;
}

export const kioskRoutes: FastifyPluginAsync<{ identity: IdentityService }> = async (app, { identity }) => {
  const kioskOnly = { roles: ['kiosk' as const] };
  const staff = { roles: ['admin' as const, 'invigilator' as const] };
  const tags = ['kiosk'];

  app.get(
    '/api/kiosk/state',
    {
      config: kioskOnly,
      schema: { tags, summary: "The kiosk's idle screen: today's sessions open for check-in, with counts", response: { 200: KioskStateT } },
    },
    async (request) => identity.state(kioskOf(request)),
  );

  app.post(
    '/api/kiosk/lookup',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary: 'Look an ID up on today’s rosters; accepted → a new attempt and its liveness challenge, else the refusal',
        body: LookupBody,
        response: { 200: LookupReplyT, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply },
      },
    },
    async (request) => identity.lookup(kioskOf(request), request.body as { source: 'typed'; idNumber: string } | { source: 'card'; cardId: string }),
  );

  app.get(
    '/api/kiosk/photos/:attemptId',
    { config: kioskOnly, schema: { tags, summary: 'The roster photo of an open attempt of this kiosk', params: AttemptId } },
    async (request, reply) => {
      const { attemptId } = request.params as { attemptId: string };
      const p = identity.photoOf(kioskOf(request), attemptId);
      return reply.header('content-type', p.type).header('cache-control', 'no-store').send(p.bytes);
    },
  );

  app.post(
    '/api/kiosk/attempts/:attemptId/consent',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary:
          'The person accepted or declined face recognition after reading the notice (its version, SHA-256 and language); recorded once per session or class, before any capture',
        params: AttemptId,
        body: ConsentBodyT,
        response: { 200: ConsentReplyT, ...errors },
      },
    },
    async (request) => {
      const { attemptId } = request.params as { attemptId: string };
      return identity.recordConsent(kioskOf(request), attemptId, request.body as ConsentBody);
    },
  );

  app.post(
    '/api/kiosk/attempts/:attemptId/verify',
    {
      config: kioskOnly,
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Liveness on the frames, then 1:1 against the roster (and ID card) photo → admitted with the seat, or refused with the reason',
        params: AttemptId,
        body: Type.Object({ frames: Type.Array(Base64, { minItems: 1, maxItems: 40 }) }, closed),
        response: { 200: VerifyReplyT, ...errors },
      },
    },
    async (request) => {
      const { attemptId } = request.params as { attemptId: string };
      return identity.verify(kioskOf(request), attemptId, (request.body as { frames: string[] }).frames);
    },
  );

  app.post(
    '/api/kiosk/attempts/:attemptId/give-up',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary: 'The kiosk waited its limit without a usable face: the attempt is refused as timed_out, recorded and audited like any refusal',
        params: AttemptId,
        body: GiveUpBodyT,
        response: { 200: VerifyReplyT, ...errors },
      },
    },
    async (request) => {
      const { attemptId } = request.params as { attemptId: string };
      return identity.giveUp(kioskOf(request), attemptId, request.body as GiveUpBody);
    },
  );

  app.post(
    '/api/kiosk/attempts/:attemptId/cancel',
    {
      config: kioskOnly,
      schema: {
        tags,
        summary:
          'The kiosk left an undecided attempt: the person tapped 取消/返回 at the notice, the face guide or a staff-only screen, or the screen timed out; recorded as cancelled and audited',
        params: AttemptId,
        body: CancelBodyT,
        response: { 200: CancelReplyT, ...errors },
      },
    },
    async (request) => {
      const { attemptId } = request.params as { attemptId: string };
      return identity.cancel(kioskOf(request), attemptId, request.body as CancelBody);
    },
  );

  app.post(
    '/api/kiosk/attempts/:attemptId/override',
    {
      config: { ...kioskOnly, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary:
          'Staff at the desk admit the candidate with their own password and a reason (audited as the staff member, via this kiosk); for a training member who declined face recognition, staff confirm the sign-in or sign-out',
        params: AttemptId,
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
            reason: Type.String({ minLength: 4, maxLength: 500 }),
          },
          closed,
        ),
        response: { 200: Type.Union([OverrideReplyT, TrainingConfirmedT]), ...errors, 423: ErrorReply },
      },
    },
    async (request) => {
      const { attemptId } = request.params as { attemptId: string };
      return identity.override(kioskOf(request), attemptId, request.body as { username: string; password: string; reason: string }, request.ip);
    },
  );

  app.post(
    '/api/kiosk/quality',
    {
      // The guide polls while the candidate steps up; more than a few frames a second only queues work behind verifications.
      config: { ...kioskOnly, rateLimit: { max: 5, timeWindow: 1000, keyGenerator: (r: FastifyRequest) => r.actor } },
      schema: {
        tags,
        summary:
          'Hints for the live face guide (face found, too small, several, turned, blurred), for an open attempt whose person accepted the face-recognition notice and has face checks left',
        body: QualityBodyT,
        response: { 200: QualityReplyT, ...errors },
      },
    },
    async (request) => identity.quality(kioskOf(request), request.body as QualityBody),
  );

  app.post(
    '/api/kiosk/card',
    {
      config: { roles: ['kiosk' as const, 'reader' as const] },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags,
        summary:
          "The kiosk's ID-card reader bridge (or an old driver with the kiosk's token) posts the card it read; the kiosk app hears of it on /api/kiosk/events",
        body: CardBody,
        response: { 202: Type.Object({ cardId: Type.String() }), ...errors },
      },
    },
    async (request, reply) => reply.status(202).send(await identity.postCard(cardKioskOf(request), request.body as Parameters<IdentityService['postCard']>[1])),
  );

  app.post(
    '/api/kiosk/simulated-card',
    {
      config: { roles: ['admin' as const] },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags,
        summary: 'A card swipe simulated by an admin for a named kiosk (demo and rehearsal; audited). The face is still verified as for a real card',
        querystring: Type.Object({ kiosk: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
        body: CardBody,
        response: { 202: Type.Object({ cardId: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const { kiosk } = request.query as { kiosk: string };
      const body = request.body as Parameters<IdentityService['postCard']>[1];
      const r = await identity.postCard(kiosk, body);
      identity.auditSimulatedCard(kiosk, body.idNumber, request.actor, request.ip);
      return reply.status(202).send(r);
    },
  );

  app.get(
    '/api/kiosk/events',
    { config: kioskOnly, schema: { tags, summary: 'Server-sent events for the kiosk app: card read, session changes' } },
    async (request, reply) => {
      const kioskId = kioskOf(request);
      identity.kiosk(kioskId);
      if (!wantsEventStream(request.headers.accept)) return reply.status(406).send(NOT_AN_EVENT_STREAM);
      reply.hijack();
      const stream = openEventStream(request.raw, reply.raw);
      const unsubscribe = identity.subscribe({ kioskId, send: stream.send, close: stream.end });
      stream.onEnd(unsubscribe);
      stream.send('hello', { kioskId, serverTime: new Date().toISOString() });
      // What the page should say about its ID-card reader right now (later changes come as they happen).
      const reader = identity.readerState(kioskId);
      if (reader) stream.send('reader', reader);
    },
  );

  // ---- staff views ---------------------------------------------------------------------------------

  app.get(
    '/api/kiosk/attempts',
    {
      config: staff,
      schema: {
        tags,
        summary: 'Verification attempts with their scores, decisions and overrides (newest first)',
        querystring: Type.Object(
          { sessionId: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
          closed,
        ),
      },
    },
    async (request) => {
      const q = request.query as { sessionId?: string; limit?: number };
      const p = request.principal;
      roomGuard(request, q.sessionId);
      const list = identity.listAttempts(q);
      // Without a session named, an invigilator sees the exam attempts of their own rooms only.
      if (p?.kind === 'user' && p.role === 'invigilator' && !q.sessionId)
        return list.filter((a) => a.sessionId && p.user.rooms.includes(identity.roomOfSession(a.sessionId)));
      return list;
    },
  );

  app.get(
    '/api/kiosk/attempts/:attemptId/capture',
    { config: staff, schema: { tags, summary: 'The stored capture of an attempt (each view is audited)', params: AttemptId } },
    async (request, reply) => {
      const { attemptId } = request.params as { attemptId: string };
      const a = identity.store.attempt(attemptId);
      if (a?.sessionId) roomGuard(request, a.sessionId);
      const bytes = identity.captureOf(attemptId, request.actor, request.ip);
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'no-store').send(bytes);
    },
  );

  app.get(
    '/api/kiosk/enrolments',
    {
      config: staff,
      schema: {
        tags,
        summary: "Each roster photo's enrolment: usable, or the face engine's reason, to fix before the exam day",
        querystring: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
      },
    },
    async (request) => {
      const { sessionId } = request.query as { sessionId: string };
      roomGuard(request, sessionId);
      return identity.enrolments(sessionId);
    },
  );

  app.post(
    '/api/kiosk/enrolments/:sessionId',
    {
      config: { roles: ['admin' as const] },
      schema: {
        tags,
        summary: "Enrol (again) a session's roster photos now",
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
      },
    },
    async (request) => {
      const { sessionId } = request.params as { sessionId: string };
      const r = await identity.enrolSession(sessionId, { refresh: true });
      return {
        sessionId,
        ok: r.filter((x) => x.status === 'ok').length,
        refused: r.filter((x) => x.status === 'refused').length,
        noPhoto: r.filter((x) => x.status === 'no_photo').length,
        entries: r,
      };
    },
  );

  function roomGuard(request: FastifyRequest, sessionId: string | undefined): void {
    const p = request.principal;
    if (p?.kind !== 'user' || p.role === 'admin' || !sessionId) return;
    const roomId = identity.roomOfSession(sessionId);
    if (!p.user.rooms.includes(roomId)) throw new Forbidden(`this session is in room ${roomId}; you invigilate ${p.user.rooms.join(', ') || 'no rooms'}`);
  }
};
