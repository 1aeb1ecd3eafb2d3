// Statistics and disclosure on a generated history of 40 graded sessions (a few hundred sittings, with
// retakes, absences, institutions and industries) made through the exam engine's own functions: every
// figure the API gives is checked against a count the test makes itself from what the history
// decided, the CSV is parsed back, and the public page withholds every figure built from fewer than 5.
import t, { type Test } from 'tap';
import { parse } from 'csv-parse/sync';
import { fixedClock } from '../../core/index.ts';
import { parseConfig } from '../../config/index.ts';
import { TEST_CONFIG_YAML, PASSWORDS, login, scratchDir, buildTestApp } from '../helpers.ts';
import {
  IMPOSSIBLE,
  INSTITUTIONS,
  STATS_ROOM_YAML,
  TINY_INSTITUTION,
  TRIVIAL,
  WRONG_KEY,
  T_GEN,
  T_MACH,
  makeHistory,
  type Sitting,
} from './statistics-history.ts';
import type { Figures, ItemAnalysisReply, PublicPassRatesReply, StatisticsReply } from '../../records/protocol.ts';

const clock = fixedClock(Date.parse('2026-02-20T08:00:00+08:00'));
const dir = scratchDir(t);
const config = parseConfig(TEST_CONFIG_YAML.replace('rooms:\n', `rooms:\n${STATS_ROOM_YAML}`), { dataDir: dir });
const app = await buildTestApp({ config, clock });
t.teardown(() => app.close());
const started = Date.now();
const history = await makeHistory(app, clock);
t.comment(`history: ${history.sessions.length} graded sessions, ${history.sittings.length} roster entries, made in ${Date.now() - started} ms`);
const admin = await login(app, 'admin', PASSWORDS.admin);

const get = async <T>(url: string, cookie: string | null = admin) => {
  const res = await app.inject({ url, headers: cookie ? { cookie } : {} });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
};

/** The figures of a set of sittings, counted here from the ledger, the way docs/records.md defines them. */
function expected(list: readonly Sitting[]): Figures {
  const sat = list.filter((s) => !s.absent);
  const passed = sat.filter((s) => s.passed);
  const first = sat.filter((s) => s.attempt === 1);
  const retakes = sat.filter((s) => s.attempt === 2);
  return {
    registered: list.length,
    absent: list.length - sat.length,
    sat: sat.length,
    passed: passed.length,
    failed: sat.length - passed.length,
    passRate: sat.length ? passed.length / sat.length : null,
    absenceRate: list.length ? (list.length - sat.length) / list.length : null,
    averageScore: sat.length ? sat.reduce((a, s) => a + (s.score! / s.total!) * 100, 0) / sat.length : null,
    retakes: retakes.length,
    retakesPassed: retakes.filter((s) => s.passed).length,
    firstAttemptPassRate: first.length ? first.filter((s) => s.passed).length / first.length : null,
  };
}

/** Float figures compared to 1e-9 (a sum of percentages in another order), counts exactly. */
function sameFigures(t: Test, got: Figures, want: Figures, what: string) {
  for (const k of Object.keys(want) as (keyof Figures)[]) {
    const g = got[k];
    const w = want[k];
    if (typeof w === 'number' && typeof g === 'number' && !Number.isInteger(w)) t.ok(Math.abs(g - w) < 1e-9, `${what}: ${k} ${g} ≈ ${w}`);
    else t.equal(g, w, `${what}: ${k}`);
  }
}

const byKey = (list: readonly Sitting[], keyOf: (s: Sitting) => string) => {
  const m = new Map<string, Sitting[]>();
  for (const s of list) m.set(keyOf(s), [...(m.get(keyOf(s)) ?? []), s]);
  return m;
};
const ALL = '?from=2026-01-01&to=2026-12-31';

t.test('the history is what the statistics are meant for', async (t) => {
  t.equal(history.sessions.length, 40);
  t.ok(history.sittings.length >= 300, `a few hundred roster entries (${history.sittings.length})`);
  t.ok(
    history.sittings.some((s) => s.attempt === 2 && !s.absent),
    'some retakes were sat',
  );
  t.ok(
    history.sittings.some((s) => s.absent),
    'some candidates stayed away',
  );
  t.equal(history.sittings.filter((s) => s.institution === TINY_INSTITUTION && !s.absent).length < 5, true, 'the tiny institution has fewer than 5 sittings');
});

t.test('every grouping matches a direct count of the history', async (t) => {
  const keys: Record<StatisticsReply['groupBy'], (s: Sitting) => string> = {
    session: (s) => s.sessionId,
    institution: (s) => s.institution ?? '',
    category: (s) => s.category,
    industry: (s) => s.industry,
    month: (s) => s.date.slice(0, 7),
  };
  for (const [by, keyOf] of Object.entries(keys) as [StatisticsReply['groupBy'], (s: Sitting) => string][]) {
    const r = await get<StatisticsReply>(`/api/records/statistics${ALL}&groupBy=${by}`);
    t.equal(r.groupBy, by);
    t.equal(r.sessions, 40, `${by}: 40 graded sessions counted`);
    t.equal(r.notYetGraded, 2, `${by}: the ended and the scheduled session are left out and said to be`);
    sameFigures(t, r.total, expected(history.sittings), `${by}: total`);
    const want = byKey(history.sittings, keyOf);
    t.same(r.groups.map((g) => g.key).sort(), [...want.keys()].sort(), `${by}: one group per key of the history`);
    for (const g of r.groups) sameFigures(t, g.figures, expected(want.get(g.key)!), `${by} ${g.key}`);
  }
  const bySession = await get<StatisticsReply>(`/api/records/statistics${ALL}&groupBy=session`);
  t.same(
    bySession.groups.map((g) => g.key),
    history.sessions.map((s) => s.id),
    'sessions in the order they were held',
  );
  t.match(bySession.groups[0], { session: { date: history.sessions[0]!.date, templateName: T_MACH.name, roomId: 'R3', roomName: '三号考场' } });
  const byInstitution = await get<StatisticsReply>(`/api/records/statistics${ALL}&groupBy=institution`);
  t.equal(byInstitution.groups.at(-1)!.key, '', 'sittings without an institution come last');
  t.same(byInstitution.groups.at(-1)!.label, { zh: '（未填写培训机构）', en: '(no training institution given)' });
  t.ok(
    INSTITUTIONS.every((name) => byInstitution.groups.some((g) => g.key === name)),
    'institutions given under 培训机构 and under 培训单位 are both stored',
  );
  const byCategory = await get<StatisticsReply>(`/api/records/statistics${ALL}&groupBy=category`);
  t.same(
    byCategory.groups.map((g) => g.label.zh),
    ['主要负责人', '安全生产管理人员'],
  );
});

t.test('a period counts the sessions that started in it, by the site calendar', async (t) => {
  const april = history.sittings.filter((s) => s.date >= '2026-04-01' && s.date <= '2026-04-30');
  const r = await get<StatisticsReply>('/api/records/statistics?from=2026-04-01&to=2026-04-30&groupBy=month');
  t.same(
    r.groups.map((g) => g.key),
    ['2026-04'],
  );
  sameFigures(t, r.total, expected(april), 'April');
  t.equal(r.sessions, new Set(april.map((s) => s.sessionId)).size);
  t.equal(r.notYetGraded, 0);
  const one = history.sessions[5]!;
  const day = await get<StatisticsReply>(`/api/records/statistics?from=${one.date}&to=${one.date}`);
  t.same(
    day.groups.map((g) => g.key),
    [one.id],
    'a one-day period holds that day’s session',
  );
  const empty = await get<StatisticsReply>('/api/records/statistics?from=2025-01-01&to=2025-12-31');
  t.same(empty.total, expected([]));
  t.same(empty.groups, []);
});

t.test('the item analysis matches facility and 27 % discrimination counted here, and flags the bad questions', async (t) => {
  const r = await get<ItemAnalysisReply>(`/api/records/statistics/items${ALL}`);
  const sat = history.sittings.filter((s) => !s.absent);
  t.equal(r.papers, sat.length, 'every graded paper');
  t.same(r.thresholds, { minResponses: 20, groupShare: 0.27, facilityBelow: 0.2, facilityAbove: 0.95, discriminationBelow: 0.2 });
  const perQuestion = new Map<string, { score: number; id: string; correct: boolean }[]>();
  for (const s of sat)
    for (const a of s.answers)
      perQuestion.set(a.questionId, [...(perQuestion.get(a.questionId) ?? []), { score: s.score! / s.total!, id: s.resultId!, correct: a.correct }]);
  t.equal(r.items.length, perQuestion.size, 'one row per question drawn');
  for (const item of r.items) {
    const list = perQuestion.get(item.questionId)!;
    const right = list.filter((x) => x.correct).length;
    t.equal(item.responses, list.length);
    t.equal(item.correct, right);
    t.ok(Math.abs(item.facility - right / list.length) < 1e-12, `facility of ${item.externalId}`);
    // Upper and lower groups counted here: the best and worst round(27 %) by score, ties by result id.
    const g = Math.round(list.length * 0.27);
    const sorted = list.slice().sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id.localeCompare(b.id)));
    const p = (xs: typeof list) => xs.filter((x) => x.correct).length / xs.length;
    t.equal(item.groupSize, g);
    t.ok(Math.abs(item.discrimination! - (p(sorted.slice(0, g)) - p(sorted.slice(sorted.length - g)))) < 1e-12, `discrimination of ${item.externalId}`);
    t.equal(item.judged, list.length >= 20);
  }
  const flagsOf = (stem: string) => r.items.find((i) => i.questionId === history.questionIdByStem.get(stem))!;
  t.match(flagsOf(IMPOSSIBLE), { flags: ['too_hard'], stem: IMPOSSIBLE, type: 'single', knowledgePoint: '安全生产法律法规' });
  t.ok(flagsOf(TRIVIAL).flags.includes('too_easy'), 'the question everybody answers is too easy');
  // Papers are drawn with fresh seeds, so how many strong and weak candidates met the wrong key varies
  // between runs: its discrimination is nearly always negative, but once in a while only low. Either
  // way it must be flagged for review, with the flag its own (checked above) discrimination calls for.
  const wrong = flagsOf(WRONG_KEY);
  t.ok(wrong.discrimination! < 0.2, `the wrong key discriminates badly (D = ${wrong.discrimination})`);
  t.same(wrong.flags, [wrong.discrimination! < 0 ? 'negative_discrimination' : 'low_discrimination'], 'and is flagged for a check of its key');
  t.ok(r.items[0]!.flags.length > 0, 'flagged questions come first');

  const one = await get<ItemAnalysisReply>(`/api/records/statistics/items${ALL}&templateId=${T_GEN.id}`);
  t.equal(one.papers, sat.filter((s) => s.templateId === T_GEN.id).length, 'one template’s papers');
  t.notOk(
    one.items.some((i) => i.stem?.includes('机械')),
    'and only its questions',
  );
});

t.test('CSV: UTF-8 with a BOM, parses back to the same figures', async (t) => {
  const res = await app.inject({ url: `/api/records/statistics${ALL}&groupBy=institution&format=csv`, headers: { cookie: admin } });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(res.headers['content-disposition'], /attachment; filename="statistics-institution-2026-01-01-2026-12-31\.csv"/);
  t.same([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  const rows = parse(res.rawPayload, { bom: true, relax_column_count: true }) as string[][];
  t.same(rows[0], [
    '培训机构',
    '报名人数',
    '缺考人数',
    '实考人数',
    '合格人数',
    '不合格人数',
    '合格率(%)',
    '缺考率(%)',
    '平均分(百分制)',
    '补考人次',
    '补考合格人次',
    '首次考试合格率(%)',
  ]);
  const want = byKey(history.sittings, (s) => s.institution ?? '（未填写培训机构）');
  const body = rows.slice(1).filter((r) => r.length > 1);
  t.equal(body.length, want.size + 1, 'one line per institution and the total');
  for (const line of body) {
    const list = line[0] === '合计' ? history.sittings : want.get(line[0]!)!;
    const f = expected(list);
    t.same(line.slice(1, 6).map(Number), [f.registered, f.absent, f.sat, f.passed, f.failed], `${line[0]}: counts`);
    t.equal(Number(line[6]), Math.round(f.passRate! * 1000) / 10, `${line[0]}: pass rate in %`);
    t.equal(Number(line[8]), Math.round(f.averageScore! * 10) / 10, `${line[0]}: average`);
  }
  t.match(rows.at(-1)![0], /^统计期间 2026-01-01 至 2026-12-31.*计入已评分场次 40 场；另有 2 场尚未评分/);

  const en = await app.inject({ url: `/api/records/statistics${ALL}&groupBy=session&format=csv&lang=en`, headers: { cookie: admin } });
  const enRows = parse(en.rawPayload, { bom: true, relax_column_count: true }) as string[][];
  t.same(enRows[0]!.slice(0, 5), ['Date', 'Exam', 'Room', 'Session id', 'Registered']);
  t.equal(enRows.filter((r) => r.length > 1).length, 1 + 40 + 1);

  const items = await app.inject({ url: `/api/records/statistics/items${ALL}&format=csv`, headers: { cookie: admin } });
  const itemRows = parse(items.rawPayload, { bom: true, relax_column_count: true }) as string[][];
  t.equal(itemRows[0]![0], '试题编号');
  const impossible = itemRows.find((r) => r[11] === IMPOSSIBLE)!;
  t.match(impossible[10], /过难/);
});

t.test('a text cell that starts like a formula is defused in the CSV', async (t) => {
  // An institution name typed as a formula reaches the CSV only through a roster: the history's rows
  // are plain, so check the writer on the name a roster may carry.
  const { toCsv } = await import('../../records/statistics/csv.ts');
  t.equal(toCsv([['=HYPERLINK("x")', '+1', '-2', '@a', 3, null]]), '\uFEFF"\'=HYPERLINK(""x"")",\'+1,\'-2,\'@a,3,\r\n');
});

t.test('the public pass rates withhold any figure built from fewer than 5 people, and never name a person', async (t) => {
  const res = await app.inject({ url: '/api/public/pass-rates?from=2026-01&to=2026-12' });
  t.equal(res.statusCode, 200, 'no log-in');
  const r = res.json() as PublicPassRatesReply;
  t.equal(r.minPeople, 5);
  t.equal(r.siteName, '测试考点');
  const sat = history.sittings.filter((s) => !s.absent);
  const want = byKey(sat, (s) => s.institution ?? '');
  t.equal(r.institutions.length, want.size);
  for (const row of r.institutions) {
    const list = want.get(row.institution)!;
    if (list.length < 5)
      t.same(row, { institution: row.institution, suppressed: true, sat: null, passed: null, passRate: null }, `${row.institution || '(none)'} withheld`);
    else {
      const passed = list.filter((s) => s.passed).length;
      t.same(
        row,
        { institution: row.institution, suppressed: false, sat: list.length, passed, passRate: passed / list.length },
        `${row.institution || '(none)'}`,
      );
    }
  }
  t.match(
    r.institutions.find((i) => i.institution === TINY_INSTITUTION),
    { suppressed: true, sat: null },
  );
  // Withheld rows hold 1–4 people together, so the total would give them away: withheld too.
  const withheld = [...want.values()].filter((l) => l.length < 5).reduce((n, l) => n + l.length, 0);
  t.ok(withheld > 0 && withheld < 5, `the withheld rows hold ${withheld} people`);
  t.same(r.total, { suppressed: true, sat: null, passed: null, passRate: null });
  for (const s of history.sittings) {
    t.notOk(res.body.includes(s.idNumber) || res.body.includes(s.name) || res.body.includes(`${s.idNumber.slice(-4)}"`), `nothing of ${s.name}`);
  }
  t.equal(res.headers['cache-control'], 'public, max-age=300');
});

t.test('a month with only small groups shows nothing but the names; a period with enough shows the total', async (t) => {
  const months = byKey(
    history.sittings.filter((s) => !s.absent),
    (s) => s.date.slice(0, 7),
  );
  for (const [month, list] of months) {
    const r = await get<PublicPassRatesReply>(`/api/public/pass-rates?from=${month}&to=${month}`, null);
    const want = byKey(list, (s) => s.institution ?? '');
    for (const row of r.institutions) t.equal(row.suppressed, want.get(row.institution)!.length < 5, `${month} ${row.institution}`);
    const withheld = [...want.values()].filter((l) => l.length < 5).reduce((n, l) => n + l.length, 0);
    t.equal(r.total.suppressed, list.length < 5 || (withheld > 0 && withheld < 5), `${month}: total withheld exactly when it would reveal a withheld row`);
    if (!r.total.suppressed) t.equal(r.total.sat, list.length);
  }
});

t.test('who may read the statistics', async (t) => {
  const url = `/api/records/statistics${ALL}`;
  t.equal((await app.inject({ url })).statusCode, 401, 'nobody');
  t.equal((await app.inject({ url, headers: { cookie: await login(app, 'invig', PASSWORDS.invig) } })).statusCode, 403, 'an invigilator');
  const gd = await login(app, 'gd', PASSWORDS.gd);
  const sz = await login(app, 'sz', PASSWORDS.sz);
  const asInspector = await get<StatisticsReply>(url, gd);
  t.same(asInspector.total, (await get<StatisticsReply>(url)).total, 'an inspector of the province reads the aggregates');
  const items = await get<ItemAnalysisReply>(`/api/records/statistics/items${ALL}`, gd);
  t.ok(
    items.items.every((i) => i.stem === null),
    'but not the bank’s question texts',
  );
  const outside = await app.inject({ url, headers: { cookie: sz } });
  t.equal(outside.statusCode, 403);
  t.match(outside.json(), { error: 'outside_jurisdiction' });
  t.equal((await app.inject({ url: `/api/records/statistics/items${ALL}`, headers: { cookie: sz } })).statusCode, 403);
});

t.test('a bad period is refused with what, where and why', async (t) => {
  const bad = async (url: string) => {
    const res = await app.inject({ url, headers: { cookie: admin } });
    t.equal(res.statusCode, 400, url);
    return res.json() as { problems: { path: string; problem: string }[] };
  };
  t.match((await bad('/api/records/statistics?from=2026-02-30')).problems, [{ path: 'querystring.from', problem: 'must be a date written YYYY-MM-DD' }]);
  t.match((await bad('/api/records/statistics?from=2026-05-01&to=2026-04-01')).problems, [
    { path: 'querystring.to', problem: 'must not be before from (2026-05-01)' },
  ]);
  t.match((await bad('/api/records/statistics?groupBy=room')).problems, [{ path: /groupBy/ }]);
  t.match((await bad('/api/public/pass-rates?from=2026-13')).problems, [{ path: 'querystring.from', problem: 'must be a month written YYYY-MM' }]);
  t.match((await bad('/api/public/pass-rates?from=2026-01-01')).problems, [{ path: /from/ }]);
});

t.test('the roster reads the training institution under its other names', async (t) => {
  // The history's last session is still scheduled: its roster may be imported (it counts in no figure).
  const sessionId = history.ungraded[1]!;
  const rows = [
    ['身份证号', '姓名', '人员类别', '行业', 'Training Institution'],
    ['440106199001010015', '新考生', '安全生产管理人员', '商贸', ' 越秀区安全培训中心 '],
  ];
  const id = rows[1]![0]!;
  // A valid check digit for the fixed first 17 digits.
  const { checkDigitOf } = await import('../../core/index.ts');
  rows[1]![0] = id.slice(0, 17) + checkDigitOf(id.slice(0, 17));
  await app.exam.plans.importRoster(sessionId, { bytes: Buffer.from(rows.map((r) => r.join(',')).join('\n')), filename: 'r.csv' }, 'user:admin');
  t.equal(app.exam.plans.roster(sessionId)[0]!.institution, '越秀区安全培训中心', 'an English header with a space, the name trimmed');
});
