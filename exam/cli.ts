// The exam engine's CLI subcommands (`examroom bank import FILE`, `examroom template check …`).
// server/cli.ts finds them here, merges their options and runs them with an open database.
import type { Config } from '../config/index.ts';
import type { Db } from '../storage/index.ts';
import type { ExamService } from './index.ts';
import { paperCommands } from './papers/commands.ts';
import { bankCommands } from './bank/commands.ts';
import { bankPackageCommands } from './bank/package-commands.ts';
import { planCommands } from './plans/commands.ts';

export interface CliOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export interface CliContext {
  config: Config;
  db: Db;
  exam: ExamService;
  /** `cli:OSUSER`, for the audit log. */
  actor: string;
  /** Positional arguments after the command words (`bank import FILE` → [FILE]). */
  args: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  out(line: string): void;
  err(line: string): void;
}

export interface CliCommand {
  /** One or two words: `bank import`, `template check`. */
  name: string;
  usage: string;
  options?: Record<string, CliOption>;
  /** Runs without a config or database (central-bank tools such as `bank keygen`); ctx.config/db/exam are unavailable. */
  standalone?: boolean;
  /** Returns the exit code: 0 done, 1 the user's input was wrong (with its message already printed). */
  run(ctx: CliContext): Promise<number>;
}

/** Each part of the engine appends its commands here. */
export const examCommands: CliCommand[] = [...paperCommands, ...bankCommands, ...bankPackageCommands, ...planCommands];
