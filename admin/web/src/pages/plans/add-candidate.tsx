// One candidate added to a session's roster by hand (a late registration, a name missed from the file):
// the server checks the form exactly as one row of a roster file, and a refusal lists each problem by
// the field it is about. The category starts at the session template's own.
import { useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../../../../../exam/protocol.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { problemWords } from '../../problem-words.ts';
import * as api from './api.ts';
import { Failure, Note } from './parts.tsx';
import { plansWords } from './words.ts';

const TEXT_FIELDS = ['idNumber', 'name', 'operationClass', 'industry', 'institution', 'ticketNo'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const CATEGORIES = ['principal', 'safety_manager', 'special_operation'] as const;

export function AddCandidateForm({ lang, session, onAdded }: { lang: Lang; session: SessionView; onAdded: () => void }) {
  const w = plansWords[lang];
  const empty = (): Record<TextField, string> => ({ idNumber: '', name: '', operationClass: '', industry: '', institution: '', ticketNo: '' });
  const [text, setText] = useState(empty);
  const [category, setCategory] = useState<string>('principal');
  const [trainedOn, setTrainedOn] = useState('');
  const [hours, setHours] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    api.templates().then(
      (r) => {
        const c = r.templates.find((x) => x.id === session.templateId)?.category;
        if (c) setCategory(c);
      },
      () => {},
    );
  }, [session.templateId]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setDone(null);
    try {
      const photoBase64 = photo ? await base64(photo) : null;
      const opt = (v: string) => v.trim() || null;
      const r = await api.addCandidate(session.id, {
        idNumber: text.idNumber.trim(),
        name: text.name.trim(),
        category,
        operationClass: opt(text.operationClass),
        industry: opt(text.industry),
        institution: opt(text.institution),
        ticketNo: opt(text.ticketNo),
        trainedOn: opt(trainedOn),
        trainingHours: hours.trim() === '' ? null : Number(hours),
        photoBase64,
      });
      setErr(null);
      setDone(w.addDone(r.entry.name, r.entry.ticketNo, r.total));
      setText(empty());
      setTrainedOn('');
      setHours('');
      setPhoto(null);
      onAdded();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const problems = err instanceof api.Refused ? err.problems : [];
  const field = (f: TextField, required = false) => (
    <label>
      {w.addFields[f]}
      {required ? ' *' : ''}
      <input
        name={f}
        value={text[f]}
        required={required}
        maxLength={f === 'institution' ? 100 : 50}
        onInput={(e) => setText({ ...text, [f]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <details class="add-candidate" data-testid="add-candidate">
      <summary>{w.addTitle}</summary>
      <form onSubmit={submit} aria-label={w.addTitle}>
        <p class="muted help">{w.addHelp}</p>
        <div class="grid">
          {field('idNumber', true)}
          {field('name', true)}
          <label>
            {w.addFields.category} *
            <select name="category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {w.addCategory[c]}
                </option>
              ))}
            </select>
          </label>
          {category === 'special_operation' && field('operationClass', true)}
          {field('industry')}
          {field('institution')}
          {field('ticketNo')}
          <label>
            {w.addFields.trainedOn}
            <input name="trainedOn" type="date" value={trainedOn} onInput={(e) => setTrainedOn((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {w.addFields.trainingHours}
            <input
              name="trainingHours"
              type="number"
              min={0}
              max={2000}
              step="0.5"
              value={hours}
              onInput={(e) => setHours((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {w.addFields.photo}
            <input name="photo" type="file" accept=".jpg,.jpeg,.png" onChange={(e) => setPhoto((e.target as HTMLInputElement).files?.[0] ?? null)} />
          </label>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? w.adding : w.addButton}
        </button>
        {done && <Note testid="add-done">{done}</Note>}
        {problems.length > 0 ? (
          <div class="msg error" role="alert" data-testid="add-problems">
            <p>{w.addRefused}</p>
            <ul>
              {problems.map((p, i) => {
                const said = problemWords(p.problem, lang);
                return (
                  <li key={i} data-field={p.path}>
                    <strong>{(w.addFields as Record<string, string>)[p.path] ?? p.path}</strong>：
                    <span lang={said.lang} data-server-text={p.problem}>
                      {said.text}
                    </span>
                    {p.got === undefined ? '' : `（${String(p.got)}）`}
                  </li>
                );
              })}
            </ul>
          </div>
        ) : (
          <Failure err={err} lang={lang} />
        )}
      </form>
    </details>
  );
}

function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
