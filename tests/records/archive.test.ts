// 一期一档 through the real app: a session taken by two terminals on real sockets (answers, integrity
// events, a submit each), an incident recorded in the console, a kiosk attempt with its capture and
// recorded screen segments, graded → archived over HTTP as a job watched by server-sent events; the
// archive verifies, names any member with one byte changed, a cancel leaves no file, a second archive
// is version 2 beside version 1. One app for the file: each test goes on from the previous one.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import yauzl from 'yauzl';
import { createMediaStore, openDatabase } from '../../storage/index.ts';
import { archiveCommands } from '../../records/archive/commands.ts';
import type { RecordsCliContext } from '../../records/index.ts';
import { readArchiveProgressNote } from '../../records/protocol.ts';
import { A, B, C, START, Term, logIn, room, rightAnswers, startApp, type Room } from '../terminal/fixture.ts';
import { scratchDir, TEST_CONFIG_YAML } from '../helpers.ts';
import { loadSiteSigner } from '../../documents/index.ts';

const keysDir = scratchDir(t);
let r: Room;
let admin: string;
let invig: string;

interface Entry {
  path: string;
  offset: number;
  compressedSize: number;
}

/** Each member's name and where its stored bytes begin in the file (after the local header). */
async function entries(file: string): Promise<Entry[]> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true, autoClose: false }, (e, z) => (e ? rej(e) : res(z))));
  const out: Entry[] = [];
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      out.push({ path: e.fileName, offset: e.relativeOffsetOfLocalHeader, compressedSize: e.compressedSize });
      zip.readEntry();
    });
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.readEntry();
  });
  zip.close();
  const fd = openSync(file, 'r');
  for (const e of out) {
    const h = Buffer.alloc(30);
    readSync(fd, h, 0, 30, e.offset);
    e.offset += 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  }
  closeSync(fd);
  return out;
}

async function readMember(file: string, path: string): Promise<Buffer> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))));
  return new Promise((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName !== path) return zip.readEntry();
      zip.openReadStream(e, async (err, s) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        for await (const c of s) chunks.push(c as Buffer);
        zip.close();
        res(Buffer.concat(chunks));
      });
    });
    zip.on('end', () => rej(new Error(`${path} is not in ${file}`)));
    zip.readEntry();
  });
}

/** `examroom archive verify FILE` as the CLI runs it (standalone), with no site config unless given. */
async function verifyCli(file: string, config = '/nonexistent/config.yaml') {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = archiveCommands.find((c) => c.name === 'archive verify')!;
  const code = await cmd.run({
    args: [file],
    values: { config },
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    actor: 'cli:test',
  } as unknown as RecordsCliContext);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The job's server-sent events until it ends, over a real socket. */
function jobEvents(jobId: string, cookie: string): Promise<{ event: string; data: any }[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: r.port, path: `/api/jobs/${jobId}/events`, headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve(
          text
            .split('\n\n')
            .filter((b) => b.startsWith('event:'))
            .map((b) => {
              const [ev, data] = b.split('\n');
              return { event: ev!.slice(7), data: JSON.parse(data!.slice(6)) };
            }),
        ),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitJob(id: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const j = (await r.app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: { cookie: admin } })).json();
    if (['done', 'failed', 'cancelled', 'interrupted'].includes(j.status)) return j;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`job ${id} did not end`);
}

const archiveFiles = () => readdirSync(r.app.ctx.paths.archives).sort();

t.before(async () => {
  r = await room(t, { admit: [A, B], start: true, extraYaml: `paths: { keys: ${JSON.stringify(keysDir)} }\n` });
  admin = await r.as('admin');
  invig = await r.as('invig');
  const { app, sessionId } = r;
  const db = app.ctx.db;

  // Two candidates sit at their terminals: A answers everything right, B one question; an integrity event each.
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  const t2 = await Term.open(t, r.port, r.tokens.T2);
  await logIn(t1, r.ticket(A), true);
  await logIn(t2, r.ticket(B), true);
  const keyA = rightAnswers(app, sessionId, A);
  for (const [i, choice] of keyA.entries()) await t1.ask({ type: 'save', seq: i + 1, no: i + 1, choice }, 'ack');
  await t2.ask({ type: 'save', seq: 1, no: 1, choice: [0] }, 'ack');
  await t1.ask({ type: 'integrity', kind: 'focus_lost', detail: '3 s' }, 'noted');
  await t2.ask({ type: 'integrity', kind: 'paste' }, 'noted');
  r.clock.set(START + 30 * 60_000);
  const inc = await app.inject({
    method: 'POST',
    url: `/api/proctor/sessions/${sessionId}/incidents`,
    headers: { cookie: invig },
    payload: { category: 'talking', note: '与邻座交谈，口头警告', candidate: r.ticket(B) },
  });
  if (inc.statusCode >= 300) throw new Error(inc.body);
  r.clock.set(START + 60 * 60_000);
  await t1.ask({ type: 'submit', confirm: true }, 'submitted');
  await t2.ask({ type: 'submit', confirm: true }, 'submitted');

  // The kiosk's attempt for A as the kiosk writes it (its face engine takes seconds to load), with its capture.
  mkdirSync(join(app.ctx.paths.captures, 'kiosk'), { recursive: true });
  writeFileSync(join(app.ctx.paths.captures, 'kiosk', 'a1.jpg'), app.records.deps.faceVault.seal(Buffer.from('\xff\xd8\xff\xe0 live capture of A', 'latin1')));
  db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, reason,
       liveness, distance, threshold, seat, capture, override_by, override_reason)
     VALUES ('att-1', 'K1', ?, ?, 'typed', 'blink', ?, ?, ?, 'overridden', 'face_mismatch', '{"passed":true}', 0.61, 0.5, '01', 'kiosk/a1.jpg', 'user:invig', '证件照过旧，人工核验')`,
  ).run(sessionId, A, START - 20 * 60_000, START - 19 * 60_000, START - 19 * 60_000);

  // The screens of T1 and T2 recorded in 5-minute segments over the hour, T2's with a 10-minute hole.
  const media = createMediaStore(db);
  for (const term of ['T1', 'T2']) {
    for (let at = START - 30 * 60_000; at < START + 60 * 60_000; at += 5 * 60_000) {
      if (term === 'T2' && at >= START + 10 * 60_000 && at < START + 20 * 60_000) continue;
      const rel = `SCREEN-${term}/${at}.ts`;
      const bytes = Buffer.from(`segment ${term} ${at}`);
      mkdirSync(join(app.ctx.paths.media, `SCREEN-${term}`), { recursive: true });
      writeFileSync(join(app.ctx.paths.media, rel), bytes);
      media.addSegment({
        sourceId: `SCREEN-${term}`,
        start: at,
        end: at + 5 * 60_000,
        bytes: bytes.length,
        path: rel,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
  }
  r.clock.set(START + 90 * 60_000);
  app.exam.plans.advanceSession(sessionId, 'ended', 'user:admin');
});

t.test('an archive is refused before grading, and archived is refused without an archive', async (t) => {
  const early = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: admin }, payload: {} });
  t.equal(early.statusCode, 409);
  t.match(early.json().message, /is ended; its archive .* is made once it is graded/);
  r.app.exam.plans.advanceSession(r.sessionId, 'graded', 'user:admin');
  t.throws(() => r.app.exam.plans.advanceSession(r.sessionId, 'archived', 'cli:root'), {
    name: 'Conflict',
    message: /has no session archive .*examroom archive session/,
  });
  const byHand = await r.app.inject({
    method: 'POST',
    url: `/api/exam/sessions/${r.sessionId}/status`,
    headers: { cookie: admin },
    payload: { status: 'archived' },
  });
  t.equal(byHand.statusCode, 409, 'nor by the API');
  const inv = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: invig }, payload: {} });
  t.equal(inv.statusCode, 403, 'an invigilator may not archive');
  t.same(archiveFiles(), [], 'nothing written');
});

let first: { file: string; id: string };

t.test('the archive job, watched by server-sent events, writes a signed archive and moves the session to archived', async (t) => {
  const start = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: admin }, payload: {} });
  t.equal(start.statusCode, 202, start.body);
  const job = start.json();
  const events = await jobEvents(job.id, admin);
  const last = events.at(-1)!;
  t.equal(last.event, 'job');
  t.equal(last.data.status, 'done', JSON.stringify(last.data.error));
  // The console words each note in its own language: every note must read back.
  const notes = events.filter((e) => e.event === 'progress').map((e) => e.data.note as string);
  t.ok(notes.length > 0, 'progress was sent');
  for (const n of notes) t.ok(readArchiveProgressNote(n), `the console can word the note "${n}"`);
  t.match(readArchiveProgressNote(notes.at(-1)!), { part: /^[a-z][a-z-]*$/, members: Number, mib: /^\d+\.\d$/ });
  const done = await waitJob(job.id);
  t.match(done.result, { archive: { sessionId: r.sessionId, version: 1, withMedia: false }, sessionStatus: 'archived', statusProblem: null });
  t.equal(r.app.exam.plans.session(r.sessionId).status, 'archived');
  t.match(r.app.ctx.audit.list({ action: 'exam.session.status', limit: 1 })[0], { detail: { to: 'archived', archive: { version: 1 } } });

  const list = (await r.app.inject({ method: 'GET', url: `/api/records/archives?sessionId=${r.sessionId}`, headers: { cookie: admin } })).json();
  t.equal(list.length, 1);
  const a = list[0];
  t.match(a, { version: 1, parts: ['session', 'roster', 'sign-in', 'seats', 'papers', 'incidents', 'integrity', 'video-index'], createdBy: 'user:admin' });
  t.match(a.file, new RegExp(`^${r.sessionId}-v1-\\d{8}T\\d{6}Z\\.zip$`));
  t.equal(Date.parse(a.retentionUntil) - Date.parse(a.createdAt), r.app.ctx.config.retention.days * 86_400_000, 'kept for the retention period');
  const file = join(r.app.ctx.paths.archives, a.file);
  first = { file, id: a.id };
  t.same(archiveFiles(), [a.file]);

  const ok = await r.app.records.archives.verify(file);
  t.match(ok, { ok: true, keyTrusted: true, problem: null, meta: { kind: 'examroom-session-archive', version: 1, session: { id: r.sessionId } } });
  t.equal(ok.checked, a.members);
  t.match((ok.meta as any).auditAnchor, { seq: Number, hash: /^[0-9a-f]{64}$/ });
  const cli = await verifyCli(file);
  t.equal(cli.code, 0, cli.err);
  t.match(cli.out, /^ok: session .*, version 1: \d+ of \d+ members match their SHA-256; manifest signed by key [0-9a-f]{32} carried inside the archive/);

  const manifest = JSON.parse((await readMember(file, 'manifest.json')).toString());
  const paths = manifest.members.map((m: { path: string }) => m.path);
  for (const p of [
    'session/plan.json',
    'session/session.json',
    'roster/roster.json',
    'sign-in/attempts.json',
    'sign-in/captures/att-1.jpg',
    'seats/seat-map.json',
    `papers/${r.ticket(A)}.json`,
    `papers/${r.ticket(B)}.json`,
    `papers/${r.ticket(C)}.json`,
    'incidents/incidents.json',
    'incidents/alerts.json',
    'integrity/terminal-incidents.json',
    'video-index/SCREEN-T1.json',
    'video-index/SCREEN-T2.json',
    'video-index/index.json',
  ])
    t.ok(paths.includes(p), `holds ${p}`);
  t.notOk(
    paths.some((p: string) => p.startsWith('media/')),
    'no segment files without --with-media',
  );
  // Face images are stored sealed (storage/face-vault.ts) and flagged so; nothing else is.
  const face = /^(roster\/photos|sign-in\/captures|integrity\/snapshots)\/|^(people|certificates)\/.*\.pdf$/;
  t.ok(
    manifest.members.every((m: { path: string; encrypted: boolean }) => m.encrypted === face.test(m.path)),
    'exactly the face images and the PDFs showing faces are flagged encrypted',
  );

  const paperA = JSON.parse((await readMember(file, `papers/${r.ticket(A)}.json`)).toString());
  t.match(paperA, { candidate: { idNumber: A, seat: '01' }, result: { score: 100, passed: true }, terminal: { submittedBy: 'candidate' } });
  t.ok(
    paperA.questions.every((q: any) => q.correct === true && JSON.stringify(q.answer) === JSON.stringify(q.key) && typeof q.stem === 'string'),
    "each of A's questions with stem, answer, key and mark",
  );
  const paperB = JSON.parse((await readMember(file, `papers/${r.ticket(B)}.json`)).toString());
  t.equal(paperB.questions[0].answer.length, 1, "B's one answer");
  t.equal(paperB.questions[1].answer, null, 'and the unanswered rest');
  const paperC = JSON.parse((await readMember(file, `papers/${r.ticket(C)}.json`)).toString());
  t.match(paperC, { candidate: { status: 'absent' }, result: null, terminal: null });
  const signIn = JSON.parse((await readMember(file, 'sign-in/attempts.json')).toString());
  t.match(signIn, [
    { idNumber: A, decision: 'overridden', distance: 0.61, overrideBy: 'user:invig', capture: 'sign-in/captures/att-1.jpg', ticketNo: r.ticket(A) },
  ]);
  t.equal(
    r.app.records.deps.faceVault.open(await readMember(file, 'sign-in/captures/att-1.jpg'), 'member').toString('latin1'),
    '\xff\xd8\xff\xe0 live capture of A',
  );
  const incidents = JSON.parse((await readMember(file, 'incidents/incidents.json')).toString());
  t.match(incidents, [{ category: 'talking', idNumber: B, recordedBy: 'user:invig' }]);
  const integrity = JSON.parse((await readMember(file, 'integrity/terminal-incidents.json')).toString());
  t.same(integrity.map((i: { kind: string }) => i.kind).sort(), ['focus_lost', 'paste']);
  const t2 = JSON.parse((await readMember(file, 'video-index/SCREEN-T2.json')).toString());
  t.match(t2.source, { id: 'SCREEN-T2', seat: '02', candidate: { idNumber: B } });
  t.ok(
    t2.segments.every((s: { sha256: string }) => /^[0-9a-f]{64}$/.test(s.sha256)),
    'each segment with its SHA-256',
  );
  t.match(
    t2.gaps.find((g: any) => g.start === new Date(START + 10 * 60_000).toISOString()),
    { end: new Date(START + 20 * 60_000).toISOString(), reason: 'no recording' },
    "T2's hole is a gap",
  );
  const seats = JSON.parse((await readMember(file, 'seats/seat-map.json')).toString());
  t.match(seats.seats.slice(0, 3), [
    { seat: '01', terminalId: 'T1', candidate: { idNumber: A } },
    { seat: '02', terminalId: 'T2', candidate: { idNumber: B } },
    { seat: '03', terminalId: null, candidate: { idNumber: C } },
  ]);
});

t.test('one byte changed in any member: verify names that member', async (t) => {
  const dir = scratchDir(t);
  const list = (await entries(first.file)).filter((e) => e.compressedSize > 0);
  t.ok(list.length > 15);
  for (const [i, e] of list.entries()) {
    const copy = join(dir, `${i}.zip`);
    copyFileSync(first.file, copy);
    const fd = openSync(copy, 'r+');
    const b = Buffer.alloc(1);
    const at = e.offset + Math.floor(e.compressedSize / 2);
    readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
    const v = await verifyCli(copy);
    t.equal(v.code, 1, `${e.path}: exit 1`);
    if (e.path === 'manifest.json' || e.path === 'manifest.sig') t.match(v.out, /^MISMATCH (signature|manifest)/, `${e.path}: the signature fails`);
    else t.match(v.out, new RegExp(`^MISMATCH changed ${e.path.replace(/[.]/g, '\\.')}:`), `${e.path} is named`);
  }
});

t.test("verify trusts the site's key where the site's config is, and refuses an archive another site signed", async (t) => {
  const dir = scratchDir(t);
  const configFor = (name: string, keys: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `${TEST_CONFIG_YAML}paths: { data: ${JSON.stringify(join(dir, `${name}-data`))}, keys: ${JSON.stringify(keys)} }\n`);
    return file;
  };
  const here = await verifyCli(first.file, configFor('here', keysDir));
  t.equal(here.code, 0, here.err);
  t.match(here.out, /manifest signed by this site's key [0-9a-f]{32}$/);
  const otherKeys = join(dir, 'other-keys');
  const none = await verifyCli(first.file, configFor('fresh', otherKeys));
  t.equal(none.code, 0, 'a site that has signed nothing yet trusts no key, and says so');
  t.match(none.err, /has no signing key yet/);
  loadSiteSigner(otherKeys);
  const other = await verifyCli(first.file, configFor('other', otherKeys));
  t.equal(other.code, 1, "another site's verifier refuses it");
  t.match(other.out, /^MISMATCH signature manifest.json: .*signed by another key \(manifest.sig names key [0-9a-f]{32}\)/);
});

t.test('a second archive is version 2; version 1 is kept; the file downloads for an admin (audited)', async (t) => {
  const start = await r.app.inject({
    method: 'POST',
    url: `/api/records/sessions/${r.sessionId}/archive`,
    headers: { cookie: admin },
    payload: { withMedia: true },
  });
  t.equal(start.statusCode, 202, start.body);
  const done = await waitJob(start.json().id);
  t.equal(done.status, 'done', done.error);
  t.match(done.result, { archive: { version: 2, withMedia: true }, sessionStatus: 'archived' });
  const list = (await r.app.inject({ method: 'GET', url: `/api/records/archives?sessionId=${r.sessionId}`, headers: { cookie: admin } })).json();
  t.same(
    list.map((a: { version: number }) => a.version),
    [1, 2],
  );
  t.equal(archiveFiles().length, 2, 'both files are there');
  const v2 = join(r.app.ctx.paths.archives, list[1].file);
  t.equal((await r.app.records.archives.verify(v2)).ok, true);
  const manifest = JSON.parse((await readMember(v2, 'manifest.json')).toString());
  const media = manifest.members.filter((m: { path: string }) => m.path.startsWith('video-index/media/'));
  t.equal(media.length, 18 + 16, 'every segment file with --with-media');
  const index = JSON.parse((await readMember(v2, 'video-index/SCREEN-T1.json')).toString());
  for (const s of index.segments)
    t.equal(manifest.members.find((m: { path: string }) => m.path === s.archived)?.sha256, s.sha256, `${s.archived}: the file is the indexed one`);

  const no = await r.app.inject({ method: 'GET', url: `/api/records/archives/${first.id}/file`, headers: { cookie: invig } });
  t.equal(no.statusCode, 403);
  const dl = await r.app.inject({ method: 'GET', url: `/api/records/archives/${first.id}/file`, headers: { cookie: admin } });
  t.equal(dl.statusCode, 200);
  t.equal(dl.headers['content-type'], 'application/zip');
  t.ok(dl.rawPayload.equals(readFileSync(first.file)), 'the bytes of the file');
  t.match(r.app.ctx.audit.list({ action: 'records.archive.download', limit: 1 }), [{ actor: 'user:admin', target: r.sessionId, detail: { version: 1 } }]);
});

t.test('the CLI: archive session prints file, size and members; archive list shows every version', async (t) => {
  const run = async (name: string, args: string[], values: Record<string, unknown> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const cmd = archiveCommands.find((c) => c.name === name)!;
    const code = await cmd.run({
      args,
      values,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      actor: 'cli:tester',
      config: r.app.ctx.config,
      db: r.app.ctx.db,
      exam: r.app.exam,
      records: r.app.records,
    } as unknown as RecordsCliContext);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const made = await run('archive session', [r.sessionId]);
  t.equal(made.code, 0, made.err);
  t.match(
    made.out,
    new RegExp(`/archives/${r.sessionId}-v3-\\d{8}T\\d{6}Z\\.zip · [\\d.]+ (KiB|MiB) · \\d+ members · version 3 · session ${r.sessionId} archived$`),
  );
  const list = await run('archive list', [r.sessionId]);
  t.equal(list.code, 0);
  t.equal(list.out.split('\n').filter((l) => l.includes(`${r.sessionId}-v`)).length, 3, list.out);
  t.match(list.out, /cli:tester/);
  // The CLI prints a refusal (server/cli.ts reportError) and exits 1.
  await t.rejects(run('archive session', ['no-such-session']), { name: 'NotFound', message: /no exam session "no-such-session"/ });
});

t.test('a cancel mid-way leaves no file, no partial file and no index row', async (t) => {
  let release = () => {};
  const begun = new Promise<void>((res) => (release = res));
  // A part that writes slowly and forever, so the cancel lands inside a member.
  r.app.records.archiveParts.add({
    id: 'slow-test',
    title: 'a member that never ends (test)',
    *members() {
      yield {
        path: 'endless.bin',
        source: {
          stream: () =>
            new Readable({
              read() {
                release();
                setTimeout(() => this.push(Buffer.alloc(64 * 1024, 7)), 5);
              },
            }),
        },
      };
    },
  });
  const before = archiveFiles();
  const start = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: admin }, payload: {} });
  t.equal(start.statusCode, 202);
  const id = start.json().id;
  await begun;
  await new Promise((res) => setTimeout(res, 100));
  const again = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: admin }, payload: {} });
  t.equal(again.statusCode, 409, 'one archive of a session at a time');
  const running = await r.app.inject({
    method: 'GET',
    url: '/api/jobs?kind=records.session-archive&status=queued&status=running',
    headers: { cookie: admin },
  });
  t.match(running.json(), [{ id, status: 'running', params: { sessionId: r.sessionId } }], 'a reloaded page finds the running job');
  const c = await r.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: { cookie: admin } });
  t.equal(c.statusCode, 200, c.body);
  const end = await waitJob(id);
  t.match(end, { status: 'cancelled', cancelledBy: 'user:admin' });
  t.same(archiveFiles(), before, 'no new file, no .partial');
  t.equal(r.app.records.archives.list(r.sessionId).length, 3, 'no index row');
  t.match(r.app.ctx.audit.list({ action: 'job.cancel', limit: 1 }), [{ actor: 'user:admin', target: id }]);
});

t.test('a server stop interrupts a running archive (no file); at the next start a dead process’s job is marked interrupted', async (t) => {
  // The endless part of the previous test is still registered: this archive runs until stopped.
  const before = archiveFiles();
  const start = await r.app.inject({ method: 'POST', url: `/api/records/sessions/${r.sessionId}/archive`, headers: { cookie: admin }, payload: {} });
  t.equal(start.statusCode, 202);
  const id = start.json().id;
  await new Promise((res) => setTimeout(res, 150));
  // A job row left "running" by a process that died (a kill -9 of an earlier CLI run).
  r.app.ctx.db
    .prepare(
      `INSERT INTO jobs (id, kind, params, status, created_by, created_at, started_at, runner, updated_at)
       VALUES ('dead-job', 'records.session-archive', '{}', 'running', 'cli:root', ?, ?, '2147483646:gone', ?)`,
    )
    .run(r.clock.now(), r.clock.now(), r.clock.now());
  await r.app.close();
  const db = openDatabase(join(r.dir, 'db', 'examroom.sqlite'));
  t.teardown(() => db.close());
  t.match(db.prepare('SELECT status, error FROM jobs WHERE id = ?').get(id), { status: 'interrupted', error: /server stopped while the job ran/ });
  t.same(archiveFiles(), before, 'no file, no .partial');
  t.equal(db.prepare("SELECT status FROM jobs WHERE id = 'dead-job'").pluck().get(), 'running', 'until the next start');
  // What a kill -9 mid-write leaves: a half file named with its writer's pid.
  const killed = `.${r.sessionId}-v9.zip.${spawnSync(process.execPath, ['-e', '0']).pid}-0123456789ab.partial`;
  writeFileSync(join(r.app.ctx.paths.archives, killed), 'half');
  const again = await startApp(t, r.dir, r.clock, `paths: { keys: ${JSON.stringify(keysDir)} }\n`);
  await again.app.ready();
  t.same(archiveFiles(), before, 'the killed writer’s half file is removed at the start');
  t.match(db.prepare("SELECT status, error FROM jobs WHERE id = 'dead-job'").get(), {
    status: 'interrupted',
    error: /\(pid 2147483646\) stopped before it ended/,
  });
});
