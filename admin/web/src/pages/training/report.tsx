// The report to the district office (区县主管部门): who did not attend in full (with their hours) and who
// registered and never came; the PDF and the .xlsx; the 班主任's sign-off (after which it is frozen) and
// notes appended before or after it, never edited.
import { useEffect, useState } from 'preact/hooks';
import { api, type DistrictReportReply } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, Note, hours, when } from './parts.tsx';
import { trainingWords } from './words.ts';

export function ReportTab({ lang, cls, me }: TabProps) {
  const w = trainingWords[lang];
  const [r, setR] = useState<DistrictReportReply | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [ask, setAsk] = useState(false);
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const load = () => api.report(cls.id).then(setR, setErr);
  useEffect(() => {
    void load();
  }, [cls.id]);
  const act = async (fn: () => Promise<DistrictReportReply>, msg: string | null) => {
    try {
      setR(await fn());
      setErr(null);
      setDone(msg);
    } catch (x) {
      setErr(x);
    }
  };
  const mine = cls.headteacher === me;
  const rep = r?.report;
  return (
    <div class="report" data-testid="report" data-state={r?.state ?? ''}>
      <h4>{w.report}</h4>
      <Failure err={err} lang={lang} />
      {done && <Note testid="report-note">{done}</Note>}
      {r && rep && (
        <>
          <p class={r.state === 'signed' ? 'signed' : 'muted'} data-testid="report-state">
            {r.state === 'signed' && r.signedBy
              ? w.reportSigned(r.signedBy.displayName || r.signedBy.username, when(r.signedBy.signedAt, lang))
              : r.ended
                ? w.reportOpen
                : `${w.reportOpen} ${w.reportNotEnded}`}
            {r.sha256 ? <code> SHA-256 {r.sha256.slice(0, 16)}…</code> : null}
          </p>
          <p>
            <a class="button" href={r.pdfUrl} target="_blank" rel="noopener" data-testid="report-pdf">
              {w.pdf}
            </a>{' '}
            <a class="button" href={r.xlsxUrl} download data-testid="report-xlsx">
              {w.xlsx}
            </a>{' '}
            {r.state === 'open' &&
              (mine ? (
                ask ? (
                  <span class="confirm" role="alertdialog" aria-label={w.confirmSign}>
                    {w.confirmSign}{' '}
                    <button
                      type="button"
                      class="danger"
                      data-action="confirm-sign"
                      onClick={() => {
                        setAsk(false);
                        void act(() => api.signReport(cls.id), null);
                      }}
                    >
                      {w.yesSign}
                    </button>{' '}
                    <button type="button" onClick={() => setAsk(false)}>
                      {w.cancel}
                    </button>
                  </span>
                ) : (
                  <button type="button" class="primary" disabled={!r.ended} onClick={() => setAsk(true)} data-action="sign-report">
                    {w.signOff}
                  </button>
                )
              ) : (
                <span class="muted">{w.onlyHeadTeacherSigns}</span>
              ))}
          </p>
          <p data-testid="report-counts">{w.reportCounts(rep.counts)}</p>
          <h4>
            {w.shortList}（{rep.short.length}）
          </h4>
          {rep.short.length === 0 ? (
            <p class="muted">{w.none}</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="report-short">
                <thead>
                  <tr>
                    <th>{w.cols.name}</th>
                    <th>{w.cols.idNumber}</th>
                    <th>{w.cols.employer}</th>
                    <th class="num">{w.cols.credited}</th>
                    <th class="num">{w.missingHours}</th>
                    <th>{w.lessonsMissed}</th>
                  </tr>
                </thead>
                <tbody>
                  {rep.short.map((s) => (
                    <tr key={s.idNumber}>
                      <td>{s.name}</td>
                      <td>{s.idNumber}</td>
                      <td>{s.employer ?? ''}</td>
                      <td class="num">{hours(s.creditedHours)}</td>
                      <td class="num">{hours(s.missingHours)}</td>
                      <td>{s.lessonsMissed.join('；')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h4>
            {w.neverList}（{rep.neverCame.length}）
          </h4>
          {rep.neverCame.length === 0 ? (
            <p class="muted">{w.none}</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="report-never">
                <thead>
                  <tr>
                    <th>{w.cols.name}</th>
                    <th>{w.cols.idNumber}</th>
                    <th>{w.cols.employer}</th>
                  </tr>
                </thead>
                <tbody>
                  {rep.neverCame.map((s) => (
                    <tr key={s.idNumber}>
                      <td>{s.name}</td>
                      <td>{s.idNumber}</td>
                      <td>{s.employer ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h4>{w.notes}</h4>
          {r.notes.length === 0 ? (
            <p class="muted">{w.none}</p>
          ) : (
            <ul class="notes" data-testid="report-notes">
              {r.notes.map((n) => (
                <li key={n.id}>
                  {when(n.at, lang)} · {n.author.displayName || n.author.username}
                  {n.afterSignOff ? ` · ${w.afterSignOff}` : ''}：{n.text}
                </li>
              ))}
            </ul>
          )}
          <form
            class="add-note"
            onSubmit={(e) => {
              e.preventDefault();
              if (!note.trim()) return;
              void act(() => api.addReportNote(cls.id, note.trim()), w.noteAdded).then(() => setNote(''));
            }}
          >
            <textarea value={note} maxLength={2000} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} aria-label={w.addNote} />
            <button type="submit" disabled={!note.trim()}>
              {w.addNote}
            </button>
          </form>
        </>
      )}
    </div>
  );
}
