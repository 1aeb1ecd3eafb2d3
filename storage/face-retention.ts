// Face data kept by purpose (issue 23; 人脸识别技术应用安全管理办法: no longer than the purpose needs).
// Two purposes, two clocks: a descriptor serves only the identity checks of its exam session or training
// class, so it goes `descriptorDays` after the session is graded or the class closes; a face image is
// evidence of who sat the exam, kept like the recordings (retention.days, ≥ 3 years) and deleted with
// them. A person's own request deletes what no evidence retention holds. Like retention.ts, this is one
// of storage's listed crossings: it deletes in the kiosk's, terminal's and exam engine's tables because
// retention is one rule across them (docs/architecture.md "Privacy"); it never decides who may ask.
import { unlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { localDate, type Clock } from '../core/index.ts';
import type { Db } from './db.ts';
import { DAY_MS } from './retention.ts';

export interface FaceRetentionDeps {
  db: Db;
  clock: Clock;
  /** The data folder's captures/: every stored path below is relative to it. */
  capturesDir: string;
  /** Evidence retention: the recordings' `retention.days`. */
  evidenceDays: number;
  /** Descriptors: days after the session is graded or the class closes. */
  descriptorDays: number;
  /** The site's time zone: a class closes at the end of its last day there. */
  timezone: string;
}

/** What one sweep or one erasure removed, by kind; `people` are the ID numbers touched (for the audit entry). */
export interface FaceDeletion {
  descriptors: number;
  enrolments: number;
  captures: number;
  cardPhotos: number;
  snapshots: number;
  rosterPhotos: number;
  people: string[];
}

/** A piece of a person's face data a request could not delete, and until when evidence retention holds it. */
export interface KeptForEvidence {
  kind: 'capture' | 'card_photo' | 'snapshot' | 'roster_photo';
  /** The session or class it is evidence of. */
  of: string;
  until: number;
}

export interface FaceDataCount {
  /** Distinct people with face data in the database or the captures folder. */
  local: number;
  /** Distinct people on the rosters of sessions with an archive (the archives hold their photos). */
  archived: number;
  /** Both together, each person once: the figure the 100,000 filing duty is about. */
  total: number;
}

/**
 * face_enrolments.reason of a row kept after its descriptor was deleted (status 'refused', no descriptor):
 * staff see why the photo has none, and the kiosk never enrols a photo whose owner asked for erasure
 * again on its own. The row names only the photo file, which evidence retention keeps anyway.
 */
export const ENROLMENT_ERASED = 'erased';
export const ENROLMENT_RETENTION_DELETED = 'deleted';

const empty = (): FaceDeletion => ({ descriptors: 0, enrolments: 0, captures: 0, cardPhotos: 0, snapshots: 0, rosterPhotos: 0, people: [] });

// When a session's purpose ended: the last grading of it, else its end, else its planned end.
const GRADED_AT = `COALESCE((SELECT MAX(r.graded_at) FROM results r WHERE r.session_id = s.id), s.ended_at, s.starts_at + s.duration_minutes * 60000)`;
// When a session's evidence was made: its actual end, else its planned end.
const ENDED_AT = `COALESCE(s.ended_at, s.starts_at + s.duration_minutes * 60000)`;

/** Seat snapshots deleted per sweep at most: the sweep runs on the server's one thread. */
export const SNAPSHOT_BATCH = 20_000;

export function createFaceRetention(deps: FaceRetentionDeps) {
  const { db } = deps;
  const root = resolve(deps.capturesDir);
  // The photo columns carry no index (nothing else looks rows up by file), so the rows naming a set of
  // photos are found in one pass per table against this per-connection set, never one scan per photo.
  db.exec('CREATE TEMP TABLE IF NOT EXISTS face_photo_set (photo TEXT PRIMARY KEY) WITHOUT ROWID');
  const photoSetAdd = db.prepare('INSERT OR IGNORE INTO temp.face_photo_set (photo) VALUES (?)');
  const IN_SET = '(SELECT photo FROM temp.face_photo_set)';
  /** Runs `fn` with `photos` as temp.face_photo_set (inside the caller's transaction), emptied afterwards. */
  function withPhotoSet<T>(photos: Iterable<string>, fn: () => T): T {
    db.prepare('DELETE FROM temp.face_photo_set').run();
    for (const p of photos) photoSetAdd.run(p);
    try {
      return fn();
    } finally {
      db.prepare('DELETE FROM temp.face_photo_set').run();
    }
  }
  /** Whose photos the set holds: every ID number a row names one of them for. */
  const ownersOfSet = () =>
    (
      db
        .prepare(
          `SELECT id_number FROM roster_entries WHERE photo IN ${IN_SET} UNION SELECT id_number FROM candidates WHERE photo IN ${IN_SET}
           UNION SELECT id_number FROM training_members WHERE photo IN ${IN_SET}
           UNION SELECT id_number FROM identity_attempts WHERE roster_photo IN ${IN_SET} OR card_photo IN ${IN_SET}`,
        )
        .all() as { id_number: string }[]
    ).map((r) => r.id_number);

  /** Removes one stored file; a path that leads out of captures/ is never touched. */
  function removeFile(rel: string): void {
    const file = resolve(root, rel);
    if (!file.startsWith(root + sep)) return;
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** The instants and site dates the rules compare with, all from the one server clock. */
  function cutoffs() {
    const now = deps.clock.now();
    const descriptorCut = now - deps.descriptorDays * DAY_MS;
    const evidenceCut = now - deps.evidenceDays * DAY_MS;
    return {
      now,
      descriptorCut,
      evidenceCut,
      // A class closes at the end of its last day: closed more than N days ago = ends_on before the date N days back.
      descriptorDay: localDate(descriptorCut, deps.timezone),
      evidenceDay: localDate(evidenceCut, deps.timezone),
    };
  }

  // Sessions / classes whose descriptor purpose is still running (not graded, or graded within N days).
  const LIVE_SESSION = `SELECT s.id FROM exam_sessions s WHERE s.status NOT IN ('graded', 'archived') OR ${GRADED_AT} >= @descriptorCut`;
  const LIVE_CLASS = `SELECT id FROM training_classes WHERE ends_on >= @descriptorDay`;
  // A photo file some live purpose still compares faces with (an attempt's roster photo is its roster
  // entry's or class member's file, so those two and the card photos cover every reference), looked up by
  // the photo indexes of migration 030.
  const PHOTO_IN_USE = (col: string) => `(
    EXISTS (SELECT 1 FROM roster_entries e WHERE e.photo = ${col} AND e.session_id IN (${LIVE_SESSION}))
    OR EXISTS (SELECT 1 FROM training_members m WHERE m.photo = ${col} AND m.class_id IN (${LIVE_CLASS}))
    OR EXISTS (SELECT 1 FROM identity_attempts a WHERE a.card_photo = ${col} AND (a.session_id IN (${LIVE_SESSION}) OR a.class_id IN (${LIVE_CLASS}))))`;

  /** Descriptors whose session was graded, or class closed, more than descriptorDays ago. */
  const sweepDescriptors = db.transaction((c: ReturnType<typeof cutoffs>): FaceDeletion => {
    const out = empty();
    const people = new Set<string>();
    const probes = db
      .prepare(
        `SELECT id, id_number AS idNumber FROM identity_attempts WHERE probe_descriptor IS NOT NULL
           AND NOT (COALESCE(session_id IN (${LIVE_SESSION}), 0) OR COALESCE(class_id IN (${LIVE_CLASS}), 0))`,
      )
      .all(c) as { id: string; idNumber: string }[];
    const clear = db.prepare('UPDATE identity_attempts SET probe_descriptor = NULL WHERE id = ?');
    for (const p of probes) {
      clear.run(p.id);
      people.add(p.idNumber);
    }
    out.descriptors = probes.length;
    // An enrolment no live purpose uses goes; one just made (its roster row may not be committed yet) waits.
    // Its row stays as a marker without the descriptor (ENROLMENT_RETENTION_DELETED), so an old session's
    // roster says "deleted", not "pending"; markers themselves are never swept again.
    const enrolments = db
      .prepare(
        `SELECT photo FROM face_enrolments f WHERE f.enrolled_at < @descriptorCut AND COALESCE(f.reason, '') NOT IN ('${ENROLMENT_ERASED}', '${ENROLMENT_RETENTION_DELETED}')
           AND NOT ${PHOTO_IN_USE('f.photo')}`,
      )
      .all(c) as {
      photo: string;
    }[];
    withPhotoSet(
      enrolments.map((e) => e.photo),
      () => {
        for (const id of ownersOfSet()) people.add(id);
        db.prepare(
          `UPDATE face_enrolments SET status = 'refused', descriptor = NULL, quality = NULL, reason = '${ENROLMENT_RETENTION_DELETED}',
             detail = 'descriptor deleted by the retention rule', enrolled_at = @now WHERE photo IN ${IN_SET}`,
        ).run(c);
      },
    );
    out.enrolments = enrolments.length;
    out.people = [...people].sort();
    return out;
  });

  /**
   * Evidence images past retention: kiosk captures and card photos (capture_expires_at, else start +
   * days), seat snapshots (taken + days), and roster/member photos once every session and class that
   * names them ended more than retention.days ago. Files first, then rows (a crash in between leaves
   * rows naming gone files, which the next run clears; never a file no row names).
   */
  function sweepEvidence(c: ReturnType<typeof cutoffs>): FaceDeletion {
    const out = empty();
    const people = new Set<string>();
    const attempts = db
      .prepare(
        `SELECT id, id_number AS idNumber, capture, card_photo AS cardPhoto FROM identity_attempts
         WHERE (capture IS NOT NULL OR card_photo IS NOT NULL) AND capture_expires_at < @now
         UNION ALL
         SELECT id, id_number AS idNumber, capture, card_photo AS cardPhoto FROM identity_attempts
         WHERE (capture IS NOT NULL OR card_photo IS NOT NULL) AND capture_expires_at IS NULL AND started_at < @now - @evidenceMs`,
      )
      .all({ ...c, evidenceMs: deps.evidenceDays * DAY_MS }) as { id: string; idNumber: string; capture: string | null; cardPhoto: string | null }[];
    for (const a of attempts) {
      if (a.capture) removeFile(a.capture);
      if (a.cardPhoto) removeFile(a.cardPhoto);
    }
    db.transaction(() => {
      const st = db.prepare('UPDATE identity_attempts SET capture = NULL, card_photo = NULL, probe_descriptor = NULL WHERE id = ?');
      const enr = db.prepare('DELETE FROM face_enrolments WHERE photo = ?');
      for (const a of attempts) {
        st.run(a.id);
        if (a.cardPhoto) enr.run(a.cardPhoto);
        people.add(a.idNumber);
        if (a.capture) out.captures++;
        if (a.cardPhoto) out.cardPhotos++;
      }
    })();

    const shots = db.prepare('SELECT id, id_number AS idNumber, file FROM terminal_snapshots WHERE at < @evidenceCut ORDER BY at LIMIT @batch').all({
      ...c,
      batch: SNAPSHOT_BATCH,
    }) as {
      id: string;
      idNumber: string;
      file: string;
    }[];
    for (const s of shots) removeFile(s.file);
    db.transaction(() => {
      const del = db.prepare('DELETE FROM terminal_snapshots WHERE id = ?');
      for (const s of shots) {
        del.run(s.id);
        people.add(s.idNumber);
      }
    })();
    out.snapshots = shots.length;

    // A roster or member photo is evidence while any session or class naming it is within retention
    // (a session not yet held counts as within: its photo is still needed at the entrance). CROSS JOIN
    // fixes the order: from the few sessions past retention to their rows, not every photo to its session.
    const photos = db
      .prepare(
        `SELECT DISTINCT p.photo FROM (
           SELECT e.photo FROM exam_sessions s CROSS JOIN roster_entries e ON e.session_id = s.id WHERE ${ENDED_AT} < @evidenceCut AND e.photo IS NOT NULL
           UNION SELECT m.photo FROM training_classes k CROSS JOIN training_members m ON m.class_id = k.id WHERE k.ends_on < @evidenceDay AND m.photo IS NOT NULL) p
         WHERE NOT EXISTS (SELECT 1 FROM roster_entries e JOIN exam_sessions s ON s.id = e.session_id WHERE e.photo = p.photo AND ${ENDED_AT} >= @evidenceCut)
           AND NOT EXISTS (SELECT 1 FROM training_members m JOIN training_classes k ON k.id = m.class_id WHERE m.photo = p.photo AND k.ends_on >= @evidenceDay)`,
      )
      .all(c) as { photo: string }[];
    for (const p of photos) removeFile(p.photo);
    db.transaction(() =>
      withPhotoSet(
        photos.map((p) => p.photo),
        () => {
          for (const id of ownersOfSet()) people.add(id);
          forgetPhotoSet();
        },
      ),
    )();
    out.rosterPhotos = photos.length;
    out.people = [...people].sort();
    return out;
  }

  /** Every row that names a photo of temp.face_photo_set (deleted) stops naming it, and its enrolment goes. */
  function forgetPhotoSet(): void {
    for (const sql of [
      `UPDATE roster_entries SET photo = NULL WHERE photo IN ${IN_SET}`,
      `UPDATE candidates SET photo = NULL WHERE photo IN ${IN_SET}`,
      `UPDATE training_members SET photo = NULL WHERE photo IN ${IN_SET}`,
      `UPDATE identity_attempts SET roster_photo = NULL WHERE roster_photo IN ${IN_SET}`,
      `DELETE FROM face_enrolments WHERE photo IN ${IN_SET}`,
    ])
      db.prepare(sql).run();
  }

  /**
   * A person's valid request (PIPL art. 47): every descriptor of theirs, and every image of theirs that
   * no evidence retention holds — photos only for sessions not yet held or classes not yet begun, kiosk
   * pictures of attempts never decided. What evidence retention keeps is listed with its date.
   */
  function erasePerson(idNumber: string): { deleted: FaceDeletion; kept: KeptForEvidence[] } {
    const c = cutoffs();
    const today = localDate(c.now, deps.timezone);
    const out = empty();
    const kept: KeptForEvidence[] = [];
    const evidenceMs = deps.evidenceDays * DAY_MS;

    const attempts = db
      .prepare(
        `SELECT id, session_id AS sessionId, class_id AS classId, capture, card_photo AS cardPhoto, decided_at AS decidedAt,
                COALESCE(capture_expires_at, started_at + ?) AS until, probe_descriptor IS NOT NULL AS probe
         FROM identity_attempts WHERE id_number = ?`,
      )
      .all(evidenceMs, idNumber) as {
      id: string;
      sessionId: string | null;
      classId: string | null;
      capture: string | null;
      cardPhoto: string | null;
      decidedAt: number | null;
      until: number;
      probe: number;
    }[];
    const freeAttempts = attempts.filter((a) => a.decidedAt === null && (a.capture || a.cardPhoto));
    for (const a of attempts) {
      if (a.decidedAt === null) continue;
      const of = a.sessionId ?? a.classId ?? a.id;
      if (a.capture) kept.push({ kind: 'capture', of, until: a.until });
      if (a.cardPhoto) kept.push({ kind: 'card_photo', of, until: a.until });
    }
    const shots = db
      .prepare('SELECT session_id AS sessionId, MAX(at) AS last FROM terminal_snapshots WHERE id_number = ? GROUP BY session_id')
      .all(idNumber) as {
      sessionId: string;
      last: number;
    }[];
    for (const s of shots) kept.push({ kind: 'snapshot', of: s.sessionId, until: s.last + evidenceMs });

    // The person's photos, and which of them a held session or a begun class makes evidence of.
    const photos = (
      db
        .prepare(
          'SELECT photo FROM roster_entries WHERE id_number = ? AND photo IS NOT NULL UNION SELECT photo FROM candidates WHERE id_number = ? AND photo IS NOT NULL UNION SELECT photo FROM training_members WHERE id_number = ? AND photo IS NOT NULL',
        )
        .all(idNumber, idNumber, idNumber) as { photo: string }[]
    ).map((r) => r.photo);
    const evidenceOf = db.prepare(
      `SELECT s.id AS of, ${ENDED_AT} + @evidenceMs AS until FROM roster_entries e JOIN exam_sessions s ON s.id = e.session_id
         WHERE e.photo = @photo AND s.status NOT IN ('scheduled', 'papers_ready')
       UNION ALL SELECT k.id AS of, NULL AS until FROM training_members m JOIN training_classes k ON k.id = m.class_id
         WHERE m.photo = @photo AND k.starts_on <= @today`,
    );
    const freePhotos: string[] = [];
    for (const photo of photos) {
      const holds = evidenceOf.all({ photo, evidenceMs, today }) as { of: string; until: number | null }[];
      if (holds.length === 0) freePhotos.push(photo);
      else for (const h of holds) kept.push({ kind: 'roster_photo', of: h.of, until: h.until ?? classEvidenceUntil(h.of) });
    }

    for (const a of freeAttempts) {
      if (a.capture) removeFile(a.capture);
      if (a.cardPhoto) removeFile(a.cardPhoto);
    }
    for (const p of freePhotos) removeFile(p);
    db.transaction(() => {
      const probes = db.prepare('UPDATE identity_attempts SET probe_descriptor = NULL WHERE id_number = ? AND probe_descriptor IS NOT NULL').run(idNumber);
      out.descriptors = probes.changes;
      // Every enrolment of a photo of theirs, kept or not: a descriptor is never evidence. A kept photo's
      // row stays as an ENROLMENT_ERASED marker, so nothing enrols it again unasked; only rows that held a
      // descriptor count as deleted (a refusal held none).
      const had = db.prepare('SELECT status FROM face_enrolments WHERE photo = ?');
      const mark = db.prepare(
        `INSERT INTO face_enrolments (photo, status, reason, detail, enrolled_at) VALUES (@photo, 'refused', '${ENROLMENT_ERASED}', 'descriptor deleted at the person''s request', @now)
         ON CONFLICT(photo) DO UPDATE SET status = 'refused', descriptor = NULL, quality = NULL, reason = excluded.reason, detail = excluded.detail, enrolled_at = excluded.enrolled_at`,
      );
      for (const photo of new Set([...photos, ...attempts.flatMap((a) => (a.cardPhoto ? [a.cardPhoto] : []))])) {
        if ((had.get(photo) as { status: string } | undefined)?.status === 'ok') out.enrolments++;
        mark.run({ photo, now: c.now });
      }
      const clear = db.prepare('UPDATE identity_attempts SET capture = NULL, card_photo = NULL WHERE id = ?');
      const unmark = db.prepare('DELETE FROM face_enrolments WHERE photo = ?');
      for (const a of freeAttempts) {
        clear.run(a.id);
        if (a.cardPhoto) unmark.run(a.cardPhoto); // its file is gone: no marker names it
        if (a.capture) out.captures++;
        if (a.cardPhoto) out.cardPhotos++;
      }
      withPhotoSet(freePhotos, forgetPhotoSet);
      out.rosterPhotos = freePhotos.length;
    })();
    if (out.descriptors + out.enrolments + out.captures + out.cardPhotos + out.rosterPhotos > 0) out.people = [idNumber];
    kept.sort((a, b) => a.until - b.until || a.of.localeCompare(b.of));
    return { deleted: out, kept };
  }

  /** The end of evidence retention for a class's photos: its last day plus retention.days. */
  function classEvidenceUntil(classId: string): number {
    const r = db.prepare('SELECT ends_on FROM training_classes WHERE id = ?').get(classId) as { ends_on: string } | undefined;
    return (r ? Date.parse(`${r.ends_on}T00:00:00Z`) + DAY_MS : 0) + deps.evidenceDays * DAY_MS;
  }

  /** Distinct people whose face data the site holds (local and archived; the object store is not built yet). */
  function count(): FaceDataCount {
    // Snapshots through the roster (every snapshot is of a roster entry), looked up by the snapshots'
    // (session_id, id_number, at) index: scanning millions of snapshot rows per page view is not needed.
    const LOCAL = `
      SELECT e.id_number FROM roster_entries e WHERE e.photo IS NOT NULL
        OR EXISTS (SELECT 1 FROM terminal_snapshots x WHERE x.session_id = e.session_id AND x.id_number = e.id_number)
      UNION SELECT id_number FROM candidates WHERE photo IS NOT NULL
      UNION SELECT id_number FROM training_members WHERE photo IS NOT NULL
      UNION SELECT id_number FROM identity_attempts WHERE capture IS NOT NULL OR card_photo IS NOT NULL OR probe_descriptor IS NOT NULL`;
    const ARCHIVED = `SELECT e.id_number FROM roster_entries e WHERE e.session_id IN (SELECT session_id FROM session_archives)`;
    const n = (sql: string) => (db.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get() as { n: number }).n;
    return { local: n(LOCAL), archived: n(ARCHIVED), total: n(`${LOCAL} UNION ${ARCHIVED}`) };
  }

  return {
    /** Both sweeps; what each removed. The caller audits (storage decides no policy and writes no audit). */
    sweep(): { descriptors: FaceDeletion; evidence: FaceDeletion; at: number } {
      const c = cutoffs();
      const descriptors = sweepDescriptors(c);
      const evidence = sweepEvidence(c);
      return { descriptors, evidence, at: c.now };
    },
    erasePerson,
    count,
  };
}

export type FaceRetention = ReturnType<typeof createFaceRetention>;

/** True when a deletion removed anything. */
export const deletedAnything = (d: FaceDeletion) => d.descriptors + d.enrolments + d.captures + d.cardPhotos + d.snapshots + d.rosterPhotos > 0;
