// Recording by schedule. A session's recording window needs when its check-in actually opened and when
// it actually ended (exam_sessions.checkin_at, ended_at: started_at is there since 012), back-filled from
// the first `exam.session.status` audit entry to each status. And each segment's SHA-256, computed when
// the segment closes (or when a crash's leftover is recovered), for the records' archive manifests;
// NULL for segments indexed before this version.
export const sql = `
ALTER TABLE exam_sessions ADD COLUMN checkin_at INTEGER;
ALTER TABLE exam_sessions ADD COLUMN ended_at INTEGER;

UPDATE exam_sessions SET checkin_at = x.at
  FROM (SELECT target, at, MIN(seq) FROM audit_log
        WHERE action = 'exam.session.status' AND json_extract(detail, '$.to') = 'checkin' GROUP BY target) AS x
  WHERE x.target = exam_sessions.id;

UPDATE exam_sessions SET ended_at = x.at
  FROM (SELECT target, at, MIN(seq) FROM audit_log
        WHERE action = 'exam.session.status' AND json_extract(detail, '$.to') = 'ended' GROUP BY target) AS x
  WHERE x.target = exam_sessions.id;

ALTER TABLE media_segments ADD COLUMN sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64);
`;
