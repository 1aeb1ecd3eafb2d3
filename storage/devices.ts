// Paired devices (kiosks, terminals) and pending pairing requests, as rows.
import type { Clock, DeviceKind } from '../core/index.ts';
import type { Db } from './db.ts';

export interface Device {
  id: string;
  kind: DeviceKind;
  tokenHash: string | null;
  pairedAt: number | null;
  approvedBy: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
  lastSeenAt: number | null;
  lastIp: string | null;
  /** When the current token was minted (pairing or rotation). */
  tokenIssuedAt: number | null;
  /** When a token of this device last authenticated a request or connection (noted at most once a minute). */
  tokenUsedAt: number | null;
  /** The token a rotation replaced, valid until prevTokenUntil (null: until the new one is first used). */
  prevTokenHash: string | null;
  prevTokenUntil: number | null;
  /** When an expired token of this device was first refused; cleared by pairing again. */
  tokenExpiredAt: number | null;
}

export type PairingStatus = 'pending' | 'approved' | 'collected' | 'rejected';
export interface Pairing {
  id: string;
  kind: DeviceKind;
  code: string;
  claimedId: string | null;
  pollSecretHash: string;
  requestedAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
  status: PairingStatus;
  deviceId: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  /** When the requesting page last asked for its status (the request time until its first poll). */
  polledAt: number;
}

const deviceCols = `id, kind, token_hash AS tokenHash, paired_at AS pairedAt, approved_by AS approvedBy, revoked_at AS revokedAt,
  revoked_by AS revokedBy, last_seen_at AS lastSeenAt, last_ip AS lastIp, token_issued_at AS tokenIssuedAt, token_used_at AS tokenUsedAt,
  prev_token_hash AS prevTokenHash, prev_token_until AS prevTokenUntil, token_expired_at AS tokenExpiredAt`;
const pairingCols = `id, kind, code, claimed_id AS claimedId, poll_secret_hash AS pollSecretHash, requested_at AS requestedAt,
  expires_at AS expiresAt, ip, user_agent AS userAgent, status, device_id AS deviceId, decided_by AS decidedBy, decided_at AS decidedAt,
  COALESCE(polled_at, requested_at) AS polledAt`;

export function createDeviceStore(db: Db, clock: Clock) {
  return {
    list(): Device[] {
      return db.prepare(`SELECT ${deviceCols} FROM devices ORDER BY kind, id`).all() as Device[];
    },
    byId(id: string): Device | null {
      return (db.prepare(`SELECT ${deviceCols} FROM devices WHERE id = ?`).get(id) as Device | undefined) ?? null;
    },
    byTokenHash(hash: string): Device | null {
      return (db.prepare(`SELECT ${deviceCols} FROM devices WHERE token_hash = ? AND revoked_at IS NULL`).get(hash) as Device | undefined) ?? null;
    },
    /** The device whose token a rotation replaced, while that token is still valid (see rotateToken). */
    byPrevTokenHash(hash: string): Device | null {
      return (
        (db
          .prepare(
            `SELECT ${deviceCols} FROM devices WHERE prev_token_hash = ? AND revoked_at IS NULL AND token_hash IS NOT NULL AND (prev_token_until IS NULL OR prev_token_until > ?)`,
          )
          .get(hash, clock.now()) as Device | undefined) ?? null
      );
    },
    /** Issues (or re-issues, replacing any old token) the token of a device. */
    issueToken(id: string, kind: DeviceKind, tokenHash: string, approvedBy: string): void {
      const now = clock.now();
      db.prepare(
        `INSERT INTO devices (id, kind, token_hash, paired_at, approved_by, token_issued_at, token_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, token_hash = excluded.token_hash, paired_at = excluded.paired_at,
           approved_by = excluded.approved_by, revoked_at = NULL, revoked_by = NULL, token_issued_at = excluded.token_issued_at,
           token_used_at = excluded.token_used_at, prev_token_hash = NULL, prev_token_until = NULL, token_expired_at = NULL`,
      ).run(id, kind, tokenHash, now, approvedBy, now, now);
    },
    /**
     * Replaces the device's token by a new one; `keepHash` (the token the device holds now) stays valid
     * until the new one is first used (confirmToken), then for the grace period.
     */
    rotateToken(id: string, tokenHash: string, keepHash: string): void {
      db.prepare('UPDATE devices SET token_hash = ?, token_issued_at = ?, prev_token_hash = ?, prev_token_until = NULL WHERE id = ?').run(
        tokenHash,
        clock.now(),
        keepHash,
        id,
      );
    },
    /** The new token was used: the previous one lives on until `until` only. */
    confirmToken(id: string, until: number): void {
      db.prepare('UPDATE devices SET prev_token_until = ? WHERE id = ? AND prev_token_hash IS NOT NULL AND prev_token_until IS NULL').run(until, id);
    },
    markTokenUsed(id: string, at: number): void {
      db.prepare('UPDATE devices SET token_used_at = ? WHERE id = ?').run(at, id);
    },
    markTokenExpired(id: string, at: number): void {
      db.prepare('UPDATE devices SET token_expired_at = ? WHERE id = ? AND token_expired_at IS NULL').run(at, id);
    },
    revoke(id: string, by: string): void {
      db.prepare('UPDATE devices SET token_hash = NULL, prev_token_hash = NULL, prev_token_until = NULL, revoked_at = ?, revoked_by = ? WHERE id = ?').run(
        clock.now(),
        by,
        id,
      );
    },
    /** ip null keeps the address last seen (a socket closing says when, not from where). */
    touch(id: string, ip: string | null): void {
      db.prepare('UPDATE devices SET last_seen_at = ?, last_ip = COALESCE(?, last_ip) WHERE id = ?').run(clock.now(), ip, id);
    },
    /** Replaces the device's latest health report (terminal/protocol.ts DeviceHealthT, as JSON). */
    putHealth(id: string, report: object, reportedAt: number): void {
      db.prepare(
        `INSERT INTO device_health (device_id, report, reported_at) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET report = excluded.report, reported_at = excluded.reported_at`,
      ).run(id, JSON.stringify(report), reportedAt);
    },
    /** Every device's latest health report, parsed, by device id. */
    healthReports(): Map<string, unknown> {
      const rows = db.prepare('SELECT device_id AS id, report FROM device_health').all() as { id: string; report: string }[];
      return new Map(rows.map((r) => [r.id, JSON.parse(r.report) as unknown]));
    },
    insertPairing(p: Omit<Pairing, 'status' | 'deviceId' | 'decidedBy' | 'decidedAt' | 'polledAt'>): void {
      db.prepare(
        `INSERT INTO device_pairings (id, kind, code, claimed_id, poll_secret_hash, requested_at, expires_at, ip, user_agent, polled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(p.id, p.kind, p.code, p.claimedId, p.pollSecretHash, p.requestedAt, p.expiresAt, p.ip, p.userAgent, p.requestedAt);
    },
    /** The requesting page asked for its status now (server time). */
    markPolled(id: string): void {
      db.prepare('UPDATE device_pairings SET polled_at = ? WHERE id = ?').run(clock.now(), id);
    },
    pairingById(id: string): Pairing | null {
      return (db.prepare(`SELECT ${pairingCols} FROM device_pairings WHERE id = ?`).get(id) as Pairing | undefined) ?? null;
    },
    pendingByCode(code: string): Pairing[] {
      return db
        .prepare(`SELECT ${pairingCols} FROM device_pairings WHERE code = ? AND status = 'pending' AND expires_at > ?`)
        .all(code, clock.now()) as Pairing[];
    },
    pendingPairings(): Pairing[] {
      return db
        .prepare(`SELECT ${pairingCols} FROM device_pairings WHERE status = 'pending' AND expires_at > ? ORDER BY requested_at`)
        .all(clock.now()) as Pairing[];
    },
    decidePairing(id: string, status: 'approved' | 'rejected', deviceId: string | null, by: string): void {
      db.prepare('UPDATE device_pairings SET status = ?, device_id = ?, decided_by = ?, decided_at = ? WHERE id = ?').run(
        status,
        deviceId,
        by,
        clock.now(),
        id,
      );
    },
    markCollected(id: string): void {
      db.prepare("UPDATE device_pairings SET status = 'collected' WHERE id = ?").run(id);
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
  };
}

export type DeviceStore = ReturnType<typeof createDeviceStore>;
