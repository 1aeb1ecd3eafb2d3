// Devices: a kiosk or terminal asks to pair and shows a one-time code; an admin who sees that code on
// the device's screen approves it as a configured kiosk/terminal; the device then collects its token
// once. Tokens are revocable; revocation closes the device's open connections (via the event bus).
import {
  Conflict,
  NotFound,
  ValidationError,
  Forbidden,
  hashSecret,
  localDate,
  newId,
  newPairingCode,
  newSecret,
  type Clock,
  type DeviceKind,
  type EventBus,
} from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditLog, Device, DeviceStore, Pairing } from '../../storage/index.ts';
import { protocol as terminalProtocol } from '../../terminal/index.ts';
// The protocol file only (TypeBox, no service code): the CLI loads this file and must start fast.
import { kioskOfReader, readerDeviceId, type ReaderReport } from '../../kiosk/protocol.ts';

type DeviceHealth = terminalProtocol.DeviceHealth;
type DeviceHealthReport = terminalProtocol.DeviceHealthReport;
type DeviceWarning = terminalProtocol.DeviceWarning;

const PROBLEM_WORDS: Record<terminalProtocol.HealthProblem, string> = {
  no_report: 'has sent no health report (not connected since its page loaded, or an old page)',
  not_secure: 'is not in a secure context (open its page over https:// with the site CA trusted)',
  no_camera: 'has no camera',
  no_screen_capture: 'cannot capture its screen',
  not_whole_screen: 'records a tab or a window, not the whole monitor (start the browser with the provisioning script: docs/exam-pcs.md)',
  not_fullscreen: 'is not full screen (not in kiosk mode)',
  old_app: "runs another build of the app than the server's (reload the page; an old or altered app is refused at log-in)",
  clock_skew: "has a clock far from the server's (set the PC's time; the exam uses the server's clock, the records the PC's too)",
  offline: 'is paired but not connected now (turn the PC on, check its network, reopen the exam page)',
};

export type PairingView = terminalProtocol.PairingView;
export type DeviceView = terminalProtocol.DeviceView;
export type RoomApproval = terminalProtocol.RoomApproval;

export function createDeviceService(deps: {
  devices: DeviceStore;
  audit: AuditLog;
  bus: EventBus;
  clock: Clock;
  config: Config;
  /** Whether the device holds a connection now (the server's sockets and the kiosks' streams); the CLI has none: offline. */
  online?: (deviceId: string) => boolean;
  /** The app build a kiosk/terminal page must run (its entry script's file name); null or absent = not checked. */
  appHashOf?: (kind: 'kiosk' | 'terminal') => string | null;
  /**
   * The seats a room's current session seats candidates at (its roster; absent candidates left out), or null
   * when no session is current there. Devices know no roster: the exam engine does (server/app.ts wires it).
   */
  seatedOf?: (roomId: string) => ReadonlySet<string> | null;
}) {
  const { devices, audit, bus, clock, config } = deps;
  const isOnline = deps.online ?? (() => false);
  /** What a report is held to: the server's own build, the skew limit of the config. */
  const expectOf = (kind: 'kiosk' | 'terminal') => ({ appHash: deps.appHashOf?.(kind) ?? null, maxClockSkewMs: config.examPcs.maxClockSkewSeconds * 1000 });

  /**
   * What the pre-start warning says of a kiosk/terminal now: its last report's problems, and `offline` for a
   * paired terminal without a connection (a report of "ready" says nothing once the PC has gone).
   */
  function problemsOf(kind: 'kiosk' | 'terminal', id: string, paired: boolean, health: DeviceHealth | null): terminalProtocol.HealthProblem[] {
    const problems = terminalProtocol.healthProblems(kind, health, expectOf(kind));
    if (kind !== 'terminal' || !paired || isOnline(id)) return problems;
    // A spare PC switched off is as it should be; its last report is of a day it was on.
    if (spare(id)) return [];
    return ['offline', ...problems.filter((p) => p !== 'no_report')];
  }

  /** A configured terminal whose seat nobody of the room's current session sits at; false when no session is current. */
  function spare(terminalId: string): boolean {
    const t = config.terminals.find((x) => x.id === terminalId);
    const seated = t && deps.seatedOf ? deps.seatedOf(t.room) : null;
    return seated !== null && seated !== undefined && !seated.has(t!.seat);
  }
  /** The row's spare flag: present for a configured terminal of a room with a current session. */
  function spareView(kind: DeviceKind, id: string): { spare?: boolean } {
    if (kind !== 'terminal' || !deps.seatedOf) return {};
    const t = config.terminals.find((x) => x.id === id);
    if (!t || deps.seatedOf(t.room) === null) return {};
    return { spare: spare(id) };
  }

  function configured(kind: DeviceKind, id: string): boolean {
    if (kind === 'reader') {
      // A kiosk's ID-card reader bridge: `K1.reader` for a configured kiosk K1.
      const k = kioskOfReader(id);
      return k !== null && config.kiosks.some((x) => x.id === k);
    }
    return kind === 'terminal' ? config.terminals.some((t) => t.id === id) : config.kiosks.some((k) => k.id === id);
  }

  function knownIds(kind: DeviceKind): string {
    const ids = kind === 'terminal' ? config.terminals.map((d) => d.id) : config.kiosks.map((d) => (kind === 'reader' ? readerDeviceId(d.id) : d.id));
    return ids.join(', ') || '(none configured)';
  }

  /** The reader part of a kiosk's row: its bridge's pairing and connection, and its latest report. */
  type StoredReport = ReaderReport & { reportedAt: number; lastCardServerAt: number | null };
  function readerSummary(kioskId: string, d: Device | null, report: StoredReport | null): NonNullable<DeviceView['cardReader']> {
    const id = readerDeviceId(kioskId);
    const state = !d ? 'unpaired' : d.revokedAt ? 'revoked' : expired(d) ? 'expired' : 'paired';
    return {
      deviceId: id,
      state,
      online: state === 'paired' && isOnline(id),
      reader: report?.state ?? null,
      detail: report?.detail ?? null,
      samId: report?.samId ?? null,
      port: report?.port ?? null,
      photoDecoder: report?.photoDecoder ?? null,
      lastCardAt: report?.lastCardServerAt ?? null,
      reportedAt: report?.reportedAt ?? null,
    };
  }

  function view(
    d: Device | null,
    kind: DeviceKind,
    id: string,
    health: DeviceHealth | null = (devices.healthReports().get(id) as DeviceHealth | undefined) ?? null,
  ): DeviceView {
    const t = config.terminals.find((x) => x.id === id);
    const readerOf = kind === 'kiosk' ? id : kind === 'reader' ? kioskOfReader(id) : null;
    const state = !d ? 'unpaired' : d.revokedAt ? 'revoked' : expired(d) ? 'expired' : 'paired';
    // Only a device holding a token can be connected; a revoked one's sockets were closed.
    const online = state === 'paired' && isOnline(id);
    return {
      id,
      kind,
      configured: configured(kind, id),
      room: t?.room ?? null,
      seat: t?.seat ?? null,
      state,
      pairedAt: d?.pairedAt ?? null,
      approvedBy: d?.approvedBy ?? null,
      revokedAt: d?.revokedAt ?? null,
      online,
      lastSeenAt: online ? clock.now() : (d?.lastSeenAt ?? null),
      lastIp: d?.lastIp ?? null,
      // A reader's stored report is its own shape (kiosk/protocol.ts ReaderReport): it shows as cardReader.
      health: kind === 'reader' ? null : health,
      ...(kind === 'reader' ? {} : { problems: problemsOf(kind, id, state === 'paired', health) }),
      ...spareView(kind, id),
      ...(readerOf
        ? {
            cardReader: readerSummary(
              readerOf,
              kind === 'reader' ? d : devices.byId(readerDeviceId(readerOf)),
              (devices.healthReports().get(readerDeviceId(readerOf)) as StoredReport | undefined) ?? null,
            ),
          }
        : {}),
    };
  }

  const pairingView = (p: Pairing): PairingView => ({
    id: p.id,
    kind: p.kind,
    code: p.code,
    claimedId: p.claimedId,
    requestedAt: p.requestedAt,
    expiresAt: p.expiresAt,
    polledAt: p.polledAt,
    ip: p.ip,
    userAgent: p.userAgent,
  });

  // ---- Token lifetime (docs/security.md "Snapshots on disk and device tokens") ------------------------
  const DAY_MS = 86_400_000;
  const rules = () => config.security.deviceTokens;
  /** The last moment the device used a token: a request, a connection opening or closing, or the ticker seeing it online. */
  const lastUse = (d: Device): number => Math.max(d.tokenUsedAt ?? 0, d.lastSeenAt ?? 0, d.tokenIssuedAt ?? 0, d.pairedAt ?? 0);
  /** Expiry counts only while the device is not connected: a PC holding its socket (an exam under way) never expires. */
  const expired = (d: Device): boolean =>
    d.tokenHash !== null && (d.tokenExpiredAt !== null || (!isOnline(d.id) && clock.now() - lastUse(d) > rules().unusedDays * DAY_MS));
  const rotationDue = (d: Device): boolean => clock.now() - (d.tokenIssuedAt ?? d.pairedAt ?? 0) >= rules().rotateDays * DAY_MS;
  function findByToken(token: string): { device: Device; via: 'current' | 'previous' } | null {
    const hash = hashSecret(token);
    const current = devices.byTokenHash(hash);
    if (current) return { device: current, via: 'current' };
    const previous = devices.byPrevTokenHash(hash);
    return previous ? { device: previous, via: 'previous' } : null;
  }
  const pcName = (d: Device) => `${d.kind === 'terminal' ? 'exam PC' : d.kind === 'reader' ? 'ID-card reader' : 'kiosk'} ${d.id}`;

  // The gone rule reads the server's clock only: the page's own clock never decides.
  const pageGone = (p: Pairing): boolean => clock.now() - p.polledAt > terminalProtocol.PAIRING_GONE_MS;
  const livePending = (): Pairing[] => devices.pendingPairings().filter((p) => !pageGone(p));

  return {
    /** Every configured device and every device that ever paired, with its state. */
    list(): DeviceView[] {
      const stored = new Map(devices.list().map((d) => [d.id, d]));
      const health = devices.healthReports() as Map<string, DeviceHealth>;
      const out: DeviceView[] = [];
      for (const k of config.kiosks) {
        out.push(view(stored.get(k.id) ?? null, 'kiosk', k.id, health.get(k.id) ?? null));
        // A paired reader has a row of its own (revoke it there); an unpaired one shows only on its kiosk's row.
        const r = stored.get(readerDeviceId(k.id));
        if (r) out.push(view(r, 'reader', r.id, null));
      }
      for (const t of config.terminals) out.push(view(stored.get(t.id) ?? null, 'terminal', t.id, health.get(t.id) ?? null));
      for (const d of stored.values()) if (!configured(d.kind, d.id)) out.push(view(d, d.kind, d.id, health.get(d.id) ?? null));
      return out;
    },

    /**
     * Keeps a page's health report as the device's latest (the route has checked its shape). The
     * server stamps it and measures the clock skew itself: the server's clock is the only clock.
     */
    /**
     * Keeps the reader bridge's report as its device's latest (the reader's fields of the one device-health
     * report), stamped with the server's time; a card posted since the last report is timed by the server.
     * Audited when the reader's state changes (connected, unplugged, not authorised), not per card.
     */
    recordReaderReport(deviceId: string, report: ReaderReport): void {
      const kioskId = kioskOfReader(deviceId);
      if (!kioskId) throw new Forbidden(`${deviceId} is not an ID-card reader`);
      const now = clock.now();
      const before = devices.healthReports().get(deviceId) as StoredReport | undefined;
      // The bridge's clock only says "a new card since"; when is the server's.
      // (Ajv may hand a null through as "": both mean "no card yet".)
      const newCard = Boolean(report.lastCardAt) && report.lastCardAt !== before?.lastCardAt;
      const stored: StoredReport = { ...report, reportedAt: now, lastCardServerAt: newCard ? now : (before?.lastCardServerAt ?? null) };
      devices.putHealth(deviceId, stored, now);
      if (before?.state !== report.state || before?.samId !== report.samId) {
        audit.append({
          actor: `device:${deviceId}`,
          action: 'device.reader_state',
          target: kioskId,
          detail: { state: report.state, detail: report.detail, samId: report.samId, port: report.port },
        });
      }
      bus.emit('card_reader.status', {
        kioskId,
        deviceId,
        state: report.state,
        online: true,
        problem: report.problem?.reason ?? null,
        detail: report.problem?.detail ?? report.detail,
        photoDecoder: report.photoDecoder,
      });
    },

    /** The bridge's connection opened or closed: the kiosk screen says "no reader" while it is gone. */
    readerConnection(deviceId: string, online: boolean): void {
      const kioskId = kioskOfReader(deviceId);
      if (!kioskId) return;
      const r = devices.healthReports().get(deviceId) as StoredReport | undefined;
      bus.emit('card_reader.status', {
        kioskId,
        deviceId,
        state: online ? (r?.state ?? 'no_reader') : 'no_reader',
        online,
        problem: null,
        detail: online
          ? (r?.detail ?? 'the reader bridge connected')
          : 'the reader bridge on the kiosk PC is not connected (not running, or the PC cannot reach the appliance)',
        photoDecoder: r?.photoDecoder ?? false,
      });
    },

    /** The reader's latest report as stored (server-stamped), or null. */
    readerReport(kioskId: string): (ReaderReport & { reportedAt: number; lastCardServerAt: number | null }) | null {
      return (devices.healthReports().get(readerDeviceId(kioskId)) as StoredReport | undefined) ?? null;
    },

    recordHealth(deviceId: string, kind: DeviceKind, report: DeviceHealthReport): DeviceHealth {
      if (kind === 'reader') throw new Forbidden('an ID-card reader reports its state on /api/devices/reader-status');
      const now = clock.now();
      const { pageTime, ...fields } = report;
      const health: DeviceHealth = { ...fields, clockSkewMs: Math.round(pageTime - now), reportedAt: now };
      const before = devices.healthReports().get(deviceId) as DeviceHealth | undefined;
      devices.putHealth(deviceId, health, now);
      const problems = terminalProtocol.healthProblems(kind, health, expectOf(kind));
      const was = before ? terminalProtocol.healthProblems(kind, before, expectOf(kind)) : null;
      // Audit only a change of what the console would warn about, not every camera blink's report.
      if (!was || was.join() !== problems.join()) {
        audit.append({
          actor: `device:${deviceId}`,
          action: 'device.health',
          target: deviceId,
          detail: {
            kind,
            problems,
            secureContext: health.secureContext,
            camera: health.camera,
            screenCapture: health.screenCapture.state,
            ...(health.screenCapture.surface ? { surface: health.screenCapture.surface } : {}),
            ...(health.appHash ? { appHash: health.appHash } : {}),
          },
        });
      }
      bus.emit('device.health', { deviceId, kind, problems });
      return health;
    },

    /**
     * Before a session in this room starts: its terminals and the site's kiosks whose latest report
     * says no secure context, no camera or no screen capture (or that never reported). A warning to
     * show, never a reason to refuse the start.
     */
    warningsForRoom(roomId: string): DeviceWarning[] {
      const health = devices.healthReports() as Map<string, DeviceHealth>;
      const out: DeviceWarning[] = [];
      const check = (id: string, kind: 'kiosk' | 'terminal', seat: string | null) => {
        const d = devices.byId(id);
        const problems = problemsOf(kind, id, !!d && !d.revokedAt && !expired(d), health.get(id) ?? null);
        if (problems.length)
          out.push({
            deviceId: id,
            kind,
            seat,
            problems,
            message: `${kind} ${id}${seat ? ` (seat ${seat})` : ''} ${problems.map((p) => PROBLEM_WORDS[p]).join('; ')}`,
          });
      };
      for (const t of config.terminals) if (t.room === roomId) check(t.id, 'terminal', t.seat);
      for (const k of config.kiosks) check(k.id, 'kiosk', null);
      return out;
    },

    requestPairing(kind: DeviceKind, claimedId: string | null, ctx: { ip: string | null; userAgent: string | null }) {
      if (claimedId && !configured(kind, claimedId)) {
        throw new ValidationError([{ path: 'deviceId', problem: `no ${kind} with this id in the config (known: ${knownIds(kind)})`, got: claimedId }]);
      }
      const pollSecret = newSecret();
      const now = clock.now();
      const p = {
        id: newId(now),
        kind,
        code: uniqueCode(),
        claimedId,
        pollSecretHash: hashSecret(pollSecret),
        requestedAt: now,
        expiresAt: now + config.security.pairingMinutes * 60000,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 200) ?? null,
      };
      // A page asking again for the same id from the same address (a reload, a reboot) drops its older
      // requests, so the list never shows two codes of one PC. Another address claiming the id stays:
      // that is a second PC, the duplicate a person must resolve.
      const superseded = claimedId ? devices.pendingPairings().filter((o) => o.kind === kind && o.claimedId === claimedId && o.ip === ctx.ip) : [];
      devices.transaction(() => {
        for (const o of superseded) devices.decidePairing(o.id, 'rejected', null, 'system');
        devices.insertPairing(p);
      });
      audit.append({
        actor: 'anonymous',
        action: 'device.pairing.request',
        target: p.id,
        detail: { kind, claimedId, code: p.code, ...(superseded.length ? { superseded: superseded.map((o) => o.code) } : {}) },
        ip: ctx.ip,
      });
      for (const o of superseded) bus.emit('device.pairing_decided', { pairingId: o.id, kind, status: 'rejected', deviceId: null });
      bus.emit('device.pairing', { pairingId: p.id, kind, code: p.code, claimedId });
      return { pairingId: p.id, pollSecret, code: p.code, expiresAt: p.expiresAt };
    },

    /** Pending requests whose page still asks for its status (a closed page's request is left out). */
    pending(): PairingView[] {
      return livePending().map(pairingView);
    },

    /** The admin types the code the device shows; `deviceId` picks which configured device it becomes. */
    approve(code: string, deviceId: string | null, actor: string, ip: string | null = null): { pairing: PairingView; device: DeviceView } {
      return devices.transaction(() => {
        const all = devices.pendingByCode(code.trim());
        const matches = all.filter((p) => !pageGone(p));
        if (matches.length === 0 && all.length > 0)
          throw new Conflict(
            `the page that showed code ${code} was closed (it has not asked for its status for ${Math.round((clock.now() - all[0]!.polledAt) / 1000)} s); approve the code the PC's screen shows now`,
          );
        if (matches.length === 0)
          throw new NotFound(`no pending pairing request shows code ${code} (it may have expired; the device shows a new code after a restart)`);
        if (matches.length > 1)
          throw new Conflict(`${matches.length} devices show code ${code}; reject the ones you do not recognise and ask the device to request again`);
        const p = matches[0]!;
        const id = deviceId ?? p.claimedId;
        if (!id) throw new ValidationError([{ path: 'deviceId', problem: `say which ${p.kind} this device is (known: ${knownIds(p.kind)})` }]);
        if (!configured(p.kind, id))
          throw new ValidationError([{ path: 'deviceId', problem: `no ${p.kind} with this id in the config (known: ${knownIds(p.kind)})`, got: id }]);
        devices.decidePairing(p.id, 'approved', id, actor);
        audit.append({ actor, action: 'device.approve', target: id, detail: { pairingId: p.id, kind: p.kind, code: p.code, requestIp: p.ip }, ip });
        bus.emit('device.pairing_decided', { pairingId: p.id, kind: p.kind, status: 'approved', deviceId: id });
        return { pairing: pairingView(p), device: view(devices.byId(id), p.kind, id) };
      });
    },

    /**
     * Approves, in one transaction and one audited call, every pending terminal request whose `?device=`
     * id is one of this room's configured terminals — and only where that is unambiguous. Left for a
     * person, with the reason: a request naming no id, an id the config does not know, an id of another
     * room, a kiosk, and duplicates: two requests claiming the same id, or an id that already holds a
     * token (approving would silently replace a working PC's token with an unknown one's).
     */
    approveRoom(roomId: string, actor: string, ip: string | null = null): RoomApproval {
      const room = config.rooms.find((r) => r.id === roomId);
      if (!room) throw new NotFound(`no room ${roomId} in the config (rooms: ${config.rooms.map((r) => r.id).join(', ')})`);
      return devices.transaction(() => {
        // A closed page's request is no PC at all: ignored, so it neither gets approved nor makes the
        // live request beside it look like a duplicate.
        const pending = livePending();
        const claims = new Map<string, number>();
        for (const p of pending) if (p.claimedId) claims.set(`${p.kind}:${p.claimedId}`, (claims.get(`${p.kind}:${p.claimedId}`) ?? 0) + 1);
        const approved: RoomApproval['approved'] = [];
        const left: RoomApproval['left'] = [];
        const leave = (p: Pairing, reason: terminalProtocol.RoomApprovalLeftReason, message: string) =>
          left.push({ pairing: pairingView(p), reason, message: `code ${p.code}: ${message}` });
        for (const p of pending) {
          const id = p.claimedId;
          const terminal = id ? config.terminals.find((t) => t.id === id) : undefined;
          if (p.kind === 'kiosk') leave(p, 'kiosk', `a kiosk${id ? ` (${id})` : ''} belongs to no room; approve it on its own`);
          else if (!id) leave(p, 'no_device_id', 'the PC named no device id (open its page with ?device=ID); pick its id by hand');
          else if (!terminal) leave(p, 'unknown_id', `no terminal ${id} in the config (known: ${knownIds('terminal')})`);
          else if (terminal.room !== roomId) leave(p, 'other_room', `terminal ${id} is in room ${terminal.room}, not ${roomId}`);
          else if ((claims.get(`terminal:${id}`) ?? 0) > 1)
            leave(
              p,
              'duplicate',
              `${claims.get(`terminal:${id}`)} pending requests claim ${id}; check which PC is at seat ${terminal.seat} and reject the other`,
            );
          else if (devices.byId(id)?.tokenHash && !expired(devices.byId(id)!))
            leave(
              p,
              'duplicate',
              `${id} is already paired; approving would replace the token of the PC that holds it — approve by hand if this PC replaces it`,
            );
          else {
            devices.decidePairing(p.id, 'approved', id, actor);
            audit.append({
              actor,
              action: 'device.approve',
              target: id,
              detail: { pairingId: p.id, kind: p.kind, code: p.code, requestIp: p.ip, room: roomId },
              ip,
            });
            approved.push({ pairing: pairingView(p), deviceId: id, seat: terminal.seat });
          }
        }
        audit.append({
          actor,
          action: 'device.approve_room',
          target: roomId,
          detail: {
            approved: approved.map((a) => a.deviceId),
            left: left.map((l) => ({ code: l.pairing.code, claimedId: l.pairing.claimedId, reason: l.reason })),
          },
          ip,
        });
        for (const a of approved) bus.emit('device.pairing_decided', { pairingId: a.pairing.id, kind: 'terminal', status: 'approved', deviceId: a.deviceId });
        return { roomId, approved, left };
      });
    },

    reject(pairingId: string, actor: string, ip: string | null = null): void {
      const p = devices.pairingById(pairingId);
      if (!p || p.status !== 'pending') throw new NotFound(`no pending pairing request ${pairingId}`);
      devices.decidePairing(p.id, 'rejected', null, actor);
      audit.append({ actor, action: 'device.reject', target: p.id, detail: { kind: p.kind, code: p.code }, ip });
      bus.emit('device.pairing_decided', { pairingId: p.id, kind: p.kind, status: 'rejected', deviceId: null });
    },

    /**
     * The device polls with its secret. The token is minted at this moment and returned exactly once,
     * so it never rests in the database in plain text.
     */
    collect(
      pairingId: string,
      pollSecret: string,
      ip: string | null = null,
    ): { status: 'pending' | 'rejected' | 'expired' } | { status: 'approved'; deviceId: string; kind: DeviceKind; token: string } {
      return devices.transaction(() => {
        const p = devices.pairingById(pairingId);
        if (!p || p.pollSecretHash !== hashSecret(pollSecret)) throw new Forbidden('unknown pairing request or wrong secret');
        if (p.status === 'rejected') return { status: 'rejected' as const };
        if (p.status === 'collected') throw new Conflict('this pairing was already collected; request a new one');
        if (p.status === 'pending') {
          if (p.expiresAt <= clock.now()) return { status: 'expired' as const };
          devices.markPolled(p.id);
          return { status: 'pending' as const };
        }
        const token = newSecret();
        const previous = devices.byId(p.deviceId!);
        devices.issueToken(p.deviceId!, p.kind, hashSecret(token), p.decidedBy ?? 'unknown');
        devices.markCollected(p.id);
        audit.append({
          actor: `device:${p.deviceId}`,
          action: 'device.paired',
          target: p.deviceId,
          detail: { kind: p.kind, pairingId: p.id, replacedToken: Boolean(previous?.tokenHash) },
          ip,
        });
        if (previous?.tokenHash) bus.emit('device.revoked', { deviceId: p.deviceId!, kind: p.kind });
        bus.emit('device.paired', { deviceId: p.deviceId!, kind: p.kind });
        return { status: 'approved' as const, deviceId: p.deviceId!, kind: p.kind, token };
      });
    },

    revoke(deviceId: string, actor: string, ip: string | null = null): DeviceView {
      const d = devices.byId(deviceId);
      if (!d || !d.tokenHash) throw new NotFound(`device ${deviceId} holds no token (not paired, or already revoked)`);
      devices.revoke(deviceId, actor);
      audit.append({ actor, action: 'device.revoke', target: deviceId, detail: { kind: d.kind }, ip });
      bus.emit('device.revoked', { deviceId, kind: d.kind });
      return view(devices.byId(deviceId), d.kind, deviceId);
    },

    /**
     * The device a token belongs to: its current token, or the one a rotation replaced while that is still
     * valid. Null for an unknown, revoked or expired token (tokenRefusal says which, in words).
     */
    resolveToken(token: string): Device | null {
      const found = findByToken(token);
      if (!found || expired(found.device)) return null;
      const d = found.device;
      const now = clock.now();
      // The new token arrived: the replaced one lives on for the grace period only (a reload, a request in flight).
      if (found.via === 'current' && d.prevTokenHash && d.prevTokenUntil === null) devices.confirmToken(d.id, now + rules().graceMinutes * 60_000);
      if (now - (d.tokenUsedAt ?? 0) >= TOKEN_USE_NOTE_MS) devices.markTokenUsed(d.id, now);
      return d;
    },

    /**
     * Why a token the device sent is refused, in words for the IT person at the PC; null when the token is
     * simply unknown (never issued, or revoked: its hash is gone). An expired token is audited once.
     */
    tokenRefusal(token: string, ip: string | null = null): string | null {
      const found = findByToken(token);
      if (!found || !expired(found.device)) return null;
      const d = found.device;
      if (d.tokenExpiredAt === null) {
        devices.markTokenExpired(d.id, clock.now());
        audit.append({
          actor: `device:${d.id}`,
          action: 'device.token_expired',
          target: d.id,
          detail: { kind: d.kind, lastUsedAt: lastUse(d), unusedDays: rules().unusedDays },
          ip,
        });
      }
      return `the device token of ${pcName(d)} has expired: it was not used for more than ${rules().unusedDays} days (last used ${localDate(lastUse(d), config.site.timezone)}); an IT person must pair this PC again (admin console, Devices)`;
    },

    /**
     * A new token for a connected device whose token is due (config security.deviceTokens.rotateDays). The
     * token it holds stays valid until the new one is first used, then for graceMinutes, so a reload during
     * the rotation never unpairs it. Asked for by the device's page when the server tells it over its socket.
     */
    rotate(deviceId: string, presented: string, ip: string | null = null): { deviceId: string; kind: DeviceKind; token: string; issuedAt: number } {
      return devices.transaction(() => {
        const d = devices.byId(deviceId);
        if (!d?.tokenHash) throw new NotFound(`device ${deviceId} holds no token (not paired, or revoked)`);
        if (!isOnline(deviceId))
          throw new Conflict('a device token is replaced only while its device is connected (its exam socket or event stream open); connect first');
        const now = clock.now();
        const viaPrevious = hashSecret(presented) !== d.tokenHash;
        if (viaPrevious) {
          // Two answers racing to set the cookie could leave the page with the older one: one rotation at a time.
          if (d.prevTokenUntil !== null) throw new Conflict('this page sent the token a rotation replaced; the new one is in use already (reload the page)');
          if (now - (d.tokenIssuedAt ?? 0) < ROTATION_RETRY_MS)
            throw new Conflict('a rotation of this device token is under way; its answer carries the new token');
          // Else the new token never arrived (its answer was lost): another replaces it, the held one stays valid.
        } else if (!rotationDue(d)) {
          throw new Conflict(
            `this device token was issued ${Math.floor((now - (d.tokenIssuedAt ?? 0)) / DAY_MS)} days ago; it is replaced after ${rules().rotateDays} days`,
          );
        }
        const token = newSecret();
        devices.rotateToken(deviceId, hashSecret(token), viaPrevious ? d.prevTokenHash! : d.tokenHash);
        audit.append({
          actor: `device:${deviceId}`,
          action: 'device.token_rotated',
          target: deviceId,
          detail: { kind: d.kind, previousIssuedAt: d.tokenIssuedAt, ...(viaPrevious ? { retry: true } : {}) },
          ip,
        });
        return { deviceId, kind: d.kind, token, issuedAt: now };
      });
    },

    /** Tells a connected device whose token is due to fetch a new one (event device.token_due; its socket carries it). */
    offerRotation(deviceId: string): boolean {
      const d = devices.byId(deviceId);
      if (!d?.tokenHash || d.revokedAt || !isOnline(deviceId) || !rotationDue(d)) return false;
      bus.emit('device.token_due', { deviceId, kind: d.kind });
      return true;
    },

    /**
     * Run every few minutes: a connected device counts as using its token (so a server that stops
     * without hearing its sockets close never expires a PC that was connected), and connected devices
     * whose token is due are told to rotate. Returns the ids offered a rotation.
     */
    tickTokens(): string[] {
      const now = clock.now();
      const offered: string[] = [];
      for (const d of devices.list()) {
        if (!d.tokenHash || d.revokedAt || !isOnline(d.id)) continue;
        if (now - (d.tokenUsedAt ?? 0) >= TOKEN_USE_NOTE_MS) devices.markTokenUsed(d.id, now);
        if (rotationDue(d)) {
          bus.emit('device.token_due', { deviceId: d.id, kind: d.kind });
          offered.push(d.id);
        }
      }
      return offered;
    },

    touch(deviceId: string, ip: string | null): void {
      devices.touch(deviceId, ip);
    },
  };

  function uniqueCode(): string {
    // Codes only need to be unique among the few pending at once; retry on the rare clash.
    for (;;) {
      const code = newPairingCode(6);
      if (devices.pendingByCode(code).length === 0) return code;
    }
  }
}

export type DeviceService = ReturnType<typeof createDeviceService>;

/** A token's use is written at most this often (every request authenticates; a write each would be waste). */
const TOKEN_USE_NOTE_MS = 60_000;
/** A rotation asked for with the replaced token this soon after the last is refused: its answer is on the way. */
const ROTATION_RETRY_MS = 60_000;
/** How often the server looks at the connected devices' tokens (server/app.ts runs tickTokens). */
export const TOKEN_TICK_MS = 10 * 60_000;
