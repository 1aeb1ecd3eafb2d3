#!/usr/bin/env node
// Makes a fresh clone ready to run: npm dependencies (with a working
// better-sqlite3 native module), the face descriptor model (from the npm
// registry, checked by SHA-256) and the Debian packages examroom needs.
//
// Usage: node server/setup.mjs [--quiet] [--test]
//   --quiet  print nothing when nothing needed doing
//   --test   also the Debian packages only the tests use (npm test passes it)
//
// Environment:
//   EXAMROOM_SKIP_APT=1              skip the Debian package check
//   EXAMROOM_SETUP_PRETEND_NONROOT=1 testing aid: behave as if not root, to
//                                    see the "run this with sudo" message
//
// Only node: built-ins may be imported here, because this script runs
// before node_modules exists.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const NODE_MODULES = join(REPO_ROOT, 'node_modules');
const STAMP_FILE = join(NODE_MODULES, '.examroom-setup-stamp');
// npm writes this on every install, so its mtime tells when node_modules last matched a lockfile.
const NPM_HIDDEN_LOCKFILE = join(NODE_MODULES, '.package-lock.json');
const LOCKFILE = join(REPO_ROOT, 'package-lock.json');
const PACKAGE_JSON = join(REPO_ROOT, 'package.json');

const QUIET = process.argv.includes('--quiet');
const FOR_TESTS = process.argv.includes('--test');

class SetupError extends Error {}

function say(message) {
  console.log(`setup: ${message}`);
}

// For "everything is fine" news, which --quiet suppresses.
function note(message) {
  if (!QUIET) say(message);
}

function runInherited(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit', shell: false, ...options });
  return { ok: !result.error && result.status === 0, outcome: describeOutcome(result, command) };
}

function describeOutcome(result, command) {
  if (result.error) return result.error.code === 'ENOENT' ? `${command} not found on PATH` : result.error.message;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit code ${result.status}`;
}

function findOnPath(binary) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

// ---------------------------------------------------------------- npm

// Only the dependency fields of package.json count: editing its scripts or
// tool config must not cost a two-minute reinstall.
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'allowScripts'];

function dependencyFingerprint() {
  if (!existsSync(LOCKFILE)) {
    throw new SetupError('package-lock.json is missing; `npm ci` needs it. Restore it from git (or run `npm install` to create one).');
  }
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
  } catch (error) {
    throw new SetupError(`cannot read package.json: ${error.message}`);
  }
  const dependencyFields = DEPENDENCY_FIELDS.map((field) => [field, manifest[field] ?? null]);
  return createHash('sha256').update(readFileSync(LOCKFILE)).update('\0').update(JSON.stringify(dependencyFields)).digest('hex');
}

function readStamp() {
  try {
    return readFileSync(STAMP_FILE, 'utf8').trim();
  } catch {
    return null;
  }
}

// Written aside and renamed into place: a node_modules hard-linked from another checkout (cp -al) must
// not have the other checkout's stamp overwritten through the shared file.
function writeStamp(fingerprint) {
  const tmp = `${STAMP_FILE}.${process.pid}`;
  writeFileSync(tmp, `${fingerprint}\n`);
  renameSync(tmp, STAMP_FILE);
}

function mtimeOf(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

// Returns why `npm ci` is needed, or null when node_modules is current.
function reasonToReinstall(fingerprint) {
  if (!existsSync(NODE_MODULES)) return 'node_modules is missing';
  const stamp = readStamp();
  if (stamp !== null) return stamp === fingerprint ? null : 'package-lock.json or package.json changed since the last install';

  // No stamp: node_modules came from a plain `npm install`. Trust it unless
  // the lockfile moved on after it, so developers are not forced to reinstall.
  const installedAt = mtimeOf(NPM_HIDDEN_LOCKFILE);
  if (installedAt === null) return 'node_modules looks incomplete (no node_modules/.package-lock.json)';
  if (mtimeOf(LOCKFILE) > installedAt) return 'package-lock.json is newer than node_modules';
  writeStamp(fingerprint);
  return null;
}

function installDependencies(reason) {
  say(`${reason}; running npm ci (this can take a few minutes: better-sqlite3 compiles)`);
  const { ok, outcome } = runInherited('npm', ['ci']);
  if (!ok) {
    throw new SetupError(
      `npm ci failed (${outcome}). Read the npm output above; common fixes: check network access to the npm registry, ` +
        'install build tools for better-sqlite3 (python3, make, g++), or delete node_modules and run `npm ci` by hand.',
    );
  }
  writeStamp(dependencyFingerprint());
}

// `require('better-sqlite3')` alone does not load the addon (it loads lazily
// on first open), so open an in-memory database to really exercise it.
const SQLITE_PROBE = "new (require('better-sqlite3'))(':memory:').close()";

// A probe is a second node process (0.1–0.3 s on every `npm run examroom`), so a passed one is remembered
// for this node binary, its module ABI and this very addon file; any of them changing probes again.
const SQLITE_ADDON = join(NODE_MODULES, 'better-sqlite3/build/Release/better_sqlite3.node');
const SQLITE_PROBED = join(NODE_MODULES, '.examroom-sqlite-probed');
const sqliteProbeKey = () => `${process.execPath} ${process.versions.modules} ${mtimeOf(SQLITE_ADDON)}`;

function probeSqlite() {
  try {
    if (readFileSync(SQLITE_PROBED, 'utf8') === sqliteProbeKey()) return null;
  } catch {
    // never probed here
  }
  const result = spawnSync(process.execPath, ['-e', SQLITE_PROBE], { cwd: REPO_ROOT, encoding: 'utf8', shell: false });
  if (!result.error && result.status === 0) {
    try {
      writeFileSync(`${SQLITE_PROBED}.${process.pid}`, sqliteProbeKey());
      renameSync(`${SQLITE_PROBED}.${process.pid}`, SQLITE_PROBED);
    } catch {
      // a read-only node_modules: probe again next time
    }
    return null;
  }
  const firstErrorLine = (result.stderr ?? '').split('\n').find((line) => /Error/.test(line));
  return firstErrorLine?.trim() || describeOutcome(result, 'node');
}

// A node_modules built for another Node version (or copied from another
// machine) fails here; a rebuild usually fixes it.
function ensureSqliteLoads() {
  const firstFailure = probeSqlite();
  if (firstFailure === null) return false;
  say(`better-sqlite3 does not load (${firstFailure}); running npm rebuild better-sqlite3`);
  const rebuild = runInherited('npm', ['rebuild', 'better-sqlite3']);
  const secondFailure = probeSqlite();
  if (secondFailure !== null) {
    throw new SetupError(
      `better-sqlite3 still does not load after npm rebuild (rebuild: ${rebuild.outcome}; load: ${secondFailure}). ` +
        `Check that build tools (python3, make, g++) are installed and that you run Node ${process.versions.node} everywhere, ` +
        'then delete node_modules and run this again.',
    );
  }
  return true;
}

// Two setups at once (say, two `npm test`s in one work tree) would run npm ci
// over each other and leave node_modules corrupt, so installs take a lock.
// It lives outside node_modules because npm ci deletes that folder.
const LOCK_FILE = join(tmpdir(), `examroom-setup-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`);
const LOCK_WAIT_LIMIT_MS = 20 * 60 * 1000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isProcessAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function tryTakeLock() {
  try {
    writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
    return null;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  let holder;
  try {
    holder = Number.parseInt(readFileSync(LOCK_FILE, 'utf8'), 10);
  } catch (error) {
    if (error.code === 'ENOENT') return tryTakeLock(); // released meanwhile
    throw error;
  }
  if (Number.isInteger(holder) ? isProcessAlive(holder) : Date.now() - (mtimeOf(LOCK_FILE) ?? 0) < 10_000) {
    return holder; // NaN while the holder is still writing its pid
  }
  // Left behind by a setup that was killed (e.g. Ctrl-C during npm ci).
  rmSync(LOCK_FILE, { force: true });
  return tryTakeLock();
}

function withInstallLock(work) {
  const giveUpAt = Date.now() + LOCK_WAIT_LIMIT_MS;
  let announced = false;
  for (let holder = tryTakeLock(); holder !== null; holder = tryTakeLock()) {
    if (Date.now() > giveUpAt) {
      throw new SetupError(`gave up waiting for another setup (pid ${holder}) to finish; if it is stuck, stop it or delete ${LOCK_FILE}`);
    }
    if (!announced) say(`waiting for another setup (pid ${holder}) to finish installing dependencies`);
    announced = true;
    sleep(1000);
  }
  try {
    return work();
  } finally {
    rmSync(LOCK_FILE, { force: true });
  }
}

function ensureNpmDependencies() {
  if (reasonToReinstall(dependencyFingerprint()) === null && probeSqlite() === null) return false;
  return withInstallLock(() => {
    // Decide again under the lock: the setup we waited for may have done the work.
    const reason = reasonToReinstall(dependencyFingerprint());
    if (reason) installDependencies(reason);
    const rebuilt = ensureSqliteLoads();
    return Boolean(reason) || rebuilt;
  });
}

// ---------------------------------------------------------------- Debian

function isDebPackageInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', shell: false });
  return !result.error && result.status === 0 && result.stdout.trim() === 'install ok installed';
}

function hasNotoCjkFontFiles() {
  try {
    return readdirSync('/usr/share/fonts/opentype/noto').some((file) => file.startsWith('NotoSansCJK'));
  } catch {
    return false;
  }
}

const DEBIAN_PACKAGES = [
  { name: 'ffmpeg', purpose: 'recording', isPresent: () => findOnPath('ffmpeg') !== null },
  // The site CA and server certificate are issued with the openssl command (server/tls/openssl.ts).
  { name: 'openssl', purpose: 'HTTPS certificates', isPresent: () => findOnPath('openssl') !== null },
  {
    name: 'chromium',
    purpose: 'headless browser',
    isPresent: () => existsSync('/usr/bin/chromium') || findOnPath('chromium') !== null,
  },
  {
    name: 'fonts-noto-cjk',
    purpose: 'CJK fonts',
    // The font files also count on systems where dpkg does not know about them.
    // The files first: a directory listing is cheaper than running dpkg-query.
    isPresent: () => hasNotoCjkFontFiles() || isDebPackageInstalled('fonts-noto-cjk'),
  },
];

// Tools only the tests use: installed for `npm test` (--test), never for `npm start` or on a site, so a
// site's attack surface and install size do not grow with what the tests need (CLARIFICATIONS).
const TEST_ONLY_DEBIAN_PACKAGES = [
  {
    name: 'poppler-utils',
    purpose: 'tests read the PDFs back (pdftotext, pdftoppm, pdffonts)',
    isPresent: () => findOnPath('pdftoppm') !== null && findOnPath('pdftotext') !== null && findOnPath('pdffonts') !== null,
  },
  {
    name: 'strace',
    purpose: 'the backup test watches which files the backup child syncs (tests/storage/backup.test.ts)',
    isPresent: () => findOnPath('strace') !== null,
  },
  {
    name: 'socat',
    purpose: 'the ID-card reader tests put a simulated reader on a pseudo-terminal (tests/kiosk/reader-bridge.test.ts)',
    isPresent: () => findOnPath('socat') !== null,
  },
  {
    name: 'sip-tester',
    purpose: 'sipp plays the GB/T 28181 platform in the signalling tests (tests/media/gb28181/)',
    isPresent: () => findOnPath('sipp') !== null,
  },
  // The headful exam-PC test (tests/e2e/exam-pc.test.ts): a real X display, a second X client drawn on it,
  // the screen size the Debian session reads, and the NSS tools its script trusts the site CA with.
  { name: 'xvfb', purpose: 'the headful exam-PC test runs Chromium on a virtual X display', isPresent: () => findOnPath('Xvfb') !== null },
  { name: 'x11-apps', purpose: 'the exam-PC test draws a window outside the browser (xlogo)', isPresent: () => findOnPath('xlogo') !== null },
  { name: 'x11-xserver-utils', purpose: 'the exam PC session reads the screen size (xrandr)', isPresent: () => findOnPath('xrandr') !== null },
  {
    name: 'libnss3-tools',
    purpose: "the exam-PC script trusts the site CA in Chromium's NSS store (certutil)",
    isPresent: () => findOnPath('certutil') !== null,
  },
  // The object-store tests run a one-node Ceph on loopback (tests/helpers/radosgw.ts): a monitor, one
  // in-memory OSD and the RADOS Gateway, which answers S3 as the centre's store does.
  { name: 'ceph-mon', purpose: 'the object-store tests start a one-node Ceph monitor', isPresent: () => findOnPath('ceph-mon') !== null },
  { name: 'ceph-osd', purpose: 'the object-store tests start one in-memory Ceph OSD', isPresent: () => findOnPath('ceph-osd') !== null },
  {
    name: 'radosgw',
    purpose: 'the object-store tests speak S3 to a real Ceph RADOS Gateway on loopback',
    isPresent: () => findOnPath('radosgw') !== null && findOnPath('radosgw-admin') !== null,
  },
];

function isRoot() {
  if (process.env.EXAMROOM_SETUP_PRETEND_NONROOT === '1') return false;
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function installDebPackages(names) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  say(`installing Debian packages: ${names.join(' ')}`);
  const update = runInherited('apt-get', ['update'], { env });
  if (!update.ok) {
    throw new SetupError(`apt-get update failed (${update.outcome}). Check network access to the Debian mirrors and try again.`);
  }
  const install = runInherited('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env });
  if (!install.ok) {
    throw new SetupError(
      `apt-get install ${names.join(' ')} failed (${install.outcome}). Read the apt output above and retry by hand, ` +
        'or set EXAMROOM_SKIP_APT=1 to skip this check.',
    );
  }
}

function ensureDebianPackages() {
  const wanted = FOR_TESTS ? [...DEBIAN_PACKAGES, ...TEST_ONLY_DEBIAN_PACKAGES] : DEBIAN_PACKAGES;
  if (process.env.EXAMROOM_SKIP_APT === '1') {
    note(`EXAMROOM_SKIP_APT=1: not checking Debian packages (${wanted.map((pkg) => pkg.name).join(', ')})`);
    return false;
  }
  const missing = wanted.filter((pkg) => !pkg.isPresent());
  if (missing.length === 0) return false;

  const names = missing.map((pkg) => pkg.name);
  if (isRoot()) {
    installDebPackages(names);
    return true;
  }
  const list = missing.map((pkg) => `${pkg.name} (${pkg.purpose})`).join(', ');
  say(`missing Debian packages needed by examroom: ${list}; installing them needs root, so run:`);
  console.log(`sudo apt-get install -y --no-install-recommends ${names.join(' ')}`);
  process.exit(1);
}

// ---------------------------------------------------------------- main

// The face descriptor model (kiosk/face/models/README.md) is one 4.9 MB file of an npm package whose own
// dependencies (jest, webpack, babel 6…) we do not want installed, so it is taken out of the package's
// tarball (npm's cache makes a second fetch offline) and checked against the SHA-256 the engine was measured
// with, instead of being kept in git.
const FACE_MODEL = {
  file: join(REPO_ROOT, 'kiosk', 'face', 'models', 'mobilefacenet-512.onnx'),
  spec: 'faceplugin-face-recognition-js@0.0.1',
  member: 'package/model/fr_feature.onnx',
  sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
};

function sha256Of(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function ensureFaceModel() {
  if (existsSync(FACE_MODEL.file) && sha256Of(FACE_MODEL.file) === FACE_MODEL.sha256) return false;
  say(`fetching the face descriptor model (${FACE_MODEL.member} of ${FACE_MODEL.spec}) from the npm registry`);
  const scratch = mkdtempSync(join(tmpdir(), 'examroom-face-model-'));
  try {
    const pack = spawnSync('npm', ['pack', FACE_MODEL.spec, '--pack-destination', scratch, '--silent'], { cwd: scratch, encoding: 'utf8' });
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || !tgz) {
      throw new SetupError(
        `npm pack ${FACE_MODEL.spec} failed (${describeOutcome(pack, 'npm pack')}): the face engine needs its model; check access to the npm registry. ${pack.stderr ?? ''}`.trim(),
      );
    }
    const untar = spawnSync('tar', ['-xzf', join(scratch, tgz), '-C', scratch, FACE_MODEL.member], { encoding: 'utf8' });
    const got = join(scratch, FACE_MODEL.member);
    if (untar.status !== 0 || !existsSync(got)) throw new SetupError(`${tgz} has no ${FACE_MODEL.member} (${untar.stderr.trim()})`);
    const hash = sha256Of(got);
    if (hash !== FACE_MODEL.sha256) {
      throw new SetupError(`${FACE_MODEL.member} of ${tgz} has SHA-256 ${hash}, not the measured model's ${FACE_MODEL.sha256}: refusing it`);
    }
    mkdirSync(dirname(FACE_MODEL.file), { recursive: true });
    // Copied, not renamed: the scratch folder may be on another file system.
    copyFileSync(got, `${FACE_MODEL.file}.part`);
    renameSync(`${FACE_MODEL.file}.part`, FACE_MODEL.file);
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function main() {
  // Debian first: it is quick to check and fails fast, before a long npm ci.
  const installedDebian = ensureDebianPackages();
  const changedNpm = ensureNpmDependencies();
  const fetchedModel = ensureFaceModel();
  if (installedDebian || changedNpm || fetchedModel) say('ready');
  else note('ready');
}

try {
  main();
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
