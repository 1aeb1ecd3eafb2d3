// The PDF kit: A4 documents in Chinese (score reports, results sheets, certificates, admission tickets)
// built from a few blocks — title, key-value block, a table that wraps CJK text and repeats its header
// on every page, photo slots, a QR code — with the site name and "page N of M" on every page.
// pdfkit, measured first as CLARIFICATIONS asks (docs/documents.md): it embeds a subset of the Noto CJK
// collection picked by its PostScript name; pdf-lib has blanked CJK glyphs (its issue #1232).
import { readFileSync } from 'node:fs';
import type * as Fontkit from 'fontkit';
import type PDFKitDocument from 'pdfkit';
import type QRCodeLib from 'qrcode';
import { DomainError } from '../core/index.ts';

/**
 * pdfkit costs ~0.4 s to load and documents/index.ts is imported by every server start and CLI command
 * (the roster reader lives here too), so the PDF libraries load on the first PDF, as exceljs does.
 */
let libs: Promise<{ PDFDocument: typeof PDFKitDocument; fontkit: typeof Fontkit; QRCode: typeof QRCodeLib }> | null = null;
function loadLibs() {
  libs ??= Promise.all([import('pdfkit'), import('fontkit'), import('qrcode')]).then(([p, f, q]) => ({
    PDFDocument: p.default,
    fontkit: f,
    QRCode: q.default,
  }));
  return libs;
}

/** One face of a font collection (.ttc), named by the PostScript name fontkit picks it by. */
export interface FontFace {
  file: string;
  name: string;
}

/** Debian's fonts-noto-cjk (server/setup.mjs installs it for `npm start`); "sc" is the Simplified Chinese face. */
export const NOTO_CJK: { regular: FontFace; bold: FontFace } = {
  regular: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  bold: { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', name: 'NotoSansCJKsc-Bold' },
};

/** The Chinese font is not on this machine: a PDF without it would show empty boxes, so none is made. */
export class PdfFontMissing extends DomainError {
  override readonly code = 'pdf_font_missing';
  constructor(readonly file: string) {
    super(`the Chinese font ${file} is missing; install the Debian package fonts-noto-cjk (npm start's setup does) and try again`);
    this.name = 'PdfFontMissing';
  }
}

export interface PdfOptions {
  /** The document's title: the big heading's default, the header's right side and the PDF's Title. */
  title: string;
  /** The centre's name, at the top left of every page. */
  siteName: string;
  /** Server time of making (ms): the PDF's CreationDate, so a re-made document differs only where it should. */
  createdAt: number;
  /** A line at the bottom left of every page (e.g. "生成于 2026-12-06 09:00 · 编号 R-0001"). */
  footerNote?: string;
  author?: string;
  fonts?: { regular: FontFace; bold: FontFace };
}

export interface TableColumn {
  header: string;
  /** Relative width: the columns share the text width in these proportions. */
  width: number;
  align?: 'left' | 'center' | 'right';
}

export interface PhotoSlot {
  label: string;
  /** JPEG or PNG bytes; null draws an empty frame that says so (a missing photo is shown, not hidden). */
  image: Buffer | null;
  /** Shown in the frame when image is null. */
  missingText?: string;
  /**
   * Shown in the frame when the bytes are not a readable image. Without it an unreadable image is an
   * error naming the slot; with it the document is still made (a damaged capture in a person's file
   * is itself a fact to show, and must not stop a whole session's archive).
   */
  unreadableText?: string;
}

export interface PdfDocument {
  heading(text?: string): PdfDocument;
  subheading(text: string): PdfDocument;
  paragraph(text: string, opts?: { size?: number; color?: string }): PdfDocument;
  /** Label and value pairs in one or two columns; a long value wraps inside its column. */
  keyValues(pairs: ReadonlyArray<readonly [string, string]>, opts?: { columns?: 1 | 2 }): PdfDocument;
  /** A ruled table; a row never splits across pages, and the header is drawn again on each new page. */
  table(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>): PdfDocument;
  /** Photos side by side in equal frames (e.g. the kiosk's live capture beside the roster photo). */
  photos(slots: readonly PhotoSlot[], opts?: { height?: number }): PdfDocument;
  /** A QR code drawn as vector squares (sharp at any zoom or print size), with an optional caption below. */
  qr(text: string, opts?: { size?: number; caption?: string; align?: 'left' | 'center' | 'right' }): PdfDocument;
  space(points: number): PdfDocument;
  pageBreak(): PdfDocument;
  /** Draws every page's header and footer (they need the page count) and returns the finished file. */
  end(): Promise<Buffer>;
}

/**
 * The collections are ~20 MB each. pdfkit given a path reads and parses the file again for every
 * document, which measured as most of a one-page report's time; a parsed face is kept per process
 * instead (fontkit keeps its glyph cache with it; each document still embeds only its own subset).
 */
const faceCache = new Map<string, Fontkit.Font>();
function loadFace(fontkit: typeof Fontkit, face: FontFace): Fontkit.Font {
  const key = `${face.file}#${face.name}`;
  let f = faceCache.get(key);
  if (f) return f;
  let bytes: Buffer;
  try {
    bytes = readFileSync(face.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PdfFontMissing(face.file);
    throw err;
  }
  const parsed = fontkit.create(bytes, face.name) as Fontkit.Font | Fontkit.FontCollection | null;
  // fontkit answers a face name the collection lacks with null: a wrong name must be an error, not empty boxes.
  if (!parsed || !('layout' in parsed)) {
    const all = fontkit.create(bytes) as Fontkit.Font | Fontkit.FontCollection;
    const names = 'fonts' in all ? all.fonts.map((x) => x.postscriptName) : [all.postscriptName];
    throw new DomainError(`${face.file} has no face named ${face.name} (it holds ${names.join(', ')})`);
  }
  faceCache.set(key, (f = parsed));
  return f;
}

export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 64, bottom: 60, left: 50, right: 50 } as const;
const BODY_SIZE = 10.5; // 五号, the size of Chinese official forms
const CELL_PAD = 4;
const RULE = '#555555';
const MUTED = '#555555';
/** keyValues: the space between one column's value and the next column's label. */
const KV_GUTTER = 20;
/** keyValues: the usual label width (six characters of 五号) and the space after a label. */
const KV_LABEL_WIDTH = 66;
const KV_LABEL_GAP = 10;
/** subheading: room kept below a heading (its gaps aside) for a table's header and a first row of up to two lines (21 + 36 pt). */
const KEEP_WITH_HEADING = 60;

/**
 * Starts a document. The fonts are checked before anything is drawn, so a missing font is one clear
 * error and no PDF, never a PDF of empty boxes.
 */
export async function createPdf(opts: PdfOptions): Promise<PdfDocument> {
  const { PDFDocument, fontkit, QRCode } = await loadLibs();
  const fonts = opts.fonts ?? NOTO_CJK;
  const regular = loadFace(fontkit, fonts.regular);
  const bold = loadFace(fontkit, fonts.bold);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { ...MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: { Title: opts.title, Author: opts.author ?? opts.siteName, Creator: 'examroom', CreationDate: new Date(opts.createdAt) },
    lang: 'zh-CN',
  });
  // pdfkit 0.20 takes a parsed fontkit face (PDFFontFactory.open: anything with layout()); its types predate that.
  doc.registerFont('body', regular as unknown as Buffer);
  doc.registerFont('bold', bold as unknown as Buffer);
  doc.font('body').fontSize(BODY_SIZE);

  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = MARGIN.left;
  const textWidth = A4.width - MARGIN.left - MARGIN.right;
  const bottom = () => A4.height - MARGIN.bottom;
  /** A new page when the next h points would not fit; true when one was added. */
  const ensureSpace = (h: number): boolean => {
    if (doc.y + h <= bottom()) return false;
    doc.addPage();
    return true;
  };

  const kit: PdfDocument = {
    heading(text = opts.title) {
      doc.font('bold').fontSize(18);
      ensureSpace(doc.heightOfString(text, { width: textWidth }) + 12);
      doc.fillColor('black').text(text, left, doc.y, { width: textWidth, align: 'center' });
      doc.moveDown(0.6);
      doc.font('body').fontSize(BODY_SIZE);
      return kit;
    },
    subheading(text) {
      doc.font('bold').fontSize(13);
      // A heading alone at the foot of a page, its table on the next, reads as a section left empty:
      // keep it with the start of what follows (a table's header and first row, or a few lines), both
      // gaps (moveDown) included.
      const gaps = 2 * 0.3 * doc.currentLineHeight(true);
      ensureSpace(gaps + doc.heightOfString(text, { width: textWidth }) + KEEP_WITH_HEADING);
      doc.moveDown(0.3);
      doc.fillColor('black').text(text, left, doc.y, { width: textWidth });
      doc.moveDown(0.3);
      doc.font('body').fontSize(BODY_SIZE);
      return kit;
    },
    paragraph(text, p = {}) {
      doc.font('body').fontSize(p.size ?? BODY_SIZE);
      const h = doc.heightOfString(text, { width: textWidth });
      ensureSpace(Math.min(h, 3 * BODY_SIZE * 1.4));
      doc.fillColor(p.color ?? 'black').text(text, left, doc.y, { width: textWidth });
      doc.fillColor('black').fontSize(BODY_SIZE);
      doc.moveDown(0.4);
      return kit;
    },
    keyValues(pairs, kv = {}) {
      const columns = kv.columns ?? 2;
      // The gutter keeps a wrapped value off the next column's label; labels get a common width so
      // blocks one under another line up, wider only when a label would not fit it.
      const colWidth = (textWidth - KV_GUTTER * (columns - 1)) / columns;
      doc.fontSize(BODY_SIZE);
      const longestLabel = Math.max(0, ...pairs.map(([k]) => doc.font('bold').widthOfString(k)));
      const labelWidth = Math.min(colWidth * 0.4, Math.max(KV_LABEL_WIDTH, longestLabel + 2));
      const valueWidth = colWidth - labelWidth - KV_LABEL_GAP;
      for (let i = 0; i < pairs.length; i += columns) {
        const row = pairs.slice(i, i + columns);
        const h =
          Math.max(
            ...row.map(([k, v]) =>
              Math.max(doc.font('bold').heightOfString(k, { width: labelWidth }), doc.font('body').heightOfString(v || '—', { width: valueWidth })),
            ),
          ) + 4;
        ensureSpace(h);
        const y = doc.y;
        row.forEach(([k, v], c) => {
          const x = left + c * (colWidth + KV_GUTTER);
          doc.font('bold').fillColor(MUTED).text(k, x, y, { width: labelWidth });
          doc
            .font('body')
            .fillColor('black')
            .text(v || '—', x + labelWidth + KV_LABEL_GAP, y, { width: valueWidth });
        });
        doc.x = left;
        doc.y = y + h;
      }
      doc.font('body').fillColor('black');
      doc.moveDown(0.4);
      return kit;
    },
    table(columns, rows) {
      const total = columns.reduce((s, c) => s + c.width, 0);
      const widths = columns.map((c) => (c.width / total) * textWidth);
      const cellHeight = (cells: readonly string[], font: 'body' | 'bold') => {
        doc.font(font).fontSize(BODY_SIZE - 1);
        return Math.max(...cells.map((t, i) => doc.heightOfString(t || ' ', { width: widths[i]! - 2 * CELL_PAD }))) + 2 * CELL_PAD;
      };
      const drawRow = (cells: readonly string[], font: 'body' | 'bold', h: number, shade: boolean) => {
        const y = doc.y;
        let x = left;
        if (shade) doc.rect(left, y, textWidth, h).fill('#e8e8e8');
        doc
          .font(font)
          .fontSize(BODY_SIZE - 1)
          .fillColor('black');
        cells.forEach((t, i) => {
          const w = widths[i]!;
          doc.text(t ?? '', x + CELL_PAD, y + CELL_PAD, { width: w - 2 * CELL_PAD, align: columns[i]!.align ?? 'left' });
          x += w;
        });
        doc.lineWidth(0.5).strokeColor(RULE);
        doc.rect(left, y, textWidth, h).stroke();
        x = left;
        for (const w of widths.slice(0, -1)) {
          x += w;
          doc
            .moveTo(x, y)
            .lineTo(x, y + h)
            .stroke();
        }
        doc.x = left;
        doc.y = y + h;
      };
      const headers = columns.map((c) => c.header);
      const headerHeight = cellHeight(headers, 'bold');
      // The header and the first row go on the same page.
      ensureSpace(headerHeight + (rows[0] ? cellHeight(rows[0], 'body') : 0));
      drawRow(headers, 'bold', headerHeight, true);
      for (const row of rows) {
        const cells = columns.map((_, i) => row[i] ?? '');
        // A row taller than a whole page is drawn anyway (clipped by the page), never looped on.
        const h = Math.min(cellHeight(cells, 'body'), bottom() - MARGIN.top - headerHeight);
        if (ensureSpace(h)) drawRow(headers, 'bold', headerHeight, true);
        drawRow(cells, 'body', h, false);
      }
      doc.font('body').fontSize(BODY_SIZE);
      doc.moveDown(0.6);
      return kit;
    },
    photos(slots, ph = {}) {
      const height = ph.height ?? 150;
      const gap = 16;
      const width = Math.min(120, (textWidth - gap * (slots.length - 1)) / slots.length);
      const captionHeight = 18;
      ensureSpace(height + captionHeight + 6);
      const y = doc.y;
      slots.forEach((slot, i) => {
        const x = left + i * (width + gap);
        doc.lineWidth(0.5).strokeColor(RULE).rect(x, y, width, height).stroke();
        let unreadable = false;
        if (slot.image) {
          try {
            doc.image(slot.image, x + 2, y + 2, { fit: [width - 4, height - 4], align: 'center', valign: 'center' });
          } catch (err) {
            if (slot.unreadableText === undefined)
              throw new DomainError(`photo "${slot.label}" is not a JPEG or PNG image pdfkit can read (${(err as Error).message})`);
            unreadable = true;
          }
        }
        if (!slot.image || unreadable) {
          doc
            .font('body')
            .fontSize(BODY_SIZE - 1)
            .fillColor(MUTED)
            .text((unreadable ? slot.unreadableText : slot.missingText) ?? '无照片', x, y + height / 2 - 6, { width, align: 'center' });
        }
        doc
          .font('body')
          .fontSize(BODY_SIZE - 1)
          .fillColor('black')
          .text(slot.label, x, y + height + 4, { width, align: 'center' });
      });
      doc.x = left;
      doc.y = y + height + captionHeight + 6;
      doc.fontSize(BODY_SIZE);
      return kit;
    },
    qr(text, q = {}) {
      const size = q.size ?? 110;
      // M: 15 % of the code may be damaged (a fold, a stamp) and it still reads; H would make a long URL too dense.
      const code = QRCode.create(text, { errorCorrectionLevel: 'M' });
      const n = code.modules.size;
      const quiet = 4; // the quiet zone the standard requires around the symbol
      const cell = size / (n + 2 * quiet);
      const captionHeight = q.caption
        ? doc
            .font('body')
            .fontSize(BODY_SIZE - 2)
            .heightOfString(q.caption, { width: Math.max(size, 160) }) + 4
        : 0;
      ensureSpace(size + captionHeight);
      const x0 = q.align === 'left' ? left : q.align === 'right' ? left + textWidth - size : left + (textWidth - size) / 2;
      const y0 = doc.y;
      doc.rect(x0, y0, size, size).fill('white');
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          if (code.modules.get(r, c)) doc.rect(x0 + (c + quiet) * cell, y0 + (r + quiet) * cell, cell, cell);
        }
      }
      doc.fill('black');
      doc.y = y0 + size;
      if (q.caption) {
        const cw = Math.max(size, 160);
        const cx = q.align === 'left' ? left : q.align === 'right' ? left + textWidth - cw : left + (textWidth - cw) / 2;
        doc
          .font('body')
          .fontSize(BODY_SIZE - 2)
          .fillColor(MUTED)
          .text(q.caption, cx, doc.y + 2, { width: cw, align: 'center' });
        doc.fillColor('black');
      }
      doc.x = left;
      doc.font('body').fontSize(BODY_SIZE);
      doc.moveDown(0.4);
      return kit;
    },
    space(points) {
      if (!ensureSpace(points)) doc.y += points;
      return kit;
    },
    pageBreak() {
      doc.addPage();
      return kit;
    },
    async end() {
      const { start, count } = doc.bufferedPageRange();
      for (let i = start; i < start + count; i++) {
        doc.switchToPage(i);
        // Text in the bottom margin would make pdfkit start a new page; the footer belongs in it.
        const saved = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        doc.font('body').fontSize(9).fillColor(MUTED);
        doc.text(opts.siteName, left, 30, { width: textWidth / 2, lineBreak: false });
        doc.text(opts.title, left + textWidth / 2, 30, { width: textWidth / 2, align: 'right', lineBreak: false });
        doc
          .lineWidth(0.5)
          .strokeColor(RULE)
          .moveTo(left, 46)
          .lineTo(left + textWidth, 46)
          .stroke();
        const footY = A4.height - 40;
        doc
          .moveTo(left, footY - 6)
          .lineTo(left + textWidth, footY - 6)
          .stroke();
        if (opts.footerNote) doc.text(opts.footerNote, left, footY, { width: textWidth * 0.7, lineBreak: false });
        doc.text(`第 ${i - start + 1} 页 / 共 ${count} 页`, left + textWidth * 0.6, footY, { width: textWidth * 0.4, align: 'right', lineBreak: false });
        doc.page.margins.bottom = saved;
      }
      doc.fillColor('black');
      doc.end();
      return finished;
    },
  };
  return kit;
}
