// One session on the plans page: import its roster (a file, or a zip with the photos; every bad row in a
// table), the roster with photo thumbnails and the kiosk's enrolment verdicts, seats (draw, move one),
// the seat list and admission tickets as PDFs, and its papers generated as a server job whose progress
// the page follows (and finds again after a reload).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ADMISSION_TICKETS_PATH, PAPERS_JOB_KIND, SEAT_LIST_PATH, type RosterEntryView, type SessionView } from '../../../../../exam/protocol.ts';
import { useJob } from '../../../../../web/job.ts';
import type { Lang } from '../../../../../web/i18n.ts';
import { problemWords } from '../../problem-words.ts';
import * as api from './api.ts';
import { Failure, Note, StatusBadge, hourMinute, when } from './parts.tsx';
import { plansWords } from './words.ts';
import { AddCandidateForm } from './add-candidate.tsx';

const BEFORE_CHECKIN = ['scheduled', 'papers_ready'];
// One candidate can still move (a terminal failed) until the session ends: exam/plans/seats.ts reseat().
const CAN_RESEAT = [...BEFORE_CHECKIN, 'checkin', 'in_progress'];

export function SessionPanel({ lang, session: s, onChanged }: { lang: Lang; session: SessionView; onChanged: () => void }) {
  const w = plansWords[lang];
  const [entries, setEntries] = useState<RosterEntryView[] | null>(null);
  const [enrolments, setEnrolments] = useState<Map<string, api.Enrolment>>(new Map());
  const [err, setErr] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [papers, setPapers] = useState<number | null>(null);
  const open = BEFORE_CHECKIN.includes(s.status);

  const load = async () => {
    try {
      setEntries(await api.roster(s.id));
      const sum = await api.sessionOf(s.id).catch(() => null);
      setPapers(typeof sum?.summary.papers === 'number' ? sum.summary.papers : null);
      const en = await api.enrolments(s.id).catch(() => []);
      setEnrolments(new Map(en.map((e) => [e.ticketNo, e])));
    } catch (x) {
      setErr(x);
    }
  };
  useEffect(() => {
    void load();
  }, [s.id, s.status]);
  // Enrolment runs in the background after an import: look again while some are pending, and only while
  // the session can still use them (nothing enrols an ended session's photos, so its "pending" never changes).
  useEffect(() => {
    if (!CAN_RESEAT.includes(s.status) || ![...enrolments.values()].some((e) => e.status === 'pending')) return;
    const t = setTimeout(
      () =>
        void api.enrolments(s.id).then(
          (en) => setEnrolments(new Map(en.map((e) => [e.ticketNo, e]))),
          () => {},
        ),
      3000,
    );
    return () => clearTimeout(t);
  }, [enrolments]);

  const changed = () => {
    void load();
    onChanged();
  };
  const seated = entries?.filter((e) => e.seat).length ?? 0;
  const warned = [...enrolments.values()].filter((e) => e.status === 'refused' || e.warnings.length > 0);

  return (
    <section class="panel session-panel" aria-labelledby="session-h" data-testid="session-panel">
      <h3 id="session-h">
        {w.session} {when(s.startsAt, lang)}–{hourMinute(s.endsAt, lang)} · {s.roomName} · {s.templateName} <StatusBadge status={s.status} lang={lang} />
      </h3>
      <p class="muted">
        {w.cols.id}: <code data-testid="session-id">{s.id}</code>
        {s.bankVersion ? ` · ${s.bankVersion}` : ''}
      </p>
      <Failure err={err} lang={lang} />
      {note && <Note testid="session-note">{note}</Note>}

      {open && <RosterImport lang={lang} sessionId={s.id} onImported={changed} />}
      {open && <AddCandidateForm lang={lang} session={s} onAdded={changed} />}

      <div class="session-actions">
        <div class="action-group">
          <h4>{w.seatsTitle}</h4>
          <button
            type="button"
            data-testid="draw-seats"
            disabled={!open || !entries?.length}
            onClick={async () => {
              if (seated > 0 && !window.confirm(w.confirmRedraw)) return;
              try {
                const r = await api.drawSeats(s.id);
                setErr(null);
                setNote(w.seatsDrawn(r.seated));
                changed();
              } catch (x) {
                setErr(x);
              }
            }}
          >
            {seated > 0 ? w.redrawSeats : w.drawSeats}
          </button>
          {entries !== null && (
            <p class="muted small" data-testid="seats-state">
              {w.seatedOf(seated, entries.length)}
            </p>
          )}
          {open && entries?.length === 0 && <p class="muted small why">{w.papersNeedRoster}</p>}
          {!open && (
            <p class="muted small why" data-testid="seats-closed">
              {s.status === 'checkin' || s.status === 'in_progress' ? w.seatsClosedReseatOk(s.status) : w.closedAfter(s.status)}
            </p>
          )}
        </div>
        <div class="action-group">
          <h4>{w.print}</h4>
          <a class="button" href={SEAT_LIST_PATH(s.id, 'pdf')} target="_blank" rel="noopener" data-testid="seat-list-pdf">
            {w.seatListPdf}
          </a>
          {entries?.length && seated === entries.length ? (
            <a class="button" href={ADMISSION_TICKETS_PATH(s.id)} target="_blank" rel="noopener" data-testid="tickets-pdf">
              {w.ticketsPdf}
            </a>
          ) : (
            <span class="muted">{w.ticketsNeedSeats}</span>
          )}
        </div>
        <Papers lang={lang} session={s} hasRoster={Boolean(entries?.length)} papers={papers} onDone={changed} />
      </div>

      <h4>
        {w.rosterTitle}（{entries?.length ?? 0}）
      </h4>
      {warned.length > 0 && (
        <div class="msg warn" role="status" data-testid="enrolment-warnings">
          {w.warningsTitle(warned.length)}
        </div>
      )}
      {entries && entries.length === 0 && <p>{w.rosterEmpty}</p>}
      {entries && entries.length > 0 && (
        <RosterTable
          lang={lang}
          session={s}
          entries={entries}
          enrolments={enrolments}
          open={CAN_RESEAT.includes(s.status)}
          onMoved={(msg) => (setNote(msg), changed())}
        />
      )}
    </section>
  );
}

function RosterImport({ lang, sessionId, onImported }: { lang: Lang; sessionId: string; onImported: () => void }) {
  const w = plansWords[lang];
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return setErr(new Error(w.required(w.chooseFile)));
    setBusy(true);
    setDone(null);
    try {
      const r = await api.importRoster(sessionId, file);
      setErr(null);
      setDone(w.imported(r.added, r.total));
      if (input.current) input.current.value = '';
      onImported();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const problems = err instanceof api.Refused ? err.problems : [];
  return (
    <form class="roster-import" onSubmit={submit} data-testid="roster-import" aria-label={w.importTitle}>
      <h4>{w.importTitle}</h4>
      <p class="muted help">{w.importHelp}</p>
      <div class="inline">
        <label>
          {w.chooseFile}
          <input ref={input} type="file" name="roster" accept=".xlsx,.csv,.json,.zip" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? w.importing : w.importButton}
        </button>
      </div>
      {done && <Note testid="import-done">{done}</Note>}
      {problems.length > 0 ? (
        <div class="msg error" role="alert" data-testid="import-problems">
          <p>{w.refusedTitle(problems.length)}</p>
          <table class="problems">
            <thead>
              <tr>
                <th>{w.problemCols.row}</th>
                <th>{w.problemCols.column}</th>
                <th>{w.problemCols.problem}</th>
                <th>{w.problemCols.got}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p, i) => {
                // "row 3, column 身份证号" from the roster; a file's or zip entry's name otherwise.
                const m = /^row (\d+)(?:, column (.+))?$/.exec(p.path);
                const said = problemWords(p.problem, lang);
                return (
                  <tr key={i}>
                    <td>{m ? m[1] : ''}</td>
                    <td>{m ? (m[2] ?? '') : p.path}</td>
                    <td lang={said.lang} data-server-text={p.problem}>
                      {said.text}
                    </td>
                    <td>{p.got === undefined ? '' : String(p.got)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <Failure err={err} lang={lang} />
      )}
    </form>
  );
}

function RosterTable(props: {
  lang: Lang;
  session: SessionView;
  entries: RosterEntryView[];
  enrolments: Map<string, api.Enrolment>;
  open: boolean;
  onMoved: (note: string) => void;
}) {
  const { lang, session: s, entries, enrolments, open } = props;
  const w = plansWords[lang];
  const [moving, setMoving] = useState<string | null>(null);
  return (
    <table class="roster" data-testid="roster-table">
      <thead>
        <tr>
          <th>{w.rosterCols.photo}</th>
          <th>{w.rosterCols.seat}</th>
          <th>{w.rosterCols.ticket}</th>
          <th>{w.rosterCols.name}</th>
          <th>{w.rosterCols.id}</th>
          <th>{w.rosterCols.institution}</th>
          <th>{w.rosterCols.attempt}</th>
          <th>{w.rosterCols.enrolment}</th>
          <th>{w.rosterCols.actions}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const en = enrolments.get(e.ticketNo);
          // No answer from the kiosk (it failed): unknown, not "pending" for an ended session.
          const state = en?.status ?? (!e.photo ? 'no_photo' : CAN_RESEAT.includes(s.status) ? 'pending' : 'unknown');
          return (
            <tr key={e.idNumber} data-testid={`roster-row-${e.ticketNo}`}>
              <td class="thumb">
                {e.photo ? <img src={api.photoUrl(s.id, e.ticketNo)} alt={e.name} loading="lazy" width={48} height={60} /> : <span class="no-photo">—</span>}
              </td>
              <td class="seat" data-testid="seat">
                {e.seat ?? '—'}
              </td>
              <td>{e.ticketNo}</td>
              <td>{e.name}</td>
              <td class="mono">{e.idNumber}</td>
              <td>{e.institution ?? ''}</td>
              <td>{e.attempt === 2 ? <span class="warn">{w.retake}</span> : w.firstSitting}</td>
              <td class={`enrol e-${state}`} data-testid="enrolment">
                {w.enrolment[state] ?? state}
                {en?.reason && <div class="small">{en.reason}</div>}
                {en && en.warnings.length > 0 && <div class="small warn">{en.warnings.join('；')}</div>}
              </td>
              <td>
                {open && e.seat && moving !== e.idNumber && (
                  <button type="button" class="small-button" onClick={() => setMoving(e.idNumber)} data-testid="move-seat">
                    {w.move}
                  </button>
                )}
                {moving === e.idNumber && (
                  <MoveSeat
                    lang={lang}
                    sessionId={s.id}
                    roomName={s.roomName}
                    entry={e}
                    onDone={(seat) => {
                      setMoving(null);
                      if (seat) props.onMoved(w.moved(e.name, seat));
                    }}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function MoveSeat(props: { lang: Lang; sessionId: string; roomName: string; entry: RosterEntryView; onDone: (seat: string | null) => void }) {
  const { lang, sessionId, roomName, entry, onDone } = props;
  const w = plansWords[lang];
  const [free, setFree] = useState<string[] | null>(null);
  const [seat, setSeat] = useState('');
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api.freeSeats(sessionId).then((f) => {
      setFree(f.free);
      setSeat(f.free[0] ?? '');
    }, setErr);
  }, []);
  return (
    <form
      class="move-seat"
      data-testid="move-seat-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!seat) return;
        try {
          await api.reseat(sessionId, entry.idNumber, seat, reason.trim());
          onDone(seat);
        } catch (x) {
          setErr(x);
        }
      }}
    >
      {free?.length === 0 ? (
        <p class="warn" role="status" data-testid="no-free-seat">
          {w.noFreeSeat(roomName)}
        </p>
      ) : (
        <label>
          {w.moveTo}
          {/* Greyed until the free seats have come: a value read before then would be empty. */}
          <select name="seat" value={seat} disabled={free === null} onChange={(e) => setSeat(e.currentTarget.value)}>
            {(free ?? []).map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {w.reason}
        <input name="reason" maxLength={200} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!seat}>
        {w.save}
      </button>
      <button type="button" onClick={() => onDone(null)}>
        {w.cancel}
      </button>
      <Failure err={err} lang={lang} />
    </form>
  );
}

function Papers(props: { lang: Lang; session: SessionView; hasRoster: boolean; papers: number | null; onDone: () => void }) {
  const { lang, session: s, hasRoster, papers, onDone } = props;
  const w = plansWords[lang];
  const [err, setErr] = useState<unknown>(null);
  const job = useJob(
    PAPERS_JOB_KIND,
    (p) => p.sessionId === s.id,
    () => onDone(),
    s.id,
  );
  const running = job.job !== null;
  const ended = job.ended;
  const result = ended?.status === 'done' ? (ended.result as api.GeneratedPapersView) : null;
  const open = BEFORE_CHECKIN.includes(s.status);
  const pct = job.total ? Math.round((100 * job.done) / job.total) : 0;
  return (
    <div class="action-group papers">
      <h4>{w.papersTitle}</h4>
      {!running && (
        <button
          type="button"
          data-testid="generate-papers"
          disabled={!open || !hasRoster}
          title={hasRoster ? undefined : w.papersNeedRoster}
          onClick={async () => {
            if (s.status === 'papers_ready' && !window.confirm(w.confirmRegenerate)) return;
            try {
              setErr(null);
              job.watch(await api.startPapers(s.id));
            } catch (x) {
              setErr(x);
            }
          }}
        >
          {s.status === 'papers_ready' ? w.regenerate : w.generate}
        </button>
      )}
      {running && (
        <div class="job-progress" data-testid="papers-progress">
          <label>
            {job.job?.status === 'queued' ? w.queued : `${job.note === 'saving' ? w.saving : w.drawing} ${job.done}/${job.total ?? '…'}`}
            <progress max={job.total ?? undefined} value={job.total ? job.done : undefined} aria-valuenow={pct} />
          </label>
          <button type="button" onClick={() => void job.cancel()}>
            {w.cancelJob}
          </button>
        </div>
      )}
      {result && <Note testid="papers-done">{w.papersDone(result.papers, result.bankVersion)}</Note>}
      {/* What is there, in every state: after check-in the button is gone but the papers are not. */}
      {!result && !running && papers !== null && (
        <p class="muted small" data-testid="papers-state">
          {papers > 0 ? w.papersDone(papers, s.bankVersion ?? '—') : w.noPapersYet}
        </p>
      )}
      {!open && !running && (
        <p class="muted small why" data-testid="papers-closed">
          {w.closedAfter(s.status)}
        </p>
      )}
      {open && !hasRoster && !running && <p class="muted small why">{w.papersNeedRoster}</p>}
      {ended && ended.status !== 'done' && (
        <div class="msg error" role="alert" data-testid="papers-failed">
          {w.papersFailed}
          <span lang="en">{ended.error ?? ended.status}</span>
        </div>
      )}
      <Failure err={err} lang={lang} />
    </div>
  );
}
