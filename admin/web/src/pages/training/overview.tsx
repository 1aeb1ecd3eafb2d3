// A class's overview (its facts, the 班主任, the timetable's open problems, the exam sessions that name
// it) and the form an admin creates a class with.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { TRAINING_CATEGORIES, TRAINING_TYPES, type NewClass, type TrainingCategory } from '../../../../../training/protocol.ts';
import { problemWords } from '../../problem-words.ts';
import { HEAD_TEACHER_ROLE, api, type ClassView } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, Note, hours } from './parts.tsx';
import { trainingWords } from './words.ts';

export function OverviewTab({ lang, cls, detail, admin, onChanged }: TabProps) {
  const w = trainingWords[lang];
  const f = w.fields;
  const [editing, setEditing] = useState(false);
  return (
    <div class="overview" data-testid="overview">
      <dl class="facts">
        <dt>{f.institution}</dt>
        <dd>{cls.institution}</dd>
        <dt>{f.category}</dt>
        <dd>
          {cls.category ? w.category[cls.category] : f.none}
          {cls.operationItem ? ` · ${cls.category === 'special_operation' ? cls.operationItem : (w.industry[cls.operationItem] ?? cls.operationItem)}` : ''} ·{' '}
          {w.trainingType[cls.trainingType] ?? cls.trainingType}
        </dd>
        <dt>{f.startsOn}</dt>
        <dd>
          {cls.startsOn} – {cls.endsOn} · {w.state[cls.state]}
        </dd>
        <dt>{f.room}</dt>
        <dd>{cls.roomName ?? f.none}</dd>
        <dt>{f.requiredHours}</dt>
        <dd data-testid="required-hours">
          {hours(cls.requiredHours)} {w.hoursSource(cls.requiredHoursSource)} · {w.scheduled(hours(cls.scheduledHours), hours(cls.requiredHours))}
        </dd>
        <dt>{f.headteacher}</dt>
        <dd data-testid="headteacher">{cls.headteacherName ?? cls.headteacher ?? f.none}</dd>
        <dt>{w.sessionsOfClass}</dt>
        <dd>
          {detail?.sessions.length
            ? detail.sessions.map((s) => (
                <a key={s} href={`#/plans?session=${encodeURIComponent(s)}`}>
                  {s}{' '}
                </a>
              ))
            : w.noSessions}
        </dd>
      </dl>
      {detail && detail.problems.length > 0 && (
        <div class="msg warn" data-testid="timetable-problems">
          {w.problemsTitle}
          <ul>
            {detail.problems.map((p, i) => {
              const said = problemWords(p.problem, lang);
              return (
                <li key={i}>
                  {p.path}: <span lang={said.lang}>{said.text}</span>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {admin &&
        (editing ? (
          <ClassForm
            lang={lang}
            cls={cls}
            onDone={() => {
              setEditing(false);
              onChanged();
            }}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <button type="button" onClick={() => setEditing(true)} data-action="edit-class">
            {w.edit}
          </button>
        ))}
    </div>
  );
}

/** Create a class (cls null) or change one. */
function ClassForm({ lang, cls, onDone, onCancel }: { lang: Lang; cls: ClassView | null; onDone: (c: ClassView) => void; onCancel?: () => void }) {
  const w = trainingWords[lang];
  const f = w.fields;
  const [rooms, setRooms] = useState<{ id: string; name: string }[]>([]);
  const [heads, setHeads] = useState<{ username: string; displayName: string | null }[]>([]);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    api.rooms().then(setRooms, () => {});
    api.users().then(
      (u) => setHeads(u.filter((x) => x.role === HEAD_TEACHER_ROLE || x.role === 'admin')),
      () => {},
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const s = (k: string) => String(form.get(k) ?? '').trim();
    const body: NewClass = {
      name: s('name'),
      institution: s('institution'),
      category: s('category') as TrainingCategory,
      trainingType: s('trainingType') as NewClass['trainingType'] & string,
      startsOn: s('startsOn'),
      endsOn: s('endsOn'),
      roomId: s('roomId') || null,
      headteacher: s('headteacher') || null,
      ...(s('operationItem') ? { operationItem: s('operationItem') } : {}),
      ...(s('requiredHours') ? { requiredHours: Number(s('requiredHours')) } : {}),
    };
    setBusy(true);
    setDone(null);
    try {
      const c = cls ? await api.patchClass(cls.id, body) : await api.createClass(body);
      setErr(null);
      setDone(cls ? w.saved : w.created(c.name));
      if (!cls) (e.target as HTMLFormElement).reset();
      onDone(c);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="class-form" onSubmit={submit} data-testid={cls ? 'edit-class' : 'new-class'}>
      <div class="inline">
        <label>
          {f.name}
          <input name="name" required maxLength={100} value={cls?.name} />
        </label>
        <label>
          {f.institution}
          <input name="institution" required maxLength={100} value={cls?.institution} />
        </label>
        <label>
          {f.category}
          <select name="category" value={cls?.category ?? 'principal'}>
            {TRAINING_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {w.category[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {f.operationItem}
          <input name="operationItem" maxLength={64} value={cls?.operationItem ?? ''} />
        </label>
        <label>
          {f.trainingType}
          <select name="trainingType" value={cls?.trainingType ?? 'initial'}>
            {TRAINING_TYPES.map((c) => (
              <option key={c} value={c}>
                {w.trainingType[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {f.startsOn}
          <input name="startsOn" type="date" required value={cls?.startsOn} />
        </label>
        <label>
          {f.endsOn}
          <input name="endsOn" type="date" required value={cls?.endsOn} />
        </label>
        <label>
          {f.room}
          <select name="roomId" value={cls?.roomId ?? ''}>
            <option value="">{f.none}</option>
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label title={f.requiredHoursHint}>
          {f.requiredHours}
          <input name="requiredHours" type="number" min="0.5" step="0.5" placeholder={f.requiredHoursHint} value={cls ? String(cls.requiredHours) : ''} />
        </label>
        <label>
          {f.headteacher}
          <select name="headteacher" value={cls?.headteacher ?? ''}>
            <option value="">{f.none}</option>
            {heads.map((u) => (
              <option key={u.username} value={u.username}>
                {u.displayName ? `${u.displayName}（${u.username}）` : u.username}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {cls ? w.save : busy ? w.creating : w.create}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {w.cancel}
          </button>
        )}
      </div>
      <Failure err={err} lang={lang} />
      {done && <Note testid="class-saved">{done}</Note>}
    </form>
  );
}

export function NewClassForm({ lang, onCreated }: { lang: Lang; onCreated: (c: ClassView) => void }) {
  const w = trainingWords[lang];
  // Folds away once the class is made: the page moves on to its timetable.
  const [open, setOpen] = useState(false);
  return (
    <details class="new-class" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{w.newClass}</summary>
      {open && (
        <ClassForm
          lang={lang}
          cls={null}
          onDone={(c) => {
            setOpen(false);
            onCreated(c);
          }}
        />
      )}
    </details>
  );
}
