// Signed archives (documents/archive-writer.ts, archive-check.ts) on real files: every member hashed as
// stored, the manifest signed with the site key made on first use, and a checker that names the first
// file that differs — whichever member's byte is changed, whatever is added or removed.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import t, { type Test } from 'tap';
import yauzl from 'yauzl';
import yazl from 'yazl';
import {
  checkArchive,
  JobCancelled,
  loadSiteSigner,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  SITE_SIGNING_KEY_FILE,
  sweepPartialArchives,
  writeArchive,
  type ArchiveMember,
  type Manifest,
} from '../../documents/index.ts';
import { Conflict, ValidationError } from '../../core/index.ts';
import { KEY_FILES } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';

const CREATED = Date.UTC(2026, 11, 6, 8, 0);

function setup(t: Test) {
  const dir = scratchDir(t, 'examroom-archive-');
  const keys = join(dir, 'keys');
  const media = join(dir, 'media');
  const signer = loadSiteSigner(keys);
  // A "video" file: deterministic bytes, stored (not deflated) as media are.
  const video = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < video.length; i++) video[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(dir, 'segment-0001.ts'), video);
  const members = (): ArchiveMember[] => [
    { path: 'session.json', source: Buffer.from(JSON.stringify({ id: 'S1', name: '2026年12月第1场', candidates: 30 })) },
    { path: 'roster/roster.csv', source: Buffer.from('身份证号,姓名\n320102199001011234,张三\n'), compress: false },
    { path: 'roster/photos/320102199001011234.jpg.enc', source: Buffer.from('ciphertext-of-a-face-photo'), encrypted: true },
    { path: 'video/R1-cam1/segment-0001.ts', source: { file: join(dir, 'segment-0001.ts') } },
    { path: 'notes/room-log.txt', source: { stream: () => Readable.from([Buffer.from('考场记录：'), Buffer.from('无异常。\n')]) } },
  ];
  return { dir, keys, media, signer, video, members };
}

async function entriesOf(file: string): Promise<Array<{ name: string; dataStart: number; compressedSize: number; method: number }>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  const raw = readFileSync(file);
  const out: Array<{ name: string; dataStart: number; compressedSize: number; method: number }> = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      const off = e.relativeOffsetOfLocalHeader;
      const dataStart = off + 30 + raw.readUInt16LE(off + 26) + raw.readUInt16LE(off + 28);
      out.push({ name: e.fileName, dataStart, compressedSize: e.compressedSize, method: e.compressionMethod });
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return out;
}

t.test('an archive holds every member, a manifest with size, SHA-256 and encrypted flag, and a signature that verifies', async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'archives', 'S1-v1.zip');
  const progress: number[] = [];
  const written = await writeArchive({
    file,
    members: s.members(),
    signer: s.signer,
    createdAt: CREATED,
    meta: { kind: 'session', sessionId: 'S1' },
    onProgress: (p) => progress.push(p.bytes),
  });
  t.equal(written.members, 5);
  t.equal(written.bytes, statSync(file).size);
  t.ok(progress.length > 1 && progress.at(-1)! >= s.video.length, 'progress reports bytes as they go');

  const entries = await entriesOf(file);
  t.same(
    entries.map((e) => e.name),
    [
      'session.json',
      'roster/roster.csv',
      'roster/photos/320102199001011234.jpg.enc',
      'video/R1-cam1/segment-0001.ts',
      'notes/room-log.txt',
      MANIFEST_FILE,
      SIGNATURE_FILE,
    ],
  );
  t.equal(entries.find((e) => e.name === 'session.json')!.method, 8, 'a buffer is deflated');
  t.equal(entries.find((e) => e.name.endsWith('.ts'))!.method, 0, 'a media file is stored as it is');

  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  const contents = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', async (e: yauzl.Entry) => {
      const chunks: Buffer[] = [];
      for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer);
      contents.set(e.fileName, Buffer.concat(chunks));
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  const manifest = JSON.parse(contents.get(MANIFEST_FILE)!.toString()) as Manifest;
  t.equal(manifest.format, 'examroom-archive/1');
  t.equal(manifest.createdAt, new Date(CREATED).toISOString());
  t.same(manifest.meta, { kind: 'session', sessionId: 'S1' });
  t.equal(manifest.signer.keyId, s.signer.keyId);
  for (const m of manifest.members) {
    const body = contents.get(m.path)!;
    t.equal(m.size, body.length, `${m.path}: size`);
    t.equal(m.sha256, createHash('sha256').update(body).digest('hex'), `${m.path}: SHA-256 of the bytes as stored`);
  }
  t.same(
    manifest.members.map((m) => m.encrypted),
    [false, false, true, false, false],
    'the encrypted flag is what the caller said',
  );
  t.equal(contents.get('notes/room-log.txt')!.toString(), '考场记录：无异常。\n');
  t.ok(contents.get('video/R1-cam1/segment-0001.ts')!.equals(s.video));

  const check = await checkArchive(file, { publicKeys: [s.signer.publicKeyPem] });
  t.same(check, { ok: true, file, checked: 5, members: 5, keyId: s.signer.keyId, keyTrusted: true, meta: { kind: 'session', sessionId: 'S1' }, problem: null });
  const untrusted = await checkArchive(file);
  t.equal(untrusted.ok, true, 'without a trusted key the embedded one checks that nothing changed');
  t.equal(untrusted.keyTrusted, false, '… and says it did not establish who signed');
  t.same(readdirSync(join(s.dir, 'archives')), ['S1-v1.zip'], 'no temporary file is left beside it');
});

t.test('the site signing key is made once, 0600, in the keys folder, and travels in the key bundle', async (t) => {
  const s = setup(t);
  const st = statSync(join(s.keys, SITE_SIGNING_KEY_FILE));
  t.equal(st.mode & 0o777, 0o600);
  const again = loadSiteSigner(s.keys);
  t.equal(again.keyId, s.signer.keyId, 'a second load finds the same key, it does not make another');
  t.ok(
    KEY_FILES.some((k) => k.files.includes(SITE_SIGNING_KEY_FILE)),
    'KEY_FILES lists it, so keys export carries it',
  );
  writeFileSync(join(s.keys, SITE_SIGNING_KEY_FILE), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  t.throws(() => loadSiteSigner(s.keys), /holds a ec key, not Ed25519/);
});

t.test('one byte changed in any member: the checker names that member', async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'a.zip');
  await writeArchive({ file, members: s.members(), signer: s.signer, createdAt: CREATED });
  const original = readFileSync(file);
  const entries = await entriesOf(file);
  for (const e of entries) {
    if (e.name === MANIFEST_FILE || e.name === SIGNATURE_FILE) continue;
    const bad = Buffer.from(original);
    const at = e.dataStart + Math.floor(e.compressedSize / 2);
    bad[at] = bad[at]! ^ 0x01;
    const f = join(s.dir, 'bad.zip');
    writeFileSync(f, bad);
    const check = await checkArchive(f, { publicKeys: [s.signer.publicKeyPem] });
    t.equal(check.ok, false, `${e.name}: refused`);
    t.equal(check.problem?.kind, 'changed', `${e.name}: as changed`);
    t.equal(check.problem?.path, e.name, `${e.name}: named`);
    t.match(check.problem?.detail, e.name);
  }
});

t.test('a changed manifest is refused by its signature, whatever else still matches', async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'a.zip');
  await writeArchive({ file, members: s.members(), signer: s.signer, createdAt: CREATED });
  const original = readFileSync(file);
  const manifest = (await entriesOf(file)).find((e) => e.name === MANIFEST_FILE)!;

  // A flipped byte in the (deflated) manifest.
  const bad = Buffer.from(original);
  bad[manifest.dataStart + 10] = bad[manifest.dataStart + 10]! ^ 0x20;
  writeFileSync(join(s.dir, 'bad.zip'), bad);
  const flipped = await checkArchive(join(s.dir, 'bad.zip'), { publicKeys: [s.signer.publicKeyPem] });
  t.match(flipped.problem, { kind: 'signature', path: MANIFEST_FILE });

  // A re-made archive whose manifest says what a forger wants, with the original signature file: the
  // forger's manifest is well formed and its hashes match, only the signature tells.
  const rebuilt = await rebuildWith(file, join(s.dir, 'forged.zip'), (name, body) => {
    if (name !== MANIFEST_FILE) return body;
    const m = JSON.parse(body.toString()) as Manifest;
    m.meta = { kind: 'session', sessionId: 'S2' };
    return Buffer.from(JSON.stringify(m, null, 2));
  });
  const forged = await checkArchive(rebuilt, { publicKeys: [s.signer.publicKeyPem] });
  t.match(forged.problem, { kind: 'signature', path: MANIFEST_FILE, detail: /changed after signing/ });
  const forgedNoKey = await checkArchive(rebuilt);
  t.match(forgedNoKey.problem, { kind: 'signature', path: MANIFEST_FILE }, 'the embedded key refuses it too');

  // Signed properly, but by another key than the site's: the archive is intact, the signer untrusted.
  const other = loadSiteSigner(join(s.dir, 'other-keys'));
  const file2 = join(s.dir, 'other.zip');
  await writeArchive({ file: file2, members: s.members(), signer: other, createdAt: CREATED });
  const byOther = await checkArchive(file2, { publicKeys: [s.signer.publicKeyPem] });
  t.match(byOther.problem, { kind: 'signature', path: MANIFEST_FILE, detail: new RegExp(other.keyId) });
});

t.test('a member missing or added after signing is named', async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'a.zip');
  await writeArchive({ file, members: s.members(), signer: s.signer, createdAt: CREATED });
  const key = { publicKeys: [s.signer.publicKeyRaw] };

  const missing = await rebuildWith(file, join(s.dir, 'missing.zip'), (name, body) => (name === 'roster/roster.csv' ? null : body));
  t.match((await checkArchive(missing, key)).problem, { kind: 'missing', path: 'roster/roster.csv' });

  const extra = await rebuildWith(file, join(s.dir, 'extra.zip'), (_n, body) => body, [['roster/photos/planted.jpg', Buffer.from('x')]]);
  t.match((await checkArchive(extra, key)).problem, { kind: 'extra', path: 'roster/photos/planted.jpg' });

  const noSig = await rebuildWith(file, join(s.dir, 'nosig.zip'), (name, body) => (name === SIGNATURE_FILE ? null : body));
  t.match((await checkArchive(noSig, key)).problem, { kind: 'manifest', path: SIGNATURE_FILE });

  writeFileSync(join(s.dir, 'truncated.zip'), readFileSync(file).subarray(0, 4000));
  t.match((await checkArchive(join(s.dir, 'truncated.zip'), key)).problem, { kind: 'unreadable', path: null });
});

t.test('a cancelled or failed write leaves no file behind, and an existing archive is never replaced', async (t) => {
  const s = setup(t);
  const archives = join(s.dir, 'archives');
  const file = join(archives, 'S1-v1.zip');

  // Cancelled mid-member: the stream never ends on its own.
  const ac = new AbortController();
  const endless = new PassThrough();
  endless.write(Buffer.alloc(256 * 1024));
  const cancelled = writeArchive({
    file,
    signer: s.signer,
    createdAt: CREATED,
    signal: ac.signal,
    members: [...s.members(), { path: 'video/endless.ts', source: { stream: () => endless } }],
    onProgress: (p) => {
      if (p.path === 'video/endless.ts' && p.bytes > s.video.length) ac.abort();
    },
  });
  await t.rejects(cancelled, JobCancelled);
  t.notOk(existsSync(file), 'no archive under its name');
  t.same(readdirSync(archives), [], 'and no temporary file beside it');

  // A bad member path, found after some members were written.
  await t.rejects(
    writeArchive({ file, signer: s.signer, createdAt: CREATED, members: [...s.members(), { path: '../escape.txt', source: Buffer.from('x') }] }),
    ValidationError,
  );
  await t.rejects(
    writeArchive({ file, signer: s.signer, createdAt: CREATED, members: [s.members()[0]!, s.members()[0]!] }),
    /session\.json: is in the archive twice/,
  );
  await t.rejects(
    writeArchive({ file, signer: s.signer, createdAt: CREATED, members: [{ path: 'x.ts', source: { file: join(s.dir, 'nope.ts') } }] }),
    /ENOENT/,
  );
  t.same(readdirSync(archives), [], 'nothing left by any of them');

  await writeArchive({ file, members: s.members(), signer: s.signer, createdAt: CREATED });
  const before = readFileSync(file);
  await t.rejects(writeArchive({ file, members: s.members(), signer: s.signer, createdAt: CREATED + 1 }), Conflict);
  t.ok(readFileSync(file).equals(before), 'the existing archive is untouched');
  t.same(readdirSync(archives), ['S1-v1.zip']);
});

t.test('a stop between two members ends the write at once: the member the zip has not read yet does not hold it', async (t) => {
  const s = setup(t);
  const archives = join(s.dir, 'archives');
  // The zip is still deflating the first member when the second, small one has been fed: its end
  // waits for the zip to read it, which a destroyed zip never does (a server stop hung here).
  const big = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 13;
  const ac = new AbortController();
  let aborting = false;
  const write = writeArchive({
    file: join(archives, 'S1-v1.zip'),
    signer: s.signer,
    createdAt: CREATED,
    signal: ac.signal,
    members: [
      { path: 'big.bin', source: big, compress: true },
      { path: 'after.json', source: Buffer.from('{"small":true}') },
    ],
    onProgress: (p) => {
      if (p.path !== 'after.json' || aborting) return;
      aborting = true;
      setTimeout(() => ac.abort(), 5);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the write did not end within 5 s of the abort')), 5000);
  });
  await t.rejects(Promise.race([write, hung]), JobCancelled);
  clearTimeout(timer);
  t.ok(aborting, 'the abort came while the second member was written');
  t.same(readdirSync(archives), [], 'no file, no temporary file');
});

t.test('half-written archives of a gone process are swept; a live writer keeps its file', async (t) => {
  const dir = scratchDir(t, 'examroom-partials-');
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  const live = spawn('sleep', ['30']);
  t.teardown(() => live.kill());
  const names = [
    `.S1-v1.zip.${gone}-0123456789ab.partial`,
    `.S1-v2.zip.${live.pid}-0123456789ab.partial`,
    `.S1-v3.zip.${process.pid}-0123456789ab.partial`,
    'S1-v0.zip',
    '.S1-v4.zip.not-ours.partial',
  ];
  for (const n of names) writeFileSync(join(dir, n), 'x');
  t.same(sweepPartialArchives(dir), [names[0]]);
  t.same(readdirSync(dir).sort(), names.slice(1).sort());
  t.same(sweepPartialArchives(join(dir, 'no-such-folder')), [], 'no archives folder yet: nothing to do');
});

t.test('members come from an async source, one open at a time', async (t) => {
  const s = setup(t);
  const file = join(s.dir, 'big.zip');
  let open = 0;
  let maxOpen = 0;
  async function* members(): AsyncGenerator<ArchiveMember> {
    for (let i = 0; i < 3; i++) {
      yield {
        path: `video/seg-${i}.ts`,
        source: {
          stream: () => {
            open++;
            maxOpen = Math.max(maxOpen, open);
            const r = Readable.from([Buffer.alloc(1024 * 1024, i)]);
            r.on('close', () => open--);
            return r;
          },
        },
      };
    }
  }
  await writeArchive({ file, members: members(), signer: s.signer, createdAt: CREATED });
  t.equal(maxOpen, 1, 'one member stream open at a time');
  t.ok((await checkArchive(file)).ok);
});

/** Copies an archive member by member through `change` (null drops it), adding `extra`: a forger's tool. */
async function rebuildWith(
  from: string,
  to: string,
  change: (name: string, body: Buffer) => Buffer | null,
  extra: Array<[string, Buffer]> = [],
): Promise<string> {
  const zip = await yauzl.openPromise(from, { lazyEntries: true, autoClose: false });
  const out = new yazl.ZipFile();
  const bodies: Array<[string, Buffer]> = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', async (e: yauzl.Entry) => {
      const chunks: Buffer[] = [];
      for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer);
      bodies.push([e.fileName, Buffer.concat(chunks)]);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  for (const [name, body] of [...bodies.slice(0, -2), ...extra, ...bodies.slice(-2)]) {
    const b = change(name, body);
    if (b) out.addBuffer(b, name);
  }
  out.end();
  const chunks: Buffer[] = [];
  for await (const c of out.outputStream as unknown as AsyncIterable<Buffer>) chunks.push(c);
  writeFileSync(to, Buffer.concat(chunks));
  return to;
}
