// The class file's CLI commands, beside the session archive's (`examroom archive session|verify|list`):
//   examroom archive class CLASS [--with-media]   make it (a job in this process; Ctrl-C cancels)
//   examroom archive classes [CLASS]              the class files made, newest first
// `examroom archive verify FILE` checks a class file exactly as a session archive: the same format.
// The command line signs nobody in: the kiosk's identity service it builds (the training core reads its
// tables through it) refuses to admit or to check a password.
import { resolve } from 'node:path';
import { tableLines } from '../../core/index.ts';
import { archiveListRows, archiveSize as size, waitForArchiveJob } from '../../documents/index.ts';
import type { RecordsCliCommand, RecordsCliContext } from '../../records/index.ts';
import { createTrainingService } from '../service.ts';
import { createClassRecords } from './index.ts';
import type { ClassArchive } from './service.ts';

async function classRecordsFor(ctx: RecordsCliContext) {
  const { deps, jobs } = ctx.records;
  const { createKioskService } = await import('../../kiosk/index.ts');
  const refuse = () => {
    throw new Error('the command line signs nobody in');
  };
  const kiosk = createKioskService({ ...deps, admit: refuse, authenticate: refuse });
  const training = createTrainingService({ ...deps, identity: kiosk.identity });
  return createClassRecords({ ...deps, jobs, training, anchors: deps.anchors, exam: ctx.exam });
}

export const classArchiveCommands: RecordsCliCommand[] = [
  {
    name: 'archive class',
    usage: 'archive class CLASS [--with-media]       the training class file (一期一档): signed zip under <data>/archives/',
    options: { 'with-media': { type: 'boolean' } },
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) {
        ctx.err('usage: examroom archive class CLASS [--with-media]');
        return 1;
      }
      const cr = await classRecordsFor(ctx);
      const job = cr.archives.start(id, { withMedia: ctx.values['with-media'] === true }, ctx.actor);
      const end = await waitForArchiveJob(ctx.records.jobs, job.id, ctx.actor);
      if (end.status === 'done') {
        const a = end.result as ClassArchive;
        ctx.out(`${resolve(ctx.records.deps.paths.archives, a.file)} · ${size(a.bytes)} · ${a.members} members · version ${a.version} · class ${a.classId}`);
        return 0;
      }
      ctx.err(`examroom: file of class ${id} ${end.status}: ${end.error ?? 'no reason given'}${end.status === 'cancelled' ? '; no file was left' : ''}`);
      return 1;
    },
  },
  {
    name: 'archive classes',
    usage: 'archive classes [CLASS]                  the training class files made (every version), newest first',
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (extra.length) {
        ctx.err('usage: examroom archive classes [CLASS]');
        return 1;
      }
      const list = (await classRecordsFor(ctx)).archives.list(id);
      if (!list.length) {
        ctx.out(id ? `class ${id} has no file yet` : 'no class file has been made yet');
        return 0;
      }
      const tz = ctx.config.site.timezone;
      ctx.out(tableLines(archiveListRows(list, 'classId', 'class', tz)).join('\n'));
      return 0;
    },
  },
];
