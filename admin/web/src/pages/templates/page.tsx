// The templates page: the paper templates of the latest bank version (or ?version=) and the shipped
// ones, and for the chosen one (?id=) whether the bank can fill it, as a table of shortfalls.
import { useEffect, useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import type { TemplateCheckView, TemplateListView } from '../../../../../exam/protocol.ts';
import { href } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import { templatesApi } from './api.ts';
import { CheckTable } from './check-table.tsx';
import { templateWords } from './words.ts';
import './styles.css';

export function TemplatesPage({ lang, route }: PageProps) {
  const w = templateWords[lang];
  const version = route.params.get('version') ?? undefined;
  const selected = route.params.get('id');
  const [list, setList] = useState<TemplateListView | null>(null);
  const [check, setCheck] = useState<TemplateCheckView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    templatesApi.list(version).then(setList, (err) => setError(errorWords(err, lang)));
  }, [version]);
  useEffect(() => {
    setCheck(null);
    if (!selected || !list?.version) return;
    let live = true;
    templatesApi.check(selected, version).then(
      (c) => live && setCheck(c),
      (err) => live && setError(errorWords(err, lang)),
    );
    return () => {
      live = false;
    };
  }, [selected, version, list?.version]);

  return (
    <div class="templates-page" data-testid="page-templates">
      <section class="panel">
        <h2>
          {w.list} <span class="count">{list ? `${list.templates.length} · ${w.bankVersion(list.version)}` : ''}</span>
        </h2>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        {list && !list.version ? <p class="note warn">{w.emptyBank}</p> : null}
        {list ? (
          <table class="template-list">
            <thead>
              <tr>
                <th>{w.name}</th>
                <th>{w.who}</th>
                <th>{w.sections}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.templates.map((t) => (
                <tr key={t.id} data-template={t.id} class={t.id === selected ? 'selected' : ''}>
                  <td>
                    <div>{t.name}</div>
                    <div class="sub">
                      <code>{t.id}</code> · {w.source[t.source]} · {w.duration(t.durationMinutes)} · {w.score(t.total, t.passMark)}
                    </div>
                  </td>
                  <td>
                    {w.industry[t.industry] ?? t.industry} / {w.category[t.category] ?? t.category}
                    {t.operationClass ? ` / ${t.operationClass}` : ''}
                  </td>
                  <td>{t.sections.map((s) => `${w.typeNames[s.type]} ${s.count}×${s.score}`).join(lang === 'zh' ? '，' : ', ')}</td>
                  <td>
                    {list.version ? (
                      <a class="button" href={href('templates', { id: t.id, version })} aria-current={t.id === selected ? 'true' : undefined}>
                        {w.check}
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {list?.invalid.length ? (
          <>
            <h3>{w.invalid}</h3>
            <ul class="bad">
              {list.invalid.map((x) => (
                <li key={x.id}>
                  {x.id}: {x.problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      {selected && list?.version ? (
        <section class="panel" data-testid="template-check-panel">
          <h2>
            {list.templates.find((t) => t.id === selected)?.name ?? selected}
            <span class="right">
              <a href={href('templates', { version })}>{w.close}</a>
            </span>
          </h2>
          {check ? <CheckTable lang={lang} check={check} /> : <p class="note">{w.checking}</p>}
        </section>
      ) : null}
    </div>
  );
}
