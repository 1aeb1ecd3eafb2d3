// Alert rules: events from terminals, the kiosk and media become persisted alerts an invigilator
// must acknowledge. A rule runs inside the bus listener, so an alert is stored and announced in the
// same tick as its event (the console's 1 s promise rests on that). One open alert per condition:
// a repeat while unacknowledged — even after the condition cleared — counts up (with the latest time)
// instead of piling up rows for one seat. A terminal is an exam matter only while its candidate is
// answering, and one back within exam.reconnectGraceSeconds is a resolved record, not an alert.
import { Conflict, NotFound, newId, redactText, type Clock, type EventBus, type EventMap } from '../core/index.ts';
import type { AuditLog, Db } from '../storage/index.ts';
import { statementCache } from '../storage/index.ts';
import type { Alert, AlertKind, Severity } from './protocol.ts';
import { textOf, type Raise } from './alert-words.ts';

export { ALERT_KINDS, type Alert, type AlertKind, type Severity } from './protocol.ts';

interface Row {
  id: string;
  at: number;
  last_at: number;
  repeats: number;
  room_id: string | null;
  session_id: string | null;
  seat: string | null;
  terminal_id: string | null;
  source_id: string | null;
  id_number: string | null;
  kind: AlertKind;
  severity: Severity;
  params: string;
  text_zh: string;
  text_en: string;
  event: string;
  dedupe_key: string;
  cleared_at: number | null;
  resolved_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
  ack_note: string | null;
}

function toAlert(r: Row): Alert {
  // A camera alert raised before reasons were redacted may still quote its URL's password: hidden on the way out.
  if (r.kind === 'camera_down') r = { ...r, params: redactText(r.params), text_zh: redactText(r.text_zh), text_en: redactText(r.text_en) };
  return {
    id: r.id,
    at: r.at,
    lastAt: r.last_at,
    repeats: r.repeats,
    roomId: r.room_id,
    sessionId: r.session_id,
    seat: r.seat,
    terminalId: r.terminal_id,
    sourceId: r.source_id,
    idNumber: r.id_number,
    kind: r.kind,
    severity: r.severity,
    params: JSON.parse(r.params) as Record<string, unknown>,
    text: { zh: r.text_zh, en: r.text_en },
    event: r.event,
    clearedAt: r.cleared_at,
    resolvedAt: r.resolved_at,
    acknowledged: r.acked_by !== null && r.acked_at !== null ? { by: r.acked_by, at: r.acked_at, note: r.ack_note ?? '' } : null,
  };
}

/** Who a candidate is, for the alert's text: looked up on the roster by the service. */
export type CandidateLookup = (sessionId: string | null, idNumber: string | null) => { name: string; ticketNo: string; seat: string | null } | null;

export interface AlertDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
  candidate: CandidateLookup;
  /** The seat of a terminal (config), for terminal events that do not carry one. */
  seatOfTerminal: (terminalId: string) => string | null;
  /** A candidate's terminal back within this long is one resolved record, not an alert (exam.reconnectGraceSeconds). */
  reconnectGraceMs: number;
  log?: { error(o: object, m: string): void };
}

export function createAlerts(deps: AlertDeps) {
  const { db, clock, bus, audit } = deps;
  const stmt = statementCache(db);

  function get(id: string): Alert {
    const r = stmt('SELECT * FROM proctor_alerts WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new NotFound(`no alert ${JSON.stringify(id)}`);
    return toAlert(r);
  }

  /**
   * Stores the alert and announces it before returning. A repeat of an unacknowledged alert of the
   * same condition (the same key: kind and seat or source) folds into it — count, latest time, merged
   * params, text re-worded — and opens it again if it had cleared. `resolvedAt`: the record of a
   * condition that already ended by itself (folded only into an earlier such record).
   */
  function raise(r: Raise & { merge?: (before: Record<string, unknown>) => Record<string, unknown>; resolvedAt?: number }): Alert {
    const resolved = r.resolvedAt !== undefined;
    const open = stmt(
      `SELECT id, params, cleared_at AS clearedAt FROM proctor_alerts WHERE dedupe_key = ? AND acked_at IS NULL AND resolved_at IS ${resolved ? 'NOT NULL' : 'NULL'} ORDER BY at DESC LIMIT 1`,
    ).get(r.key) as { id: string; params: string; clearedAt: number | null } | undefined;
    const who = deps.candidate(r.sessionId ?? null, r.idNumber ?? null);
    const seat = r.seat ?? who?.seat ?? (r.terminalId ? deps.seatOfTerminal(r.terminalId) : null);
    if (open) {
      const params = r.merge ? r.merge(JSON.parse(open.params) as Record<string, unknown>) : r.params;
      const text = textOf({ ...r, params, seat }, who);
      stmt(
        `UPDATE proctor_alerts SET repeats = repeats + 1, last_at = ?, params = ?, text_zh = ?, text_en = ?, cleared_at = ?, resolved_at = ? WHERE id = ?`,
      ).run(r.at, JSON.stringify(params), text.zh, text.en, r.resolvedAt ?? null, r.resolvedAt ?? null, open.id);
      bus.emit('proctor.alert', { alertId: open.id, roomId: r.roomId, change: 'update', reopened: open.clearedAt !== null && !resolved });
      return get(open.id);
    }
    const text = textOf({ ...r, seat }, who);
    const id = newId(clock.now());
    stmt(
      `INSERT INTO proctor_alerts (id, at, last_at, room_id, session_id, seat, terminal_id, source_id, id_number, kind, severity, params, text_zh, text_en, event, dedupe_key, cleared_at, resolved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      r.at,
      r.at,
      r.roomId,
      r.sessionId ?? null,
      seat,
      r.terminalId ?? null,
      r.sourceId ?? null,
      r.idNumber ?? null,
      r.kind,
      r.severity,
      JSON.stringify(r.params),
      text.zh,
      text.en,
      r.event,
      r.key,
      r.resolvedAt ?? null,
      r.resolvedAt ?? null,
    );
    bus.emit('proctor.alert', { alertId: id, roomId: r.roomId, change: 'new' });
    return get(id);
  }

  /** The condition ended by itself: the alert stays open until acknowledged, marked cleared. */
  function clear(key: string, at: number): void {
    const rows = stmt('SELECT id, room_id FROM proctor_alerts WHERE dedupe_key = ? AND cleared_at IS NULL').all(key) as {
      id: string;
      room_id: string | null;
    }[];
    if (!rows.length) return;
    stmt('UPDATE proctor_alerts SET cleared_at = ? WHERE dedupe_key = ? AND cleared_at IS NULL').run(at, key);
    for (const r of rows) bus.emit('proctor.alert', { alertId: r.id, roomId: r.room_id, change: 'update' });
  }

  /**
   * The condition was dealt with by a person elsewhere (a move approved or rejected through its own
   * audited route): cleared and acknowledged in their name, so nobody has to acknowledge it again.
   */
  function settle(key: string, at: number, by: string, note: string): void {
    const rows = stmt('SELECT id, room_id, acked_at FROM proctor_alerts WHERE dedupe_key = ? AND cleared_at IS NULL').all(key) as {
      id: string;
      room_id: string | null;
      acked_at: number | null;
    }[];
    if (!rows.length) return;
    db.transaction(() => {
      stmt('UPDATE proctor_alerts SET acked_by = ?, acked_at = ?, ack_note = ? WHERE dedupe_key = ? AND cleared_at IS NULL AND acked_at IS NULL').run(
        by,
        at,
        note,
        key,
      );
      stmt('UPDATE proctor_alerts SET cleared_at = ? WHERE dedupe_key = ? AND cleared_at IS NULL').run(at, key);
    })();
    for (const r of rows) bus.emit('proctor.alert', { alertId: r.id, roomId: r.room_id, change: r.acked_at === null ? 'ack' : 'update' });
  }

  const guard =
    <K extends keyof EventMap>(name: K, fn: (p: EventMap[K]) => void) =>
    (p: EventMap[K]) => {
      try {
        fn(p);
      } catch (err) {
        deps.log?.error({ err, event: name }, 'raising a proctor alert failed');
      }
    };
  const on = <K extends keyof EventMap>(name: K, fn: (p: EventMap[K]) => void) => bus.on(name, guard(name, fn));

  /** Terminals of answering candidates that went offline and are inside their reconnect grace. */
  const graces = new Map<string, { timer: NodeJS.Timeout; offline: Raise }>();
  const cancelGrace = (terminalId: string) => {
    const g = graces.get(terminalId);
    if (g) clearTimeout(g.timer);
    graces.delete(terminalId);
  };

  const seatVerdict = (event: 'seat.check' | 'terminal.snapshot', p: EventMap['seat.check'] & { snapshotId?: string }) => {
    if (p.identity === 'match' || p.identity === 'unchecked') return;
    const kind: AlertKind = p.identity === 'mismatch' ? 'seat_mismatch' : p.identity;
    raise({
      kind,
      severity: kind === 'no_face' ? 'warning' : 'critical',
      event,
      at: p.at,
      roomId: p.roomId,
      sessionId: p.sessionId,
      terminalId: p.terminalId,
      idNumber: p.idNumber,
      params: { distance: p.distance, detail: p.detail, ...(p.snapshotId ? { snapshotId: p.snapshotId } : {}) },
      // seat.check and terminal.snapshot report the same verdict: one key, so the second only counts up.
      key: `${kind}:${p.sessionId}:${p.idNumber}`,
    });
  };

  const offs = [
    on('identity.refused', (p) => {
      const mismatch = p.reason === 'mismatch' || p.reason === 'card_mismatch';
      raise({
        kind: mismatch ? 'kiosk_mismatch' : 'kiosk_refused',
        severity: mismatch ? 'critical' : 'warning',
        event: 'identity.refused',
        at: p.at,
        roomId: p.roomId,
        sessionId: p.sessionId,
        idNumber: p.idNumber,
        params: { reason: p.reason, distance: p.distance, kioskId: p.kioskId, attemptId: p.attemptId },
        key: `kiosk:${p.attemptId}`,
      });
    }),
    on('identity.override', (p) =>
      raise({
        kind: 'kiosk_override',
        severity: 'info',
        event: 'identity.override',
        at: p.at,
        roomId: p.roomId,
        sessionId: p.sessionId,
        seat: p.seat,
        idNumber: p.idNumber,
        params: { by: p.by, reason: p.reason, kioskId: p.kioskId, attemptId: p.attemptId },
        key: `override:${p.attemptId}`,
      }),
    ),
    on('seat.check', (p) => seatVerdict('seat.check', p)),
    on('terminal.snapshot', (p) => {
      if (p.identity === 'unchecked') return;
      seatVerdict('terminal.snapshot', {
        terminalId: p.terminalId,
        roomId: p.roomId,
        sessionId: p.sessionId,
        idNumber: p.idNumber,
        identity: p.identity,
        distance: p.distance,
        detail: p.detail,
        at: p.at,
        snapshotId: p.snapshotId,
      });
    }),
    on('terminal.offline', (p) => {
      // Nobody answering there (no one logged in, or the paper is in): the seat map shows the terminal
      // offline; it is no exam alert. A reload or a blip comes back within the grace: wait for it.
      if (!p.answering || !p.sessionId || !p.idNumber) return;
      const offline: Raise = {
        kind: 'terminal_offline',
        severity: 'warning',
        event: 'terminal.offline',
        at: p.since,
        roomId: p.roomId,
        sessionId: p.sessionId,
        seat: p.seat,
        terminalId: p.terminalId,
        idNumber: p.idNumber,
        params: { since: p.since },
        key: `offline:${p.terminalId}`,
      };
      cancelGrace(p.terminalId);
      if (deps.reconnectGraceMs <= 0) return void raise(offline);
      const timer = setTimeout(() => {
        graces.delete(p.terminalId);
        try {
          raise(offline);
        } catch (err) {
          deps.log?.error({ err, event: 'terminal.offline' }, 'raising a proctor alert failed');
        }
      }, deps.reconnectGraceMs);
      timer.unref();
      graces.set(p.terminalId, { timer, offline });
    }),
    on('terminal.online', (p) => {
      const waiting = graces.get(p.terminalId);
      if (!waiting) return clear(`offline:${p.terminalId}`, clock.now());
      cancelGrace(p.terminalId);
      const now = clock.now();
      const o = waiting.offline;
      const downMs = Math.max(0, now - o.at);
      raise({
        ...o,
        severity: 'info',
        at: now,
        params: { since: o.at, downMs },
        key: `reconnect:${p.terminalId}:${o.sessionId}:${o.idNumber}`,
        resolvedAt: now,
      });
    }),
    on('terminal.integrity', (p) =>
      raise({
        kind: 'integrity',
        severity: 'warning',
        event: 'terminal.integrity',
        at: p.at,
        roomId: p.roomId || null,
        sessionId: p.sessionId,
        terminalId: p.terminalId,
        idNumber: p.idNumber,
        params: { kind: p.kind, kinds: { [p.kind]: 1 }, source: p.source, detail: p.detail, incidentId: p.incidentId },
        // One open alert per seat and candidate whatever the kind: the invigilator walks to one seat.
        key: `integrity:${p.terminalId}:${p.idNumber ?? ''}`,
        merge: (before) => {
          const kinds = { ...((before.kinds as Record<string, number> | undefined) ?? { [String(before.kind)]: 1 }) };
          // Re-inserted so the newest kind reads last.
          const n = (kinds[p.kind] ?? 0) + 1;
          delete kinds[p.kind];
          kinds[p.kind] = n;
          return { kind: p.kind, kinds, source: p.source, detail: p.detail, incidentId: p.incidentId };
        },
      }),
    ),
    on('camera.down', (p) => {
      // A screen stream ends whenever its terminal stops sharing (submitted, closed, reconnecting): the
      // appliance removing that source is no fault, and a terminal that vanished has its own alert.
      if (p.kind === 'screen' && p.stopped) return;
      raise({
        kind: 'camera_down',
        severity: p.kind === 'camera' ? 'critical' : 'warning',
        event: 'camera.down',
        at: p.at,
        roomId: p.room,
        sourceId: p.sourceId,
        terminalId: p.kind === 'screen' && p.sourceId.startsWith('SCREEN-') ? p.sourceId.slice('SCREEN-'.length) : null,
        // The site's name for the camera (第二考场前方) reads better than its id; both are shown.
        // Media hides a camera's credentials in the reason; hidden again here, as every alert reaches invigilators and inspectors.
        params: { kind: p.kind, reason: redactText(p.reason), ...(p.name ? { name: p.name } : {}) },
        key: `camera:${p.sourceId}`,
      });
    }),
    on('camera.up', (p) => clear(`camera:${p.sourceId}`, p.at)),
    on('terminal.move_requested', (p) => {
      const who = deps.candidate(p.sessionId, p.idNumber);
      const toSeat = deps.seatOfTerminal(p.toTerminal);
      raise({
        kind: 'move_requested',
        // The candidate is answering at their own terminal while someone asks to take over their attempt.
        severity: p.contested ? 'critical' : 'warning',
        event: 'terminal.move_requested',
        at: clock.now(),
        roomId: p.roomId,
        sessionId: p.sessionId,
        // The seat where the candidate stands now: that is where the invigilator goes to look.
        seat: toSeat,
        terminalId: p.toTerminal,
        idNumber: p.idNumber,
        params: {
          moveId: p.moveId,
          name: who?.name ?? null,
          ticketNo: who?.ticketNo ?? null,
          fromTerminal: p.fromTerminal,
          fromSeat: who?.seat ?? (p.fromTerminal ? deps.seatOfTerminal(p.fromTerminal) : null),
          toTerminal: p.toTerminal,
          toSeat,
          contested: p.contested ?? null,
        },
        key: `move:${p.moveId}`,
      });
    }),
    // One alert per lock: further attempts at a locked terminal are not counted, so nothing repeats it.
    on('terminal.login_locked', (p) =>
      raise({
        kind: 'login_locked',
        severity: 'critical',
        event: 'terminal.login_locked',
        at: p.at,
        roomId: p.roomId,
        sessionId: p.sessionId,
        seat: p.seat,
        terminalId: p.terminalId,
        params: { failures: p.failures, windowMinutes: p.windowMinutes },
        key: `login_locked:${p.terminalId}`,
      }),
    ),
    on('terminal.login_unlocked', (p) => {
      const key = `login_locked:${p.terminalId}`;
      stmt("UPDATE proctor_alerts SET params = json_set(params, '$.unlockedBy', ?) WHERE dedupe_key = ? AND cleared_at IS NULL").run(p.by, key);
      settle(key, p.at, p.by, '已到场核实并解锁考试机登录');
    }),
    on('terminal.move_decided', (p) => {
      const key = `move:${p.moveId}`;
      // The outcome rides in params so the console can word it in either language.
      stmt("UPDATE proctor_alerts SET params = json_set(params, '$.decision', ?, '$.decidedBy', ?) WHERE dedupe_key = ? AND cleared_at IS NULL").run(
        p.status,
        p.by,
        key,
      );
      if (p.status === 'withdrawn') return clear(key, clock.now());
      settle(key, clock.now(), p.by, p.status === 'approved' ? `已批准换机，在考试机 ${p.toTerminal} 继续作答` : '已拒绝换机，请回原座位');
    }),
    on('disk.forecast', (p) => {
      if (p.ok) return clear('disk_forecast', p.at);
      raise({
        kind: 'disk_forecast',
        severity: 'warning',
        event: 'disk.forecast',
        at: p.at,
        roomId: null,
        params: {
          path: p.path,
          freeBytes: p.freeBytes,
          needBytes: p.needBytes,
          bytesPerDay: p.bytesPerDay,
          days: p.days,
          hotDays: p.hotDays,
          daysUntilFull: p.daysUntilFull,
          fullMonth: p.fullMonth ?? null,
        },
        key: 'disk_forecast',
      });
    }),
    // The object-store tier (storage/tier/): a backlog waiting on the local disk, and evidence in the store
    // that no longer reads as written. Both are the site's, not a room's.
    on('tier.backlog', (p) => {
      if (p.ok) return clear('tier_backlog', p.at);
      raise({
        kind: 'tier_backlog',
        severity: 'warning',
        event: 'tier.backlog',
        at: p.at,
        roomId: null,
        params: { waitingBytes: p.waitingBytes, daysLeft: p.daysLeft },
        key: 'tier_backlog',
      });
    }),
    on('tier.integrity', (p) =>
      raise({
        kind: 'tier_integrity',
        severity: 'critical',
        event: 'tier.integrity',
        at: p.at,
        roomId: null,
        params: { key: p.key, versionId: p.versionId, path: p.path, result: p.result },
        key: `tier_integrity:${p.key}`,
      }),
    ),
    // The invigilator found someone else at a seat (proctor/seat-identity.ts): the chief examiner must come.
    on('seat.identity', (p) => {
      if (p.change !== 'not_the_person') return;
      raise({
        kind: 'seat_not_the_person',
        severity: 'critical',
        event: 'seat.identity',
        at: clock.now(),
        roomId: p.roomId,
        sessionId: p.sessionId,
        seat: p.seat,
        terminalId: p.terminalId ?? null,
        idNumber: p.idNumber,
        params: { checkId: p.checkId, incidentId: p.incidentId ?? null, by: p.by ?? null, locked: p.locked === true, paused: p.paused === true },
        key: `not_the_person:${p.checkId}`,
      });
    }),
    on('disk.low', (p) =>
      raise({
        kind: 'disk_low',
        severity: 'critical',
        event: 'disk.low',
        at: p.at,
        roomId: null,
        params: { path: p.path, freeBytes: p.freeBytes, minFreeBytes: p.minFreeBytes, recordingStopped: p.recordingStopped },
        key: 'disk_low',
      }),
    ),
  ];

  return {
    get,
    raise,

    /**
     * Latest first (a folded repeat moves its alert up). rooms null = every room; site-wide alerts
     * (room null) are always included. open: true = needs a person (neither acknowledged nor resolved
     * by itself); false = handled either way; resolvedSince adds the resolved records since then.
     */
    list(f: { rooms: string[] | null; since?: number; until?: number; open?: boolean; sessionId?: string; limit?: number; resolvedSince?: number }): Alert[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (f.rooms) {
        where.push(`(room_id IS NULL OR room_id IN (${f.rooms.map(() => '?').join(',') || "''"}))`);
        args.push(...f.rooms);
      }
      if (f.since !== undefined) where.push('last_at >= ?'), args.push(f.since);
      if (f.until !== undefined) where.push('at <= ?'), args.push(f.until);
      if (f.open !== undefined) {
        const open = 'acked_at IS NULL AND resolved_at IS NULL';
        if (!f.open) where.push(`NOT (${open})`);
        else if (f.resolvedSince !== undefined) where.push(`(${open} OR resolved_at >= ?)`), args.push(f.resolvedSince);
        else where.push(open);
      }
      if (f.sessionId) where.push('session_id = ?'), args.push(f.sessionId);
      const sql = `SELECT * FROM proctor_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_at DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, f.limit ?? 500) as Row[]).map(toAlert);
    },

    /** Alerts of a session (open: still needing a person); resolved records are no alert and never counted. */
    count(f: { sessionId: string; open?: boolean }): number {
      const open = f.open ? ' AND acked_at IS NULL' : '';
      return (stmt(`SELECT COUNT(*) AS n FROM proctor_alerts WHERE session_id = ? AND resolved_at IS NULL${open}`).get(f.sessionId) as { n: number }).n;
    },

    openCount(rooms: string[] | null): number {
      if (!rooms) return (stmt('SELECT COUNT(*) AS n FROM proctor_alerts WHERE acked_at IS NULL AND resolved_at IS NULL').get() as { n: number }).n;
      const sql = `SELECT COUNT(*) AS n FROM proctor_alerts WHERE acked_at IS NULL AND resolved_at IS NULL AND (room_id IS NULL OR room_id IN (${rooms.map(() => '?').join(',') || "''"}))`;
      return (db.prepare(sql).get(...rooms) as { n: number }).n;
    },

    /** Open alerts per candidate of a session (for the seat map's badges). */
    openBySession(sessionId: string): Map<string, number> {
      const rows = stmt(
        'SELECT id_number AS idNumber, COUNT(*) AS n FROM proctor_alerts WHERE session_id = ? AND acked_at IS NULL AND resolved_at IS NULL AND id_number IS NOT NULL GROUP BY id_number',
      ).all(sessionId) as { idNumber: string; n: number }[];
      return new Map(rows.map((r) => [r.idNumber, r.n]));
    },

    /** Acknowledges with a note; durable (and audited) before the reply and the push. */
    ack(id: string, note: string, actor: string, ip: string | null = null): Alert {
      const a = get(id);
      if (a.acknowledged)
        throw new Conflict(
          `alert ${id} was already acknowledged by ${a.acknowledged.by} at ${new Date(a.acknowledged.at).toISOString()}`,
          'already_acknowledged',
          {
            by: a.acknowledged.by,
          },
        );
      if (a.resolvedAt !== null)
        throw new Conflict(`alert ${id} resolved by itself at ${new Date(a.resolvedAt).toISOString()}; there is nothing to acknowledge`);
      const now = clock.now();
      db.transaction(() => {
        const r = stmt('UPDATE proctor_alerts SET acked_by = ?, acked_at = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL').run(actor, now, note, id);
        if (r.changes !== 1) throw new Conflict(`alert ${id} was acknowledged by someone else just now`);
        audit.append({
          actor,
          action: 'proctor.alert.ack',
          target: id,
          detail: { kind: a.kind, room: a.roomId, session: a.sessionId, seat: a.seat, note },
          ip,
        });
      }).immediate();
      bus.emit('proctor.alert', { alertId: id, roomId: a.roomId, change: 'ack' });
      return get(id);
    },

    /**
     * Acknowledges several alerts with one note, in one transaction, each audited as a single ack is
     * (detail.batch says how many went together). The caller has checked every id exists and may be
     * acted on. Ones already acknowledged (a colleague was quicker) or resolved by themselves are
     * skipped and returned as such, so a stale selection never fails the rest.
     */
    ackMany(ids: readonly string[], note: string, actor: string, ip: string | null = null): { acknowledged: Alert[]; skipped: Alert[] } {
      const unique = [...new Set(ids)];
      const now = clock.now();
      const done: Alert[] = [];
      const skipped: Alert[] = [];
      db.transaction(() => {
        const todo = unique.map(get).filter((a) => (a.acknowledged || a.resolvedAt !== null ? (skipped.push(a), false) : true));
        for (const a of todo) {
          stmt('UPDATE proctor_alerts SET acked_by = ?, acked_at = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL').run(actor, now, note, a.id);
          audit.append({
            actor,
            action: 'proctor.alert.ack',
            target: a.id,
            detail: { kind: a.kind, room: a.roomId, session: a.sessionId, seat: a.seat, note, batch: todo.length },
            ip,
          });
          done.push(a);
        }
      }).immediate();
      for (const a of done) bus.emit('proctor.alert', { alertId: a.id, roomId: a.roomId, change: 'ack' });
      return { acknowledged: done.map((a) => get(a.id)), skipped };
    },

    stop(): void {
      for (const off of offs.splice(0)) off();
      for (const id of [...graces.keys()]) cancelGrace(id);
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
