// Live attendance of one lesson — the 班主任's page, made for a phone (360 px wide): who is in, who is
// late, who is missing, with photos; updated by the server's event stream (a poll as the fallback), and
// a correction or a justified absence entered with a reason. A correction never changes a recorded
// sign-in: the server keeps it beside the record and audits it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { PRESENCE_STATES, ATTENDANCE_STREAM_EVENT, type CorrectionKind, type PresenceState } from '../../../../../training/protocol.ts';
import { api, type AttendanceView, type CorrectionView } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, Note, hm, hours, when } from './parts.tsx';
import { trainingWords } from './words.ts';

type Member = AttendanceView['members'][number];
/** Shown always, in this order; the other states only when someone is in them. */
const MAIN: PresenceState[] = ['in', 'late', 'missing'];
/** A poll in case the event stream is cut by a proxy or a phone's sleep. */
const POLL_MS = 15_000;

export function AttendanceTab({ lang, cls, detail }: TabProps) {
  const w = trainingWords[lang];
  const [lessonId, setLessonId] = useState<string | null>(null);
  const [view, setView] = useState<AttendanceView | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [filter, setFilter] = useState<PresenceState | null>(null);
  const [streamUp, setStreamUp] = useState(true);
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [corrections, setCorrections] = useState<CorrectionView[]>([]);
  const lessonRef = useRef(lessonId);
  lessonRef.current = lessonId;

  const load = () =>
    api.attendance(cls.id, lessonRef.current).then((v) => {
      setView(v);
      setErr(null);
    }, setErr);
  const loadCorrections = () => api.corrections(cls.id).then(setCorrections, () => {});
  useEffect(() => {
    void load();
  }, [lessonId]);
  useEffect(() => {
    void loadCorrections();
    const es = new EventSource(api.attendanceStream(cls.id));
    es.addEventListener(ATTENDANCE_STREAM_EVENT, () => void load());
    es.onopen = () => setStreamUp(true);
    es.onerror = () => setStreamUp(es.readyState === EventSource.OPEN);
    const poll = setInterval(() => void load(), POLL_MS);
    return () => {
      es.close();
      clearInterval(poll);
    };
  }, [cls.id]);

  const lessons = (detail?.lessons ?? []).filter((l) => !l.cancelled);
  const lesson = view?.lesson ?? null;
  const shown = (view?.members ?? []).filter((m) => !filter || m.presence?.state === filter);
  const count = (s: PresenceState) => view?.counts[s] ?? 0;
  const extra = PRESENCE_STATES.filter((s) => !MAIN.includes(s) && count(s) > 0);
  return (
    <div class="attendance" data-testid="attendance" data-lesson={lesson?.id ?? ''} data-version={view?.version ?? ''}>
      <div class="lesson-pick">
        <label>
          {w.lesson}{' '}
          <select
            name="lesson"
            value={lesson?.id ?? ''}
            onChange={(e) => {
              setFilter(null);
              setLessonId((e.target as HTMLSelectElement).value || null);
            }}
            data-testid="lesson-picker"
          >
            {lesson === null && <option value="">{w.noLessonToday}</option>}
            {lessons.map((l) => (
              <option key={l.id} value={l.id}>
                {l.day.slice(5)} {l.start}–{l.end} {l.topic}
              </option>
            ))}
          </select>
        </label>
      </div>
      {lesson && (
        <p class="muted" data-testid="lesson-line">
          {lesson.day} {lesson.start}–{lesson.end} · {lesson.teacherName ?? ''} · {hours(lesson.hours)} 学时 ·{' '}
          <span data-testid="lesson-state">{w.lessonState[lesson.state] ?? lesson.state}</span>
        </p>
      )}
      <p class={`live-line ${streamUp ? 'muted' : 'warn'}`} role="status">
        {streamUp ? (view ? w.live(hm(view.now, lang)) : w.loading) : w.reconnecting}
      </p>
      <Failure err={err} lang={lang} />
      {note && <Note testid="attendance-note">{note}</Note>}
      {view && lesson && (
        <>
          <div class="counts" role="group" aria-label={w.tabs.attendance}>
            <button type="button" aria-pressed={filter === null} onClick={() => setFilter(null)} data-testid="count-all">
              <strong>{view.members.length}</strong>
              {w.all}
            </button>
            {[...MAIN, ...extra].map((s) => (
              <button
                type="button"
                key={s}
                class={`count-${s}`}
                aria-pressed={filter === s}
                onClick={() => setFilter(filter === s ? null : s)}
                data-testid={`count-${s}`}
              >
                <strong>{count(s)}</strong>
                {w.presence[s]}
              </button>
            ))}
          </div>
          {shown.length === 0 && <p class="muted">{w.nobody}</p>}
          <ul class="people" data-testid="attendance-list">
            {shown.map((m) => (
              <MemberRow
                key={m.idNumber}
                lang={lang}
                m={m}
                classId={cls.id}
                lessonId={lesson.id}
                open={open === m.idNumber}
                onOpen={(o) => {
                  setNote(null);
                  setOpen(o ? m.idNumber : null);
                }}
                onDone={() => {
                  setOpen(null);
                  setNote(w.corrected(m.name));
                  void load();
                  void loadCorrections();
                }}
              />
            ))}
          </ul>
        </>
      )}
      {corrections.length > 0 && (
        <details class="corrections" data-testid="corrections">
          <summary>
            {w.corrections}（{corrections.length}）
          </summary>
          <ul>
            {corrections.map((c) => (
              <li key={c.id}>{w.correctionLine(c.name, w.kind[c.kind], c.reason, c.actor.replace(/^user:/, ''), when(c.at, lang))}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function MemberRow({
  lang,
  m,
  classId,
  lessonId,
  open,
  onOpen,
  onDone,
}: {
  lang: Lang;
  m: Member;
  classId: string;
  lessonId: string;
  open: boolean;
  onOpen: (open: boolean) => void;
  onDone: () => void;
}) {
  const w = trainingWords[lang];
  const p = m.presence;
  const state = p?.state ?? 'not_yet';
  const facts: string[] = [];
  if (p?.signInAt) facts.push(w.signedInAt(hm(p.signInAt, lang)));
  if (p?.lateMinutes) facts.push(w.lateBy(p.lateMinutes));
  if (p?.signOutAt) facts.push(w.signedOutAt(hm(p.signOutAt, lang)));
  if (p?.earlyMinutes) facts.push(w.earlyBy(p.earlyMinutes));
  if (p?.via === 'staff') facts.push(w.viaStaff);
  if (p && p.credited > 0) facts.push(w.credited(hours(p.credited)));
  return (
    <li data-testid="attendance-row" data-id={m.idNumberMasked} data-state={state}>
      {m.photoUrl ? <img class="thumb" src={m.photoUrl} alt={m.name} loading="lazy" /> : <span class="thumb" aria-label={w.noPhoto} />}
      <div class="who">
        <strong>{m.name}</strong>
        <span class="muted">{m.idNumberMasked}</span>
        {facts.length > 0 && <span class="muted">{facts.join(' · ')}</span>}
      </div>
      <div class="state">
        <span class={`badge ${state}`} data-testid="presence">
          {w.presence[state]}
        </span>
        <br />
        <button type="button" class="link" onClick={() => onOpen(!open)} aria-expanded={open} data-action="correct">
          {w.correct}
        </button>
      </div>
      {open && <CorrectionForm lang={lang} m={m} classId={classId} lessonId={lessonId} onCancel={() => onOpen(false)} onDone={onDone} />}
    </li>
  );
}

function CorrectionForm({
  lang,
  m,
  classId,
  lessonId,
  onCancel,
  onDone,
}: {
  lang: Lang;
  m: Member;
  classId: string;
  lessonId: string;
  onCancel: () => void;
  onDone: () => void;
}) {
  const w = trainingWords[lang];
  const kinds: CorrectionKind[] = m.presence?.correctionId ? ['justified_absence', 'presence', 'withdrawn'] : ['justified_absence', 'presence'];
  const [kind, setKind] = useState<CorrectionKind>(m.presence?.state === 'no_sign_out' || m.presence?.state === 'in' ? 'presence' : 'justified_absence');
  const [inAt, setInAt] = useState(m.presence?.signInAt ? hm(m.presence.signInAt, 'zh') : '');
  const [outAt, setOutAt] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const ok = reason.trim().length >= 4 && (kind !== 'presence' || (inAt && outAt)) && !busy;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!ok) return;
    setBusy(true);
    try {
      await api.correct(classId, {
        lessonId,
        idNumber: m.idNumber,
        kind,
        reason: reason.trim(),
        ...(kind === 'presence' ? { inAt, outAt } : {}),
      });
      onDone();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="correct-form" onSubmit={submit} aria-label={w.correctTitle(m.name)} data-testid="correction-form">
      <strong>{w.correctTitle(m.name)}</strong>
      <label>
        <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as CorrectionKind)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {w.kind[k]}
            </option>
          ))}
        </select>
      </label>
      {kind === 'presence' && (
        <div class="inline">
          <label>
            {w.inAt}
            <input type="time" name="inAt" value={inAt} onInput={(e) => setInAt((e.target as HTMLInputElement).value)} required />
          </label>
          <label>
            {w.outAt}
            <input type="time" name="outAt" value={outAt} onInput={(e) => setOutAt((e.target as HTMLInputElement).value)} required />
          </label>
        </div>
      )}
      <label>
        {w.reason}
        <textarea name="reason" value={reason} maxLength={500} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} required />
      </label>
      <Failure err={err} lang={lang} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={!ok}>
          {w.submitCorrection}
        </button>
        <button type="button" onClick={onCancel}>
          {w.cancel}
        </button>
      </div>
    </form>
  );
}
