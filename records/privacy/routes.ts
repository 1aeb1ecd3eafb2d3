// Privacy over HTTP, admins only: the system page's figures and legal bases, and a person's requests
// from the person file (export, erase). Every change and every export is audited by the service.
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import {
  EraseFaceDataT,
  FaceErasureT,
  OutboundBasisT,
  OutboundDestinationT,
  PrivacyStatusT,
  SetOutboundBasisT,
  type OutboundDestination,
} from '../protocol.ts';
import type { Privacy } from './index.ts';

const admin = { roles: ['admin' as const] };
const tags = ['records'];
const person = Type.Object({ idNumber: Type.String({ minLength: 1, maxLength: 32, description: 'the 18-character ID number (身份证号)' }) });

export const privacyRoutes: FastifyPluginAsync<{ privacy: Privacy }> = async (app, { privacy }) => {
  app.get(
    '/api/records/privacy',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Face data held (people, local and archived, against the 100,000 filing threshold), its retention, and the legal bases for sending face images',
        response: { 200: PrivacyStatusT },
      },
    },
    async () => privacy.status(),
  );

  app.put(
    '/api/records/privacy/outbound/:destination',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Names (or, with null, withdraws) the legal basis on which face images may leave to a destination in plain form; audited',
        params: Type.Object({ destination: OutboundDestinationT }),
        body: SetOutboundBasisT,
        response: { 200: OutboundBasisT },
      },
    },
    async (request) => {
      const { destination } = request.params as { destination: OutboundDestination };
      const { basis } = request.body as { basis: string | null };
      return privacy.outbound.set(destination, basis, { actor: request.actor, ip: request.ip });
    },
  );

  app.post(
    '/api/records/people/:idNumber/face-data/erase',
    {
      config: admin,
      schema: {
        tags,
        summary: "Deletes a person's face data on their request, except what evidence retention keeps (listed with its date); audited",
        params: person,
        body: EraseFaceDataT,
        response: { 200: FaceErasureT },
      },
    },
    async (request) => {
      const { idNumber } = request.params as { idNumber: string };
      const { reason } = request.body as { reason: string };
      return privacy.erase(idNumber, reason.trim(), { actor: request.actor, ip: request.ip });
    },
  );

  app.get(
    '/api/records/people/:idNumber/export.zip',
    {
      config: admin,
      schema: { tags, summary: "One person's photos, consent records and verification results as one signed zip, for that person; audited", params: person },
    },
    async (request, reply) => {
      const { idNumber } = request.params as { idNumber: string };
      const r = await privacy.exportTemporary(idNumber, { actor: request.actor, ip: request.ip });
      const stream = createReadStream(r.file);
      stream.on('close', r.done);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="person-${r.idNumber}-export.zip"`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
};
