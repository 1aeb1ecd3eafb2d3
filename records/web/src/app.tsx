// The statistics page: log-in, a period and a grouping, the headline figures, a chart of pass rates per
// group, the table (and its CSV), then the item analysis with its scatter and the questions to look at.
// Read-only: nothing here changes anything.
import { useEffect, useState } from 'preact/hooks';
import { userOf } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { SignInGate, useSignedIn } from '../../../web/sign-in-gate.tsx';
import { TopBar } from '../../../web/top-bar.tsx';
import { BarChart, type Bar } from '../../../web/bar-chart.tsx';
import * as api from './api.ts';
import { ItemPlot } from './item-plot.tsx';
import { words, type Words } from './i18n.ts';

const params = new URLSearchParams(window.location.search);
const initial: api.Query = {
  from: params.get('from') ?? '',
  to: params.get('to') ?? '',
  groupBy: (api.STATISTICS_GROUPINGS as readonly string[]).includes(params.get('groupBy') ?? '')
    ? (params.get('groupBy') as api.StatisticsGrouping)
    : 'institution',
};

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = words[lang];
  const signedIn = useSignedIn(lang);
  useDocumentLanguage(lang, `${w.title} · examroom`);
  return (
    <div class="page">
      <TopBar title={w.title} user={userOf(signedIn.me)} lang={lang} onLang={setLang}>
        <span class="spacer" />
      </TopBar>
      <SignInGate lang={lang} roles={ROLES} loginTitle={w.loginTitle} state={signedIn} notAllowed={w.notAllowed}>
        {() => <Statistics w={w} />}
      </SignInGate>
    </div>
  );
}

/** Administrators, and inspectors (the server keeps each to their jurisdiction). */
const ROLES = ['admin', 'inspector'] as const;

function Statistics({ w }: { w: Words }) {
  const [query, setQuery] = useState<api.Query>(initial);
  const [draft, setDraft] = useState<api.Query>(initial);
  const [reply, setReply] = useState<api.StatisticsReply | null>(null);
  const [items, setItems] = useState<api.ItemAnalysisReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    Promise.all([api.statistics(query), api.items(query)]).then(
      ([r, i]) => {
        setReply(r);
        setItems(i);
        // The server chose the default period: show it in the fields.
        setDraft((d) => ({ ...d, from: d.from || r.from, to: d.to || r.to }));
      },
      (err: unknown) => setError(w.failed(errorWords(err, w.lang))),
    );
  }, [query.from, query.to, query.groupBy]);

  return (
    <main class="stats">
      <form
        class="controls panel"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(draft);
        }}
      >
        <label>
          {w.from}
          <input type="date" name="from" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {w.to}
          <input type="date" name="to" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {w.groupBy}
          <select
            name="groupBy"
            value={draft.groupBy}
            onChange={(e) => {
              const next = { ...draft, groupBy: (e.target as HTMLSelectElement).value as api.StatisticsGrouping };
              setDraft(next);
              setQuery({ ...query, groupBy: next.groupBy });
            }}
          >
            {api.STATISTICS_GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {w.groupings[g]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          {w.show}
        </button>
        <span class="spacer" />
        {reply && (
          <a class="button" href={api.statisticsCsvUrl({ ...query, from: reply.from, to: reply.to }, w.lang)} download data-testid="csv">
            {w.csv}
          </a>
        )}
      </form>
      {error && <p class="error">{error}</p>}
      {!reply && !error && <p>{w.loading}</p>}
      {reply && <Figures w={w} reply={reply} />}
      {items && <Items w={w} reply={items} query={query} />}
    </main>
  );
}

function Figures({ w, reply }: { w: Words; reply: api.StatisticsReply }) {
  const t = reply.total;
  const label = (g: api.StatisticsGroup) => g.label[w.lang];
  const bars: Bar[] = reply.groups.map((g) => ({
    key: g.key,
    label: label(g),
    value: g.figures.passRate,
    text: w.barText(g.figures.passRate, g.figures.sat),
    missing: w.nobodySat,
  }));
  return (
    <>
      <section class="cards" data-testid="headline">
        <Card name={w.sessions} value={String(reply.sessions)} />
        <Card name={w.registered} value={String(t.registered)} />
        <Card name={w.sat} value={String(t.sat)} />
        <Card name={w.absent} value={`${t.absent} (${w.pct(t.absenceRate)})`} />
        <Card name={w.passRate} value={w.pct(t.passRate)} strong />
        <Card name={w.averageScore} value={t.averageScore === null ? '—' : t.averageScore.toFixed(1)} />
        <Card name={w.retakes} value={`${t.retakes}`} />
        <Card name={w.firstAttempt} value={w.pct(t.firstAttemptPassRate)} />
      </section>
      <p class="note">
        {w.definitions} {reply.notYetGraded > 0 && w.notYetGraded(reply.notYetGraded)}
      </p>
      {reply.groups.length === 0 ? (
        <p class="panel">{w.empty}</p>
      ) : (
        <>
          <section class="panel">
            <h2>{w.chartTitle(w.groupings[reply.groupBy])}</h2>
            <BarChart
              title={w.chartTitle(w.groupings[reply.groupBy])}
              bars={bars}
              testId="pass-rate-chart"
              {...(t.passRate === null ? {} : { reference: { value: t.passRate, label: w.overall(t.passRate) } })}
            />
          </section>
          <section class="panel">
            <table class="figures" data-testid="figures">
              <thead>
                <tr>
                  <th>{w.group[reply.groupBy]}</th>
                  <th class="n">{w.registered}</th>
                  <th class="n">{w.absent}</th>
                  <th class="n">{w.sat}</th>
                  <th class="n">{w.passed}</th>
                  <th class="n">{w.passRate}</th>
                  <th class="n">{w.averageScore}</th>
                  <th class="n">{w.retakes}</th>
                  <th class="n">{w.firstAttempt}</th>
                </tr>
              </thead>
              <tbody>
                {reply.groups.map((g) => (
                  <Row key={g.key} w={w} name={label(g)} f={g.figures} />
                ))}
              </tbody>
              <tfoot>
                <Row w={w} name={w.total} f={t} />
              </tfoot>
            </table>
          </section>
        </>
      )}
    </>
  );
}

function Card({ name, value, strong }: { name: string; value: string; strong?: boolean }) {
  return (
    <div class={`card${strong ? ' strong' : ''}`}>
      <span class="name">{name}</span>
      <span class="value">{value}</span>
    </div>
  );
}

function Row({ w, name, f }: { w: Words; name: string; f: api.Figures }) {
  return (
    <tr>
      <td>{name}</td>
      <td class="n">{f.registered}</td>
      <td class="n">{f.absent}</td>
      <td class="n">{f.sat}</td>
      <td class="n">{f.passed}</td>
      <td class="n">{w.pct(f.passRate)}</td>
      <td class="n">{f.averageScore === null ? '—' : f.averageScore.toFixed(1)}</td>
      <td class="n">{f.retakes}</td>
      <td class="n">{w.pct(f.firstAttemptPassRate)}</td>
    </tr>
  );
}

function Items({ w, reply, query }: { w: Words; reply: api.ItemAnalysisReply; query: api.Query }) {
  const [onlyFlagged, setOnlyFlagged] = useState(true);
  const name = (i: api.ItemFigures) => i.stem ?? i.externalId ?? i.questionId;
  const shown = onlyFlagged ? reply.items.filter((i) => i.flags.length > 0) : reply.items;
  const d = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  return (
    <section class="panel items" data-testid="items">
      <h2>
        {w.itemsTitle}
        <span class="right">
          <a class="button" href={api.itemsCsvUrl({ ...query, from: reply.from, to: reply.to }, w.lang)} download>
            {w.itemsCsv}
          </a>
        </span>
      </h2>
      <p class="note">
        {w.itemsIntro(reply.papers)} {w.itemsRule}
      </p>
      {reply.items.length === 0 ? (
        <p>{w.noItems}</p>
      ) : (
        <>
          <ItemPlot reply={reply} title={w.plotTitle} label={(i) => `${name(i)} · P ${i.facility.toFixed(2)} · D ${d(i.discrimination)}`} />
          <label class="check">
            <input type="checkbox" checked={onlyFlagged} onChange={(e) => setOnlyFlagged((e.target as HTMLInputElement).checked)} /> {w.onlyFlagged} (
            {reply.items.filter((i) => i.flags.length > 0).length}/{reply.items.length})
          </label>
          <table class="figures">
            <thead>
              <tr>
                <th>{w.cols.question}</th>
                <th>{w.cols.type}</th>
                <th>{w.cols.point}</th>
                <th class="n">{w.cols.responses}</th>
                <th class="n">{w.cols.facility}</th>
                <th class="n">{w.cols.discrimination}</th>
                <th>{w.cols.flags}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={i.questionId} class={i.flags.length ? 'flagged' : ''}>
                  <td class="stem">
                    {i.stem ?? <span class="muted">{`${i.externalId ?? i.questionId} ${w.stemHidden}`}</span>}
                    {i.stem && i.externalId && <span class="muted"> · {i.externalId}</span>}
                  </td>
                  <td>{w.types[i.type] ?? i.type}</td>
                  <td>{i.knowledgePoint ?? '—'}</td>
                  <td class="n">{i.responses}</td>
                  <td class="n">{i.facility.toFixed(2)}</td>
                  <td class="n">{d(i.discrimination)}</td>
                  <td>{i.judged ? i.flags.map((f) => w.flags[f]).join('；') : <span class="muted">{w.notJudged}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
