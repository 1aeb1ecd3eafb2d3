// The audit log's keyed chain (HMAC-SHA-256 with the audit key, storage/audit-key.ts): each row of
// audit_chain says from which entry on the chain is keyed and with which key (by id, never the key), so
// entries written before a key existed keep verifying as plain SHA-256 up to that point. A row's mac
// (HMAC with its own key) stops anyone without the key from moving the switch-over point.
// bank_package_marks: the highest bank package sequence accepted per publisher, out of the audit JSON
// (exam/bank/packages.ts); its mac is the audit key's, and the audit anchors outside the database carry
// it too, so neither a rewritten log nor a lowered row lets an older package back in.
export const sql = `
CREATE TABLE audit_chain (
  keyed_from  INTEGER PRIMARY KEY,
  key_id      TEXT NOT NULL,
  switched_at INTEGER NOT NULL,
  mac         TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
  BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
  BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;

CREATE TABLE bank_package_marks (
  publisher   TEXT PRIMARY KEY,
  sequence    INTEGER NOT NULL,
  version     TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  mac         TEXT
) STRICT;

-- The marks so far, from the acceptance entries they used to be read from (unsealed: written before the key).
INSERT INTO bank_package_marks (publisher, sequence, version, accepted_at, mac)
  SELECT json_extract(detail, '$.publisher'), json_extract(detail, '$.sequence'), json_extract(detail, '$.version'), at, NULL
    FROM audit_log a
   WHERE action = 'bank.package.accepted'
     AND json_extract(detail, '$.sequence') = (
       SELECT MAX(json_extract(detail, '$.sequence')) FROM audit_log b
        WHERE b.action = 'bank.package.accepted' AND json_extract(b.detail, '$.publisher') = json_extract(a.detail, '$.publisher'))
   GROUP BY json_extract(detail, '$.publisher');
`;
