// The site's teachers (name, title, qualification, 注册安全工程师): add, retire or reinstate, and each
// one's ratings over time (figures only; no rater is ever named).
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { TeacherRatings } from '../../../../../training/ratings/protocol.ts';
import { api, type TeacherView } from './api.ts';
import { Failure, Note } from './parts.tsx';
import { Summary } from './ratings.tsx';
import { trainingWords } from './words.ts';

export function TeachersPanel({ lang, admin }: { lang: Lang; admin: boolean }) {
  const w = trainingWords[lang];
  const [teachers, setTeachers] = useState<TeacherView[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [ratings, setRatings] = useState<TeacherRatings | null>(null);
  const load = () => api.teachers(true).then(setTeachers, setErr);
  useEffect(() => {
    void load();
  }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const s = (k: string) => String(form.get(k) ?? '').trim();
    try {
      const t = await api.createTeacher({
        name: s('name'),
        title: s('title'),
        qualification: s('qualification'),
        registeredSafetyEngineer: form.get('rse') === 'on',
      });
      (e.target as HTMLFormElement).reset();
      setErr(null);
      setNote(`${w.lessonAdded} ${t.name}`);
      void load();
    } catch (x) {
      setErr(x);
    }
  };
  const retire = async (t: TeacherView) => {
    try {
      await api.patchTeacher(t.id, { retired: !t.retired });
      void load();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section class="panel teachers" data-testid="teachers">
      <h3>{w.teachers}</h3>
      <Failure err={err} lang={lang} />
      {note && <Note>{note}</Note>}
      {teachers?.length === 0 && <p>{w.noTeachers}</p>}
      {teachers && teachers.length > 0 && (
        <div class="table-wrap">
          <table data-testid="teacher-list">
            <thead>
              <tr>
                <th>{w.cols.name}</th>
                <th>{w.cols.title}</th>
                <th>{w.cols.qualification}</th>
                <th>{w.cols.engineer}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {teachers.map((t) => (
                <tr key={t.id} class={t.retired ? 'cancelled' : ''}>
                  <td>{t.name}</td>
                  <td>{t.title}</td>
                  <td>{t.qualification}</td>
                  <td>{t.registeredSafetyEngineer ? w.yes : w.no}</td>
                  <td>
                    {admin && (
                      <button type="button" class="link" onClick={() => api.teacherRatings(t.id).then(setRatings, setErr)}>
                        {w.teacherSummary}
                      </button>
                    )}{' '}
                    <button type="button" onClick={() => void retire(t)}>
                      {t.retired ? w.reinstate : w.retire}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ratings && (
        <div class="teacher-ratings" data-testid="teacher-ratings">
          <h4>
            {ratings.name} · {w.teacherSummary}
          </h4>
          <Summary lang={lang} s={ratings.overall} />
          <ul>
            {ratings.classes.map((c) => (
              <li key={c.classId}>
                {c.className} · {c.startsOn} – {c.endsOn} · {w.ratingLine(c.summary.ratings, c.summary.eligible, c.summary.average?.toFixed(1) ?? '—')}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form class="inline add-teacher" onSubmit={add} data-testid="add-teacher">
        <label>
          {w.cols.name}
          <input name="name" required maxLength={50} />
        </label>
        <label>
          {w.cols.title}
          <input name="title" maxLength={50} />
        </label>
        <label>
          {w.cols.qualification}
          <input name="qualification" maxLength={200} />
        </label>
        <label class="check">
          <span>
            <input type="checkbox" name="rse" /> {w.cols.engineer}
          </span>
        </label>
        <button type="submit">{w.addTeacher}</button>
      </form>
    </section>
  );
}
