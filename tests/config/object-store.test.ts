// The objectStore: section: defaults, the secret kept out of Config, and every mistake refused as a
// config error naming its field (the secret file missing, unreadable or readable by everyone, said apart).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig, maskConfig, uploadWindowOpen, type Config } from '../../config/index.ts';
import { formatProblem } from '../../core/index.ts';
import { scratchDir } from '../helpers.ts';

const BASE = `site: { id: s1, name: 测试考点, province: "440000", city: "440100" }
rooms:
  - { id: R1, name: 一号考场, seats: { rows: 1, columns: 2 } }
`;
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

/** A scratch folder holding secret.txt (0600) and the config written from `section`. */
function setUp(t: Test, section: string, opts: { secretMode?: number; secret?: string } = {}): string {
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'secret.txt'), `${opts.secret ?? SECRET}\n`, { mode: 0o600 });
  chmodSync(join(dir, 'secret.txt'), opts.secretMode ?? 0o600);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `${BASE}objectStore:\n${section}`);
  return file;
}
const load = (t: Test, section: string, opts?: { secretMode?: number; secret?: string }): Config => loadConfig(setUp(t, section, opts));

function problemsOfFile(file: string): string[] {
  try {
    loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

function problemsOf(t: Test, section: string, opts?: { secretMode?: number; secret?: string }): string[] {
  try {
    load(t, section, opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map(formatProblem);
  }
  throw new Error('the config loaded, but it should have been refused');
}

const MINIMAL = '  endpoint: https://s3.centre.lan\n  bucket: exam-evidence\n  accessKeyId: AKIAEXAMPLE\n  secretFile: secret.txt\n';

t.test('without objectStore media stays local: the section is null', async (t) => {
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'config.yaml'), BASE);
  t.equal(loadConfig(join(dir, 'config.yaml')).objectStore, null);
});

t.test('a minimal section gets the defaults, the secret file as an absolute path and never the secret itself', async (t) => {
  const c = load(t, MINIMAL);
  t.match(c.objectStore, {
    endpoint: 'https://s3.centre.lan',
    bucket: 'exam-evidence',
    region: 'us-east-1',
    addressing: 'path',
    accessKeyId: 'AKIAEXAMPLE',
    secretFile: /\/secret\.txt$/,
    caFile: null,
    prefix: 'examroom',
    hotDays: 7,
    uploadWindow: 'always',
    bandwidthMbps: null,
    objectLock: 'none',
  });
  t.notOk(JSON.stringify(c).includes(SECRET), 'the secret is not in Config');
  t.notOk(JSON.stringify(maskConfig(c).config).includes(SECRET), 'nor in the config shown');
});

t.test('an upload window crossing midnight is open late at night and early in the morning only', async (t) => {
  const w = load(t, `${MINIMAL}  uploadWindow: "20:00-06:00"\n  bandwidthMbps: 50\n  objectLock: compliance\n  hotDays: 14\n`).objectStore!;
  t.match(w, { uploadWindow: { from: 20 * 60, to: 6 * 60, text: '20:00-06:00' }, bandwidthMbps: 50, objectLock: 'compliance', hotDays: 14 });
  t.same(
    [19 * 60 + 59, 20 * 60, 23 * 60, 0, 5 * 60 + 59, 6 * 60, 12 * 60].map((m) => uploadWindowOpen(w.uploadWindow, m)),
    [false, true, true, true, true, false, false],
  );
});

t.test('a secret file that is missing, readable by everyone, empty or more than the key is a config error naming objectStore.secretFile', async (t) => {
  t.match(problemsOf(t, MINIMAL.replace('secret.txt', 'nope.txt')), [/^objectStore\.secretFile: file not found \(got ".*\/nope\.txt"\)$/]);
  t.match(problemsOf(t, MINIMAL, { secretMode: 0o644 }), [/^objectStore\.secretFile: is readable by every user of this machine \(mode 644\); run chmod 600/]);
  t.match(problemsOf(t, MINIMAL, { secret: '' }), [/^objectStore\.secretFile: is empty; it must hold the S3 secret key on one line/]);
  const two = problemsOf(t, MINIMAL, { secret: `${SECRET}\nsecond line` });
  t.match(two, [/^objectStore\.secretFile: holds more than one word or line/]);
  t.notOk(two.join().includes(SECRET), 'the secret is never echoed');
  t.ok(load(t, MINIMAL, { secretMode: 0o640 }).objectStore, "readable by the service's group is fine (root:examroom 640)");
});

t.test(
  'a secret file the service cannot read is said apart from a missing one',
  { skip: process.getuid?.() === 0 ? 'root reads every file' : false },
  async (t) => {
    t.match(problemsOf(t, MINIMAL, { secretMode: 0o000 }), [/^objectStore\.secretFile: cannot be read by the service \(permission denied\)/]);
  },
);

t.test('each mistake in the section names its field', async (t) => {
  const cases: [string, RegExp][] = [
    [MINIMAL.replace('https://s3.centre.lan', 'ftp://s3.centre.lan'), /^objectStore\.endpoint: must start with https:\/\/ or http:\/\//],
    [MINIMAL.replace('https://s3.centre.lan', 'not a url'), /^objectStore\.endpoint: is not a URL/],
    [
      MINIMAL.replace('https://s3.centre.lan', 'https://s3.centre.lan/exam-evidence'),
      /^objectStore\.endpoint: must be the store’s address only, without a path/,
    ],
    [
      MINIMAL.replace('https://s3.centre.lan', 'https://admin:hunter2@s3.centre.lan'),
      /^objectStore\.endpoint: carries a user name or password; put the key in accessKeyId and secretFile$/,
    ],
    [MINIMAL.replace('exam-evidence', 'Exam_Evidence'), /^objectStore\.bucket: /],
    [`${MINIMAL}  uploadWindow: "8pm-6am"\n`, /^objectStore\.uploadWindow: must be always, or hours like "20:00-06:00"/],
    [`${MINIMAL}  uploadWindow: "20:00-20:00"\n`, /^objectStore\.uploadWindow: starts and ends at the same minute/],
    [`${MINIMAL}  objectLock: legal-hold\n`, /^objectStore\.objectLock: /],
    [`${MINIMAL}  hotDays: 0\n`, /^objectStore\.hotDays: /],
    [`${MINIMAL}  bandwidthMbps: 0\n`, /^objectStore\.bandwidthMbps: /],
    [`${MINIMAL}  addressing: virtual\n`, /^objectStore\.addressing: /],
    [`${MINIMAL}  caFile: ca.pem\n`, /^objectStore\.caFile: file not found/],
    [`${MINIMAL}  secret: ${SECRET}\n`, /^objectStore\.secret: unknown setting \(allowed here: .*secretFile.*\)$/],
    [MINIMAL.replace('  accessKeyId: AKIAEXAMPLE\n', ''), /^objectStore\.accessKeyId: missing$/],
    [
      `${MINIMAL.replace('exam-evidence', 'exam.evidence')}  addressing: virtual-host\n`,
      /^objectStore\.bucket: has a dot, which breaks the TLS name check with virtual-host addressing/,
    ],
  ];
  for (const [section, want] of cases) {
    const got = problemsOf(t, section);
    t.match(got, [want], section.trim().split('\n').at(-1) ?? '');
    t.notOk(got.join().includes('hunter2') || got.join().includes(SECRET), 'no password or secret is echoed');
  }
});

t.test('a caFile that is not a certificate is named, and one over plain http is pointless', async (t) => {
  const file = setUp(t, `${MINIMAL}  caFile: ca.pem\n`);
  writeFileSync(join(file, '..', 'ca.pem'), 'hello');
  t.match(problemsOfFile(file), [/^objectStore\.caFile: is not a PEM certificate file/]);
  const plain = setUp(t, `${MINIMAL.replace('https://', 'http://')}  caFile: ca.pem\n`);
  writeFileSync(join(plain, '..', 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  t.match(problemsOfFile(plain), [/^objectStore\.caFile: is set, but the endpoint is plain http:\/\/: there is no TLS to check/]);
});
