// A seat check of a candidate who declined face recognition ends one of two ways: the invigilator saw
// that the person at the seat is the one on the ID card ('confirmed'), or that they are not
// ('not_the_person': the exam rules say do not confirm, record an incident, call the chief examiner).
// confirmed_at / confirmed_by are when and by whom the check was decided, whichever way; the incident
// recorded with a refusal is named here so the room log, the person file and the archive join them.
// Rows decided before this version were all confirmations. Written only by proctor/.
export const sql = `
ALTER TABLE seat_identity_confirmations ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN ('confirmed', 'not_the_person'));
ALTER TABLE seat_identity_confirmations ADD COLUMN incident_id TEXT;
UPDATE seat_identity_confirmations SET outcome = 'confirmed' WHERE confirmed_at IS NOT NULL;
`;
