// Credited 学时 per trainee per lesson and for the class (the rule: docs/training.md "Credited time"),
// who is complete, short or never came; the absences as a CSV; and one person's annual hours across
// the classes held here.
import { useEffect, useState } from 'preact/hooks';
import type { AnnualHours } from '../../../../../training/protocol.ts';
import { call } from '../../../../../web/http.ts';
import { api, type ClassHours } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, hours } from './parts.tsx';
import { trainingWords } from './words.ts';

export function HoursTab({ lang, cls, admin }: TabProps) {
  const w = trainingWords[lang];
  const [h, setH] = useState<ClassHours | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api.hours(cls.id).then(setH, setErr);
  }, [cls.id]);
  return (
    <div class="hours" data-testid="hours">
      <Failure err={err} lang={lang} />
      {h && (
        <>
          <p>
            {w.classHours(Number(hours(h.heldHours)), Number(hours(h.scheduledHours)))}
            {h.inProgressHours > 0 && <span data-testid="in-progress-hours">{w.inProgressHours(Number(hours(h.inProgressHours)))}</span>} ·{' '}
            <a class="button" href={api.absencesCsv(cls.id)} download>
              {w.absencesCsv}
            </a>
          </p>
          <div class="table-wrap">
            <table data-testid="hours-table">
              <thead>
                <tr>
                  <th>{w.cols.name}</th>
                  {h.lessons.map((l) => (
                    <th key={l.id} class="num" title={`${l.day} ${l.start}–${l.end} ${l.topic}`} data-in-progress={l.inProgress ? 'yes' : undefined}>
                      {l.day.slice(5)}
                      <br />
                      {l.start}
                      {l.inProgress && (
                        <>
                          <br />
                          <span class="badge in">{w.inProgress}</span>
                        </>
                      )}
                    </th>
                  ))}
                  <th class="num">{w.cols.credited}</th>
                  <th class="num">{w.cols.required}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {h.members.map((m) => (
                  <tr key={m.idNumber} data-member={m.idNumberMasked}>
                    <td>
                      {m.name}
                      <br />
                      <span class="muted">{m.idNumberMasked}</span>
                    </td>
                    {m.lessons.map((p) => (
                      <td key={p.lessonId} class="num" title={w.presence[p.state]}>
                        {p.state === 'excused' ? w.presence.excused : hours(p.credited)}
                      </td>
                    ))}
                    <td class="num" data-testid="credited">
                      <strong>{hours(m.creditedHours)}</strong>
                    </td>
                    <td class="num">{hours(m.requiredHours)}</td>
                    <td>
                      <span class={`badge ${m.complete ? 'in' : m.neverCame ? 'missing' : 'late'}`}>
                        {m.complete ? w.complete : m.neverCame ? w.neverCame : w.short}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {admin && <AnnualHoursLookup lang={lang} />}
    </div>
  );
}

function AnnualHoursLookup({ lang }: { lang: TabProps['lang'] }) {
  const w = trainingWords[lang];
  const [id, setId] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [got, setGot] = useState<AnnualHours | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      setGot(await call<AnnualHours>('GET', `/api/training/people/${encodeURIComponent(id.trim().toUpperCase())}/hours?year=${encodeURIComponent(year)}`));
      setErr(null);
    } catch (x) {
      setGot(null);
      setErr(x);
    }
  };
  return (
    <form class="annual" onSubmit={submit} data-testid="annual-hours">
      <h4>{w.annualTitle}</h4>
      <div class="inline">
        <label>
          {w.cols.idNumber}
          <input value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} maxLength={18} required />
        </label>
        <label>
          {w.year}
          <input type="number" value={year} min="2000" max="2100" onInput={(e) => setYear((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{w.lookUp}</button>
      </div>
      <Failure err={err} lang={lang} />
      {got && (
        <div>
          <p>
            <strong>{w.annual(Number(hours(got.hours)), got.year)}</strong>
          </p>
          <ul>
            {got.classes.map((c) => (
              <li key={c.classId}>
                {c.name} · {c.institution} · {c.startsOn} – {c.endsOn} · {hours(c.creditedHours)} / {hours(c.requiredHours)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
