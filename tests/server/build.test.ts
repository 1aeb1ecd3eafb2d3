// The server build (server/build-server.mjs) on a scratch project of its own: the sources stay the truth,
// so a build that no longer matches them is never taken for current, and one that does is kept.
import t from 'tap';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ROOT, buildServer, ensureServerBuild, loadServerBuild, serverBuildState } from '../../server/build-server.mjs';
import { scratchDir } from '../helpers.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function project(t: Parameters<typeof scratchDir>[0]): { root: string; write(file: string, text: string): void } {
  const root = scratchDir(t);
  const write = (file: string, text: string) => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write(
    'server/cli.ts',
    "import { greeting } from './greeting.ts';\nexport const here: string = import.meta.url;\nexport const folder: string = import.meta.dirname;\nexport const said = greeting;\n",
  );
  write('server/greeting.ts', "export const greeting = 'one';\n");
  write('kiosk/face/worker.ts', 'export {};\n');
  write('documents/sheet-worker.ts', 'export {};\n');
  write('storage/backup/child.ts', 'export {};\n');
  return { root, write };
}

// Each load runs the build's file afresh (no module cache), so a rebuild is never hidden.
const load = async (dir: string) => loadServerBuild(dir).exports as { here: string; folder: string; said: string };

t.test('built code names its source file in import.meta, so files beside a source are found from the build', async (t) => {
  const { root } = project(t);
  const dir = await buildServer({ root });
  const cli = await load(dir);
  t.equal(cli.here, pathToFileURL(join(root, 'server/cli.ts')).href);
  t.equal(cli.folder, join(root, 'server'));
  t.equal(cli.said, 'one');
  t.same(serverBuildState({ root }), { fresh: true, dir, id: dir.split('/').pop() });
});

t.test('an edited source makes the build stale, naming the file, and ensureServerBuild rebuilds it', async (t) => {
  const { root, write } = project(t);
  const first = await buildServer({ root });
  write('server/greeting.ts', "export const greeting = 'two';\n");
  const state = serverBuildState({ root });
  t.equal(state.fresh, false);
  t.match(state, { reason: 'server/greeting.ts changed' });
  const second = await ensureServerBuild({ root });
  t.not(second, first);
  t.equal((await load(second)).said, 'two');
  t.equal(serverBuildState({ root }).fresh, true);
});

t.test('a source saved without a change keeps the build and needs no hashing on the next check', async (t) => {
  const { root } = project(t);
  const dir = await buildServer({ root });
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'server/cli.ts'), later, later);
  t.same(serverBuildState({ root }), { fresh: true, dir, id: dir.split('/').pop() });
  const recorded = JSON.parse(readFileSync(join(root, 'dist/server/current.json'), 'utf8')) as { inputs: Record<string, [number, number]> };
  t.equal(Math.round(recorded.inputs['server/cli.ts']![0]), later.getTime(), 'the new mtime is remembered');
});

t.test('a removed input makes the build stale', async (t) => {
  const { root } = project(t);
  await buildServer({ root });
  rmSync(join(root, 'server/greeting.ts'));
  t.match(serverBuildState({ root }), { fresh: false, reason: 'server/greeting.ts is gone' });
});

t.test('a source that does not build is reported with its file and line, and the last good build stays on disk', async (t) => {
  const { root, write } = project(t);
  const good = await buildServer({ root });
  write('server/greeting.ts', "export const greeting = 'two\n");
  await t.rejects(buildServer({ root }), { message: /the server does not build:\n\s+server\/greeting\.ts:1:\d+: Unterminated string literal/ });
  t.equal(serverBuildState({ root }).fresh, false, 'still stale: the sources moved on');
  t.ok(existsSync(join(good, 'cli.cjs')));
});

/**
 * One start of a build's CLI in a process of its own, as the launcher's are (within one process V8 reuses
 * what it compiled before whatever cache is given); `uid` runs it as another account (the service's).
 */
function startBuilt(t: Parameters<typeof scratchDir>[0], dir: string, uid?: number) {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { loadServerBuild } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'server/build-server.mjs')).href)});
       const b = loadServerBuild(${JSON.stringify(dir)}); console.log(JSON.stringify({ said: b.exports.said, cache: b.cache, wrote: b.saveCodeCache() }));`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, ...(uid === undefined ? {} : { uid, gid: uid }) },
  );
  // (tap's process-info hook in the child cannot write its record as another account: said on stderr, harmless)
  t.equal(r.status, 0, r.status === 0 ? `a start as ${uid ?? 'the owner'}` : r.stderr);
  return JSON.parse(r.stdout) as { said: string; cache: string; wrote: boolean };
}

t.test('the CLI runs with a V8 code cache: written once with its seal, used after, and a bad one is replaced', async (t) => {
  const { root } = project(t);
  const dir = await buildServer({ root });
  const cacheFile = join(dir, 'cli.cli.v8cache');
  t.notOk(existsSync(cacheFile));
  t.same(startBuilt(t, dir), { said: 'one', cache: 'none', wrote: true }, 'no cache yet: written as the command ends');
  t.same(
    JSON.parse(readFileSync(`${cacheFile}.seal`, 'utf8')),
    { bundle: sha(readFileSync(join(dir, 'cli.cjs'))), cache: sha(readFileSync(cacheFile)) },
    'sealed: the bundle’s hash and its own',
  );
  t.same(startBuilt(t, dir), { said: 'one', cache: 'sealed', wrote: false }, 'the cache was run: not written again');
  writeFileSync(cacheFile, 'not a code cache');
  t.same(startBuilt(t, dir), { said: 'one', cache: 'altered', wrote: true }, 'a cache that is not what was sealed is not run, and is replaced');
  t.not(readFileSync(cacheFile, 'latin1'), 'not a code cache');
  t.same(startBuilt(t, dir), { said: 'one', cache: 'sealed', wrote: false }, 'and the replacement is run');
  rmSync(`${cacheFile}.seal`);
  t.same(startBuilt(t, dir), { said: 'one', cache: 'unsealed', wrote: true }, 'a cache without a seal (an older build’s way) is not run');
  const inProcess = loadServerBuild(dir, { profile: 'serve' });
  t.equal(inProcess.saveCodeCache(), true);
  t.equal(inProcess.saveCodeCache(), false, 'once per process');
  t.ok(existsSync(join(dir, 'cli.serve.v8cache.seal')), "a server's cache, beside the build, sealed");
});

t.test('a code cache the running account could have made is never run: the service runs root’s and writes none', async (t) => {
  const SERVICE = 65534; // nobody: an account that cannot write the build folder, as the installed service
  const { root, write } = project(t);
  chmodSync(root, 0o755);
  const dir = await buildServer({ root });
  const cacheFile = join(dir, 'cli.cli.v8cache');
  t.same(startBuilt(t, dir, SERVICE), { said: 'one', cache: 'none', wrote: false }, 'the service cannot write the build folder: cold, and it writes nothing');
  t.notOk(existsSync(cacheFile));
  t.same(startBuilt(t, dir), { said: 'one', cache: 'none', wrote: true }, 'the build’s owner (root, at install) makes the cache');
  t.same(startBuilt(t, dir, SERVICE), { said: 'one', cache: 'sealed', wrote: false }, 'the service runs root’s sealed cache');

  chmodSync(cacheFile, 0o666);
  t.same(startBuilt(t, dir, SERVICE), { said: 'one', cache: 'writable', wrote: false }, 'a cache the service could have rewritten is not run');
  chmodSync(cacheFile, 0o644);

  // A cache made for another bundle (a valid V8 cache, sealed by its own build) put beside this one.
  write('server/greeting.ts', "export const greeting = 'two';\n");
  const other = await buildServer({ root });
  t.same(startBuilt(t, other), { said: 'two', cache: 'none', wrote: true });
  for (const f of ['cli.cli.v8cache', 'cli.cli.v8cache.seal']) writeFileSync(join(dir, f), readFileSync(join(other, f)));
  t.same(startBuilt(t, dir, SERVICE), { said: 'one', cache: 'another-build', wrote: false }, 'a cache of another build is not run');

  // Altered bytes under root's seal: refused by the hash before V8 sees them.
  t.same(startBuilt(t, other), { said: 'two', cache: 'sealed', wrote: false });
  const bytes = readFileSync(join(other, 'cli.cli.v8cache'));
  bytes[bytes.length - 100]! ^= 0xff;
  writeFileSync(join(other, 'cli.cli.v8cache'), bytes);
  t.same(startBuilt(t, other, SERVICE), { said: 'two', cache: 'altered', wrote: false }, 'an altered cache is not run');
});

t.test('the build is pure ASCII and means what the sources say; a bundled package finds the files beside it', async (t) => {
  const { root, write } = project(t);
  write('server/greeting.ts', "export const greeting = '考场【一】'.replace(/[【】]/gu, '').replace(/＊/g, '') + '😀';\n");
  write('node_modules/beside/package.json', '{ "name": "beside", "version": "1.0.0", "main": "index.js" }\n');
  write('node_modules/beside/index.js', "module.exports = require('node:fs').readFileSync(require('node:path').join(__dirname, 'data.txt'), 'utf8');\n");
  write('node_modules/beside/data.txt', 'read beside\n');
  write(
    'server/cli.ts',
    "import beside from 'beside';\nimport { greeting } from './greeting.ts';\nexport const said = greeting;\nexport const read = beside;\n",
  );
  const dir = await buildServer({ root });
  const bytes = readFileSync(join(dir, 'cli.cjs'));
  t.notOk(
    bytes.some((b) => b > 0x7f),
    'every byte is ASCII',
  );
  const cli = loadServerBuild(dir).exports as { said: string; read: string };
  t.equal(cli.said, '考场一😀');
  t.equal(cli.read, 'read beside\n');
});

t.test('a package left in node_modules and imported on demand loads there, with the meaning import() gives it in Node', async (t) => {
  const { root, write } = project(t);
  // qrcode is one of the packages the build leaves external. __esModule without a default: Node's import()
  // of CommonJS still gives module.exports as the default, and so must the build.
  write('package.json', '{ "name": "scratch", "type": "module" }\n'); // as the project's: ES modules
  write('node_modules/qrcode/package.json', '{ "name": "qrcode", "version": "1.0.0", "main": "index.js" }\n');
  write('node_modules/qrcode/index.js', 'module.exports = function qrcodeLib() {};\nmodule.exports.__esModule = true;\n');
  write('server/cli.ts', "export const qr = async (): Promise<string> => (await import('qrcode')).default.name;\n");
  const dir = await buildServer({ root });
  t.match(readFileSync(join(dir, 'cli.cjs'), 'latin1'), /require\("qrcode"\)/, 'required from node_modules, not bundled');
  const cli = loadServerBuild(dir).exports as { qr(): Promise<string> };
  t.equal(await cli.qr(), 'qrcodeLib');
});
