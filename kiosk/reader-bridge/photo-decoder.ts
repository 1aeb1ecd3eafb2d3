// The card photo is a 1024-byte WLT file that only the vendor's licensed decoder turns into a picture
// (a BMP, 102×126 on most). A site that has one configures it as a command: the bridge writes the WLT
// to a temporary file, runs the command with {in} and {out} replaced by the two paths, and sends what
// it wrote. Without one the card's photo is not compared (the kiosk says so to staff).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Splits a configured command line into program and arguments (double quotes group; no shell). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

export type WltDecoder = (wlt: Buffer) => Promise<Buffer>;

export function commandDecoder(commandLine: string): WltDecoder {
  const [program, ...args] = splitCommand(commandLine);
  if (!program) throw new Error('the photo decoder command is empty');
  if (!args.some((a) => a.includes('{in}')) || !args.some((a) => a.includes('{out}')))
    throw new Error(`the photo decoder command must name {in} (the WLT file) and {out} (the picture it writes): ${commandLine}`);
  return async (wlt) => {
    const dir = mkdtempSync(join(tmpdir(), 'examroom-wlt-'));
    try {
      const input = join(dir, 'photo.wlt');
      const output = join(dir, 'photo.bmp');
      writeFileSync(input, wlt, { mode: 0o600 });
      await run(
        program,
        args.map((a) => a.replaceAll('{in}', input).replaceAll('{out}', output)),
        { timeout: 5000 },
      );
      return readFileSync(output);
    } finally {
      // The photo is personal data: nothing stays on the kiosk PC.
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
