// The SHA-256 of terminal snapshots and kiosk captures, computed as the file is closed (by terminal/ and
// kiosk/, the tables' owners), for the tier's object metadata and its integrity sample. NULL for files
// written before this version: the tier hashes those before it uploads them.
export const sql = `
ALTER TABLE terminal_snapshots ADD COLUMN sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64);
ALTER TABLE identity_attempts ADD COLUMN capture_sha256 TEXT CHECK (capture_sha256 IS NULL OR length(capture_sha256) = 64);
`;
