// A class's trainees: import (a list, or a .zip with the photos; checked as exam rosters are, every bad
// row listed, nothing changed) and the list with each photo and whether the face check can use it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type MemberView } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure, Note } from './parts.tsx';
import { trainingWords } from './words.ts';

export function MembersTab({ lang, cls, onChanged }: TabProps) {
  const w = trainingWords[lang];
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [importErr, setImportErr] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const load = () => api.members(cls.id).then(setMembers, setErr);
  useEffect(() => {
    void load();
  }, [cls.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    setBusy(true);
    setNote(null);
    try {
      const r = await api.importMembers(cls.id, file);
      setImportErr(null);
      setNote(w.membersImported(r.added, r.photos, r.total));
      if (input.current) input.current.value = '';
      void load();
      onChanged();
    } catch (x) {
      setImportErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="members" data-testid="members">
      <form onSubmit={submit} data-testid="members-import" aria-label={w.importMembers}>
        <h4>{w.importMembers}</h4>
        <p class="muted">{w.importMembersHelp}</p>
        <div class="inline">
          <label>
            {w.chooseFile}
            <input ref={input} type="file" name="members" accept=".xlsx,.csv,.json,.zip" required />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? w.importing : w.importButton}
          </button>
        </div>
        <Failure err={importErr} lang={lang} testid="members-problems" />
      </form>
      {note && <Note testid="members-note">{note}</Note>}
      <Failure err={err} lang={lang} />
      <h4>
        {w.tabs.members}（{members?.length ?? 0}）
      </h4>
      {members?.length === 0 && <p>{w.noMembers}</p>}
      {members && members.length > 0 && (
        <div class="table-wrap">
          <table data-testid="member-list">
            <thead>
              <tr>
                <th>{w.cols.photo}</th>
                <th>{w.cols.name}</th>
                <th>{w.cols.idNumber}</th>
                <th>{w.cols.employer}</th>
                <th>{w.cols.enrolment}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.idNumber} data-member={m.idNumberMasked}>
                  <td>{m.photoUrl ? <img class="thumb" src={m.photoUrl} alt={m.name} loading="lazy" /> : <span class="muted">{w.noPhoto}</span>}</td>
                  <td>{m.name}</td>
                  <td>{m.idNumberMasked}</td>
                  <td>{m.employer ?? ''}</td>
                  <td class={m.enrolment === 'ok' ? 'ok' : m.enrolment && m.enrolment !== 'pending' ? 'bad' : ''}>
                    {m.enrolment ? (w.enrolment[m.enrolment] ?? m.enrolment) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
