// Ending an ffmpeg the media module started detached (its own process group): the whole group goes, so
// nothing it started outlives it. A child that has already exited is left alone: its pid, and so its group
// id, may belong to another process by now.
import type { ChildProcess } from 'node:child_process';

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone already */
    }
  }
}
