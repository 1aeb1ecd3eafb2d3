// The media service: one supervised ffmpeg per source (ingest.ts, supervisor.ts), segments indexed as
// they close (recorder.ts), the retention sweeper, the disk watch and forecast, and playback.
// The parts in this folder share one MediaState (state.ts); this file assembles the service object.
import { createMediaState, type MediaDeps, type MediaService } from './state.ts';
import { addSource, get, removeSource, status, subscribe } from './sources.ts';
import { health, refreshDisk, runForecast } from './disk.ts';
import { start, stop, sweep } from './housekeeping.ts';
import { reconcileWindow } from './runs.ts';
import { createRecordingSchedule } from '../schedule.ts';

export type { DiskStatus, MediaDeps, MediaService } from './state.ts';

export function createMediaService(deps: MediaDeps): MediaService {
  const st = createMediaState(deps);
  st.schedule = createRecordingSchedule({
    sources: deps.windows ?? [],
    clock: st.clock,
    pollMs: deps.intervals?.scheduleMs ?? 60_000,
    onRoomChange: (room) => {
      for (const s of st.sources.values()) if (s.spec.room === room) reconcileWindow(st, s);
    },
    ...(st.log ? { log: st.log } : {}),
  });
  const api: MediaService = {
    ingest: { subscribe: (sourceId, onChunk, opts) => subscribe(st, sourceId, onChunk, opts), codecs: (sourceId) => get(st, sourceId).codecs },
    store: st.store,
    playback: st.playback,
    files: st.files,
    sweeper: st.sweeper,
    sources: () => [...st.sources.values()].map((s) => status(st, s)),
    source: (id) => status(st, get(st, id)),
    addSource: (spec) => addSource(st, spec),
    removeSource: (id) => removeSource(st, id),
    start: () => start(st),
    stop: () => stop(st),
    checkDisk: () => refreshDisk(st),
    disk: () => st.lastDisk ?? refreshDisk(st),
    runForecast: () => runForecast(st),
    sweep: () => sweep(st),
    health: () => health(st),
  };
  for (const c of st.config.cameras)
    api.addSource({
      id: c.id,
      name: c.name,
      room: c.room,
      kind: 'camera',
      input: { url: c.url },
      audio: c.audio,
      record: c.record,
      ...(c.subUrl ? { sub: { url: c.subUrl } } : {}),
    });
  return api;
}
