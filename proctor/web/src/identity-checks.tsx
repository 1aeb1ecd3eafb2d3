// The to-do list of seats whose candidate declined face recognition and is to be confirmed by eye
// (issue 23): built from the seats the feed keeps current, so a check appears the moment it falls due and
// leaves when anyone confirms it. One click confirms: the server records who and when, and audits it.
// "Not the person" asks first (a required note of what was seen): it records an incident and stops the paper.
import { useState } from 'preact/hooks';
import { errorWords } from '../../../web/error-words.ts';
import * as api from './api.ts';
import type { Seat } from './api.ts';
import type { Words } from './i18n.ts';

export function IdentityChecks({
  w,
  seats,
  onDone,
  onSeat,
  onNotThePerson,
}: {
  w: Words;
  seats: Seat[];
  onDone: (text: string) => void;
  onSeat: (seat: string) => void;
  /** Opens the confirmation (with its required note) for "this is not the person". */
  onNotThePerson: (seat: Seat) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const due = seats.filter((s) => s.identityCheck && s.candidate).sort((a, b) => a.identityCheck!.dueAt - b.identityCheck!.dueAt);
  if (due.length === 0) return null;
  const confirm = (s: Seat) => {
    const check = s.identityCheck!;
    setBusy(check.id);
    setProblem(null);
    api.confirmSeatCheck(check.id).then(
      () => {
        setBusy(null);
        onDone(w.idCheckConfirmed(s.seat, s.candidate!.name));
      },
      (err: unknown) => {
        setBusy(null);
        setProblem(w.idCheckFailed(errorWords(err, w.lang)));
      },
    );
  };
  return (
    <section class="panel id-checks" data-testid="identity-checks" aria-labelledby="id-checks-title">
      <h2 id="id-checks-title">{w.idChecksTitle(due.length)}</h2>
      <p class="muted">{w.idChecksHelp}</p>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ul>
        {due.map((s) => {
          const c = s.candidate!;
          const check = s.identityCheck!;
          return (
            <li key={check.id} data-seat={s.seat} data-check={check.id}>
              {c.photoUrl ? <img src={c.photoUrl} alt={c.name} loading="lazy" /> : <span class="nophoto">{w.noPhoto}</span>}
              <span class="who">
                <button type="button" class="link" onClick={() => onSeat(s.seat)}>
                  {w.seat(s.seat)} · {c.name}
                </button>
                <span class="muted">
                  {w.ticket} {c.ticketNo} · {w.idNumber} {c.idNumber}
                </span>
                <span>
                  {check.reason === 'login' ? w.idCheckLogin : w.idCheckAlert(Math.max(1, check.alerts + 1))}
                  {check.reason === 'login' && check.alerts > 0 ? ` · ${w.idCheckAlert(check.alerts)}` : ''} · {w.idCheckDue(w.time(check.dueAt))}
                </span>
              </span>
              <button type="button" class="primary" disabled={busy === check.id} onClick={() => confirm(s)}>
                {w.idCheckConfirm}
              </button>
              <button type="button" class="danger" disabled={busy === check.id} onClick={() => onNotThePerson(s)} data-action="not-the-person">
                {w.idCheckNotThePerson}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
