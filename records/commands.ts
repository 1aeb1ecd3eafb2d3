// The records module's CLI commands (`examroom archive session SESSION`, `examroom archive verify FILE` …).
// server/cli.ts runs them like the exam engine's, with the records service made for the command.
import type { CliCommand, CliContext } from '../exam/index.ts';
import type { RecordsService } from './service.ts';
import { archiveCommands } from './archive/commands.ts';
import { certificateCommands } from './certificates/commands.ts';
import { personCommands } from './people/commands.ts';
import { privacyCommands } from './privacy/commands.ts';

export type RecordsCliContext = CliContext & { records: RecordsService };

export interface RecordsCliCommand extends Omit<CliCommand, 'run'> {
  run(ctx: RecordsCliContext): Promise<number>;
}

/** Each part of records appends its commands here. */
export const recordsCommands: RecordsCliCommand[] = [...archiveCommands, ...certificateCommands, ...personCommands, ...privacyCommands];
