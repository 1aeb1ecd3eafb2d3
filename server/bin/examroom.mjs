#!/usr/bin/env node
// The installed `examroom` command. It runs the JavaScript build of the CLI (dist/server/<id>/cli.cjs, made
// by server/build-server.mjs, with V8's code cache: loadServerBuild) and never an out-of-date one: each start stats the build's inputs and
// rebuilds first when a source moved on (about a second). Where the build cannot be written (a
// read-only install) it runs the TypeScript sources through tsx instead, slower but current, and says so.
// EXAMROOM_FROM_SOURCE=1 runs the sources through tsx always (to debug the build itself).
import { serverBuildState, buildServer, loadServerBuild } from '../build-server.mjs';

const say = (line) => process.stderr.write(`examroom: ${line}\n`);
const args = process.argv.slice(2);
const serving = args[0] === 'serve';
// A server saves its code cache this long after listening (or as it stops, if sooner): past a restarted
// server's rush of terminals, since writing it holds the event loop for some tens of ms.
const SERVE_CACHE_AFTER_MS = 10_000;

/** @returns {Promise<{ main(argv: string[]): Promise<number>, reportError(err: unknown): number, saveCodeCache(): void }>} */
async function loadCli() {
  delete process.env.EXAMROOM_SERVER_BUILD; // set below for this process's own worker threads only
  if (process.env.EXAMROOM_FROM_SOURCE !== '1') {
    const state = serverBuildState();
    let dir = state.fresh ? state.dir : null;
    if (!dir) {
      try {
        // Said only to a person at a terminal: scripts read stderr for errors.
        if (process.stderr.isTTY) say(`rebuilding dist/server (${state.reason})`);
        dir = await buildServer();
      } catch (err) {
        const code = err?.code;
        if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') {
          say(`${state.reason}, and rebuilding failed: ${err instanceof Error ? err.message : String(err)}`);
          process.exit(1);
        }
        say(
          `${state.reason} and the build folder is read-only (${code}); running the sources through tsx (slow start; run node server/build-server.mjs as the owner to fix)`,
        );
      }
    }
    if (dir) {
      // The face and sheet worker threads and the backup child (kiosk/face/worker-boot.mjs, documents/sheet-worker-boot.mjs, storage/backup/child-boot.mjs) load their bundled entries from here.
      process.env.EXAMROOM_SERVER_BUILD = dir;
      if (process.env.EXAMROOM_DEBUG === '1') process.setSourceMapsEnabled(true);
      // One cache per command word (session, bank, user …): each runs its own code, and a cache holds what
      // the start that wrote it compiled.
      const profile = serving ? 'serve' : /^[a-z][a-z-]{0,30}$/.test(args[0] ?? '') ? `cli-${args[0]}` : 'cli';
      // Caches live beside the build only, sealed (build-server.mjs sealedCodeCache): the installed service
      // cannot write there, so it can neither plant code for its next start nor overwrite root's caches.
      const build = loadServerBuild(dir, { profile });
      // A cache refused for what it is, or (for the server, whose journal the IT person reads) by V8 after a
      // Node upgrade: the service cannot write a new one, so the slow starts go on until root makes it again.
      if (build.cache === 'altered' || build.cache === 'writable' || build.cache === 'another-build' || (serving && build.cache === 'rejected'))
        say(
          `the code cache ${dir}/cli.${profile}.v8cache was not run (${build.cache}): a cold start; as root, node server/build-server.mjs --warm-caches makes it again`,
        );
      return { ...build.exports, saveCodeCache: () => build.saveCodeCache() };
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return { ...(await import('../cli.ts')), saveCodeCache() {} };
}

const { main, reportError, saveCodeCache } = await loadCli();
// A cache is written only by a start that did its work: a command that succeeded (as it ends, however
// it ends: some exit from deep inside), a server that listened (as it stops, if before the timer).
// A failed start ran too little of the code for its cache to be worth keeping for good.
let succeeded = false;
process.once('exit', (code) => {
  if (succeeded || (!serving && code === 0)) saveCodeCache();
});
main(args).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
    else if (serving) {
      succeeded = true;
      setTimeout(saveCodeCache, SERVE_CACHE_AFTER_MS).unref();
    }
  },
  (err) => {
    process.exit(reportError(err));
  },
);
