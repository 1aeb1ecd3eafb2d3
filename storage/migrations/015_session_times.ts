// When a session actually opened for check-in and actually ended, beside started_at (migration 012):
// the recording window and the playback timeline run from the earlier of the planned start and the
// actual check-in to the later of the planned and the actual end (docs/media.md, "Playback window"),
// and an exam started early must not fall outside them. Back-filled from the first `exam.session.status`
// entry to checkin and to ended of each session, so an upgraded database keeps both.
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
`;
