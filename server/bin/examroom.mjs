#!/usr/bin/env node
// The installed `examroom` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';
register();
const { main, reportError } = await import('../cli.ts');
main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exitCode = code; },
  (err) => { process.exit(reportError(err)); },
);
