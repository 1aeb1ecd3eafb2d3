// The core parts of a session archive (一期一档): what the exam, kiosk, terminal, proctor and media
// modules recorded about one session, read through their index.ts (loaded when an archive is made,
// so a CLI command that makes none never pays for them) and written as JSON beside the photos,
// captures and, with --with-media, the recorded segments. A file that is gone (a capture past its
// retention) is named in the JSON as missing, never silently dropped.
import { basename, extname, join, resolve, sep } from 'node:path';
import { jsonMember, mediaFileMember, storedFileMember, type ArchiveMember } from '../../documents/index.ts';
import { createMediaReader } from '../../storage/index.ts';
import type { ArchivePart, ArchivePartContext } from '../archive-parts.ts';
import type { RecordsDeps } from '../service.ts';

/** A stored file under `root` as a member, or null when it is missing (documents/part-archive.ts). */
const fileMember = storedFileMember;

/** A member file name from something stored: its extension kept, the rest made safe for a zip path. */
const isUnder = (root: string, file: string) => file.startsWith(root + sep);
const safeName = (s: string) => s.replace(/[^\p{L}\p{N}._-]/gu, '_');
const extOf = (file: string) => (extname(file) || '.bin').toLowerCase();

export function coreArchiveParts(deps: RecordsDeps): ArchivePart[] {
  const { db, exam, config, paths } = deps;
  // The CLI's records have no store client: they read the local media folder only.
  const mediaFiles = deps.mediaFiles ?? createMediaReader({ mediaDir: paths.media, cacheDir: join(paths.root, 'cache', 'media-read-cli') });
  const plans = exam.plans;

  const session: ArchivePart = {
    id: 'session',
    title: 'Exam plan and session (template, times, status, summary)',
    async *members({ sessionId }) {
      const s = plans.session(sessionId);
      const p = plans.plan(s.planId);
      yield jsonMember('session/plan.json', p);
      yield jsonMember('session/session.json', {
        ...s,
        room: config.rooms.find((r) => r.id === s.roomId) ?? null,
        actualTimes: plans.sessionTimes(s.id),
        recordingWindow: exam.recordingWindows.windowOf(s.id),
        summary: plans.sessionSummary(s.id),
        site: { id: config.site.id, name: config.site.name, timezone: config.site.timezone },
      });
    },
  };

  const roster: ArchivePart = {
    id: 'roster',
    title: 'Roster with the roster photos',
    async *members({ sessionId }) {
      const entries = plans.roster(sessionId);
      const photos: ArchiveMember[] = [];
      const rows = entries.map((e) => {
        const f = fileMember(paths.captures, e.photo, `roster/photos/${safeName(e.ticketNo)}${extOf(e.photo ?? '')}`);
        if (f) photos.push(f.member);
        return { ...e, photo: f ? f.member.path : null, photoMissing: e.photo !== null && !f };
      });
      yield jsonMember('roster/roster.json', rows);
      yield* photos;
    },
  };

  const signIn: ArchivePart = {
    id: 'sign-in',
    title: 'Sign-in record: each kiosk attempt with its live capture, face distance, liveness, decision and override; each face-recognition choice',
    async *members({ sessionId }) {
      const { identityChecksOfSession } = await import('../../kiosk/index.ts');
      const ticket = new Map(plans.roster(sessionId).map((e) => [e.idNumber, e.ticketNo]));
      const captures: ArchiveMember[] = [];
      const rows = identityChecksOfSession(db, sessionId).map((a) => {
        const f = fileMember(paths.captures, a.capture, `sign-in/captures/${safeName(a.id)}${extOf(a.capture ?? '')}`);
        if (f) captures.push(f.member);
        // The reference photos are the roster's (roster/photos/) and the card's; their stored paths mean nothing outside this site.
        // Named one by one, in this order: attempts.json's members are part of the archive's format.
        return {
          id: a.id,
          kioskId: a.kioskId,
          idNumber: a.idNumber,
          source: a.source,
          startedAt: a.startedAt,
          decidedAt: a.decidedAt,
          decision: a.decision,
          reason: a.reason,
          detail: a.detail,
          liveness: a.liveness,
          distance: a.distance,
          cardDistance: a.cardDistance,
          threshold: a.threshold,
          seat: a.seat,
          capture: f ? f.member.path : null,
          overrideBy: a.overrideBy,
          overrideReason: a.overrideReason,
          ticketNo: ticket.get(a.idNumber) ?? null,
          cardPhotoRead: a.cardPhoto !== null,
          captureMissing: a.capture !== null && !f,
        };
      });
      yield jsonMember('sign-in/attempts.json', rows);
      // Issue 23: each candidate's face-recognition choice in force (a decline means staff checked them by eye).
      const { consentAtSeat } = await import('../../terminal/index.ts');
      yield jsonMember(
        'sign-in/face-consents.json',
        plans.roster(sessionId).flatMap((e) => {
          const c = consentAtSeat(db, sessionId, e.idNumber);
          return c ? [{ idNumber: e.idNumber, ticketNo: e.ticketNo, decision: c.decision, decidedAt: c.decidedAt, noticeVersion: c.noticeVersion }] : [];
        }),
      );
      yield* captures;
    },
  };

  const seats: ArchivePart = {
    id: 'seats',
    title: 'Seat map: the room, its terminals and cameras, who sat where',
    async *members({ sessionId }) {
      const s = plans.session(sessionId);
      const room = config.rooms.find((r) => r.id === s.roomId);
      const bySeat = new Map(plans.roster(sessionId).flatMap((e) => (e.seat ? [[e.seat, e] as const] : [])));
      const terminals = config.terminals.filter((t) => t.room === s.roomId);
      const seatIds = room ? Array.from({ length: room.seats.rows * room.seats.columns }, (_, i) => String(i + 1).padStart(2, '0')) : [...bySeat.keys()].sort();
      yield jsonMember('seats/seat-map.json', {
        room: room ?? { id: s.roomId, name: s.roomId, seats: null },
        cameras: config.cameras.filter((c) => c.room === s.roomId).map((c) => ({ id: c.id, name: c.name })),
        seats: seatIds.map((seat) => {
          const e = bySeat.get(seat);
          return {
            seat,
            terminalId: terminals.find((t) => t.seat === seat)?.id ?? null,
            candidate: e ? { ticketNo: e.ticketNo, idNumber: e.idNumber, name: e.name, status: e.status } : null,
          };
        }),
        unseated: plans
          .roster(sessionId)
          .filter((e) => !e.seat)
          .map((e) => ({ ticketNo: e.ticketNo, idNumber: e.idNumber, name: e.name, status: e.status })),
      });
    },
  };

  const papers: ArchivePart = {
    id: 'papers',
    title: "Every candidate's paper with their answers, per-question marks and score",
    async *members({ sessionId, signal }) {
      const { deliver } = await import('../../exam/index.ts');
      const { sessionAnswers, sessionAttempt } = await import('../../terminal/index.ts');
      const s = plans.session(sessionId);
      for (const e of plans.roster(sessionId)) {
        signal?.throwIfAborted();
        const paper = plans.paperStore.forCandidate(sessionId, e.idNumber);
        const result = plans.resultOf(sessionId, e.idNumber);
        const answers = new Map(sessionAnswers(db, sessionId, e.idNumber).map((a) => [a.no, a]));
        const perItem = new Map(
          ((result?.breakdown as { perItem?: { no: number; earned: number; max: number; correct: boolean }[] } | null)?.perItem ?? []).map((x) => [x.no, x]),
        );
        let questions: unknown[] = [];
        if (paper) {
          const bank = exam.bank.questionsByIds(paper.items.map((i) => i.questionId));
          const shown = deliver(paper.items, bank);
          questions = paper.items.map((item, i) => {
            const no = i + 1;
            const a = answers.get(no);
            const mark = perItem.get(no);
            return {
              no,
              questionId: item.questionId,
              type: item.type,
              knowledgePoint: item.knowledgePoint,
              stem: shown[i]?.stem ?? null,
              options: shown[i]?.options ?? null,
              key: item.key,
              answer: a?.choice ?? null,
              answeredAt: a?.savedAt ?? null,
              earned: mark?.earned ?? null,
              max: item.score,
              correct: mark?.correct ?? null,
            };
          });
        }
        yield jsonMember(`papers/${safeName(e.ticketNo)}.json`, {
          candidate: { ticketNo: e.ticketNo, idNumber: e.idNumber, name: e.name, seat: e.seat, status: e.status, attempt: e.attempt },
          exam: { templateId: s.templateId, name: s.template.name, total: s.template.total, passMark: s.template.passMark },
          paper: paper
            ? { id: paper.id, bankVersion: paper.bankVersion, templateId: paper.templateId, seed: paper.seed, generatedAt: paper.generatedAt }
            : null,
          terminal: sessionAttempt(db, sessionId, e.idNumber),
          result: result
            ? {
                score: result.score,
                total: result.total,
                passed: result.passed,
                attempt: result.attempt,
                gradedAt: result.gradedAt,
                validUntil: result.validUntil,
              }
            : null,
          questions,
        });
      }
    },
  };

  const incidents: ArchivePart = {
    id: 'incidents',
    title: 'Incidents (违纪) the invigilators recorded, the alerts with what was decided on each, seat confirmations by eye',
    async *members({ sessionId }) {
      const { sessionAlerts, sessionIncidents, seatConfirmationsOfSession } = await import('../../proctor/index.ts');
      yield jsonMember('incidents/incidents.json', sessionIncidents(db, sessionId));
      yield jsonMember('incidents/alerts.json', sessionAlerts(db, sessionId));
      // The invigilators' seat confirmations, by eye, of candidates who declined face recognition.
      yield jsonMember('incidents/seat-confirmations.json', seatConfirmationsOfSession(db, sessionId));
    },
  };

  const integrity: ArchivePart = {
    id: 'integrity',
    title: 'Terminal integrity events: incidents, seat re-check snapshots, moves, pauses and added time',
    async *members({ sessionId }) {
      const { sessionIntegrity } = await import('../../terminal/index.ts');
      const r = sessionIntegrity(db, sessionId);
      const images: ArchiveMember[] = [];
      const snapshots = r.snapshots.map((x) => {
        const f = fileMember(paths.captures, x.file, `integrity/snapshots/${safeName(x.id)}${extOf(x.file)}`);
        if (f) images.push(f.member);
        return { ...x, file: f ? f.member.path : null, fileMissing: !f };
      });
      yield jsonMember('integrity/terminal-incidents.json', r.incidents);
      yield jsonMember('integrity/snapshots.json', snapshots);
      yield jsonMember('integrity/moves.json', r.moves);
      yield jsonMember('integrity/pauses.json', r.pauses);
      yield jsonMember('integrity/time-added.json', r.timeAdded);
      yield* images;
    },
  };

  const videoIndex: ArchivePart = {
    id: 'video-index',
    title: "Video index: every recorded segment of the room's cameras and screens in the session's recording window, with SHA-256 and gaps",
    async *members(ctx: ArchivePartContext) {
      const { recordedSources, segmentIndexOf, GAP_TOLERANCE_MS } = await import('../../media/index.ts');
      const s = plans.session(ctx.sessionId);
      const w = exam.recordingWindows.windowOf(ctx.sessionId);
      // A session still open has no end yet; the archive is made after grading, but be exact about it.
      const end = w.end ?? ctx.now;
      const bySeat = new Map(plans.roster(ctx.sessionId).flatMap((e) => (e.seat ? [[e.seat, e] as const] : [])));
      const sources = recordedSources(config).filter((x) => x.room === s.roomId);
      const summary = [];
      const mediaRoot = resolve(paths.media);
      for (const src of sources) {
        ctx.signal?.throwIfAborted();
        const { segments, outages, gaps } = segmentIndexOf(db, src.id, w.start, end);
        const candidate = src.seat ? bySeat.get(src.seat) : undefined;
        const rows = segments.map((seg) => {
          // Looked at only when the files go in: a stat per segment is most of the work for 2-s segments.
          // On disk, or tiered to the object store: either way it goes in (read through the media reader).
          const onDisk = ctx.withMedia && isUnder(mediaRoot, resolve(mediaRoot, seg.path)) && mediaFiles.exists(seg.path);
          return {
            id: seg.id,
            start: seg.start,
            end: seg.end,
            bytes: seg.bytes,
            path: seg.path,
            sha256: seg.sha256,
            recovered: seg.recovered,
            ...(ctx.withMedia ? { archived: onDisk ? `video-index/media/${safeName(src.id)}/${safeName(basename(seg.path))}` : null } : {}),
          };
        });
        const source = {
          id: src.id,
          name: src.name,
          kind: src.kind,
          terminalId: src.terminalId,
          seat: src.seat,
          candidate: candidate ? { ticketNo: candidate.ticketNo, idNumber: candidate.idNumber, name: candidate.name } : null,
        };
        yield jsonMember(`video-index/${safeName(src.id)}.json`, {
          source,
          window: { start: w.start, end },
          segments: rows,
          gaps,
          outages,
        });
        summary.push({
          ...source,
          segments: rows.length,
          bytes: rows.reduce((n, r) => n + r.bytes, 0),
          withoutSha256: rows.filter((r) => r.sha256 === null).length,
          // --with-media: segments indexed whose file is no longer on disk (swept, or lost) are not in the archive.
          ...(ctx.withMedia ? { filesMissing: rows.filter((r) => !r.archived).length } : {}),
          gaps: gaps.length,
          gapMs: gaps.reduce((n, g) => n + (g.end - g.start), 0),
        });
        if (ctx.withMedia)
          for (const r of rows) {
            if (!r.archived) continue;
            yield mediaFileMember(mediaFiles, r.path, r.archived, r.end);
          }
      }
      yield jsonMember('video-index/index.json', {
        window: { start: w.start, end },
        gapToleranceMs: GAP_TOLERANCE_MS,
        withMedia: ctx.withMedia,
        note: 'segments stay in the media folder under media retention; with --with-media the files are in media/ inside this archive',
        sources: summary,
      });
    },
  };

  return [session, roster, signIn, seats, papers, incidents, integrity, videoIndex];
}
