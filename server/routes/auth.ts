import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { SESSION_COOKIE } from '../roles.ts';
import { ErrorReply, PublicUserT } from './schemas.ts';
import { publicUser } from '../auth/users.ts';

/** Who holds the cookie (or device token): a person or a paired device. */
const MeT = Type.Union([
  Type.Object({ kind: Type.Literal('user'), user: PublicUserT }),
  Type.Object({ kind: Type.Literal('device'), device: Type.Object({ id: Type.String(), kind: Type.String() }) }),
]);

function meOf(p: NonNullable<FastifyRequest['principal']>) {
  return p.kind === 'user'
    ? { kind: 'user' as const, user: publicUser(p.user) }
    : { kind: 'device' as const, device: { id: p.device.id, kind: p.device.kind } };
}

export const authRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/api/auth/login',
    {
      config: { roles: ['public'], rateLimit: { max: ctx.config.security.loginPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with user name and password; sets an httpOnly session cookie',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: PublicUserT, expiresAt: Type.Integer() }), 401: ErrorReply, 423: ErrorReply, 429: ErrorReply },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      try {
        const r = await ctx.users.login(username, password, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
        void reply.setCookie(SESSION_COOKIE, r.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure: ctx.tls,
          expires: new Date(r.expiresAt),
        });
        return { user: r.user, expiresAt: r.expiresAt };
      } catch (err) {
        ctx.metrics.loginFailures.inc();
        throw err;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { roles: ['admin', 'invigilator', 'inspector', 'headteacher'] },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p?.kind === 'user') ctx.users.logout(p.sessionHash, p.user, request.ip);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { roles: ['admin', 'invigilator', 'inspector', 'headteacher', 'kiosk', 'terminal'] },
      schema: {
        tags: ['auth'],
        summary: 'Who am I: the logged-in user or the paired device',
        response: { 200: MeT },
      },
    },
    async (request) => meOf(request.principal!),
  );

  // What a page asks as it opens, before anyone has signed in: 200 either way. A 401 there would be
  // written into the browser's console as an error by every app at every first load (the web kit's
  // whoAmI); /api/auth/me keeps its 401 for scripts and tools.
  app.get(
    '/api/auth/session',
    {
      config: { roles: ['public'] },
      schema: {
        tags: ['auth'],
        summary: 'Who holds this cookie or device token, if anyone: { me: null } when nobody (never 401)',
        response: { 200: Type.Object({ me: Type.Union([MeT, Type.Null()]) }) },
      },
    },
    async (request) => ({ me: request.principal ? meOf(request.principal) : null }),
  );
};
