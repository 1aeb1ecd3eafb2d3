// Where face images may leave the appliance in plain form: only to a destination whose legal basis an
// admin has named (free text naming the law or rule), each setting audited and kept (table
// outbound_legal_bases, migration 031, append-only; the newest row of a destination is in force).
import { ValidationError, iso, type Clock } from '../../core/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';
import { OUTBOUND_DESTINATIONS, type OutboundBasis, type OutboundDestination } from '../protocol.ts';

export function createOutboundBases(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db } = deps;
  const latest = db.prepare('SELECT basis, set_by AS setBy, set_at AS setAt FROM outbound_legal_bases WHERE destination = ? ORDER BY id DESC LIMIT 1');

  function view(destination: OutboundDestination): OutboundBasis {
    const r = latest.get(destination) as { basis: string | null; setBy: string; setAt: number } | undefined;
    return { destination, basis: r?.basis ?? null, setBy: r?.setBy ?? null, setAt: iso(r?.setAt ?? null) };
  }

  return {
    /** The legal basis in force for a destination, or null: then no face image leaves to it in plain form. */
    basisOf(destination: OutboundDestination): string | null {
      return view(destination).basis;
    },
    list(): OutboundBasis[] {
      return OUTBOUND_DESTINATIONS.map(view);
    },
    /** Names (or, with null, withdraws) a destination's basis: recorded and audited in one transaction. */
    set(destination: OutboundDestination, basis: string | null, who: { actor: string; ip?: string | null }): OutboundBasis {
      const text = basis === null ? null : basis.trim();
      if (text !== null && (text.length < 4 || text.length > 500))
        throw new ValidationError([
          { path: 'basis', problem: `is ${text.length} characters; name the law or rule that allows it in 4–500 characters (or withdraw it with null)` },
        ]);
      db.transaction(() => {
        const before = view(destination).basis;
        db.prepare('INSERT INTO outbound_legal_bases (destination, basis, set_by, set_at) VALUES (?, ?, ?, ?)').run(
          destination,
          text,
          who.actor,
          deps.clock.now(),
        );
        deps.audit.append({
          actor: who.actor,
          action: text === null ? 'privacy.outbound.withdrawn' : 'privacy.outbound.basis',
          target: destination,
          detail: { basis: text, before },
          ip: who.ip ?? null,
        });
      })();
      return view(destination);
    },
  };
}

export type OutboundBases = ReturnType<typeof createOutboundBases>;
