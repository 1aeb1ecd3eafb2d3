// The sources: their status as others see it, adding (checked) and removing one, and subscribing to
// a source's main stream or sub-stream.
import { Conflict, NotFound, ValidationError } from '../../core/index.ts';
import { TsFanout } from '../ingest.ts';
import type { SourceSpec, SourceStatus } from '../types.ts';
import { ID, type MediaState, type SourceState } from './state.ts';
import { startSource, stopWindowRecorder } from './runs.ts';

export function status(st: MediaState, s: SourceState): SourceStatus {
  return {
    id: s.spec.id,
    name: s.spec.name,
    room: s.spec.room,
    kind: s.spec.kind,
    state: s.state,
    since: s.since,
    reason: s.reason,
    recording: s.recording && s.state === 'up',
    schedule: s.spec.record,
    bytes: s.bytes,
    restarts: s.restarts,
    lastSegmentEnd: s.lastSegmentEnd,
    subscribers: s.fanout.subscribers.size,
    sub: s.sub ? { state: s.sub.state, since: s.sub.since, reason: s.sub.reason, bytes: s.sub.bytes, restarts: s.sub.restarts } : null,
    codecs: s.codecs,
  };
}

export function get(st: MediaState, id: string): SourceState {
  const s = st.sources.get(id);
  if (!s) throw new NotFound(`media source ${id} does not exist (sources are ${[...st.sources.keys()].join(', ') || 'none'})`);
  return s;
}

export function addSource(st: MediaState, spec: SourceSpec): SourceStatus {
  const problems = [];
  if (!ID.test(spec.id)) problems.push({ path: 'id', problem: 'must be letters, digits, _ . - (max 64), starting with a letter or digit', got: spec.id });
  if (!spec.name) problems.push({ path: 'name', problem: 'must not be empty', got: spec.name });
  if (spec.kind !== 'camera' && spec.kind !== 'screen') problems.push({ path: 'kind', problem: 'must be "camera" or "screen"', got: spec.kind });
  if (spec.record !== undefined && spec.record !== 'sessions' && spec.record !== 'always')
    problems.push({ path: 'record', problem: 'must be "sessions" (record inside the room\'s recording windows) or "always"', got: spec.record });
  if (!spec.input || (!('url' in spec.input) && !('stream' in spec.input))) problems.push({ path: 'input', problem: 'must be { url } or { stream, format }' });
  if (spec.input && 'stream' in spec.input && !/^[a-z0-9_]+$/.test(spec.input.format ?? '')) {
    problems.push({ path: 'input.format', problem: 'must be an ffmpeg format name such as mpegts, webm, h264', got: spec.input.format });
  }
  if (spec.sub !== undefined) {
    if (spec.kind !== 'camera') problems.push({ path: 'sub', problem: 'only a camera has a sub-stream (a terminal screen is one stream)', got: spec.kind });
    if (!/^(rtsp|rtsps|rtmp|http|https|file):\/\//.test(spec.sub?.url ?? ''))
      problems.push({ path: 'sub.url', problem: 'must be an rtsp://, rtmp://, http(s):// or file:// URL', got: spec.sub?.url });
    else if ('url' in spec.input && spec.sub.url === spec.input.url)
      problems.push({ path: 'sub.url', problem: "is the same stream as input.url: give the camera's second (low-resolution) stream", got: spec.sub.url });
  }
  if (problems.length) throw new ValidationError(problems);
  if (st.sources.has(spec.id)) throw new Conflict(`media source ${spec.id} already exists (in room ${st.sources.get(spec.id)!.spec.room})`);
  const s: SourceState = {
    spec: { ...spec, audio: spec.audio ?? true, record: spec.record ?? st.config.media.record },
    windowRec: null,
    recordingSince: null,
    fanout: new TsFanout(),
    sub: spec.sub
      ? {
          url: spec.sub.url,
          fanout: new TsFanout(),
          supervisor: null,
          onRestart: new Set(),
          state: 'down',
          since: st.clock.now(),
          reason: 'starting',
          bytes: 0,
          restarts: 0,
        }
      : null,
    supervisor: null,
    state: 'down',
    since: st.clock.now(),
    reason: 'starting',
    downAnnounced: false,
    blockedAnnounced: false,
    recording: false,
    bytes: 0,
    restarts: 0,
    lastSegmentEnd: st.store.lastSegmentEnd(spec.id),
    codecs: null,
  };
  st.sources.set(spec.id, s);
  if (st.started && !st.stopping) void startSource(st, s);
  return status(st, s);
}

export async function removeSource(st: MediaState, id: string) {
  const s = get(st, id);
  st.sources.delete(id);
  await Promise.all([s.supervisor?.stop(), s.sub?.supervisor?.stop()]);
  await stopWindowRecorder(st, s);
}

/** A live consumer of a source's main stream, or of its sub-stream (onRestart: told when that ingest starts over). */
export function subscribe(
  st: MediaState,
  sourceId: string,
  onChunk: (chunk: Buffer) => void,
  opts?: { stream?: 'main' | 'sub'; onRestart?: () => void },
): () => void {
  const s = get(st, sourceId);
  if ((opts?.stream ?? 'main') === 'main') return s.fanout.subscribe(onChunk);
  const sub = s.sub;
  if (!sub) throw new NotFound(`media source ${sourceId} has no sub-stream (set subUrl on its camera entry to add one)`);
  const restart = opts?.onRestart;
  if (restart) sub.onRestart.add(restart);
  const off = sub.fanout.subscribe(onChunk);
  return () => {
    off();
    if (restart) sub.onRestart.delete(restart);
  };
}
