// Face data: how many distinct people's face data the site holds (against the 100,000 at which the
// provincial filing duty starts), the retention rules and the last sweep, and the legal basis an admin
// names before face images may leave in plain form (records/privacy; docs/privacy.md).
import { useState } from 'preact/hooks';
import { call } from '../../../../../web/http.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import type { OutboundBasis, PrivacyStatus } from '../../../../../records/protocol.ts';
import type { PageProps } from '../page-props.ts';
import { getStatus } from './api.ts';
import { siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';
import { privacyWords } from './privacy-words.ts';

const getPrivacy = () => call<PrivacyStatus>('GET', '/api/records/privacy');

export function PrivacySection({ lang }: PageProps) {
  const w = privacyWords[lang];
  const sw = systemWords[lang];
  const p = useLoad(getPrivacy, lang);
  const status = useLoad(getStatus, lang);
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  if (p.error)
    return (
      <p class="error" role="alert">
        {p.error}
      </p>
    );
  if (!p.data) return <p class="note">{sw.loading}</p>;
  const f = p.data.faceData;
  const r = p.data.retention;
  const n = (d: { descriptors: number; enrolments: number; captures: number; cardPhotos: number; snapshots: number; rosterPhotos: number }) => ({
    descriptors: d.descriptors + d.enrolments,
    images: d.captures + d.cardPhotos + d.snapshots + d.rosterPhotos,
  });
  return (
    <>
      <section class="panel" data-testid="system-privacy">
        <h2>
          {w.title}
          <span class="right">
            <button type="button" onClick={p.reload}>
              {sw.refresh}
            </button>
          </span>
        </h2>
        <p class="verdict-line">
          <span class={`verdict ${f.level === 'ok' ? 'ok' : f.level === 'warn' ? 'warn' : 'bad'}`} data-testid="face-count" data-level={f.level}>
            {w.people(f.total)}
          </span>
        </p>
        <p class="note">
          {w.split(f.local, f.archived)} · {f.objectStore === null ? w.objectStoreNone : f.objectStore}
        </p>
        <p role={f.level === 'ok' ? undefined : 'alert'} data-testid="face-count-level">
          {w.level[f.level](f.warnAt, f.filingAt)}
        </p>
      </section>
      <section class="panel">
        <h2>{w.retentionTitle}</h2>
        <ul>
          <li>{w.descriptorRule(r.descriptorDays)}</li>
          <li>{w.evidenceRule(r.evidenceDays)}</li>
        </ul>
        <p class="note">
          {r.lastSweep
            ? (() => {
                const d = n(r.lastSweep.descriptors);
                const i = n(r.lastSweep.evidence);
                return w.lastSweep(siteTime(Date.parse(r.lastSweep.at), lang, tz), d.descriptors + i.descriptors, i.images);
              })()
            : w.noSweep(r.sweepMinutes)}
        </p>
      </section>
      <section class="panel" data-testid="system-outbound">
        <h2>{w.outboundTitle}</h2>
        <p class="note">{w.outboundNote}</p>
        {p.data.outbound.map((b) => (
          <OutboundRow key={b.destination} b={b} lang={lang} tz={tz} onSaved={p.reload} />
        ))}
        <p class="note">{w.docs}</p>
      </section>
    </>
  );
}

function OutboundRow({ b, lang, tz, onSaved }: { b: OutboundBasis; lang: PageProps['lang']; tz: string; onSaved: () => void }) {
  const w = privacyWords[lang];
  const [text, setText] = useState(b.basis ?? '');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const send = async (basis: string | null) => {
    setBusy(true);
    setError(null);
    try {
      await call('PUT', `/api/records/privacy/outbound/${b.destination}`, { basis });
      setConfirming(false);
      onSaved();
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setBusy(false);
    }
  };
  const id = `basis-${b.destination}`;
  const trimmed = text.trim();
  return (
    <div class="outbound-row" data-testid={`outbound-${b.destination}`}>
      <h3>{w.destination[b.destination]}</h3>
      <p>
        {b.basis ? (
          <>
            <strong>{b.basis}</strong> <span class="muted">{w.basisBy(b.setBy ?? '', siteTime(Date.parse(b.setAt ?? ''), lang, tz))}</span>
          </>
        ) : (
          <span class="muted">{w.noBasis}</span>
        )}
      </p>
      {b.asked && !b.basis ? <p class="warn">{w.asked}</p> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (trimmed.length >= 4 && trimmed.length <= 500) void send(trimmed);
        }}
      >
        <label for={id}>
          {w.basisLabel} <span class="muted">({w.basisHint})</span>
        </label>
        <textarea id={id} rows={2} maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <div class="actions">
          <button type="submit" disabled={busy || trimmed.length < 4 || trimmed === (b.basis ?? '')}>
            {w.save}
          </button>
          {b.basis ? (
            confirming ? (
              <>
                <span>{w.confirmWithdraw}</span>
                <button type="button" class="danger" disabled={busy} onClick={() => void send(null)}>
                  {w.withdrawConfirmed}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  {w.cancel}
                </button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirming(true)}>
                {w.withdraw}
              </button>
            )
          ) : null}
        </div>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </div>
  );
}
