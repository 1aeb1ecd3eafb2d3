// The disclosure page: a period of whole months, the per-institution table with withheld figures
// shown as 人数不足, and the same as bars. It reads one public endpoint and shows what it says:
// withholding happens on the server, so nothing withheld ever reaches the browser.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../../../web/http.ts';
import { errorWords } from '../../../../web/error-words.ts';
import { langFromQuery, siteClock, useDocumentLanguage, type Lang } from '../../../../web/i18n.ts';
import { AccountAndLanguage } from '../../../../web/top-bar.tsx';
import { BarChart, type Bar } from '../../../../web/bar-chart.tsx';
import type { PublicPassRatesReply } from '../../../protocol.ts';
import { words, type Words } from './i18n.ts';

const params = new URLSearchParams(window.location.search);
const url = (from: string, to: string) => `/api/public/pass-rates?${new URLSearchParams(Object.entries({ from, to }).filter(([, v]) => v)).toString()}`;

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = words[lang];
  const [period, setPeriod] = useState({ from: params.get('from') ?? '', to: params.get('to') ?? '' });
  const [draft, setDraft] = useState(period);
  const [reply, setReply] = useState<PublicPassRatesReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  useDocumentLanguage(lang, w.title);
  useEffect(() => {
    setError(null);
    call<PublicPassRatesReply>('GET', url(period.from, period.to)).then(
      (r) => {
        setReply(r);
        setDraft((d) => ({ from: d.from || r.from, to: d.to || r.to }));
      },
      (err: unknown) => setError(w.failed(errorWords(err, lang))),
    );
  }, [period.from, period.to]);
  return (
    <div class="page">
      <header class="top">
        <h1>{w.title}</h1>
        <span class="spacer" />
        <AccountAndLanguage user={null} lang={lang} onLang={setLang} />
      </header>
      <main class="disclosure">
        <form
          class="panel controls"
          onSubmit={(e) => {
            e.preventDefault();
            setPeriod(draft);
          }}
        >
          <label>
            {w.from}
            <input type="month" name="from" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            {w.to}
            <input type="month" name="to" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
          </label>
          <button type="submit" class="primary">
            {w.show}
          </button>
        </form>
        {error && <p class="error">{error}</p>}
        {!reply && !error && <p>{w.loading}</p>}
        {reply && <Disclosure w={w} r={reply} />}
      </main>
    </div>
  );
}

function Disclosure({ w, r }: { w: Words; r: PublicPassRatesReply }) {
  const name = (institution: string) => institution || w.noInstitution;
  const bars: Bar[] = r.institutions.map((i) => ({
    key: i.institution,
    label: name(i.institution),
    value: i.suppressed ? null : i.passRate,
    text: w.barText(i.passRate, i.sat),
    missing: w.tooFew,
  }));
  const n = (x: number | null, suppressed: boolean) => (suppressed ? <span class="withheld">{w.tooFew}</span> : (x ?? '—'));
  return (
    <>
      <h2 class="period">{w.period(r.siteName, r.from, r.to)}</h2>
      {r.institutions.length === 0 ? (
        <p class="panel">{w.none}</p>
      ) : (
        <>
          <section class="panel">
            <table class="figures" data-testid="pass-rates">
              <thead>
                <tr>
                  <th>{w.institution}</th>
                  <th class="n">{w.sat}</th>
                  <th class="n">{w.passed}</th>
                  <th class="n">{w.passRate}</th>
                </tr>
              </thead>
              <tbody>
                {r.institutions.map((i) => (
                  <tr key={i.institution} class={i.suppressed ? 'suppressed' : ''}>
                    <td>{name(i.institution)}</td>
                    <td class="n">{n(i.sat, i.suppressed)}</td>
                    <td class="n">{n(i.passed, i.suppressed)}</td>
                    <td class="n">{i.suppressed ? <span class="withheld">{w.tooFew}</span> : w.pct(i.passRate)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td>{w.total}</td>
                  <td class="n">{n(r.total.sat, r.total.suppressed)}</td>
                  <td class="n">{n(r.total.passed, r.total.suppressed)}</td>
                  <td class="n">{r.total.suppressed ? <span class="withheld">{w.tooFew}</span> : w.pct(r.total.passRate)}</td>
                </tr>
              </tfoot>
            </table>
          </section>
          <section class="panel">
            <h2>{w.chartTitle}</h2>
            <BarChart title={w.chartTitle} bars={bars} testId="pass-rate-chart" />
          </section>
        </>
      )}
      <p class="note">{w.rule(r.minPeople)}</p>
      <p class="note">
        {w.generated(siteClock(r.timezone).format(Date.parse(r.generatedAt), w.lang, { dateStyle: 'medium', timeStyle: 'short' }))} ·{' '}
        <a href={url(r.from, r.to)}>{w.json}</a>
      </p>
    </>
  );
}
