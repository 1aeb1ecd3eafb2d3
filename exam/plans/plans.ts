// Exam plans (考试计划) and their sessions (场次): creation, the status machines, and the rule that a
// room hosts one session at a time. Every change is audited in the same transaction that makes it.
import {
  Conflict,
  NotFound,
  ValidationError,
  newId,
  isDate,
  localDate,
  localDateTime,
  parseInstant,
  sessionRecordingWindow,
  type Problem,
} from '../../core/index.ts';
import { listTemplates, resolveTemplate, shippedTemplates } from '../papers/template.ts';
import type { Template } from '../types.ts';
import {
  PLAN_COLS,
  PLAN_STATUSES,
  SESSION_STATUSES,
  toSession,
  type ExamSession,
  type Plan,
  type PlanStatus,
  type PlansDeps,
  type SessionRow,
  type SessionStatus,
} from './model.ts';
import type { RosterStatusService } from './roster-status.ts';

/** Each status has one next step; papers_ready is reached only by generating papers. */
const NEXT_SESSION: Record<SessionStatus, SessionStatus | null> = {
  scheduled: 'papers_ready',
  papers_ready: 'checkin',
  checkin: 'in_progress',
  in_progress: 'ended',
  ended: 'graded',
  graded: 'archived',
  archived: null,
};

const NEXT_PLAN: Record<PlanStatus, PlanStatus | null> = { scheduled: 'active', active: 'closed', closed: 'archived', archived: null };

export const DEFAULT_DURATION_MINUTES = 120;
/** When a session actually opened for check-in, started and ended (null: not yet). */
export interface SessionActualTimes {
  checkinAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface NewPlan {
  name: string;
  from: string;
  to: string;
}

export interface NewSession {
  planId: string;
  room: string;
  /** ISO 8601; without an offset it is the site's wall clock. */
  startsAt: string;
  templateId: string;
  durationMinutes?: number;
}

export interface PlanSummary extends Plan {
  sessions: number;
}

export function createPlans(deps: PlansDeps, rosterStatus: RosterStatusService) {
  const { db, clock, audit, bus, config } = deps;
  const tz = config.site.timezone;
  const sessionRow = db.prepare<[string], SessionRow>('SELECT * FROM exam_sessions WHERE id = ?');
  const startedAtOf = db.prepare<[string], { at: number | null }>('SELECT started_at AS at FROM exam_sessions WHERE id = ?');
  const timesOf = db.prepare<[string], SessionActualTimes>(
    'SELECT checkin_at AS checkinAt, started_at AS startedAt, ended_at AS endedAt FROM exam_sessions WHERE id = ?',
  );

  function plan(id: string): Plan {
    const p = db.prepare(`SELECT ${PLAN_COLS} FROM exam_plans WHERE id = ?`).get(id) as Plan | undefined;
    if (!p) throw new NotFound(`no exam plan ${JSON.stringify(id)}`);
    return p;
  }

  function session(id: string): ExamSession {
    const r = sessionRow.get(id);
    if (!r) throw new NotFound(`no exam session ${JSON.stringify(id)}`);
    return toSession(r);
  }

  /** The latest bank version's template of that id (the central bank's rules win), else the shipped one. */
  function findTemplate(templateId: string): Template | null {
    const latest = deps.bank.latest();
    return latest ? resolveTemplate(deps.bank, latest.id, templateId) : (shippedTemplates().find((x) => x.id === templateId) ?? null);
  }

  function knownTemplateIds(): string[] {
    return listTemplates(deps.bank, deps.bank.latest()?.id ?? null)
      .templates.map((t) => t.template.id)
      .sort();
  }

  /**
   * Moves a session one step. `guard` runs inside the transaction, after the status is re-read, so
   * two callers racing for the same step cannot both pass it.
   */
  function moveSession(
    id: string,
    to: SessionStatus,
    actor: string,
    opts: { from?: SessionStatus[]; guard?: (s: ExamSession) => Record<string, unknown> | void; ip?: string | null } = {},
  ): ExamSession {
    let before!: ExamSession;
    const after = db
      .transaction(() => {
        before = session(id);
        const allowedFrom = opts.from ?? (Object.keys(NEXT_SESSION) as SessionStatus[]).filter((k) => NEXT_SESSION[k] === to);
        if (!allowedFrom.includes(before.status)) throw illegalMove(before, to);
        const detail = opts.guard?.(before) ?? {};
        const now = clock.now();
        db.prepare('UPDATE exam_sessions SET status = ?, updated_at = ? WHERE id = ?').run(to, now, id);
        // The zero of every candidate's clock, in a column so nobody has to find it in the audit log.
        if (to === 'in_progress') db.prepare('UPDATE exam_sessions SET started_at = COALESCE(started_at, ?) WHERE id = ?').run(now, id);
        // When check-in opened and the session ended: the ends of its recording window (core/recording-windows.ts).
        if (to === 'checkin') db.prepare('UPDATE exam_sessions SET checkin_at = COALESCE(checkin_at, ?) WHERE id = ?').run(now, id);
        if (to === 'ended') db.prepare('UPDATE exam_sessions SET ended_at = COALESCE(ended_at, ?) WHERE id = ?').run(now, id);
        audit.append({ actor, action: 'exam.session.status', target: id, detail: { from: before.status, to, ...detail }, ip: opts.ip ?? null });
        return session(id);
      })
      .immediate();
    if (before.status !== to) bus.emit('session.status', { sessionId: id, roomId: after.roomId, from: before.status, to });
    return after;
  }

  // The session archive (一期一档) is made by records/, which this module may not import: records tells
  // it how to find a session's newest archive, so that `archived` is refused for a session without one.
  let archiveOf: SessionArchiveLookup | null = null;

  const plans = {
    plan,
    session,
    findTemplate,
    moveSession,

    /** Set once by the records module: the newest archive of a session, or null when none was made. */
    setArchiveLookup(fn: SessionArchiveLookup): void {
      archiveOf = fn;
    },

    /** The newest archive of a session as records reported it, or null (none made, or records not loaded). */
    latestArchive(sessionId: string): ReturnType<SessionArchiveLookup> {
      return archiveOf?.(sessionId) ?? null;
    },

    /** When the session's exam started (it moved to in_progress); null when it has not. */
    sessionStartedAt(id: string): number | null {
      const r = startedAtOf.get(id);
      if (!r) throw new NotFound(`no exam session ${JSON.stringify(id)}`);
      return r.at;
    },

    /** When the session actually opened for check-in, started and ended (null: not yet). */
    sessionTimes(id: string): SessionActualTimes {
      const r = timesOf.get(id);
      if (!r) throw new NotFound(`no exam session ${JSON.stringify(id)}`);
      return r;
    },

    /**
     * The span a session's recordings cover, by the one window rule (core sessionRecordingWindow, the
     * one the recording schedule follows). A session still open reaches at least `now` plus the margin,
     * so an exam running over its planned end is inside its own timeline.
     */
    recordingWindow(id: string, now: number = clock.now()): { from: number; to: number } {
      const s = session(id);
      const t = plans.sessionTimes(id);
      const marginMs = config.media.recordMarginMinutes * 60_000;
      const w = sessionRecordingWindow(
        { plannedStart: s.startsAt, plannedEnd: s.endsAt, ...t, open: s.status === 'checkin' || s.status === 'in_progress' },
        marginMs,
      );
      return { from: w.start, to: w.end ?? Math.max(now, s.endsAt) + marginMs };
    },

    createPlan(input: NewPlan, actor: string, ip: string | null = null): Plan {
      const problems: Problem[] = [];
      const name = (input.name ?? '').trim();
      if (!name) problems.push({ path: 'name', problem: 'must not be empty' });
      else if (name.length > 100) problems.push({ path: 'name', problem: 'must be at most 100 characters', got: name });
      if (!isDate(input.from ?? '')) problems.push({ path: 'from', problem: 'must be a date YYYY-MM-DD', got: input.from });
      if (!isDate(input.to ?? '')) problems.push({ path: 'to', problem: 'must be a date YYYY-MM-DD', got: input.to });
      if (problems.length === 0 && input.to < input.from) problems.push({ path: 'to', problem: `must not be before from (${input.from})`, got: input.to });
      if (problems.length) throw new ValidationError(problems);
      const id = newId(clock.now());
      db.transaction(() => {
        db.prepare('INSERT INTO exam_plans (id, name, starts_on, ends_on, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          id,
          name,
          input.from,
          input.to,
          'scheduled',
          clock.now(),
          actor,
        );
        audit.append({ actor, action: 'exam.plan.create', target: id, detail: { name, from: input.from, to: input.to }, ip });
      }).immediate();
      return plan(id);
    },

    listPlans(): PlanSummary[] {
      return db
        .prepare(
          `SELECT ${PLAN_COLS}, (SELECT COUNT(*) FROM exam_sessions s WHERE s.plan_id = p.id) AS sessions FROM exam_plans p ORDER BY starts_on DESC, created_at DESC`,
        )
        .all() as PlanSummary[];
    },

    /**
     * scheduled → active → closed → archived. A plan closes only when none of its sessions is still
     * under way, and is archived only when each of its sessions is (一期一档 is complete).
     */
    setPlanStatus(id: string, to: PlanStatus, actor: string, ip: string | null = null): Plan {
      if (!PLAN_STATUSES.includes(to)) throw new ValidationError([{ path: 'status', problem: `must be one of ${PLAN_STATUSES.join(', ')}`, got: to }]);
      return db
        .transaction(() => {
          const p = plan(id);
          if (NEXT_PLAN[p.status] !== to) {
            const next = NEXT_PLAN[p.status];
            throw new Conflict(`exam plan ${id} is ${p.status}; it cannot become ${to}${next ? ` (next is ${next})` : ' (archived is final)'}`);
          }
          const sessions = plans.listSessions({ planId: id });
          const held = (s: ExamSession) => s.status !== 'scheduled' || countRoster(s.id) > 0;
          if (to === 'closed') {
            const open = sessions.filter((s) => held(s) && !['graded', 'archived'].includes(s.status));
            if (open.length) throw new Conflict(`exam plan ${id} cannot close: ${open.map((s) => `session ${s.id} is ${s.status}`).join('; ')}`);
          }
          if (to === 'archived') {
            const open = sessions.filter((s) => held(s) && s.status !== 'archived');
            if (open.length)
              throw new Conflict(`exam plan ${id} cannot be archived before its sessions: ${open.map((s) => `session ${s.id} is ${s.status}`).join('; ')}`);
          }
          db.prepare('UPDATE exam_plans SET status = ? WHERE id = ?').run(to, id);
          audit.append({ actor, action: 'exam.plan.status', target: id, detail: { from: p.status, to }, ip });
          return plan(id);
        })
        .immediate();
    },

    createSession(input: NewSession, actor: string, ip: string | null = null): ExamSession {
      const problems: Problem[] = [];
      const room = config.rooms.find((r) => r.id === input.room);
      if (!room) problems.push({ path: 'room', problem: `no such room (rooms are ${config.rooms.map((r) => r.id).join(', ')})`, got: input.room });
      const startsAt = typeof input.startsAt === 'string' ? parseInstant(input.startsAt, tz) : null;
      if (startsAt === null)
        problems.push({
          path: 'startsAt',
          problem: 'must be an ISO 8601 date-time such as 2026-03-01T09:00+08:00 (without an offset, the site clock)',
          got: input.startsAt,
        });
      else if (startsAt < clock.now())
        problems.push({ path: 'startsAt', problem: `is in the past (server time is ${localDateTime(clock.now(), tz)})`, got: input.startsAt });
      let template: Template | null = null;
      try {
        template = input.templateId ? findTemplate(input.templateId) : null;
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems.push(...err.problems.map((p) => ({ ...p, path: `templateId (${input.templateId}) ${p.path}`.trim() })));
      }
      if (!template && problems.every((p) => !p.path.startsWith('templateId'))) {
        const known = knownTemplateIds();
        problems.push({
          path: 'templateId',
          problem: `no such template among the shipped ones and the latest bank version's (${known.length ? known.join(', ') : 'none'})`,
          got: input.templateId,
        });
      }
      const duration = input.durationMinutes ?? template?.durationMinutes ?? DEFAULT_DURATION_MINUTES;
      if (!Number.isInteger(duration) || duration < 10 || duration > 600)
        problems.push({ path: 'durationMinutes', problem: 'must be a whole number of minutes, 10–600', got: duration });
      if (problems.length) throw new ValidationError(problems);

      const id = newId(clock.now());
      db.transaction(() => {
        const p = plan(input.planId);
        if (p.status !== 'scheduled' && p.status !== 'active')
          throw new Conflict(`exam plan ${p.id} is ${p.status}; sessions can be added only while it is scheduled or active`);
        const day = localDate(startsAt!, tz);
        if (day < p.startsOn || day > p.endsOn) {
          throw new ValidationError([{ path: 'startsAt', problem: `is on ${day}, outside the plan's dates ${p.startsOn} – ${p.endsOn}`, got: input.startsAt }]);
        }
        const endsAt = startsAt! + duration * 60_000;
        // Half-open intervals: a session may start the minute the previous one ends.
        const clash = db
          .prepare<[string, number, number], SessionRow>(
            'SELECT * FROM exam_sessions WHERE room_id = ? AND starts_at < ? AND starts_at + duration_minutes * 60000 > ? ORDER BY starts_at LIMIT 1',
          )
          .get(room!.id, endsAt, startsAt!);
        if (clash) {
          const c = toSession(clash);
          throw new Conflict(
            `room ${room!.id} already hosts session ${c.id} from ${localDateTime(c.startsAt, tz)} to ${localDateTime(c.endsAt, tz)}; this one would run ${localDateTime(startsAt!, tz)} – ${localDateTime(endsAt, tz)}`,
          );
        }
        const now = clock.now();
        db.prepare(
          `INSERT INTO exam_sessions (id, plan_id, room_id, starts_at, duration_minutes, template_id, template, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)`,
        ).run(id, p.id, room!.id, startsAt!, duration, template!.id, JSON.stringify(template), now, now);
        audit.append({
          actor,
          action: 'exam.session.create',
          target: id,
          detail: { planId: p.id, room: room!.id, startsAt: new Date(startsAt!).toISOString(), durationMinutes: duration, templateId: template!.id },
          ip,
        });
      }).immediate();
      return session(id);
    },

    listSessions(f: { planId?: string; roomIds?: string[]; status?: SessionStatus } = {}): ExamSession[] {
      const where: string[] = [];
      const args: string[] = [];
      if (f.planId) where.push('plan_id = ?'), args.push(f.planId);
      if (f.roomIds) where.push(`room_id IN (${f.roomIds.map(() => '?').join(',') || 'NULL'})`), args.push(...f.roomIds);
      if (f.status) where.push('status = ?'), args.push(f.status);
      return (
        db.prepare(`SELECT * FROM exam_sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY starts_at, id`).all(...args) as SessionRow[]
      ).map(toSession);
    },

    /**
     * The steps people take by hand: open check-in, start, end, mark graded, archive. papers_ready is
     * reached by generating papers, so asking for it here is refused with a pointer to that.
     */
    advanceSession(id: string, to: SessionStatus, actor: string, ip: string | null = null): ExamSession {
      if (!SESSION_STATUSES.includes(to)) throw new ValidationError([{ path: 'status', problem: `must be one of ${SESSION_STATUSES.join(', ')}`, got: to }]);
      if (to === 'papers_ready') {
        const s = session(id);
        throw new Conflict(
          `exam session ${id} is ${s.status}; it becomes papers_ready by generating its papers, not by setting the status`,
          'papers_ready_by_papers',
          { session: id, status: s.status },
        );
      }
      const guards: Partial<Record<SessionStatus, (s: ExamSession) => Record<string, unknown> | void>> = {
        checkin: (s) => {
          // A room's terminals and kiosk follow the one session of the room in check-in or under way: a
          // second one opened early (tomorrow's, the night before) would leave its candidates "not found".
          const busy = db
            .prepare(
              "SELECT id, status, starts_at FROM exam_sessions WHERE room_id = ? AND id <> ? AND status IN ('checkin', 'in_progress') ORDER BY starts_at LIMIT 1",
            )
            .get(s.roomId, s.id) as { id: string; status: SessionStatus; starts_at: number } | undefined;
          if (busy)
            throw new Conflict(
              `room ${s.roomId} is busy with session ${busy.id} (${busy.status}, from ${localDateTime(busy.starts_at, tz)}); end it before opening check-in for ${s.id}`,
              'room_busy',
              {
                session: s.id,
                room: s.roomId,
                other: busy.id,
                otherStatus: busy.status,
                otherStartsAt: new Date(busy.starts_at).toISOString(),
                otherStartsLocal: localDateTime(busy.starts_at, tz),
              },
            );
          const roster = countRoster(s.id);
          const unseated = (db.prepare('SELECT COUNT(*) AS n FROM roster_entries WHERE session_id = ? AND seat IS NULL').get(s.id) as { n: number }).n;
          const withoutPaper = (
            db
              .prepare(
                'SELECT COUNT(*) AS n FROM roster_entries r WHERE r.session_id = ? AND NOT EXISTS (SELECT 1 FROM papers p WHERE p.session_id = r.session_id AND p.id_number = r.id_number)',
              )
              .get(s.id) as { n: number }
          ).n;
          if (roster === 0) throw new Conflict(`exam session ${s.id} has nobody on its roster; import the roster first`, 'roster_empty', { session: s.id });
          if (unseated)
            throw new Conflict(`exam session ${s.id}: ${unseated} of ${roster} candidates have no seat; assign seats before opening check-in`, 'unseated', {
              session: s.id,
              n: unseated,
              roster,
            });
          if (withoutPaper)
            throw new Conflict(
              `exam session ${s.id}: ${withoutPaper} of ${roster} candidates have no paper; generate papers again before opening check-in`,
              'without_paper',
              { session: s.id, n: withoutPaper, roster },
            );
          // Opening the first check-in is when a plan is under way; nobody should have to remember that step.
          const p = plan(s.planId);
          if (p.status === 'scheduled') {
            db.prepare("UPDATE exam_plans SET status = 'active' WHERE id = ?").run(p.id);
            audit.append({
              actor,
              action: 'exam.plan.status',
              target: p.id,
              detail: { from: 'scheduled', to: 'active', because: `session ${s.id} opened check-in` },
              ip,
            });
          } else if (p.status !== 'active') {
            throw new Conflict(`exam plan ${p.id} is ${p.status}; its sessions cannot open check-in`, 'plan_not_active', { plan: p.id, status: p.status });
          }
          return { roster };
        },
        // At the end of the exam whoever never started is absent (缺考) at once — on the seat map and in
        // the counts — not only when the session is graded later, perhaps by the API alone.
        ended: (s) => markNeverStarted(s.id),
        graded: (s) => {
          // Anyone who started the paper must have a result; those who never came are absent, and so is
          // one admitted at the door who never logged in at a terminal: they saw no paper, so there is
          // nothing to grade, and a session must not stay ungradable because someone went home.
          const ungraded = db
            .prepare(
              `SELECT r.ticket_no AS ticketNo FROM roster_entries r WHERE r.session_id = ? AND r.status IN ('in_exam', 'submitted')
               AND NOT EXISTS (SELECT 1 FROM results x WHERE x.session_id = r.session_id AND x.id_number = r.id_number) ORDER BY r.ticket_no`,
            )
            .all(s.id) as { ticketNo: string }[];
          if (ungraded.length)
            throw new Conflict(
              `exam session ${s.id}: ${ungraded.length} candidates sat but have no result yet (tickets ${ungraded
                .slice(0, 10)
                .map((u) => u.ticketNo)
                .join(', ')}${ungraded.length > 10 ? ' …' : ''})`,
              'ungraded',
              {
                session: s.id,
                n: ungraded.length,
                tickets: ungraded
                  .slice(0, 10)
                  .map((u) => u.ticketNo)
                  .join(', '),
              },
            );
          return markNeverStarted(s.id);
        },
        // archived means 一期一档 exists: the records module's archive job moves the session once its file
        // is written and indexed; set by hand (CLI, API) it is refused until an archive exists.
        archived: (s) => {
          const a = archiveOf?.(s.id) ?? null;
          if (!a)
            throw new Conflict(
              `exam session ${s.id} has no session archive (一期一档) yet; make one with \`examroom archive session ${s.id}\` (or the console's 生成一期一档归档): it moves the session to archived`,
              'no_archive',
              { session: s.id },
            );
          return { archive: a };
        },
      };
      const guard = guards[to];
      return moveSession(id, to, actor, { ip, ...(guard ? { guard } : {}) });
    },
  };

  /**
   * Marks absent everyone who never came and everyone admitted at the door who never started (no
   * result: they saw no paper), through the roster's one writer; the audit detail names the latter.
   */
  function markNeverStarted(sessionId: string): Record<string, unknown> {
    const notStarted = (
      db
        .prepare(
          `SELECT r.ticket_no AS ticketNo FROM roster_entries r WHERE r.session_id = ? AND r.status = 'admitted'
           AND NOT EXISTS (SELECT 1 FROM results x WHERE x.session_id = r.session_id AND x.id_number = r.id_number) ORDER BY r.ticket_no`,
        )
        .all(sessionId) as { ticketNo: string }[]
    ).map((r) => r.ticketNo);
    const absent = rosterStatus.markAbsent(sessionId);
    return notStarted.length ? { absent, admittedNeverStarted: notStarted } : { absent };
  }

  function countRoster(sessionId: string): number {
    return (db.prepare('SELECT COUNT(*) AS n FROM roster_entries WHERE session_id = ?').get(sessionId) as { n: number }).n;
  }

  return plans;
}

export function illegalMove(s: ExamSession, to: SessionStatus): Conflict {
  const next = NEXT_SESSION[s.status];
  return new Conflict(`exam session ${s.id} is ${s.status}; it cannot move to ${to}${next ? ` (next is ${next})` : ' (archived is final)'}`, 'session_move', {
    session: s.id,
    status: s.status,
    to,
    next: next ?? '',
  });
}

/** The newest archive of a session (records/archive), or null when none was made. */
export type SessionArchiveLookup = (sessionId: string) => { version: number; file: string; manifestSha256: string } | null;

export type Plans = ReturnType<typeof createPlans>;
