// Certificates (考试合格证明): one per passed result, issued when the result is graded (and caught up at
// start for passes graded while nothing listened), numbered PREFIX-YEAR-000001 per site and year, valid
// until the result's own validity (exam's rule, not the 6-year operating licence: CLARIFICATIONS), and
// revocable by an admin with a reason. Verification needs the signature first, then this table's record.
import { createPublicKey } from 'node:crypto';
import { Conflict, NotFound, ValidationError, localDate, maskIdNumber } from '../../core/index.ts';
import { loadSiteSigner, type SiteSigner } from '../../documents/index.ts';
import { passedResults, type Category, type Industry } from '../../exam/index.ts';
import type { RecordsDeps } from '../service.ts';
import { decodePayload, encodePayload, payloadBody, payloadField, type CertificateClaims } from './payload.ts';

export interface Certificate {
  number: string;
  resultId: string;
  sessionId: string;
  idNumber: string;
  name: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  /** YYYY-MM-DD, site calendar. */
  sessionDate: string;
  score: number;
  total: number;
  issuedAt: number;
  validUntil: number;
  photo: string | null;
  keyId: string;
  payload: string;
  revokedAt: number | null;
  revokedBy: string | null;
  revokedReason: string | null;
}

export type CertificateStatus = 'valid' | 'expired' | 'revoked';

/** What the public verify page and JSON show: what a checker compares, nothing more. */
export interface PublicCertificate {
  number: string;
  name: string;
  maskedId: string;
  category: Category;
  operationClass: string | null;
  sessionDate: string;
  validUntil: string;
  status: CertificateStatus;
  revokedOn: string | null;
  revokedReason: string | null;
}

export type Verdict =
  | { genuine: false; status: 'not_genuine'; problem: string }
  /** unknown: the site's signature, but no record of it here (a database restored from before it was issued). */
  | { genuine: true; status: 'unknown'; claims: CertificateClaims }
  | { genuine: true; status: CertificateStatus; certificate: PublicCertificate };

interface Row {
  number: string;
  year: number;
  seq: number;
  result_id: string;
  session_id: string;
  id_number: string;
  name: string;
  category: Category;
  operation_class: string | null;
  industry: Industry;
  session_date: string;
  score: number;
  total: number;
  issued_at: number;
  valid_until: number;
  photo: string | null;
  key_id: string;
  payload: string;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

const toCertificate = (r: Row): Certificate => ({
  number: r.number,
  resultId: r.result_id,
  sessionId: r.session_id,
  idNumber: r.id_number,
  name: r.name,
  category: r.category,
  operationClass: r.operation_class,
  industry: r.industry,
  sessionDate: r.session_date,
  score: r.score,
  total: r.total,
  issuedAt: r.issued_at,
  validUntil: r.valid_until,
  photo: r.photo,
  keyId: r.key_id,
  payload: r.payload,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  revokedReason: r.revoked_reason,
});

export function createCertificates(deps: RecordsDeps) {
  const { db, clock, config, audit, exam, bus } = deps;
  const tz = config.site.timezone;
  let signer: SiteSigner | null = null;
  /** Loaded on first use: a CLI command that only lists certificates never touches the keys folder. */
  const siteSigner = () => (signer ??= loadSiteSigner(config.paths.keys));

  const byNumber = db.prepare('SELECT * FROM certificates WHERE number = ?');
  const byResult = db.prepare('SELECT * FROM certificates WHERE result_id = ?');

  function get(number: string): Certificate {
    const r = byNumber.get(number) as Row | undefined;
    if (!r) throw new NotFound(`no certificate numbered ${number}`);
    return toCertificate(r);
  }

  function statusOf(c: Certificate, now = clock.now()): CertificateStatus {
    if (c.revokedAt !== null) return 'revoked';
    // The paper says 有效期至 YYYY-MM-DD: it is valid through that whole day on the site calendar, not
    // until the hour of grading a year later, which no checker can see.
    return localDate(now, tz) > localDate(c.validUntil, tz) ? 'expired' : 'valid';
  }

  function claimsOf(c: Pick<Certificate, 'number' | 'name' | 'idNumber' | 'category' | 'operationClass' | 'sessionDate' | 'validUntil'>): CertificateClaims {
    return {
      number: c.number,
      name: payloadField(c.name),
      maskedId: maskIdNumber(c.idNumber),
      category: c.category,
      operationClass: c.operationClass === null || payloadField(c.operationClass) === '' ? null : payloadField(c.operationClass),
      sessionDate: c.sessionDate,
      validUntil: localDate(c.validUntil, tz),
    };
  }

  function publicView(c: Certificate, now = clock.now()): PublicCertificate {
    return {
      ...claimsOf(c),
      status: statusOf(c, now),
      revokedOn: c.revokedAt === null ? null : localDate(c.revokedAt, tz),
      revokedReason: c.revokedReason,
    };
  }

  /**
   * The certificate of a passed result, issued now if it has none yet; null for a result that did not
   * pass. Idempotent: the result's certificate is found by its result id, so a replayed event or a
   * catch-up after a crash never issues a second one.
   */
  function issueFor(sessionId: string, idNumber: string, actor = 'system'): Certificate | null {
    const result = exam.plans.resultOf(sessionId, idNumber);
    if (!result?.passed) return null;
    if (result.validUntil === null) throw new Conflict(`the pass of ${idNumber} in exam session ${sessionId} has no validity date`);
    const existing = byResult.get(result.id) as Row | undefined;
    if (existing) return toCertificate(existing);
    const session = exam.plans.session(sessionId);
    const entry = exam.plans.roster(sessionId).find((e) => e.idNumber === idNumber);
    if (!entry) throw new NotFound(`${idNumber} is not on the roster of exam session ${sessionId}`);
    const key = siteSigner();
    const issued = db
      .transaction(() => {
        const again = byResult.get(result.id) as Row | undefined;
        if (again) return { row: again, fresh: false };
        const now = clock.now();
        const year = Number(localDate(now, tz).slice(0, 4));
        const seq = ((db.prepare('SELECT MAX(seq) AS m FROM certificates WHERE year = ?').get(year) as { m: number | null }).m ?? 0) + 1;
        if (seq > 999_999) throw new Conflict(`certificate numbers of ${year} are used up (999999)`);
        const number = `${config.records.certificatePrefix}-${year}-${String(seq).padStart(6, '0')}`;
        const fields = {
          number,
          name: entry.name,
          idNumber,
          category: result.category,
          operationClass: result.operationClass,
          sessionDate: localDate(session.startsAt, tz),
          validUntil: result.validUntil!,
        };
        const body = payloadBody(claimsOf(fields), key.keyId);
        const payload = encodePayload(body, key.sign(body));
        db.prepare(
          `INSERT INTO certificates (number, year, seq, result_id, session_id, id_number, name, category, operation_class, industry, session_date,
             score, total, issued_at, valid_until, photo, key_id, payload)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          number,
          year,
          seq,
          result.id,
          sessionId,
          idNumber,
          entry.name,
          result.category,
          result.operationClass,
          result.industry,
          fields.sessionDate,
          result.score,
          result.total,
          now,
          result.validUntil,
          entry.photo,
          key.keyId,
          payload,
        );
        audit.append({ actor, action: 'records.certificate.issue', target: number, detail: { sessionId, resultId: result.id, keyId: key.keyId } });
        return { row: byNumber.get(number) as Row, fresh: true };
      })
      .immediate();
    const c = toCertificate(issued.row);
    if (issued.fresh) bus.emit('certificate.issued', { number: c.number, sessionId, idNumber });
    return c;
  }

  return {
    get,
    statusOf,
    publicView,
    issueFor,

    /**
     * Certificates signed by a key that is not the keys folder's: after a move of paths.keys or a lost
     * keys folder the appliance makes a new key, and every certificate issued before then reads as
     * forged until the old key is restored (`examroom keys import`). Said loudly at start.
     */
    foreignlySigned(): { count: number; keyIds: string[]; current: string | null } {
      // No certificate, nothing to check: the keys folder is not touched (a site with its own TLS
      // certificate and no passes yet has none).
      if (!db.prepare('SELECT 1 FROM certificates LIMIT 1').get()) return { count: 0, keyIds: [], current: null };
      const current = siteSigner().keyId;
      const rows = db.prepare('SELECT key_id AS keyId, COUNT(*) AS n FROM certificates WHERE key_id != ? GROUP BY key_id').all(current) as {
        keyId: string;
        n: number;
      }[];
      return { count: rows.reduce((a, r) => a + r.n, 0), keyIds: rows.map((r) => r.keyId), current };
    },

    /** Passes graded while no listener ran (the CLI grading, a crash between grading and issuing). */
    catchUp(): { issued: number; failed: { resultId: string; problem: string }[] } {
      const have = new Set((db.prepare('SELECT result_id AS id FROM certificates').all() as { id: string }[]).map((r) => r.id));
      let issued = 0;
      const failed: { resultId: string; problem: string }[] = [];
      for (const p of passedResults(db)) {
        if (have.has(p.resultId)) continue;
        try {
          if (issueFor(p.sessionId, p.idNumber)) issued++;
        } catch (err) {
          failed.push({ resultId: p.resultId, problem: (err as Error).message });
        }
      }
      return { issued, failed };
    },

    list(q: { sessionId?: string; idNumber?: string; rooms?: string[] | null } = {}): Certificate[] {
      const where: string[] = [];
      const args: string[] = [];
      if (q.sessionId) {
        where.push('session_id = ?');
        args.push(q.sessionId);
      }
      if (q.idNumber) {
        where.push('id_number = ?');
        args.push(q.idNumber);
      }
      const rows = db
        .prepare(`SELECT * FROM certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at, number`)
        .all(...args) as Row[];
      const all = rows.map(toCertificate);
      if (!q.rooms) return all;
      const roomOf = new Map<string, string>();
      return all.filter((c) => {
        if (!roomOf.has(c.sessionId)) roomOf.set(c.sessionId, exam.plans.session(c.sessionId).roomId);
        return q.rooms!.includes(roomOf.get(c.sessionId)!);
      });
    },

    /** Revocation is final (a certificate issued in error is revoked, never deleted); the verify page says so. */
    revoke(number: string, reason: string, actor: string): Certificate {
      const why = reason.trim();
      if (!why)
        throw new ValidationError([{ path: 'reason', problem: 'a revocation needs a reason (it is shown to whoever checks the certificate)', got: reason }]);
      if (why.length > 200)
        throw new ValidationError([{ path: 'reason', problem: `is ${why.length} characters; keep it under 200`, got: `${why.slice(0, 20)}…` }]);
      const c = db
        .transaction(() => {
          const before = get(number);
          if (before.revokedAt !== null)
            throw new Conflict(
              `certificate ${number} was already revoked on ${localDate(before.revokedAt, tz)} by ${before.revokedBy}: ${before.revokedReason}`,
            );
          const now = clock.now();
          db.prepare('UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE number = ?').run(now, actor, why, number);
          audit.append({ actor, action: 'records.certificate.revoke', target: number, detail: { reason: why, sessionId: before.sessionId } });
          return get(number);
        })
        .immediate();
      bus.emit('certificate.revoked', { number: c.number, sessionId: c.sessionId, idNumber: c.idNumber, reason: why });
      return c;
    },

    /** The signature first; only a genuine payload is looked up, and its fields must be the record's. */
    verify(payload: string): Verdict {
      const decoded = decodePayload(payload, () => {
        const key = siteSigner();
        return [{ keyId: key.keyId, key: createPublicKey(key.publicKeyPem) }];
      });
      if (!decoded.ok) return { genuine: false, status: 'not_genuine', problem: decoded.problem };
      const row = byNumber.get(decoded.claims.number) as Row | undefined;
      if (!row) return { genuine: true, status: 'unknown', claims: decoded.claims };
      const c = toCertificate(row);
      const view = publicView(c);
      const stored = claimsOf(c);
      const differs = (Object.keys(stored) as (keyof CertificateClaims)[]).filter((k) => stored[k] !== decoded.claims[k]);
      if (differs.length) return { genuine: false, status: 'not_genuine', problem: `the signed ${differs.join(', ')} differ from the record of ${c.number}` };
      return { genuine: true, status: view.status, certificate: view };
    },

    /** The published key: PEM for openssl, and the id the payload names (its first 8 hex digits). */
    publicKey(): { alg: 'Ed25519'; keyId: string; publicKey: string; publicKeyPem: string } {
      const k = siteSigner();
      return { alg: 'Ed25519', keyId: k.keyId, publicKey: k.publicKeyRaw, publicKeyPem: k.publicKeyPem };
    },
  };
}

export type Certificates = ReturnType<typeof createCertificates>;
