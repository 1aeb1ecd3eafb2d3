// Exam sessions as recording windows (exam/plans/recording-windows.ts, core/recording-windows.ts):
// from the earlier of planned start and check-in open, minus 30 minutes, to the later of planned and
// actual end, plus 30 minutes; open while the session is open, however long it runs; and the media
// scheduler is told at once when a session's status moves.
import t from 'tap';
import { sessionRecordingWindow } from '../../core/index.ts';
import { planAndSession, site } from './plans-fixture.ts';

const MIN = 60_000;
const M30 = 30 * MIN;

t.test('a session not yet held: its planned times plus the margins', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  t.same(s.exam.recordingWindows.windowOf(session.id), { room: 'R1', start: session.startsAt - M30, end: session.endsAt + M30 });
  const ws = s.exam.recordingWindows.windows(session.startsAt, session.startsAt + MIN);
  t.same(
    ws.map((w) => [w.room, w.start, w.end]),
    [['R1', session.startsAt - M30, session.endsAt + M30]],
  );
  t.same(s.exam.recordingWindows.windows(session.endsAt + M30, session.endsAt + 2 * M30), [], 'nothing after the window');
  t.same(s.exam.recordingWindows.windows(0, session.startsAt - M30), [], 'nothing before it');
});

t.test('check-in opened two hours early: recorded from then; ended late: recorded until then, margins included', async (t) => {
  const s = site(t);
  const { session } = planAndSession(s);
  const changes: number[] = [];
  const off = s.exam.recordingWindows.onChange!(() => changes.push(s.clock.now()));
  t.teardown(off);
  s.clock.set(session.startsAt - 120 * MIN);
  s.plans.moveSession(session.id, 'papers_ready', s.actor);
  s.plans.moveSession(session.id, 'checkin', s.actor);
  const opened = s.clock.now();
  t.same(
    s.exam.recordingWindows.windowOf(session.id),
    { room: 'R1', start: opened - M30, end: null },
    'open from check-in minus the margin, with no end while it is open',
  );
  s.clock.set(session.startsAt - 90 * MIN);
  s.plans.moveSession(session.id, 'in_progress', s.actor);
  s.clock.set(session.endsAt + 40 * MIN);
  const w = s.exam.recordingWindows.windows(s.clock.now(), s.clock.now() + 1);
  t.equal(w.length, 1, 'still a window 40 minutes past the planned end: the session runs on');
  t.equal(w[0]!.expectedEnd, session.endsAt + M30, 'expected to close at the planned end plus the margin, for the forecast');
  s.plans.moveSession(session.id, 'ended', s.actor);
  const ended = s.clock.now();
  t.same(s.exam.recordingWindows.windowOf(session.id), { room: 'R1', start: opened - M30, end: ended + M30 });
  t.equal(changes.length, 4, 'each status move told the scheduler');
  s.bus.emit('terminal.command', { sessionId: session.id, roomId: 'R1', idNumber: null, command: 'add_time', by: 'user:invig' });
  t.equal(changes.length, 5, 'and added time');
  s.bus.emit('terminal.command', { sessionId: session.id, roomId: 'R1', idNumber: null, command: 'pause', by: 'user:invig' });
  t.equal(changes.length, 5, 'a pause changes no window');
});

t.test('the window rule itself', async (t) => {
  const base = { plannedStart: 10 * MIN * 6, plannedEnd: 20 * MIN * 6, checkinAt: null, startedAt: null, endedAt: null, open: false };
  t.same(sessionRecordingWindow(base, 5), { start: base.plannedStart - 5, end: base.plannedEnd + 5 });
  t.same(
    sessionRecordingWindow({ ...base, startedAt: base.plannedStart - 100, open: true }, 5),
    { start: base.plannedStart - 105, end: null },
    'started early without check-in',
  );
  t.same(
    sessionRecordingWindow({ ...base, checkinAt: base.plannedStart + 100, endedAt: base.plannedEnd - 100 }, 5),
    { start: base.plannedStart - 5, end: base.plannedEnd + 5 },
    'late and short: never less than the plan',
  );
  t.same(sessionRecordingWindow(base), { start: base.plannedStart - M30, end: base.plannedEnd + M30 }, 'the decided 30 minutes by default');
});
