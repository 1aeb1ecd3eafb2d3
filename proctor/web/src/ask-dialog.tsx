// The one confirmation dialog every command of the room view opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api.ts';
import type { Alert, Category, Seat } from './api.ts';
import { HttpError } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import type { Words } from './i18n.ts';
import { moveOf } from './alerts.tsx';

export type Ask =
  | { kind: 'seat'; action: 'pause' | 'resume' | 'addTime' | 'submit' | 'lock' | 'unlock' | 'incident'; seat: Seat }
  | { kind: 'reseat'; seat: Seat; free: string[] }
  | { kind: 'room'; action: 'pauseAll' | 'resumeAll' }
  | { kind: 'status'; to: 'checkin' | 'in_progress' | 'ended' }
  | { kind: 'ack'; alert: Alert }
  | { kind: 'ackMany'; alerts: Alert[] }
  | { kind: 'move'; action: 'approve' | 'reject'; alert: Alert }
  | { kind: 'unlockLogin'; alert: Alert }
  | { kind: 'notThePerson'; seat: Seat };

/** Every command goes through here: a modal that says what will happen, asks what the route needs, and sends it. */
export function AskDialog({
  w,
  ask,
  sessionId,
  cats,
  onClose,
  onDone,
}: {
  w: Words;
  ask: Ask;
  sessionId: string;
  cats: Category[];
  onClose: () => void;
  onDone: (text?: string) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [category, setCategory] = useState(cats[0]?.code ?? 'other');
  const [toSeat, setToSeat] = useState(ask.kind === 'reseat' ? (ask.free[0] ?? '') : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A contested move (the candidate's own terminal answers): known from the alert, or learnt from the server's refusal.
  const [strong, setStrong] = useState(ask.kind === 'move' && ask.action === 'approve' && moveOf(ask.alert)?.contested != null);
  const [confirmText, setConfirmText] = useState('');
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const who = ask.kind === 'seat' || ask.kind === 'reseat' || ask.kind === 'notThePerson' ? `${w.seat(ask.seat.seat)} ${ask.seat.candidate?.name ?? ''}` : '';
  const cand = ask.kind === 'seat' || ask.kind === 'reseat' ? (ask.seat.candidate?.ticketNo ?? null) : null;
  let title = '';
  let needs: 'none' | 'reason' | 'optReason' | 'minutes' | 'incident' | 'note' | 'seen' | 'seat' | 'contested' = 'none';
  let danger = false;
  let run: () => Promise<unknown> = async () => {};
  let doneText: string | undefined;
  let failText = (err: unknown) => errorWords(err, w.lang);
  switch (ask.kind) {
    case 'move': {
      const mv = moveOf(ask.alert)!;
      const to = w.seat(mv.toSeat);
      const from = mv.fromSeat ? w.seat(mv.fromSeat) : w.noSeat;
      title = ask.action === 'approve' ? w.confirmApproveMove(mv.name, to, from) : w.confirmRejectMove(mv.name, to, from);
      danger = ask.action === 'reject';
      doneText = ask.action === 'approve' ? w.moveApproved(mv.name, to) : w.moveRejected(mv.name);
      failText = (err) =>
        err instanceof HttpError && err.status === 403
          ? w.moveForbidden
          : err instanceof HttpError && err.status === 404
            ? w.moveGone
            : w.moveFailed(errorWords(err, w.lang));
      if (strong) {
        needs = 'contested';
        danger = true;
      }
      run = () =>
        ask.action === 'reject'
          ? api.moves.reject(mv.moveId)
          : api.moves.approve(mv.moveId, strong ? { confirm: confirmText.trim(), reason: reason.trim() } : undefined);
      break;
    }
    case 'unlockLogin':
      title = w.confirmUnlockLogin(ask.alert.seat ?? '?', ask.alert.terminalId ?? '?');
      needs = 'optReason';
      doneText = w.loginUnlocked(ask.alert.seat ?? '?');
      run = () => api.unlockLogin(ask.alert.terminalId!, reason.trim());
      break;
    case 'notThePerson': {
      title = w.confirmNotThePerson(who);
      needs = 'seen';
      danger = true;
      const checkId = ask.seat.identityCheck!.id;
      run = async () => {
        const r = await api.notThePerson(checkId, reason.trim());
        doneText = w.notThePersonDone(who, r.locked);
      };
      break;
    }
    case 'status':
      title = ask.to === 'checkin' ? w.confirmCheckin : ask.to === 'in_progress' ? w.confirmStart : w.confirmEnd;
      danger = ask.to === 'ended';
      run = () => api.setStatus(sessionId, ask.to);
      break;
    case 'room':
      title = ask.action === 'pauseAll' ? w.confirmPauseAll : w.confirmResumeAll;
      needs = ask.action === 'pauseAll' ? 'optReason' : 'none';
      run = () => (ask.action === 'pauseAll' ? api.commands.pause(sessionId, null, reason.trim()) : api.commands.resume(sessionId, null));
      break;
    case 'reseat':
      title = w.confirmReseat(who);
      needs = 'seat';
      run = () => api.reseat(sessionId, cand!, toSeat, reason.trim());
      break;
    case 'ack':
      title = `${w.ackTitle}：${w.alertKind[ask.alert.kind] ?? ask.alert.kind}${ask.alert.seat ? ` · ${w.seat(ask.alert.seat)}` : ''}`;
      needs = 'note';
      run = () => api.ack(ask.alert.id, reason.trim());
      break;
    case 'ackMany': {
      const kinds = [...new Set(ask.alerts.map((a) => w.alertKind[a.kind] ?? a.kind))].join('、');
      const seats = [...new Set(ask.alerts.flatMap((a) => (a.seat ? [a.seat] : [])))].sort();
      title = `${w.ackManyTitle(ask.alerts.length)}：${kinds}${seats.length ? ` · ${seats.map((x) => w.seat(x)).join('、')}` : ''}`;
      needs = 'note';
      run = async () => {
        const r = await api.ackMany(
          ask.alerts.map((a) => a.id),
          reason.trim(),
        );
        doneText = w.ackManyDone(r.acknowledged.length, r.skipped.length);
      };
      break;
    }
    case 'seat':
      switch (ask.action) {
        case 'pause':
          title = w.confirmPause(who);
          needs = 'optReason';
          run = () => api.commands.pause(sessionId, cand, reason.trim());
          break;
        case 'resume':
          title = w.confirmResume(who);
          run = () => api.commands.resume(sessionId, cand);
          break;
        case 'addTime':
          title = w.confirmAddTime(who);
          needs = 'minutes';
          run = () => api.commands.addTime(sessionId, cand, Number(minutes), reason.trim());
          break;
        case 'submit':
          title = w.confirmSubmit(who);
          needs = 'reason';
          danger = true;
          run = () => api.commands.submit(sessionId, cand!, reason.trim());
          break;
        case 'lock':
        case 'unlock':
          title = ask.action === 'lock' ? w.confirmLock(who) : w.confirmUnlock(who);
          needs = 'optReason';
          run = () => api.commands.lock(sessionId, cand!, ask.action === 'lock', reason.trim());
          break;
        case 'incident':
          title = w.confirmIncident(who);
          needs = 'incident';
          run = () => api.recordIncident(sessionId, { category, note: reason.trim(), ...(cand ? { candidate: cand } : { seat: ask.seat.seat }) });
          break;
      }
  }
  const required =
    needs === 'reason' || needs === 'minutes' || needs === 'incident' || needs === 'note' || needs === 'seen' || needs === 'seat' || needs === 'contested';
  const label = needs === 'note' ? w.ackNote : needs === 'incident' ? w.note : needs === 'seen' ? w.notThePersonNote : w.reason;
  return (
    <dialog ref={ref} onClose={onClose} data-testid="confirm">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (needs === 'contested' && (!confirmText.trim() || !reason.trim())) return setError(w.needConfirm);
          if (required && !reason.trim()) return setError(w.needReason);
          setBusy(true);
          run().then(
            () => {
              ref.current?.close();
              onDone(doneText);
            },
            (err: unknown) => {
              setBusy(false);
              // The server found the candidate's own terminal answering: ask for the stronger confirmation.
              if (err instanceof HttpError && err.code === 'move_contested' && !strong) {
                setStrong(true);
                return setError(w.moveContestedNow);
              }
              setError(failText(err));
            },
          );
        }}
      >
        <h3>{title}</h3>
        {needs === 'seen' && <p class="contested">{w.notThePersonHelp}</p>}
        {needs === 'contested' && ask.kind === 'move' && (
          <div class="contested" role="alert" data-testid="move-contested-warning">
            <strong>
              {(() => {
                const c = moveOf(ask.alert)?.contested;
                return c ? w.moveContested(c.seat, c.terminalId) : w.moveContestedNow;
              })()}
            </strong>
            <p>{w.moveContestedHelp}</p>
          </div>
        )}
        {needs === 'contested' && (
          <label>
            {w.moveConfirm}
            <input
              name="confirm"
              autocomplete="off"
              maxLength={32}
              value={confirmText}
              onInput={(e) => {
                setConfirmText((e.target as HTMLInputElement).value);
                setError(null);
              }}
            />
          </label>
        )}
        {needs === 'minutes' && (
          <label>
            {w.minutes}
            <input name="minutes" type="number" min={1} max={180} value={minutes} onInput={(e) => setMinutes((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {needs === 'incident' && (
          <label>
            {w.category}
            <select name="category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
              {cats.map((c) => (
                <option key={c.code} value={c.code}>
                  {w.lang === 'zh' ? c.zh : c.en}
                </option>
              ))}
            </select>
          </label>
        )}
        {needs === 'seat' && (
          <label>
            {w.toSeat}
            <select name="seat" value={toSeat} onChange={(e) => setToSeat((e.target as HTMLSelectElement).value)}>
              {ask.kind === 'reseat' &&
                ask.free.map((x) => (
                  <option key={x} value={x}>
                    {w.seat(x)}
                  </option>
                ))}
            </select>
          </label>
        )}
        {needs !== 'none' && (
          <label>
            {label}
            <textarea
              name="reason"
              rows={2}
              maxLength={needs === 'incident' || needs === 'seen' ? 1000 : needs === 'note' ? 500 : 200}
              value={reason}
              onInput={(e) => {
                setReason((e.target as HTMLTextAreaElement).value);
                setError(null);
              }}
            />
          </label>
        )}
        {error && <p class="error">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={() => ref.current?.close()}>
            {w.cancel}
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
            {w.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
