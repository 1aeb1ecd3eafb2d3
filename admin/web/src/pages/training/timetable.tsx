// A class's timetable: the lessons (date, time, topic, teacher, 学时, state, sign-ins), imported from a
// .xlsx/.csv (checked first if asked; every bad row listed, nothing changed) or edited here one lesson
// at a time — add, change, cancel with a reason (a lesson someone signed in to is kept, marked cancelled).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { LessonView, NewLesson } from '../../../../../training/protocol.ts';
import { api, type TeacherView } from './api.ts';
import type { TabProps } from './page.tsx';
import { LessonVideoPanel } from './lesson-video.tsx';
import { Failure, Note, hours } from './parts.tsx';
import { trainingWords } from './words.ts';

export function TimetableTab({ lang, cls, detail, admin, me, onChanged }: TabProps) {
  // The class's own 班主任 plays its lessons' video too (the media routes allow them those windows only).
  const mayWatch = admin || (cls.headteacher !== null && cls.headteacher.toLowerCase() === me.toLowerCase());
  const w = trainingWords[lang];
  const [teachers, setTeachers] = useState<TeacherView[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [watching, setWatching] = useState<string | null>(null);
  useEffect(() => {
    api.teachers().then(setTeachers, () => {});
  }, []);
  const lessons = detail?.lessons ?? [];
  const total = lessons.filter((l) => !l.cancelled).reduce((s, l) => s + l.hours, 0);
  return (
    <div class="timetable" data-testid="timetable">
      <TimetableImport
        lang={lang}
        classId={cls.id}
        hasLessons={lessons.length > 0}
        onImported={(msg) => {
          setNote(msg);
          onChanged();
        }}
      />
      {note && <Note testid="timetable-note">{note}</Note>}
      <h4>
        {w.lessons}（{lessons.length}） · {w.scheduled(hours(total), hours(cls.requiredHours))}
      </h4>
      {lessons.length === 0 ? (
        <p>{w.noLessons}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="lessons">
            <thead>
              <tr>
                <th>{w.cols.day}</th>
                <th>{w.cols.time}</th>
                <th>{w.cols.topic}</th>
                <th>{w.cols.teacher}</th>
                <th class="num">{w.cols.hours}</th>
                <th>{w.cols.state}</th>
                <th class="num">{w.cols.signedIn}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {lessons.map((l) =>
                editing === l.id ? (
                  <tr key={l.id}>
                    <td colSpan={8}>
                      <LessonForm
                        lang={lang}
                        classId={cls.id}
                        lesson={l}
                        teachers={teachers}
                        onDone={(msg) => {
                          setEditing(null);
                          setNote(msg);
                          onChanged();
                        }}
                        onCancel={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={l.id} data-lesson={l.id} class={l.cancelled ? 'cancelled' : ''}>
                    <td>{l.day}</td>
                    <td>
                      {l.start}–{l.end}
                    </td>
                    <td>{l.topic}</td>
                    <td>{l.teacherName ?? ''}</td>
                    <td class="num">{hours(l.hours)}</td>
                    <td>{l.cancelled ? w.cancelled(l.cancelReason ?? '') : (w.lessonState[l.state] ?? l.state)}</td>
                    <td class="num">{l.signedIn}</td>
                    <td class="actions">
                      {!l.cancelled && (
                        <button type="button" onClick={() => setEditing(l.id)} data-action="edit-lesson">
                          {w.edit}
                        </button>
                      )}{' '}
                      {mayWatch && l.state !== 'upcoming' && !l.cancelled && (
                        <button type="button" onClick={() => setWatching(watching === l.id ? null : l.id)} data-action="lesson-video">
                          {w.video}
                        </button>
                      )}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {watching && <LessonVideoPanel lang={lang} classId={cls.id} lessonId={watching} onClose={() => setWatching(null)} />}
      <details class="add-lesson">
        <summary>{w.addLesson}</summary>
        <LessonForm
          lang={lang}
          classId={cls.id}
          lesson={null}
          teachers={teachers}
          onDone={(msg) => {
            setNote(msg);
            onChanged();
          }}
        />
      </details>
    </div>
  );
}

function TimetableImport({ lang, classId, hasLessons, onImported }: { lang: Lang; classId: string; hasLessons: boolean; onImported: (msg: string) => void }) {
  const w = trainingWords[lang];
  const input = useRef<HTMLInputElement>(null);
  const [dryRun, setDryRun] = useState(false);
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    setBusy(true);
    try {
      const r = await api.importTimetable(classId, file, { dryRun, replace });
      setErr(null);
      const h = Number(hours(r.totalHours));
      onImported(r.dryRun ? w.timetableChecked(r.lessons.length, h) : w.timetableImported(r.lessons.length, h, r.replaced));
      if (!r.dryRun && input.current) input.current.value = '';
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="timetable-import" onSubmit={submit} data-testid="timetable-import" aria-label={w.importTimetable}>
      <h4>{w.importTimetable}</h4>
      <p class="muted">{w.importTimetableHelp}</p>
      <div class="inline">
        <label>
          {w.chooseFile}
          <input ref={input} type="file" name="timetable" accept=".xlsx,.csv" required />
        </label>
        <label class="check">
          <span>
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)} /> {w.dryRun}
          </span>
        </label>
        {hasLessons && (
          <label class="check">
            <span>
              <input type="checkbox" checked={replace} onChange={(e) => setReplace((e.target as HTMLInputElement).checked)} /> {w.replace}
            </span>
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? w.importing : w.importButton}
        </button>
      </div>
      <Failure err={err} lang={lang} testid="timetable-problems" />
    </form>
  );
}

function LessonForm({
  lang,
  classId,
  lesson,
  teachers,
  onDone,
  onCancel,
}: {
  lang: Lang;
  classId: string;
  lesson: LessonView | null;
  teachers: TeacherView[];
  onDone: (msg: string) => void;
  onCancel?: () => void;
}) {
  const w = trainingWords[lang];
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [cancelReason, setCancelReason] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const s = (k: string) => String(form.get(k) ?? '').trim();
    const body: NewLesson = {
      day: s('day'),
      start: s('start'),
      end: s('end'),
      topic: s('topic'),
      hours: Number(s('hours')),
      teacherId: s('teacherId') || null,
    };
    setBusy(true);
    try {
      if (lesson) await api.patchLesson(classId, lesson.id, body);
      else await api.addLesson(classId, body);
      setErr(null);
      if (!lesson) (e.target as HTMLFormElement).reset();
      onDone(lesson ? w.saved : w.lessonAdded);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const cancelLesson = async () => {
    if (!lesson || cancelReason.trim().length < 4) return;
    setBusy(true);
    try {
      await api.cancelLesson(classId, lesson.id, cancelReason.trim());
      onDone(w.lessonCancelled);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="lesson-form" onSubmit={submit} data-testid="lesson-form">
      <div class="inline">
        <label>
          {w.cols.day}
          <input name="day" type="date" required value={lesson?.day} />
        </label>
        <label>
          {w.inAt}
          <input name="start" type="time" required value={lesson?.start} />
        </label>
        <label>
          {w.outAt}
          <input name="end" type="time" required value={lesson?.end} />
        </label>
        <label>
          {w.cols.topic}
          <input name="topic" required maxLength={200} value={lesson?.topic} />
        </label>
        <label>
          {w.cols.teacher}
          <select name="teacherId" value={lesson?.teacherId ?? ''}>
            <option value="">{w.fields.none}</option>
            {teachers
              .filter((t) => !t.retired)
              .map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          {w.cols.hours}
          <input name="hours" type="number" min="0.5" max="24" step="0.5" required value={lesson ? String(lesson.hours) : ''} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {lesson ? w.save : w.add}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {w.cancel}
          </button>
        )}
      </div>
      {lesson && (
        <div class="inline cancel-lesson">
          <label>
            {w.cancelReason}
            <input value={cancelReason} onInput={(e) => setCancelReason((e.target as HTMLInputElement).value)} maxLength={200} />
          </label>
          <button type="button" class="danger" disabled={busy || cancelReason.trim().length < 4} onClick={() => void cancelLesson()}>
            {w.confirmCancel}
          </button>
        </div>
      )}
      <Failure err={err} lang={lang} />
    </form>
  );
}
