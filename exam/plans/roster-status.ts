// The one place a roster entry's status changes (registered → admitted → in_exam → submitted, or
// absent), and when a candidate was admitted, kept in a column beside it. Other modules (the terminal,
// through exam/index.ts) call this; none writes roster_entries.status or reads audit_log JSON for it.
import type { Db } from '../../storage/index.ts';
import type { Clock } from '../../core/index.ts';
import type { RosterStatus } from './model.ts';

/**
 * From which statuses each status may be reached. `registered` is where an import puts everyone and
 * nothing leads back to it; `submitted` and `absent` are final. A candidate graded without passing the
 * door (a service call, an invigilator's hand) still becomes submitted, so registered leads there too.
 */
export const ROSTER_STATUS_FROM: Readonly<Record<RosterStatus, readonly RosterStatus[]>> = {
  registered: [],
  admitted: ['registered'],
  in_exam: ['admitted'],
  submitted: ['registered', 'admitted', 'in_exam'],
  absent: ['registered', 'admitted'],
};

export function rosterStatusMoveAllowed(from: RosterStatus, to: RosterStatus): boolean {
  return ROSTER_STATUS_FROM[to].includes(from);
}

export function createRosterStatus({ db, clock }: { db: Db; clock: Clock }) {
  const moves = new Map(
    (Object.keys(ROSTER_STATUS_FROM) as RosterStatus[])
      .filter((to) => ROSTER_STATUS_FROM[to].length > 0)
      .map((to) => {
        const from = ROSTER_STATUS_FROM[to].map((s) => `'${s}'`).join(', ');
        // The guard is in the UPDATE itself, so two racing callers cannot both move the same entry.
        const extra = to === 'admitted' ? ', admitted_at = ?' : '';
        return [to, db.prepare(`UPDATE roster_entries SET status = '${to}'${extra} WHERE session_id = ? AND id_number = ? AND status IN (${from})`)] as const;
      }),
  );
  const markAbsent = db.prepare(
    `UPDATE roster_entries SET status = 'absent' WHERE session_id = ? AND (status = 'registered' OR (status = 'admitted' AND NOT EXISTS
       (SELECT 1 FROM results x WHERE x.session_id = roster_entries.session_id AND x.id_number = roster_entries.id_number)))`,
  );
  const admittedAt = db.prepare<[string, string], { at: number | null }>('SELECT admitted_at AS at FROM roster_entries WHERE session_id = ? AND id_number = ?');

  return {
    /**
     * Moves one roster entry to `to` when ROSTER_STATUS_FROM allows it from the entry's status now;
     * otherwise (or when there is no such entry) nothing changes. True when the status changed.
     * Callers that must tell a person why a move is refused check the entry first; this is the rule
     * that holds even when they race. Runs inside the caller's transaction when there is one.
     */
    setRosterStatus(sessionId: string, idNumber: string, to: RosterStatus): boolean {
      const stmt = moves.get(to);
      if (!stmt) return false;
      const args = to === 'admitted' ? [clock.now(), sessionId, idNumber] : [sessionId, idNumber];
      return stmt.run(...args).changes > 0;
    },

    /**
     * At session end (and again at grading): everyone who never came is absent, and so is one admitted at the door who never
     * logged in and has no result (they saw no paper). Returns how many became absent.
     */
    markAbsent(sessionId: string): number {
      return markAbsent.run(sessionId).changes;
    },

    /** When the candidate was admitted (at the kiosk or by hand); null when never. */
    admittedAt(sessionId: string, idNumber: string): number | null {
      return admittedAt.get(sessionId, idNumber)?.at ?? null;
    },
  };
}

export type RosterStatusService = ReturnType<typeof createRosterStatus>;
