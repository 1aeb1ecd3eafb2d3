// One page, three states: reading the code, rating (teacher, class, lessons; 1–5 and a comment), and the
// outcome (thanks, or why not: used, expired, already rated, unknown). Large targets for a thumb; it fits
// a 360 px phone without sideways scrolling.
import { useEffect, useState } from 'preact/hooks';
import { RATING_COMMENT_MAX, type RatingDone, type RatingTicket } from '../../../ratings/protocol.ts';
import { HttpError, NetworkError, call } from '../../../../web/http.ts';
import { storeLang, storedLang, useDocumentLanguage, type Lang } from '../../../../web/i18n.ts';
import { WORDS } from './words.ts';

const LANG_KEY = 'examroom.rate.lang';

/** The token after `#t=` (the kiosk's QR code: training/ratings/protocol.ts rateUrlPath). */
const tokenOf = (hash: string) => new URLSearchParams(hash.replace(/^#/, '')).get('t') ?? '';

type Outcome = { kind: 'thanks'; teacher: string } | { kind: 'refused'; text: string } | { kind: 'error'; text: string };

export function App() {
  const [lang, setLang] = useState<Lang>(storedLang(LANG_KEY));
  const w = WORDS[lang];
  useDocumentLanguage(lang, `${w.title} · examroom`);
  const token = tokenOf(window.location.hash);
  const [ticket, setTicket] = useState<RatingTicket | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);

  const words = (err: unknown): Outcome => {
    if (err instanceof NetworkError) return { kind: 'error', text: w.network };
    if (err instanceof HttpError) {
      const known = w.refusals[err.code] ?? (err.status === 400 ? w.refusals.invalid : undefined);
      return known ? { kind: 'refused', text: known } : { kind: 'error', text: w.failed(err.message) };
    }
    return { kind: 'error', text: w.failed(String(err)) };
  };
  const load = () => {
    setOutcome(null);
    call<RatingTicket>('POST', '/api/training/rate/ticket', { token }).then(setTicket, (err: unknown) => setOutcome(words(err)));
  };
  useEffect(() => {
    if (token) load();
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (score === null || busy) return;
    setBusy(true);
    try {
      const done = await call<RatingDone>('POST', '/api/training/rate', { token, score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      setOutcome({ kind: 'thanks', teacher: done.teacherName });
    } catch (err) {
      setOutcome(words(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    storeLang(LANG_KEY, next);
    setLang(next);
  };
  return (
    <div class="rate-page">
      <header>
        <h1>{w.title}</h1>
        <button type="button" class="lang" onClick={toggle}>
          {w.langToggle}
        </button>
      </header>
      <main data-testid="rate-page" data-state={outcome?.kind ?? ticket?.state ?? (token ? 'loading' : 'no-token')}>
        {!token && <p class="note bad">{w.noToken}</p>}
        {token && !ticket && !outcome && <p class="note">{w.loading}</p>}
        {ticket && (
          <section class="ticket">
            <h2 data-testid="teacher">{w.forTeacher(ticket.teacherName, ticket.teacherTitle)}</h2>
            <p class="muted">{w.classLine(ticket.className, ticket.institution)}</p>
            <p class="muted">{w.trainee(ticket.traineeName)}</p>
            {ticket.lessons.length > 0 && (
              <details>
                <summary>{w.lessons}</summary>
                <ul>
                  {ticket.lessons.map((l) => (
                    <li key={l}>{l}</li>
                  ))}
                </ul>
              </details>
            )}
          </section>
        )}
        {outcome?.kind === 'thanks' && (
          <section class="note good" role="status" data-testid="thanks">
            <p>
              <strong>{w.thanks(outcome.teacher)}</strong>
            </p>
            <p>{w.closeHint}</p>
          </section>
        )}
        {(outcome?.kind === 'refused' || outcome?.kind === 'error') && (
          <section class={`note ${outcome.kind === 'refused' ? 'warn' : 'bad'}`} role="alert" data-testid="refused">
            <p>{outcome.text}</p>
            {outcome.kind === 'error' && (
              <button type="button" onClick={load}>
                {w.retry}
              </button>
            )}
          </section>
        )}
        {ticket && ticket.state !== 'open' && !outcome && (
          <section class="note warn" role="alert" data-testid="refused">
            <p>{w.states[ticket.state]}</p>
          </section>
        )}
        {ticket?.state === 'open' && !outcome && (
          <form onSubmit={submit} class="rate-form">
            <p class="ask">{w.ask}</p>
            <div class="stars" role="radiogroup" aria-label={w.ask}>
              {[1, 2, 3, 4, 5].map((n) => (
                <button
                  type="button"
                  key={n}
                  role="radio"
                  aria-checked={score === n}
                  aria-label={`${w.stars(n)} ${w.starWords[n - 1]}`}
                  class={score !== null && n <= score ? 'star on' : 'star'}
                  onClick={() => setScore(n)}
                  data-score={n}
                >
                  ★<small>{n}</small>
                </button>
              ))}
            </div>
            <p class="star-words">{score ? w.starWords[score - 1] : '\u00a0'}</p>
            <label>
              {w.comment}
              <textarea name="comment" maxLength={RATING_COMMENT_MAX} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
            </label>
            <button type="submit" class="primary" disabled={score === null || busy}>
              {busy ? w.submitting : w.submit}
            </button>
            <p class="muted small">{w.anonymous}</p>
            <p class="muted small">{w.expiresAt(ticket.expiresAtLocal)}</p>
          </form>
        )}
      </main>
    </div>
  );
}
