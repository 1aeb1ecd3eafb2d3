// The class file (一期一档): built as a server job with the same machinery and format as the exam
// session archive (its progress followed here, found again after a reload), and its versions to
// download, each kept for the retention period.
import { useEffect, useState } from 'preact/hooks';
import { useJob } from '../../../../../web/job.ts';
import { CLASS_ARCHIVE_JOB, type ClassArchiveView } from '../../../../../training/archive/protocol.ts';
import { api } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, when } from './parts.tsx';
import { trainingWords } from './words.ts';

export function ClassFileTab({ lang, cls, detail, admin }: TabProps) {
  const w = trainingWords[lang];
  // The server builds the file once the last lesson is over (its sign-out window may still be open).
  const held = (detail?.lessons ?? []).filter((l) => !l.cancelled);
  const lastLessonOver = cls.state === 'ended' || (held.length > 0 && held.every((l) => l.state === 'ended' || l.state === 'closed'));
  const [archives, setArchives] = useState<ClassArchiveView[]>([]);
  const [err, setErr] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [withMedia, setWithMedia] = useState(false);
  const load = () => api.archives(cls.id).then(setArchives, setErr);
  const job = useJob(
    CLASS_ARCHIVE_JOB,
    (p) => p.classId === cls.id,
    (j) => {
      const r = j.result as { archive?: ClassArchiveView; file?: string } | null;
      setMessage(
        j.status === 'done' ? w.made(r?.archive?.file ?? r?.file ?? '') : j.status === 'cancelled' ? w.jobCancelled : w.jobFailed(j.error ?? j.status),
      );
      void load();
    },
    cls.id,
  );
  useEffect(() => {
    void load();
  }, [cls.id]);
  const start = async () => {
    setMessage(null);
    try {
      job.watch(await api.startArchive(cls.id, withMedia));
      setErr(null);
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <div class="class-file" data-testid="class-file">
      <h4>{w.file}</h4>
      <p class="muted">{w.fileHelp}</p>
      <Failure err={err} lang={lang} />
      {admin && (
        <div class="inline">
          {job.job ? (
            <>
              <progress max={job.total ?? 1} value={job.total ? job.done : undefined} aria-label={w.making} data-testid="archive-progress" />
              <span class="muted">{job.note ?? w.making}</span>
              <button type="button" class="danger" onClick={() => void job.cancel()}>
                {w.cancelJob}
              </button>
            </>
          ) : lastLessonOver ? (
            <>
              <label class="check">
                <span>
                  <input type="checkbox" checked={withMedia} onChange={(e) => setWithMedia((e.target as HTMLInputElement).checked)} /> {w.withMedia}
                </span>
              </label>
              <button type="button" class="primary" onClick={() => void start()} data-action="make-archive">
                {w.make}
              </button>
            </>
          ) : (
            <span class="muted">{w.fileNotEnded}</span>
          )}
        </div>
      )}
      {message && (
        <p class="msg ok" role="status" data-testid="archive-message">
          {message}
        </p>
      )}
      <h4>{w.versions}</h4>
      <ul data-testid="archive-versions">
        {archives.length === 0 && <li class="muted">{w.noArchives}</li>}
        {archives.map((a) => (
          <li key={a.id} data-version={a.version}>
            {admin ? (
              <a href={api.archiveFile(a.id)} download={a.file}>
                {w.version(a.version)}
              </a>
            ) : (
              w.version(a.version)
            )}{' '}
            · {when(a.createdAt, lang)} · {a.file} · {w.keptUntil(a.retentionUntil.slice(0, 10))}
            {a.withMedia ? ` · ${w.withMedia}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
