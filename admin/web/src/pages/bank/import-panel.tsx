// Import a question file as a job of the server: the progress bar follows the rows the server has
// read, checked and stored; a refused file lists every problem by row and column (nothing stored);
// a reload re-attaches to an import still running.
import { useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { useJob, type JobView } from '../../../../../web/job.ts';
import { BANK_IMPORT_JOB, type BankImportDone, type BankImportPhase, type BankImportRefused } from '../../../../../exam/protocol.ts';
import { problemWords } from '../../problem-words.ts';
import { bankApi } from './api.ts';
import { bankWords } from './words.ts';

const ACCEPT = '.xlsx,.csv,.json';

function ProblemTable({ lang, refused }: { lang: Lang; refused: BankImportRefused }) {
  const w = bankWords[lang];
  return (
    <table class="import-problems" data-testid="import-problems">
      <thead>
        <tr>
          <th>{w.colWhere}</th>
          <th>{w.colColumn}</th>
          <th>{w.colProblem}</th>
        </tr>
      </thead>
      <tbody>
        {refused.problems.map((p, i) => {
          const said = problemWords(p.problem, lang);
          return (
            <tr key={i} title={p.line}>
              <td class="nowrap">{w.where(p.where)}</td>
              <td class="nowrap">{w.column(p.column)}</td>
              <td lang={said.lang} data-server-text={p.problem}>
                {said.text}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Outcome({ lang, job }: { lang: Lang; job: JobView }) {
  const w = bankWords[lang];
  if (job.status === 'done') {
    const r = job.result as BankImportDone;
    return (
      <div class="import-outcome" data-testid="import-done" data-job={job.id}>
        <p class="ok">{w.importDone(r.imported, r.duplicates.length, r.version?.id ?? null)}</p>
        {r.duplicates.length ? (
          <details>
            <summary>
              {w.duplicatesTitle} ({r.duplicates.length})
            </summary>
            <ul>
              {r.duplicates.map((d) => (
                <li key={d.where}>
                  {w.where(d.where)} = {d.questionId ?? w.where(d.sameAs)}
                  {d.answerDiffers ? ` ⚠ ${lang === 'zh' ? '答案不同，请核对' : 'another answer: check which is right'}` : ''}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </div>
    );
  }
  const refused = job.status === 'failed' && job.result ? (job.result as BankImportRefused) : null;
  return (
    <div class="import-outcome" data-testid="import-failed" data-job={job.id} role="alert">
      {refused ? (
        <>
          <p class="bad">{w.importRefused(refused.file, refused.problems.length)}</p>
          <ProblemTable lang={lang} refused={refused} />
        </>
      ) : job.status === 'failed' ? (
        <p class="bad">
          {lang === 'en' ? job.error : w.importNothing} {lang === 'zh' ? job.error : ''}
        </p>
      ) : (
        <p class="bad">{w.importStopped(job.status)}</p>
      )}
    </div>
  );
}

export function ImportPanel({ lang, onImported }: { lang: Lang; onImported: () => void }) {
  const w = bankWords[lang];
  const job = useJob(
    BANK_IMPORT_JOB,
    () => true,
    (j) => j.status === 'done' && onImported(),
  );
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const running = job.job !== null;

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setSending(true);
    try {
      job.watch(await bankApi.startImport(file));
    } catch (err) {
      setError(errorWords(err, lang));
    } finally {
      setSending(false);
    }
  };

  const phase = (job.note ?? 'reading') as BankImportPhase;
  const determinate = running && job.total !== null && job.total > 0;
  const fileName = running ? String((job.job!.params as { filename?: string }).filename ?? '') : '';
  return (
    <section class="panel bank-import" data-testid="bank-import">
      <h2>{w.importTitle}</h2>
      <p class="hint">{w.importHint}</p>
      <form class="inline" onSubmit={start}>
        <label>
          {w.importFile}
          <input
            type="file"
            name="bank-file"
            accept={ACCEPT}
            required
            disabled={running}
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          />
        </label>
        <button type="submit" class="primary" disabled={!file || running || sending}>
          {w.importStart}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {running || sending ? (
        <div class="import-progress" data-testid="import-progress" aria-live="polite">
          <label>
            {w.importing} {fileName}
            <progress
              data-testid="import-bar"
              {...(determinate ? { max: job.total!, value: job.done } : {})}
              aria-valuetext={w.phase[phase]?.(job.done, job.total) ?? ''}
            />
          </label>
          <span class="phase" data-testid="import-phase">
            {job.job?.status === 'queued' ? w.queued : (w.phase[phase]?.(job.done, job.total) ?? '')}
          </span>
          {running ? (
            <button type="button" onClick={() => job.cancel().catch((err) => setError(errorWords(err, lang)))}>
              {w.cancel}
            </button>
          ) : null}
        </div>
      ) : null}
      {!running && !sending && job.ended ? (
        <>
          <div class={`import-progress ended ${job.ended.status}`}>
            {job.ended.status === 'done' ? (
              <progress data-testid="import-bar" max={Math.max(job.total ?? job.done, 1)} value={Math.max(job.total ?? job.done, 1)} />
            ) : null}
            <span class="phase" data-testid="import-phase">
              {job.note ? w.phaseEnded(job.note as BankImportPhase, job.done, job.total) : ''}
            </span>
          </div>
          <Outcome lang={lang} job={job.ended} />
        </>
      ) : null}
    </section>
  );
}
