// The audit log is evidence: the triggers stop edits made through SQL, and the hash chain must expose
// edits made around SQL (someone with the file and a SQLite shell), pointing at the first bad entry.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { fixedClock } from '../../core/index.ts';
import { createAuditLog, entryHash, GENESIS_HASH, openDatabase, type AuditLog, type Db } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

function setup(t: Test, entries = 0): { db: Db; audit: AuditLog } {
  const db = openDatabase(join(scratchDir(t), 'db', 'examroom.sqlite'));
  t.teardown(() => db.close());
  const clock = fixedClock(1_700_000_000_000);
  const audit = createAuditLog(db, {
    now: () => {
      clock.advance(1000);
      return clock.now();
    },
  });
  for (let i = 1; i <= entries; i++) audit.append({ actor: `user:u${i}`, action: 'test.step', target: `t${i}`, detail: { i }, ip: '10.0.0.1' });
  return { db, audit };
}

/** What someone editing the file with a SQLite shell would do first. */
function dropGuards(db: Db): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

t.test('the first entry links to the genesis hash', async (t) => {
  const { audit } = setup(t);
  const first = audit.append({ actor: 'system', action: 'system.start' });
  t.equal(first.seq, 1);
  t.equal(first.prevHash, GENESIS_HASH);
});

t.test("each entry's prevHash is the previous entry's hash", async (t) => {
  const { audit } = setup(t, 4);
  const chain = audit.list().reverse();
  t.same(
    chain.map((e) => e.seq),
    [1, 2, 3, 4],
  );
  for (let i = 1; i < chain.length; i++) t.equal(chain[i]!.prevHash, chain[i - 1]!.hash, `entry ${i + 1} links to entry ${i}`);
  t.equal(new Set(chain.map((e) => e.hash)).size, 4, 'every hash is distinct');
});

t.test("an entry's hash covers every field of its content and the previous hash", async (t) => {
  const { db, audit } = setup(t);
  const e = audit.append({ actor: 'user:admin', action: 'user.create', target: 'invig', detail: { role: 'invigilator' }, ip: '10.0.0.9' });
  const row = db.prepare('SELECT detail FROM audit_log WHERE seq = ?').get(e.seq) as { detail: string };
  const base = { seq: e.seq, at: e.at, actor: e.actor, action: e.action, target: e.target, detail: row.detail, ip: e.ip, prevHash: e.prevHash };
  t.equal(e.hash, entryHash(base));
  for (const [field, value] of Object.entries({ seq: 99, at: 1, actor: 'x', action: 'x', target: null, detail: '{}', ip: null, prevHash: 'f'.repeat(64) })) {
    t.not(entryHash({ ...base, [field]: value }), e.hash, `changing ${field} changes the hash`);
  }
});

t.test('the log refuses UPDATE through SQL', async (t) => {
  const { db } = setup(t, 2);
  t.throws(() => db.prepare("UPDATE audit_log SET detail = '{}' WHERE seq = 1").run(), /audit_log is append-only/);
  t.same(db.prepare('SELECT detail FROM audit_log WHERE seq = 1').get(), { detail: '{"i":1}' });
});

t.test('the log refuses DELETE through SQL', async (t) => {
  const { db } = setup(t, 2);
  t.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run(), /audit_log is append-only/);
  t.throws(() => db.prepare('DELETE FROM audit_log').run(), /audit_log is append-only/);
  t.equal((db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, 2);
});

t.test('verify reports ok with the number of entries checked', async (t) => {
  t.same(setup(t).audit.verify(), { ok: true, checked: 0 }, 'an empty log');
  t.same(setup(t, 5).audit.verify(), { ok: true, checked: 5 });
});

t.test('an entry whose content was edited is reported as altered', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  db.prepare(`UPDATE audit_log SET detail = '{"i":30}' WHERE seq = 3`).run();
  t.same(audit.verify(), { ok: false, checked: 2, seq: 3, problem: 'entry 3 was altered (its content no longer matches its hash)' });
});

t.test('an edited entry whose own hash was recomputed breaks the link from the next entry', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  const r = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as {
    seq: number;
    at: number;
    actor: string;
    action: string;
    target: string | null;
    ip: string | null;
    prev_hash: string;
  };
  const detail = '{"i":30}';
  const hash = entryHash({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, detail, ip: r.ip, prevHash: r.prev_hash });
  db.prepare('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 3').run(detail, hash);
  t.same(audit.verify(), { ok: false, checked: 3, seq: 4, problem: 'entry 4 does not link to entry 3 (previous hash differs)' });
});

t.test('when several entries are broken the first one is reported', async (t) => {
  const { db, audit } = setup(t, 6);
  dropGuards(db);
  db.prepare("UPDATE audit_log SET actor = 'user:mallory' WHERE seq IN (2, 5)").run();
  db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
  t.match(audit.verify(), { ok: false, seq: 2, problem: 'entry 2 was altered (its content no longer matches its hash)' });
});

t.test('a removed middle entry is reported as missing', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
  t.same(audit.verify(), { ok: false, checked: 2, seq: 3, problem: 'entry 3 missing (removed); next present is 4' });
});

t.test('a removed run of middle entries is reported as one range', async (t) => {
  const { db, audit } = setup(t, 6);
  dropGuards(db);
  db.prepare('DELETE FROM audit_log WHERE seq IN (2, 3, 4)').run();
  t.same(audit.verify(), { ok: false, checked: 1, seq: 2, problem: 'entries 2–4 missing (removed); next present is 5' });
});

t.test('entries cut off the end are reported as missing at the end', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  db.prepare('DELETE FROM audit_log WHERE seq >= 4').run();
  // No gap remains in what is left; only SQLite's AUTOINCREMENT high-water mark remembers 4 and 5.
  t.same(audit.verify(), { ok: false, checked: 3, seq: 4, problem: 'entries 4–5 missing at the end (removed)' });
});

t.test('a single entry cut off the end is reported as missing at the end', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
  t.same(audit.verify(), { ok: false, checked: 4, seq: 5, problem: 'entry 5 missing at the end (removed)' });
});

t.test('entries appended after the end was cut off do not hide the removal', async (t) => {
  const { db, audit } = setup(t, 5);
  dropGuards(db);
  db.prepare('DELETE FROM audit_log WHERE seq >= 4').run();
  const next = audit.append({ actor: 'system', action: 'system.start' });
  t.equal(next.seq, 6, 'numbering continues past the removed entries');
  t.same(audit.verify(), { ok: false, checked: 3, seq: 4, problem: 'entries 4–5 missing (removed); next present is 6' });
});

t.test('list returns newest first and filters by action and by actor', async (t) => {
  const { audit } = setup(t);
  audit.append({ actor: 'user:admin', action: 'user.login' });
  audit.append({ actor: 'user:invig', action: 'user.login' });
  audit.append({ actor: 'user:admin', action: 'device.approve', target: 'K1' });
  audit.append({ actor: 'user:admin', action: 'user.logout' });
  t.same(
    audit.list().map((e) => e.seq),
    [4, 3, 2, 1],
  );
  t.same(
    audit.list({ action: 'user.login' }).map((e) => [e.seq, e.actor]),
    [
      [2, 'user:invig'],
      [1, 'user:admin'],
    ],
  );
  t.same(
    audit.list({ actor: 'user:admin' }).map((e) => e.action),
    ['user.logout', 'device.approve', 'user.login'],
  );
  t.same(
    audit.list({ actor: 'user:admin', action: 'user.login' }).map((e) => e.seq),
    [1],
  );
  t.same(audit.list({ action: 'no.such.action' }), []);
});

t.test('list pages backwards with beforeSeq and limit', async (t) => {
  const { audit } = setup(t, 7);
  const page1 = audit.list({ limit: 3 });
  t.same(
    page1.map((e) => e.seq),
    [7, 6, 5],
  );
  const page2 = audit.list({ limit: 3, beforeSeq: page1.at(-1)!.seq });
  t.same(
    page2.map((e) => e.seq),
    [4, 3, 2],
  );
  const page3 = audit.list({ limit: 3, beforeSeq: page2.at(-1)!.seq });
  t.same(
    page3.map((e) => e.seq),
    [1],
  );
  t.same(audit.list({ limit: 3, beforeSeq: 1 }), [], 'nothing before the first entry');
});

t.test('list returns entries as appended, detail parsed back to an object', async (t) => {
  const { audit } = setup(t);
  const e = audit.append({ actor: 'device:K1', action: 'kiosk.verify', target: 'candidate:42', detail: { match: 0.97, photo: 'c/42.jpg' }, ip: '10.0.0.5' });
  t.same(audit.list(), [e]);
  t.same(audit.list()[0]?.detail, { match: 0.97, photo: 'c/42.jpg' });
});
