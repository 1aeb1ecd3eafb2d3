// The session bar over the room view: which session, its status and summary, and its one next step.
import type { RoomView, Summary } from './api.ts';
import type { Words } from './i18n.ts';
import type { Ask } from './ask-dialog.tsx';

export function SessionBar({
  w,
  view,
  summary,
  onPickSession,
  onAsk,
}: {
  w: Words;
  view: RoomView;
  summary: Summary | null;
  onPickSession: (id: string) => void;
  onAsk: (a: Ask) => void;
}) {
  const s = view.session;
  if (!s) return <div class="sessionbar">{w.noSessionHere}</div>;
  const st = s.status;
  return (
    <div class="sessionbar" data-testid="session-bar">
      <span class="title">{w.session}</span>
      {view.sessions.length > 1 ? (
        <select value={s.id} onChange={(e) => onPickSession((e.target as HTMLSelectElement).value)}>
          {view.sessions.map((x) => (
            <option key={x.id} value={x.id}>
              {w.time(x.startsAt).slice(0, 5)} {x.name}
            </option>
          ))}
        </select>
      ) : (
        <span data-testid="session-times">
          {/* Once started, the room runs on the actual start (early or late), not on the plan. */}
          {s.startedAt !== null ? (
            <>
              {w.time(s.startedAt).slice(0, 5)}–{w.time(s.startedAt + s.durationMinutes * 60_000).slice(0, 5)} {s.name}
              {Math.abs(s.startedAt - s.startsAt) >= 60_000 && (
                <small class="planned"> {w.plannedTimes(w.time(s.startsAt).slice(0, 5), w.time(s.endsAt).slice(0, 5))}</small>
              )}
            </>
          ) : (
            <>
              {w.time(s.startsAt).slice(0, 5)}–{w.time(s.endsAt).slice(0, 5)} {s.name}
            </>
          )}
        </span>
      )}
      <span class="status" data-testid="session-status" data-status={st}>
        {w.status[st] ?? st}
      </span>
      {summary && (
        <span class="summary" data-testid="summary">
          <span>
            {w.summary.expected} <b>{summary.roster}</b>
          </span>
          <span>
            {w.summary.present} <b>{summary.admitted}</b>
          </span>
          {/* Not through the door yet is not absent while the door is open; at the end both are 缺考. */}
          {summary.notArrived > 0 && (st === 'checkin' || st === 'in_progress') ? (
            <>
              <span>
                {w.summary.notArrived} <b>{summary.notArrived}</b>
              </span>
              <span>
                {w.summary.absent} <b>{summary.absent}</b>
              </span>
            </>
          ) : (
            <span>
              {w.summary.absent} <b>{summary.absent + summary.notArrived}</b>
            </span>
          )}
          <span>
            {w.summary.submitted} <b>{summary.submitted}</b>
          </span>
          <span>
            {w.summary.incidents} <b>{summary.incidents + summary.integrity}</b>
          </span>
        </span>
      )}
      <span class="actions">
        {(st === 'papers_ready' || st === 'scheduled') && (
          <button type="button" class="primary" onClick={() => onAsk({ kind: 'status', to: 'checkin' })}>
            {w.openCheckin}
          </button>
        )}
        {st === 'checkin' && (
          <button type="button" class="primary" onClick={() => onAsk({ kind: 'status', to: 'in_progress' })}>
            {w.startExam}
          </button>
        )}
        {st === 'in_progress' && (
          <button type="button" class="danger" onClick={() => onAsk({ kind: 'status', to: 'ended' })}>
            {w.endExam}
          </button>
        )}
      </span>
    </div>
  );
}
