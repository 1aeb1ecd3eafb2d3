// Results (成绩): one per candidate per session, graded from the stored paper. A pass is valid for the
// months the rules in force give its category and operation item (config `rules:`, 12 by default) from
// grading; the attempt number (1, or 2 for a retake) comes from the roster.
// The person file (一人一档) and the session summary read from here.
import { Conflict, NotFound, newId, addMonths } from '../../core/index.ts';
import { ruleFor } from '../../config/index.ts';
import { gradePaper } from '../papers/grade.ts';
import type { AnswerSheet, GradeResult } from '../types.ts';
import { ROSTER_COLS, toResult, type ExamSession, type PlansDeps, type ResultRecord, type ResultRow, type RosterEntry, type SessionStatus } from './model.ts';
import type { Plans } from './plans.ts';
import type { Roster } from './roster.ts';
import type { SessionPapers } from './session-papers.ts';
import type { RosterStatusService } from './roster-status.ts';

export interface PersonRecord {
  idNumber: string;
  name: string;
  photo: string | null;
  createdAt: number;
  updatedAt: number;
  exams: {
    session: {
      id: string;
      planId: string;
      planName: string;
      roomId: string;
      startsAt: number;
      status: SessionStatus;
      templateId: string;
      templateName: string;
    };
    entry: RosterEntry;
    paperId: string | null;
    result: ResultRecord | null;
  }[];
  /** Passes still valid now. */
  valid: ResultRecord[];
}

export interface SessionSummary {
  sessionId: string;
  status: SessionStatus;
  roster: number;
  retakes: number;
  seated: number;
  papers: number;
  admitted: number;
  absent: number;
  graded: number;
  passed: number;
  failed: number;
  /** passed / graded, 0–1; null before anyone is graded. */
  passRate: number | null;
  averageScore: number | null;
}

export function createResults(deps: PlansDeps, plans: Plans, roster: Roster, papers: SessionPapers, rosterStatus: RosterStatusService) {
  const { db, clock, audit, bus, config } = deps;
  const tz = config.site.timezone;

  function resultOf(sessionId: string, idNumber: string): ResultRecord | null {
    const r = db.prepare('SELECT * FROM results WHERE session_id = ? AND id_number = ?').get(sessionId, idNumber) as ResultRow | undefined;
    return r ? toResult(r) : null;
  }

  return {
    resultOf,

    /** Grades a submitted (or auto-submitted) paper. A result is final: grading twice is refused. */
    gradeCandidate(sessionId: string, idNumber: string, answers: AnswerSheet, actor = 'system'): ResultRecord & { grade: GradeResult } {
      const out = db
        .transaction(() => {
          const s = plans.session(sessionId);
          if (s.status !== 'in_progress' && s.status !== 'ended')
            throw new Conflict(`exam session ${s.id} is ${s.status}; papers are graded only while it is in progress or ended`);
          const entry = roster.entries(s.id).find((e) => e.idNumber === idNumber);
          if (!entry) throw new NotFound(`${idNumber} is not on the roster of exam session ${s.id}`);
          const paper = papers.store.forCandidate(s.id, idNumber);
          if (!paper) throw new Conflict(`${entry.name} (ticket ${entry.ticketNo}) has no paper in exam session ${s.id}`);
          const already = resultOf(s.id, idNumber);
          if (already)
            throw new Conflict(`${entry.name} (ticket ${entry.ticketNo}) was already graded in exam session ${s.id}: ${already.score}/${already.total}`);
          const g = gradePaper(paper.items, answers, s.template);
          const now = clock.now();
          // The rule in force at grading fixes the validity for good: a later config change does not move it.
          const validUntil = g.passed ? addMonths(now, ruleFor(config.rules, entry).resultValidityMonths, tz) : null;
          const id = newId(now);
          const breakdown = { passMark: g.passMark, perItem: g.perItem, byKnowledgePoint: g.byKnowledgePoint };
          db.prepare(
            `INSERT INTO results (id, session_id, id_number, paper_id, category, operation_class, industry, attempt, score, total, passed, breakdown, graded_at, valid_until)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            s.id,
            idNumber,
            paper.id,
            entry.category,
            entry.operationClass,
            entry.industry,
            entry.attempt,
            g.score,
            g.total,
            g.passed ? 1 : 0,
            JSON.stringify(breakdown),
            now,
            validUntil,
          );
          rosterStatus.setRosterStatus(s.id, idNumber, 'submitted');
          audit.append({
            actor,
            action: 'exam.result.grade',
            target: s.id,
            detail: { ticketNo: entry.ticketNo, paperId: paper.id, attempt: entry.attempt, score: g.score, total: g.total, passed: g.passed },
          });
          return { s, result: resultOf(s.id, idNumber)!, grade: g };
        })
        .immediate();
      bus.emit('result.graded', { sessionId: out.s.id, idNumber, attempt: out.result.attempt, score: out.result.score, passed: out.result.passed });
      return { ...out.result, grade: out.grade };
    },

    /** 一人一档: the person, every session they were on, the paper they got and the result. */
    personRecord(idNumber: string): PersonRecord {
      const p = db
        .prepare('SELECT id_number AS idNumber, name, photo, created_at AS createdAt, updated_at AS updatedAt FROM candidates WHERE id_number = ?')
        .get(idNumber) as Omit<PersonRecord, 'exams' | 'valid'> | undefined;
      if (!p) throw new NotFound(`no candidate with ID number ${idNumber}`);
      const entries = db
        .prepare(
          `SELECT ${ROSTER_COLS} FROM roster_entries WHERE id_number = ? ORDER BY (SELECT starts_at FROM exam_sessions s WHERE s.id = session_id), session_id`,
        )
        .all(idNumber) as RosterEntry[];
      const exams = entries.map((entry) => {
        const s: ExamSession = plans.session(entry.sessionId);
        const plan = plans.plan(s.planId);
        return {
          session: {
            id: s.id,
            planId: s.planId,
            planName: plan.name,
            roomId: s.roomId,
            startsAt: s.startsAt,
            status: s.status,
            templateId: s.templateId,
            templateName: s.template.name,
          },
          entry,
          paperId: papers.store.forCandidate(s.id, idNumber)?.id ?? null,
          result: resultOf(s.id, idNumber),
        };
      });
      const now = clock.now();
      const valid = exams.flatMap((e) => (e.result?.passed && e.result.validUntil !== null && e.result.validUntil > now ? [e.result] : []));
      return { ...p, exams, valid };
    },

    sessionSummary(sessionId: string): SessionSummary {
      const s = plans.session(sessionId);
      const c = db
        .prepare(
          `SELECT COUNT(*) AS roster,
             COALESCE(SUM(attempt = 2), 0) AS retakes,
             COALESCE(SUM(seat IS NOT NULL), 0) AS seated,
             COALESCE(SUM(status IN ('admitted', 'in_exam', 'submitted')), 0) AS admitted,
             COALESCE(SUM(status = 'absent'), 0) AS absent
           FROM roster_entries WHERE session_id = ?`,
        )
        .get(s.id) as { roster: number; retakes: number; seated: number; admitted: number; absent: number };
      const r = db.prepare('SELECT COUNT(*) AS graded, COALESCE(SUM(passed), 0) AS passed, AVG(score) AS avg FROM results WHERE session_id = ?').get(s.id) as {
        graded: number;
        passed: number;
        avg: number | null;
      };
      const paperCount = (db.prepare('SELECT COUNT(*) AS n FROM papers WHERE session_id = ?').get(s.id) as { n: number }).n;
      return {
        sessionId: s.id,
        status: s.status,
        ...c,
        papers: paperCount,
        graded: r.graded,
        passed: r.passed,
        failed: r.graded - r.passed,
        passRate: r.graded ? r.passed / r.graded : null,
        averageScore: r.avg === null ? null : Math.round(r.avg * 10) / 10,
      };
    },
  };
}

export type Results = ReturnType<typeof createResults>;
