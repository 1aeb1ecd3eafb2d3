// CSV reading for the table files people upload (rosters, question banks). csv-parse is required on
// the first file read, not at start-up: its 0.1 MB was compiled by every command and by serve before
// listening, for the few that read a table (bench startup).
import { createRequire } from 'node:module';
import type { Options } from 'csv-parse/sync';

type Parse = (input: string, options: Options) => unknown;
let parse: Parse | null = null;

/** csv-parse's synchronous parse (the same library and options as before, loaded on first use). */
export function parseCsv(input: string, options: Options): string[][] {
  parse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: Parse }).parse;
  return parse(input, options) as string[][];
}
