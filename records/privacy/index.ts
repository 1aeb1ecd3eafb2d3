// Privacy of face data (issue 23; docs/privacy.md): retention by purpose (the sweep, run with the
// server), the count of people whose face data the site holds against the 100,000 filing duty, the legal
// bases that let face images leave in plain form, and a person's request — export or erase.
// It never deletes evidence still inside retention, and every deletion, export and basis is audited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { iso, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import { createFaceRetention, deletedAnything, type AuditLog, type DataPaths, type Db, type FaceDeletion, type FaceVault } from '../../storage/index.ts';
import type { PersonFiles } from '../people/index.ts';
import { FACE_FILING_THRESHOLD, type FaceErasure, type PrivacyStatus } from '../protocol.ts';
import { createOutboundBases } from './outbound.ts';
import { writePersonExport } from './export.ts';

export { readFaceImage } from './face-image.ts';
export { PERSON_EXPORT_FORMAT, consentsOf } from './export.ts';

export interface PrivacyDeps {
  db: Db;
  clock: Clock;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  people: PersonFiles;
  /** Opens face images for a person's own export. */
  faceVault: FaceVault;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

type Who = { actor: string; ip?: string | null };

export function createPrivacy(deps: PrivacyDeps) {
  const { config, audit } = deps;
  const retention = createFaceRetention({
    db: deps.db,
    clock: deps.clock,
    capturesDir: deps.paths.captures,
    evidenceDays: config.retention.days,
    descriptorDays: config.privacy.descriptorDays,
    timezone: config.site.timezone,
  });
  const outbound = createOutboundBases(deps);
  let lastSweep: { at: number; descriptors: FaceDeletion; evidence: FaceDeletion } | null = null;
  let timer: NodeJS.Timeout | null = null;
  // The count walks every roster, attempt and class row (bench/face-retention.ts: ~0.3–1.5 s at 100,000
  // people on this machine's load): computed at most once a minute, and again after anything deleted.
  let counted: { at: number; value: ReturnType<typeof retention.count> } | null = null;
  const count = () => {
    const now = Date.now();
    if (!counted || now - counted.at > 60_000) counted = { at: now, value: retention.count() };
    return counted.value;
  };

  /** One retention sweep; each kind that removed anything is one audit entry naming the people touched. */
  function sweep(actor = 'system') {
    const r = retention.sweep();
    counted = null;
    for (const [purpose, d] of [
      ['descriptors', r.descriptors],
      ['evidence', r.evidence],
    ] as const) {
      if (!deletedAnything(d)) continue;
      audit.append({
        actor,
        action: 'privacy.retention.deleted',
        target: purpose,
        detail: {
          rule:
            purpose === 'descriptors'
              ? `${config.privacy.descriptorDays} days after the session was graded or the class closed`
              : `${config.retention.days} days (retention.days, with the recordings)`,
          ...d,
        },
      });
    }
    lastSweep = r;
    return r;
  }

  function status(): PrivacyStatus {
    const c = count();
    const warnAt = config.privacy.faceCountWarnAt;
    return {
      faceData: {
        ...c,
        objectStore: null,
        warnAt,
        filingAt: FACE_FILING_THRESHOLD,
        level: c.total >= FACE_FILING_THRESHOLD ? 'filing' : c.total >= warnAt ? 'warn' : 'ok',
      },
      retention: {
        descriptorDays: config.privacy.descriptorDays,
        evidenceDays: config.retention.days,
        sweepMinutes: config.privacy.sweepMinutes,
        lastSweep: lastSweep ? { at: iso(lastSweep.at), descriptors: lastSweep.descriptors, evidence: lastSweep.evidence } : null,
      },
      // The reporting config asks for photos (reporting.send.photos); they go only with a basis named.
      outbound: outbound.list().map((b) => ({ ...b, asked: b.destination === 'reporting' && config.reporting.url !== null && config.reporting.send.photos })),
      serverTime: iso(deps.clock.now()),
    };
  }

  /** A person's valid request to delete their face data: what no evidence retention holds goes, audited. */
  function erase(rawId: string, reason: string, who: Who): FaceErasure {
    // The person file's check of the number, and NotFound for someone the site never knew.
    const f = deps.people.gather(rawId);
    const r = retention.erasePerson(f.idNumber);
    counted = null;
    const kept = r.kept.map((k) => ({ ...k, until: iso(k.until) }));
    audit.append({
      actor: who.actor,
      action: 'privacy.person.erased',
      target: f.idNumber,
      detail: { reason, deleted: r.deleted, kept: kept.length, keptUntil: kept.at(-1)?.until ?? null },
      ip: who.ip ?? null,
    });
    return { idNumber: f.idNumber, deleted: r.deleted, kept };
  }

  /** The person's export written to `out`, audited as handing face data out in plain form. */
  async function exportTo(rawId: string, out: string, who: Who) {
    const f = deps.people.gather(rawId);
    const written = await writePersonExport(deps, f, out, who.actor);
    audit.append({
      actor: who.actor,
      action: 'privacy.person.export',
      target: f.idNumber,
      detail: { photos: written.photos, members: written.members, bytes: written.bytes, manifestSha256: written.manifestSha256 },
      ip: who.ip ?? null,
    });
    return { idNumber: f.idNumber, ...written };
  }

  /** The export in a private temporary folder, for a reply to stream; `done` removes it. */
  async function exportTemporary(rawId: string, who: Who) {
    const dir = mkdtempSync(join(tmpdir(), 'examroom-person-'));
    try {
      const r = await exportTo(rawId, join(dir, 'export.zip'), who);
      return { ...r, done: () => rmSync(dir, { recursive: true, force: true }) };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  return {
    retention,
    outbound,
    sweep,
    status,
    erase,
    exportTo,
    exportTemporary,
    /** The server's sweep: a minute after start, then every privacy.sweepMinutes (never in the CLI unless asked). */
    start(): () => void {
      const run = () => {
        try {
          sweep();
        } catch (err) {
          deps.log?.error({ err }, 'the face-data retention sweep failed');
        }
      };
      // A minute after start: the appliance is up all day, and a short test app never reaches it.
      const first = setTimeout(run, Math.min(60_000, config.privacy.sweepMinutes * 60_000));
      first.unref();
      timer = setInterval(run, config.privacy.sweepMinutes * 60_000);
      timer.unref();
      return () => {
        clearTimeout(first);
        if (timer) clearInterval(timer);
        timer = null;
      };
    },
  };
}

export type Privacy = ReturnType<typeof createPrivacy>;
