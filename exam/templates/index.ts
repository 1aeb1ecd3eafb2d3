// The paper templates shipped with the software: one JSON file per template, named for its id. They
// are what a 工贸 site needs on day one, before the central bank sends templates of its own; a bank
// version's template with the same id takes precedence (exam/papers/template.ts resolveTemplate).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TEMPLATES_DIR = import.meta.dirname;

/** The raw files, parsed but not validated (exam/papers/template.ts validates them). */
export function readShippedTemplateFiles(dir = TEMPLATES_DIR): { file: string; body: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      try {
        return { file, body: JSON.parse(text) as unknown };
      } catch (err) {
        throw new Error(`exam/templates/${file}: not valid JSON: ${(err as Error).message}`);
      }
    });
}
