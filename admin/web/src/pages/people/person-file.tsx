// 一人一档: everything the appliance knows of one ID number (records/people), looked up by the number
// and kept in the address (#/people?id=…) so a link from a results row lands here; the PDF beside it.
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import { replaceParams } from '../../route.ts';
import { refusal } from '../results/refusal.ts';
import { api, idNumberOk, type PersonFileView } from './api.ts';
import { peopleWords } from './words.ts';
import { FaceDataPanel } from './face-data.tsx';

const site = siteClock('Asia/Shanghai');
const day = (iso: string, lang: Lang) => site.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit' });
const minute = (iso: string, lang: Lang) =>
  site.format(Date.parse(iso), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

/** A session as staff know it: its plan and start (from the file's exams), the id only when it is not among them. */
function sessionLabel(sessionId: string | null, file: PersonFileView, lang: Lang): string {
  if (!sessionId) return '';
  const e = file.exams.find((x) => x.sessionId === sessionId);
  return e ? `${e.planName} ${minute(e.startsAt, lang)}` : sessionId;
}

/** One identity check in words: when, what, the outcome, why (an override's own "override" said once), each part only if there. */
function checkLine(c: PersonFileView['identityChecks'][number], file: PersonFileView, lang: Lang): string {
  const w = peopleWords[lang];
  const action = c.action ?? (c.sessionId ? 'exam' : null);
  const reason = c.reason && c.reason !== 'override' ? (w.checkReason[c.reason] ?? c.reason) : null;
  return [
    minute(c.startedAt, lang),
    action ? (w.checkAction[action] ?? action) : null,
    c.action ? null : sessionLabel(c.sessionId, file, lang),
    w.checkDecision[c.decision ?? 'none'] ?? c.decision,
    reason,
  ]
    .filter((x) => x)
    .join(' · ');
}

export function PersonFilePanel({ lang, idNumber }: { lang: Lang; idNumber: string }) {
  const w = peopleWords[lang];
  const [typed, setTyped] = useState(idNumber);
  const [file, setFile] = useState<PersonFileView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setTyped(idNumber);
    setFile(null);
    setProblem(null);
    if (!idNumber) return;
    api.site().then(
      (s) => site.setTimeZone(s.site.timezone),
      () => {},
    );
    api.personFile(idNumber).then(setFile, (err: unknown) => setProblem(refusal(err, lang)));
  }, [idNumber]);
  const submit = (e: Event) => {
    e.preventDefault();
    const id = typed.trim().toUpperCase();
    if (!idNumberOk(id)) return setProblem(w.idProblem);
    replaceParams({ id });
  };
  return (
    <section class="panel person-file" data-testid="person-file">
      <h3>{w.personFile}</h3>
      <form class="inline" onSubmit={submit} noValidate>
        <label>
          {w.idNumber}
          <input
            name="idNumber"
            value={typed}
            maxLength={18}
            placeholder={w.idHint}
            autoComplete="off"
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">{w.lookUp}</button>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
      </form>
      {file && (
        <div class="file" data-testid="person-file-body">
          <p class="who">
            <strong data-testid="person-name">{file.name}</strong> {file.idNumber} · {w.validPasses(file.validPasses.length)} ·{' '}
            {w.training(file.training.totalAttendedHours)} ·{' '}
            <a href={api.personPdf(file.idNumber)} target="_blank" rel="noopener" data-testid="person-pdf">
              {w.pdf}
            </a>
          </p>
          <h4>{w.exams}</h4>
          {file.exams.length === 0 ? (
            <p>{w.noExams}</p>
          ) : (
            <table data-testid="person-exams">
              <thead>
                <tr>
                  <th>{w.date}</th>
                  <th>{w.session}</th>
                  <th>{w.template}</th>
                  <th>{w.rosterStatus}</th>
                  <th>{w.result}</th>
                  <th>{w.validUntil}</th>
                </tr>
              </thead>
              <tbody>
                {file.exams.map((x) => (
                  <tr key={x.sessionId + x.ticketNo}>
                    <td>{minute(x.startsAt, lang)}</td>
                    <td>
                      <a href={`#/results?session=${encodeURIComponent(x.sessionId)}`}>{x.planName}</a> · {x.roomName} · {w.attempt(x.attempt)}
                    </td>
                    <td>{x.templateName}</td>
                    <td>{w.statusWords[x.status] ?? x.status}</td>
                    <td class={x.result ? (x.result.passed ? 'ok' : 'bad') : ''}>
                      {x.result ? `${x.result.score}/${x.result.total} ${x.result.passed ? w.passed : w.failed}` : w.notGraded}
                    </td>
                    <td>{x.result?.validUntil ? day(x.result.validUntil, lang) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>{w.certificates}</h4>
          {file.certificates.items.length === 0 ? (
            <p>{w.noCertificates}</p>
          ) : (
            <ul>
              {file.certificates.items.map((c) => (
                <li key={c.number}>
                  <a href={`/api/records/certificates/${encodeURIComponent(c.number)}.pdf`} target="_blank" rel="noopener">
                    {c.number}
                  </a>{' '}
                  · {w.validUntil} {day(c.validUntil, lang)}
                  {c.revokedAt !== null && <span class="bad"> · {c.revokedReason}</span>}
                </li>
              ))}
            </ul>
          )}
          <h4>{w.checks}</h4>
          {file.identityChecks.length === 0 ? (
            <p>{w.noChecks}</p>
          ) : (
            <ul>
              {file.identityChecks.map((c) => (
                <li key={c.id}>{checkLine(c, file, lang)}</li>
              ))}
            </ul>
          )}
          {(file.faceConsents?.length ?? 0) + (file.seatConfirmations?.length ?? 0) > 0 && (
            <>
              <h4>{w.faceTitle}</h4>
              <ul data-testid="person-face">
                {(file.faceConsents ?? []).map((c) => (
                  <li key={`c-${c.sessionId}`}>
                    {minute(c.decidedAt, lang)} · {sessionLabel(c.sessionId, file, lang)} · {c.decision === 'declined' ? w.faceDeclined : w.faceAccepted}
                  </li>
                ))}
                {(file.seatConfirmations ?? []).map((c) => (
                  <li key={c.id}>
                    {minute(c.dueAt, lang)} · {sessionLabel(c.sessionId, file, lang)} ·{' '}
                    {w.seatCheck(c.seat, c.reason, c.confirmedBy, c.outcome === 'not_the_person')}
                  </li>
                ))}
              </ul>
            </>
          )}
          <FaceDataPanel lang={lang} idNumber={file.idNumber} day={day} sessionLabel={(id) => sessionLabel(id, file, lang)} />
          <h4>{w.incidents}</h4>
          {file.incidents.length === 0 ? (
            <p>{w.noIncidents}</p>
          ) : (
            <ul>
              {file.incidents.map((c, i) => (
                <li key={i}>
                  {c.category} {c.note}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
