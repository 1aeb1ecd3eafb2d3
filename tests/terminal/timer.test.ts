// The exam clock as a pure function: deadline = start + duration + added + paused, counted once.
import t from 'tap';
import { timerOf, type PauseSpan } from '../../terminal/timer.ts';

const MIN = 60_000;
const base = { startedAt: 0, durationMs: 90 * MIN, addedMs: 0, pauses: [] as PauseSpan[] };
const pause = (scope: PauseSpan['scope'], a: number, b: number | null): PauseSpan => ({
  scope,
  startedAt: a * MIN,
  endedAt: b === null ? null : b * MIN,
  reason: null,
});

t.test('before the start the clock is waiting and has no deadline', async (t) => {
  t.match(timerOf({ ...base, startedAt: null, now: 5 }), { state: 'waiting', deadline: null, remainingMs: null, durationMs: 90 * MIN });
});

t.test('running: the remaining time is the deadline minus now', async (t) => {
  t.match(timerOf({ ...base, now: 30 * MIN }), { state: 'running', deadline: 90 * MIN, remainingMs: 60 * MIN, pausedMs: 0 });
});

t.test('added time moves the deadline', async (t) => {
  t.match(timerOf({ ...base, addedMs: 10 * MIN, now: 30 * MIN }), { deadline: 100 * MIN, remainingMs: 70 * MIN, addedMs: 10 * MIN });
});

t.test('an open pause holds the remaining time still', async (t) => {
  const at = (now: number) => timerOf({ ...base, pauses: [pause('candidate', 30, null)], now: now * MIN });
  t.match(at(30), { state: 'paused', remainingMs: 60 * MIN, pause: { scope: 'candidate', since: 30 * MIN } });
  t.match(at(75), { state: 'paused', remainingMs: 60 * MIN, pausedMs: 45 * MIN });
});

t.test('a finished pause adds its length to the deadline', async (t) => {
  t.match(timerOf({ ...base, pauses: [pause('room', 30, 40)], now: 50 * MIN }), {
    state: 'running',
    deadline: 100 * MIN,
    remainingMs: 50 * MIN,
    pausedMs: 10 * MIN,
    pause: null,
  });
});

t.test('overlapping candidate and room pauses count once', async (t) => {
  t.match(timerOf({ ...base, pauses: [pause('room', 30, 40), pause('candidate', 35, 45)], now: 50 * MIN }), { pausedMs: 15 * MIN, deadline: 105 * MIN });
});

t.test('a pause during check-in holds the clock at zero until it ends', async (t) => {
  t.match(timerOf({ ...base, pauses: [pause('room', -10, 5)], now: 20 * MIN }), { pausedMs: 5 * MIN, deadline: 95 * MIN });
});

t.test('a pause begun after the deadline gives no time back', async (t) => {
  t.match(timerOf({ ...base, pauses: [pause('room', 95, null)], now: 100 * MIN }), { state: 'over', remainingMs: 0, deadline: 90 * MIN, pause: null });
});

t.test('at the deadline, or once submitted, the clock is over', async (t) => {
  t.match(timerOf({ ...base, now: 90 * MIN }), { state: 'over', remainingMs: 0 });
  t.match(timerOf({ ...base, now: 10 * MIN, submitted: true }), { state: 'over', remainingMs: 80 * MIN });
});
