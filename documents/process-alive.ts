// Whether a process id still names a running process: jobs and half-written files carry their writer's
// pid, so a start can tell the leftovers of a killed process from the work of one still running.

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
