// The parts of a training class's file (一期一档): the plan and timetable, the teachers, the roster with
// its photos, every sign-in attempt with its live capture, the sign-in events and the 班主任's
// corrections, the credited hours, the district report, the ratings summary, the class's exam sessions
// and the video index of every lesson. Each part reads; none writes. Photos and captures go in as stored
// (sealed face images stay sealed; the manifest flags them), so checking the file never needs the face key.
import { extname, join, resolve, sep } from 'node:path';
import { jsonMember, mediaFileMember, storedFileMember, type ArchiveMember, type DocumentPart, type PartContext } from '../../documents/index.ts';
import type { Config } from '../../config/index.ts';
import { createMediaReader, type DataPaths, type Db, type MediaReader } from '../../storage/index.ts';
import type { ExamService } from '../../exam/index.ts';
import type { TrainingFacts } from '../report/facts.ts';
import type { DistrictReports } from '../report/service.ts';
import { renderReportPdf, renderReportXlsx } from '../report/documents.ts';
import type { Ratings } from '../ratings/service.ts';

export interface ClassPartContext extends PartContext {
  classId: string;
}
export type ClassArchivePart = DocumentPart<ClassPartContext>;

export interface ClassPartsDeps {
  db: Db;
  config: Config;
  paths: DataPaths;
  facts: TrainingFacts;
  reports: DistrictReports;
  ratings: Ratings;
  /** The exam engine, for the class's sessions; absent where no exam service is built (then named as not read). */
  exam?: ExamService;
  /** Opens recorded segments wherever they live (storage/media-reader); absent = the media folder only. */
  mediaFiles?: MediaReader;
}

const safeName = (s: string) => s.replace(/[^\p{L}\p{N}._-]/gu, '_');
const extOf = (file: string | null) => (file ? extname(file) || '.bin' : '.bin').toLowerCase();

export function classArchiveParts(deps: ClassPartsDeps): ClassArchivePart[] {
  const { db, config, paths, facts } = deps;
  // The CLI has no store client: it reads the local media folder only.
  const mediaFiles = deps.mediaFiles ?? createMediaReader({ mediaDir: paths.media, cacheDir: join(paths.root, 'cache', 'media-read-cli') });

  const plan: ClassArchivePart = {
    id: 'class',
    title: 'Training plan and timetable (培训计划及课程表): the class, its rule, 班主任, every lesson with its teacher and 学时',
    *members({ classId }) {
      const d = facts.detail(classId);
      yield jsonMember('class/class.json', {
        ...d.class,
        problems: d.problems,
        site: { id: config.site.id, name: config.site.name, timezone: config.site.timezone },
      });
      yield jsonMember('class/timetable.json', d.lessons);
    },
  };

  const teachers: ClassArchivePart = {
    id: 'teachers',
    title: 'The teachers of the class (name, title, qualification, 注册安全工程师)',
    *members({ classId }) {
      const ids = [...new Set(facts.detail(classId).lessons.flatMap((l) => (l.teacherId ? [l.teacherId] : [])))];
      const rows = ids.map((id) =>
        db
          .prepare(
            'SELECT id, name, title, qualification, registered_safety_engineer AS registeredSafetyEngineer, retired_at AS retiredAt FROM training_teachers WHERE id = ?',
          )
          .get(id),
      );
      yield jsonMember('teachers/teachers.json', rows);
    },
  };

  const roster: ClassArchivePart = {
    id: 'roster',
    title: 'Roster with the members’ photos (sealed as stored)',
    *members({ classId }) {
      const rows = db
        .prepare('SELECT id_number AS idNumber, name, employer, photo, added_at AS addedAt FROM training_members WHERE class_id = ? ORDER BY id_number')
        .all(classId) as { idNumber: string; name: string; employer: string | null; photo: string | null; addedAt: number }[];
      const photos: ArchiveMember[] = [];
      const out = rows.map((m) => {
        const f = storedFileMember(paths.captures, m.photo, `roster/photos/${safeName(m.idNumber)}${extOf(m.photo)}`);
        if (f) photos.push(f.member);
        return { ...m, photo: f ? f.member.path : null, photoMissing: m.photo !== null && !f };
      });
      yield jsonMember('roster/roster.json', out);
      yield* photos;
    },
  };

  const signIn: ClassArchivePart = {
    id: 'sign-in',
    title: 'Sign-in record (学员签到记录): every kiosk attempt with its live capture and result, the sign-in events, the 班主任’s corrections',
    async *members({ classId }) {
      const { identityChecksOfClass } = await import('../../kiosk/index.ts');
      const captures: ArchiveMember[] = [];
      const attempts = identityChecksOfClass(db, classId).map((a) => {
        const f = storedFileMember(paths.captures, a.capture, `sign-in/captures/${safeName(a.id)}${extOf(a.capture)}`);
        if (f) captures.push(f.member);
        return {
          id: a.id,
          kioskId: a.kioskId,
          idNumber: a.idNumber,
          action: a.action,
          source: a.source,
          startedAt: a.startedAt,
          decidedAt: a.decidedAt,
          decision: a.decision,
          reason: a.reason,
          detail: a.detail,
          liveness: a.liveness,
          distance: a.distance,
          threshold: a.threshold,
          capture: f ? f.member.path : null,
          overrideBy: a.overrideBy,
          overrideReason: a.overrideReason,
          captureMissing: a.capture !== null && !f,
        };
      });
      yield jsonMember('sign-in/attempts.json', attempts);
      yield jsonMember(
        'sign-in/events.json',
        db
          .prepare(
            'SELECT id, lesson_id AS lessonId, id_number AS idNumber, kind, at, attempt_id AS attemptId, via, actor FROM training_events WHERE class_id = ? ORDER BY at, id',
          )
          .all(classId),
      );
      yield jsonMember(
        'sign-in/corrections.json',
        db
          .prepare(
            'SELECT id, lesson_id AS lessonId, id_number AS idNumber, kind, in_at AS inAt, out_at AS outAt, reason, actor, at FROM training_corrections WHERE class_id = ? ORDER BY id',
          )
          .all(classId),
      );
      yield* captures;
    },
  };

  const hours: ClassArchivePart = {
    id: 'hours',
    title: 'Credited hours per trainee per lesson and for the class',
    *members({ classId }) {
      yield jsonMember('hours/hours.json', facts.hours(classId));
    },
  };

  const report: ClassArchivePart = {
    id: 'report',
    title: 'The district report: as signed by the 班主任 (byte for byte), with its notes, as PDF and .xlsx',
    async *members({ classId, now }) {
      const r = deps.reports.get(classId);
      const frozen = deps.reports.frozenText(classId);
      // The text whose SHA-256 the sign-off recorded and audited; only once signed.
      if (frozen) yield { path: 'report/report.signed.json', source: Buffer.from(frozen.text, 'utf8') };
      yield jsonMember('report/report.json', r);
      yield { path: 'report/report.pdf', source: await renderReportPdf(r, { timezone: config.site.timezone, now }) };
      yield { path: 'report/report.xlsx', source: await renderReportXlsx(r, { timezone: config.site.timezone, now }) };
    },
  };

  const ratings: ClassArchivePart = {
    id: 'ratings',
    title: 'Teacher ratings: per-teacher figures and comments, no rater named',
    *members({ classId }) {
      yield jsonMember('ratings/summary.json', deps.ratings.ofClass(classId));
    },
  };

  const exams: ClassArchivePart = {
    id: 'exam',
    title: 'The exam sessions of the class: each session, its figures, the class members’ results and the session’s own archive (manifest SHA-256)',
    *members({ classId }) {
      const d = facts.detail(classId);
      const exam = deps.exam;
      const members = new Set(facts.hours(classId).members.map((m) => m.idNumber));
      const sessions = d.sessions.map((id) => {
        if (!exam) return { id, read: false };
        const s = exam.plans.session(id);
        return {
          id: s.id,
          planId: s.planId,
          template: s.template.name,
          roomId: s.roomId,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          status: s.status,
          summary: exam.plans.sessionSummary(s.id),
          archive: exam.plans.latestArchive(s.id),
          candidates: exam.plans
            .roster(s.id)
            .filter((e) => members.has(e.idNumber))
            .map((e) => {
              const r = exam.plans.resultOf(s.id, e.idNumber);
              return {
                idNumber: e.idNumber,
                name: e.name,
                ticketNo: e.ticketNo,
                status: e.status,
                result: r ? { score: r.score, total: r.total, passed: r.passed, gradedAt: r.gradedAt } : null,
              };
            }),
        };
      });
      yield jsonMember('exam/sessions.json', sessions);
    },
  };

  const video: ClassArchivePart = {
    id: 'video-index',
    title: 'Video index (培训过程影像资料): every recorded segment of each lesson’s room, with SHA-256 and gaps',
    async *members(ctx) {
      const { recordedSources, segmentIndexOf, GAP_TOLERANCE_MS } = await import('../../media/index.ts');
      const d = facts.detail(ctx.classId);
      const mediaRoot = resolve(paths.media);
      const all = recordedSources(config);
      const lessons = [];
      for (const l of d.lessons.filter((x) => !x.cancelled)) {
        ctx.signal?.throwIfAborted();
        const start = Date.parse(l.startsAt);
        const end = Math.min(Date.parse(l.endsAt), ctx.now);
        const sources = [];
        for (const src of all.filter((s) => l.roomId !== null && s.room === l.roomId)) {
          const { segments, outages, gaps } = segmentIndexOf(db, src.id, start, end);
          const rows = segments.map((seg) => {
            const file = resolve(mediaRoot, seg.path);
            // On disk, or tiered to the object store: either way it goes in (read through the media reader).
            const onDisk = ctx.withMedia && file.startsWith(mediaRoot + sep) && mediaFiles.exists(seg.path);
            return {
              id: seg.id,
              start: seg.start,
              end: seg.end,
              bytes: seg.bytes,
              path: seg.path,
              sha256: seg.sha256,
              recovered: seg.recovered,
              ...(ctx.withMedia ? { archived: onDisk ? `video-index/media/${safeName(src.id)}/${safeName(seg.path.split('/').pop()!)}` : null } : {}),
            };
          });
          sources.push({ id: src.id, name: src.name, kind: src.kind, segments: rows, gaps, outages });
          if (ctx.withMedia) for (const r of rows) if (r.archived) yield mediaFileMember(mediaFiles, r.path, r.archived, r.end);
        }
        yield jsonMember(`video-index/${safeName(l.id)}.json`, {
          lesson: { id: l.id, day: l.day, topic: l.topic, roomId: l.roomId },
          window: { start, end },
          sources,
        });
        lessons.push({
          lessonId: l.id,
          day: l.day,
          topic: l.topic,
          roomId: l.roomId,
          window: { start, end },
          sources: sources.map((s) => ({
            id: s.id,
            segments: s.segments.length,
            bytes: s.segments.reduce((n, r) => n + r.bytes, 0),
            withoutSha256: s.segments.filter((r) => r.sha256 === null).length,
            gaps: s.gaps.length,
            gapMs: s.gaps.reduce((n, g) => n + (g.end - g.start), 0),
          })),
        });
      }
      yield jsonMember('video-index/index.json', {
        gapToleranceMs: GAP_TOLERANCE_MS,
        withMedia: ctx.withMedia,
        note: 'segments stay in the media folder under media retention; with --with-media the files are in media/ inside this archive',
        lessons,
      });
    },
  };

  return [plan, teachers, roster, signIn, hours, report, ratings, exams, video];
}
