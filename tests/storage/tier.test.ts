// The object-store tier against a real Ceph RADOS Gateway on loopback (one cluster for the file): segments
// recorded by the real ffmpeg pipeline move to the store after hotDays (the server clock advanced), verified
// before the local copy goes; the store down and back; the integrity sample; object lock; kill -9 mid-upload;
// a disk running short tiers files before hotDays; nothing is uploaded outside the upload window.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import type { EventMap } from '../../core/index.ts';
import { startRtspSource } from '../../media/index.ts';
import { parseInstant } from '../../core/index.ts';
import { segmentTierFiles } from '../../media/tier-files.ts';
import {
  createAuditLog,
  createMediaStore,
  createTierWorker,
  dataPaths,
  diskSpace,
  ensureDataFolders,
  loadAuditKey,
  openDatabase,
} from '../../storage/index.ts';
import { createObjectStore } from '../../storage/object-store/index.ts';
import { buildTestApp, login, PASSWORDS, scratchDir, testConfig, TEST_CONFIG_YAML } from '../helpers.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { startServer } from '../processes.ts';
import { until } from '../wait.ts';

const DAY = 86_400_000;
const gw = await startRadosgw(t);
const secretFile = join(scratchDir(t, 'examroom-s3-secret-'), 'secret');
writeFileSync(secretFile, `${gw.secret}\n`);
chmodSync(secretFile, 0o600);
const s3 = createObjectStore({
  endpoint: gw.endpoint,
  bucket: 'evidence',
  region: gw.region,
  addressing: 'path',
  accessKeyId: gw.accessKeyId,
  secret: gw.secret,
  prefix: 'exams',
  objectLock: 'governance',
});
t.teardown(() => s3.destroy());
// Versioned with object lock, as docs/object-storage.md sets a centre's bucket up.
await s3.s3.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));

const storeYaml = (extra = '') =>
  `objectStore: { endpoint: "${gw.endpoint}", bucket: evidence, region: ${gw.region}, accessKeyId: ${gw.accessKeyId}, secretFile: "${secretFile}", prefix: exams, hotDays: 7, objectLock: governance${extra} }\n`;

async function sha256Of(stream: NodeJS.ReadableStream): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c as Buffer);
  return h.digest('hex');
}

// One appliance recording one camera for the first tests, its clock the real one plus an offset a test moves.
const cam = await startRtspSource();
t.teardown(() => cam.stop());
let offset = 0;
const clock = { now: () => Date.now() + offset };
const dir = scratchDir(t);
const config = testConfig(
  dir,
  `cameras:\n  - { id: cam1, name: 门口, room: R1, url: "${cam.url}" }\nmedia: { segmentSeconds: 2, stallSeconds: 4, maxBackoffSeconds: 1, reserveMiB: 0, record: always }\nretention: { minFreeGiB: 1 }\n${storeYaml()}`,
);
const app = await buildTestApp({ config, clock, tierIntervals: { passMs: 3_600_000, sampleMs: 3_600_000, sweepMs: 3_600_000 } });
t.teardown(() => app.close());
const events: { name: keyof EventMap; p: unknown }[] = [];
for (const name of ['tier.backlog', 'tier.integrity'] as const) app.ctx.bus.on(name, (p) => events.push({ name, p }));
await app.ready();
let tamperedPath = '';
const segmentsOf = () => app.media.store.segments('cam1', 0, clock.now() + DAY);

t.test('segments recorded by ffmpeg move to the store after hotDays, and the local copy goes only once the upload is verified', async (t) => {
  await until('four indexed segments', () => segmentsOf().length >= 4, 30_000);
  t.same((await app.tier.runPass()).uploaded, 0, 'nothing is older than hotDays yet');
  const recorded = segmentsOf().slice(0, 4);
  // One file changed on disk after it was indexed: its upload cannot be verified, so it must stay.
  const tampered = recorded[3]!;
  tamperedPath = tampered.path;
  appendFileSync(join(app.ctx.paths.media, tampered.path), randomBytes(100));
  offset += 8 * DAY;
  const r = await app.tier.runPass();
  t.ok(r.uploaded >= 3, `segments uploaded (${r.uploaded})`);
  for (const seg of recorded.slice(0, 3)) {
    const row = app.tier.rows.get('media', seg.path)!;
    t.ok(row, `${seg.path} is in the tier index`);
    t.equal(row.sha256, seg.sha256, 'with the SHA-256 computed when the segment closed');
    t.match(row.key, new RegExp(`^exams/test-site/cam1/\\d{4}/\\d{2}/\\d{2}/${seg.path.split('/').at(-1)}$`), 'under a key a person can read');
    t.equal(row.verifiedBy, 'readback', 'Ceph 16 has no S3 checksums: verified by reading the version back');
    t.ok(row.localDeletedAt !== null && row.localDeletedAt >= row.verifiedAt, 'the local copy went after the verification');
    t.notOk(existsSync(join(app.ctx.paths.media, seg.path)), 'and is gone from the disk');
    t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), seg.sha256, 'the version written reads back with the same SHA-256');
    const head = (await s3.head(row.key, row.versionId))!;
    t.equal(head.metadata.source, 'cam1');
    t.equal(head.metadata.sha256, seg.sha256, 'the metadata carries the SHA-256');
    t.equal(head.retainUntil, seg.end + config.retention.days * DAY, 'locked until the end of the recording + retention');
    t.same(app.tier.rows.locate(seg.path), { key: row.key, versionId: row.versionId, bytes: seg.bytes, sha256: seg.sha256, localGone: true });
  }
  t.equal(app.tier.rows.get('media', tampered.path), null, 'the changed file has no tier row');
  t.ok(existsSync(join(app.ctx.paths.media, tampered.path)), 'and stays on the local disk');
  t.match(app.tier.status().lastError?.message ?? '', /changed while it was read/, 'the status says why');

  const cookie = await login(app, 'admin', PASSWORDS.admin);
  const res = await app.inject({ method: 'GET', url: '/api/storage/tier', headers: { cookie } });
  t.equal(res.statusCode, 200);
  const status = res.json();
  t.equal(status.site, 'test-site');
  t.ok(status.bytesTiered >= recorded.slice(0, 3).reduce((a, s) => a + s.bytes, 0), 'bytes in the store');
  t.ok(status.lastUpload?.key.startsWith('exams/test-site/cam1/'), 'the last upload');
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { cookie } });
  t.match(metrics.body, /examroom_tier_bytes\{where="tiered"\} [1-9]/, '/metrics counts them');
});

t.test('the store down: recording goes on, the backlog waits with an alert and the days left; back up, it drains with every object once', async (t) => {
  await gw.stopGateway();
  const before = segmentsOf().length;
  await until('recording goes on while the store is down', () => segmentsOf().length >= before + 3, 30_000);
  app.media.runForecast();
  offset += 8 * DAY;
  const down = await app.tier.runPass();
  t.equal(down.uploaded, 0);
  t.ok(down.waiting >= 3, `files wait on the local disk (${down.waiting})`);
  const st = app.tier.status();
  t.ok(st.storeDownSince !== null, 'the store is known to be down');
  t.ok(st.bytesWaiting > 0);
  const alert = events.find((e) => e.name === 'tier.backlog' && (e.p as EventMap['tier.backlog']).ok === false)?.p as EventMap['tier.backlog'] | undefined;
  t.ok(alert, 'a backlog alert is raised');
  t.ok(alert && alert.daysLeft !== null && alert.daysLeft > 0, `with the days the local disk holds (${alert?.daysLeft})`);
  const raised = app.proctor.alerts.list({ rooms: null }).find((a: { kind: string }) => a.kind === 'tier_backlog');
  t.ok(raised, 'the proctor console shows it');

  await gw.restart();
  for (let i = 0; i < 10 && app.tier.status().filesWaiting > 0; i++) await app.tier.runPass();
  t.equal(app.tier.status().filesWaiting, 0, 'the backlog drained');
  t.ok(
    events.some((e) => e.name === 'tier.backlog' && (e.p as EventMap['tier.backlog']).ok),
    'the alert clears',
  );
  const untiered = segmentsOf().filter((s) => s.end < clock.now() - 7 * DAY && !app.tier.rows.get('media', s.path));
  t.same(
    untiered.map((s) => s.path),
    [tamperedPath],
    'every file older than hotDays is in the store but the one that cannot be verified',
  );
  for (const s of segmentsOf().filter((x) => app.tier.rows.get('media', x.path))) {
    const row = app.tier.rows.get('media', s.path)!;
    const versions = await s3.versions(row.key);
    t.equal(versions.length, 1, `${row.key} is in the store once`);
    t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), s.sha256, 'with the right SHA-256');
  }
});

t.test('an object overwritten by another client is found by the integrity sample, alerted and audited by its key', async (t) => {
  const row = app.tier.rows.leastRecentlyChecked(1)[0]!;
  // Another client with the bucket's keys writes over the key (object lock keeps the appliance's version).
  await s3.s3.send(new PutObjectCommand({ Bucket: 'evidence', Key: row.key, Body: Buffer.from('not the recording') }));
  const all = app.tier.rows.totals().segment.objects;
  const found = await app.tier.sample(all);
  t.same(
    found.filter((f) => f.result !== 'ok'),
    [{ key: row.key, result: 'newer_version' }],
    'the overwritten object and no other',
  );
  const audited = app.ctx.audit.list({ action: 'tier.integrity.failed' });
  t.equal(audited.at(-1)?.target, row.key, 'an audit entry names the object');
  const ev = events.find((e) => e.name === 'tier.integrity')?.p as EventMap['tier.integrity'] | undefined;
  t.equal(ev?.key, row.key, 'and an alert');
  t.ok(
    app.proctor.alerts.list({ rooms: null }).some((a: { kind: string }) => a.kind === 'tier_integrity'),
    'on the proctor console',
  );
  t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), row.sha256, "the appliance's version is intact");
});

t.test('with object lock a delete inside retention is refused by the appliance and by the store', async (t) => {
  const row = app.tier.rows.leastRecentlyChecked(1)[0]!;
  await t.rejects(app.tier.deleteRemote('media', row.path, 'user:admin'), /refused to delete .* kept until/, 'the appliance refuses');
  const refused = await s3.deleteAllVersions(row.key, { retainUntil: null }).then(
    () => null,
    (err: unknown) => err as { problem?: string },
  );
  t.equal(refused?.problem, 'store-refused', 'the store refuses too, even when asked past the guard');
  t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), row.sha256, 'the object is still there');
  t.equal(app.tier.rows.get('media', row.path)?.remoteDeletedAt, null);
});

t.test('kill -9 of the appliance during a multipart upload: after restart the stale upload is aborted and the file is in the store once', async (t) => {
  const d = scratchDir(t);
  const data = join(d, 'data');
  const paths = dataPaths(data);
  ensureDataFolders(paths);
  // A 24 MiB segment ten days old, uploaded at 4 Mbit/s: three 8 MiB parts, long enough to be killed in.
  const rel = 'camK/20261120/1763600000000-00001.mkv';
  mkdirSync(join(paths.media, 'camK/20261120'), { recursive: true });
  const bytes = randomBytes(24 * 1024 * 1024);
  writeFileSync(join(paths.media, rel), bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const db = openDatabase(paths.dbFile);
  const end = Date.now() - 10 * DAY;
  createMediaStore(db).addSegment({ sourceId: 'camK', start: end - 60_000, end, bytes: bytes.length, path: rel, sha256: sha });
  db.close();
  const configFile = join(d, 'examroom.yaml');
  writeFileSync(
    configFile,
    `${TEST_CONFIG_YAML}\npaths: { data: ${JSON.stringify(data)} }\nmedia: { reserveMiB: 0 }\nretention: { minFreeGiB: 1 }\n${storeYaml(', bandwidthMbps: 4')}`,
  );
  const server = await startServer(t, ['--config', configFile]);
  const upload = await until(
    'a multipart upload in flight',
    async () => (await s3.listStaleUploads(0)).find((u) => u.key.endsWith(rel.split('/').at(-1)!)),
    30_000,
    200,
  );
  server.child.kill('SIGKILL');
  await server.exited;

  const again = await buildTestApp({ config: testConfig(data, storeYaml()), tierIntervals: { passMs: 3_600_000 } });
  t.teardown(() => again.close());
  t.equal(await again.tier.abortStaleUploads(), 1, 'the unfinished upload is aborted');
  t.notOk((await s3.listStaleUploads(0)).some((u) => u.uploadId === upload.uploadId));
  await again.tier.runPass();
  const row = again.tier.rows.get('media', rel)!;
  t.ok(row, 'the file is tiered after the restart');
  t.equal((await s3.versions(row.key)).length, 1, 'once');
  t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), sha, 'with the right SHA-256');
  t.notOk(existsSync(join(paths.media, rel)), 'and only then deleted locally');
  t.same(await s3.listStaleUploads(0), [], 'no unfinished upload is left');
});

t.test('after retention every version of an object is deleted from the store, and the deletion is audited', async (t) => {
  const data = join(scratchDir(t), 'data');
  const paths = dataPaths(data);
  ensureDataFolders(paths);
  const app2 = await buildTestApp({
    config: testConfig(data, storeYaml().replace('objectLock: governance', 'objectLock: none').replace('prefix: exams', 'prefix: expired')),
    tierIntervals: { passMs: 3_600_000 },
  });
  t.teardown(() => app2.close());
  // A recording that ended just past the retention period (retention.days), tiered before the sweep.
  const rel = 'camR/20231201/1701388800000-00001.mkv';
  mkdirSync(join(paths.media, 'camR/20231201'), { recursive: true });
  const bytes = randomBytes(200_000);
  writeFileSync(join(paths.media, rel), bytes);
  const end = Date.now() - (app2.ctx.config.retention.days + 1) * DAY;
  createMediaStore(app2.ctx.db).addSegment({
    sourceId: 'camR',
    start: end - 60_000,
    end,
    bytes: bytes.length,
    path: rel,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  await app2.tier.runPass();
  const row = app2.tier.rows.get('media', rel)!;
  t.ok(row, 'tiered first');
  // Someone else's later version of the key goes too: every version, not only the appliance's.
  await s3.s3.send(new PutObjectCommand({ Bucket: 'evidence', Key: row.key, Body: Buffer.from('another version') }));
  t.same(await app2.tier.sweepRemote(), { deleted: 1, refused: 0 });
  t.same(await s3.versions(row.key), [], 'no version of the key is left');
  t.ok(app2.tier.rows.get('media', rel)?.remoteDeletedAt, 'the index says when');
  t.equal(app2.tier.rows.locate(rel), null, 'and no reader is sent to it');
  t.match(app2.ctx.audit.list({ action: 'tier.object.deleted' }).at(-1), { actor: 'system', target: row.key, detail: { versions: 2, reason: 'retention' } });
});

t.test('a kiosk capture and a seat snapshot are copied to the store after hotDays, sealed, and face retention deletes both copies', async (t) => {
  const data = join(scratchDir(t), 'data');
  let shift = 0;
  const faceClock = { now: () => Date.now() + shift };
  const app3 = await buildTestApp({
    config: testConfig(data, storeYaml().replace('objectLock: governance', 'objectLock: none').replace('prefix: exams', 'prefix: faces')),
    clock: faceClock,
    tierIntervals: { passMs: 3_600_000, sweepMs: 3_600_000 },
  });
  t.teardown(() => app3.close());
  const { db } = app3.ctx;
  const vault = app3.exam.deps.faceVault;
  const R = app3.ctx.config.retention.days * DAY;
  const now = faceClock.now();
  // A capture as the kiosk writes it (kiosk/service/verify.ts) and a snapshot as a terminal's is stored.
  const face = randomBytes(30_000);
  const capture = 'kiosk/2026-03-10/att-tier-1.jpg';
  const snapshot = `terminal/S1/110101199001011234/${now}-snap-tier-1.jpg`;
  const sealedSha = (rel: string) =>
    createHash('sha256')
      .update(readFileSync(join(app3.ctx.paths.captures, rel)))
      .digest('hex');
  vault.writeFile(join(app3.ctx.paths.captures, capture), face);
  vault.writeFile(join(app3.ctx.paths.captures, snapshot), face);
  db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, capture, capture_sha256, capture_expires_at)
     VALUES ('att-tier-1', 'K1', '110101199001011234', 'typed', 'turn_left', ?, ?, ?, 'refused', ?, ?, ?)`,
  ).run(now - 5_000, now + 60_000, now, capture, sealedSha(capture), now + R);
  db.prepare(
    `INSERT INTO terminal_snapshots (id, at, session_id, id_number, terminal_id, file, bytes, sha256) VALUES ('snap-tier-1', ?, 'S1', '110101199001011234', 'T1', ?, ?, ?)`,
  ).run(now, snapshot, face.length, sealedSha(snapshot));

  t.same((await app3.tier.runPass()).uploaded, 0, 'nothing before hotDays');
  shift += 8 * DAY;
  t.same((await app3.tier.runPass()).uploaded, 2, 'the capture and the snapshot after hotDays');
  for (const [rel, kind, source] of [
    [capture, 'capture', 'K1'],
    [snapshot, 'snapshot', 'T1'],
  ] as const) {
    const row = app3.tier.rows.get('captures', rel)!;
    t.equal(row.kind, kind);
    t.match(row.key, new RegExp(`^faces/test-site/${kind === 'capture' ? 'captures' : 'snapshots'}/${source}/\\d{4}/\\d{2}/\\d{2}/${rel.split('/').at(-1)}$`));
    t.equal(row.retainUntil, null, 'no lock asked for here (the locked case is the next test)');
    const stored = readFileSync(join(app3.ctx.paths.captures, rel));
    t.equal(await sha256Of(await s3.getRange(row.key, row.versionId)), sealedSha(rel), `${kind}: the object is the file as stored`);
    t.not(createHash('sha256').update(face).digest('hex'), sealedSha(rel), 'sealed: the plain face never leaves');
    t.ok(stored.length > face.length, 'the local copy stays (face retention deletes it on its own schedule)');
    t.equal(row.localDeletedAt, null);
  }
  const cookie = await login(app3, 'admin', PASSWORDS.admin);
  const view = await app3.inject({ method: 'GET', url: '/api/kiosk/attempts/att-tier-1/capture', headers: { cookie } });
  t.equal(view.statusCode, 200);
  t.ok(view.rawPayload.equals(face), 'the capture still reads through its route');
  t.ok(vault.readFile(join(app3.ctx.paths.captures, snapshot)).equals(face), 'and the snapshot through the vault every reader uses');

  t.same(await app3.tier.sweepRemote(), { deleted: 0, refused: 0 }, 'nothing is deleted while face retention keeps the files');
  shift += R;
  const swept = app3.records.privacy.sweep();
  t.ok(swept, 'face retention ran');
  t.notOk(existsSync(join(app3.ctx.paths.captures, capture)), 'face retention deleted the local capture');
  t.notOk(existsSync(join(app3.ctx.paths.captures, snapshot)), 'and the local snapshot');
  t.same(await app3.tier.sweepRemote(), { deleted: 2, refused: 0 }, 'the tier deletes both objects');
  for (const rel of [capture, snapshot]) {
    const row = app3.tier.rows.get('captures', rel)!;
    t.same(await s3.versions(row.key), [], `no version of ${row.key} is left`);
    t.ok(row.remoteDeletedAt, 'the index says when');
    t.match(
      app3.ctx.audit.list({ action: 'tier.object.deleted' }).find((a) => a.target === row.key),
      {
        actor: 'system',
        detail: { reason: 'face-retention', versions: 1 },
      },
    );
  }
});

t.test('a capture whose face-data retention has already ended is copied without a lock (the store refuses a past date)', async (t) => {
  // Before the next test: the worker walks captures by expiry, and this one expires earlier than that one.
  const now = clock.now();
  const capture = 'kiosk/2026-03-12/att-lock-2.jpg';
  app.exam.deps.faceVault.writeFile(join(app.ctx.paths.captures, capture), randomBytes(10_000));
  app.ctx.db
    .prepare(
      `INSERT INTO identity_attempts (id, kiosk_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, capture, capture_expires_at)
       VALUES ('att-lock-2', 'K2', '110101199001011234', 'typed', 'turn_left', ?, ?, ?, 'refused', ?, ?)`,
    )
    .run(now - 2 * DAY, now - DAY, now - 2 * DAY, capture, now - DAY);
  await app.tier.runPass();
  const row = app.tier.rows.get('captures', capture);
  t.ok(row, 'copied: face retention deletes it and its object at its next sweep');
  t.equal(row?.retainUntil, null, 'unlocked, so that deletion is possible');
  t.equal((await s3.head(row!.key, row!.versionId))?.retainUntil, null);
});

t.test("with object lock a capture is locked until its face-data retention ends (capture_expires_at), not the video's", async (t) => {
  const vault = app.exam.deps.faceVault;
  const now = clock.now();
  const capture = 'kiosk/2026-03-11/att-lock-1.jpg';
  vault.writeFile(join(app.ctx.paths.captures, capture), randomBytes(20_000));
  // An expiry that differs from capture time + retention.days: the lock follows the face-data rule's own date.
  const expires = now + 500 * DAY;
  app.ctx.db
    .prepare(
      `INSERT INTO identity_attempts (id, kiosk_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, capture, capture_expires_at)
       VALUES ('att-lock-1', 'K2', '110101199001011234', 'typed', 'turn_left', ?, ?, ?, 'refused', ?, ?)`,
    )
    .run(now - 1_000, now + 60_000, now, capture, expires);
  // The capture's end is read as its expiry less retention.days: long past hotDays here, so the next pass takes it.
  await app.tier.runPass();
  const row = app.tier.rows.get('captures', capture)!;
  t.ok(row, 'tiered');
  t.equal(row.retainUntil, expires, 'retain-until is the capture expiry');
  t.equal((await s3.head(row.key, row.versionId))?.retainUntil, expires, 'and the store holds it so');
  t.ok(existsSync(join(app.ctx.paths.captures, capture)), 'the local copy stays');
});

/**
 * A second, small site beside the recording one: its own database and media folder, three real files
 * indexed as segments that ended a day ago (younger than hotDays 7), and a tier worker on the same store
 * that uploads one file at a time, so the order of uploads is the order of the files.
 */
async function youngBacklog(
  t: Test,
  site: string,
  opts: { clock: { now(): number }; window?: 'always' | { from: number; to: number }; perDay?: () => number | null },
) {
  const root = scratchDir(t);
  const paths = dataPaths(root);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  t.teardown(() => db.close());
  const media = createMediaStore(db);
  const ends: number[] = [];
  for (let i = 0; i < 3; i++) {
    const end = opts.clock.now() - DAY - (3 - i) * 3_600_000;
    const rel = join('camS', '20261206', `${end}.mkv`);
    mkdirSync(join(paths.media, 'camS', '20261206'), { recursive: true });
    const bytes = randomBytes(64 * 1024);
    writeFileSync(join(paths.media, rel), bytes);
    media.addSegment({ sourceId: 'camS', start: end - 2_000, end, bytes: bytes.length, path: rel, sha256: createHash('sha256').update(bytes).digest('hex') });
    ends.push(end);
  }
  const worker = createTierWorker({
    db,
    clock: opts.clock,
    store: s3,
    folders: { media: paths.media, captures: paths.captures, archives: paths.archives },
    site,
    timeZone: 'Asia/Shanghai',
    prefix: 'exams',
    hotDays: 7,
    retentionDays: 1095,
    objectLock: 'none',
    window: opts.window ?? 'always',
    bandwidthBytesPerSec: null,
    concurrency: 1,
    providers: [segmentTierFiles(db)],
    audit: createAuditLog(db, opts.clock, { key: loadAuditKey(`${root}-keys`, { create: true }) }),
    recordingBytesPerDay: opts.perDay ?? (() => null),
    minFreeBytes: 0,
  });
  return { worker, paths, ends };
}

t.test('when less than two days of recording fit on the media disk, files younger than hotDays go to the store, oldest first', async (t) => {
  const clock = { now: () => Date.now() };
  // First a site recording 1 MiB a day: the disk holds years of it, and a day-old file waits for hotDays.
  let perDay = 1024 * 1024;
  const s = await youngBacklog(t, 'short-site', { clock, perDay: () => perDay });
  t.match(await s.worker.runPass(), { uploaded: 0, failed: 0 }, 'nothing younger than hotDays goes while the disk has room');
  // Then the same disk at a rate where less than two days fit above the floor (its real free space, read by statfs).
  perDay = Math.ceil(diskSpace(s.paths.media).freeBytes / 1.5);
  const r = await s.worker.runPass();
  t.equal(r.uploaded, 3, 'all three day-old files are uploaded');
  const rows = s.ends.map((end) => s.worker.rows.get('media', join('camS', '20261206', `${end}.mkv`))!);
  t.ok(
    rows.every((row) => row && row.localDeletedAt !== null),
    'verified, and their local copies deleted',
  );
  t.same(
    [...rows].sort((a, b) => a.verifiedAt - b.verifiedAt).map((row) => row.end),
    [...s.ends].sort((a, b) => a - b),
    'oldest first',
  );
});

t.test('outside the upload window nothing is uploaded; inside it the backlog goes', async (t) => {
  // The window 22:00–06:00 (site time, across midnight); the clock starts at 10:00 on 7 December 2026.
  let now = parseInstant('2026-12-07T10:00', 'Asia/Shanghai')!;
  const clock = { now: () => now };
  const s = await youngBacklog(t, 'window-site', { clock, window: { from: 22 * 60, to: 6 * 60 } });
  now += 7 * DAY;
  t.equal(s.worker.status().windowOpen, false, 'at 10:00 the window is closed');
  t.match(await s.worker.runPass(), { uploaded: 0, failed: 0 }, 'and a pass uploads nothing');
  t.equal(s.worker.rows.get('media', join('camS', '20261206', `${s.ends[0]}.mkv`)), null, 'no file is in the store');
  now = parseInstant('2026-12-14T06:00', 'Asia/Shanghai')!;
  t.equal(s.worker.status().windowOpen, false, 'at 06:00, its end, it is closed');
  now = parseInstant('2026-12-14T23:30', 'Asia/Shanghai')!;
  t.equal(s.worker.status().windowOpen, true, 'at 23:30 it is open');
  t.equal((await s.worker.runPass()).uploaded, 3, 'and the backlog goes');
  now = parseInstant('2026-12-15T05:59', 'Asia/Shanghai')!;
  t.equal(s.worker.status().windowOpen, true, 'still open at 05:59 the next morning');
});
