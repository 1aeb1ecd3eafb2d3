// The PDF kit (documents/pdf-kit.ts) through poppler, the way a person would see its output: the text
// comes back out as Chinese (not empty boxes), the header and footer are on every page with the right
// count, a long table repeats its header, the font is embedded as a subset, and the QR code decodes.
// PNGs of the pages are kept under tests/artifacts/documents/ to look at.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import t from 'tap';
import { createPdf, PdfFontMissing } from '../../documents/index.ts';
import { renderSample, SAMPLE_QR_URL } from '../../bench/lib/pdf-sample.ts';
import { ROOT, scratchDir } from '../helpers.ts';

// jsqr is CommonJS with exports.default: Node's import hands over module.exports, whose .default is the function.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as unknown as typeof import('jsqr').default;
const ARTIFACTS = join(ROOT, 'tests/artifacts/documents');

function poppler(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${tool} is not installed (Debian poppler-utils: the test-only list of server/setup.mjs installs it for npm test)`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

t.test('a 3-page Chinese table: text, header and footer on each page, header row repeated, font embedded', async (t) => {
  const dir = scratchDir(t, 'examroom-pdf-');
  const pdf = await renderSample(50);
  const file = join(dir, 'sheet.pdf');
  writeFileSync(file, pdf);

  const info = poppler('pdfinfo', [file]);
  const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  t.ok(pages >= 3, `a 50-row sheet takes several pages (${pages})`);
  t.match(info, /Title:\s+成绩汇总表/);
  t.match(info, /Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);

  const fonts = poppler('pdffonts', [file]);
  t.match(fonts, /[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/, 'the regular face is embedded as a subset, with a Unicode map');
  t.match(fonts, /NotoSansCJKsc-Bold/);
  t.ok(pdf.length < 400 * 1024, `a subset, not the 20 MB collection (${Math.round(pdf.length / 1024)} KiB)`);

  for (let p = 1; p <= pages; p++) {
    const text = poppler('pdftotext', ['-layout', '-f', String(p), '-l', String(p), file, '-']);
    t.match(text, /江苏省安全生产考试中心 第一考点/, `page ${p}: the site name`);
    // pdftotext drops the thin spaces between Chinese and digits.
    t.match(text, new RegExp(`第\\s*${p}\\s*页\\s*/\\s*共\\s*${pages}\\s*页`), `page ${p}: page ${p} of ${pages}`);
    t.match(text, /生成于 2026-12-06 09:00/, `page ${p}: the footer note`);
    if (p < pages) t.match(text, /序号\s+姓名\s+身份证号\s+培训机构\s+作业类别\s+成绩\s+结果/, `page ${p}: the table's header row`);
  }
  const all = poppler('pdftotext', ['-layout', file, '-']);
  t.match(all, /考试场次\s+2026年12月第1场（上午）/, 'the key-value block');
  t.match(all, /现场照片/, 'the photo captions');
  t.match(all, /未拍摄/, 'an empty photo slot says so');
  // A wrapped cell: the long institution name comes out over two lines, both halves there.
  t.match(all, /南京市建筑施工特种作业人员/);
  t.match(all, /备注：成绩以本考点服务器记录为准/, 'the paragraph after the table');
  for (let row = 1; row <= 50; row++) t.match(all, new RegExp(`\\n\\s*${row}\\s+\\S{2,3}\\s+3201`), `row ${row} is there`);

  // Pictures to look at, and the QR code read back off the first page's picture.
  mkdirSync(ARTIFACTS, { recursive: true });
  poppler('pdftoppm', ['-r', '100', '-png', file, join(ARTIFACTS, 'results-sheet')]);
  const png = join(ARTIFACTS, `results-sheet-${pages >= 10 ? '01' : '1'}.png`);
  const { data, info: img } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const code = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), img.width, img.height);
  t.equal(code?.data, SAMPLE_QR_URL, 'the QR code on the page decodes to the URL it was given');
});

t.test('a missing font is one clear error and no PDF; a wrong face name is named too', async (t) => {
  await t.rejects(
    createPdf({
      title: 'x',
      siteName: 'y',
      createdAt: 0,
      fonts: { regular: { file: '/nonexistent/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' }, bold: { file: '/nonexistent/b.ttc', name: 'b' } },
    }),
    PdfFontMissing,
  );
  await t.rejects(
    createPdf({
      title: 'x',
      siteName: 'y',
      createdAt: 0,
      fonts: {
        regular: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKxx-Regular' },
        bold: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', name: 'NotoSansCJKsc-Bold' },
      },
    }),
    /has no face named NotoSansCJKxx-Regular \(it holds NotoSansCJKjp-Regular, .*NotoSansCJKsc-Regular/,
  );
});

t.test('a photo that is not an image names its slot', async (t) => {
  const doc = await createPdf({ title: '成绩单', siteName: '考点', createdAt: 0 });
  t.throws(() => doc.photos([{ label: '现场照片', image: Buffer.from('not a jpeg') }]), /photo "现场照片" is not a JPEG or PNG/);
});

t.test('two-column key-values: a long value wraps inside its column, clear of the next label', async (t) => {
  const dir = scratchDir(t, 'examroom-pdf-');
  const doc = await createPdf({ title: '考场记录', siteName: '考点', createdAt: 0 });
  doc.keyValues(
    [
      ['考试计划', '2026年11月 工贸行业主要负责人及安全生产管理人员考试（第二批）'],
      ['试卷', '工贸行业主要负责人 A 卷'],
      ['试卷名称', 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP'],
      ['合格线', '80 / 100 分'],
    ],
    { columns: 2 },
  );
  const file = join(dir, 'kv.pdf');
  writeFileSync(file, await doc.end());
  // Word boxes as poppler sees them: on each label's line, every word left of the right-hand label
  // ends a visible gap (> 12 pt, more than a character) before it.
  const words = [...poppler('pdftotext', ['-bbox', file, '-']).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</g)].map((m) => ({
    x0: Number(m[1]),
    y: Number(m[2]),
    x1: Number(m[3]),
    text: m[4]!,
  }));
  for (const label of ['试卷', '合格线']) {
    const l = words.find((w) => w.text === label);
    if (!l) {
      t.fail(`the label ${label} is a word of its own (not run into the value before it)`);
      continue;
    }
    const before = words.filter((w) => Math.abs(w.y - l.y) < 1 && w.x0 < l.x0);
    t.ok(before.length > 0, `${label}: the left column's value is on its line`);
    for (const w of before) t.ok(l.x0 - w.x1 > 12, `${label}: "${w.text}" ends ${(l.x0 - w.x1).toFixed(1)} pt before it`);
  }
  const text = poppler('pdftotext', ['-layout', file, '-']).replace(/\s+/g, '');
  t.ok(text.includes('工贸行业主要负责人') && text.includes('（第二批）'), 'the wrapped value is all there');
});

t.test('a subheading is never left at the foot of a page without the start of its table', async (t) => {
  const dir = scratchDir(t, 'examroom-pdf-');
  const doc = await createPdf({ title: '考场记录', siteName: '考点', createdAt: 0 });
  // One trial per page: the heading starts lower each time, through the band at the page's foot.
  const trials = [];
  for (let s = 580; s <= 700; s += 3) trials.push(s);
  trials.forEach((s, n) => {
    if (n > 0) doc.pageBreak();
    doc.space(s);
    doc.subheading(`签署${n}号`);
    doc.table(
      [
        { header: `监考员${n}号`, width: 1 },
        { header: '签署时间', width: 1 },
      ],
      [[`张三${n}号`, '2026-11-20 11:00']],
    );
  });
  const file = join(dir, 'keep.pdf');
  writeFileSync(file, await doc.end());
  const pages = poppler('pdftotext', ['-layout', file, '-']).split('\f');
  trials.forEach((s, n) => {
    const page = pages.findIndex((p) => p.includes(`签署${n}号`));
    t.ok(
      page >= 0 && pages[page]!.includes(`监考员${n}号`) && pages[page]!.includes(`张三${n}号`),
      `heading ${s} pt down: its table's header and first row on its page`,
    );
  });
});
