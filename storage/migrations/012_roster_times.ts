// Moments other modules used to dig out of audit_log JSON, now columns of the tables they belong to:
// when a session's exam started (exam_sessions.started_at, the zero of every candidate's clock) and
// when a candidate was admitted (roster_entries.admitted_at, which the kiosk shows on a second visit).
// Back-filled from the audit entries that recorded them, so an upgraded database keeps both: the first
// `exam.session.status` entry to in_progress of a session, and the last `exam.candidate.admit` entry
// for a ticket of a session (admission happens once; the last one is what the kiosk used to read).
export const sql = `
ALTER TABLE exam_sessions ADD COLUMN started_at INTEGER;
ALTER TABLE roster_entries ADD COLUMN admitted_at INTEGER;

UPDATE exam_sessions SET started_at = x.at
  FROM (SELECT target, at, MIN(seq) FROM audit_log
        WHERE action = 'exam.session.status' AND json_extract(detail, '$.to') = 'in_progress' GROUP BY target) AS x
  WHERE x.target = exam_sessions.id;

UPDATE roster_entries SET admitted_at = x.at
  FROM (SELECT target, json_extract(detail, '$.ticketNo') AS ticket_no, at, MAX(seq) FROM audit_log
        WHERE action = 'exam.candidate.admit' GROUP BY target, json_extract(detail, '$.ticketNo')) AS x
  WHERE x.target = roster_entries.session_id AND x.ticket_no = roster_entries.ticket_no;
`;
