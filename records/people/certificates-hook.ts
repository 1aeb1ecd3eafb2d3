// The person file's certificates, until the certificates part (records/certificates, migration 019)
// exports a read function of its own: then `certificatesOf` should call that and this file goes.
// Until the table exists (a database without migration 019) there is nothing to read, and the file
// says so instead of showing "no certificates".
import type { Db } from '../../storage/index.ts';

export interface PersonCertificate {
  number: string;
  sessionId: string;
  category: string;
  operationClass: string | null;
  industry: string;
  issuedAt: number;
  validUntil: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

/** null: the certificates table is not in this database (the certificates part is not installed). */
export function certificatesOf(db: Db, idNumber: string): PersonCertificate[] | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'certificates'").get();
  if (!table) return null;
  return db
    .prepare(
      `SELECT number, session_id AS sessionId, category, operation_class AS operationClass, industry, issued_at AS issuedAt,
              valid_until AS validUntil, revoked_at AS revokedAt, revoked_reason AS revokedReason
       FROM certificates WHERE id_number = ? ORDER BY issued_at, number`,
    )
    .all(idNumber) as PersonCertificate[];
}
