// What media's HTTP routes answer the web apps (the /live/ page, and the live tiles and playback player
// every app shares): TypeBox schemas — the routes' response schemas, so Fastify checks and serialises
// each reply with them — and the TypeScript types made from them. Shared by the server and the web
// apps, so it imports nothing but 'typebox', never server code. docs/media.md is the prose version.
import { Type, type Static, type TSchema } from 'typebox';

const nullable = <T extends TSchema>(t: T, description?: string) => Type.Union([t, Type.Null()], description ? { description } : {});

/** One source the caller may watch (GET /api/live/sources). */
export const LiveSourceT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  room: Type.String(),
  kind: Type.String(),
  /** Path of the live-view WebSocket (/ws/live/ID). */
  ws: Type.String(),
  subWs: nullable(Type.String(), "the camera's sub-stream (low resolution, for grid tiles), or null when it has none"),
  viewers: Type.Integer(),
  video: nullable(Type.String()),
  audio: nullable(Type.String()),
  status: Type.Unknown(),
});
export type LiveSource = Static<typeof LiveSourceT>;

export const RecordedSegmentT = Type.Object({
  id: Type.Integer(),
  start: Type.Integer(),
  end: Type.Integer(),
  bytes: Type.Integer(),
  recovered: Type.Boolean(),
  url: Type.String(),
});
export type RecordedSegment = Static<typeof RecordedSegmentT>;

export const RecordingGapT = Type.Object({ start: Type.Integer(), end: Type.Integer(), reason: Type.String() });
export type RecordingGap = Static<typeof RecordingGapT>;

/** A source's recordings over a time range (GET /api/media/sources/:id/recordings): what the playback player takes. */
export const RecordingsT = Type.Object({
  sourceId: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  segments: Type.Array(RecordedSegmentT),
  gaps: Type.Array(RecordingGapT),
  recordingSince: nullable(Type.Integer(), 'recording now: footage from here on is in the segment being written'),
});
export type Recordings = Static<typeof RecordingsT>;
