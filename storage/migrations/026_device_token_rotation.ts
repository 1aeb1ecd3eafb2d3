// Device tokens expire when unused and are rotated while their device is connected (docs/security.md
// "Snapshots on disk and device tokens"). A rotation keeps the replaced token's hash valid until the new
// token is first used, then for a grace period, so a page that reloads mid-rotation stays paired.
// Tokens issued before this version count as issued at pairing and as used now: an upgrade expires none.
export const sql = `
ALTER TABLE devices ADD COLUMN token_issued_at INTEGER;
ALTER TABLE devices ADD COLUMN token_used_at INTEGER;
ALTER TABLE devices ADD COLUMN prev_token_hash TEXT;
-- NULL while the new token has not been used yet: the previous one stays valid until it is.
ALTER TABLE devices ADD COLUMN prev_token_until INTEGER;
-- Set when an expired token was first refused (audited once); cleared by pairing again.
ALTER TABLE devices ADD COLUMN token_expired_at INTEGER;
UPDATE devices SET token_issued_at = paired_at, token_used_at = CAST(unixepoch('now') AS INTEGER) * 1000 WHERE token_hash IS NOT NULL;
CREATE INDEX devices_by_prev_token ON devices(prev_token_hash) WHERE prev_token_hash IS NOT NULL;
`;
