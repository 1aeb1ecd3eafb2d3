// Recording windows: the stretches of time a room's cameras and screens are recorded when they follow
// the schedule (`record: sessions`). Exam sessions provide them now, training lessons later; media/
// reads them through WindowSource and never learns where they came from.

/** One stretch of time a room is recorded. end null: still open (a session under way, however long it runs). */
export interface RecordingWindow {
  room: string;
  start: number;
  end: number | null;
  /** For an open window: when it is expected to close (the planned end plus the margin), for the disk forecast. */
  expectedEnd?: number;
  /** What it is for, in words for logs and the forecast: "exam session 01J…", "training lesson …". */
  what: string;
}

/**
 * Something that decides when rooms are recorded. windows() answers from its own store each time it is
 * asked (the media scheduler asks on every change and at least once a minute); onChange tells the
 * scheduler at once when a window may have moved — a check-in opened early, a session ended late.
 */
export interface WindowSource {
  name: string;
  /** Windows that overlap [from, to), any order. */
  windows(from: number, to: number): RecordingWindow[];
  /** Calls fn when a window may have changed; returns the unsubscribe function. */
  onChange?(fn: () => void): () => void;
}

/** The decided margin on each side of a session (CLARIFICATIONS "Exam day and recording"). */
export const SESSION_RECORDING_MARGIN_MS = 30 * 60_000;

/** What is known of a session's times, planned and actual (UTC ms; null = has not happened). */
export interface SessionTimes {
  plannedStart: number;
  plannedEnd: number;
  checkinAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Check-in open or exam in progress: the session may run on past its planned end. */
  open: boolean;
}

/**
 * A session's recording window: [earlier of planned start and actual check-in open (or start), minus
 * the margin] to [later of planned and actual end, plus the margin]. While the session is open and
 * past its planned end the window stays open (end null): added time or a late finish is recorded
 * whole, and the window closes margin after the session is ended. The playback side uses the same
 * function, so what the console offers is what was recorded.
 */
export function sessionRecordingWindow(t: SessionTimes, marginMs: number = SESSION_RECORDING_MARGIN_MS): { start: number; end: number | null } {
  const start = Math.min(t.plannedStart, t.checkinAt ?? Number.POSITIVE_INFINITY, t.startedAt ?? Number.POSITIVE_INFINITY) - marginMs;
  if (t.endedAt !== null) return { start, end: Math.max(t.plannedEnd, t.endedAt) + marginMs };
  if (t.open) return { start, end: null };
  return { start, end: t.plannedEnd + marginMs };
}
