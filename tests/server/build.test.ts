// The server build (server/build-server.mjs) on a scratch project of its own: the sources stay the truth,
// so a build that no longer matches them is never taken for current, and one that does is kept.
import t from 'tap';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildServer, ensureServerBuild, serverBuildState } from '../../server/build-server.mjs';
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
  return { root, write };
}

// Each build is imported once under its own folder name, so a module cache never hides a rebuild.
const load = (dir: string) => import(pathToFileURL(join(dir, 'cli.js')).href) as Promise<{ here: string; folder: string; said: string }>;

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
  t.ok(existsSync(join(good, 'cli.js')));
});
