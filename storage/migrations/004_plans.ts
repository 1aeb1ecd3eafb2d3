// Exam plans, sessions and rosters, beyond 003: the seed a session's seats were drawn from (so the
// draw can be shown to be random and replayed), and the training-completion date a roster row may
// give, which lets a person who failed twice sit again after retraining.
export const sql = `
ALTER TABLE exam_sessions ADD COLUMN seat_seed TEXT;
ALTER TABLE roster_entries ADD COLUMN trained_on TEXT;
CREATE INDEX sessions_by_room ON exam_sessions(room_id, starts_at);
CREATE INDEX sessions_by_plan ON exam_sessions(plan_id, starts_at);
CREATE INDEX roster_by_person ON roster_entries(id_number);
`;
