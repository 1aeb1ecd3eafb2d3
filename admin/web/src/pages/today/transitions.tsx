// The session's steps, one button each: open check-in, start, end, grade (the status call the CLI's
// `session status` makes) and archive (records' job, followed until it ends and re-attached after a
// reload). Each asks first; a refusal is shown in the dialog in words and nothing is half-done.
import { useEffect, useRef, useState } from 'preact/hooks';
import { SESSION_TRANSITIONS, type SessionChecklist, type SessionTransitionId } from '../../../../../exam/protocol.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import { HttpError } from '../../../../../web/http.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { useJob } from '../../../../../web/job.ts';
import * as api from './api.ts';
import type { TodaySession } from './api.ts';
import type { TodayWords } from './words.ts';

export const ARCHIVE_JOB = 'records.session-archive';

/** The server's refusal in the person's words: this page's codes first, then the kit's. */
export function refusalWords(err: unknown, w: TodayWords, lang: Lang): string {
  if (err instanceof HttpError && w.refusals[err.code]) return w.refusals[err.code]!(err.params);
  return errorWords(err, lang);
}

interface Props {
  w: TodayWords;
  lang: Lang;
  session: TodaySession;
  checklist: SessionChecklist | null;
  /** "一号考场 12月6日 09:00": how the dialog names the session. */
  label: { room: string; time: string };
  /** Server time minus browser time: "how long until it starts" is by the server's clock. */
  skew: number;
  /** The session may have moved: `done` names the step that completed, null when none did (a failed archive). */
  onChanged: (done: SessionTransitionId | null) => void;
}

export function Transitions({ w, lang, session, checklist, label, skew, onChanged }: Props) {
  const [asking, setAsking] = useState<SessionTransitionId | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  const archive = useJob(
    ARCHIVE_JOB,
    (p) => p.sessionId === session.id,
    (job) => {
      const r = job.result as { statusProblem?: string | null } | null;
      if (job.status !== 'done') setEnded(w.archiveFailed(job.error ?? job.status));
      else if (r?.statusProblem) setEnded(w.archiveNotMoved(r.statusProblem));
      else setEnded(null);
      onChanged(job.status === 'done' && !r?.statusProblem ? 'archive' : null);
    },
    session.id,
  );
  useEffect(() => setEnded(null), [session.id]);
  const next = SESSION_TRANSITIONS.find((x) => x.from === session.status)?.id ?? null;
  return (
    <div class="transitions">
      <ol class="steps" aria-label={w.stepsLabel}>
        {SESSION_TRANSITIONS.map((x) => (
          <li key={x.id}>
            <button
              type="button"
              class={x.id === next ? 'primary' : ''}
              disabled={x.id !== next || archive.job !== null}
              data-testid={`do-${x.id}`}
              onClick={() => setAsking(x.id)}
            >
              {w.transitions[x.id]}
            </button>
          </li>
        ))}
      </ol>
      {archive.job && (
        <div class="job" data-testid="archive-progress">
          <progress max={archive.total ?? undefined} value={archive.total ? archive.done : undefined} />
          <span role="status">{w.archiveProgress(archive.done, archive.total, lang === 'en' ? archive.note : null)}</span>
        </div>
      )}
      {ended && (
        <p class="error" role="alert" data-testid="archive-ended">
          {ended}
        </p>
      )}
      {asking && (
        <ConfirmDialog
          w={w}
          lang={lang}
          step={asking}
          session={session}
          checklist={checklist}
          label={label}
          skew={skew}
          onClose={() => setAsking(null)}
          onDone={(done, job) => {
            setAsking(null);
            if (job) archive.watch(job);
            else onChanged(done);
          }}
        />
      )}
    </div>
  );
}

function ConfirmDialog({
  w,
  lang,
  step,
  session,
  checklist,
  label,
  skew,
  onClose,
  onDone,
}: Omit<Props, 'onChanged'> & { step: SessionTransitionId; onClose: () => void; onDone: (done: SessionTransitionId, job?: api.JobStarted) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The door and the terminals move by the minute: the counts a person confirms on are asked for now.
  const [fresh, setFresh] = useState<SessionChecklist | null>(null);
  useEffect(() => {
    ref.current?.showModal();
    if (step === 'start' || step === 'end')
      api
        .checklist(session.id)
        .then(setFresh)
        .catch(() => undefined);
  }, []);
  const blocking = step === 'openCheckIn' ? (checklist?.items.filter((i) => i.blocks) ?? []) : [];
  const facts = confirmFacts(w, step, session, fresh ?? checklist, Date.now() + skew, label.time);
  const run = async () => {
    if (step === 'archive') return onDone(step, await api.startArchive(session.id));
    const to = SESSION_TRANSITIONS.find((x) => x.id === step)!.to;
    await api.moveSession(session.id, to);
    onDone(step);
  };
  return (
    <dialog ref={ref} onClose={onClose} data-testid="confirm" aria-labelledby="today-confirm-title">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          run().catch((err: unknown) => {
            setBusy(false);
            setError(refusalWords(err, w, lang));
          });
        }}
      >
        <h3 id="today-confirm-title">{w.confirm[step](label.room, label.time)}</h3>
        {facts && (
          <p class="warn-note" data-testid="confirm-facts">
            {facts}
          </p>
        )}
        <p>{w.consequence[step]}</p>
        {blocking.length > 0 && <p class="warn-note">{w.blockingNote(blocking.map((i) => w.item[i.id]).join(lang === 'zh' ? '、' : ', '))}</p>}
        {error && (
          <p class="error" role="alert" data-testid="refusal">
            {w.failed(error)}
          </p>
        )}
        <div class="buttons">
          <button type="button" onClick={() => ref.current?.close()} disabled={busy}>
            {w.cancel}
          </button>
          <button type="submit" class={step === 'archive' || step === 'openCheckIn' ? 'primary' : 'danger'} disabled={busy} data-testid="confirm-yes">
            {busy ? w.working : w.doIt}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Opening check-in this long before the start is worth a second look (tomorrow's session the night before). */
const EARLY_MS = 2 * 3_600_000;

/**
 * The facts a person should see before a step that cannot be undone: how far off the start is (open
 * check-in), who is in (start), the clock and who has not submitted (end). Null when there is nothing to add.
 */
export function confirmFacts(
  w: TodayWords,
  step: SessionTransitionId,
  session: TodaySession,
  checklist: SessionChecklist | null,
  now: number,
  when: string,
): string | null {
  const p = checklist?.people;
  if (step === 'openCheckIn') {
    const ahead = Date.parse(session.startsAt) - now;
    if (ahead <= EARLY_MS) return null;
    const minutes = Math.floor(ahead / 60_000);
    return w.startsLater(when, Math.floor(minutes / 60), minutes % 60);
  }
  if (step === 'start' && p) return w.startFacts(p);
  if (step === 'end' && p) {
    // Rounded up: "1 minute left" until the planned end has passed, never "0 minutes left".
    const left = Date.parse(session.endsAt) - now;
    return w.endFacts({ minutesLeft: left > 0 ? Math.ceil(left / 60_000) : -Math.floor(-left / 60_000), admitted: p.admitted, submitted: p.submitted });
  }
  return null;
}
