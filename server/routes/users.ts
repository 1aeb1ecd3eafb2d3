import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { actorOf } from '../auth/principal.ts';
import { JurisdictionT, PublicUserT, RoleT, errors } from './schemas.ts';
import type { UserInput, UserPatch } from '../auth/users.ts';

const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });

export const userRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const admin = { roles: ['admin' as const] };

  app.get('/api/users', { config: admin, schema: { tags: ['users'], summary: 'List users', response: { 200: Type.Array(PublicUserT) } } }, async () =>
    ctx.users.list(),
  );

  app.post(
    '/api/users',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Add a user (invigilators need rooms, inspectors a jurisdiction)',
        body: Type.Object(
          {
            username: Type.String({ minLength: 2, maxLength: 64 }),
            displayName: Type.Optional(Type.String({ maxLength: 100 })),
            role: RoleT,
            password: Type.String({ minLength: 1, maxLength: 256 }),
            rooms: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
            jurisdiction: Type.Optional(JurisdictionT),
          },
          { additionalProperties: false },
        ),
        response: { 201: PublicUserT, ...errors },
      },
    },
    async (request, reply) => {
      const u = await ctx.users.add(request.body as UserInput, actorOf(request.principal), request.ip);
      return reply.status(201).send(u);
    },
  );

  app.patch(
    '/api/users/:username',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Change a user: role, rooms, jurisdiction, password, disabled',
        params: Username,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
            role: Type.Optional(RoleT),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            rooms: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
            jurisdiction: Type.Optional(Type.Union([JurisdictionT, Type.Null()])),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: PublicUserT, ...errors },
      },
    },
    async (request) => {
      const { username } = request.params as { username: string };
      return ctx.users.update(username, request.body as UserPatch, actorOf(request.principal), request.ip);
    },
  );

  app.post(
    '/api/users/:username/unlock',
    { config: admin, schema: { tags: ['users'], summary: 'Lift a lockout after failed log-ins', params: Username, response: { 200: PublicUserT, ...errors } } },
    async (request) => ctx.users.unlock((request.params as { username: string }).username, actorOf(request.principal), request.ip),
  );
};
