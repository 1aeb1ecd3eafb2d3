// After the exam, in the room view: the room log (考场记录) to sign off — once, with a confirmation,
// after which it is frozen — notes appended to it, and links to the session's results sheet and each
// candidate's score report. Shown only once the session has ended. The contract is records/protocol.ts.
import { useEffect, useState } from 'preact/hooks';
import { call, HttpError, errorText, userOf, whoAmI } from '../../../web/http.ts';
import type { Bilingual } from '../../../web/i18n.ts';
import type { RoomLogReply, SessionReports } from '../../../records/protocol.ts';
import type { Words } from './i18n.ts';

const ENDED = new Set(['ended', 'graded', 'archived']);

const words: Bilingual<{
  title: string;
  signed: (n: number) => string;
  open: string;
  signOff: string;
  confirm: string;
  confirmYes: string;
  cancel: string;
  notePlaceholder: string;
  addNote: string;
  notes: string;
  appended: string;
  coSign: string;
  youSigned: string;
  resultsSheet: string;
  roomLogPdf: string;
  reports: string;
  absent: string;
  pass: string;
  fail: string;
  notGraded: string;
  refusals: Record<string, string>;
  counts: (a: { roster: number; admitted: number; absent: number; incidents: number; overrides: number }) => string;
}> = {
  zh: {
    title: '考后文书',
    signed: (n) => `考场记录已签署（${n} 人），内容已冻结；之后只能追加备注。`,
    open: '考场记录尚未签署。',
    signOff: '签署考场记录',
    confirm: '确认签署？签署后考场记录即被冻结，不能修改，只能追加备注。',
    confirmYes: '确认签署',
    cancel: '取消',
    notePlaceholder: '追加备注（签署后追加的备注单独列出）',
    addNote: '追加备注',
    notes: '备注',
    appended: '（签署后追加）',
    coSign: '联署考场记录',
    youSigned: '您已签署。',
    resultsSheet: '成绩汇总表（PDF）',
    roomLogPdf: '考场记录（PDF）',
    reports: '成绩单',
    absent: '缺考',
    pass: '合格',
    fail: '不合格',
    notGraded: '未评分',
    refusals: {
      session_not_ended: '考试尚未结束，不能签署。',
      already_signed: '您已签署过本场考场记录。',
      forbidden: '只有本考场的监考员可以签署考场记录。',
    },
    counts: (c) => `应考 ${c.roster} · 入场 ${c.admitted} · 缺考 ${c.absent} · 违纪 ${c.incidents} · 人工放行 ${c.overrides}`,
  },
  en: {
    title: 'After the exam',
    signed: (n) => `The room log is signed (${n}) and frozen; notes can only be appended.`,
    open: 'The room log is not signed yet.',
    signOff: 'Sign off the room log',
    confirm: 'Sign off? The room log is then frozen and cannot be changed; notes can still be appended.',
    confirmYes: 'Sign off',
    cancel: 'Cancel',
    notePlaceholder: 'Append a note (notes after the sign-off are listed apart)',
    addNote: 'Append note',
    notes: 'Notes',
    appended: '(appended after sign-off)',
    coSign: 'Co-sign the room log',
    youSigned: 'You have signed it.',
    resultsSheet: 'Results sheet (PDF)',
    roomLogPdf: 'Room log (PDF)',
    reports: 'Score reports',
    absent: 'absent',
    pass: 'pass',
    fail: 'fail',
    notGraded: 'not graded',
    refusals: {
      session_not_ended: 'The exam has not ended yet; it cannot be signed off.',
      already_signed: 'You have already signed this room log.',
      forbidden: "Only this room's invigilators sign the room log.",
    },
    counts: (c) => `expected ${c.roster} · admitted ${c.admitted} · absent ${c.absent} · incidents ${c.incidents} · overrides ${c.overrides}`,
  },
};

const enc = encodeURIComponent;

export function RecordsPanel({ w, session }: { w: Words; session: { id: string; status: string } }) {
  const ended = ENDED.has(session.status);
  const t = words[w.lang];
  const [log, setLog] = useState<RoomLogReply | null>(null);
  const [reports, setReports] = useState<SessionReports | null>(null);
  const [asking, setAsking] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [me, setMe] = useState<string | null>(null);
  // Only the room's invigilators sign the room log (the server refuses others): an admin sees no button.
  const [canSign, setCanSign] = useState(false);
  const base = `/api/records/sessions/${enc(session.id)}`;

  useEffect(() => {
    whoAmI().then(
      (m) => {
        setMe(userOf(m)?.username ?? null);
        setCanSign(userOf(m)?.role === 'invigilator');
      },
      () => setMe(null),
    );
  }, []);
  useEffect(() => {
    if (!ended) return;
    call<RoomLogReply>('GET', `${base}/room-log`).then(setLog, (err) => setProblem(errorText(err)));
    call<SessionReports>('GET', `${base}/reports`).then(setReports, (err) => setProblem(errorText(err)));
  }, [session.id, session.status]);
  if (!ended) return null;

  const refusal = (err: unknown) =>
    err instanceof HttpError ? (t.refusals[err.code] ?? (err.status === 403 ? t.refusals.forbidden! : err.message)) : errorText(err);
  const act = async (run: () => Promise<RoomLogReply>) => {
    setBusy(true);
    setProblem(null);
    try {
      setLog(await run());
      return true;
    } catch (err) {
      setProblem(refusal(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel records" data-testid="records-panel">
      <h2>{t.title}</h2>
      {log && (
        <p class="note" data-testid="room-log-state" data-state={log.state}>
          {t.counts({
            roster: log.log.checkIn.roster,
            admitted: log.log.checkIn.admitted,
            absent: log.log.checkIn.absent,
            incidents: log.log.incidents.length,
            overrides: log.log.overrides.length,
          })}
          <br />
          {log.state === 'signed' ? t.signed(log.signatures.length) : t.open}
          {log.state === 'signed' && <small class="sha"> SHA-256 {log.sha256?.slice(0, 16)}…</small>}
        </p>
      )}
      <div class="records-actions">
        {asking ? (
          <span class="confirm" role="alertdialog">
            {t.confirm}{' '}
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => act(() => call('POST', `${base}/room-log/sign-off`, {})).then(() => setAsking(false))}
            >
              {t.confirmYes}
            </button>
            <button type="button" disabled={busy} onClick={() => setAsking(false)}>
              {t.cancel}
            </button>
          </span>
        ) : log?.signatures.some((x) => x.username === me) ? (
          <span class="note">{t.youSigned}</span>
        ) : canSign ? (
          // A second invigilator co-signs the text the first one froze.
          <button type="button" data-testid="sign-off" disabled={busy || !log} onClick={() => setAsking(true)}>
            {log?.state === 'signed' ? t.coSign : t.signOff}
          </button>
        ) : null}
        <a href={`${base}/results.pdf`} target="_blank" rel="noopener">
          {t.resultsSheet}
        </a>
        <a href={`${base}/room-log.pdf`} target="_blank" rel="noopener">
          {t.roomLogPdf}
        </a>
      </div>
      <form
        class="records-note"
        onSubmit={(e) => {
          e.preventDefault();
          if (!note.trim()) return;
          void act(() => call('POST', `${base}/room-log/notes`, { text: note.trim() })).then((ok) => ok && setNote(''));
        }}
      >
        <input value={note} maxLength={2000} placeholder={t.notePlaceholder} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy || !note.trim()}>
          {t.addNote}
        </button>
      </form>
      {problem && <p class="error">{problem}</p>}
      {log && log.notes.length > 0 && (
        <ul class="records-notes">
          {log.notes.map((n) => (
            <li key={n.id}>
              {w.time(n.at).slice(0, 5)} {n.author.displayName}: {n.text}
              {n.afterSignOff && <small> {t.appended}</small>}
            </li>
          ))}
        </ul>
      )}
      {reports && (
        <details>
          <summary>
            {t.reports} ({reports.candidates.length})
          </summary>
          <ul class="records-reports">
            {reports.candidates.map((c) => (
              <li key={c.ticketNo}>
                <a href={c.reportUrl} target="_blank" rel="noopener">
                  {c.seat ?? '—'} {c.name}
                </a>{' '}
                <small>{c.score === null ? (c.rosterStatus === 'absent' ? t.absent : t.notGraded) : `${c.score} ${c.passed ? t.pass : t.fail}`}</small>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
