// Imports point one way (docs/architecture.md): server/ imports the modules, no module imports server/,
// modules meet through each other's index.ts, core/ imports nothing of ours, storage/ only core/,
// documents/ only core/ and storage/, and web apps share only protocol files and the web/ folder.
// Every import statement of every product file is read; a crossing fails the test with its file and rule.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ROOT, scratchDir } from '../helpers.ts';
import { crossingKey, describeCrossing, findCrossings, importSpecifiers, sourceFiles } from './import-rules.ts';

/**
 * Crossings that exist on purpose for now, each with the branch that removes it. An entry that no
 * longer matches an import fails the test too, so this list can only shrink.
 */
const ALLOWED = new Set<string>([]);

t.test('no file of the product imports across a boundary the rules do not allow', async (t) => {
  const files = sourceFiles(ROOT);
  // A walker that found nothing would pass vacuously: it must at least see each kind of folder.
  for (const f of [
    'server/app.ts',
    'server/bin/examroom.mjs',
    'core/index.ts',
    'storage/index.ts',
    'config/index.ts',
    'documents/index.ts',
    'exam/index.ts',
    'terminal/protocol.ts',
    'terminal/web/src/app.tsx',
  ]) {
    t.ok(files.includes(f), `the scan reads ${f}`);
  }
  t.notOk(
    files.some((f) => f.startsWith('tests/') || f.endsWith('.test.ts')),
    'tests are not product code',
  );
  const crossings = findCrossings(ROOT);
  const unexpected = crossings.filter((c) => !ALLOWED.has(crossingKey(c)));
  t.same(unexpected.map(describeCrossing), [], 'no crossing outside the allow-list');
  const seen = new Set(crossings.map(crossingKey));
  t.same(
    [...ALLOWED].filter((k) => !seen.has(k)),
    [],
    'every allow-list entry is still a real import (remove the ones that are gone)',
  );
});

t.test('the checker reports a planted crossing, and only crossings', async (t) => {
  const root = scratchDir(t, 'examroom-imports-');
  const put = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  // A small tree shaped like ours, every import in it allowed.
  put('core/index.ts', "export * from './errors.ts';\nimport { z } from 'typebox';\n");
  put('core/errors.ts', 'export class E extends Error {}\n');
  put('storage/db.ts', "import { E } from '../core/errors.ts';\n");
  put('storage/index.ts', "export * from './db.ts';\n");
  put('config/index.ts', "export * from './schema.ts';\nimport { E } from '../core/index.ts';\n");
  put('config/schema.ts', 'export const S = 1;\n');
  put('documents/index.ts', "export * from './table-file.ts';\nimport '../storage/db.ts';\n");
  put('documents/table-file.ts', "import { E } from '../core/index.ts';\n");
  put('exam/index.ts', "export * from './plans/time.ts';\nimport { readTable } from '../documents/index.ts';\nimport type { S } from '../config/index.ts';\n");
  put('exam/plans/time.ts', "import { E } from '../../core/index.ts';\nimport { db } from '../../storage/db.ts';\n");
  put(
    'kiosk/index.ts',
    "import { localDate } from '../exam/index.ts';\n// import { x } from '../exam/plans/time.ts';\nconst s = \"import y from '../exam/plans/time.ts'\";\n",
  );
  put('terminal/protocol.ts', "import { Type } from 'typebox';\n");
  put(
    'terminal/web/src/app.tsx',
    "import { http } from '../../../web/http.ts';\nimport type { Hello } from '../../../terminal/protocol.ts';\nimport './styles.css';\nimport { local } from './store';\n",
  );
  put('terminal/web/src/store.ts', 'export const local = 1;\n');
  put('terminal/web/src/styles.css', 'body {}\n');
  put('terminal/web/vite.config.ts', "import { webApp } from '../../server/vite.web.ts';\n");
  put('web/http.ts', "import { Hello } from '../terminal/protocol.ts';\n");
  put('server/vite.web.ts', 'export const webApp = 1;\n');
  put('server/app.ts', "import { x } from '../kiosk/index.ts';\nimport { db } from '../storage/db.ts';\nimport { c } from '../config/index.ts';\n");
  put('tests/exam/time.test.ts', "import { x } from '../../exam/plans/time.ts';\n");
  put('bench/papers.ts', "import { x } from '../exam/plans/time.ts';\nimport { buildApp } from '../server/app.ts';\n");
  put('kiosk/reader.test.ts', "import { x } from '../exam/plans/time.ts';\n");
  t.same(findCrossings(root).map(describeCrossing), [], 'a tree that keeps the rules passes');

  // Now one crossing of each kind, each in a file of its own.
  const planted: Record<string, string> = {
    'kiosk/attendance.ts': "import { readTable } from '../exam/plans/time.ts';\n",
    'kiosk/lazy.ts': "export async function f() { return import('../exam/plans/time.ts'); }\n",
    'kiosk/reexport.ts': "export { localDate } from '../exam/plans/time.ts';\n",
    'kiosk/types.ts': "import type { T } from '../exam/plans/time.ts';\n",
    'kiosk/bare.ts': "import { x } from '../exam/plans/time';\n",
    'kiosk/server.ts': "import { buildApp } from '../server/app.ts';\n",
    'media/upstream.ts': "import { S } from '../config/schema.ts';\n",
    'proctor/docs.ts': "import { readTable } from '../documents/table-file.ts';\n",
    'core/clock.ts': "import { db } from '../storage/db.ts';\n",
    'storage/users.ts': "import { S } from '../config/index.ts';\n",
    'config/load.ts': "import { db } from '../storage/db.ts';\n",
    'documents/pdf.ts': "import { x } from '../exam/index.ts';\n",
    'server/main.ts': "import { seed } from '../exam/plans/time.ts';\n",
    'terminal/gateway.ts': "import { v } from './web/src/store.ts';\n",
    'terminal/protocol-extra.ts': "import { E } from '../core/index.ts';\n",
    'kiosk/protocol.ts': "import { E } from '../core/index.ts';\n",
    'kiosk/web/src/app.tsx': "import { local } from '../../../terminal/web/src/store.ts';\n",
    'proctor/web/src/api.ts': "import { E } from '../../../core/index.ts';\n",
    'media/web/src/api.ts': "import { S } from '../../service.ts';\n",
    'web/store.ts': "import { local } from '../terminal/web/src/store.ts';\n",
    'exam/outside.ts': "import { x } from '../../elsewhere/x.ts';\n",
  };
  for (const [file, text] of Object.entries(planted)) put(file, text);
  const found = findCrossings(root);
  const byFile = new Map(found.map((c) => [c.from, c]));
  for (const file of Object.keys(planted)) {
    if (file === 'terminal/protocol-extra.ts') continue; // not a protocol file: a module may use core/
    t.ok(byFile.has(file), `${file} is reported`);
  }
  t.notOk(byFile.has('terminal/protocol-extra.ts'), 'only <module>/protocol.ts is held to the protocol rule');
  t.equal(found.length, Object.keys(planted).length - 1, 'each planted crossing is reported once, and nothing else');
  t.match(byFile.get('kiosk/attendance.ts'), { to: 'exam/plans/time.ts', rule: /index\.ts only/ });
  t.match(byFile.get('kiosk/bare.ts'), { to: 'exam/plans/time.ts' }, 'a specifier without its extension is resolved to the file');
  t.match(byFile.get('kiosk/server.ts'), { rule: 'no module imports server/' });
  t.match(byFile.get('media/upstream.ts'), { rule: /config\/index\.ts only/ });
  t.match(byFile.get('core/clock.ts'), { rule: 'core/ imports nothing of ours' });
  t.match(byFile.get('storage/users.ts'), { rule: 'storage/ imports only core/' });
  t.match(byFile.get('documents/pdf.ts'), { rule: 'documents/ imports only core/ and storage/' });
  t.match(byFile.get('server/main.ts'), { rule: /server\/ reaches a module through its index\.ts/ });
  t.match(byFile.get('kiosk/web/src/app.tsx'), { rule: /only through the shared web\/ folder/ });
  t.match(byFile.get('proctor/web/src/api.ts'), { rule: /nothing of the server but <module>\/protocol\.ts/ });
  t.match(byFile.get('web/store.ts'), { rule: /shared web\/ folder imports no app/ });
  t.match(byFile.get('terminal/gateway.ts'), { rule: 'server code never imports web app code' });
  t.match(byFile.get('exam/outside.ts'), { rule: 'reaches outside the project' });
});

t.test('every form of import is read; comments and strings are not imports', async (t) => {
  const source = [
    "import a from './a.ts';",
    "import type { B } from './b.ts';",
    "import './c.css';",
    "export * from './d.ts';",
    "export { e } from './e.ts';",
    "const f = await import('./f.ts');",
    '// import g from "./g.ts";',
    'const h = \'import h from "./h.ts"\';',
    "import {\n  i,\n  type I,\n} from './i.ts';",
  ].join('\n');
  t.same(importSpecifiers(source).sort(), ['./a.ts', './b.ts', './c.css', './d.ts', './e.ts', './f.ts', './i.ts']);
});
