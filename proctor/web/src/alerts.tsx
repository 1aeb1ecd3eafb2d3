// The alert feed beside the seat map: latest first, acknowledge one or several with one note (ticked,
// or all open ones of a kind), the move requests' approve/reject; resolved records need nobody.
import { useState } from 'preact/hooks';
import type { Alert } from './api.ts';
import type { Words } from './i18n.ts';
import { JumpTo } from './playback.tsx';

/** What a move alert is about, for its buttons and dialog: the moveId and both seats. */
export function moveOf(a: Alert): {
  moveId: string;
  name: string;
  fromSeat: string | null;
  toSeat: string;
  decision: string | null;
  decidedBy: string | null;
  /** The candidate's own terminal was answering when the request came: perhaps an impostor asks. */
  contested: { terminalId: string; seat: string } | null;
} | null {
  const p = a.params ?? {};
  if (a.kind !== 'move_requested' || typeof p.moveId !== 'string') return null;
  return {
    moveId: p.moveId,
    name: typeof p.name === 'string' ? p.name : '',
    fromSeat: typeof p.fromSeat === 'string' ? p.fromSeat : null,
    toSeat: typeof p.toSeat === 'string' ? p.toSeat : (a.seat ?? '?'),
    decision: typeof p.decision === 'string' ? p.decision : null,
    decidedBy: typeof p.decidedBy === 'string' ? p.decidedBy : null,
    contested:
      p.contested && typeof p.contested === 'object'
        ? { terminalId: String((p.contested as Record<string, unknown>).terminalId), seat: String((p.contested as Record<string, unknown>).seat) }
        : null,
  };
}

export function AlertFeed({
  w,
  alerts,
  sound,
  onSound,
  onAck,
  onAckMany,
  onMove,
  onUnlock,
  onSeat,
}: {
  w: Words;
  alerts: Alert[];
  sound: boolean;
  onSound: (on: boolean) => void;
  onAck: (a: Alert) => void;
  /** Several open alerts, one note. */
  onAckMany: (list: Alert[]) => void;
  onMove: (a: Alert, action: 'approve' | 'reject') => void;
  /** A login_locked alert's unlock button. */
  onUnlock: (a: Alert) => void;
  onSeat: (seat: string) => void;
}) {
  const [showAcked, setShowAcked] = useState(true);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const needsAck = (a: Alert) => !a.acknowledged && a.resolvedAt === null && !moveOf(a);
  const openList = alerts.filter((a) => !a.acknowledged && a.resolvedAt === null);
  const open = openList.length;
  const shown = showAcked ? alerts : openList;
  const selected = alerts.filter((a) => ticked.has(a.id) && needsAck(a));
  // "All of this kind": offered once a kind has two or more open alerts.
  const kinds = new Map<string, Alert[]>();
  for (const a of alerts.filter(needsAck)) kinds.set(a.kind, [...(kinds.get(a.kind) ?? []), a]);
  const many = (list: Alert[]) => {
    setTicked(new Set());
    onAckMany(list);
  };
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
      {(selected.length > 0 || [...kinds.values()].some((l) => l.length > 1)) && (
        <div class="ackmany" data-testid="ack-many">
          {selected.length > 0 && (
            <button type="button" class="primary" data-testid="ack-selected" onClick={() => many(selected)}>
              {w.ackSelected(selected.length)}
            </button>
          )}
          {[...kinds].map(
            ([kind, list]) =>
              list.length > 1 && (
                <button type="button" key={kind} data-ack-kind={kind} onClick={() => many(list)}>
                  {w.ackAllOfKind(w.alertKind[kind] ?? kind, list.length)}
                </button>
              ),
          )}
        </div>
      )}
      {shown.length === 0 && <p class="empty">{w.noAlerts}</p>}
      <ol>
        {shown.map((a) => (
          <li
            key={a.id}
            class={`alert ${a.acknowledged ? 'acked' : a.resolvedAt !== null ? 'resolved' : a.severity}`}
            data-alert={a.id}
            data-kind={a.kind}
            data-acked={a.acknowledged ? 'yes' : 'no'}
            data-resolved={a.resolvedAt !== null ? 'yes' : 'no'}
            data-contested={moveOf(a)?.contested ? 'yes' : undefined}
          >
            <span class="head">
              {needsAck(a) && (
                <input
                  type="checkbox"
                  aria-label={w.selectAlert}
                  checked={ticked.has(a.id)}
                  onChange={(e) => {
                    const next = new Set(ticked);
                    if ((e.target as HTMLInputElement).checked) next.add(a.id);
                    else next.delete(a.id);
                    setTicked(next);
                  }}
                />
              )}
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
              if (a.kind === 'login_locked' && a.terminalId) {
                if (typeof a.params.unlockedBy === 'string') return <span class="cleared">{w.unlockedBy(actorName(a.params.unlockedBy))}</span>;
                if (a.clearedAt !== null) return null;
                return (
                  <span class="movebuttons">
                    <button type="button" class="primary" data-testid="login-unlock" onClick={() => onUnlock(a)}>
                      {w.unlockLogin}
                    </button>
                  </span>
                );
              }
              if (!mv) {
                if (a.resolvedAt !== null) return <span class="cleared">{w.resolved(w.time(a.resolvedAt))}</span>;
                return a.clearedAt !== null && <span class="cleared">{w.cleared(w.time(a.clearedAt))}</span>;
              }
              if (mv.decision)
                return (
                  <span class="cleared" data-testid="move-outcome" data-decision={mv.decision}>
                    {w.moveDecidedBy(w.moveDecision[mv.decision] ?? mv.decision, actorName(mv.decidedBy ?? ''), w.time(a.clearedAt ?? a.lastAt))}
                  </span>
                );
              if (a.clearedAt !== null) return null;
              return (
                <span class="movebuttons">
                  {mv.contested && (
                    <strong class="contested" data-testid="move-contested">
                      {w.moveContested(mv.contested.seat, mv.contested.terminalId)}
                    </strong>
                  )}
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
            ) : a.resolvedAt !== null ? null : (
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
