// The seat map's parts: one seat in colour and words, the legend, and the room's device warnings.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import * as api from './api.ts';
import type { Seat } from './api.ts';
import { hms as clock } from '../../../web/i18n.ts';
import type { Words } from './i18n.ts';
import { useTicker } from './clock.tsx';

const AT_TERMINAL = new Set(['logged_in', 'answering', 'paused', 'locked', 'offline']);
const LEGEND = ['empty', 'admitted', 'logged_in', 'answering', 'paused', 'offline', 'submitted'] as const;

export function Legend({ w }: { w: Words }) {
  return (
    <div class="legend">
      {LEGEND.map((k) => (
        <span key={k}>
          <i class={`seat ${k}`} style={{ minHeight: 0, padding: 0, display: 'inline-block' }} />
          {w.seatState[k]}
        </span>
      ))}
    </div>
  );
}

/**
 * The room's devices whose last health report shows a problem (no secure context, no camera, no screen
 * capture, never reported): fetched now, on every session status change and every 30 s. Staff who may
 * not read it (an inspector) simply see none.
 */
export function useDeviceWarnings(roomId: string, status: string | null): api.DeviceWarning[] {
  const [warnings, setWarnings] = useState<api.DeviceWarning[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.readiness(roomId).then(
        (r) => live && setWarnings(r.warnings),
        () => {},
      );
    void load();
    const timer = setInterval(load, 30_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [roomId, status]);
  return warnings;
}

export function DeviceWarnings({ w, warnings }: { w: Words; warnings: api.DeviceWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section class="panel device-warnings" data-testid="device-warnings" role="status">
      <h2>{w.deviceWarningsTitle}</h2>
      <ul>
        {warnings.map((d) => (
          <li key={d.deviceId} data-device={d.deviceId} data-problems={d.problems.join(' ')}>
            {d.kind === 'terminal' ? w.terminal : w.kiosk} {d.deviceId}
            {d.seat ? ` · ${w.seat(d.seat)}` : ''}: {d.problems.map((p) => w.healthProblem[p]).join(w.listSep)}
          </li>
        ))}
      </ul>
      {warnings.some((d) => d.problems.includes('not_secure')) && <p class="muted">{w.notSecureFix}</p>}
    </section>
  );
}

export function SeatCell({
  w,
  seat: s,
  problems,
  at,
  selected,
  onClick,
}: {
  w: Words;
  seat: Seat;
  problems: api.DeviceWarning['problems'] | null;
  at: number;
  selected: boolean;
  onClick: () => void;
}) {
  const now = useTicker();
  const c = s.candidate;
  // 'assigned' (seated, not through the door yet) reads as not-arrived on the map.
  const state = s.state === 'assigned' ? 'absent' : s.state;
  const counting = s.remainingMs !== null && (s.state === 'answering' || s.state === 'offline' || s.state === 'locked') && !s.paused;
  const remaining = s.remainingMs === null ? null : Math.max(0, s.remainingMs - (counting ? now - at : 0));
  let detail: ComponentChildren = null;
  if (s.state === 'offline' && s.offlineSince) detail = w.offlineSince(w.time(s.offlineSince));
  else if (s.state === 'submitted' && s.submittedAt) detail = w.time(s.submittedAt);
  // Only someone at a terminal has a clock running; the others' remainingMs is the session's.
  else if (remaining !== null && AT_TERMINAL.has(s.state)) detail = w.left(clock(remaining));
  const progress = s.answered !== null && s.questions ? s.answered / s.questions : null;
  return (
    <button
      type="button"
      class={`seat ${state}${selected ? ' selected' : ''}${s.pendingMove ? ' moving' : ''}${s.pendingMove?.contested ? ' contested' : ''}${s.identityCheck ? ' id-due' : ''}`}
      data-seat={s.seat}
      data-state={s.state}
      data-move={s.pendingMove?.side}
      onClick={onClick}
      aria-pressed={selected}
    >
      <span class="no">
        <span>{s.seat}</span>
        {s.openAlerts + s.incidents > 0 && <span class="badge">{s.openAlerts > 0 ? '!' : s.incidents}</span>}
      </span>
      <span class="who">{c?.name ?? '—'}</span>
      <span class="state">{w.seatState[s.state] ?? state}</span>
      {s.answered !== null && s.questions !== null && s.state !== 'admitted' && <span class="detail">{w.answered(s.answered, s.questions)}</span>}
      {detail && <span class="detail">{detail}</span>}
      {problems && problems.length > 0 && (
        <span class="detail health-problem" data-health={problems.join(' ')}>
          ⚠ {problems.map((p) => w.healthProblemShort[p]).join(w.listSep)}
        </span>
      )}
      {s.pendingMove && (
        <span class={`move${s.pendingMove.contested ? ' contested' : ''}`}>
          {s.pendingMove.side === 'out' ? w.seatMoveOut(s.pendingMove.toSeat) : w.seatMoveIn(s.pendingMove.fromSeat ?? w.noSeat)}
        </span>
      )}
      {s.loginLocked && <span class="login-locked">{w.seatLoginLocked}</span>}
      {s.identityCheck ? <span class="id-check due">{w.seatIdCheckDue}</span> : s.faceDeclined && c && <span class="id-check">{w.seatFaceDeclined}</span>}
      {progress !== null && (
        <span class="bar">
          <span style={{ width: `${Math.round(progress * 100)}%` }} />
        </span>
      )}
      {c && (
        <span class="hover" role="tooltip">
          {c.photoUrl ? <img src={c.photoUrl} alt={c.name} loading="lazy" /> : <span class="nophoto">{w.noPhoto}</span>}
          <dl>
            <dt>{c.name}</dt>
            <dd>{w.seat(s.seat)}</dd>
            <dt>{w.ticket}</dt>
            <dd>{c.ticketNo}</dd>
            <dt>{w.idNumber}</dt>
            <dd>{c.idNumber}</dd>
            {s.terminal && (
              <>
                <dt>{w.terminal}</dt>
                <dd>{s.terminal.id}</dd>
              </>
            )}
            {s.incidents > 0 && <dd>{w.incidentsN(s.incidents)}</dd>}
          </dl>
        </span>
      )}
    </button>
  );
}
