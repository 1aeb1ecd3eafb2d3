// The object-store client against a real Ceph RADOS Gateway on loopback (one cluster for the file).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { fixedClock } from '../../core/index.ts';
import {
  bandwidthLimiter,
  createObjectStore,
  probeObjectStore,
  type ObjectStore,
  type ObjectStoreError,
  type ObjectStoreOptions,
} from '../../storage/object-store/index.ts';
import { login, PASSWORDS, scratchDir, testApp } from '../helpers.ts';
import { startRadosgw } from '../helpers/radosgw.ts';
import { openAdminConsole } from '../e2e/admin/harness.ts';

const gw = await startRadosgw(t);
const dir = scratchDir(t);
// The store stamps uploads by its own clock, which is this machine's: the test's clock starts there.
const clock = fixedClock(Date.now());
const options = (over: Partial<ObjectStoreOptions> = {}): ObjectStoreOptions => ({
  endpoint: gw.endpoint,
  bucket: 'evidence',
  region: gw.region,
  addressing: 'path',
  accessKeyId: gw.accessKeyId,
  secret: gw.secret,
  prefix: 'site-a',
  objectLock: 'none',
  clock,
  ...over,
});
const stores: ObjectStore[] = [];
const open = (over: Partial<ObjectStoreOptions> = {}) => {
  const s = createObjectStore(options(over));
  stores.push(s);
  return s;
};
t.teardown(() => {
  for (const s of stores) s.destroy();
});
const store = open();
const locked = open({ bucket: 'evidence-locked', objectLock: 'compliance' });
// Both buckets versioned with object lock, as docs/object-storage.md sets the centre's up.
await store.s3.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));
await store.s3.send(new CreateBucketCommand({ Bucket: 'evidence-locked', ObjectLockEnabledForBucket: true }));

function file(name: string, bytes: number): { path: string; sha256: string; data: Buffer } {
  const data = randomBytes(bytes);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data, sha256: createHash('sha256').update(data).digest('hex') };
}
const meta = (sha256?: string) => ({ source: 'CAM-101', start: Date.UTC(2026, 11, 1, 8, 0), end: Date.UTC(2026, 11, 1, 8, 5), ...(sha256 ? { sha256 } : {}) });
async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

t.test('a file put in several parts is verified by reading the version written back, and its metadata names source, time range and SHA-256', async (t) => {
  const f = file('seg1.mp4', 11 * 1024 * 1024 + 123);
  const put = await store.putFile(f.path, 'site-a/CAM-101/2026/12/01/seg1.mp4', { metadata: meta(f.sha256) });
  t.equal(put.verifiedBy, 'read-back', 'Ceph 16 has no S3 additional checksums');
  t.equal(put.sha256, f.sha256);
  t.equal(put.bytes, f.data.length);
  t.ok(put.versionId, 'the bucket is versioned: the version written is named');
  const head = await store.head(put.key, put.versionId);
  t.same(
    { bytes: head?.bytes, sha256: head?.sha256, source: head?.metadata.source, start: head?.metadata.start, end: head?.metadata.end },
    { bytes: f.data.length, sha256: f.sha256, source: 'CAM-101', start: '2026-12-01T08:00:00.000Z', end: '2026-12-01T08:05:00.000Z' },
  );
});

t.test('a ranged read streams exactly the bytes asked for, of the version asked for', async (t) => {
  const f = file('seg2.mp4', 300_000);
  const put = await store.putFile(f.path, 'site-a/CAM-101/2026/12/01/seg2.mp4', { metadata: meta() });
  t.equal(put.sha256, f.sha256, 'the SHA-256 is computed when the caller has none');
  // Someone writes a newer version: the ranged read still reads the one the index names.
  await store.s3.send(new PutObjectCommand({ Bucket: 'evidence', Key: put.key, Body: Buffer.from('overwritten') }));
  const part = await text(await store.getRange(put.key, put.versionId, 1000, 1999));
  t.ok(part.equals(f.data.subarray(1000, 2000)));
  const tail = await text(await store.getRange(put.key, put.versionId, 299_990));
  t.ok(tail.equals(f.data.subarray(299_990)));
  const latest = await text(await store.getRange(put.key, null));
  t.equal(latest.toString(), 'overwritten');
});

t.test('head of a missing object is null', async (t) => {
  t.equal(await store.head('site-a/no/such.mp4'), null);
});

t.test('deleting every version removes each version and delete marker of that key, and nothing else', async (t) => {
  const f = file('seg3.mp4', 1000);
  const key = 'site-a/CAM-101/2026/12/01/seg3.mp4';
  await store.putFile(f.path, key, { metadata: meta() });
  await store.putFile(f.path, key, { metadata: meta() });
  await store.s3.send(new DeleteObjectCommand({ Bucket: 'evidence', Key: key }));
  const neighbour = await store.putFile(f.path, `${key}.keep`, { metadata: meta() });
  t.equal((await store.versions(key)).length, 3, 'two versions and a delete marker');
  const gone = await store.deleteAllVersions(key, { retainUntil: clock.now() - 1 });
  t.equal(gone.deleted, 3);
  t.same(await store.versions(key), []);
  t.ok(await store.head(neighbour.key, neighbour.versionId), 'a key that only starts with the same name stays');
});

t.test('with object lock, a delete inside retention is refused by the client before asking, and by the store itself', async (t) => {
  const f = file('seg4.mp4', 6 * 1024 * 1024);
  const retainUntil = clock.now() + 3 * 365 * 24 * 3600_000;
  const put = await locked.putFile(f.path, 'site-a/CAM-101/2026/12/01/seg4.mp4', { metadata: meta(f.sha256), retainUntil });
  t.equal(put.retainUntil, retainUntil, 'the lock is confirmed on the version written (Ceph ignores it on multipart uploads)');
  const head = await locked.head(put.key, put.versionId);
  t.same({ mode: head?.lockMode, until: head?.retainUntil }, { mode: 'compliance', until: retainUntil });
  const ours = await locked.deleteAllVersions(put.key, { retainUntil }).catch((e: ObjectStoreError) => e);
  t.match(ours, { problem: 'retained', message: /refused to delete site-a\/CAM-101\/2026\/12\/01\/seg4\.mp4: it is kept until 2029-12-0\dT/ });
  // The appliance's own record wrong (or a clock set forward): the store still refuses, in its own words.
  const theirs = await locked.deleteAllVersions(put.key, { retainUntil: null }).catch((e: ObjectStoreError) => e);
  t.match(theirs, {
    problem: 'store-refused',
    storeCode: 'AccessDenied',
    message: /the store refused to delete version .* \(AccessDenied: forbidden by object lock\)/,
  });
  t.ok(await locked.head(put.key, put.versionId), 'the version is still there');
});

t.test('an unfinished multipart upload older than asked is listed and can be abandoned', async (t) => {
  const started = await store.s3.send(new CreateMultipartUploadCommand({ Bucket: 'evidence', Key: 'site-a/CAM-101/2026/12/01/crashed.mp4' }));
  await store.s3.send(new CreateMultipartUploadCommand({ Bucket: 'evidence', Key: 'other-site/crashed.mp4' }));
  t.same(await store.listStaleUploads(3600_000), [], 'a store-side upload begun now is not stale an hour later than now');
  clock.advance(2 * 3600_000);
  const stale = await store.listStaleUploads(3600_000);
  t.same(
    stale.map((s) => [s.key, s.uploadId]),
    [['site-a/CAM-101/2026/12/01/crashed.mp4', started.UploadId]],
    'only under the site prefix',
  );
  await store.abortUpload(stale[0]!);
  t.same(await store.listStaleUploads(3600_000), []);
});

t.test('the probe says reachable and writable, with how uploads are verified and whether the bucket is locked', async (t) => {
  const r = await probeObjectStore(locked);
  t.match(r, { ok: true, reachable: true, writable: true, problem: null, versioning: 'enabled', objectLock: 'enabled', storeChecksums: false });
  t.match(
    r.message,
    /the bucket evidence-locked at http:\/\/127\.0\.0\.1:\d+ is reachable and writable, object lock on \(compliance\); uploads are verified by reading them back/,
  );
  t.same(await store.listStaleUploads(0).then((u) => u.filter((x) => x.key.includes('.examroom-probe'))), [], 'the probe object leaves no upload behind');
});

t.test('a wrong key is named as the key, never showing the secret', async (t) => {
  const bad = open({ secret: `${gw.secret.slice(0, -4)}XXXX` });
  const r = await probeObjectStore(bad);
  t.match(r, { ok: false, reachable: true, problem: 'wrong-key' });
  t.match(r.message, /does not accept the access key \(SignatureDoesNotMatch\); check objectStore.accessKeyId and the secret in objectStore.secretFile/);
  const unknownId = await probeObjectStore(open({ accessKeyId: 'NOSUCHKEY0000000000' }));
  t.match(unknownId, { problem: 'wrong-key', message: /InvalidAccessKeyId/ });
  for (const m of [r.message, unknownId.message, JSON.stringify(r)]) t.notOk(m.includes(gw.secret.slice(0, 12)), 'no part of the secret');
});

t.test('a missing bucket is named as the bucket', async (t) => {
  const r = await probeObjectStore(open({ bucket: 'no-such-bucket' }));
  t.match(r, { ok: false, reachable: true, problem: 'missing-bucket', message: /the bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+/ });
});

t.test('an unreachable endpoint is named as unreachable, at once', async (t) => {
  const r = await probeObjectStore(open({ endpoint: 'http://127.0.0.1:9' }));
  t.match(r, { ok: false, reachable: false, problem: 'unreachable', message: /cannot reach the store at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/ });
});

t.test('object lock asked of a bucket made without it is named as such', async (t) => {
  await store.s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
  const r = await probeObjectStore(open({ bucket: 'plain', objectLock: 'governance' }));
  t.match(r, {
    ok: false,
    reachable: true,
    problem: 'no-object-lock',
    message: /objectStore.objectLock is governance, but the bucket plain .* has no object lock/,
  });
});

t.test('a store whose certificate is not trusted is named as a TLS failure; with its CA in caFile it answers', async (t) => {
  // A TLS front for the gateway, as a centre puts one before its store, with a certificate of its own CA.
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Test Store CA',
  ]);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(pki, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext']);
  const gwPort = Number(new URL(gw.endpoint).port);
  const sockets = new Set<{ destroy(): void }>();
  const front = createTlsServer({ key: readFileSync(join(pki, 'srv.key')), cert: readFileSync(join(pki, 'srv.pem')) }, (socket) => {
    const up = connect(gwPort, '127.0.0.1');
    sockets.add(socket).add(up);
    socket.pipe(up).pipe(socket);
    const end = () => {
      socket.destroy();
      up.destroy();
    };
    socket.on('error', end);
    up.on('error', end);
  });
  front.on('tlsClientError', () => {});
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  // The client keeps its connections alive: they are cut here, or close() would wait for them.
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => front.close(() => r()));
  });
  const endpoint = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const untrusted = await probeObjectStore(open({ endpoint }));
  t.match(untrusted, {
    ok: false,
    reachable: false,
    problem: 'tls',
    message: /the TLS connection to https:\/\/127\.0\.0\.1:\d+ was refused \(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/,
  });
  t.match(untrusted.message, /give the store's CA in objectStore.caFile/);
  const trusted = await probeObjectStore(open({ endpoint, ca: readFileSync(join(pki, 'ca.pem'), 'utf8'), bucket: 'evidence' }));
  t.match(trusted, { ok: true, problem: null });
});

t.test(
  'the appliance probes its store at start and says so in /healthz and the System status; a store down degrades health and never the recording',
  async (t) => {
    const secretFile = join(dir, 'store.secret');
    writeFileSync(secretFile, `${gw.secret}\n`, { mode: 0o600 });
    // No region: the default us-east-1 is what MinIO expects, and Ceph takes it too.
    const yaml = `objectStore: { endpoint: "${gw.endpoint}", bucket: evidence, accessKeyId: "${gw.accessKeyId}", secretFile: "${secretFile}", prefix: site-a, objectLock: governance }\n`;
    const app = await testApp(t, { extraYaml: yaml });
    await app.ready();
    const first = await app.objectStore!.probeNow();
    t.match(first, { ok: true, objectLock: 'enabled' });
    const admin = await login(app, 'admin', PASSWORDS.admin);
    const health = async () => (await app.inject({ url: '/healthz', headers: { cookie: admin } })).json();
    const status = async () => (await app.inject({ url: '/api/system/status', headers: { cookie: admin } })).json();
    t.match((await health()).objectStore, { state: 'ok', endpoint: gw.endpoint, bucket: 'evidence', objectLock: 'governance', verifiedBy: 'read-back' });
    t.match((await status()).objectStore, { state: 'ok', message: /is reachable and writable, object lock on \(governance\)/ });

    await gw.stopGateway();
    // The System page's 刷新 asks for a probe (the monitor's own runs every 10 minutes): admin only, audited, once per 15 s.
    const ask = () => app.inject({ method: 'POST', url: '/api/system/object-store/probe', headers: { cookie: admin } });
    const invig = await login(app, 'invig', PASSWORDS.invig);
    t.equal(
      (await app.inject({ method: 'POST', url: '/api/system/object-store/probe', headers: { cookie: invig } })).statusCode,
      403,
      'an invigilator may not ask',
    );
    const asked = await ask();
    t.equal(asked.statusCode, 200, asked.body);
    t.match(asked.json(), { state: 'failed', problem: 'unreachable' });
    t.equal((await ask()).statusCode, 200, 'asked again at once: the last answer');
    const probes = app.ctx.audit.list({ action: 'object-store.probe' });
    t.equal(probes.length, 1, 'one probe within 15 s, audited');
    t.match(probes[0], { actor: 'admin', detail: { ok: false, problem: 'unreachable' } });
    const down = await health();
    t.match(down, {
      status: 'degraded',
      objectStore: { state: 'failed', problem: 'unreachable', message: /cannot reach the store at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/ },
    });
    t.equal(down.db.ok, true, 'the database and recording go on');
    for (const text of [JSON.stringify(down), JSON.stringify(await status())]) {
      t.notOk(text.includes(gw.secret), 'no secret in health or status');
      t.notOk(text.includes(gw.accessKeyId), 'nor the access key id');
    }
    await gw.restart();
    await app.objectStore!.probeNow();
    t.match((await status()).objectStore, { state: 'ok', problem: null });
  },
);

t.test('the System page says in words where the store is and, when it is down, what to check — without the key', async (t) => {
  const secretFile = join(dir, 'console.secret');
  writeFileSync(secretFile, `${gw.secret}\n`, { mode: 0o600 });
  const yaml = `objectStore: { endpoint: "${gw.endpoint}", bucket: evidence-locked, accessKeyId: "${gw.accessKeyId}", secretFile: "${secretFile}", prefix: site-a, objectLock: compliance, uploadWindow: "20:00-06:00", bandwidthMbps: 40 }\n`;
  const c = await openAdminConsole(t, { extraYaml: yaml });
  await c.app.objectStore!.probeNow();
  await c.open('system', 'section=health');
  await c.page.waitForSelector('[data-testid=object-store][data-state=ok]');
  const ok = (await c.page.textContent('[data-testid=object-store]')) ?? '';
  t.match(ok, /对象存储可以连接，可以写入/);
  t.match(ok, /对象锁定：合规模式（compliance）/);
  t.match(ok, /本机保留 7 天后转存 · 上传时段：20:00-06:00 · 带宽上限：40 Mbit\/s/);
  t.match(ok, /上传后读回并计算 SHA-256 核验/);
  await c.shot('system-object-store-ok');
  await gw.stopGateway();
  // No probe from the test: the page's 刷新 asks for one.
  await c.page.click('.system-health h2 button');
  await c.page.waitForSelector('[data-testid=object-store][data-state=failed]');
  t.equal(await c.page.getAttribute('[data-testid=object-store-problem]', 'data-problem'), 'unreachable');
  t.match(await c.page.textContent('[data-testid=object-store-problem]'), /无法连接存储：请检查 objectStore.endpoint、网络和存储服务是否运行/);
  t.match(await c.page.textContent('[data-testid=health-verdict]'), /./);
  await c.shot('system-object-store-down');
  await c.page.click('header.top button.lang');
  await c.page.waitForSelector('[data-testid=object-store-verdict]:has-text("unavailable")');
  await c.shot('system-object-store-down-en');
  const all = (await c.page.textContent('body')) ?? '';
  t.notOk(all.includes(gw.secret) || all.includes(gw.accessKeyId), 'neither the secret nor the key id is on the page');
  // Under 磁盘预测 the tier block says so too, before any upload has failed; the forecast names the local hotDays.
  await c.page.click('header.top button.lang');
  await c.open('system', 'section=disk');
  await c.page.waitForSelector('[data-testid=tier-store-unreachable]');
  t.match(await c.page.textContent('[data-testid=tier-store-unreachable]'), /对象存储无法连接或无法写入/);
  t.match(await c.page.textContent('[data-testid=forecast-verdict]'), /本机磁盘能存下最近 7 天（hotDays）/);
  await c.shot('system-disk-store-down');
  t.same(c.pageErrors, []);
  await gw.restart();
});

t.test('a retain-until asked of a bucket without object lock is an error, never an unlocked success', async (t) => {
  const plain = open({ bucket: 'plain-unlocked' });
  await plain.s3.send(new CreateBucketCommand({ Bucket: 'plain-unlocked' }));
  const f = file('seg5.mp4', 2000);
  const err = await plain
    .putFile(f.path, 'site-a/CAM-101/2026/12/01/seg5.mp4', { metadata: meta(), retainUntil: clock.now() + 86_400_000 })
    .catch((e: ObjectStoreError) => e);
  t.match(err, { problem: 'no-object-lock', message: /seg5\.mp4 .*the bucket plain-unlocked has no object lock/ });
});

t.test('every byte of an upload passes the bandwidth limiter it is given', async (t) => {
  const f = file('seg6.mp4', 6 * 1024 * 1024 + 5);
  let passed = 0;
  const limiter = bandwidthLimiter(1e9);
  const put = await store.putFile(f.path, 'site-a/CAM-101/2026/12/01/seg6.mp4', {
    metadata: meta(),
    throttle: async (bytes, signal) => {
      passed += bytes;
      await limiter.throttle(bytes, signal);
    },
  });
  t.equal(passed, f.data.length);
  t.equal(put.sha256, f.sha256);
});

t.test('a file that changes while it is uploaded is refused as changed, not stored as verified', async (t) => {
  const f = file('seg7.mp4', 2 * 1024 * 1024);
  let grown = false;
  const err = await store
    .putFile(f.path, 'site-a/CAM-101/2026/12/01/seg7.mp4', {
      metadata: meta(f.sha256),
      throttle: async () => {
        if (!grown) appendFileSync(f.path, 'late bytes');
        grown = true;
      },
    })
    .catch((e: ObjectStoreError) => e);
  t.match(err, { problem: 'local-changed', message: /the local file .*seg7\.mp4 changed while it was read/ });
});

t.test('a cancelled upload stops, says so, and leaves no unfinished multipart upload behind', async (t) => {
  const f = file('seg8.mp4', 24 * 1024 * 1024);
  const stop = new AbortController();
  let sent = 0;
  const err = await store
    .putFile(f.path, 'site-a/CAM-101/2026/12/01/seg8.mp4', {
      metadata: meta(),
      signal: stop.signal,
      throttle: async (bytes) => {
        sent += bytes;
        if (sent > 10 * 1024 * 1024) stop.abort();
      },
    })
    .catch((e: ObjectStoreError) => e);
  t.match(err, { problem: 'aborted' });
  t.equal(await store.head('site-a/CAM-101/2026/12/01/seg8.mp4'), null, 'no object');
  const left = (await store.listStaleUploads(-60_000)).filter((u) => u.key.endsWith('seg8.mp4'));
  t.same(left, [], 'the multipart upload was aborted');
});

t.test('a machine without Ceph fails the object-store tests in words that say how to install it', async (t) => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.teardown(() => {
    process.env.PATH = path;
  });
  await t.rejects(startRadosgw(t), {
    message: /ceph-mon, ceph-osd, radosgw, radosgw-admin, monmaptool, ceph are not installed: run `node server\/setup.mjs --test`/,
  });
});
