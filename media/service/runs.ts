// One supervised ffmpeg run per source (and per sub-stream): orphan recovery before the first run,
// recording unless the disk is below its floor, outages opened and closed, camera.up/down on the bus.
// A `record: always` source records through its ingest's own tee; a `record: sessions` source's ingest
// is live only and a window recorder (window-recorder.ts) records it while its room's window is open.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redactText, urlSecrets } from '../../core/index.ts';
import { codecsOf, ingestArgs } from '../ingest.ts';
import { createRunRecorder, recoverOrphans, runPattern } from '../recorder.ts';
import { createSupervisor } from '../supervisor.ts';
import { startWindowRecorder } from '../window-recorder.ts';
import type { MediaState, SourceState, SubState } from './state.ts';
import { refreshDisk } from './disk.ts';

/**
 * Hides a source's credentials in text taken from its ffmpeg: its URLs' passwords and secret parameters
 * as configured (even where ffmpeg prints them outside a URL), and any URL credentials at all.
 */
export function redactorOf(...urls: (string | undefined)[]): (text: string) => string {
  const known = urls.flatMap((u) => (u ? urlSecrets(u) : []));
  return (text) => redactText(text, known);
}

const inputUrl = (s: SourceState) => ('url' in s.spec.input ? s.spec.input.url : undefined);

export function goDown(st: MediaState, s: SourceState, reason: string, stopped = false) {
  // Every way out of here (the outage row, camera.down → alerts and the proctor feed, status) shows it.
  reason = redactorOf(inputUrl(s), s.sub?.url)(reason);
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
    st.bus.emit('camera.down', { sourceId: s.spec.id, name: s.spec.name, kind: s.spec.kind, room: s.spec.room, at, reason, stopped });
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
      redact: redactorOf(inputUrl(s)),
      ...(st.log ? { log: st.log } : {}),
    },
    {
      plan(n) {
        if (n > 1) s.restarts++;
        const disk = refreshDisk(st);
        const always = s.spec.record === 'always';
        const record = always && !disk.recordingBlocked;
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
        if (always && !record && (s.recording || n === 1)) {
          st.bus.emit('recording.stopped', { sourceId: id, at: startedAt, reason: 'disk below its last-resort floor (media.reserveMiB)' });
          st.log?.error({ source: id, freeBytes: disk.freeBytes }, 'recording NOT started: the media disk is below its last-resort floor');
        }
        s.recording = record;
        s.recordingSince = null;
        s.codecs = null;
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
      onStderr(tail) {
        if (s.codecs) return;
        const c = codecsOf(tail);
        if (!c) return;
        s.codecs = { video: c.video, audio: s.spec.audio ? c.audio : null };
        // A scheduled recorder of this run needs to know whether the sound is G.711 (and which law).
        reconcileWindow(st, s);
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
        if (s.recording) s.recordingSince = at;
        st.bus.emit('camera.up', { sourceId: id, kind: s.spec.kind, room: s.spec.room, at });
        reconcileWindow(st, s);
      },
      async onExit(info) {
        // A new run starts its timestamps over: the window recorder of this run ends with it, and the
        // next run's gets a fresh stream when it comes up.
        await stopWindowRecorder(st, s);
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
      redact: redactorOf(sub.url, inputUrl(s)),
      ...(st.log ? { log: st.log } : {}),
    },
    {
      plan(n) {
        if (n > 1) sub.restarts++;
        return {
          // Grid tiles are video only (sound comes from the main stream, for the one listener): no audio.
          args: ingestArgs({ input: { url: sub.url }, audio: false, record: null, stallSeconds: st.config.media.stallSeconds }),
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
        sub.reason = info.stopping ? 'stopped (service shut down or source removed)' : redactorOf(sub.url, inputUrl(s))(info.reason);
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

/**
 * A `record: sessions` source records exactly while it is up and its room's window is open: starts a
 * window recorder or stops it. Below the disk's last-resort floor no new recording starts (one that
 * runs goes on, as with the ingest's own), and a window recorder that fails is started again.
 */
export function reconcileWindow(st: MediaState, s: SourceState): void {
  if (s.spec.record !== 'sessions') return;
  const want = s.state === 'up' && !st.stopping && st.sources.get(s.spec.id) === s && st.schedule.isOpen(s.spec.room);
  if (!want) {
    void stopWindowRecorder(st, s);
    return;
  }
  if (s.windowRec) return;
  // The input's dump (ffmpeg's stderr) says what the stream carries; it arrives with the first bytes.
  if (!s.codecs) return;
  if (st.recordingBlocked) {
    if (!s.blockedAnnounced) {
      s.blockedAnnounced = true;
      st.bus.emit('recording.stopped', { sourceId: s.spec.id, at: st.clock.now(), reason: 'disk below its last-resort floor (media.reserveMiB)' });
      st.log?.error({ source: s.spec.id }, 'scheduled recording NOT started: the media disk is below its last-resort floor');
    }
    return;
  }
  s.blockedAnnounced = false;
  const id = s.spec.id;
  const rec = startWindowRecorder({
    store: st.store,
    mediaDir: st.mediaDir,
    sourceId: id,
    now: () => st.clock.now(),
    segmentSeconds: st.config.media.segmentSeconds,
    audio: s.codecs.audio,
    subscribe: (fn) => s.fanout.subscribe(fn),
    onIndexed: (row) => {
      s.lastSegmentEnd = Math.max(s.lastSegmentEnd ?? 0, row.end);
      st.bus.emit('recording.segment', { sourceId: id, segmentId: row.id, start: row.start, end: row.end, bytes: row.bytes });
    },
    onFault: (reason) => {
      if (s.windowRec !== rec) return;
      s.windowRec = null;
      s.recording = false;
      s.recordingSince = null;
      st.log?.warn({ source: id, reason }, 'scheduled recorder ended; starting it again');
      const t = setTimeout(() => reconcileWindow(st, s), 1000);
      t.unref();
    },
    ...(st.log ? { log: st.log } : {}),
  });
  s.windowRec = rec;
  s.recording = true;
  s.recordingSince = rec.startedAt;
}

/** Ends a source's window recorder (its last segment indexed before this resolves); nothing when there is none. */
export async function stopWindowRecorder(st: MediaState, s: SourceState): Promise<void> {
  const rec = s.windowRec;
  if (!rec) return;
  s.windowRec = null;
  if (s.spec.record === 'sessions') {
    s.recording = false;
    s.recordingSince = null;
  }
  const p = rec.stop();
  st.closing.add(p);
  try {
    await p;
  } finally {
    st.closing.delete(p);
  }
}
