// The person file over HTTP: GET /api/records/people/:idNumber (JSON) and …/file.pdf. Admins only, as
// the exam part (/api/exam/people/:idNumber) is: the file spans every room and session, which no room-bound
// invigilator and no inspector's read-only view needs; each read is audited.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { PersonFiles } from './index.ts';

const admin = { roles: ['admin' as const] };
const tags = ['records'];
const params = Type.Object({ idNumber: Type.String({ minLength: 1, maxLength: 32, description: 'the 18-character ID number (身份证号)' }) });

export const personRoutes: FastifyPluginAsync<{ people: PersonFiles }> = async (app, { people }) => {
  app.get(
    '/api/records/people/:idNumber',
    {
      config: admin,
      schema: { tags, summary: 'The person file (一人一档) as JSON: exams, retakes and rules, training, certificates, identity checks, incidents', params },
    },
    async (request) => {
      const { idNumber } = request.params as { idNumber: string };
      return people.json(people.read(idNumber, { actor: request.actor, ip: request.ip, format: 'json' }));
    },
  );
  app.get(
    '/api/records/people/:idNumber/file.pdf',
    { config: admin, schema: { tags, summary: 'The person file (一人一档) as an A4 PDF with photos', params } },
    async (request, reply) => {
      const { idNumber } = request.params as { idNumber: string };
      const f = people.read(idNumber, { actor: request.actor, ip: request.ip, format: 'pdf' });
      const pdf = await people.pdf(f);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="person-${f.idNumber}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
};
