// The audit log: filter by action (a family with a trailing dot), actor, target and a time range on the
// site's clock; newest first, 50 at a time with "older" paging back; and the check of the hash chain, its
// verdict in words. The filters live in the hash, so a reload or a shared link shows the same entries.
import { useEffect, useState } from 'preact/hooks';
import type { AuditEntryView, AuditVerdictView } from '../../../../../server/protocol.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import { replaceParams } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import { getAudit, getStatus, verifyAudit } from './api.ts';
import { fromSiteLocal, hideCredentials, siteTime } from './format.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';

const PAGE = 50;
const FIELDS = ['action', 'actor', 'target', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];

export function AuditSection({ lang, route }: PageProps) {
  const w = systemWords[lang];
  const status = useLoad(getStatus, lang);
  const tz = status.data?.timezone ?? 'Asia/Shanghai';
  const applied = Object.fromEntries(FIELDS.map((f) => [f, route.params.get(f) ?? ''])) as Record<Field, string>;
  const [form, setForm] = useState(applied);
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<AuditVerdictView | null>(null);
  const [verifying, setVerifying] = useState(false);
  const key = FIELDS.map((f) => applied[f]).join('\n');

  const query = (beforeSeq?: number) => ({
    limit: PAGE,
    ...(beforeSeq ? { beforeSeq } : {}),
    ...(applied.action ? { action: applied.action } : {}),
    ...(applied.actor ? { actor: applied.actor } : {}),
    ...(applied.target ? { target: applied.target } : {}),
    ...(applied.from && fromSiteLocal(applied.from, tz) !== null ? { from: fromSiteLocal(applied.from, tz)! } : {}),
    ...(applied.to && fromSiteLocal(applied.to, tz) !== null ? { to: fromSiteLocal(applied.to, tz)! } : {}),
  });
  const load = async (beforeSeq?: number) => {
    try {
      const got = await getAudit(query(beforeSeq));
      setEntries((old) => (beforeSeq && old ? [...old, ...got] : got));
      setMore(got.length === PAGE);
      setError(null);
    } catch (err) {
      setError(errorWords(err, lang));
    }
  };
  // The form follows the applied filter only when that changes: the site's time zone arriving later must not
  // wipe what a person has started typing (it did, when the status answered after the first keystrokes).
  useEffect(() => {
    setForm(applied);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    if (status.data) void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, status.data?.timezone]);

  const submit = (e: Event) => {
    e.preventDefault();
    for (const f of ['from', 'to'] as const) {
      if (form[f] && fromSiteLocal(form[f], tz) === null) return setFormError(`${w[f]}: ${w.badTime}`);
    }
    setFormError(null);
    replaceParams({ section: 'audit', ...form });
  };
  const verify = async () => {
    setVerifying(true);
    try {
      setVerdict(await verifyAudit());
      void load();
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setVerifying(false);
    }
  };
  const set = (f: Field) => (e: Event) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value });

  return (
    <section class="panel system-audit" data-testid="system-audit">
      <h2>
        {w.sections.audit}
        <span class="right">
          <button type="button" class="primary" onClick={verify} disabled={verifying} data-testid="audit-verify">
            {verifying ? w.verifying : w.verify}
          </button>
        </span>
      </h2>
      {verdict && (
        <div role="status" data-testid="audit-verdict" data-ok={String(verdict.ok)} data-complete={String(verdict.complete)}>
          <p class={`verdict-line ${verdict.ok ? 'ok' : 'bad'}`}>
            {verdict.ok
              ? w.verifiedOk(verdict.checked)
              : verdict.seq !== undefined
                ? w.verifiedBad(verdict.seq, verdict.problem ?? '')
                : w.anchorsBad(verdict.findings.filter((f) => f.tamper).length)}
          </p>
          {w.anchorsLine(verdict) && <p class="note">{w.anchorsLine(verdict)}</p>}
          {verdict.findings.length > 0 && (
            <ul class="audit-findings" data-testid="audit-findings">
              {verdict.findings.map((f, i) => (
                <li key={i} class={f.tamper ? 'bad' : 'warn'} data-kind={f.kind}>
                  {w.finding(f)}
                </li>
              ))}
              {verdict.omitted > 0 && <li>…{verdict.omitted}</li>}
            </ul>
          )}
        </div>
      )}
      <form class="inline" onSubmit={submit} data-testid="audit-filter">
        <label>
          {w.action}
          <input name="action" value={form.action} onInput={set('action')} maxLength={64} placeholder="exam." title={w.actionHint} />
        </label>
        <label>
          {w.actor}
          <input name="actor" value={form.actor} onInput={set('actor')} maxLength={100} placeholder="user:admin" />
        </label>
        <label>
          {w.auditTarget}
          <input name="target" value={form.target} onInput={set('target')} maxLength={200} />
        </label>
        <label>
          {w.from}
          <input name="from" type="datetime-local" value={form.from} onInput={set('from')} />
        </label>
        <label>
          {w.to}
          <input name="to" type="datetime-local" value={form.to} onInput={set('to')} />
        </label>
        <button type="submit" class="primary">
          {w.filter}
        </button>
        <button type="button" onClick={() => replaceParams({ section: 'audit' })}>
          {w.clear}
        </button>
      </form>
      <p class="muted hint">{w.actionHint}</p>
      {formError && (
        <p class="error" role="alert">
          {formError}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!entries ? (
        <p class="note">{w.loading}</p>
      ) : entries.length === 0 ? (
        <p class="note" data-testid="audit-empty">
          {w.noEntries}
        </p>
      ) : (
        <table class="audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{w.time}</th>
              <th scope="col">{w.actor}</th>
              <th scope="col">{w.action}</th>
              <th scope="col">{w.auditTarget}</th>
              <th scope="col">{w.detail}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-action={e.action}>
                <td>{e.seq}</td>
                <td class="nowrap">{siteTime(e.at, lang, tz, true)}</td>
                <td>{e.actor}</td>
                <td class="mono">{e.action}</td>
                <td>{e.target ?? ''}</td>
                <td class="detail mono">
                  {Object.keys(e.detail).length ? hideCredentials(JSON.stringify(e.detail)) : ''}
                  {e.ip ? <span class="muted"> · {e.ip}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && entries && (
        <p>
          <button type="button" onClick={() => load(entries.at(-1)!.seq)} data-testid="audit-older">
            {w.older}
          </button>
        </p>
      )}
    </section>
  );
}
