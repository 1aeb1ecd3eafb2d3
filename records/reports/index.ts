// Score reports (成绩单), the results sheet (成绩汇总表) and the room log (考场记录) with its sign-off:
// the part of records that turns an ended session into documents people print and sign. It reads the
// other modules through their index.ts and writes only its own room-log tables.
import { localDate } from '../../core/index.ts';
import { faceVaultOr } from '../../storage/index.ts';
import type { ArchivePart } from '../archive-parts.ts';
import type { RecordsDeps } from '../service.ts';
import type { SessionReports } from '../protocol.ts';
import { actorNamer, assertEnded, findCandidate, loadViews, sessionFacts } from './gather.ts';
import { renderScoreReport } from './score-report.ts';
import { renderResultsSheet, resultsSheetOf } from './results-sheet.ts';
import { renderRoomLog } from './room-log-pdf.ts';
import { createRoomLogs } from './room-log.ts';

export function createReports(deps: RecordsDeps) {
  const { clock, config, paths } = deps;
  const roomLogs = createRoomLogs(deps);
  const base = (sessionId: string) => `/api/records/sessions/${encodeURIComponent(sessionId)}`;

  const reports = {
    roomLogs,

    /** One candidate's score report; `candidate` is a ticket or an ID number. Only once the session has ended. */
    async scoreReport(sessionId: string, candidate: string, opts: { photos?: boolean } = {}) {
      const f = sessionFacts(deps, await loadViews(), sessionId);
      assertEnded(f.session, 'score reports are printed');
      const entry = findCandidate(f, candidate);
      const pdf = await renderScoreReport(f, entry.idNumber, {
        capturesDir: paths.captures,
        faceVault: faceVaultOr(deps.faceVault, deps.config.paths.keys),
        now: clock.now(),
        names: actorNamer(deps),
        ...opts,
      });
      return { pdf, entry, session: f.session };
    },

    async resultsSheet(sessionId: string) {
      const f = sessionFacts(deps, await loadViews(), sessionId);
      assertEnded(f.session, 'the results sheet is printed');
      return { pdf: await renderResultsSheet(f, clock.now()), session: f.session, sheet: resultsSheetOf(f) };
    },

    async roomLogPdf(sessionId: string) {
      const reply = await roomLogs.get(sessionId);
      return { pdf: await renderRoomLog(reply, config.site.timezone, clock.now()), reply };
    },

    /** Where a session's documents are, for the console's panel. */
    async index(sessionId: string): Promise<SessionReports> {
      const f = sessionFacts(deps, await loadViews(), sessionId);
      return {
        sessionId: f.session.id,
        status: f.session.status,
        resultsSheetUrl: `${base(f.session.id)}/results.pdf`,
        roomLogPdfUrl: `${base(f.session.id)}/room-log.pdf`,
        candidates: [...f.roster]
          .sort((a, b) => (a.seat ?? '\uffff').localeCompare(b.seat ?? '\uffff', undefined, { numeric: true }) || a.ticketNo.localeCompare(b.ticketNo))
          .map((e) => {
            const r = f.results.get(e.idNumber);
            return {
              ticketNo: e.ticketNo,
              name: e.name,
              seat: e.seat,
              rosterStatus: e.status,
              score: r ? r.score : null,
              passed: r ? r.passed : null,
              reportUrl: `${base(f.session.id)}/candidates/${encodeURIComponent(e.ticketNo)}/report.pdf`,
            };
          }),
      };
    },

    /** The session archive's parts this module owns (records/archive-parts.ts). */
    archiveParts(): ArchivePart[] {
      return [
        {
          id: 'results-sheet',
          title: '成绩汇总表 results sheet (PDF and JSON)',
          async *members({ sessionId, now }) {
            const { pdf, sheet, session } = await reports.resultsSheet(sessionId);
            yield { path: 'results-sheet/results-sheet.pdf', source: pdf, mtime: now };
            yield {
              path: 'results-sheet/results-sheet.json',
              source: Buffer.from(JSON.stringify({ sessionId: session.id, date: localDate(session.startsAt, config.site.timezone), ...sheet }, null, 2)),
              mtime: now,
            };
          },
        },
        {
          id: 'room-log',
          title: '考场记录 room log: the signed JSON exactly as hashed (or the live log when unsigned), notes, and the PDF',
          async *members({ sessionId, now }) {
            const frozen = roomLogs.frozenText(sessionId);
            const reply = await roomLogs.get(sessionId);
            // The frozen text byte for byte: its SHA-256 is the one the sign-off recorded and audited.
            if (frozen) yield { path: 'room-log/room-log.signed.json', source: Buffer.from(frozen.text, 'utf8'), mtime: now };
            yield { path: 'room-log/room-log.json', source: Buffer.from(JSON.stringify(reply, null, 2)), mtime: now };
            yield { path: 'room-log/room-log.pdf', source: (await reports.roomLogPdf(sessionId)).pdf, mtime: now };
          },
        },
        {
          id: 'score-reports',
          title: '成绩单 score reports, one PDF per candidate (photos are in the encrypted parts, not here)',
          async *members({ sessionId, now, signal }) {
            const f = sessionFacts(deps, await loadViews(), sessionId);
            assertEnded(f.session, 'score reports are archived');
            const names = actorNamer(deps);
            for (const e of f.roster) {
              signal?.throwIfAborted();
              const pdf = await renderScoreReport(f, e.idNumber, {
                capturesDir: paths.captures,
                faceVault: faceVaultOr(deps.faceVault, deps.config.paths.keys),
                now,
                names,
                photos: false,
              });
              yield { path: `score-reports/${e.ticketNo.replace(/[^A-Za-z0-9_-]/g, '_')}.pdf`, source: pdf, mtime: now };
            }
          },
        },
      ];
    },
  };
  return reports;
}

export type Reports = ReturnType<typeof createReports>;
