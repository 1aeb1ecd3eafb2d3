// The backup child process's entry (started by off-loop.ts through child-boot.mjs): at the lowest CPU
// priority, on its own read-only connection, it takes one snapshot and seals it, then says the result
// and exits. WAL readers in another process see the same consistent state as one in the server's own,
// and the copy's compression, hashing and encryption no longer share the event loop that acks answers.
// When the server goes (kill -9 included) the IPC channel closes and this process ends: the partial
// file it leaves is never listed, and the next backup clears it.
import { setPriority } from 'node:os';
import { loadBackupKey } from './key.ts';
import { snapshotAndSeal, type SealJob } from './seal-job.ts';

export type ChildRequest = { job: SealJob; keysDir: string; keyId: string };
export type ChildReply = { ok: true; result: Awaited<ReturnType<typeof snapshotAndSeal>> } | { ok: false; message: string };

if (!process.send) throw new Error('storage/backup/child.ts must run as a child process with an IPC channel (off-loop.ts starts it)');
try {
  setPriority(0, 19);
} catch {
  // Lowering one's own priority is always allowed; a system that refuses it still gets the backup.
}
process.on('disconnect', () => process.exit(1));
process.once('message', (m: ChildRequest) => {
  void (async () => {
    let reply: ChildReply;
    try {
      const k = loadBackupKey(m.keysDir, { create: false });
      if (!k) throw new Error(`there is no backup key in ${m.keysDir}`);
      if (k.key.id !== m.keyId) throw new Error(`the backup key in ${m.keysDir} changed during the backup (${m.keyId} → ${k.key.id})`);
      reply = { ok: true, result: await snapshotAndSeal(m.job, k.key) };
    } catch (err) {
      reply = { ok: false, message: (err as Error).message };
    }
    process.send!(reply, () => process.exit(0));
  })();
});
