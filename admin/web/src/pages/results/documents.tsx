// The session's documents: the results sheet (成绩汇总表) and the room log (考场记录) PDFs, with the
// room log's sign-off state (the invigilators sign it in the proctor console; here the office sees it).
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { RoomLogReply, SessionReports } from '../../../../../records/protocol.ts';
import { api } from './api.ts';
import { refusal } from './refusal.ts';
import { resultsWords } from './words.ts';

export function SessionDocuments({ lang, sessionId, reports }: { lang: Lang; sessionId: string; reports: SessionReports | null }) {
  const w = resultsWords[lang];
  const [log, setLog] = useState<RoomLogReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setLog(null);
    api.roomLog(sessionId).then(setLog, (err: unknown) => setError(w.loadFailed(refusal(err, lang))));
  }, [sessionId]);
  return (
    <section class="panel" data-testid="documents">
      <h3>{w.documents}</h3>
      {error && <p class="error">{error}</p>}
      {reports && (
        <ul class="links">
          <li>
            <a href={reports.resultsSheetUrl} target="_blank" rel="noopener" data-testid="results-sheet">
              {w.resultsSheet}
            </a>
          </li>
          <li>
            <a href={reports.roomLogPdfUrl} target="_blank" rel="noopener" data-testid="room-log">
              {w.roomLog}
            </a>
          </li>
        </ul>
      )}
      {log && (
        <p data-testid="room-log-state" data-state={log.state} class={log.state === 'signed' ? 'ok' : 'warn'}>
          {log.state === 'signed'
            ? w.roomLogSigned(log.signatures.map((s) => s.displayName || s.username).join('、'))
            : log.ended
              ? w.roomLogOpen
              : w.roomLogNotEnded}
          {log.notes.length > 0 && ` · ${w.notes(log.notes.length)}`}
        </p>
      )}
    </section>
  );
}
