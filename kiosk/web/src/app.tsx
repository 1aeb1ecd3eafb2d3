// The screens. They read the controller's state and call its actions; no identity rule lives here.
// Touch first: every target is at least 64 px, nothing scrolls, the text is large and high-contrast.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Controller } from './controller.ts';
import type { State } from './state.ts';
import { maskId, type Strings } from './i18n.ts';
import { useDocumentLanguage } from '../../../web/i18n.ts';
import { PairingPanel } from '../../../web/pairing-view.tsx';
import { InsecureContextNotice } from '../../../web/insecure-context.tsx';
import { useStore, useTick } from '../../../web/store.ts';
import { Consent, IdleNotice } from './face-notice.tsx';
import { Signed, TrainingIdleLeft } from './training.tsx';
import { TRAINING_STRINGS } from './training-words.ts';

export type P = { c: Controller; s: State; t: Strings };

export function App({ c }: { c: Controller }) {
  const s = useStore(c.store);
  const t = c.t;
  const training = c.training.active(s);
  useDocumentLanguage(s.lang, training ? TRAINING_STRINGS[s.lang].appTitle : t.appTitle);
  const p = { c, s, t };
  return (
    <div class={`app screen-${s.screen}${training ? ' training' : ''}`} data-screen={s.screen} data-mode={training ? 'training' : 'exam'}>
      <TopBar {...p} />
      {s.offline ? <OfflineBanner {...p} /> : null}
      <InsecureContextNotice lang={s.lang} need="camera" compact />
      <main class="stage">
        {s.screen === 'boot' ? <Boot {...p} /> : null}
        {s.screen === 'pairing' ? <Pairing {...p} /> : null}
        {s.screen === 'idle' || s.screen === 'looking' ? <Idle {...p} /> : null}
        {s.screen === 'refused' ? <Refused {...p} /> : null}
        {s.screen === 'consent' ? <Consent {...p} /> : null}
        {s.screen === 'declined' ? <Declined {...p} /> : null}
        {s.screen === 'capture' ? <Capture {...p} /> : null}
        {s.screen === 'admitted' ? <Admitted {...p} /> : null}
        {s.screen === 'failed' ? <Failed {...p} /> : null}
        {s.screen === 'signed' ? <Signed {...p} /> : null}
      </main>
      {s.overrideOpen ? <Override {...p} /> : null}
    </div>
  );
}

function TopBar({ c, s, t }: P) {
  return (
    <header class="topbar">
      <span class="brand">{c.training.active(s) ? TRAINING_STRINGS[s.lang].appTitle : t.appTitle}</span>
      <span class="where">{s.kiosk ? `${s.kiosk.site.name} · ${s.kiosk.kiosk.name}` : ''}</span>
      <button type="button" class="lang" aria-label={t.langToggleLabel} onClick={() => c.setLang(s.lang === 'zh' ? 'en' : 'zh')}>
        {t.langToggle}
      </button>
    </header>
  );
}

function OfflineBanner({ c, t }: P) {
  return (
    <div class="banner offline" role="alert" data-testid="offline">
      <span>{t.networkLost}</span>
      <button type="button" class="banner-btn" onClick={() => c.retryNow()}>
        {t.retryNow}
      </button>
    </div>
  );
}

/**
 * What the ID-card reader is doing, in words for the candidate and staff: no reader, not authorised, a
 * card it could not read or does not take; and, for staff, that the card photo is not compared.
 */
function ReaderLine({ s, t }: P) {
  const r = s.reader;
  // No reader bridge has spoken: many sites type the number, so this is said plainly, not as a fault.
  if (!r)
    return (
      <div class="reader-state" data-testid="reader-state" data-state="none" data-problem="">
        <p class="reader-none">{t.readerNone}</p>
      </div>
    );
  const trouble = r.problem ? t.readerProblem[r.problem] : r.state !== 'ready' || !r.online ? t.readerState[r.online ? r.state : 'no_reader'] : null;
  return (
    <div class="reader-state" data-testid="reader-state" data-state={r.online ? r.state : 'offline'} data-problem={r.problem ?? ''}>
      {trouble ? (
        <p class="reader-trouble" role="status">
          {trouble}
        </p>
      ) : (
        <p class="reader-ok">{t.readerState.ready}</p>
      )}
      {r.state === 'ready' && r.online && !r.photoDecoder ? <p class="reader-note">{t.readerNoPhoto}</p> : null}
    </div>
  );
}

function Boot({ t }: P) {
  return (
    <section class="panel center">
      <div class="spinner" aria-hidden="true" />
      <p class="lead">{t.connecting}</p>
    </section>
  );
}

function Pairing({ c, s, t }: P) {
  return (
    <section class="panel center pairing" aria-labelledby="pairing-title">
      <h1 id="pairing-title">{t.pairingTitle}</h1>
      <PairingPanel pairing={s.pairing} t={t} onAgain={() => void c.startPairing()} buttonClass="primary big" />
    </section>
  );
}

// ------------------------------------------------------------------ idle: card or keypad

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'X', '0', 'back'] as const;

function IdCardArt() {
  return (
    <svg class="card-art" viewBox="0 0 220 140" aria-hidden="true">
      <rect x="4" y="4" width="212" height="132" rx="14" fill="#fff" stroke="currentColor" stroke-width="5" />
      <circle cx="168" cy="60" r="22" fill="currentColor" opacity="0.25" />
      <path d="M138 112c4-18 16-26 30-26s26 8 30 26z" fill="currentColor" opacity="0.25" />
      {[34, 56, 78].map((y) => (
        <rect key={y} x="24" y={y} width={y === 78 ? 70 : 96} height="9" rx="4" fill="currentColor" opacity="0.35" />
      ))}
      <rect x="24" y="104" width="100" height="12" rx="4" fill="currentColor" opacity="0.55" />
    </svg>
  );
}

function Idle({ c, s, t }: P) {
  // Keys typed or scanned reach the field through the controller's listener (controller.keypad.listen).
  const looking = s.screen === 'looking';
  const typed = s.typed;
  // A classroom kiosk in training mode signs trainees in and out: the exam rooms' check-in is not its business.
  const sessions = c.training.active(s) ? [] : (s.kiosk?.sessions ?? []);
  return (
    <section class="idle">
      <div class="idle-left">
        {c.training.active(s) ? (
          <TrainingIdleLeft c={c} s={s} t={t} />
        ) : (
          <>
            <h1 class="idle-title">{t.idleTitle}</h1>
            <p class="idle-sub">{t.idleSub}</p>
            <IdCardArt />
          </>
        )}
        {sessions.length ? (
          <ul class="sessions" aria-label={t.rosterSession}>
            {sessions.slice(0, 3).map((x) => (
              // The counts never give way: a long session name wraps (two lines at most) beside them.
              <li key={x.id} data-testid="session-line">
                <span class="session-what">
                  <strong>{x.roomName}</strong> · {x.startsAtLocal.slice(11)} · <span class="session-name">{x.name}</span>
                </span>
                <span class="session-count" data-testid="session-count">
                  {t.sessionCount(x.admitted, x.total)}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
        <IdleNotice c={c} s={s} t={t} />
        <p class={`reader ${s.live ? 'on' : 'off'}`}>
          <span class="dot" aria-hidden="true" /> {t.idleLink(s.live)}
        </p>
        <ReaderLine c={c} s={s} t={t} />
      </div>
      <div class="idle-right">
        <label class="id-label" id="id-label">
          {t.idField} <span class="muted">{t.idCount(typed.length)}</span>
        </label>
        <output class={`id-display ${s.typedError ? 'bad' : ''}`} aria-labelledby="id-label" data-testid="id-display">
          {typed.replace(/^(\d{6})(\d{0,8})(.*)$/, (_m, a: string, b: string, rest: string) => [a, b, rest].filter(Boolean).join(' ')) || (
            <span class="placeholder">_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _</span>
          )}
        </output>
        <p class="id-error" role="alert">
          {s.typedError ?? ''}
        </p>
        <div class="keypad" role="group" aria-label={t.idField}>
          {KEYS.map((k) => (
            <button
              type="button"
              key={k}
              class={`key ${k === 'back' ? 'fn' : ''}`}
              data-key={k}
              aria-label={k === 'back' ? t.keyBackLabel : k}
              disabled={looking || (k === 'X' && typed.length !== 17) || (k !== 'back' && typed.length >= 18)}
              onClick={() => c.keypad.press(k)}
            >
              {k === 'back' ? <BackIcon /> : k}
            </button>
          ))}
          <button type="button" class="key fn" onClick={() => c.keypad.press('clear')} disabled={!looking && typed.length === 0}>
            {t.keyClear}
          </button>
          <button type="button" class="key ok primary" onClick={() => c.keypad.press('ok')} disabled={looking || typed.length !== 18}>
            {looking ? <span class="spinner small light" aria-hidden="true" /> : null}
            {looking ? t.looking : t.keyOk}
          </button>
        </div>
      </div>
    </section>
  );
}

function Declined(p: P) {
  const { c, s, t } = p;
  const a = s.attempt!;
  return (
    <section class="panel verdict declined" data-testid="declined" aria-labelledby="declined-title">
      <IdCardArt />
      <h1 id="declined-title">
        {t.declinedTitle} · {a.candidate.name}
      </h1>
      <p class="verdict-text">{a.training ? TRAINING_STRINGS[s.lang].declinedLead : t.declinedLead}</p>
      <div class="actions">
        <button type="button" class="primary big staff" onClick={() => c.staff.open()}>
          {t.staff}
        </button>
        <button type="button" class="big" onClick={() => c.toIdle()}>
          {t.backNow}
        </button>
      </div>
      <ReturnCountdown {...p} />
    </section>
  );
}

function BackIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M9 5h11v14H9l-6-7z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
      <path d="M12 9l6 6M18 9l-6 6" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}

// ------------------------------------------------------------------ countdown back to idle

function ReturnCountdown({ c, s, t }: P) {
  useTick(250);
  if (s.returnAt === null) return null;
  const secs = Math.max(0, Math.ceil((s.returnAt - performance.now()) / 1000));
  return (
    <div class="return-row">
      <span class="muted" data-testid="return-in">
        {t.returnIn(secs)}
      </span>
    </div>
  );
}

function Refused(p: P) {
  const { c, s, t } = p;
  const r = s.refusal!;
  const tt = c.training.active(s) ? TRAINING_STRINGS[s.lang] : null;
  const text = (s.lang === 'zh' && r.message) || (tt ? tt.refusals[r.reason] : t.lookupRefusals[r.reason]) || r.message;
  // Someone already checked in is not turned away: they are told so, calmly, and where to sit.
  const done = r.reason === 'already_admitted' || Boolean(tt?.calmRefusals.includes(r.reason));
  return (
    <section class={`panel verdict ${done ? 'good' : 'bad'}`} data-testid="lookup-refused" data-reason={r.reason} aria-labelledby="refused-title">
      {done ? <TickIcon /> : <CrossIcon />}
      <h1 id="refused-title">{done ? (tt ? tt.doneTitle : t.alreadyAdmittedTitle) : t.refusedTitle}</h1>
      <p class="verdict-text">{text}</p>
      {r.candidate ? (
        <p class="lead">
          {r.candidate.name} · {r.candidate.idNumberMasked}
          {r.session ? ` · ${r.session.roomName} · ${r.session.startsAtLocal}` : ''}
          {r.seat ? ` · ${t.seatLabel} ${r.seat}` : ''}
        </p>
      ) : null}
      <div class="actions">
        <button type="button" class="big" onClick={() => c.toIdle()}>
          {t.backNow}
        </button>
      </div>
      <ReturnCountdown {...p} />
    </section>
  );
}

function CrossIcon() {
  return (
    <svg class="verdict-icon" viewBox="0 0 48 48" aria-hidden="true">
      <circle cx="24" cy="24" r="22" fill="currentColor" />
      <path d="M16 16l16 16M32 16L16 32" stroke="#fff" stroke-width="5" stroke-linecap="round" />
    </svg>
  );
}

function TickIcon() {
  return (
    <svg class="verdict-icon" viewBox="0 0 48 48" aria-hidden="true">
      <circle cx="24" cy="24" r="22" fill="currentColor" />
      <path d="M13 25l8 8 15-17" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

// ------------------------------------------------------------------ roster card and live capture

function RosterPhoto({ url, name, t }: { url: string | undefined; name: string; t: Strings }) {
  const [broken, setBroken] = useState(false);
  if (!url || broken) return <div class="roster-photo none">{t.rosterNoPhoto}</div>;
  return <img class="roster-photo" src={url} alt={name} data-testid="roster-photo" onError={() => setBroken(true)} />;
}

function RosterCard({ s, t }: P) {
  const a = s.attempt!;
  if (a.training) return <TraineeCard s={s} t={t} />;
  return (
    <aside class="roster" data-testid="roster">
      <RosterPhoto url={a.candidate.hasPhoto === false ? undefined : (a.candidate.photoUrl ?? undefined)} name={a.candidate.name} t={t} />
      <h1 class="roster-name" data-testid="candidate-name">
        {a.candidate.name}
      </h1>
      <dl class="facts">
        <dt>{t.rosterIdNumber}</dt>
        <dd data-testid="masked-id">{a.candidate.idNumberMasked || maskId('')}</dd>
        <dt>{t.rosterSession}</dt>
        <dd>
          {a.session.name}
          <br />
          <span class="muted">{t.rosterStartsAt(a.session.startsAtLocal)}</span>
        </dd>
        <dt>{t.rosterRoom}</dt>
        <dd>
          {a.session.roomName}
          {a.seat ? ` · ${t.seatLabel} ${a.seat}` : ''}
        </dd>
      </dl>
    </aside>
  );
}

/** A trainee's card at the face check: the class and the lesson being signed in to or out of. */
function TraineeCard({ s, t }: Pick<P, 's' | 't'>) {
  const a = s.attempt!;
  const tr = a.training!;
  const tt = TRAINING_STRINGS[s.lang];
  return (
    <aside class="roster" data-testid="roster">
      <RosterPhoto url={a.candidate.hasPhoto === false ? undefined : (a.candidate.photoUrl ?? undefined)} name={a.candidate.name} t={t} />
      <h1 class="roster-name" data-testid="candidate-name">
        {a.candidate.name}
      </h1>
      <dl class="facts">
        <dt>{t.rosterIdNumber}</dt>
        <dd data-testid="masked-id">{a.candidate.idNumberMasked}</dd>
        <dt>{tt.classLabel}</dt>
        <dd>{tr.className}</dd>
        <dt>{tt.rosterLesson(tr.action === 'check_in' ? tt.checkIn : tt.checkOut)}</dt>
        <dd data-testid="lesson">
          {tr.lesson.start}–{tr.lesson.end} {tr.lesson.topic}
          {tr.lesson.teacherName ? <span class="muted"> · {tr.lesson.teacherName}</span> : null}
        </dd>
      </dl>
    </aside>
  );
}

function Arrow({ dir }: { dir: 'left' | 'right' }) {
  return (
    <svg class={`arrow ${dir}`} viewBox="0 0 48 24" aria-hidden="true">
      <path
        d={dir === 'left' ? 'M46 12H6M14 3L4 12l10 9' : 'M2 12h40M34 3l10 9-10 9'}
        stroke="currentColor"
        stroke-width="4"
        fill="none"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}

function Capture(p: P) {
  const { c, s, t } = p;
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    c.camera.attach(video.current);
    return () => c.camera.attach(null);
  }, [c, s.camera]);
  const a = s.attempt!;
  const ready = s.hint === 'ok' || s.phase !== 'align';
  const camDown = s.camera === 'denied' || s.camera === 'missing' || s.camera === 'not-secure';
  let bar: ComponentChildren;
  if (camDown) {
    bar = (
      <p class="hint bad" role="alert">
        {s.camera === 'denied' ? t.cameraDenied : s.camera === 'not-secure' ? t.cameraNotSecure : t.cameraMissing}
      </p>
    );
  } else if (s.phase === 'challenge') {
    // The prompt sits under the picture, not on it: the candidate's face stays fully visible.
    bar = (
      <p class="hint challenge" role="status" aria-live="assertive" data-testid="challenge" data-challenge={a.challenge}>
        {a.challenge === 'turn_left' ? <Arrow dir="left" /> : null}
        <span>{t.challenges[a.challenge] ?? a.challenge}</span>
        {a.challenge === 'turn_right' ? <Arrow dir="right" /> : null}
        <small>{t.challengeThen}</small>
      </p>
    );
  } else if (s.phase === 'verifying') {
    bar = (
      <p class="hint ok" role="status" data-testid="verifying">
        <span class="spinner small" aria-hidden="true" /> {t.verifying}
      </p>
    );
  } else {
    const text = s.camera === 'starting' || s.camera === 'off' ? t.cameraStarting : s.hint ? t.hints[s.hint] : t.captureLead;
    bar = (
      <p class={`hint ${ready ? 'ok' : ''}`} role="status" aria-live="polite" data-testid="hint" data-hint={s.hint ?? ''}>
        {text}
      </p>
    );
  }
  return (
    <section class="capture">
      <RosterCard {...p} />
      <div class="live">
        <div class={`video-box ${ready ? 'ready' : ''}`}>
          <video class="preview" ref={video} muted playsInline autoPlay />
          <div class="oval-guide" aria-hidden="true" />
          {s.phase === 'challenge' ? <div class="progress" style={{ width: `${Math.round(s.progress * 100)}%` }} /> : null}
        </div>
        {bar}
        <div class="actions">
          <button type="button" class="staff" onClick={() => c.staff.open()}>
            {t.staff}
          </button>
          {s.phase === 'align' ? (
            <button type="button" onClick={() => void c.withdraw()}>
              {t.withdraw}
            </button>
          ) : null}
          <button type="button" onClick={() => c.toIdle()}>
            {t.cancel}
          </button>
        </div>
      </div>
    </section>
  );
}

// ------------------------------------------------------------------ results

function Admitted(p: P) {
  const { c, s, t } = p;
  const a = s.admitted!;
  return (
    <section class="panel verdict good" data-testid="admitted" aria-labelledby="admitted-title">
      <TickIcon />
      <h1 id="admitted-title">
        {t.admittedTitle} · {a.name}
      </h1>
      <p class="seat-go" data-testid="seat-go">
        {t.admittedGo(a.roomName, a.seat ?? '—')}
      </p>
      <div class="seat-row">
        <div class="seat-box">
          <span class="seat-label">{t.roomLabel}</span>
          <span class="seat-room">{a.roomName}</span>
        </div>
        <div class="seat-box">
          <span class="seat-label">{t.seatLabel}</span>
          <span class="seat-no" data-testid="seat">
            {a.seat}
          </span>
        </div>
      </div>
      {a.by ? <p class="detail">{t.overrideBy(a.by)}</p> : null}
      <div class="actions">
        <button type="button" class="primary big" onClick={() => c.toIdle()}>
          {t.nextCandidate}
        </button>
      </div>
      <ReturnCountdown {...p} />
    </section>
  );
}

function Failed(p: P) {
  const { c, s, t } = p;
  const f = s.failure;
  if (!f) {
    return (
      <section class="panel verdict bad" data-testid="error" aria-labelledby="error-title">
        <CrossIcon />
        <h1 id="error-title">{t.errorTitle}</h1>
        <p class="verdict-text">{t.errorLead}</p>
        <div class="actions">
          {s.attempt ? (
            <button type="button" class="big staff" onClick={() => c.staff.open()}>
              {t.staff}
            </button>
          ) : null}
          <button type="button" class="big" onClick={() => c.toIdle()}>
            {t.backNow}
          </button>
        </div>
        <ReturnCountdown {...p} />
      </section>
    );
  }
  // The server counts the person's face checks (every page load and kiosk): a trainee's have no limit (null).
  const left = f.faceAttempts.left;
  // The candidate's words only: the figures (the distance, what the engine found) are for staff, in the dialog.
  const text =
    f.reason === 'timed_out' && f.waitedSeconds !== null
      ? t.timedOut(f.waitedSeconds, t.lastHints[f.hint ?? 'no_answer'] ?? '')
      : (t.verifyRefusals[f.reason] ?? (s.lang === 'zh' ? f.message : t.verifyRefusals.unknown!));
  return (
    <section class="panel verdict bad" data-testid="verify-refused" data-reason={f.reason} aria-labelledby="failed-title">
      <CrossIcon />
      <h1 id="failed-title">
        {t.refusedVerifyTitle}
        {s.attempt ? ` · ${s.attempt.candidate.name}` : ''}
      </h1>
      <p class="verdict-text" data-testid="verdict-text">
        {text}
      </p>
      {left !== null ? (
        <p class="lead" data-testid="tries-left">
          {t.triesLeft(f.retryAllowed ? left : 0)}
        </p>
      ) : null}
      <div class="actions">
        {f.retryAllowed ? (
          <button type="button" class="primary big" onClick={() => c.retry()}>
            {t.retry}
          </button>
        ) : null}
        {s.attempt ? (
          <button type="button" class="big staff" onClick={() => c.staff.open()}>
            {t.staff}
          </button>
        ) : null}
        <button type="button" class="big" onClick={() => c.toIdle()}>
          {t.backNow}
        </button>
      </div>
      <ReturnCountdown {...p} />
    </section>
  );
}

/** What the face check found so far, as the engine said it: for staff only, never on the candidate's screen. */
function StaffDetail({ s, t }: { s: State; t: Strings }) {
  const f = s.screen === 'failed' ? s.failure : null;
  if (f) {
    return (
      <p class="staff-detail" data-testid="staff-detail" data-reason={f.reason}>
        <span class="staff-detail-label">{t.staffDetail}</span> {t.staffRefusal(f)}
      </p>
    );
  }
  if (s.screen === 'failed' && s.error) {
    return (
      <p class="staff-detail" data-testid="staff-detail">
        <span class="staff-detail-label">{t.staffDetail}</span> {t.serverError(s.error)}
      </p>
    );
  }
  if (s.screen === 'declined') {
    return (
      <p class="staff-detail" data-testid="staff-detail">
        <span class="staff-detail-label">{t.staffDetail}</span> {s.attempt?.training ? TRAINING_STRINGS[s.lang].declinedStaffDetail : t.declinedStaffDetail}
      </p>
    );
  }
  if (s.screen !== 'capture') return null;
  const camera: Partial<Record<State['camera'], string>> = {
    off: t.cameraStarting,
    starting: t.cameraStarting,
    denied: t.cameraDenied,
    missing: t.cameraMissing,
    'not-secure': t.cameraNotSecure,
  };
  const guide = camera[s.camera] ?? (s.hint ? t.hints[s.hint] : t.captureLead);
  const now = s.phase === 'align' ? guide : s.phase === 'challenge' ? t.challenges[s.attempt?.challenge ?? ''] : t.verifying;
  return (
    <p class="staff-detail" data-testid="staff-detail">
      <span class="staff-detail-label">{t.staffInProgress}</span> {now}
    </p>
  );
}

function Override({ c, s, t }: P) {
  // A person who declined face recognition: staff compare the ID card with them; the server records the reason as such.
  const declined = s.screen === 'declined';
  const tt = s.attempt?.training ? TRAINING_STRINGS[s.lang] : null;
  const presets = declined ? t.declinedPresets : t.reasonPresets;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState(declined ? (t.declinedPresets[0] ?? '') : '');
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const ok = username.trim() !== '' && password !== '' && reason.trim().length >= 4 && !s.overrideBusy;
  // A changed field makes the last refusal stale: it goes until the next attempt says otherwise.
  const edit = (set: (v: string) => void) => (e: { currentTarget: HTMLInputElement }) => {
    set(e.currentTarget.value);
    if (s.overrideError) c.staff.clearError();
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (ok) void c.staff.submit({ username, password, reason });
  };
  return (
    <div class="modal-back">
      <form class="modal" role="dialog" aria-modal="true" aria-labelledby="override-title" onSubmit={submit} autocomplete="off">
        <h2 id="override-title">{tt ? tt.staffTitle : declined ? t.declinedStaffTitle : t.overrideTitle}</h2>
        <p class="muted">{tt ? tt.staffLead : declined ? t.declinedStaffLead : t.overrideLead}</p>
        {s.attempt ? (
          <p class="lead">
            {s.attempt.candidate.name} · {s.attempt.candidate.idNumberMasked} · {s.attempt.session.roomName}
          </p>
        ) : null}
        <StaffDetail s={s} t={t} />
        <div class="form-grid">
          <label for="ov-user">{tt ? tt.username : t.username}</label>
          <input id="ov-user" ref={first} value={username} onInput={edit(setUsername)} autocomplete="off" autocapitalize="off" spellcheck={false} />
          <label for="ov-pass">{t.password}</label>
          <input id="ov-pass" type="password" value={password} onInput={edit(setPassword)} autocomplete="off" />
          <label for="ov-reason">{tt ? tt.reason : t.reason}</label>
          <input id="ov-reason" value={reason} placeholder={t.reasonHint} onInput={edit(setReason)} maxLength={200} />
        </div>
        {t.presetGloss[reason.trim()] ? (
          <p class="muted reason-gloss" data-testid="reason-gloss">
            {t.presetGloss[reason.trim()]}
          </p>
        ) : null}
        <div class="presets">
          {presets.map((r) => (
            <button type="button" class="chip" key={r} onClick={() => setReason(r)}>
              {r}
              {t.presetGloss[r] ? <span class="chip-gloss">{t.presetGloss[r]}</span> : null}
            </button>
          ))}
        </div>
        {s.overrideError ? (
          <p class="error" role="alert">
            {s.overrideError}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary big" disabled={!ok}>
            {s.overrideBusy ? t.overriding : tt ? tt.staffConfirm : t.confirmOverride}
          </button>
          <button type="button" class="big" onClick={() => c.staff.close()}>
            {t.cancel}
          </button>
        </div>
      </form>
    </div>
  );
}
