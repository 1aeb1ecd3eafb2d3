// The proctor service: alerts, incidents, room views and session summaries, made from the other
// services' public faces. It changes nothing of theirs except through their own functions (re-seat,
// session status), so their rules and audit entries apply unchanged.
import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Conflict, NotFound, ValidationError, type Clock, type EventBus } from '../core/index.ts';
import { seatIds, type Config } from '../config/index.ts';
import { auditFaceView, faceVaultOr, type AuditLog, type DataPaths, type Db, type FaceVault } from '../storage/index.ts';
import type { ExamService } from '../exam/index.ts';
import type { TerminalService } from '../terminal/index.ts';
import type { MediaService } from '../media/index.ts';
import { createAlerts } from './alerts.ts';
import { createIncidents } from './incidents.ts';
import { createRoomViews } from './room-view.ts';
import { createSeatIdentityChecks } from './seat-identity.ts';
import { declinedAtSeat } from '../terminal/index.ts';

export interface ProctorDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  /** Opens the sealed roster photos; absent = the keys folder's (storage/face-vault.ts faceVaultOr). */
  faceVault?: FaceVault;
  exam: ExamService;
  terminal: TerminalService;
  media: Pick<MediaService, 'sources'>;
  log?: { error(o: object, m: string): void };
}

/** Session statuses the console may move a session to (open check-in, start, end). */
export const CONSOLE_STATUSES = ['checkin', 'in_progress', 'ended'] as const;

export function createProctorService(deps: ProctorDeps) {
  const { db, clock, bus, config, audit, exam, terminal } = deps;
  const plans = exam.plans;
  const faceVault = faceVaultOr(deps.faceVault, config.paths.keys);

  const alerts = createAlerts({
    db,
    clock,
    bus,
    audit,
    ...(deps.log ? { log: deps.log } : {}),
    candidate: (sessionId, idNumber) => {
      if (!sessionId || !idNumber) return null;
      try {
        const e = plans.roster(sessionId).find((x) => x.idNumber === idNumber);
        return e ? { name: e.name, ticketNo: e.ticketNo, seat: e.seat } : null;
      } catch {
        return null;
      }
    },
    seatOfTerminal: (id) => config.terminals.find((t) => t.id === id)?.seat ?? null,
    reconnectGraceMs: config.exam.reconnectGraceSeconds * 1000,
  });

  const incidents = createIncidents({
    db,
    clock,
    bus,
    audit,
    session: (id) => plans.session(id),
    roster: (id) => plans.roster(id),
    seats: (roomId) => {
      const r = config.rooms.find((x) => x.id === roomId);
      return r ? seatIds(r) : [];
    },
  });

  const seatChecks = createSeatIdentityChecks({
    db,
    clock,
    bus,
    audit,
    alert: (id) => alerts.get(id),
    candidateAtSeat: (sessionId, seat) => plans.roster(sessionId).find((x) => x.seat === seat)?.idNumber ?? null,
    seatOf: (sessionId, idNumber) => plans.roster(sessionId).find((x) => x.idNumber === idNumber)?.seat ?? null,
    openSessionOf: (roomId) => terminal.openSessionOf(roomId)?.id ?? null,
    ...(deps.log ? { log: deps.log } : {}),
  });

  const rooms = createRoomViews({
    config,
    clock,
    exam,
    terminal,
    media: deps.media,
    openAlerts: (sessionId) => alerts.openBySession(sessionId),
    openAlertCount: (roomId) => alerts.openCount([roomId]),
    incidentCounts: (sessionId) => incidents.countBySession(sessionId),
    openSeatChecks: (sessionId) => seatChecks.openBySession(sessionId),
    faceDeclined: (sessionId, idNumber) => declinedAtSeat(db, sessionId, idNumber),
  });

  function summary(sessionId: string) {
    const s = plans.session(sessionId);
    const sum = plans.sessionSummary(s.id);
    const state = terminal.sessionState(s.id);
    const loggedIn = state.candidates.filter((c) => c.attempt !== null).length;
    const submitted = state.candidates.filter((c) => c.attempt?.status === 'submitted' || c.rosterStatus === 'submitted').length;
    const integrity = terminal.incidents(s.id).length;
    return {
      sessionId: s.id,
      roomId: s.roomId,
      status: s.status,
      roster: sum.roster,
      admitted: sum.admitted,
      absent: sum.absent,
      notArrived: sum.roster - sum.admitted - sum.absent,
      loggedIn,
      submitted,
      graded: sum.graded,
      passed: sum.passed,
      failed: sum.failed,
      incidents: incidents.list(s.id).length,
      integrity,
      alerts: alerts.count({ sessionId: s.id }),
      openAlerts: alerts.count({ sessionId: s.id, open: true }),
    };
  }

  return {
    alerts,
    incidents,
    rooms,
    seatChecks,
    summary,

    /** A roster entry by ID number, or null. */
    candidate(sessionId: string, idNumber: string) {
      return plans.roster(sessionId).find((x) => x.idNumber === idNumber) ?? null;
    },

    /** The room of a session, or null for an unknown one (events about sessions carry only the id). */
    roomOfSession(sessionId: string): string | null {
      try {
        return plans.session(sessionId).roomId;
      } catch {
        return null;
      }
    },

    /** The roster photo of a candidate (ticket number), bytes and type, the view audited; NotFound when there is none. */
    photo(sessionId: string, ticketNo: string, viewer: { actor: string; ip: string | null }): { bytes: Buffer; type: string } {
      const e = plans.roster(sessionId).find((x) => x.ticketNo === ticketNo);
      if (!e) throw new NotFound(`no ticket ${ticketNo} on the roster of exam session ${sessionId}`);
      if (!e.photo) throw new NotFound(`${e.name} (ticket ${ticketNo}) has no roster photo`);
      const rel = normalize(e.photo);
      // Stored paths are relative to captures/; one that climbs out is not a photo we hand out.
      if (rel.startsWith('..') || rel.startsWith('/')) throw new NotFound(`the roster photo of ticket ${ticketNo} is not in the captures folder`);
      const file = join(deps.paths.captures, rel);
      if (!existsSync(file)) throw new NotFound(`the roster photo of ticket ${ticketNo} (${e.photo}) is missing from the captures folder`);
      const ext = rel.split('.').pop()?.toLowerCase();
      const bytes = faceVault.readFile(file);
      auditFaceView(audit, { ...viewer, idNumber: e.idNumber, kind: 'roster photo', sessionId, ref: ticketNo });
      return { bytes, type: ext === 'png' ? 'image/png' : ext === 'webp' ? 'image/webp' : 'image/jpeg' };
    },

    /** Re-seats a candidate through exam plans (its own audit entry and seat.changed event). */
    reseat(sessionId: string, candidate: string, seat: string, reason: string, actor: string, ip: string | null = null) {
      const c = candidate.toUpperCase();
      const e = plans.roster(sessionId).find((x) => x.ticketNo === candidate || x.idNumber === c);
      if (!e) throw new NotFound(`${candidate} is neither a ticket number nor an ID number on the roster of exam session ${sessionId}`);
      return plans.reseat(sessionId, e.idNumber, seat, actor, { reason, ip });
    },

    /**
     * The invigilator at the seat found that the person there is not the candidate (the seat check of one
     * who declined face recognition). The rules say: do not confirm, record an incident, call the chief
     * examiner. So, in one transaction, the incident (替考, the note as what was seen) and the check's
     * outcome, each audited; then the paper is stopped with the console's own commands — the screen
     * locked and the candidate's clock paused, each audited by terminal/ — where there is a paper to
     * stop; then the critical alert (from the seat.identity event) calls for the chief examiner.
     */
    notThePerson(checkId: string, note: string, actor: string, ip: string | null = null) {
      const text = note.trim();
      if (!text) throw new ValidationError([{ path: 'note', problem: 'must say what was seen at the seat (it becomes the incident’s note)', got: note }]);
      const c = seatChecks.undecided(checkId);
      const { incidentId, check } = db
        .transaction(() => {
          const i = incidents.record(c.sessionId, { category: 'impersonation', note: text, candidate: c.idNumber, seat: c.seat }, actor, ip);
          return { incidentId: i.id, check: seatChecks.decideNotThePerson(checkId, text, i.id, actor, ip) };
        })
        .immediate();
      const reason = '座位核验非本人，等待主考处理';
      // Not logged in, already submitted, or the session not open: there is no paper to stop (the reply says so).
      const attempt = (fn: () => unknown, already: string) => {
        try {
          fn();
          return true;
        } catch (err) {
          if (err instanceof Conflict && err.code === already) return true;
          if (err instanceof Conflict || err instanceof NotFound) return false;
          throw err;
        }
      };
      const locked = attempt(() => terminal.setLock(c.sessionId, c.idNumber, true, reason, actor, ip), 'already_locked');
      const paused = locked && attempt(() => terminal.pause(c.sessionId, c.idNumber, reason, actor, ip), 'already_paused');
      const terminalId = c.terminalId ?? (c.seat ? (config.terminals.find((t) => t.room === c.roomId && t.seat === c.seat)?.id ?? null) : null);
      let alertId: string | null = null;
      const off = bus.on('proctor.alert', (p) => {
        if (p.change === 'new' && alerts.get(p.alertId).kind === 'seat_not_the_person') alertId = p.alertId;
      });
      try {
        bus.emit('seat.identity', {
          checkId,
          sessionId: c.sessionId,
          roomId: c.roomId,
          idNumber: c.idNumber,
          seat: c.seat,
          change: 'not_the_person',
          by: actor,
          terminalId,
          incidentId,
          locked,
          paused,
        });
      } finally {
        off();
      }
      return { check, incidentId, locked, paused, alertId };
    },

    /** Open check-in, start, end — the same transition rules (and audit) as the admin route. */
    setStatus(sessionId: string, to: string, actor: string, ip: string | null = null) {
      if (!(CONSOLE_STATUSES as readonly string[]).includes(to))
        throw new ValidationError([{ path: 'status', problem: `the console may set ${CONSOLE_STATUSES.join(', ')}`, got: to }]);
      return plans.advanceSession(sessionId, to as (typeof CONSOLE_STATUSES)[number], actor, ip);
    },

    stop(): void {
      seatChecks.stop();
      alerts.stop();
    },
  };
}

export type ProctorService = ReturnType<typeof createProctorService>;
