// Following a long job of the server (documents/jobs.ts: an archive, a bank import, a session's papers)
// from a page: its events over /api/jobs/:id/events until it ends, and — after a page reload — finding
// the job still running for the same thing and following it again. The work runs on the server; the page
// only watches, so closing it loses nothing.
import { useEffect, useRef, useState } from 'preact/hooks';
import { FINISHED_JOB_STATUSES, type JobProgressEvent, type JobView } from '../documents/protocol.ts';
import { call } from './http.ts';
import { checkSession } from './session-end.ts';

export type { JobView, JobProgressEvent };

const enc = encodeURIComponent;

/** Follows one job; `onEvent` gets the job's view on connect, on each status change and at the end. Returns the stop. */
export function followJob(id: string, onJob: (job: JobView) => void, onProgress: (p: JobProgressEvent) => void): () => void {
  const es = new EventSource(`/api/jobs/${enc(id)}/events`);
  es.addEventListener('progress', (e) => onProgress(JSON.parse((e as MessageEvent<string>).data) as JobProgressEvent));
  es.addEventListener('job', (e) => {
    const view = JSON.parse((e as MessageEvent<string>).data) as JobView;
    if (FINISHED_JOB_STATUSES.includes(view.status)) es.close();
    onJob(view);
  });
  // The server ends the stream of a session that ended, and refuses the reconnect: the gate then asks to sign in.
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) void checkSession();
  };
  return () => es.close();
}

/** The running or queued job of `kind` whose params match, or null (what a reloaded page re-attaches to). */
export async function findRunningJob(kind: string, matches: (params: Record<string, unknown>) => boolean): Promise<JobView | null> {
  const jobs = await call<JobView[]>('GET', `/api/jobs?kind=${enc(kind)}&status=queued&status=running`);
  return jobs.find((j) => matches((j.params ?? {}) as Record<string, unknown>)) ?? null;
}

export const cancelJob = (id: string) => call<JobView>('POST', `/api/jobs/${enc(id)}/cancel`);

export interface JobState {
  /** The job being followed (null when none runs). */
  job: JobView | null;
  /** Done and total of the latest progress (total null while unknown), and its note. */
  done: number;
  total: number | null;
  note: string | null;
  /** The job as it ended, until the next one starts. */
  ended: JobView | null;
}

/**
 * A page's hold on one kind of job for one thing (`kind` and `matches`): re-attaches on mount,
 * `watch(view)` follows a job a POST just started, and `onEnd` runs once when it ends (reload the list).
 */
export function useJob(kind: string, matches: (params: Record<string, unknown>) => boolean, onEnd?: (job: JobView) => void, key: unknown = kind) {
  const [state, setState] = useState<JobState>({ job: null, done: 0, total: null, note: null, ended: null });
  const stop = useRef<(() => void) | null>(null);
  const watch = (view: JobView) => {
    stop.current?.();
    setState({ job: view, done: view.progress.done, total: view.progress.total, note: view.progress.note, ended: null });
    stop.current = followJob(
      view.id,
      (j) => {
        if (FINISHED_JOB_STATUSES.includes(j.status)) {
          setState({ job: null, done: j.progress.done, total: j.progress.total, note: j.progress.note, ended: j });
          onEnd?.(j);
        } else setState((s) => ({ ...s, job: j }));
      },
      (p) => setState((s) => ({ ...s, done: p.done, total: p.total, note: p.note })),
    );
  };
  useEffect(() => {
    findRunningJob(kind, matches).then(
      (j) => j && watch(j),
      () => {},
    );
    return () => stop.current?.();
  }, [key]);
  return { ...state, watch, cancel: () => (state.job ? cancelJob(state.job.id) : Promise.resolve(null)) };
}
