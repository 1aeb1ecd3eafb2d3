// Proctor alerts (proctor/alerts.ts): a condition that ended by itself within its grace (a terminal
// back within exam.reconnectGraceSeconds) is kept as a record marked resolved: shown in the history,
// never counted as open, nothing for a person to acknowledge.
export const sql = `
ALTER TABLE proctor_alerts ADD COLUMN resolved_at INTEGER;
`;
