// Certificate data for upload to the issuing office's system, in the fields of ZWFW C0210-2021
// (特种作业操作证 data) where they apply: the office assigns the licence, whose number the standard
// makes "T" + the ID number; our own serial travels in a column of its own. Revoked certificates are
// left out: nothing revoked is to be licensed.
import { defuseText, localDate } from '../../core/index.ts';
import { CATEGORY_LABELS, INDUSTRY_LABELS } from '../../exam/index.ts';
import type { Config } from '../../config/index.ts';
import type { Certificate } from './service.ts';

export interface ExportRow {
  name: string;
  /** 男 / 女, from the ID number's 17th digit (odd: male), GB 11643. */
  sex: '男' | '女' | '';
  idNumber: string;
  /** T + ID number, as ZWFW C0210-2021 numbers the 特种作业操作证. */
  licenceNumber: string;
  category: string;
  operationItem: string;
  industry: string;
  /** YYYY-MM-DD: the person's first certificate of this category and item at this site. */
  firstIssued: string;
  validUntil: string;
  issuingOffice: string;
  certificateNumber: string;
  sessionDate: string;
  score: number;
}

/** Column headers of the .xlsx, in the standard's words, beside each row's key. */
export const EXPORT_COLUMNS: [keyof ExportRow, string, number][] = [
  ['name', '姓名', 10],
  ['sex', '性别', 6],
  ['idNumber', '身份证号码', 22],
  ['licenceNumber', '证书编号', 24],
  ['category', '人员类别', 18],
  ['operationItem', '作业类别（准操项目）', 22],
  ['industry', '行业', 8],
  ['firstIssued', '初领日期', 12],
  ['validUntil', '有效期至', 12],
  ['issuingOffice', '发证机关', 24],
  ['certificateNumber', '考点合格证明编号', 24],
  ['sessionDate', '考试日期', 12],
  ['score', '考试成绩', 8],
];

export function sexOf(idNumber: string): ExportRow['sex'] {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return '';
  return Number(idNumber[16]) % 2 === 1 ? '男' : '女';
}

/**
 * `all`: every certificate of the people concerned, for the first-issue date (their earliest not revoked
 * one of the same category and item).
 */
export function exportRows(config: Config, certificates: readonly Certificate[], all: readonly Certificate[]): ExportRow[] {
  const tz = config.site.timezone;
  const same = (a: Certificate, b: Certificate) => a.idNumber === b.idNumber && a.category === b.category && a.operationClass === b.operationClass;
  return certificates
    .filter((c) => c.revokedAt === null)
    .map((c) => {
      const first = Math.min(c.issuedAt, ...all.filter((o) => o.revokedAt === null && same(o, c)).map((o) => o.issuedAt));
      return {
        name: c.name,
        sex: sexOf(c.idNumber),
        idNumber: c.idNumber,
        licenceNumber: `T${c.idNumber}`,
        category: CATEGORY_LABELS[c.category],
        operationItem: c.operationClass ?? '',
        industry: INDUSTRY_LABELS[c.industry],
        firstIssued: localDate(first, tz),
        validUntil: localDate(c.validUntil, tz),
        issuingOffice: config.records.issuingOffice ?? '',
        certificateNumber: c.number,
        sessionDate: c.sessionDate,
        score: c.score,
      };
    });
}

export async function exportXlsx(rows: readonly ExportRow[], meta: { siteName: string; createdAt: number }): Promise<Buffer> {
  // Loaded on first use: exceljs costs ~350 ms to load, which every server start would pay.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = meta.siteName;
  wb.created = new Date(meta.createdAt);
  const ws = wb.addWorksheet('合格人员');
  ws.columns = EXPORT_COLUMNS.map(([key, header, width]) => ({ key, header, width }));
  ws.getRow(1).font = { bold: true };
  // ID and licence numbers are text: as numbers a spreadsheet would round them to 15 digits.
  for (const key of ['idNumber', 'licenceNumber'] as const) ws.getColumn(key).numFmt = '@';
  // A text cell that starts like a formula gets the spreadsheet's text mark (core/csv.ts defuseText): a name
  // typed as "=HYPERLINK(…)" on a roster stays text when someone at the office edits the cell. Scores stay numbers.
  for (const r of rows) ws.addRow(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? defuseText(v) : v])));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
