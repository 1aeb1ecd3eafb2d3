// The room log's life: live while the session runs, signed off by the room's invigilators once it has
// ended. The first sign-off freezes it — the log and the notes so far, as one JSON text stored with its
// SHA-256 — and every later sign-off co-signs that same text. Notes are appended at any time, never
// edited; those after the freeze are shown as appended, outside what was signed. Every sign-off and note
// is audited. Tables: records_room_logs, records_room_log_signatures, records_room_log_notes (018).
import { createHash } from 'node:crypto';
import { Conflict, ValidationError, newId } from '../../core/index.ts';
import type { RoomLog, RoomLogNote, RoomLogReply } from '../protocol.ts';
import type { RecordsDeps } from '../service.ts';
import { actorNamer, assertEnded, buildRoomLog, isEnded, loadViews, sessionFacts, type ModuleViews } from './gather.ts';

/** What a sign-off stores and hashes: the log and the notes written before it. */
interface Frozen {
  log: RoomLog;
  notes: RoomLogNote[];
}

interface NoteRow {
  id: string;
  at: number;
  author: string;
  author_name: string;
  text: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createRoomLogs(deps: Pick<RecordsDeps, 'db' | 'clock' | 'config' | 'exam' | 'audit'>) {
  const { db, clock, audit, exam } = deps;
  const frozenRow = db.prepare<[string], { frozen_at: number; frozen_by: string; snapshot: string; sha256: string }>(
    'SELECT frozen_at, frozen_by, snapshot, sha256 FROM records_room_logs WHERE session_id = ?',
  );
  const signaturesOf = db.prepare<[string], { username: string; display_name: string; signed_at: number }>(
    'SELECT username, display_name, signed_at FROM records_room_log_signatures WHERE session_id = ? ORDER BY signed_at, username',
  );
  const notesOf = db.prepare<[string], NoteRow>('SELECT id, at, author, author_name, text FROM records_room_log_notes WHERE session_id = ? ORDER BY at, id');

  const toNote = (r: NoteRow, afterSignOff: boolean): RoomLogNote => ({
    id: r.id,
    at: r.at,
    author: { username: r.author, displayName: r.author_name },
    text: r.text,
    afterSignOff,
  });

  function read(v: ModuleViews, sessionId: string): RoomLogReply {
    const s = exam.plans.session(sessionId);
    const row = frozenRow.get(s.id);
    const signatures = signaturesOf.all(s.id).map((x) => ({ username: x.username, displayName: x.display_name, signedAt: x.signed_at }));
    const rows = notesOf.all(s.id);
    if (!row) {
      return {
        state: 'open',
        ended: isEnded(s),
        log: buildRoomLog(deps, v, sessionFacts(deps, v, s.id)),
        sha256: null,
        signatures,
        notes: rows.map((r) => toNote(r, false)),
      };
    }
    const frozen = JSON.parse(row.snapshot) as Frozen;
    const signed = new Set(frozen.notes.map((n) => n.id));
    return {
      state: 'signed',
      ended: true,
      log: frozen.log,
      sha256: row.sha256,
      signatures,
      notes: [...frozen.notes, ...rows.filter((r) => !signed.has(r.id)).map((r) => toNote(r, true))],
    };
  }

  return {
    async get(sessionId: string): Promise<RoomLogReply> {
      return read(await loadViews(), sessionId);
    },

    /** The stored text a sign-off hashed, byte for byte (the archive carries it as signed). */
    frozenText(sessionId: string): { text: string; sha256: string } | null {
      const row = frozenRow.get(sessionId);
      return row ? { text: row.snapshot, sha256: row.sha256 } : null;
    },

    /**
     * An invigilator signs the log of an ended session. The first signature freezes it; a second
     * invigilator co-signs the frozen text; signing twice is refused.
     */
    async signOff(sessionId: string, who: { username: string; displayName: string | null }, ip: string | null = null): Promise<RoomLogReply> {
      // Loaded before the transaction: better-sqlite3's transactions are synchronous.
      const v = await loadViews();
      const actor = `user:${who.username}`;
      db.transaction(() => {
        const s = exam.plans.session(sessionId);
        assertEnded(s, 'the room log can be signed off');
        if (signaturesOf.all(s.id).some((x) => x.username === who.username))
          throw new Conflict(`${who.username} has already signed the room log of exam session ${s.id}`, 'already_signed', { username: who.username });
        const now = clock.now();
        let row = frozenRow.get(s.id);
        let first = false;
        if (!row) {
          const signers = [...signaturesOf.all(s.id).map((x) => x.username), who.username];
          const frozen: Frozen = {
            log: buildRoomLog(deps, v, sessionFacts(deps, v, s.id), signers),
            notes: notesOf.all(s.id).map((r) => toNote(r, false)),
          };
          const text = JSON.stringify(frozen);
          db.prepare('INSERT INTO records_room_logs (session_id, frozen_at, frozen_by, snapshot, sha256) VALUES (?, ?, ?, ?, ?)').run(
            s.id,
            now,
            actor,
            text,
            sha256(text),
          );
          row = frozenRow.get(s.id)!;
          first = true;
        }
        const displayName = who.displayName ?? actorNamer(deps).person(who.username).displayName;
        db.prepare('INSERT INTO records_room_log_signatures (session_id, username, display_name, signed_at, sha256) VALUES (?, ?, ?, ?, ?)').run(
          s.id,
          who.username,
          displayName,
          now,
          row.sha256,
        );
        audit.append({ actor, action: 'records.room_log.sign_off', target: s.id, detail: { sha256: row.sha256, froze: first }, ip });
      }).immediate();
      return read(v, sessionId);
    },

    /** Appends a note (before or after the sign-off); a note is never edited or removed. */
    async addNote(sessionId: string, who: { username: string; displayName: string | null }, text: string, ip: string | null = null): Promise<RoomLogReply> {
      const v = await loadViews();
      const clean = text.trim();
      if (!clean) throw new ValidationError([{ path: 'text', problem: 'must not be empty or only spaces', got: text }]);
      if (clean.length > 2000) throw new ValidationError([{ path: 'text', problem: 'must be at most 2000 characters', got: `${clean.length} characters` }]);
      const actor = `user:${who.username}`;
      db.transaction(() => {
        const s = exam.plans.session(sessionId);
        const id = newId(clock.now());
        const frozen = Boolean(frozenRow.get(s.id));
        db.prepare('INSERT INTO records_room_log_notes (id, session_id, at, author, author_name, text) VALUES (?, ?, ?, ?, ?, ?)').run(
          id,
          s.id,
          clock.now(),
          who.username,
          who.displayName ?? who.username,
          clean,
        );
        audit.append({ actor, action: 'records.room_log.note', target: s.id, detail: { noteId: id, afterSignOff: frozen, chars: clean.length }, ip });
      }).immediate();
      return read(v, sessionId);
    },
  };
}

export type RoomLogs = ReturnType<typeof createRoomLogs>;
