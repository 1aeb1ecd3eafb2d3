// Keeps one ffmpeg per source alive: restarts it when it exits or stalls (no bytes and no progress for
// stallMs), with a short capped backoff so a camera that comes back is recording again within seconds,
// and kills its whole process group on stop so no ffmpeg outlives the service.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { lastLines, redactText } from '../core/index.ts';
import { killGroup } from './kill-group.ts';

export interface LaunchPlan {
  args: string[];
  cwd: string;
  /** Piped to ffmpeg's stdin (a screen stream); null = stdin closed (-nostdin). */
  stdin: Readable | null;
}

export interface RunInfo {
  /** Counts launches of this source since the service started: 1, 2, … */
  launch: number;
  pid: number;
  startedAt: number;
}

export interface ExitInfo extends RunInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it ended, in words: "exited with code 1: Connection refused", "stalled: no data for 10 s", "stopped". */
  reason: string;
  /** Monotonic ms of the last byte or progress report. */
  lastActivity: number;
  /** True when stop() ended it (no restart follows). */
  stopping: boolean;
}

export interface SupervisorHooks {
  /** Builds the command line for the next launch (it may change: e.g. recording off when the disk is full). */
  plan(launch: number): LaunchPlan;
  onLaunch?(run: RunInfo): void;
  onStdout(chunk: Buffer): void;
  /** Lines ffmpeg writes to fd 4 (the segment list). */
  onListLine?(line: string, run: RunInfo): void;
  /** The first bytes of a launch arrived. */
  onUp(run: RunInfo): void;
  /** What ffmpeg has said on stderr so far in this run (up to 8,000 characters), after each new piece. */
  onStderr?(tail: string, run: RunInfo): void;
  /** The process ended (or was killed for stalling). Awaited before the next launch. */
  onExit(info: ExitInfo): Promise<void> | void;
}

export interface SupervisorOptions {
  name: string;
  stallMs: number;
  minBackoffMs?: number;
  maxBackoffMs: number;
  /** Grace between SIGTERM and SIGKILL on stop: ffmpeg closes its last segment cleanly in it. */
  stopGraceMs?: number;
  /** The server clock, for startedAt. */
  now: () => number;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /**
   * ffmpeg repeats its input URL, password included, in its errors: everything taken from its stderr (the
   * reason, the log line) passes through this first. Default: core's redactText (URL credentials).
   */
  redact?: (text: string) => string;
}

export interface Supervisor {
  start(): void;
  /** Ends the process group and stops restarting. */
  stop(): Promise<void>;
  /** Kills the current process now (it will be restarted with a fresh plan). */
  restart(reason: string): void;
  pid(): number | undefined;
  launches(): number;
}

const mono = () => performance.now();
const STARTUP_GRACE_MS = 5000;
const NOISE = /Guessed Channel Layout|461 Unsupported Transport|Timestamps are unset|has not been used for any stream/;

export function createSupervisor(opts: SupervisorOptions, hooks: SupervisorHooks): Supervisor {
  const minBackoff = opts.minBackoffMs ?? 500;
  const redact = opts.redact ?? ((text: string) => redactText(text));
  let child: ChildProcess | null = null;
  let launch = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let backoff = minBackoff;
  let exited: Promise<void> = Promise.resolve();
  let restartReason: string | null = null;

  const run = () => {
    timer = null;
    if (stopping) return;
    launch++;
    const plan = hooks.plan(launch);
    // detached: ffmpeg leads its own process group, so stop() can end it and anything it forks at once.
    const c = spawn('ffmpeg', plan.args, { cwd: plan.cwd, detached: true, stdio: [plan.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    child = c;
    const info: RunInfo = { launch, pid: c.pid ?? -1, startedAt: opts.now() };
    let lastActivity = mono();
    let up = false;
    let stderrTail = '';
    let killReason: string | null = null;
    let resolveExit!: () => void;
    exited = new Promise((r) => (resolveExit = r));

    if (plan.stdin && c.stdin) {
      const input = plan.stdin;
      c.stdin.on('error', () => {});
      input.pipe(c.stdin);
      c.once('exit', () => input.unpipe(c.stdin!));
    }
    c.on('error', (err) => {
      stderrTail += `\n${err.message}`;
    });
    c.stdout!.on('data', (d: Buffer) => {
      lastActivity = mono();
      if (!up) {
        up = true;
        backoff = minBackoff;
        hooks.onUp(info);
      }
      hooks.onStdout(d);
    });
    // Kept raw and longer than what is shown, so the shown tail can start at a whole line.
    c.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-8000);
      hooks.onStderr?.(stderrTail, info);
    });
    const progress = createInterface({ input: c.stdio[3] as Readable });
    progress.on('line', (line) => {
      // -progress reports every second while frames move; a stuck input stops the reports.
      if (line.startsWith('frame=') || line.startsWith('out_time_us=')) lastActivity = mono();
    });
    const list = createInterface({ input: c.stdio[4] as Readable });
    list.on('line', (line) => hooks.onListLine?.(line, info));
    hooks.onLaunch?.(info);

    const stall = setInterval(
      () => {
        // Before the first byte ffmpeg is still connecting and probing the streams: allow for that too.
        const limit = up ? opts.stallMs : opts.stallMs + STARTUP_GRACE_MS;
        if (mono() - lastActivity > limit && !killReason) {
          killReason = `stalled: no data for ${Math.round(opts.stallMs / 1000)} s`;
          killGroup(c, 'SIGKILL');
        }
      },
      Math.min(1000, opts.stallMs / 2),
    );

    // 'close' (not 'exit'): every pipe is drained, so the last segment-list line has been read.
    c.on('close', (code, signal) => {
      clearInterval(stall);
      if (child === c) child = null;
      // The last line that says something: ffmpeg's routine notices are not a reason.
      // Redacted while whole: the tail is cut at a line start (lastLines), never inside a URL.
      // With -loglevel level+info each line carries its level: info lines are never a reason, the tag goes.
      const said = redact(lastLines(stderrTail, 4000))
        .split('\n')
        .filter((l) => !/\[(info|verbose|debug)\] /.test(l))
        .map((l) => l.replace(/\[(warning|error|fatal|panic)\] /, ''))
        .join('\n');
      const lastLine =
        said
          .trim()
          .split('\n')
          .filter((l) => l && !NOISE.test(l))
          .at(-1) ?? '';
      const reason = stopping
        ? 'stopped'
        : (restartReason ??
          killReason ??
          (code !== null ? `exited with code ${code}${lastLine ? `: ${lastLine}` : ''}` : `killed by ${signal}${lastLine ? `: ${lastLine}` : ''}`));
      const restarted = restartReason !== null;
      restartReason = null;
      if (!stopping && !killReason && !restarted) opts.log?.warn({ source: opts.name, code, signal, stderr: lastLines(said, 1000) }, 'ffmpeg ended');
      Promise.resolve(hooks.onExit({ ...info, code, signal, reason, lastActivity, stopping }))
        .catch((err: unknown) => opts.log?.warn({ err, source: opts.name }, 'exit handler failed'))
        .finally(() => {
          resolveExit();
          if (stopping) return;
          const wait = up || restarted ? minBackoff : backoff;
          backoff = Math.min(opts.maxBackoffMs, backoff * 2);
          timer = setTimeout(run, wait);
        });
    });
  };

  return {
    start() {
      if (child || timer || stopping) return;
      run();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const c = child;
      if (c) {
        killGroup(c, 'SIGTERM');
        const kill = setTimeout(() => killGroup(c, 'SIGKILL'), opts.stopGraceMs ?? 3000);
        await exited;
        clearTimeout(kill);
      } else {
        await exited;
      }
    },
    restart(reason) {
      const c = child;
      if (!c) return;
      opts.log?.info({ source: opts.name, reason }, 'restarting ffmpeg');
      restartReason = reason;
      killGroup(c, 'SIGKILL');
    },
    pid: () => child?.pid,
    launches: () => launch,
  };
}
