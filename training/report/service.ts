// The district report's life: open (rebuilt from the credited hours at each read) until the class's
// 班主任 signs it once the last lesson has ended; the sign-off freezes it — the report and the notes so
// far, as one JSON text stored with its SHA-256 (migration 034) — and it is never rebuilt again. Notes
// are appended at any time and never edited; those after the sign-off are shown apart. Sign-off and
// notes are audited.
import { createHash } from 'node:crypto';
import { Conflict, Forbidden, ValidationError, newId, type Clock } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';
import { buildReport, classEndsAt } from './build.ts';
import type { TrainingFacts } from './facts.ts';
import type { DistrictReport, DistrictReportReply, ReportNote } from './protocol.ts';

export interface ReportDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  config: Config;
  facts: TrainingFacts;
}

/** What a sign-off stores and hashes: the report and the notes written before it. */
interface Frozen {
  report: DistrictReport;
  notes: ReportNote[];
}

interface NoteRow {
  id: string;
  at: number;
  author: string;
  author_name: string;
  text: string;
}

export interface Person {
  username: string;
  displayName: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createDistrictReports(deps: ReportDeps) {
  const { db, clock, audit, config, facts } = deps;
  const frozenRow = db.prepare<[string], { signed_at: number; signed_by: string; signer_name: string; snapshot: string; sha256: string }>(
    'SELECT signed_at, signed_by, signer_name, snapshot, sha256 FROM training_reports WHERE class_id = ?',
  );
  const notesOf = db.prepare<[string], NoteRow>('SELECT id, at, author, author_name, text FROM training_report_notes WHERE class_id = ? ORDER BY at, id');
  const urls = (classId: string) => ({
    pdfUrl: `/api/training/classes/${encodeURIComponent(classId)}/report.pdf`,
    xlsxUrl: `/api/training/classes/${encodeURIComponent(classId)}/report.xlsx`,
  });
  const toNote = (r: NoteRow, afterSignOff: boolean): ReportNote => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    author: { username: r.author, displayName: r.author_name },
    text: r.text,
    afterSignOff,
  });

  function live(classId: string): { report: DistrictReport; ended: boolean } {
    const detail = facts.detail(classId);
    const hours = facts.hours(classId);
    const now = clock.now();
    const end = classEndsAt(detail);
    return {
      report: buildReport(detail, hours, { site: { id: config.site.id, name: config.site.name }, now, headteacherName: detail.class.headteacherName }),
      ended: end !== null && now >= end,
    };
  }

  function get(classId: string): DistrictReportReply {
    const row = frozenRow.get(classId);
    const rows = notesOf.all(classId);
    if (!row) {
      const { report, ended } = live(classId);
      return { state: 'open', ended, report, sha256: null, signedBy: null, notes: rows.map((r) => toNote(r, false)), ...urls(report.class.id) };
    }
    const frozen = JSON.parse(row.snapshot) as Frozen;
    const signed = new Set(frozen.notes.map((n) => n.id));
    return {
      state: 'signed',
      ended: true,
      report: frozen.report,
      sha256: row.sha256,
      signedBy: { username: row.signed_by, displayName: row.signer_name, signedAt: new Date(row.signed_at).toISOString() },
      notes: [...frozen.notes, ...rows.filter((r) => !signed.has(r.id)).map((r) => toNote(r, true))],
      ...urls(classId),
    };
  }

  return {
    get,

    /** The stored text the sign-off hashed, byte for byte (the class file carries it as signed). */
    frozenText(classId: string): { text: string; sha256: string } | null {
      const row = frozenRow.get(classId);
      return row ? { text: row.snapshot, sha256: row.sha256 } : null;
    },

    /**
     * The class's 班主任 signs the report once the last lesson has ended. It freezes it; a second
     * sign-off is refused (one 班主任 per class: there is nobody to co-sign). Admins do not sign for them.
     */
    signOff(classId: string, who: Person, ip: string | null = null): DistrictReportReply {
      const actor = `user:${who.username}`;
      db.transaction(() => {
        const detail = facts.detail(classId);
        if (!detail.class.headteacher) throw new Conflict(`class ${classId} has no 班主任; name one before the report is signed`, 'no_headteacher');
        if (detail.class.headteacher.toLowerCase() !== who.username.toLowerCase())
          throw new Forbidden(`only the class's 班主任 (${detail.class.headteacher}) signs its district report`);
        if (frozenRow.get(classId)) throw new Conflict(`the district report of class ${classId} is already signed; add a note instead`, 'already_signed');
        const { report, ended } = live(classId);
        if (!ended)
          throw new Conflict(
            `class ${classId} has not ended (its last lesson ends ${report.endsAt ?? 'never: it has no lessons'}); the report is signed after it`,
            'class_not_ended',
          );
        const frozen: Frozen = { report, notes: notesOf.all(classId).map((r) => toNote(r, false)) };
        const text = JSON.stringify(frozen);
        const hash = sha256(text);
        const displayName = who.displayName ?? detail.class.headteacherName ?? who.username;
        db.prepare('INSERT INTO training_reports (class_id, signed_at, signed_by, signer_name, snapshot, sha256) VALUES (?, ?, ?, ?, ?, ?)').run(
          classId,
          clock.now(),
          who.username,
          displayName,
          text,
          hash,
        );
        audit.append({
          actor,
          action: 'training.report.sign_off',
          target: classId,
          detail: { sha256: hash, short: report.counts.short, neverCame: report.counts.neverCame, members: report.counts.members },
          ip,
        });
      }).immediate();
      return get(classId);
    },

    /** Appends a note (before or after the sign-off); a note is never edited or removed. */
    addNote(classId: string, who: Person, text: string, ip: string | null = null): DistrictReportReply {
      const clean = text.trim();
      if (!clean) throw new ValidationError([{ path: 'text', problem: 'must not be empty or only spaces', got: text }]);
      if (clean.length > 2000) throw new ValidationError([{ path: 'text', problem: 'must be at most 2000 characters', got: `${clean.length} characters` }]);
      facts.detail(classId);
      db.transaction(() => {
        const now = clock.now();
        const id = newId(now);
        const afterSignOff = Boolean(frozenRow.get(classId));
        db.prepare('INSERT INTO training_report_notes (id, class_id, at, author, author_name, text) VALUES (?, ?, ?, ?, ?, ?)').run(
          id,
          classId,
          now,
          who.username,
          who.displayName ?? who.username,
          clean,
        );
        audit.append({
          actor: `user:${who.username}`,
          action: 'training.report.note',
          target: classId,
          detail: { noteId: id, afterSignOff, chars: clean.length },
          ip,
        });
      }).immediate();
      return get(classId);
    },
  };
}

export type DistrictReports = ReturnType<typeof createDistrictReports>;
