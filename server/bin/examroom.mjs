#!/usr/bin/env node
// The installed `examroom` command. It runs the JavaScript build of the CLI (dist/server/, made by
// server/build-server.mjs) and never an out-of-date one: each start stats the build's inputs and
// rebuilds first when a source moved on (about a second). Where the build cannot be written (a
// read-only install) it runs the TypeScript sources through tsx instead, slower but current, and says so.
// EXAMROOM_FROM_SOURCE=1 runs the sources through tsx always (to debug the build itself).
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { serverBuildState, buildServer } from '../build-server.mjs';

const say = (line) => process.stderr.write(`examroom: ${line}\n`);

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
      // The face worker thread (kiosk/face/worker-boot.mjs) loads its bundled entry from here.
      process.env.EXAMROOM_SERVER_BUILD = dir;
      if (process.env.EXAMROOM_DEBUG === '1') process.setSourceMapsEnabled(true);
      return import(pathToFileURL(join(dir, 'cli.js')).href);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli.ts');
}

const { main, reportError } = await loadCli();
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.exit(reportError(err));
  },
);
