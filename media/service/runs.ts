// One supervised ffmpeg run per source (and per sub-stream): orphan recovery before the first run,
// recording unless the disk is below its floor, outages opened and closed, camera.up/down on the bus.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ingestArgs } from '../ingest.ts';
import { createRunRecorder, recoverOrphans, runPattern } from '../recorder.ts';
import { createSupervisor } from '../supervisor.ts';
import type { MediaState, SourceState, SubState } from './state.ts';
import { refreshDisk } from './disk.ts';

export function goDown(st: MediaState, s: SourceState, reason: string, stopped = false) {
  const at = st.clock.now();
  const wasUp = s.state === 'up';
  s.reason = reason;
  if (wasUp) {
    s.state = 'down';
    s.since = at;
  }
  if (wasUp || !s.downAnnounced) {
    s.downAnnounced = true;
    try {
      st.store.openOutage(s.spec.id, at, reason);
    } catch (err) {
      st.log?.error({ err }, 'could not record outage');
    }
    st.bus.emit('camera.down', { sourceId: s.spec.id, kind: s.spec.kind, room: s.spec.room, at, reason, stopped });
  }
}

export function launch(st: MediaState, s: SourceState) {
  const id = s.spec.id;
  let recorder: ReturnType<typeof createRunRecorder> | null = null;
  const startNumber = 0;
  const sup = createSupervisor(
    {
      name: id,
      stallMs: st.config.media.stallSeconds * 1000,
      maxBackoffMs: st.config.media.maxBackoffSeconds * 1000,
      now: () => st.clock.now(),
      ...(st.log ? { log: st.log } : {}),
    },
    {
      plan(n) {
        if (n > 1) s.restarts++;
        const disk = refreshDisk(st);
        const record = !disk.recordingBlocked;
        const startedAt = st.clock.now();
        const run = runPattern(id, startedAt);
        if (record) mkdirSync(join(st.mediaDir, run.dir), { recursive: true, mode: 0o750 });
        recorder = record
          ? createRunRecorder(
              {
                store: st.store,
                mediaDir: st.mediaDir,
                sourceId: id,
                now: () => st.clock.now(),
                onIndexed: (row) => {
                  s.lastSegmentEnd = Math.max(s.lastSegmentEnd ?? 0, row.end);
                  st.bus.emit('recording.segment', { sourceId: id, segmentId: row.id, start: row.start, end: row.end, bytes: row.bytes });
                },
                ...(st.log ? { log: st.log } : {}),
              },
              run,
            )
          : null;
        if (!record && (s.recording || n === 1)) {
          st.bus.emit('recording.stopped', { sourceId: id, at: startedAt, reason: 'disk below its last-resort floor (media.reserveMiB)' });
          st.log?.error({ source: id, freeBytes: disk.freeBytes }, 'recording NOT started: the media disk is below its last-resort floor');
        }
        s.recording = record;
        return {
          args: ingestArgs({
            input: s.spec.input,
            audio: s.spec.audio,
            record: record ? { pattern: run.pattern, segmentSeconds: st.config.media.segmentSeconds, startNumber } : null,
            stallSeconds: st.config.media.stallSeconds,
          }),
          cwd: st.mediaDir,
          stdin: 'stream' in s.spec.input ? s.spec.input.stream : null,
        };
      },
      onStdout(chunk) {
        s.bytes += chunk.length;
        s.fanout.push(chunk);
      },
      onListLine(line) {
        recorder?.onListLine(line);
      },
      onUp() {
        const at = st.clock.now();
        s.state = 'up';
        s.since = at;
        s.reason = null;
        s.downAnnounced = false;
        try {
          st.store.closeOutage(id, at);
        } catch (err) {
          st.log?.error({ err }, 'could not close outage');
        }
        st.bus.emit('camera.up', { sourceId: id, kind: s.spec.kind, room: s.spec.room, at });
      },
      async onExit(info) {
        s.fanout.reset();
        goDown(st, s, info.stopping ? 'stopped (service shut down or source removed)' : info.reason, info.stopping);
        const rec = recorder;
        recorder = null;
        if (rec) await rec.finish(startNumber, st.clock.now() - (performance.now() - info.lastActivity));
      },
    },
  );
  s.supervisor = sup;
  sup.start();
}

// The sub-stream is a convenience for the console's grid, not evidence: it is never recorded, and its

// The sub-stream is a convenience for the console's grid, not evidence: it is never recorded, and its
// outages raise no camera.down (the main stream's do; a viewer of a down sub-stream is given the main).
export function launchSub(st: MediaState, s: SourceState, sub: SubState) {
  const name = `${s.spec.id} (sub-stream)`;
  const sup = createSupervisor(
    {
      name,
      stallMs: st.config.media.stallSeconds * 1000,
      maxBackoffMs: st.config.media.maxBackoffSeconds * 1000,
      now: () => st.clock.now(),
      ...(st.log ? { log: st.log } : {}),
    },
    {
      plan(n) {
        if (n > 1) sub.restarts++;
        return {
          args: ingestArgs({ input: { url: sub.url }, audio: s.spec.audio, record: null, stallSeconds: st.config.media.stallSeconds }),
          cwd: st.mediaDir,
          stdin: null,
        };
      },
      onStdout(chunk) {
        sub.bytes += chunk.length;
        sub.fanout.push(chunk);
      },
      onUp() {
        sub.state = 'up';
        sub.since = st.clock.now();
        sub.reason = null;
        for (const fn of [...sub.onRestart]) fn();
      },
      onExit(info) {
        sub.fanout.reset();
        if (sub.state === 'up') sub.since = st.clock.now();
        sub.state = 'down';
        sub.reason = info.stopping ? 'stopped (service shut down or source removed)' : info.reason;
      },
    },
  );
  sub.supervisor = sup;
  sup.start();
}

export async function startSource(st: MediaState, s: SourceState) {
  try {
    await recoverOrphans({
      store: st.store,
      mediaDir: st.mediaDir,
      sourceId: s.spec.id,
      now: () => st.clock.now(),
      onIndexed: (row) => (s.lastSegmentEnd = Math.max(s.lastSegmentEnd ?? 0, row.end)),
      ...(st.log ? { log: st.log } : {}),
    });
  } catch (err) {
    st.log?.error({ err, source: s.spec.id }, 'orphan recovery failed');
  }
  if (st.stopping || st.sources.get(s.spec.id) !== s) return;
  launch(st, s);
  if (s.sub) launchSub(st, s, s.sub);
}
