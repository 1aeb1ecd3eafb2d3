// The room at a glance: the seat grid from the config, each seat's live state from the terminal
// gateway's session state, the roster's candidate, and the room's video sources. Built only from the
// other modules' public reads; nothing here keeps state, so a view is always what the stores say now.
import { NotFound, localDate } from '../core/index.ts';
import { seatIds, type Config } from '../config/index.ts';
import type { ExamService } from '../exam/index.ts';
import { maskIdNumber, type TerminalService } from '../terminal/index.ts';
import { liveWsPath, recordedSources, screenTerminalId, type MediaService } from '../media/index.ts';
import { seatCheckView, type SeatCheckRow } from './seat-identity.ts';
import type { RecordedSource, RoomView, Seat, SeatCandidate, SeatMove, SeatState, SessionBrief } from './protocol.ts';

export { SEAT_STATES, type RoomView, type Seat, type SeatCandidate, type SeatMove, type SeatState, type SessionBrief } from './protocol.ts';

export interface RoomViewDeps {
  config: Config;
  clock: { now(): number };
  exam: ExamService;
  terminal: TerminalService;
  media: Pick<MediaService, 'sources'>;
  openAlerts: (sessionId: string) => Map<string, number>;
  openAlertCount: (roomId: string) => number;
  incidentCounts: (sessionId: string) => Map<string, number>;
  /** Open seat confirmations of candidates who declined face recognition, by ID number (seat-identity.ts). */
  openSeatChecks: (sessionId: string) => Map<string, SeatCheckRow>;
  faceDeclined: (sessionId: string, idNumber: string) => boolean;
}

export function createRoomViews(deps: RoomViewDeps) {
  const { config, exam, terminal } = deps;
  const plans = exam.plans;

  function room(roomId: string) {
    const r = config.rooms.find((x) => x.id === roomId);
    if (!r) throw new NotFound(`no room ${roomId} on this site (rooms: ${config.rooms.map((x) => x.id).join(', ')})`);
    return r;
  }

  const brief = (s: { id: string; template: { name: string }; status: string; startsAt: number; endsAt: number }): SessionBrief => ({
    id: s.id,
    name: s.template.name,
    status: s.status,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
  });

  function todaysSessions(roomId: string) {
    const today = localDate(deps.clock.now(), config.site.timezone);
    // An open session is today's even when it starts after midnight (check-in opened before it).
    return plans
      .listSessions({ roomIds: [roomId] })
      .filter((s) => localDate(s.startsAt, config.site.timezone) === today || s.status === 'checkin' || s.status === 'in_progress');
  }

  /** ?session, else the session in progress, else the one open for check-in, else today's latest. */
  function currentSession(roomId: string, sessionId?: string | null) {
    if (sessionId) {
      const s = plans.session(sessionId);
      if (s.roomId !== roomId) throw new NotFound(`exam session ${sessionId} is in room ${s.roomId}, not ${roomId}`);
      return s;
    }
    const open = terminal.openSessionOf(roomId);
    if (open) return open;
    const today = todaysSessions(roomId);
    return today.length ? today[today.length - 1]! : null;
  }

  const photoUrl = (sessionId: string, e: { ticketNo: string; photo: string | null }) =>
    e.photo ? `/api/proctor/sessions/${encodeURIComponent(sessionId)}/photos/${encodeURIComponent(e.ticketNo)}` : null;

  function seatsOf(roomId: string, sessionId: string | null, masked: boolean): { seats: Seat[]; unseated: SeatCandidate[]; session: RoomView['session'] } {
    const r = room(roomId);
    const ids = seatIds(r);
    const terminals = new Map(config.terminals.filter((t) => t.room === roomId).map((t) => [t.seat, t.id]));
    const s = sessionId ? plans.session(sessionId) : null;
    const state = s ? terminal.sessionState(s.id) : null;
    const roster = s ? new Map(plans.roster(s.id).map((e) => [e.idNumber, e])) : new Map();
    const questions = s ? s.template.sections.reduce((n, x) => n + x.count, 0) : null;
    const alerts = s ? deps.openAlerts(s.id) : new Map<string, number>();
    const written = s ? deps.incidentCounts(s.id) : new Map<string, number>();
    const checks = s ? deps.openSeatChecks(s.id) : new Map<string, SeatCheckRow>();
    type C = NonNullable<typeof state>['candidates'][number];
    const bySeat = new Map<string, C>();
    const unseated: SeatCandidate[] = [];
    const candidateOf = (c: C): SeatCandidate => ({
      ticketNo: c.ticketNo,
      name: c.name,
      idNumber: masked ? maskIdNumber(c.idNumber) : c.idNumber,
      seat: c.seat,
      rosterStatus: c.rosterStatus,
      photoUrl: photoUrl(s!.id, { ticketNo: c.ticketNo, photo: roster.get(c.idNumber)?.photo ?? null }),
    });
    for (const c of state?.candidates ?? []) {
      if (c.seat) bySeat.set(c.seat, c);
      else unseated.push(candidateOf(c));
    }
    const moves = new Map<string, SeatMove>();
    for (const m of state?.pendingMoves ?? []) {
      const e = roster.get(m.idNumber);
      const fromSeat: string | null = e?.seat ?? null;
      const base = {
        moveId: m.id,
        ticketNo: e?.ticketNo ?? '',
        name: e?.name ?? '',
        fromSeat,
        fromTerminal: m.fromTerminal,
        toSeat: m.toSeat,
        toTerminal: m.toTerminal,
        requestedAt: m.requestedAt,
        contested: s ? terminal.contestedBy(s.id, m.idNumber, m.toTerminal) : null,
      };
      if (fromSeat && !moves.has(fromSeat)) moves.set(fromSeat, { ...base, side: 'out' });
      if (!moves.has(m.toSeat)) moves.set(m.toSeat, { ...base, side: 'in' });
    }
    const seats = ids.map((seat, i): Seat => {
      const termId = terminals.get(seat) ?? null;
      const c = bySeat.get(seat) ?? null;
      const presence = termId ? terminal.presence(termId) : null;
      const term = c?.terminal ?? (termId ? { id: termId, online: presence!.online, since: presence!.since } : null);
      const base: Seat = {
        seat,
        row: Math.floor(i / r.seats.columns) + 1,
        column: (i % r.seats.columns) + 1,
        terminal: term,
        candidate: null,
        state: 'empty',
        answered: null,
        questions: null,
        remainingMs: null,
        deadline: null,
        paused: false,
        locked: false,
        offlineSince: null,
        submittedAt: null,
        submittedBy: null,
        score: null,
        passed: null,
        incidents: 0,
        openAlerts: 0,
        pendingMove: moves.get(seat) ?? null,
        loginLocked: termId ? terminal.loginLocked(termId) !== null : false,
        faceDeclined: false,
        identityCheck: null,
      };
      if (!c || !s) return base;
      const a = c.attempt;
      const started = c.time.deadline !== null;
      // Graded without a terminal (by hand, through the API) is submitted too: the roster says so.
      const done = a?.status === 'submitted' || c.rosterStatus === 'submitted';
      const result = done ? plans.resultOf(s.id, c.idNumber) : null;
      const seatState: SeatState = (() => {
        if (c.rosterStatus === 'absent') return 'absent';
        if (!a) return c.rosterStatus === 'registered' ? 'assigned' : c.rosterStatus === 'submitted' ? 'submitted' : 'admitted';
        if (a.status === 'submitted') return 'submitted';
        if (c.terminal && !c.terminal.online) return 'offline';
        if (c.time.paused) return 'paused';
        if (a.locked) return 'locked';
        return s.status === 'in_progress' ? 'answering' : 'logged_in';
      })();
      return {
        ...base,
        candidate: candidateOf(c),
        state: seatState,
        answered: a ? a.answered : null,
        questions: a ? questions : null,
        remainingMs: started && a?.status !== 'submitted' ? c.time.remainingMs : null,
        deadline: started ? c.time.deadline : null,
        paused: c.time.paused,
        locked: a?.locked ?? false,
        offlineSince: seatState === 'offline' ? (c.terminal?.since ?? null) : null,
        submittedAt: a?.submittedAt ?? null,
        submittedBy: a?.submittedBy ?? null,
        score: result?.score ?? null,
        passed: result ? Boolean(result.passed) : null,
        incidents: c.incidents + (written.get(c.idNumber) ?? 0),
        openAlerts: alerts.get(c.idNumber) ?? 0,
        faceDeclined: deps.faceDeclined(s.id, c.idNumber),
        identityCheck: checks.has(c.idNumber) ? seatCheckView(checks.get(c.idNumber)!) : null,
      };
    });
    const window = s ? plans.recordingWindow(s.id, deps.clock.now()) : null;
    const session = s
      ? {
          ...brief(s),
          durationMinutes: s.durationMinutes,
          startedAt: state?.startedAt ?? null,
          roomPaused: state?.roomPaused ?? false,
          recordingFrom: window!.from,
          recordingTo: window!.to,
        }
      : null;
    return { seats, unseated, session };
  }

  return {
    room,
    currentSession,
    todaysSessions,
    brief,

    view(roomId: string, opts: { sessionId?: string | null; masked: boolean }): RoomView {
      const r = room(roomId);
      const s = currentSession(roomId, opts.sessionId);
      const { seats, unseated, session } = seatsOf(roomId, s?.id ?? null, opts.masked);
      const terminalSeat = new Map(config.terminals.map((t) => [t.id, t.seat]));
      const sources = deps.media
        .sources()
        .filter((x) => x.room === roomId)
        .map((x) => {
          const terminalId = x.kind === 'screen' ? screenTerminalId(x.id) : null;
          return {
            id: x.id,
            name: x.name,
            kind: x.kind,
            state: x.state,
            since: x.since,
            reason: x.reason,
            recording: x.recording,
            ws: liveWsPath(x.id),
            subWs: x.sub ? liveWsPath(x.id, 'sub') : null,
            video: x.codecs?.video ?? null,
            terminalId,
            seat: terminalId ? (terminalSeat.get(terminalId) ?? null) : null,
          };
        });
      return {
        serverTime: deps.clock.now(),
        room: { id: r.id, name: r.name, rows: r.seats.rows, columns: r.seats.columns },
        session,
        sessions: todaysSessions(roomId).map(brief),
        seats,
        unseated,
        sources,
        recorded: recordedOf(config, deps.media.sources(), roomId),
        openAlerts: deps.openAlertCount(roomId),
      };
    },

    /** One seat now (the feed pushes it when something about it changed). */
    seat(roomId: string, sessionId: string | null, seat: string, masked: boolean): Seat | null {
      return seatsOf(roomId, sessionId, masked).seats.find((x) => x.seat === seat) ?? null;
    },

    /** Every seat of the room (the feed computes the room once and picks the dirty seats). */
    seats(roomId: string, sessionId: string | null, masked: boolean): Seat[] {
      return seatsOf(roomId, sessionId, masked).seats;
    },
  };
}

export type RoomViews = ReturnType<typeof createRoomViews>;

/**
 * The room's sources that can have recordings: the configured cameras and terminal screens, and any
 * live source of the room the config does not name (added at run time), cameras first, screens by seat.
 */
export function recordedOf(
  config: Config,
  live: Array<{ id: string; name: string; room: string; kind: 'camera' | 'screen' }>,
  roomId: string,
): RecordedSource[] {
  const configured = recordedSources(config).filter((x) => x.room === roomId);
  const known = new Set(configured.map((x) => x.id));
  const terminalSeat = new Map(config.terminals.map((t) => [t.id, t.seat]));
  const extra = live
    .filter((x) => x.room === roomId && !known.has(x.id))
    .map((x) => {
      const terminalId = x.kind === 'screen' ? screenTerminalId(x.id) : null;
      return { id: x.id, name: x.name, room: x.room, kind: x.kind, terminalId, seat: terminalId ? (terminalSeat.get(terminalId) ?? null) : null };
    });
  const all = [...configured, ...extra];
  const seatNo = (x: RecordedSource) => (x.seat === null ? '' : x.seat.padStart(6, '0'));
  return all
    .sort((a, b) => (a.kind === b.kind ? (a.kind === 'screen' ? seatNo(a).localeCompare(seatNo(b)) : 0) : a.kind === 'camera' ? -1 : 1))
    .map(({ id, name, kind, terminalId, seat }) => ({ id, name, kind, terminalId, seat }));
}
