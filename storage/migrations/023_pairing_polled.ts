// When a pairing request's page last asked for its status: a request whose page stopped asking (closed,
// rebooted) is "page gone" and is neither listed nor approved, so an admin cannot approve a dead page.
export const sql = `
ALTER TABLE device_pairings ADD COLUMN polled_at INTEGER;
UPDATE device_pairings SET polled_at = requested_at;
`;
