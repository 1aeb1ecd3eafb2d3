// The server build (server/build-server.mjs) on a scratch project of its own: the sources stay the truth,
// so a build that no longer matches them is never taken for current, and one that does is kept.
import t from 'tap';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ROOT, buildServer, ensureServerBuild, loadServerBuild, serverBuildState } from '../../server/build-server.mjs';
import { scratchDir } from '../helpers.ts';

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

t.test('the CLI runs with a V8 code cache: written once, used after, and a bad one is replaced', async (t) => {
  const { root } = project(t);
  const dir = await buildServer({ root });
  const cacheFile = join(dir, 'cli.cli.v8cache');
  // Each start in a process of its own, as the launcher's are: within one process V8 reuses what it
  // compiled before whatever cache is given.
  const start = () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { loadServerBuild } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'server/build-server.mjs')).href)});
         const b = loadServerBuild(${JSON.stringify(dir)}); console.log(JSON.stringify({ said: b.exports.said, wrote: b.saveCodeCache() }));`,
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    t.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { said: string; wrote: boolean };
  };
  t.notOk(existsSync(cacheFile));
  t.same(start(), { said: 'one', wrote: true }, 'no cache yet: written as the command ends');
  t.same(start(), { said: 'one', wrote: false }, 'the cache was accepted: not written again');
  writeFileSync(cacheFile, 'not a code cache');
  t.same(start(), { said: 'one', wrote: true }, 'a rejected cache only costs speed, and is replaced');
  t.not(readFileSync(cacheFile, 'latin1'), 'not a code cache');
  t.same(start(), { said: 'one', wrote: false }, 'and the replacement is accepted');

  const inProcess = loadServerBuild(dir, { profile: 'serve', cacheDir: join(root, 'var-cache') });
  t.equal(inProcess.saveCodeCache(), true);
  t.equal(inProcess.saveCodeCache(), false, 'once per process');
  t.ok(existsSync(join(root, 'var-cache', `${dir.split('/').pop()}-cli.serve.v8cache`)), "a server's cache, in the cache folder, named by its build");
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
