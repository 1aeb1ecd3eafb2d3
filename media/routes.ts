// Playback routes. Admins see every source; an invigilator the sources of the rooms they are bound to;
// an inspector every source of this site if the site lies in their jurisdiction — read-only, and each
// view they start and stop lands in the audit log. A 班主任 (headteacher) plays the lesson video of their
// own classes only: a source of the lesson's room within one lesson's recording window (the list and the
// playlist wholly inside it, a segment overlapping it), each view audited as an inspector's. Every excerpt
// download is audited, whoever takes it; a 班主任 takes none (nor lists the sources).
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PassThrough, type Readable } from 'node:stream';
import { DomainError, Forbidden, NotFound, siteInJurisdiction, OUTSIDE_JURISDICTION } from '../core/index.ts';
import type { AuditLog } from '../storage/index.ts';
import type { MediaService } from './service/index.ts';
import { RecordingsT } from './protocol.ts';
import type { RecordedSource } from './recorded-sources.ts';

export interface MediaRouteOptions {
  media: MediaService;
  audit: AuditLog;
  site: { id: string; province: string; city: string };
  /** Server time, for how long an audited view lasted (default Date.now). */
  now?: () => number;
  /** How long after the footage it last fetched can play out an inspector's view counts as ended (tests shorten it). */
  playbackIdleMs?: number;
  /**
   * Every source the site can have recordings of, live or not (recorded-sources.ts): a terminal's
   * screen is a source only while the terminal is connected, but its room's invigilators may replay it
   * after. Default: the live sources only.
   */
  recorded?: () => RecordedSource[];
  /**
   * The recording windows of the lessons, in `room`, of the classes whose 班主任 is `username`
   * (training/recording-windows.ts): all a headteacher may play. Default: none.
   */
  headteacherWindows?: (username: string, room: string) => { start: number; end: number }[];
}

/**
 * An inspector's playback view of one source: from the first footage fetched until the player says
 * stop, or until nothing was fetched for as long as the footage fetched last plays plus this much.
 * One view is one start and one stop in the audit log, however many segments and ranges it reads.
 */
export const PLAYBACK_IDLE_MS = 60_000;

interface Principalish {
  kind: 'user' | 'device';
  role: string;
  user?: { username: string; rooms: string[]; jurisdiction: { level: 'province' | 'city' | 'site'; code: string } | null };
}

const SourceId = Type.Object({ sourceId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }) });
const Range = Type.Object(
  {
    from: Type.Integer({ minimum: 0, description: 'start, epoch milliseconds (server time)' }),
    to: Type.Integer({ minimum: 0, description: 'end, epoch milliseconds' }),
  },
  { additionalProperties: false },
);

export const mediaRoutes: FastifyPluginAsync<MediaRouteOptions> = async (
  app,
  { media, audit, site, now = Date.now, playbackIdleMs = PLAYBACK_IDLE_MS, recorded = () => [], headteacherWindows = () => [] },
) => {
  const viewers = { roles: ['admin' as const, 'invigilator' as const, 'inspector' as const] };
  /** The routes the lesson video plays through: a 班主任 too, within their lessons (mayView). */
  const players = { roles: [...viewers.roles, 'headteacher' as const] };
  const tags = ['media'];
  // The .ts suffix: HLS players (ffmpeg's among them) accept only segment URLs that name a media type.
  const segmentUrl = (id: number) => `/api/media/segments/${id}.ts`;

  /**
   * Throws unless the caller may see this source (for a 班主任: over `span`, which must lie inside one of
   * their lessons' windows, or with `overlap` merely touch one); returns true when the view is audited
   * (an inspector's, a 班主任's).
   */
  const mayView = (request: FastifyRequest, sourceId: string, span?: { from: number; to: number; overlap?: boolean }): boolean => {
    const p = request.principal as Principalish | null;
    if (!p || p.kind !== 'user') throw new Forbidden('playback is for staff');
    if (p.role === 'admin') return false;
    if (p.role === 'inspector') {
      if (!siteInJurisdiction(site, p.user?.jurisdiction))
        throw new Forbidden(`site ${site.id} (province ${site.province}, city ${site.city}) is outside your jurisdiction`, OUTSIDE_JURISDICTION);
      return true;
    }
    const room = media.sources().find((s) => s.id === sourceId)?.room ?? recorded().find((s) => s.id === sourceId)?.room;
    // Every configured source has a room; one that has none is not configured here (any more).
    if (!room) throw new NotFound(`source ${sourceId} is not configured on this site; an invigilator sees the sources of their rooms`);
    if (p.role === 'headteacher') {
      const windows = headteacherWindows(p.user?.username ?? '', room);
      if (!windows.length) throw new Forbidden(`source ${sourceId} is in room ${room}, where no lesson of your classes is held`);
      if (!span) return true;
      const inside = windows.some((w) => (span.overlap ? w.start < span.to && span.from < w.end : w.start <= span.from && span.to <= w.end));
      if (inside) return true;
      throw new Forbidden(
        `${new Date(span.from).toISOString()}–${new Date(span.to).toISOString()} of source ${sourceId} is outside the lessons of your classes held in room ${room}`,
      );
    }
    if (p.user?.rooms.includes(room)) return false;
    throw new Forbidden(`source ${sourceId} is in room ${room}; you invigilate ${p.user?.rooms.join(', ') || 'no rooms'}`);
  };
  interface View {
    actor: string;
    sourceId: string;
    ip: string;
    started: number;
    segments: Set<number>;
    bytes: number;
    timer: ReturnType<typeof setTimeout> | null;
  }
  const views = new Map<string, View>();
  const endView = (v: View, reason: 'stopped' | 'idle' | 'shutdown') => {
    if (views.get(`${v.actor}\0${v.sourceId}`) !== v) return;
    views.delete(`${v.actor}\0${v.sourceId}`);
    if (v.timer) clearTimeout(v.timer);
    audit.append({
      actor: v.actor,
      action: 'media.view.stop',
      target: v.sourceId,
      detail: { what: 'playback', reason, seconds: Math.round((now() - v.started) / 1000), segments: v.segments.size, bytes: v.bytes },
      ip: v.ip,
    });
  };
  /** Opens (audited) or extends the inspector's playback view of a source; `playsMs` = how long the footage just fetched plays. */
  const touchView = (
    request: FastifyRequest,
    sourceId: string,
    playsMs: number,
    detail: Record<string, unknown>,
    fetched?: { segmentId: number; bytes: number },
  ) => {
    const key = `${request.actor}\0${sourceId}`;
    let v = views.get(key);
    if (!v) {
      v = { actor: request.actor, sourceId, ip: request.ip, started: now(), segments: new Set(), bytes: 0, timer: null };
      views.set(key, v);
      audit.append({ actor: request.actor, action: 'media.view.start', target: sourceId, detail: { what: 'playback', ...detail }, ip: request.ip });
    }
    if (fetched) {
      v.segments.add(fetched.segmentId);
      v.bytes += fetched.bytes;
    }
    if (v.timer) clearTimeout(v.timer);
    const view = v;
    v.timer = setTimeout(() => endView(view, 'idle'), Math.max(0, playsMs) + playbackIdleMs);
    v.timer.unref();
  };
  app.addHook('preClose', async () => {
    for (const v of [...views.values()]) endView(v, 'shutdown');
  });

  app.get(
    '/api/media/sources',
    { config: viewers, schema: { tags, summary: 'Media sources (cameras, terminal screens) the caller may see, with their ingest and recording state' } },
    async (request) => {
      const p = request.principal as Principalish;
      if (p.role === 'inspector' && !siteInJurisdiction(site, p.user?.jurisdiction))
        throw new Forbidden(`site ${site.id} is outside your jurisdiction`, OUTSIDE_JURISDICTION);
      const all = media.sources();
      return p.role === 'invigilator' ? all.filter((s) => p.user?.rooms.includes(s.room)) : all;
    },
  );

  app.get(
    '/api/media/sources/:sourceId/recordings',
    {
      config: players,
      schema: {
        tags,
        summary: 'Recorded segments of a source overlapping a time range, and the gaps between them with their reasons',
        params: SourceId,
        querystring: Range,
        response: {
          200: RecordingsT,
        },
      },
    },
    async (request) => {
      const { sourceId } = request.params as { sourceId: string };
      const { from, to } = request.query as { from: number; to: number };
      mayView(request, sourceId, { from, to });
      // A configured source that has not recorded yet (a terminal never connected) has an empty list, not a 404.
      const neverRecorded =
        to > from &&
        !media.sources().some((s) => s.id === sourceId) &&
        recorded().some((s) => s.id === sourceId) &&
        media.store.lastSegmentEnd(sourceId) === null;
      const until = Math.min(to, now());
      const r = neverRecorded
        ? { sourceId, from, to, segments: [], gaps: until > from ? [{ start: from, end: until, reason: 'no recording' }] : [], recordingSince: null }
        : media.playback.recordings(sourceId, from, to);
      return {
        ...r,
        segments: r.segments.map((s) => ({ id: s.id, start: s.start, end: s.end, bytes: s.bytes, recovered: s.recovered, url: segmentUrl(s.id) })),
      };
    },
  );

  app.get(
    '/api/media/sources/:sourceId/playlist.m3u8',
    {
      config: players,
      schema: {
        tags,
        summary: 'HLS VOD playlist over the MPEG-TS segments of a time range (discontinuities at gaps and restarts)',
        params: SourceId,
        querystring: Range,
      },
    },
    async (request, reply) => {
      const { sourceId } = request.params as { sourceId: string };
      const { from, to } = request.query as { from: number; to: number };
      const audited = mayView(request, sourceId, { from, to });
      const text = media.playback.hlsPlaylist(sourceId, from, to, (s) => segmentUrl(s.id));
      if (audited) touchView(request, sourceId, 0, { via: 'hls', from, to });
      return reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-store').send(text);
    },
  );

  app.get(
    '/api/media/segments/:segment',
    {
      config: players,
      schema: {
        tags,
        summary: 'One recorded segment as a browser plays it (MPEG-TS, AAC sound; a Matroska segment is remuxed on first request), with HTTP range requests',
        params: Type.Object({
          segment: Type.String({ pattern: '^[1-9][0-9]{0,15}\\.ts$', description: 'the segment id with .ts, as in the recordings list' }),
        }),
      },
    },
    async (request, reply) => {
      const segmentId = Number.parseInt((request.params as { segment: string }).segment, 10);
      const { segment } = media.playback.segmentFile(segmentId);
      // A segment straddling a lesson window's edge plays whole (a 班主任's): the window already has its margins.
      const audited = mayView(request, segment.sourceId, { from: segment.start, to: segment.end, overlap: true });
      // A Matroska segment is remuxed for the browser (AAC sound) on first request; ranges then read that copy.
      const { read, bytes: size } = await media.playback.playableFile(segmentId);
      const range = parseRange(request.headers.range, size);
      if (range === 'invalid')
        return reply
          .status(416)
          .header('content-range', `bytes */${size}`)
          .send({ error: 'range_not_satisfiable', message: `the segment has ${size} bytes` });
      // A player fetches many segments and ranges in one view: the first opens it, each keeps it open.
      if (audited)
        touchView(
          request,
          segment.sourceId,
          segment.end - segment.start,
          { segmentId, at: segment.start },
          { segmentId, bytes: range ? range.end - range.start + 1 : size },
        );
      // An audited view's fetch (an inspector's, a 班主任's) must reach the server every time (it is what the audit counts), and no
      // browser may hand one user's cached segment to another who shares it: hence no-store and Vary.
      reply
        .header('accept-ranges', 'bytes')
        .type('video/mp2t')
        .header('cache-control', audited ? 'no-store' : 'private, max-age=3600')
        .header('vary', 'cookie');
      if (!range) return reply.header('content-length', size).send(openOrNotFound(read, 0, size - 1, segmentId));
      return reply
        .status(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(openOrNotFound(read, range.start, range.end, segmentId));
    },
  );

  app.post(
    '/api/media/sources/:sourceId/playback/stop',
    {
      config: players,
      schema: {
        tags,
        summary:
          'The player closed its playback view of a source: an inspector’s open view ends now (audited); for others, and when no view is open, nothing happens',
        params: SourceId,
        response: { 200: Type.Object({ ended: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { sourceId } = request.params as { sourceId: string };
      mayView(request, sourceId);
      const v = views.get(`${request.actor}\0${sourceId}`);
      if (v) endView(v, 'stopped');
      return { ended: Boolean(v) };
    },
  );

  app.get(
    '/api/media/sources/:sourceId/excerpt',
    {
      config: viewers,
      schema: {
        tags,
        summary: 'Download an excerpt of a time range as one MP4 (stream copy, cut at the key frame before from)',
        params: SourceId,
        querystring: Range,
      },
    },
    async (request, reply) => {
      const { sourceId } = request.params as { sourceId: string };
      const { from, to } = request.query as { from: number; to: number };
      mayView(request, sourceId);
      // Bounded per person and overall (config media.excerpts): a refusal says which bound and how to go on.
      const ex = await media.playback.excerpt(sourceId, from, to, request.actor);
      audit.append({
        actor: request.actor,
        action: 'media.excerpt',
        target: sourceId,
        detail: { from, to, bytes: ex.bytes, gaps: ex.gaps.length },
        ip: request.ip,
      });
      const name = `${sourceId}_${new Date(from).toISOString().replace(/[:.]/g, '-')}.mp4`;
      const stream = createReadStream(ex.file);
      stream.on('close', () => void ex.cleanup());
      if (ex.gaps.length) reply.header('x-recording-gaps', ex.gaps.map((g) => `${g.start}-${g.end}`).join(','));
      return reply.type('video/mp4').header('content-length', ex.bytes).header('content-disposition', `attachment; filename="${name}"`).send(stream);
    },
  );

  app.get(
    '/api/media/disk',
    { config: { roles: ['admin'] }, schema: { tags, summary: 'Media disk: free space, alarms, and the forecast against the retention period' } },
    async () => {
      return { ...media.checkDisk(), forecast: media.runForecast() };
    },
  );
};

function openOrNotFound(read: (start: number, end: number) => Readable, start: number, end: number, id: number) {
  const s = read(start, end);
  const out = new PassThrough();
  // A store that does not answer says so (Unavailable, 503); a local file gone is a missing segment.
  s.on('error', (err) => out.destroy(err instanceof DomainError ? err : new NotFound(`segment ${id}: its file is missing from the media folder`)));
  out.on('close', () => s.destroy());
  return s.pipe(out);
}

/** One byte range of "bytes=a-b" / "bytes=a-" / "bytes=-n"; null = whole file; multi-range is served whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return 'invalid';
  if (a === '') {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
