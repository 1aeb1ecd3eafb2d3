// Runs one backup's snapshot and sealing in a child process at the lowest CPU priority (child.ts), so
// the server only waits for its answer: on a busy 2-core exam server, the brotli, SHA-256 and AES work
// inside the server's event loop took the saves' p99 from ~0.1 s to ~0.3 s (docs/backup.md).
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import type { ChildReply, ChildRequest } from './child.ts';
import type { SealJob, SealResult } from './seal-job.ts';

const BOOT = new URL('./child-boot.mjs', import.meta.url);

export function snapshotAndSealInChild(job: SealJob, keysDir: string, keyId: string): Promise<SealResult> {
  return new Promise((resolve, reject) => {
    const child = fork(BOOT, [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 4000) stderr += c.toString();
    });
    // Also from here: the child's own call may come after its start-up work, which should be low too.
    if (child.pid) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // The child lowers itself as well.
      }
    }
    let reply: ChildReply | null = null;
    child.on('message', (m: ChildReply) => {
      reply = m;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(reply.message));
      else
        reject(new Error(`the backup process ended (${signal ?? `exit ${code}`}) before it finished${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
    });
    const req: ChildRequest = { job, keysDir, keyId };
    child.send(req);
  });
}
