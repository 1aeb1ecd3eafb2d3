// Question images over HTTP: admins upload picture files by name; staff and terminals fetch them by
// id. A terminal sees only the pictures of the papers in front of its room's candidates right now
// (a session in check-in or in progress there), so a paired device cannot browse the bank.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, NotFound } from '../../core/index.ts';
import type { ExamService } from '../index.ts';
import { MAX_IMAGE_BYTES } from './images.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 413: ErrorReply };

const UploadReplyT = Type.Object({
  id: Type.String({ description: "the content's SHA-256 (hex) and its extension: what questions store and terminals fetch" }),
  name: Type.String(),
  mime: Type.String(),
  bytes: Type.Integer(),
  created: Type.Boolean({ description: 'false when this name already held these bytes' }),
});

/** Ids are content hashes: what is behind one never changes, so a terminal may keep it for a year. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

export const imageRoutes: FastifyPluginAsync<{ exam: ExamService }> = async (app, { exam }) => {
  const { images } = exam;
  const { config } = exam.deps;

  // The picture arrives as the request body, whatever type the client guessed; its bytes say what it is.
  // Scoped to this plugin, so the rest of the server keeps its JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/api/bank/images',
    {
      config: { roles: ['admin'] },
      // Over the limit the server's 413 names it (server/errors.ts); the body is never buffered past it.
      bodyLimit: MAX_IMAGE_BYTES,
      schema: {
        tags: ['bank'],
        summary: 'Upload a question image (PNG, JPEG, GIF, WebP or BMP, at most 2 MiB) under the name question files use',
        description:
          'Send the file itself as the body (any Content-Type). `name` is the name rows give in the 图片 column (e.g. `fig/1.png`); an import resolves it to the latest upload under that name. 201 when stored, 200 when the name already held these bytes.',
        querystring: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 255, description: "the image's file name as question files name it, e.g. fig/1.png" }) },
          { additionalProperties: false },
        ),
        response: { 200: UploadReplyT, 201: UploadReplyT, ...errors },
      },
    },
    async (request, reply) => {
      const { name } = request.query as { name: string };
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const r = images.put(name, body, request.actor, request.ip);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.get(
    '/api/bank/images/:id',
    {
      config: { roles: ['admin', 'invigilator', 'terminal'] },
      schema: {
        tags: ['bank'],
        summary:
          'A question image by id (a terminal: only images on a paper of the session open in its room; an invigilator: only those on papers of their rooms)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: errors,
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const image = images.get(id);
      if (!image) throw new NotFound(`no question image ${id}`);
      const p = request.principal;
      // The bank is confidential: an invigilator sees the pictures of the papers of their own rooms.
      if (p?.kind === 'user' && p.role === 'invigilator' && !images.usedInRooms(p.user.rooms, id)) {
        throw new Forbidden(
          `image ${id} is on no paper of a session in your rooms (${p.user.rooms.join(', ') || 'none'}); the question bank's pictures are for admins`,
        );
      }
      if (p?.kind === 'device') {
        const terminal = config.terminals.find((x) => x.id === p.device.id);
        if (!terminal) throw new Forbidden(`device ${p.device.id} is not a terminal in the site config, so it is in no room and shows no paper`);
        if (!images.shownInRoom(terminal.room, id)) {
          throw new Forbidden(
            `image ${id} is not on a paper of a session in check-in or in progress in room ${terminal.room}; a terminal fetches only the pictures of the exam in its room`,
          );
        }
      }
      return reply
        .header('content-type', image.mime)
        .header('content-length', image.bytes)
        .header('cache-control', IMMUTABLE)
        .header('x-content-type-options', 'nosniff')
        .send(image.data);
    },
  );
};
