// Find questions in a bank version (no answers: a search never shows them), with their pictures,
// paged; retire one after a confirmation (it is never deleted). The filters live in the page's hash,
// so a reload or a link keeps them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { BANK_QUESTION_TYPES, type BankVersionView, type ListedQuestionView, type QuestionPageView } from '../../../../../exam/protocol.ts';
import { replaceParams, type Route } from '../../route.ts';
import { PAGE_SIZE, bankApi, type QuestionFilter } from './api.ts';
import { bankWords } from './words.ts';

const KEYS = ['q', 'type', 'knowledgePoint', 'difficulty', 'version'] as const;

function filterOf(params: URLSearchParams): QuestionFilter {
  const f: QuestionFilter = {};
  for (const k of KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  if (params.get('retired') === '1') f.includeRetired = true;
  return f;
}

function RetireDialog({ lang, question, onClose }: { lang: Lang; question: ListedQuestionView | null; onClose: (retired: boolean) => void }) {
  const w = bankWords[lang];
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (question) {
      setError(null);
      ref.current?.showModal();
    } else ref.current?.close();
  }, [question]);
  const confirm = async (e: Event) => {
    e.preventDefault();
    if (!question) return;
    setBusy(true);
    try {
      await bankApi.retire(question.id);
      onClose(true);
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} data-testid="retire-dialog" onClose={() => question && onClose(false)}>
      <form method="dialog" onSubmit={confirm}>
        <h3>{w.retireTitle}</h3>
        <p class="stem-quote">{question?.stem}</p>
        <p>{w.retireText}</p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="buttons">
          <button type="button" onClick={() => onClose(false)}>
            {w.back}
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {w.retireConfirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function QuestionsPanel({ lang, route, versions, reloadKey }: { lang: Lang; route: Route; versions: BankVersionView[] | null; reloadKey: number }) {
  const w = bankWords[lang];
  const filter = filterOf(route.params);
  const page = Math.max(0, Number(route.params.get('page') ?? '0') || 0);
  const [result, setResult] = useState<QuestionPageView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retiring, setRetiring] = useState<ListedQuestionView | null>(null);
  const [tick, setTick] = useState(0);
  const query = `${route.params.toString()}|${reloadKey}|${tick}`;

  useEffect(() => {
    let live = true;
    setError(null);
    bankApi.questions(filter, page).then(
      (r) => live && setResult(r),
      (err) => live && setError(errorWords(err, lang)),
    );
    return () => {
      live = false;
    };
  }, [query]);

  const submit = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const next: Record<string, string | undefined> = {};
    for (const k of KEYS) next[k] = String(data.get(k) ?? '').trim() || undefined;
    next.retired = data.get('retired') ? '1' : undefined;
    replaceParams(next);
  };
  const toPage = (p: number) => replaceParams({ ...Object.fromEntries(route.params), page: p ? String(p) : undefined });
  const pages = result ? Math.max(1, Math.ceil(result.total / PAGE_SIZE)) : 1;

  return (
    <section class="panel bank-questions" data-testid="bank-questions">
      <h2>
        {w.searchTitle} <span class="count">{result ? w.found(result.total) : ''}</span>
      </h2>
      <form class="inline" onSubmit={submit} key={route.params.toString()}>
        <label>
          {w.text}
          <input type="search" name="q" maxLength={200} value={filter.q ?? ''} />
        </label>
        <label>
          {w.type}
          <select name="type" value={filter.type ?? ''}>
            <option value="">{w.anyType}</option>
            {BANK_QUESTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {w.typeNames[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.knowledgePoint}
          <input type="text" name="knowledgePoint" maxLength={200} value={filter.knowledgePoint ?? ''} />
        </label>
        <label>
          {w.difficulty}
          <select name="difficulty" value={filter.difficulty ?? ''}>
            <option value="">{w.anyDifficulty}</option>
            {[1, 2, 3, 4, 5].map((d) => (
              <option key={d} value={String(d)}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          {w.version}
          <select name="version" value={filter.version ?? ''}>
            <option value="">{w.versionLatest}</option>
            {(versions ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.id}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="retired" checked={filter.includeRetired === true} />
          {w.includeRetired}
        </label>
        <button type="submit" class="primary">
          {w.search}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {result === null ? (
        <p class="note">{w.loading}</p>
      ) : result.items.length === 0 ? (
        <p class="note">{w.none}</p>
      ) : (
        <table class="question-list">
          <thead>
            <tr>
              <th>{w.stem}</th>
              <th>{w.type}</th>
              <th>{w.knowledgePoint}</th>
              <th class="num">{w.difficulty}</th>
              <th>{w.state}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {result.items.map((q) => (
              <tr key={q.id} data-question={q.id} class={q.retiredAt !== null ? 'retired' : ''}>
                <td>
                  <div class="stem">{q.stem}</div>
                  {q.type !== 'judge' ? (
                    <ul class="options">
                      {q.options.map((o, i) => (
                        <li key={i}>
                          <b>{String.fromCharCode(65 + i)}.</b> {o}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {q.images.length ? (
                    <div class="pictures">
                      {q.images.map((id) => (
                        <img key={id} class="picture" src={bankApi.imageUrl(id)} alt={w.picture} loading="lazy" />
                      ))}
                    </div>
                  ) : null}
                  <div class="qid">
                    <code>{q.id}</code>
                    {q.externalId ? ` · ${q.externalId}` : ''}
                  </div>
                </td>
                <td class="nowrap">{w.typeNames[q.type]}</td>
                <td>{q.knowledgePoint}</td>
                <td class="num">{q.difficulty}</td>
                <td class="nowrap">{q.retiredAt !== null ? <span class="bad">{w.retired}</span> : <span class="ok">{w.active}</span>}</td>
                <td>
                  {q.retiredAt === null ? (
                    <button type="button" class="retire" onClick={() => setRetiring(q)}>
                      {w.retire}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && result.total > PAGE_SIZE ? (
        <nav class="pager" aria-label={w.searchTitle}>
          <button type="button" disabled={page === 0} onClick={() => toPage(page - 1)}>
            {w.prev}
          </button>
          <span>{w.pageOf(page + 1, pages)}</span>
          <button type="button" disabled={page + 1 >= pages} onClick={() => toPage(page + 1)}>
            {w.next}
          </button>
        </nav>
      ) : null}
      <RetireDialog
        lang={lang}
        question={retiring}
        onClose={(retired) => {
          setRetiring(null);
          if (retired) setTick((n) => n + 1);
        }}
      />
    </section>
  );
}
