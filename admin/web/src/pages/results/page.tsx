// The results page: pick a session (graded and archived first; #/results?session=ID), then its results
// with each score report, the results sheet and room log, the certificates issued, the session archive
// and the reporting status; the statistics app is a link away.
import { useEffect, useState } from 'preact/hooks';
import type { SessionReports } from '../../../../../records/protocol.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import { replaceParams } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import { api, orderSessions, type SessionItem } from './api.ts';
import { SessionArchive } from './archive.tsx';
import { Certificates } from './certificates.tsx';
import { SessionDocuments } from './documents.tsx';
import { refusal } from './refusal.ts';
import { ReportingStatus } from './reporting.tsx';
import { ResultsTable } from './results-table.tsx';
import { resultsWords } from './words.ts';
import './styles.css';

const site = siteClock('Asia/Shanghai');

export function ResultsPage({ lang, route }: PageProps) {
  const w = resultsWords[lang];
  const [sessions, setSessions] = useState<SessionItem[] | null>(null);
  const [timezone, setTimezone] = useState<string | null>(null);
  const [reports, setReports] = useState<SessionReports | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadSessions = () =>
    api.sessions().then(
      (s) => setSessions(orderSessions(s)),
      (err: unknown) => setError(w.loadFailed(refusal(err, lang))),
    );
  useEffect(() => {
    api.site().then(
      (x) => {
        site.setTimeZone(x.site.timezone);
        setTimezone(x.site.timezone);
      },
      () => {},
    );
    void loadSessions();
  }, []);
  const picked = route.params.get('session') ?? '';
  const session = sessions?.find((s) => s.id === picked) ?? null;
  useEffect(() => {
    setReports(null);
    if (session) api.reports(session.id).then(setReports, () => setReports(null));
  }, [session?.id, session?.status]);
  const label = (s: SessionItem) =>
    `${site.format(Date.parse(s.startsAt), lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })} · ${s.roomName} · ${s.templateName} · ${w.status[s.status] ?? s.status}`;
  return (
    <div class="results-page" data-testid="page-results">
      <section class="panel session-pick">
        <label>
          {w.session}{' '}
          <select
            name="session"
            value={picked}
            onChange={(e) => replaceParams({ session: (e.target as HTMLSelectElement).value || undefined })}
            data-testid="session-picker"
          >
            <option value="">{sessions?.length === 0 ? w.noSessions : w.pick}</option>
            {sessions?.map((s) => (
              <option key={s.id} value={s.id}>
                {label(s)}
              </option>
            ))}
          </select>
        </label>
        <a class="statistics" href={`/records/${lang === 'en' ? '?lang=en' : ''}`} data-testid="statistics-link">
          {w.statistics}
        </a>
        {error && <p class="error">{error}</p>}
      </section>
      {session && (
        <div class="session-parts" data-session={session.id} data-status={session.status}>
          <ResultsTable lang={lang} session={session} reports={reports} />
          <div class="side-by-side">
            <SessionDocuments lang={lang} sessionId={session.id} reports={reports} />
            <ReportingStatus lang={lang} sessionId={session.id} />
          </div>
          <Certificates lang={lang} sessionId={session.id} timezone={timezone} />
          <SessionArchive lang={lang} session={session} timezone={timezone} onChange={() => void loadSessions()} />
        </div>
      )}
    </div>
  );
}
