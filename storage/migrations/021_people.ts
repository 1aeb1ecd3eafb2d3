// The rule a roster import applied to each candidate (rules: config, config/rules.ts), kept with the
// roster entry: the config may change later, and the person file (一人一档) must say which rule let the
// candidate sit. `attempt` keeps its meaning (1 first sitting, 2 a retake) and its CHECK; `retake` counts
// the retakes (1 = the first 补考), which a site allowing more than one retake needs.
export const sql = `
ALTER TABLE roster_entries ADD COLUMN retake INTEGER NOT NULL DEFAULT 0 CHECK (retake >= 0);
ALTER TABLE roster_entries ADD COLUMN rule TEXT;
UPDATE roster_entries SET retake = 1 WHERE attempt = 2;
`;
