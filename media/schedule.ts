// The recording schedule: which rooms are inside a recording window now, from every window source
// (exam sessions now, training lessons later: core/recording-windows.ts). It looks again at the next
// window edge, when a source says something changed (check-in opened early, a session ended late), and
// at least every pollMs (a change made by another process, a session created for later today).
import type { Clock, RecordingWindow, WindowSource } from '../core/index.ts';

export interface RecordingSchedule {
  /** Whether the room is inside one of its windows (as of the last look). */
  isOpen(room: string): boolean;
  /** The windows of every source that overlap [from, to). */
  windows(from: number, to: number): RecordingWindow[];
  /** Looks again now: rooms whose state changed are reported to onRoomChange. */
  check(): void;
  start(): void;
  stop(): void;
}

export function createRecordingSchedule(deps: {
  sources: WindowSource[];
  clock: Clock;
  pollMs: number;
  onRoomChange(room: string, open: boolean): void;
  log?: { error(obj: unknown, msg?: string): void };
}): RecordingSchedule {
  let open = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const offs: (() => void)[] = [];

  const windows = (from: number, to: number) =>
    deps.sources.flatMap((s) => {
      try {
        return s.windows(from, to);
      } catch (err) {
        // One broken source must not stop the others' recording.
        deps.log?.error({ err, source: s.name }, 'recording window source failed');
        return [];
      }
    });

  const check = () => {
    const now = deps.clock.now();
    // A day either side: no window edge further away matters before the next poll.
    const ws = windows(now - 86_400_000, now + 86_400_000);
    const next = new Set<string>();
    let edge = Number.POSITIVE_INFINITY;
    for (const w of ws) {
      if (w.start <= now && (w.end === null || w.end > now)) next.add(w.room);
      if (w.start > now) edge = Math.min(edge, w.start);
      else if (w.end !== null && w.end > now) edge = Math.min(edge, w.end);
    }
    const before = open;
    open = next;
    for (const r of next) if (!before.has(r)) deps.onRoomChange(r, true);
    for (const r of before) if (!next.has(r)) deps.onRoomChange(r, false);
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        try {
          check();
        } catch (err) {
          deps.log?.error({ err }, 'recording schedule check failed');
        }
      },
      Math.max(10, Math.min(deps.pollMs, edge - now)),
    );
    timer.unref();
  };

  return {
    isOpen: (room) => open.has(room),
    windows,
    check,
    start() {
      if (running) return;
      running = true;
      // Told inside the caller's request (a status move): look on the next turn, once for a burst, so
      // starting a room's recorders (one ffmpeg spawn each) never delays the request that opened check-in.
      let soon: NodeJS.Immediate | null = null;
      const later = () => {
        if (soon || !running) return;
        soon = setImmediate(() => {
          soon = null;
          if (!running) return;
          try {
            check();
          } catch (err) {
            deps.log?.error({ err }, 'recording schedule check failed');
          }
        });
      };
      for (const s of deps.sources) if (s.onChange) offs.push(s.onChange(later));
      check();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const off of offs.splice(0)) off();
    },
  };
}
