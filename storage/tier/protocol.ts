// What GET /api/storage/tier answers (the admin console's System page reads it): per site, the bytes on the
// local disk, in the store and waiting, the last upload and the last error. Shared with the browser, so it
// imports nothing but 'typebox'.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const TierStatusT = Type.Object({
  configured: Type.Boolean({ description: 'false: no objectStore in the config; media stays on the local disk' }),
  site: Type.String(),
  bytesLocal: Type.Number({ description: 'bytes of recordings and archives on the local disk' }),
  bytesTiered: Type.Number({ description: 'bytes held in the object store' }),
  objectsTiered: Type.Integer(),
  bytesWaiting: Type.Number({ description: 'bytes older than hotDays not yet in the store (the backlog)' }),
  filesWaiting: Type.Integer(),
  daysLeft: nullable(Type.Number({ description: 'while the store is unreachable: days of recording the local disk still holds' })),
  lastUpload: nullable(Type.Object({ at: Type.Integer(), key: Type.String() })),
  lastError: nullable(Type.Object({ at: Type.Integer(), message: Type.String() })),
  storeDownSince: nullable(Type.Integer()),
  windowOpen: Type.Boolean(),
  uploading: Type.Integer(),
  uploadedBytes: Type.Number({ description: 'bytes uploaded by this process since it started' }),
  lastCheck: nullable(
    Type.Object({
      at: Type.Integer(),
      key: Type.String(),
      result: Type.Union([Type.Literal('ok'), Type.Literal('mismatch'), Type.Literal('missing'), Type.Literal('newer_version'), Type.Literal('error')]),
    }),
  ),
  problems: Type.Integer({ description: 'files left local for a reason of their own (missing, a foreign object under their key)' }),
});
export type TierStatusView = Static<typeof TierStatusT>;
