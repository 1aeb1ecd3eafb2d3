// Recording and supervision of media sources (media/): the cameras, the upstream push targets, how long
// recordings are kept, excerpt downloads and the recorder's own settings.
import { Type, type Static } from 'typebox';
import { closed, Id } from './common.ts';

// Regulation asks for the exams and training classes on record for three years, not every night:
// `sessions` records a room's sources from check-in open minus a margin to session end plus a margin;
// live view and upstream push run all day either way.
const RecordSchedule = Type.Union([Type.Literal('sessions'), Type.Literal('always')], {
  description: "sessions: record only during the room's exam sessions (and training lessons), margins included; always: around the clock",
});

export const CameraSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    room: Id,
    url: Type.String({ pattern: '^(rtsp|rtsps|rtmp|http|https|file)://', secret: 'url', description: 'rtsp://, rtmp://, http(s):// or file://' }),
    // The camera's low-resolution second stream (e.g. 640×360 or 352×288): the console's grid tiles play
    // it, live only; recording and upstream push stay on url. Absent = tiles play url, as before.
    subUrl: Type.Optional(
      Type.String({
        pattern: '^(rtsp|rtsps|rtmp|http|https|file)://',
        secret: 'url',
        description: "the camera's sub-stream for live tiles: rtsp://, rtmp://, http(s):// or file://",
      }),
    ),
    audio: Type.Optional(Type.Boolean({ default: true })),
    record: Type.Optional(RecordSchedule),
  },
  closed,
);

export const UpstreamSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    level: Type.Union([Type.Literal('province'), Type.Literal('city')]),
    protocol: Type.Union([Type.Literal('rtmp'), Type.Literal('rtsp')]),
    url: Type.String({
      pattern: '^(rtmp|rtmps|rtsp)://',
      secret: 'push-url',
      description: 'an rtmp://, rtmps:// or rtsp:// push target; {source} is replaced by the source id',
    }),
    sources: Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Id, { minItems: 1 })], { default: 'all' })),
  },
  closed,
);

export const RetentionSchema = Type.Object(
  {
    // 安全生产考试 rules require audio-video kept at least three years; 1,096 days covers a leap year.
    days: Type.Optional(Type.Integer({ minimum: 1096, default: 1096, description: 'at least 1096 (three years, by regulation)' })),
    minFreeGiB: Type.Optional(Type.Number({ minimum: 1, default: 20, description: 'below this free space new recordings stop' })),
  },
  closed,
);

// Excerpt downloads (media/playback.ts): each is an ffmpeg reading the span and a temporary MP4 as large,
// held until the download ends; these bound how many and how large (docs/security.md).
export const ExcerptsSchema = Type.Object(
  {
    perUser: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'excerpts one person may have being cut or downloaded at once' })),
    atOnce: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'excerpts being cut or downloaded at once, everyone together' })),
    maxMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60, default: 240, description: 'the longest span one excerpt may cover' })),
    maxMiB: Type.Optional(Type.Integer({ minimum: 1, default: 4096, description: 'the most recording one excerpt may hold (also its temporary file)' })),
  },
  closed,
);

export const MediaSchema = Type.Object(
  {
    segmentSeconds: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 3600, default: 300, description: 'length of a recording segment in seconds (cut at the next key frame)' }),
    ),
    stallSeconds: Type.Optional(Type.Integer({ minimum: 2, maximum: 300, default: 10, description: 'a source that delivers nothing this long is restarted' })),
    maxBackoffSeconds: Type.Optional(
      Type.Number({
        minimum: 0.5,
        maximum: 60,
        default: 3,
        description: 'longest wait between restarts of a failing source (keep ≤ 4 so a returning camera records within 5 s)',
      }),
    ),
    record: Type.Optional(RecordSchedule),
    recordMarginMinutes: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 240,
        default: 30,
        description:
          'with record: sessions, recording starts this long before check-in opens (or the planned start, if earlier) and runs this long after the session ends',
      }),
    ),
    reserveMiB: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 512,
        description: 'last-resort floor: below this free space no NEW recording starts (live view goes on); nothing is ever deleted',
      }),
    ),
    excerpts: Type.Optional(ExcerptsSchema),
    hevcTranscodes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 16,
        default: 2,
        description:
          'most H.265 sources transcoded to H.264 at once for a tile opened large in a browser that cannot play H.265 (one ffmpeg each, ≈ docs/media.md); 0: never',
      }),
    ),
  },
  closed,
);

export type CameraConfig = Static<typeof CameraSchema>;
export type RecordMode = 'sessions' | 'always';
export type UpstreamConfig = Static<typeof UpstreamSchema>;
