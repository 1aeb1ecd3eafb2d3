// The class file (一期一档 of a training class) as the server answers it: TypeBox schemas shared by the
// server and the admin console; imports only typebox and documents' job contract. Same format and
// machinery as the exam session archive (documents/ writer, records' CLI `archive verify`):
//   POST /api/training/classes/:classId/archive   StartClassArchiveBodyT → 202 JobViewT   admin (job kind training.class-archive)
//   GET  /api/training/archives?classId=          ClassArchiveViewT[]    admin, 班主任 (their classes)
//   GET  /api/training/archives/:archiveId/file   the zip (audited)      admin
// Progress and cancel are the job routes' (/api/jobs/:id, /events, /cancel), as for a session archive.
// Refusals: 409 `class_not_ended` before the last lesson has ended; 409 when one is already being made.
import { Type, type Static } from 'typebox';

export { JobViewT, type JobView } from '../../documents/protocol.ts';

export const CLASS_ARCHIVE_JOB = 'training.class-archive';
export const CLASS_ARCHIVE_KIND = 'examroom-class-archive';

export const ClassArchiveViewT = Type.Object({
  id: Type.String(),
  classId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  file: Type.String(),
  bytes: Type.Integer(),
  members: Type.Integer(),
  manifestSha256: Type.String(),
  withMedia: Type.Boolean(),
  parts: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
  retentionUntil: Type.String({ description: 'ISO 8601: kept at least until then' }),
});
export type ClassArchiveView = Static<typeof ClassArchiveViewT>;

export const StartClassArchiveBodyT = Type.Object(
  { withMedia: Type.Optional(Type.Boolean({ description: "also the lessons' recorded segment files, not only their index" })) },
  { additionalProperties: false },
);
export type StartClassArchiveBody = Static<typeof StartClassArchiveBodyT>;
