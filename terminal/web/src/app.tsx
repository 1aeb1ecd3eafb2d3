// The screens around the exam (connecting, pairing, log-in, locked, result) and the frame that picks one;
// the instructions and the exam screen are in exam-screen.tsx. They read the controller's state and call
// its actions; no exam rule lives here.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Controller } from './controller.ts';
import type { Strings } from './i18n.ts';
import { useDocumentLanguage } from '../../../web/i18n.ts';
import { PairingPanel } from '../../../web/pairing-view.tsx';
import { InsecureContextNotice } from '../../../web/insecure-context.tsx';
import { useStore, useTick } from '../../../web/store.ts';
import { ConfirmSubmit, Exam, Instructions, LangToggle, LostBanner, type ScreenProps as P } from './exam-screen.tsx';

export function App({ c }: { c: Controller }) {
  const s = useStore(c.store);
  const t = c.t;
  useDocumentLanguage(s.lang, t.appTitle);
  const p = { c, s, t };
  return (
    <div class={`app screen-${s.screen}`}>
      {/* For the IT person before the exam; not over a candidate's paper. */}
      {s.screen !== 'exam' && s.screen !== 'result' ? <InsecureContextNotice lang={s.lang} need={c.secureNeed} /> : null}
      {s.screen === 'boot' || s.screen === 'connecting' ? <Connecting {...p} /> : null}
      {s.screen === 'pairing' ? <Pairing {...p} /> : null}
      {s.screen === 'login' ? <Login {...p} /> : null}
      {s.screen === 'instructions' ? <Instructions {...p} /> : null}
      {s.screen === 'exam' ? <Exam {...p} /> : null}
      {s.screen === 'result' ? <Result {...p} /> : null}
      {s.screen === 'replaced' ? <Replaced {...p} /> : null}
      {s.locked && s.screen !== 'result' && s.candidate ? <Locked {...p} /> : null}
      {s.confirming && s.screen === 'exam' && !s.locked ? <ConfirmSubmit {...p} /> : null}
      {s.notice ? (
        <div class="notice" role="status" aria-live="polite">
          {s.notice.text}
        </div>
      ) : null}
    </div>
  );
}

function Centered({ p, title, children }: { p: P; title: string; children: ComponentChildren }) {
  return (
    <main class="centered">
      <div class="topbar">
        <span class="brand">{p.t.appTitle}</span>
        <LangToggle {...p} />
      </div>
      <section class="card" aria-labelledby="card-title">
        <h1 id="card-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}

function Connecting(p: P) {
  return (
    <Centered p={p} title={p.t.connecting}>
      <div class="spinner" aria-hidden="true" />
      {p.s.connectError ? (
        <p class="error" role="alert">
          {p.t.connectRefused(p.s.connectError)}
        </p>
      ) : null}
    </Centered>
  );
}

function Pairing(p: P) {
  return (
    <Centered p={p} title={p.t.pairingTitle}>
      <PairingPanel pairing={p.s.pairing} t={p.t} onAgain={() => p.c.retryPairing()} />
    </Centered>
  );
}

function Replaced(p: P) {
  return (
    <Centered p={p} title={p.t.replacedTitle}>
      <p class="lead">{p.t.replacedBody}</p>
      <button type="button" class="primary" onClick={() => location.reload()}>
        {p.t.reload}
      </button>
    </Centered>
  );
}

/** In the site's time zone (from hello), not the terminal's: a mis-set PC must not show another hour. */
function formatClock(ms: number | null, lang: string, timeZone: string | undefined): string {
  if (ms === null) return '';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: timeZone ?? 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

function Login(p: P) {
  const { c, s, t } = p;
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const h = s.hello;
  const session = s.session;
  return (
    <Centered p={p} title={t.loginTitle}>
      {h ? (
        <p class="seat-line">
          <strong>{t.loginRoom(h.roomName ?? h.roomId, h.seat)}</strong> <span class="muted">· {t.loginTerminal(h.terminalId)}</span>
        </p>
      ) : null}
      {session ? (
        <div class="session-box">
          <div class="session-name">{session.name}</div>
          <div class="muted">
            {t.loginSessionStatus[session.status]} ·{' '}
            {session.startedAt != null
              ? t.loginStartedAt(formatClock(session.startedAt, s.lang, s.hello?.timezone))
              : t.loginStartsAt(formatClock(session.startsAt, s.lang, s.hello?.timezone))}{' '}
            · {t.loginDuration(session.durationMinutes)}
          </div>
        </div>
      ) : (
        <p class="warn">{t.loginNoSession}</p>
      )}
      <form
        class="login-form"
        onSubmit={(e) => {
          e.preventDefault();
          c.login(value);
        }}
      >
        <label for="credential">{t.loginCredential}</label>
        <input
          id="credential"
          ref={input}
          name="credential"
          autocomplete="off"
          spellcheck={false}
          maxLength={32}
          value={value}
          placeholder={t.loginCredentialHint}
          aria-describedby={s.loginError ? 'login-error' : undefined}
          disabled={s.loginBusy || s.waitingMove || s.loginLocked}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary big" disabled={s.loginBusy || s.waitingMove || s.loginLocked || !value.trim() || !s.online}>
          {s.loginBusy ? t.loginBusy : t.loginSubmit}
        </button>
      </form>
      {s.loginLocked ? (
        <div class="login-locked" role="alert" data-testid="login-locked">
          <p class="error">
            <strong>{t.loginLockedTitle}</strong>
          </p>
          <p>{t.loginLockedText}</p>
        </div>
      ) : s.loginError ? (
        <div id="login-error" role="alert">
          <p class="error">{s.loginError.reason ? t.loginRefused[s.loginError.reason] : s.loginError.message}</p>
        </div>
      ) : null}
      {s.waitingMove ? (
        <p class="warn" role="status">
          {t.loginWaitingMove}
        </p>
      ) : null}
      {s.lost ? <LostBanner {...p} /> : null}
    </Centered>
  );
}

function Locked({ s, t }: P) {
  return (
    <div class="lock-screen" role="alertdialog" aria-modal="true" aria-labelledby="lock-title" data-testid="locked">
      <svg class="lock-icon" viewBox="0 0 24 24" aria-hidden="true">
        <rect x="4" y="10.5" width="16" height="11" rx="2" fill="currentColor" />
        <path d="M8 10.5V7a4 4 0 0 1 8 0v3.5" fill="none" stroke="currentColor" stroke-width="2.2" />
      </svg>
      <h1 id="lock-title">{t.lockedTitle}</h1>
      <p class="lead">{t.lockedBody}</p>
      {s.locked?.reason ? <p>{t.lockedReason(s.locked.reason)}</p> : null}
    </div>
  );
}

function Result(p: P) {
  const { s, t } = p;
  const sub = s.submitted;
  const r = sub?.result ?? null;
  return (
    <Centered p={p} title={t.resultTitle}>
      <div data-testid="result">
        {sub ? <p class="lead">{t.resultBy[sub.by]}</p> : null}
        {s.candidate ? (
          <p class="muted">
            {s.candidate.name} · {s.candidate.ticketNo}
          </p>
        ) : null}
        {r ? (
          <div class={`score ${r.passed ? 'passed' : 'failed'}`}>
            <div class="score-label">{t.resultScore}</div>
            <div class="score-value" data-testid="score">
              {t.resultScoreValue(r.score, r.total)}
            </div>
            <div class="score-verdict">{r.passed ? t.resultPassed : t.resultFailed}</div>
            <div class="muted">{t.resultPassMark(r.passMark)}</div>
          </div>
        ) : (
          <p class="lead">{t.resultNoScore}</p>
        )}
        <p>{t.resultLeave}</p>
        <ResultClears at={s.resultClearsAt} t={t} />
        <button type="button" class="nav small-button" onClick={() => p.c.nextCandidate()}>
          {t.nextCandidate}
        </button>
      </div>
    </Centered>
  );
}

function ResultClears({ at, t }: { at: number | null; t: Strings }) {
  useTick(1000);
  if (at === null) return null;
  return (
    <p class="muted small" data-testid="result-clears">
      {t.resultClears(Math.max(0, Math.ceil((at - performance.now()) / 1000)))}
    </p>
  );
}
