// The alert feed beside the seat map: newest first, acknowledge, and the move requests' approve/reject.
import { useState } from 'preact/hooks';
import type { Alert } from './api.ts';
import type { Words } from './i18n.ts';
import { JumpTo } from './playback.tsx';

/** What a move alert is about, for its buttons and dialog: the moveId and both seats. */
export function moveOf(
  a: Alert,
): { moveId: string; name: string; fromSeat: string | null; toSeat: string; decision: string | null; decidedBy: string | null } | null {
  const p = a.params ?? {};
  if (a.kind !== 'move_requested' || typeof p.moveId !== 'string') return null;
  return {
    moveId: p.moveId,
    name: typeof p.name === 'string' ? p.name : '',
    fromSeat: typeof p.fromSeat === 'string' ? p.fromSeat : null,
    toSeat: typeof p.toSeat === 'string' ? p.toSeat : (a.seat ?? '?'),
    decision: typeof p.decision === 'string' ? p.decision : null,
    decidedBy: typeof p.decidedBy === 'string' ? p.decidedBy : null,
  };
}

export function AlertFeed({
  w,
  alerts,
  sound,
  onSound,
  onAck,
  onMove,
  onSeat,
}: {
  w: Words;
  alerts: Alert[];
  sound: boolean;
  onSound: (on: boolean) => void;
  onAck: (a: Alert) => void;
  onMove: (a: Alert, action: 'approve' | 'reject') => void;
  onSeat: (seat: string) => void;
}) {
  const [showAcked, setShowAcked] = useState(true);
  const open = alerts.filter((a) => !a.acknowledged).length;
  const shown = showAcked ? alerts : alerts.filter((a) => !a.acknowledged);
  return (
    <aside class="panel alerts" data-testid="alerts">
      <h2>
        {w.alerts}
        <span class="count" data-testid="open-alerts">
          {w.unacked(open)}
        </span>
        <span class="right">
          <label>
            <input type="checkbox" checked={sound} onChange={(e) => onSound((e.target as HTMLInputElement).checked)} /> {w.sound}
          </label>
        </span>
      </h2>
      <label class="note" style={{ margin: '0 0 0.4rem', fontSize: '0.85rem' }}>
        <input type="checkbox" checked={showAcked} onChange={(e) => setShowAcked((e.target as HTMLInputElement).checked)} /> {w.showAcked}
      </label>
      {shown.length === 0 && <p class="empty">{w.noAlerts}</p>}
      <ol>
        {shown.map((a) => (
          <li
            key={a.id}
            class={`alert ${a.acknowledged ? 'acked' : a.severity}`}
            data-alert={a.id}
            data-kind={a.kind}
            data-acked={a.acknowledged ? 'yes' : 'no'}
          >
            <span class="head">
              <span class="kind">{w.alertKind[a.kind] ?? a.kind}</span>
              {a.seat && (
                <a href="#" onClick={(e) => (e.preventDefault(), onSeat(a.seat!))}>
                  {w.seat(a.seat)}
                </a>
              )}
              {a.repeats > 1 && <span>×{a.repeats}</span>}
              <time>{w.time(a.lastAt)}</time>
              <JumpTo w={w} alert={a} />
            </span>
            <span class="msg">{a.text[w.lang]}</span>
            {(() => {
              const mv = moveOf(a);
              if (!mv) return a.clearedAt !== null && <span class="cleared">{w.cleared(w.time(a.clearedAt))}</span>;
              if (mv.decision)
                return (
                  <span class="cleared" data-testid="move-outcome" data-decision={mv.decision}>
                    {w.moveDecidedBy(w.moveDecision[mv.decision] ?? mv.decision, actorName(mv.decidedBy ?? ''), w.time(a.clearedAt ?? a.lastAt))}
                  </span>
                );
              if (a.clearedAt !== null) return null;
              return (
                <span class="movebuttons">
                  <button type="button" class="primary" data-testid="move-approve" onClick={() => onMove(a, 'approve')}>
                    {w.approveMove}
                  </button>
                  <button type="button" data-testid="move-reject" onClick={() => onMove(a, 'reject')}>
                    {w.rejectMove}
                  </button>
                </span>
              );
            })()}
            {a.acknowledged ? (
              <span class="ack">{w.ackedBy(actorName(a.acknowledged.by), w.time(a.acknowledged.at), a.acknowledged.note)}</span>
            ) : (
              <button type="button" onClick={() => onAck(a)}>
                {w.ack}
              </button>
            )}
          </li>
        ))}
      </ol>
    </aside>
  );
}

/** Audit actors read 'user:invig'; the desk wants the person. */
export const actorName = (actor: string) => actor.replace(/^user:/, '');
