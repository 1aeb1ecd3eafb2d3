// 一期一档 of the picked session (moved here from the proctor console): make one — with the video files
// or not — as a server job whose progress bar follows its events (web/job.ts, which re-attaches after a
// reload), cancel it behind a confirmation, and download the versions made so far.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import { useJob } from '../../../../../web/job.ts';
import { readArchiveProgressNote, type ArchiveView } from '../../../../../records/protocol.ts';
import { api, type SessionItem } from './api.ts';
import { refusal } from './refusal.ts';
import { resultsWords } from './words.ts';

const ARCHIVE_JOB = 'records.session-archive';
const site = siteClock('Asia/Shanghai');

export function SessionArchive({ lang, session, timezone, onChange }: { lang: Lang; session: SessionItem; timezone: string | null; onChange: () => void }) {
  const w = resultsWords[lang];
  if (timezone) site.setTimeZone(timezone);
  const [archives, setArchives] = useState<ArchiveView[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [withMedia, setWithMedia] = useState(false);
  const [askCancel, setAskCancel] = useState(false);
  const [askPlain, setAskPlain] = useState<string | null>(null);
  const [makingPlain, setMakingPlain] = useState(false);
  const load = () => api.archives(session.id).then(setArchives, (err: unknown) => setMessage(w.loadFailed(refusal(err, lang))));
  const job = useJob(
    ARCHIVE_JOB,
    (p) => p.sessionId === session.id,
    (j) => {
      const r = j.result as { archive?: ArchiveView } | null;
      setMessage(j.status === 'done' ? w.made(r?.archive?.file ?? '') : j.status === 'cancelled' ? w.cancelled : w.failedJob(j.error ?? j.status));
      setAskCancel(false);
      void load();
      onChange();
    },
    session.id,
  );
  useEffect(() => {
    setMessage(null);
    void load();
  }, [session.id]);

  const start = async () => {
    setMessage(null);
    try {
      job.watch(await api.startArchive(session.id, withMedia));
    } catch (err) {
      setMessage(w.failedJob(refusal(err, lang)));
    }
  };
  const cancel = async () => {
    try {
      await job.cancel();
    } catch (err) {
      setMessage(w.failedJob(refusal(err, lang)));
    }
  };
  const exportPlain = async (a: ArchiveView) => {
    setAskPlain(null);
    setMakingPlain(true);
    setMessage(w.plainMaking);
    try {
      const blob = await api.archivePlain(a.id);
      const name = a.file.replace(/\.zip$/, '-plain.zip');
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setMessage(w.plainMade(name));
    } catch (err) {
      setMessage(w.plainFailed(refusal(err, lang, { no_archive_export_basis: w.noPlainBasis })));
    } finally {
      setMakingPlain(false);
    }
  };
  const parsed = job.note === null ? null : readArchiveProgressNote(job.note);
  const note = parsed ? w.writing(w.parts[parsed.part] ?? parsed.part, parsed.members, parsed.mib) : (job.note ?? w.running);
  const archivable = session.status === 'graded' || session.status === 'archived';
  const when = (iso: string) => site.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return (
    <section class="panel session-archive" data-testid="session-archive">
      <h3>{w.archive}</h3>
      <div class="archive-row" data-session={session.id}>
        {job.job ? (
          <>
            <progress max={job.total ?? 1} value={job.total ? job.done : undefined} aria-label={w.running} data-testid="archive-progress" />
            <span class="note">{note}</span>
            {askCancel ? (
              <span class="confirm" role="alertdialog" aria-label={w.confirmCancel}>
                {w.confirmCancel}{' '}
                <button type="button" class="danger" onClick={() => void cancel()}>
                  {w.yesCancel}
                </button>{' '}
                <button type="button" onClick={() => setAskCancel(false)}>
                  {w.keepGoing}
                </button>
              </span>
            ) : (
              <button type="button" class="danger" onClick={() => setAskCancel(true)}>
                {w.cancelJob}
              </button>
            )}
          </>
        ) : archivable ? (
          <>
            <label>
              <input type="checkbox" checked={withMedia} onChange={(e) => setWithMedia((e.target as HTMLInputElement).checked)} /> {w.withMedia}
            </label>
            <button type="button" data-action="make-archive" onClick={() => void start()}>
              {w.make}
            </button>
          </>
        ) : (
          <span class="note">{w.archiveOnlyGraded}</span>
        )}
        {message && (
          <span class="message" role="status" data-testid="archive-message">
            {message}
          </span>
        )}
      </div>
      <ul class="versions" data-testid="archive-versions">
        {archives.length === 0 && <li>{w.none}</li>}
        {archives.map((a) => (
          <li key={a.id} data-version={a.version}>
            <a href={api.archiveFile(a.id)} download={a.file}>
              {w.version(a.version)}
            </a>{' '}
            {when(a.createdAt)} · {w.size(a.bytes)} · {w.files(a.members)}
            {a.withMedia ? ` · ${w.withMedia}` : ''}{' '}
            {askPlain === a.id ? (
              <span class="confirm" role="alertdialog" aria-label={w.exportPlain}>
                {w.confirmPlain}{' '}
                <button type="button" class="danger" data-action="confirm-plain" onClick={() => void exportPlain(a)}>
                  {w.yesPlain}
                </button>{' '}
                <button type="button" onClick={() => setAskPlain(null)}>
                  {w.keepSealed}
                </button>
              </span>
            ) : (
              <button type="button" data-action="export-plain" disabled={makingPlain} onClick={() => setAskPlain(a.id)}>
                {w.exportPlain}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
