// Exam sessions as recording windows (core/recording-windows.ts): the media scheduler records a room's
// cameras and screens while one of its sessions is on, margins included. Read from exam_sessions each
// time (planned times, and when check-in actually opened, the exam started and the session ended), so
// a change made by the CLI in another process is seen at the scheduler's next look.
import { NotFound, sessionRecordingWindow, type EventBus, type RecordingWindow, type SessionTimes, type WindowSource } from '../../core/index.ts';
import type { Db } from '../../storage/index.ts';

interface Row {
  id: string;
  room_id: string;
  starts_at: number;
  duration_minutes: number;
  status: string;
  checkin_at: number | null;
  started_at: number | null;
  ended_at: number | null;
}

const OPEN = new Set(['checkin', 'in_progress']);

const timesOf = (r: Row): SessionTimes => ({
  plannedStart: r.starts_at,
  plannedEnd: r.starts_at + r.duration_minutes * 60_000,
  checkinAt: r.checkin_at,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  open: OPEN.has(r.status),
});

export interface SessionWindows extends WindowSource {
  /** One session's recording window (end null while it is still open), for playback to offer exactly what was recorded. */
  windowOf(sessionId: string): { room: string; start: number; end: number | null };
}

export function createSessionWindows(deps: { db: Db; bus: EventBus; marginMs: number }): SessionWindows {
  const { db, marginMs } = deps;
  // An open session counts whatever its times; any other one only if its widest possible window overlaps.
  const overlapping = db.prepare<[number, number, number, number], Row>(
    `SELECT id, room_id, starts_at, duration_minutes, status, checkin_at, started_at, ended_at FROM exam_sessions
     WHERE status IN ('checkin', 'in_progress')
        OR (MIN(starts_at, COALESCE(checkin_at, starts_at), COALESCE(started_at, starts_at)) - ? < ?
            AND MAX(starts_at + duration_minutes * 60000, COALESCE(ended_at, 0)) + ? > ?)`,
  );
  const one = db.prepare<[string], Row>(
    'SELECT id, room_id, starts_at, duration_minutes, status, checkin_at, started_at, ended_at FROM exam_sessions WHERE id = ?',
  );
  return {
    name: 'exam sessions',
    windows(from, to) {
      const out: RecordingWindow[] = [];
      for (const r of overlapping.all(marginMs, to, marginMs, from)) {
        const w = sessionRecordingWindow(timesOf(r), marginMs);
        if (w.start < to && (w.end === null || w.end > from))
          out.push({
            room: r.room_id,
            start: w.start,
            end: w.end,
            ...(w.end === null ? { expectedEnd: r.starts_at + r.duration_minutes * 60_000 + marginMs } : {}),
            what: `exam session ${r.id}`,
          });
      }
      return out;
    },
    onChange(fn) {
      // Check-in opened, exam started (early or late), session ended; added time keeps an open window open.
      const offs = [deps.bus.on('session.status', () => fn()), deps.bus.on('terminal.command', (c) => c.command === 'add_time' && fn())];
      return () => {
        for (const off of offs) off();
      };
    },
    windowOf(sessionId) {
      const r = one.get(sessionId);
      if (!r) throw new NotFound(`no exam session ${JSON.stringify(sessionId)}`);
      return { room: r.room_id, ...sessionRecordingWindow(timesOf(r), marginMs) };
    },
  };
}
