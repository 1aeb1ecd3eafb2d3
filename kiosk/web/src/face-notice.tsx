// The face-recognition notice of the kiosk (issue 23): the short one on screen while the kiosk waits, and
// the full one the person reads and answers before any photo is taken. Declining leads to the staff check.
import type { P } from './app.tsx';

/** The prominent notice the rules ask for wherever faces are recognised: on screen whenever the kiosk waits. */
export function IdleNotice({ s, t }: P) {
  const text = s.kiosk?.privacy.idle[s.lang] ?? t.idlePrivacy;
  return (
    <aside class="privacy-notice" data-testid="privacy-notice" aria-label={t.privacyTitle}>
      <FaceScanIcon />
      <p>
        <strong>{t.privacyTitle}</strong> {text}
      </p>
    </aside>
  );
}

function FaceScanIcon() {
  return (
    <svg class="privacy-icon" viewBox="0 0 48 48" aria-hidden="true">
      <path
        d="M4 14V8a4 4 0 0 1 4-4h6M34 4h6a4 4 0 0 1 4 4v6M44 34v6a4 4 0 0 1-4 4h-6M14 44H8a4 4 0 0 1-4-4v-6"
        fill="none"
        stroke="currentColor"
        stroke-width="3.5"
        stroke-linecap="round"
      />
      <circle cx="24" cy="20" r="7" fill="none" stroke="currentColor" stroke-width="3.5" />
      <path d="M12 38c2-7 7-10 12-10s10 3 12 10" fill="none" stroke="currentColor" stroke-width="3.5" stroke-linecap="round" />
    </svg>
  );
}

// ------------------------------------------------------------------ the notice, before any capture

/** One line of the notice: "label：text" shows its label in bold, so the seven points can be found at a glance. */
function NoticeLine({ line }: { line: string }) {
  const m = /^([^：:]{1,24}[：:])(\s*)(.*)$/.exec(line);
  if (!m) return <p>{line}</p>;
  // A full-width colon carries its own space; an English one keeps the space written after it.
  return (
    <p>
      <strong>{m[1]}</strong>
      {m[2] ? ' ' : ''}
      {m[3]}
    </p>
  );
}

export function Consent({ c, s, t }: P) {
  const a = s.attempt!;
  const k = s.consent!;
  const notice = k.notice[s.lang];
  const [title, ...lines] = notice.text.split('\n').filter((x) => x.trim() !== '');
  return (
    <section class="consent" data-testid="consent" aria-labelledby="consent-title">
      <article class="notice" data-testid="notice" lang={s.lang === 'zh' ? 'zh-CN' : 'en'}>
        <h1 id="consent-title">{title}</h1>
        <div class="notice-body">
          {lines.map((l, i) => (
            <NoticeLine key={i} line={l} />
          ))}
        </div>
        <p class="notice-version" data-testid="notice-version">
          {t.noticeVersion(notice.version, notice.sha256.slice(0, 12))}
        </p>
      </article>
      <aside class="consent-side">
        <h2 class="consent-who" data-testid="candidate-name">
          {a.candidate.name}
        </h2>
        <p class="muted">
          {a.candidate.idNumberMasked} · {a.session.roomName}
        </p>
        <p class="consent-ask">{t.consentAsk}</p>
        {k.previous === 'declined' ? <p class="muted">{t.consentPrevious}</p> : null}
        <div class="consent-actions">
          <button type="button" class="primary big" disabled={k.busy} onClick={() => void c.decideConsent('accepted')}>
            {t.consentAccept}
          </button>
          <button type="button" class="big decline" disabled={k.busy} onClick={() => void c.decideConsent('declined')}>
            {t.consentDecline}
          </button>
        </div>
        <p class="consent-free">{k.busy ? t.consentSaving : t.consentFree}</p>
        <button type="button" class="consent-cancel" onClick={() => c.toIdle()}>
          {t.cancel}
        </button>
      </aside>
    </section>
  );
}
