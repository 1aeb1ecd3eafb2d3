// Question images (题目图片): the picture files a question shows, stored in the database itself.
// They are small (at most 2 MiB each, most a few KiB), and a BLOB here is written in the same
// transaction as the bank version that uses it and travels with every database backup.
//
// The id is content-addressed (sha256 hex + '.' + the extension the content has), so a question's
// id, which hashes its image ids, changes when its picture does. The key is (id, name), not id
// alone: the same picture may be uploaded under two names (a sign used by two questions), and each
// name must resolve. A name resolves to its latest upload (uploaded_at, then rowid).
export const sql = `
CREATE TABLE bank_images (
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  mime        TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  data        BLOB NOT NULL,
  uploaded_at INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL,
  PRIMARY KEY (id, name)
) STRICT;
CREATE INDEX bank_images_by_name ON bank_images (name, uploaded_at);
`;
