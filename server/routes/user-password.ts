// Resetting a user's password from the admin console: the admin types the new one, or asks the server
// for a generated one that this reply carries once (it is never stored in clear nor logged). A reset
// lifts a lockout and ends the user's sessions; the audit records who reset whom, not the password.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';
import { PublicUserT, errors } from './schemas.ts';

export const userPasswordRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/api/users/:username/reset-password',
    {
      config: { roles: ['admin' as const] },
      schema: {
        tags: ['users'],
        summary: "Reset a user's password (typed, or generated and shown once); lifts a lockout, ends their sessions",
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          { password: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'omit to have one generated' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            user: PublicUserT,
            password: Type.Union([Type.String(), Type.Null()], { description: 'the generated password, once; null when the admin typed it' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { username } = request.params as { username: string };
      const { password } = (request.body ?? {}) as { password?: string };
      const out = await ctx.users.resetPassword(username, password, actorOf(request.principal), request.ip);
      return reply.header('cache-control', 'no-store').send(out);
    },
  );
};
