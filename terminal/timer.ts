// The server-authoritative exam clock, as a pure function of stored facts: when the session started,
// its duration, the time added and the pauses. deadline = start + duration + added + paused, where
// "paused" counts a moment once even when a candidate pause and a room pause overlap, and a pause
// that begins after the deadline has passed gives nothing back.

export interface PauseSpan {
  scope: 'candidate' | 'room';
  startedAt: number;
  /** null: still paused. */
  endedAt: number | null;
  reason: string | null;
}

export interface TimerInput {
  /** When the session moved to in_progress; null before. */
  startedAt: number | null;
  durationMs: number;
  addedMs: number;
  pauses: readonly PauseSpan[];
  now: number;
  /** The attempt is submitted: the clock is over whatever the arithmetic says. */
  submitted?: boolean;
}

export interface TimerState {
  state: 'waiting' | 'running' | 'paused' | 'over';
  startedAt: number | null;
  deadline: number | null;
  remainingMs: number | null;
  durationMs: number;
  addedMs: number;
  pausedMs: number;
  pause: { scope: 'candidate' | 'room'; since: number; reason: string | null } | null;
}

export function timerOf(input: TimerInput): TimerState {
  const { startedAt, durationMs, addedMs, now } = input;
  const open =
    input.pauses.length === 0
      ? undefined
      : input.pauses.filter((p) => p.endedAt === null).sort((a, b) => (a.scope === b.scope ? a.startedAt - b.startedAt : a.scope === 'room' ? -1 : 1))[0];
  const pause = open ? { scope: open.scope, since: open.startedAt, reason: open.reason } : null;
  if (startedAt === null)
    return { state: input.submitted ? 'over' : 'waiting', startedAt: null, deadline: null, remainingMs: null, durationMs, addedMs, pausedMs: 0, pause };

  if (input.pauses.length === 0) {
    // The common case, and the sweeper's every second for every attempt: no pause, nothing to merge.
    const deadline = startedAt + durationMs + addedMs;
    const remainingMs = Math.max(0, deadline - now);
    return {
      state: input.submitted === true || remainingMs === 0 ? 'over' : 'running',
      startedAt,
      deadline,
      remainingMs,
      durationMs,
      addedMs,
      pausedMs: 0,
      pause: null,
    };
  }

  // Pauses as intervals from the start on (a pause during check-in holds the clock at zero), merged.
  const spans = input.pauses
    .map((p) => ({ a: Math.max(p.startedAt, startedAt), b: p.endedAt === null ? Math.max(now, startedAt) : Math.max(p.endedAt, startedAt) }))
    .filter((s) => s.b > s.a)
    .sort((x, y) => x.a - y.a);
  const merged: { a: number; b: number }[] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s.a <= last.b) last.b = Math.max(last.b, s.b);
    else merged.push({ ...s });
  }
  let deadline = startedAt + durationMs + addedMs;
  let pausedMs = 0;
  for (const s of merged) {
    if (s.a >= deadline) break;
    pausedMs += s.b - s.a;
    deadline += s.b - s.a;
  }
  const remainingMs = Math.max(0, deadline - now);
  const over = input.submitted === true || remainingMs === 0;
  const state = over ? 'over' : pause ? 'paused' : 'running';
  return { state, startedAt, deadline, remainingMs, durationMs, addedMs, pausedMs, pause: over ? null : pause };
}
