// A plain copy of a session archive (issue 23): refused until an admin names the legal basis for
// 'archive-export' (nothing audited as exported, nothing written), then a new signed zip whose face
// members are the vault-opened originals, naming its source, audited; admins only, over HTTP and the CLI;
// a source that fails its own check is not copied.
// One app for the file: a session archived with a sealed roster photo and a sealed kiosk capture.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import yauzl from 'yauzl';
import { checkArchive, loadSiteSigner } from '../../documents/index.ts';
import { archiveCommands } from '../../records/archive/commands.ts';
import type { RecordsCliContext } from '../../records/index.ts';
import { A, START, room, type Room } from '../terminal/fixture.ts';
import { scratchDir } from '../helpers.ts';

const keysDir = scratchDir(t);
const outDir = scratchDir(t);
let r: Room;
let admin: string;
let invig: string;
let archiveId: string;
let sourceFile: string;

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(' live capture of A')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(' roster photo of A')]);

/** Every member of a zip: its bytes by name. */
async function members(file: string | Buffer): Promise<Map<string, Buffer>> {
  const zip = await (Buffer.isBuffer(file) ? yauzl.fromBufferPromise(file, { lazyEntries: true }) : yauzl.openPromise(file, { lazyEntries: true }));
  const out = new Map<string, Buffer>();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      zip.openReadStream(e, async (err, s) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        for await (const c of s) chunks.push(c as Buffer);
        out.set(e.fileName, Buffer.concat(chunks));
        zip.readEntry();
      });
    });
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.readEntry();
  });
  return out;
}

const exported = () => r.app.ctx.audit.list({ action: 'records.archive.export_plain', limit: 10 });
const tempCopies = () => readdirSync(tmpdir()).filter((n) => n.startsWith('examroom-archive-plain-'));

async function cli(args: string[], values: Record<string, unknown>) {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = archiveCommands.find((c) => c.name === 'archive export-plain')!;
  let code: number;
  try {
    code = await cmd.run({
      args,
      values,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      actor: 'cli:test',
      config: r.app.ctx.config,
      records: r.app.records,
    } as unknown as RecordsCliContext);
  } catch (e) {
    return { code: 1, out: out.join('\n'), err: (e as Error).message };
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

t.before(async () => {
  r = await room(t, { admit: [A], start: true, extraYaml: `paths: { keys: ${JSON.stringify(keysDir)} }\n` });
  admin = await r.as('admin');
  invig = await r.as('invig');
  const { app, sessionId } = r;
  const db = app.ctx.db;
  const vault = app.records.deps.faceVault;
  // A's roster photo and the kiosk's capture of A, sealed as the appliance stores them.
  mkdirSync(join(app.ctx.paths.captures, 'kiosk'), { recursive: true });
  mkdirSync(join(app.ctx.paths.captures, 'roster'), { recursive: true });
  writeFileSync(join(app.ctx.paths.captures, 'kiosk', 'a1.jpg'), vault.seal(JPEG));
  writeFileSync(join(app.ctx.paths.captures, 'roster', 'a.png'), vault.seal(PNG));
  db.prepare("UPDATE roster_entries SET photo = 'roster/a.png' WHERE session_id = ? AND id_number = ?").run(sessionId, A);
  db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, reason,
       liveness, distance, threshold, seat, capture)
     VALUES ('att-1', 'K1', ?, ?, 'typed', 'blink', ?, ?, ?, 'admitted', NULL, '{"passed":true}', 0.31, 0.5, '01', 'kiosk/a1.jpg')`,
  ).run(sessionId, A, START - 20 * 60_000, START - 19 * 60_000, START - 19 * 60_000);
  r.clock.set(START + 90 * 60_000);
  app.exam.plans.advanceSession(sessionId, 'ended', 'user:admin');
  app.exam.plans.advanceSession(sessionId, 'graded', 'user:admin');
  const made = await app.records.archives.make(sessionId, { by: 'user:admin' });
  archiveId = made.archive.id;
  sourceFile = app.records.archives.pathOf(made.archive);
});

t.test('the source archive keeps its face images sealed', async (t) => {
  const check = await checkArchive(sourceFile);
  t.ok(check.ok);
  const m = await members(sourceFile);
  t.notOk(
    m
      .get(`roster/photos/${r.ticket(A)}.png`)!
      .subarray(0, 8)
      .equals(PNG.subarray(0, 8)),
    'the roster photo is ciphertext',
  );
});

t.test('refused without the legal basis: nothing audited, nothing written', async (t) => {
  t.equal(r.app.records.privacy.outbound.basisOf('archive-export'), null);
  const res = await r.app.inject({ method: 'GET', url: `/api/records/archives/${archiveId}/plain`, headers: { cookie: admin } });
  t.equal(res.statusCode, 409, res.body);
  t.match(res.json(), { error: 'no_archive_export_basis', message: /legal basis .*'archive-export'.*系统 → 人脸数据/ });
  const out = join(outDir, 'refused.zip');
  const c = await cli([archiveId], { out });
  t.equal(c.code, 1);
  t.match(c.err, /no legal basis/);
  t.notOk(existsSync(out), 'the CLI wrote nothing');
  t.same(exported(), [], 'nothing audited as exported');
  t.same(tempCopies(), [], 'no temporary copy left');
});

t.test('an invigilator may not ask for one; an unknown archive is 404', async (t) => {
  r.app.records.privacy.outbound.set('archive-export', '《个人信息保护法》第十三条第三项；省考试院档案移交通知', { actor: 'user:admin' });
  const res = await r.app.inject({ method: 'GET', url: `/api/records/archives/${archiveId}/plain`, headers: { cookie: invig } });
  t.equal(res.statusCode, 403);
  const none = await r.app.inject({ method: 'GET', url: '/api/records/archives/nope/plain', headers: { cookie: admin } });
  t.equal(none.statusCode, 404);
  t.same(exported(), []);
});

t.test('with the basis: a new signed zip, the face members opened, naming its source, audited', async (t) => {
  const res = await r.app.inject({ method: 'GET', url: `/api/records/archives/${archiveId}/plain`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['content-type'], 'application/zip');
  t.match(res.headers['content-disposition'], /attachment; filename=".*-v1-.*-plain\.zip"/);
  const zip = res.rawPayload;
  const file = join(outDir, 'plain.zip');
  writeFileSync(file, zip);

  const site = loadSiteSigner(r.app.ctx.config.paths.keys).publicKeyPem;
  const check = await checkArchive(file, { publicKeys: [site] });
  t.match(check, { ok: true, keyTrusted: true, problem: null });
  t.match(check.meta, {
    kind: 'examroom-session-archive-plain',
    source: { archiveId, sessionId: r.sessionId, version: 1, meta: { kind: 'examroom-session-archive' } },
    legalBasis: /个人信息保护法/,
    madeBy: 'user:admin',
  });

  const plain = await members(zip);
  const orig = await members(sourceFile);
  const manifest = JSON.parse(plain.get('manifest.json')!.toString('utf8'));
  const origManifest = JSON.parse(orig.get('manifest.json')!.toString('utf8'));
  t.same(
    manifest.members.map((m: { path: string }) => m.path),
    origManifest.members.map((m: { path: string }) => m.path),
    'the same members, in the same order',
  );
  t.ok(
    manifest.members.every((m: { encrypted: boolean }) => m.encrypted === false),
    'no member is flagged encrypted',
  );
  const sealed = origManifest.members.filter((m: { encrypted: boolean }) => m.encrypted).map((m: { path: string }) => m.path);
  // The roster photo, the kiosk capture, and each person-file PDF (it shows the photo) are sealed in the source.
  const images = sealed.filter((p: string) => !p.endsWith('.pdf'));
  t.same(images, [`roster/photos/${r.ticket(A)}.png`, 'sign-in/captures/att-1.jpg']);
  t.ok(sealed.length > images.length, 'the person-file PDFs are sealed too');
  const vault = r.app.records.deps.faceVault;
  for (const p of sealed) {
    const bytes = plain.get(p)!;
    const magic = p.endsWith('.pdf') ? [Buffer.from('%PDF-')] : p.endsWith('.png') ? [PNG.subarray(0, 8)] : [JPEG.subarray(0, 3)];
    t.ok(bytes.subarray(0, magic[0]!.length).equals(magic[0]!), `${p} starts with its plain magic bytes`);
    t.same(bytes, vault.open(orig.get(p)!, p), `${p} is the vault-opened original`);
  }
  for (const m of origManifest.members.filter((x: { encrypted: boolean }) => !x.encrypted)) t.same(plain.get(m.path), orig.get(m.path), `${m.path} unchanged`);

  const audit = exported();
  t.equal(audit.length, 1);
  t.match(audit[0], {
    actor: 'user:admin',
    target: r.sessionId,
    detail: { archiveId, sessionId: r.sessionId, basis: /个人信息保护法/, members: origManifest.members.length, opened: sealed.length },
  });
  t.same(tempCopies(), [], 'the temporary copy is gone once sent');
  t.equal(readdirSync(r.app.ctx.paths.archives).length, 1, 'the archives folder holds only the source');
});

t.test('the CLI writes the copy where asked, never inside the data folder', async (t) => {
  const inside = join(r.app.ctx.paths.root, 'plain.zip');
  const bad = await cli([archiveId], { out: inside });
  t.equal(bad.code, 1);
  t.match(bad.err, /inside the data folder/);
  t.notOk(existsSync(inside));
  t.equal(await cli([archiveId], {}).then((x) => x.code), 1, '--out is required');

  const out = join(outDir, 'cli.zip');
  const c = await cli([archiveId], { out });
  t.equal(c.code, 0, c.err);
  t.match(c.out, /\d+ sealed ones .* in plain form/);
  t.match(await checkArchive(out), { ok: true, meta: { madeBy: 'cli:test' } });
  t.equal(exported().length, 2, 'audited again');
  const again = await cli([archiveId], { out });
  t.equal(again.code, 1, 'an existing file is never overwritten');
});

t.test('a source archive that fails its check is not copied', async (t) => {
  // One byte of the first member's stored data changed: the check names it, and no copy is made.
  const bytes = readFileSync(sourceFile);
  bytes[100] = bytes[100]! ^ 0xff;
  writeFileSync(sourceFile, bytes);
  const res = await r.app.inject({ method: 'GET', url: `/api/records/archives/${archiveId}/plain`, headers: { cookie: admin } });
  t.equal(res.statusCode, 409, res.body);
  t.match(res.json().message, /fails verification .*no plain copy is made/);
  t.equal(exported().length, 2, 'nothing more audited');
  t.same(tempCopies(), []);
});
