// Face data at rest (issue 23, "Kept on the appliance, encrypted, seen only by who needs it"): after a
// roster import with photos and a kiosk check-in, nothing in the data folder — files, SQLite blobs — is a
// readable JPEG or PNG and no descriptor is plain floats; the console still shows the photo, and that view
// is audited; a start without the face key stops with a clear error and loses nothing.
import t from 'tap';
import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { P, kioskSite, toledoFrames } from '../kiosk/fixture.ts';
import { buildTestApp } from '../helpers.ts';
import { FACE_KEY_FILE, isSealed, openDatabase } from '../../storage/index.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const readable = (b: Buffer) => b.subarray(0, 3).equals(JPEG) || b.subarray(0, 4).equals(PNG);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

t.test('nothing in the data folder is a readable face, yet the console shows the photo and the view is audited', async (t) => {
  const k = await kioskSite(t);
  await k.app.kiosk.identity.idle();
  const look = await k.post('/api/kiosk/lookup', { source: 'typed', idNumber: P.toledo });
  t.equal(look.body.ok, true, look.body.detail);
  const r = await k.post(`/api/kiosk/attempts/${look.body.attemptId}/verify`, { frames: await toledoFrames(look.body.challenge) });
  t.equal(r.body.decision, 'admitted', r.body.detail);
  const { paths, db } = k.app.ctx;

  // Files: the roster photos and the capture are there, all sealed.
  const files = filesUnder(paths.captures);
  t.ok(files.length >= 3, `${files.length} face files (roster photos and the capture)`);
  for (const f of files) t.ok(isSealed(readFileSync(f)) && !readable(readFileSync(f)), `${f.slice(paths.captures.length + 1)} is sealed`);
  for (const f of filesUnder(paths.root).filter((f) => !f.startsWith(paths.db)))
    t.notOk(readable(readFileSync(f)), `${f.slice(paths.root.length + 1)} is no JPEG or PNG`);

  // SQLite: every blob of every table; descriptors sealed (bank_images holds question pictures, not faces).
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((x) => x.name);
  let blobs = 0;
  for (const table of tables.filter((x) => x !== 'bank_images')) {
    for (const { name } of db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]) {
      for (const row of db.prepare(`SELECT "${name}" AS b FROM "${table}" WHERE typeof("${name}") = 'blob'`).all() as { b: Buffer }[]) {
        blobs++;
        t.notOk(readable(row.b), `${table}.${name} holds no readable image`);
        if (/descriptor/.test(name)) t.ok(isSealed(row.b), `${table}.${name} is sealed, not plain floats`);
      }
    }
  }
  const descriptors = db.prepare(`SELECT count(*) AS n FROM face_enrolments WHERE descriptor IS NOT NULL`).get() as { n: number };
  t.ok(descriptors.n >= 1 && blobs >= 2, `${descriptors.n} enrolment descriptors and the probe among ${blobs} blobs`);

  // The console still shows the photo, and says who saw whose face.
  const invig = await k.as('invig');
  const ticket = k.app.exam.plans.roster(k.sessionId).find((e) => e.idNumber === P.toledo)!.ticketNo;
  const photo = await k.app.inject({ url: `/api/proctor/sessions/${k.sessionId}/photos/${ticket}`, headers: { cookie: invig } });
  t.equal(photo.statusCode, 200);
  t.ok(readable(photo.rawPayload), 'served as a JPEG');
  t.equal(photo.headers['cache-control'], 'no-store', 'never cached: every view is a request, and audited');
  t.match(k.app.ctx.audit.list({ action: 'face.view' }), [{ actor: 'user:invig', target: P.toledo, detail: { kind: 'roster photo', sessionId: k.sessionId } }]);
  const cap = await k.app.inject({ url: `/api/kiosk/attempts/${look.body.attemptId}/capture`, headers: { cookie: invig } });
  t.ok(readable(cap.rawPayload), 'the capture is shown to staff as a JPEG');
});

t.test('a start without the face key is a clear error that makes no key and changes nothing', async (t) => {
  const k = await kioskSite(t, { engine: null, enrolOnImport: false });
  const config = k.app.ctx.config;
  const { paths } = k.app.ctx;
  await k.app.close();
  const keyFile = join(config.paths.keys, FACE_KEY_FILE);
  const before = filesUnder(paths.captures).map((f) => [f, readFileSync(f).toString('base64')]);
  renameSync(keyFile, `${keyFile}.away`);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  await t.rejects(buildTestApp({ config, db }), {
    name: 'FaceKeyError',
    message: /face-data\.key is missing, but face data .* is sealed under key .*examroom keys import/,
  });
  t.throws(() => statSync(keyFile), 'no new key was made in its place');
  t.same(
    filesUnder(paths.captures).map((f) => [f, readFileSync(f).toString('base64')]),
    before,
    'every face file as it was',
  );
  renameSync(`${keyFile}.away`, keyFile);
  const again = await buildTestApp({ config, db });
  t.teardown(() => again.close());
  t.ok(again.kiosk, 'with the key back the server starts');
});
