// The System page's backup block: where the database's copies are, the newest off this disk, what an
// admin must do (no destination, no key bundle exported), a backup now, and a check of one by restoring
// it into a scratch folder. Admins only; taking and verifying are audited by the backup service.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { BackupService } from '../../storage/index.ts';
import { actorOf } from '../auth/principal.ts';
import { BackupCheckT, BackupStatusT, type BackupCheckView, type BackupStatusView, type BackupWarning } from '../protocol.ts';

export const backupRoutes: FastifyPluginAsync<{ backups: BackupService; examsInProgress: () => number }> = async (app, { backups, examsInProgress }) => {
  const view = async (): Promise<BackupStatusView> => {
    const list = await backups.list();
    const s = backups.status();
    return {
      destination: s.destination,
      lastOffDisk: s.lastOffDisk,
      waitingToShip: s.waitingToShip,
      running: s.running,
      lastError: s.lastError,
      nextNightlyAt: s.nextNightlyAt,
      keysExported: s.keysExported,
      warnings: s.warnings as BackupWarning[],
      backups: list.map((b) => ({ name: b.name, takenAt: b.takenAt, reason: b.reason, bytes: b.bytes, at: b.at, checksum: b.sha256 !== null })),
      examsInProgress: examsInProgress(),
    };
  };

  app.get(
    '/api/system/backups',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'Database backups: destination, the newest copy off this disk, warnings, the list',
        response: { 200: BackupStatusT },
      },
    },
    view,
  );

  app.post(
    '/api/system/backups',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'Take a backup now (in a low-priority process beside the exam; 202, then watch GET /api/system/backups); 409 while one runs',
        response: { 202: BackupStatusT },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request.principal);
      // Started, not awaited: a large database takes longer than a request should stay open. The refusal
      // of a second one while this runs comes from the service, before it starts.
      const started = backups.take('manual', actor);
      started.catch((err: unknown) => request.log.error({ err }, 'the backup asked for from the console failed'));
      await Promise.race([started.then(() => undefined), new Promise<void>((r) => setImmediate(r))]);
      return reply.status(202).send(await view());
    },
  );

  app.post(
    '/api/system/backups/:name/verify',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['system'],
        summary: 'Check a backup by restoring it into a scratch folder: its checksum, PRAGMA integrity_check, the audit chain',
        params: Type.Object({ name: Type.String({ pattern: '^examroom-[A-Za-z0-9_.-]+\\.erbk$', maxLength: 200 }) }),
        response: { 200: BackupCheckT },
      },
    },
    async (request): Promise<BackupCheckView> => {
      const { name } = request.params as { name: string };
      const r = await backups.verify(name, actorOf(request.principal));
      return {
        name,
        ok: r.ok,
        problems: r.problems,
        integrity: r.integrity,
        auditEntries: r.audit?.checked ?? null,
        auditHead: r.header?.auditHead.seq ?? null,
      };
    },
  );
};
