// 生成一期一档归档, for admins in the console: the room's graded and archived sessions, each with a
// button that starts the archive job, a progress bar fed by the job's server-sent events, a cancel,
// and the versions made so far to download. A reload re-attaches to a job still running, by its id.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import { siteClock, type Bilingual, type Lang } from '../../../web/i18n.ts';
import { FINISHED_JOB_STATUSES, readArchiveProgressNote, type ArchiveView, type JobProgressEvent, type JobView } from '../../../records/protocol.ts';
import './session-archive.css';

const ARCHIVE_JOB = 'records.session-archive';

interface SessionItem {
  id: string;
  roomId: string;
  startsAt: string;
  templateName: string;
  status: string;
}

const WORDS: Bilingual<{
  heading: string;
  make: string;
  withMedia: string;
  cancel: string;
  none: string;
  version: (v: number) => string;
  running: string;
  done: (file: string) => string;
  cancelled: string;
  failed: (why: string) => string;
  confirmCancel: string;
  status: Record<string, string>;
  size: (bytes: number) => string;
  files: (n: number) => string;
  /** The archive's parts by id (records/archive-parts.ts); an id not here is shown as it is. */
  parts: Record<string, string>;
  /** The job's note: the part being written, and the archive's files and size so far. */
  writing: (part: string, files: number, mib: string) => string;
  failedLoad: (why: string) => string;
}> = {
  zh: {
    heading: '一期一档',
    make: '生成一期一档归档',
    withMedia: '包含录像文件',
    cancel: '取消',
    none: '尚未归档',
    version: (v) => `第 ${v} 版`,
    running: '正在生成…',
    done: (f) => `已生成 ${f}`,
    cancelled: '已取消，未留下文件',
    failed: (w) => `生成失败：${w}`,
    confirmCancel: '确定取消正在生成的归档？',
    status: { graded: '已评分', archived: '已归档' },
    size: (b) => mib(b),
    files: (n) => `${n} 个文件`,
    parts: {
      session: '考试场次',
      roster: '考生名单',
      'sign-in': '签到记录',
      seats: '座位表',
      papers: '试卷与答卷',
      incidents: '违纪记录',
      integrity: '考试机完整性',
      'video-index': '录像索引',
      'results-sheet': '成绩汇总表',
      'room-log': '考场记录',
      'score-reports': '成绩单',
      certificates: '证书',
      people: '一人一档',
    },
    writing: (p, n, m) => `正在写入${p} · 已 ${n} 个文件 · ${m} MiB`,
    failedLoad: (w) => `无法读取归档信息：${w}`,
  },
  en: {
    heading: 'Session archive',
    make: 'Make the session archive',
    withMedia: 'include the video files',
    cancel: 'Cancel',
    none: 'not archived yet',
    version: (v) => `version ${v}`,
    running: 'making…',
    done: (f) => `made ${f}`,
    cancelled: 'cancelled; no file was left',
    failed: (w) => `failed: ${w}`,
    confirmCancel: 'Cancel the archive being made?',
    status: { graded: 'graded', archived: 'archived' },
    size: (b) => mib(b),
    files: (n) => `${n} ${n === 1 ? 'file' : 'files'}`,
    parts: {
      session: 'session',
      roster: 'roster',
      'sign-in': 'sign-in record',
      seats: 'seat map',
      papers: 'papers and answers',
      incidents: 'incidents',
      integrity: 'terminal integrity',
      'video-index': 'video index',
      'results-sheet': 'results sheet',
      'room-log': 'room log',
      'score-reports': 'score reports',
      certificates: 'certificates',
      people: 'person files',
    },
    writing: (p, n, m) => `writing the ${p} · ${n} ${n === 1 ? 'file' : 'files'} so far · ${m} MiB`,
    failedLoad: (w) => `could not load the archives: ${w}`,
  },
};

// MiB, as the CLI (examroom archive list) says it: the same archive must read the same size everywhere.
function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

const enc = encodeURIComponent;
/** Times on the site's clock (GET /api/site), whatever zone the desk PC is set to. */
const site = siteClock();
const when = (iso: string, lang: Lang) =>
  site.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export function SessionArchive({ lang, roomId }: { lang: Lang; roomId: string }) {
  const w = WORDS[lang];
  const [sessions, setSessions] = useState<SessionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    Promise.all([call<SessionItem[]>('GET', '/api/exam/sessions?status=graded'), call<SessionItem[]>('GET', '/api/exam/sessions?status=archived')]).then(
      ([g, a]) => setSessions([...g, ...a].filter((s) => s.roomId === roomId).sort((x, y) => y.startsAt.localeCompare(x.startsAt))),
      (err: unknown) => setError(w.failedLoad(errorWords(err, lang))),
    );
  useEffect(() => {
    call<{ site: { timezone: string } }>('GET', '/api/site')
      .then(
        (x) => site.setTimeZone(x.site.timezone),
        () => {},
      )
      .finally(() => void load());
  }, [roomId]);
  if (error) return <p class="error">{error}</p>;
  if (!sessions?.length) return null;
  return (
    <section class="session-archive" data-testid="session-archive">
      <h3>{w.heading}</h3>
      {sessions.map((s) => (
        <SessionRow key={s.id} lang={lang} session={s} onChange={() => void load()} />
      ))}
    </section>
  );
}

function SessionRow({ lang, session, onChange }: { lang: Lang; session: SessionItem; onChange: () => void }) {
  const w = WORDS[lang];
  const [archives, setArchives] = useState<ArchiveView[]>([]);
  const [job, setJob] = useState<JobView | null>(null);
  const [progress, setProgress] = useState<JobProgressEvent | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [withMedia, setWithMedia] = useState(false);
  const source = useRef<EventSource | null>(null);

  const loadArchives = () =>
    call<ArchiveView[]>('GET', `/api/records/archives?sessionId=${enc(session.id)}`).then(setArchives, (err: unknown) =>
      setMessage(w.failedLoad(errorWords(err, lang))),
    );

  /** Follows a job by its events until it ends; the server closes the stream then. */
  const watch = (j: JobView) => {
    setJob(j);
    source.current?.close();
    const es = new EventSource(`/api/jobs/${enc(j.id)}/events`);
    source.current = es;
    es.addEventListener('progress', (e) => setProgress(JSON.parse((e as MessageEvent<string>).data) as JobProgressEvent));
    es.addEventListener('job', (e) => {
      const view = JSON.parse((e as MessageEvent<string>).data) as JobView;
      setJob(view);
      if (!FINISHED_JOB_STATUSES.includes(view.status)) return;
      es.close();
      const r = view.result as { archive?: ArchiveView } | null;
      setMessage(view.status === 'done' ? w.done(r?.archive?.file ?? '') : view.status === 'cancelled' ? w.cancelled : w.failed(view.error ?? view.status));
      setJob(null);
      setProgress(null);
      void loadArchives();
      onChange();
    });
  };

  useEffect(() => {
    void loadArchives();
    // A reload finds the job still running for this session and follows it again.
    call<JobView[]>('GET', `/api/jobs?kind=${ARCHIVE_JOB}&status=queued&status=running`).then(
      (jobs) => {
        const mine = jobs.find((j) => (j.params as { sessionId?: string } | undefined)?.sessionId === session.id);
        if (mine) watch(mine);
      },
      () => {},
    );
    return () => source.current?.close();
  }, [session.id]);

  const start = async () => {
    setMessage(null);
    try {
      watch(await call<JobView>('POST', `/api/records/sessions/${enc(session.id)}/archive`, { withMedia }));
    } catch (err) {
      setMessage(w.failed(errorWords(err, lang)));
    }
  };
  const cancel = async () => {
    if (!job || !window.confirm(w.confirmCancel)) return;
    try {
      await call<JobView>('POST', `/api/jobs/${enc(job.id)}/cancel`);
    } catch (err) {
      setMessage(w.failed(errorWords(err, lang)));
    }
  };

  const total = progress?.total ?? job?.progress.total ?? null;
  const rawNote = progress?.note ?? job?.progress.note ?? null;
  const parsed = rawNote === null ? null : readArchiveProgressNote(rawNote);
  const note = parsed ? w.writing(w.parts[parsed.part] ?? parsed.part, parsed.members, parsed.mib) : (rawNote ?? w.running);
  const done = progress?.done ?? job?.progress.done ?? 0;
  return (
    <div class="archive-row" data-session={session.id}>
      <span class="what">
        {when(session.startsAt, lang)} {session.templateName} · {w.status[session.status] ?? session.status}
      </span>
      {job ? (
        <>
          <progress max={total ?? 1} value={total ? done : undefined} aria-label={w.running} />
          <span class="note">{note}</span>
          <button type="button" class="danger" onClick={() => void cancel()}>
            {w.cancel}
          </button>
        </>
      ) : (
        <>
          <label>
            <input type="checkbox" checked={withMedia} onChange={(e) => setWithMedia((e.target as HTMLInputElement).checked)} /> {w.withMedia}
          </label>
          <button type="button" onClick={() => void start()}>
            {w.make}
          </button>
        </>
      )}
      {message && <span class="message">{message}</span>}
      <ul class="versions">
        {archives.length === 0 && <li>{w.none}</li>}
        {archives.map((a) => (
          <li key={a.id}>
            <a href={`/api/records/archives/${enc(a.id)}/file`} download={a.file}>
              {w.version(a.version)}
            </a>{' '}
            {when(a.createdAt, lang)} · {w.size(a.bytes)} · {w.files(a.members)}
          </li>
        ))}
      </ul>
    </div>
  );
}
