// `examroom bank import FILE --images DIR` as an operator runs it (a real child process): the pictures
// rows name come from DIR with the questions, and a missing or bad picture stores nothing at all.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths, openDatabase } from '../../storage/index.ts';
import { scratchDir } from '../helpers.ts';
import { cli } from '../processes.ts';
import { jpeg, png } from './images-fixture.ts';

const HEADER = '题型,题干,选项A,选项B,选项C,答案,难度,知识点,行业,人员类别,作业类别,图片';
const row = (stem: string, images: string) => `单选,${stem},禁止烟火,禁止吸烟,当心火灾,A,2,安全标志,通用,特种作业人员,低压电工作业,${images}`;

t.test('--images DIR stores the pictures rows name with the questions; a missing one stores nothing', async (t) => {
  const dir = scratchDir(t);
  const data = join(dir, 'data');
  const pics = join(dir, 'pics');
  mkdirSync(join(pics, 'fig'), { recursive: true });
  const red = await png('red');
  writeFileSync(join(pics, 'fig', '1.png'), red);
  writeFileSync(join(pics, 'fig', 'photo.png'), await jpeg());
  writeFileSync(join(pics, 'unused.png'), await png('blue'));
  const file = (name: string, rows: string[]) => {
    writeFileSync(join(dir, name), [HEADER, ...rows].join('\n') + '\n');
    return join(dir, name);
  };
  const stored = () => {
    const db = openDatabase(dataPaths(data).dbFile);
    try {
      return {
        images: db.prepare('SELECT name FROM bank_images ORDER BY name').pluck().all(),
        versions: db.prepare('SELECT COUNT(*) FROM bank_versions').pluck().get(),
        questionImages: db.prepare('SELECT images FROM questions ORDER BY stem').pluck().all(),
      };
    } finally {
      db.close();
    }
  };

  // Refusals first, on an empty site: every one must leave it empty.
  const missing = await cli(['bank', 'import', file('missing.csv', [row('有图', 'fig/1.png'), row('缺图', 'fig/2.png')]), '--images', pics, '--data', data]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, `row 3, column 图片: no image named "fig/2.png": no such file in ${pics}/, and none has been uploaded\n`);
  t.match(missing.stderr, 'examroom: missing.csv: 1 problem in 1 row; nothing was imported');
  t.same(stored(), { images: [], versions: 0, questionImages: [] }, 'nothing stored, not even fig/1.png');

  const bad = await cli(['bank', 'import', file('bad.csv', [row('有图', 'fig/1.png'), row('照片', 'fig/photo.png')]), '--images', pics, '--data', data]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, `row 3, column 图片: ${pics}/fig/photo.png: the file is a JPEG image, but its name ends .png; rename it .jpg (or save it as PNG)`);
  t.same(stored().images, [], 'a bad picture stores nothing');

  const noDir = await cli(['bank', 'import', file('ok.csv', [row('下图所示标志的含义是？', 'fig/1.png')]), '--images', join(dir, 'nope'), '--data', data]);
  t.equal(noDir.code, 1);
  t.equal(noDir.stderr.trim().split('\n').at(-1), `examroom: --images ${join(dir, 'nope')}: no such folder`);

  const ok = await cli(['bank', 'import', join(dir, 'ok.csv'), '--images', pics, '--data', data]);
  t.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n');
  t.equal(lines.at(-1), 'imported 1, duplicates 0', 'the summary stays the last line');
  t.ok(lines.includes(`images from ${pics}: 1 stored`), 'only the named picture is stored');
  const after = stored();
  t.same(after.images, ['fig/1.png']);
  t.match(after.questionImages, [/^\["[0-9a-f]{64}\.png"\]$/], 'the question holds the image id');

  // Without --images, names resolve to what was uploaded before.
  const later = await cli(['bank', 'import', file('later.csv', [row('另一题', 'fig/1.png')]), '--data', data]);
  t.equal(later.code, 0, later.stderr);
  t.equal(later.stdout.trim().split('\n').at(-1), 'imported 1, duplicates 0');
});
