// Media: one supervised ffmpeg per camera or terminal screen reads the source once, records crash-safe
// MPEG-TS segments indexed in SQLite, and feeds live consumers (relay, upstream) from the same read.
// It never transcodes video, never deletes footage inside retention, and never stops recording while
// there is any other way out (alarms first; new recordings stop only below the last-resort floor).
export { createMediaService, type MediaDeps, type MediaService, type DiskStatus } from './service/index.ts';
export { mediaRoutes, type MediaRouteOptions } from './routes.ts';
export { recordedSources, type RecordedSource } from './recorded-sources.ts';
export { outagesOfSources, segmentIndexOf, type OutageRecord } from './records-view.ts';
export { screenSourceId, screenTerminalId } from './screens.ts';
export { createPlayback, GAP_TOLERANCE_MS, type Gap, type Playback, type Recordings } from './playback.ts';
export { TsFanout, ingestArgs, TS_PACKET } from './ingest.ts';
export { probeDuration } from './recorder.ts';
export { diskForecastWords, diskLowWords, humanBytes, type DiskForecastFacts } from './disk-words.ts';
export { createRecordingSchedule, type RecordingSchedule } from './schedule.ts';
export type { Ingest, SourceInput, SourceSpec, SourceStatus } from './types.ts';
export { liveWsPath, LIVE_WS_PREFIX } from './types.ts';
export {
  createLive,
  liveRoutes,
  LIVE_VIEW_GRACE_MS,
  CLOSE_TOO_SLOW,
  CLOSE_SOURCE_RESTARTED,
  type Live,
  type LiveDeps,
  type LiveMedia,
  type LiveRouteOptions,
} from './live-routes.ts';
export type { DemoCamera, DemoSources, RtspSource, RtspSourceOptions } from './demo-sources.ts';

// Simulated cameras, loaded on first use: rtsp-streaming-server takes ~250 ms to load, which a real site never needs.

/** The demo's cameras (`--demo`). */
export async function startDemoSources(
  ...args: Parameters<typeof import('./demo-sources.ts').startDemoSources>
): Promise<import('./demo-sources.ts').DemoSources> {
  const { startDemoSources: start } = await import('./demo-sources.ts');
  return start(...args);
}

/** One camera on free loopback ports that a test stops, restarts or kills. */
export async function startRtspSource(
  ...args: Parameters<typeof import('./demo-sources.ts').startRtspSource>
): Promise<import('./demo-sources.ts').RtspSource> {
  const { startRtspSource: start } = await import('./demo-sources.ts');
  return start(...args);
}

/** A free TCP port on loopback, for a simulated camera's (or a test server's) configured address. */
export async function freeTcpPort(): Promise<number> {
  const { freeTcpPort: free } = await import('./demo-sources.ts');
  return free();
}
// GB/T 28181 (media/gb28181/): the site as a device towards provincial and city platforms.
export {
  createGb28181,
  createGbMediaSessions,
  gb28181Routes,
  startDemoPlatform,
  type DemoPlatform,
  type Gb28181Service,
  type Gb28181Status,
  type Gb28181Summary,
} from './gb28181/index.ts';
export { segmentTierFiles } from './tier-files.ts';
