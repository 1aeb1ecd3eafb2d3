// The exam layout a candidate sits in: the instructions before the start, then the exam screen (header
// with the countdown and language toggle, banners, one question or the answer sheet, the footer, the
// keys) and the confirmation before submitting. It reads the controller's state and calls its actions;
// no exam rule lives here.
import { useEffect, useRef } from 'preact/hooks';
import type { Controller } from './controller.ts';
import type { State } from './state.ts';
import { LETTERS, type Strings } from './i18n.ts';
import { useTick } from '../../../web/store.ts';

export type ScreenProps = { c: Controller; s: State; t: Strings };
type P = ScreenProps;

// Icons are drawn here: the exam PCs have Noto Sans CJK and little else, so no symbol-font glyphs.
function Flag() {
  return (
    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M3 1.5v13" stroke="currentColor" stroke-width="1.6" fill="none" />
      <path d="M3.8 2h9l-2.2 3.2L12.8 8.5h-9z" fill="currentColor" />
    </svg>
  );
}

function Grid() {
  return (
    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
      {[1.5, 6.5, 11.5].flatMap((y) =>
        [1.5, 6.5, 11.5].map((x) => <rect key={`${x}-${y}`} x={x} y={y} width="3.5" height="3.5" rx="0.6" fill="currentColor" />),
      )}
    </svg>
  );
}

function Countdown({ c, s, t }: P) {
  useTick(250);
  const state = s.time?.msg.state ?? null;
  const ms = c.remainingMs();
  let text = t.timeWaiting;
  if (state === 'over') text = t.timeOver;
  else if (ms !== null) {
    const total = Math.ceil(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    text = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  }
  const urgent = state === 'running' && ms !== null && ms < 5 * 60_000;
  return (
    <div class={`countdown${urgent ? ' urgent' : ''}${state === 'paused' ? ' paused' : ''}`} role="timer" aria-live="off" aria-label={`${t.timeLeft} ${text}`}>
      <span class="countdown-label">{t.timeLeft}</span>
      <span class="countdown-value" data-testid="countdown">
        {text}
      </span>
    </div>
  );
}

function ExamHeader(p: P) {
  const { s, t } = p;
  return (
    <header class="exam-header">
      <div class="who">
        <div class="session-name">{s.session?.name}</div>
        <div class="muted">
          {s.candidate?.name} · {s.candidate?.ticketNo} · {t.loginRoom(s.hello?.roomName ?? s.hello?.roomId ?? '', s.candidate?.seat ?? '')}
          {s.camera ? (
            <span class="cam">
              {' · '}
              <span class="cam-dot" aria-hidden="true" /> {t.snapshotCamera}
            </span>
          ) : null}
        </div>
      </div>
      <Countdown {...p} />
      <LangToggle {...p} />
    </header>
  );
}

export function LostBanner({ c, s, t }: P) {
  useTick(500);
  const left = s.lost?.retryAt ? Math.max(0, Math.ceil((s.lost.retryAt - performance.now()) / 1000)) : null;
  const unsaved = c.saves?.unsaved ?? 0;
  return (
    <div class="banner lost" role="alert" data-testid="connection-lost">
      <strong>{t.connLost}</strong>
      <span class="banner-extra">
        {unsaved > 0 ? t.connLostUnsaved(unsaved) : null}
        {left !== null && left > 0 ? ` · ${t.connLostRetry(left)}` : null}
      </span>
    </div>
  );
}

function Banners(p: P) {
  const { s, t } = p;
  const pause = s.time?.msg.state === 'paused' ? s.time.msg.pause : null;
  return (
    <>
      {s.lost ? <LostBanner {...p} /> : null}
      {s.fullscreenLost ? (
        <div class="banner paused" role="alert">
          <strong>{t.fullscreenAsk}</strong>
          <button type="button" class="nav" onClick={() => p.c.enterFullscreen()}>
            {t.fullscreenButton}
          </button>
        </div>
      ) : null}
      {s.time?.msg.state === 'paused' ? (
        <div class="banner paused" role="status" data-testid="paused">
          <strong>{t.pausedBanner}</strong>
          {pause?.reason ? <span class="banner-extra">{t.pausedReason(pause.reason)}</span> : null}
        </div>
      ) : null}
      {s.added ? (
        <div class="banner added" role="status" data-testid="time-added">
          <strong>{t.timeAdded(s.added.minutes, s.added.scope)}</strong>
          <span class="banner-extra">{t.pausedReason(s.added.reason)}</span>
        </div>
      ) : null}
    </>
  );
}

function SaveChip({ status, t }: { status: 'saved' | 'saving' | 'none'; t: Strings }) {
  return (
    <span class={`save-chip ${status}`} data-testid="save-state" data-state={status} role="status" aria-live="polite">
      {status === 'saved' ? `✓ ${t.saved}` : status === 'saving' ? t.saving : t.unanswered}
    </span>
  );
}

export function Exam(p: P) {
  const { s } = p;
  useExamKeys(p);
  return (
    <div class="exam-layout">
      <ExamHeader {...p} />
      <Banners {...p} />
      {s.questions === null ? (
        <main class="instructions">
          <p class="warn">{p.t.instructionsWaiting}</p>
        </main>
      ) : s.view === 'sheet' ? (
        <AnswerSheet {...p} />
      ) : (
        <Question {...p} />
      )}
      {s.questions !== null ? <ExamFooter {...p} /> : null}
    </div>
  );
}

function useExamKeys({ c, s }: P) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const st = c.store.get();
      if (e.ctrlKey || e.altKey || e.metaKey || st.confirming || st.locked || st.screen !== 'exam' || !st.questions) return;
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      const q = st.questions[st.current];
      if (!q) return;
      // On the answer sheet the keys move between its cells (Tab, Enter) instead.
      if (st.view !== 'question') return;
      if (e.key === 'ArrowLeft' || e.key === 'PageUp') {
        e.preventDefault();
        c.goTo(st.current - 1);
      } else if (e.key === 'ArrowRight' || e.key === 'PageDown') {
        e.preventDefault();
        c.goTo(st.current + 1);
      } else if (/^[a-zA-Z]$/.test(e.key) && LETTERS.indexOf(e.key.toUpperCase()) < q.options.length) {
        e.preventDefault();
        c.choose(q.no, LETTERS.indexOf(e.key.toUpperCase()));
      } else if (/^[1-9]$/.test(e.key) && Number(e.key) <= q.options.length) {
        e.preventDefault();
        c.choose(q.no, Number(e.key) - 1);
      } else if (e.key === 'm' || e.key === 'M') {
        e.preventDefault();
        c.toggleMark(q.no);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [c, s.screen]);
}

function Question({ c, s, t }: P) {
  const qs = s.questions!;
  const q = qs[s.current]!;
  const choice = c.saves?.choiceOf(q.no) ?? [];
  const status = c.saves?.status(q.no) ?? 'none';
  const marked = s.marked.has(q.no);
  const multiple = q.type === 'multiple';
  const frozen = Boolean(s.locked) || s.time?.msg.state === 'paused' || s.time?.msg.state === 'over';
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [q.no]);
  return (
    <main class="question" data-testid="question" data-no={q.no}>
      <div class="question-meta">
        <h1 ref={heading} tabIndex={-1} class="question-no">
          {t.questionOf(q.no, qs.length)}
        </h1>
        <span class={`qtype ${q.type}`}>{t.types[q.type]}</span>
        <span class="muted">{t.points(q.score)}</span>
        {marked ? (
          <span class="mark-flag">
            <Flag /> {t.marked}
          </span>
        ) : null}
        <SaveChip status={status} t={t} />
      </div>
      <p class="stem" id={`stem-${q.no}`}>
        {q.stem}
        {multiple ? <span class="muted"> {t.multipleHint}</span> : null}
      </p>
      {/* The server sends /api/bank/images/<id> URLs; anything else (a bare file name) is nothing it can serve. */}
      {q.images
        .filter((src) => src.startsWith('/') || src.startsWith('data:image/'))
        .map((src, i, all) => (
          <img key={src} class="question-image" src={src} alt={t.questionImage(q.no, i + 1, all.length)} />
        ))}
      <div class="options" role={multiple ? 'group' : 'radiogroup'} aria-labelledby={`stem-${q.no}`}>
        {q.options.map((o, i) => {
          const on = choice.includes(i);
          return (
            <button
              key={`${q.no}-${i}`}
              type="button"
              role={multiple ? 'checkbox' : 'radio'}
              aria-checked={on}
              disabled={frozen}
              class={`option${multiple ? ' multi' : ''}${on ? ' selected' : ''}`}
              data-testid="option"
              onClick={() => c.choose(q.no, i)}
            >
              <span class="letter" aria-hidden="true">
                {LETTERS[i]}
              </span>
              <span class="option-text">{o}</span>
            </button>
          );
        })}
      </div>
    </main>
  );
}

function ExamFooter({ c, s, t }: P) {
  const qs = s.questions!;
  const q = qs[s.current]!;
  const marked = s.marked.has(q.no);
  const over = s.time?.msg.state === 'over';
  return (
    <footer class="exam-footer">
      <button type="button" class="nav" disabled={s.current === 0} onClick={() => c.goTo(s.current - 1)}>
        ← {t.prev}
      </button>
      <button type="button" class={`nav${marked ? ' marked' : ''}`} aria-pressed={marked} onClick={() => c.toggleMark(q.no)}>
        <Flag /> {marked ? t.unmark : t.mark}
      </button>
      <button type="button" class="nav" aria-pressed={s.view === 'sheet'} onClick={() => c.showSheet(s.view !== 'sheet')}>
        <Grid /> {s.view === 'sheet' ? t.backToQuestion : t.sheet}
      </button>
      <button type="button" class="nav" disabled={s.current >= qs.length - 1} onClick={() => c.goTo(s.current + 1)}>
        {t.next} →
      </button>
      <span class="spacer" />
      <button type="button" class="submit" disabled={over || Boolean(s.locked)} onClick={() => c.askSubmit(true)}>
        {t.submit}
      </button>
    </footer>
  );
}

function counts(c: Controller, s: State) {
  const qs = s.questions ?? [];
  let answered = 0;
  for (const q of qs) if ((c.saves?.choiceOf(q.no).length ?? 0) > 0) answered++;
  const marked = qs.filter((q) => s.marked.has(q.no)).length;
  return { answered, unanswered: qs.length - answered, marked, unsaved: c.saves?.unsaved ?? 0 };
}

function AnswerSheet({ c, s, t }: P) {
  const qs = s.questions!;
  const n = counts(c, s);
  const current = useRef<HTMLButtonElement>(null);
  // Opening the sheet puts the question being answered in view and in focus: Tab and Enter go on from there.
  useEffect(() => {
    current.current?.scrollIntoView({ block: 'nearest' });
    current.current?.focus({ preventScroll: true });
  }, []);
  return (
    <main class="sheet" data-testid="answer-sheet">
      <h1>{t.sheetTitle}</h1>
      <p class="sheet-counts" data-testid="sheet-counts">
        {t.sheetCounts(n.answered, n.unanswered, n.marked)}
      </p>
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="cell answered" /> {t.sheetLegend.answered}
        </li>
        <li>
          <span class="cell" /> {t.sheetLegend.unanswered}
        </li>
        <li>
          <span class="cell marked" /> {t.sheetLegend.marked}
        </li>
        <li>
          <span class="cell current" /> {t.sheetLegend.current}
        </li>
      </ul>
      <ol class="grid">
        {qs.map((q, i) => {
          const answered = (c.saves?.choiceOf(q.no).length ?? 0) > 0;
          const marked = s.marked.has(q.no);
          const status = c.saves?.status(q.no);
          const label = [
            `${q.no}`,
            answered ? t.sheetLegend.answered : t.sheetLegend.unanswered,
            marked ? t.sheetLegend.marked : '',
            status === 'saving' ? t.saving : '',
          ]
            .filter(Boolean)
            .join(' · ');
          return (
            <li key={q.no}>
              <button
                ref={i === s.current ? current : undefined}
                type="button"
                class={`cell${answered ? ' answered' : ''}${marked ? ' marked' : ''}${i === s.current ? ' current' : ''}`}
                data-testid="sheet-cell"
                data-state={answered ? 'answered' : 'unanswered'}
                data-marked={marked ? 'yes' : 'no'}
                aria-label={label}
                aria-current={i === s.current ? 'true' : undefined}
                onClick={() => c.goTo(i)}
              >
                {q.no}
                {marked ? (
                  <span class="cell-flag">
                    <Flag />
                  </span>
                ) : null}
                {status === 'saving' ? <span class="cell-dot" /> : null}
              </button>
            </li>
          );
        })}
      </ol>
    </main>
  );
}

export function ConfirmSubmit({ c, s, t }: P) {
  const n = counts(c, s);
  const no = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    no.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') c.askSubmit(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="modal-backdrop">
      <div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-body" data-testid="confirm-submit">
        <h2 id="confirm-title">{t.confirmTitle}</h2>
        <div id="confirm-body">
          <ul class="confirm-list">
            {n.unanswered > 0 ? (
              <li class="warn-text" data-testid="confirm-unanswered">
                {t.confirmUnanswered(n.unanswered)}
              </li>
            ) : (
              <li>{t.confirmAllDone}</li>
            )}
            {n.marked > 0 ? (
              <li class="warn-text" data-testid="confirm-marked">
                {t.confirmMarked(n.marked)}
              </li>
            ) : null}
            {n.unsaved > 0 ? <li class="error">{t.confirmPending(n.unsaved)}</li> : null}
          </ul>
          <p>{t.confirmBody}</p>
          {s.error ? (
            <p class="error" role="alert">
              {s.error}
            </p>
          ) : null}
        </div>
        <div class="modal-actions">
          <button ref={no} type="button" class="nav" onClick={() => c.askSubmit(false)}>
            {t.confirmNo}
          </button>
          <button type="button" class="submit" disabled={s.submitting || n.unsaved > 0 || !s.online} onClick={() => c.submit()}>
            {s.submitting ? t.submitting : t.confirmYes}
          </button>
        </div>
      </div>
    </div>
  );
}

export function LangToggle({ c, s, t }: P) {
  return (
    <button type="button" class="lang" aria-label={t.langToggleLabel} onClick={() => c.setLang(s.lang === 'zh' ? 'en' : 'zh')}>
      {t.langToggle}
    </button>
  );
}

export function Instructions(p: P) {
  const { c, s, t } = p;
  const start = useRef<HTMLButtonElement>(null);
  const ready = s.questions !== null;
  useEffect(() => {
    if (ready) start.current?.focus();
  }, [ready]);
  const cand = s.candidate;
  const ex = s.exam;
  return (
    <div class="exam-layout">
      <ExamHeader {...p} />
      <Banners {...p} />
      <main class="instructions">
        <h1>{t.instructionsTitle}</h1>
        {cand ? (
          <>
            <p class="lead">{t.instructionsWelcome(cand.name)}</p>
            <p class="muted">{t.instructionsCandidate(cand.ticketNo, cand.idNumber, cand.seat)}</p>
            {s.faceConsent ? (
              <p class="face-consent" data-testid="face-consent">
                {s.faceConsent === 'accepted' ? t.faceAccepted : t.faceDeclined}
              </p>
            ) : null}
          </>
        ) : null}
        <ol class="rules">
          {t.instructionsRules(ex?.questions ?? 0, ex?.total ?? 0, ex?.passMark ?? 0, s.session?.durationMinutes ?? 0).map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ol>
        {!ready ? (
          <p class="warn" role="status">
            {t.instructionsWaiting}
          </p>
        ) : null}
        <button ref={start} type="button" class="primary big" disabled={!ready} onClick={() => c.startAnswering()}>
          {t.instructionsStart}
        </button>
      </main>
    </div>
  );
}
