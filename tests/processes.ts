// Real child processes for tests of the command line and of the server process: the CLI as an
// operator runs it, and `serve` as systemd runs it (both server/bin/examroom.mjs, which runs the
// JavaScript build in dist/server), each killed in teardown so none outlives its test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Test } from 'tap';
import { ensureServerBuild } from '../server/build-server.mjs';
import { ROOT } from './helpers.ts';

const EXAMROOM = 'server/bin/examroom.mjs';

// Built once per test file before its first command, so commands started together (Promise.all) do not
// each find the build stale and rebuild it side by side.
let built: Promise<string> | null = null;
const serverBuilt = () => (built ??= ensureServerBuild());

/**
 * The environment for a child: tap's NODE_OPTIONS would load its process-tracking hooks into the
 * child, and the point of these tests is the process exactly as it runs in production.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.EXAMROOM_CONFIG;
  delete env.EXAMROOM_DEBUG;
  delete env.EXAMROOM_FROM_SOURCE;
  delete env.EXAMROOM_SERVER_BUILD;
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How node runs a script: a .ts one through tsx, JavaScript as it is. */
const nodeArgs = (script: string) => (script.endsWith('.ts') ? ['--import', 'tsx', script] : [script]);

/** Runs `node [--import tsx] <script> ...args` from the project root to completion. */
export function runNode(script: string, args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs(script), ...args], { cwd: ROOT, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/** The examroom CLI, as `examroom ARGS`. */
export async function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  await serverBuilt();
  return runNode(EXAMROOM, args, opts);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line (past or future) that matches; rejects if the process exits first. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  exited: Promise<Exit>;
}

/** Starts a long-running child; teardown kills it (SIGKILL) if the test has not ended it. */
export function startProcess(t: Test, script: string, args: string[]): RunningProcess {
  const child = spawn(process.execPath, [...nodeArgs(script), ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let exit: Exit | null = null;
  let outputEnded = false;
  const waiters = new Set<{ match: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void }>();
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const rl = createInterface({ input: child.stdout! });
  // Settles only when the process has exited and its last line has been read as well.
  const exited = Promise.all([
    new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve((exit = { code, signal })))),
    new Promise<void>((resolve) => rl.on('close', resolve)),
  ]).then(([e]) => e);
  rl.on('line', (line) => {
    lines.push(line);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  // Lines still buffered in the pipe when the process exits are delivered before 'close'.
  rl.on('close', () => {
    outputEnded = true;
    for (const w of waiters) w.reject(new Error(`process exited (${JSON.stringify(exit)}) before printing the expected line; stderr:\n${stderr}`));
    waiters.clear();
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (outputEnded) return Promise.reject(new Error(`process already exited (${JSON.stringify(exit)}); stderr:\n${stderr}`));
      return new Promise((resolve, reject) => waiters.add({ match, resolve, reject }));
    },
  };
}

export const LISTENING = /^listening on (https?):\/\/(\S+):(\d+)$/;

/** Starts `examroom serve` and waits until it says where it listens. */
export async function startServer(t: Test, args: string[]): Promise<RunningProcess & { base: string; host: string; port: number }> {
  await serverBuilt();
  const p = startProcess(t, EXAMROOM, ['serve', ...args]);
  const line = await p.waitForLine((l) => LISTENING.test(l));
  const m = LISTENING.exec(line)!;
  return { ...p, base: `${m[1]}://${m[2]}:${m[3]}`, host: m[2]!, port: Number(m[3]) };
}
