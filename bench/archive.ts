// The session archive (一期一档) of a full room: 30 candidates with papers from the demo bank, graded,
// a kiosk attempt and capture each, a few integrity events, and the video index of 2 cameras + 30
// screens over a 2-hour session (segment rows only, no media files). Times the archive job alone
// (every part, the zip, the signature) and samples the process's memory while it runs.
// Usage: node --import tsx bench/run.ts archive [SEGMENT_SECONDS]   (default: the shipped 300 s; 2
// makes 120 000 segment rows, the worst a short-segment site would index).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fixedClock, newId } from '../core/index.ts';
import { parseConfig } from '../config/index.ts';
import { createAuditLog, createMediaStore, dataPaths, ensureDataFolders, openDatabase } from '../storage/index.ts';
import { createEventBus } from '../core/index.ts';
import { createExamService } from '../exam/index.ts';
import { createRecordsService } from '../records/index.ts';
import { demoQuestions } from '../exam/demo/questions.ts';
import { benchIdNumber } from './lib/site.ts';

const CANDIDATES = 30;
const segSeconds = Number(process.argv[2] ?? 300);
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'examroom-bench-archive-'));
const rootDir = join(dir, 'site');

const yaml = [
  'site: { id: bench-site, name: 基准测试考点, province: "440000", city: "440100" }',
  'server: { host: 127.0.0.1, port: 0 }',
  'rooms:',
  '  - { id: R1, name: 第一考场, seats: { rows: 5, columns: 6 } }',
  'terminals:',
  ...Array.from({ length: CANDIDATES }, (_, i) => `  - { id: R1-T${String(i + 1).padStart(2, '0')}, room: R1, seat: "${String(i + 1).padStart(2, '0')}" }`),
  'cameras:',
  '  - { id: CAM-R1-1, name: 第一考场前方, room: R1, url: "rtsp://127.0.0.1:1/a" }',
  '  - { id: CAM-R1-2, name: 第一考场后方, room: R1, url: "rtsp://127.0.0.1:1/b" }',
  `media: { segmentSeconds: ${Math.max(2, Math.min(segSeconds, 3600))} }`,
  `paths: { keys: ${JSON.stringify(join(dir, 'keys'))} }`,
  '',
].join('\n');

try {
  const t0 = performance.now();
  const config = parseConfig(yaml, { dataDir: join(rootDir, 'data') });
  // BENCH_KEEP=1 keeps the site (config.yaml beside it) to try the CLI on: examroom archive list --config …
  writeFileSync(
    join(dir, 'config.yaml'),
    `${yaml}paths: { data: ${JSON.stringify(join(rootDir, 'data'))}, keys: ${JSON.stringify(join(dir, 'keys'))} }\n`.replace(/^paths: \{ keys: .*\n/m, ''),
  );
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  const db = openDatabase(paths.dbFile);
  db.pragma('synchronous = OFF');
  const clock = fixedClock(Date.parse('2026-03-01T00:00:00+08:00'));
  const bus = createEventBus();
  const audit = createAuditLog(db, clock);
  const exam = createExamService({ db, clock, bus, config, audit, paths });
  const records = createRecordsService({ db, clock, bus, config, audit, paths, exam });
  const actor = 'system:bench';

  exam.bank.createVersion({ id: 'bench-v1', kind: 'import', questions: demoQuestions(), templates: [] });
  const plan = exam.plans.createPlan({ name: '基准测试 一期一档', from: '2026-03-01', to: '2026-03-31' }, actor);
  const session = exam.plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: 'gm-principal-general' }, actor);
  const people = Array.from({ length: CANDIDATES }, (_, i) => ({
    身份证号: benchIdNumber(i),
    姓名: `考生${String(i + 1).padStart(2, '0')}`,
    人员类别: '主要负责人',
    行业: '通用',
    培训机构: '基准测试培训中心',
  }));
  await exam.plans.importRoster(session.id, { bytes: Buffer.from(JSON.stringify(people)), filename: 'bench-roster.json' }, actor);
  exam.plans.assignSeats(session.id, actor);
  exam.plans.generateSessionPapers(session.id, actor);
  const start = session.startsAt;
  clock.set(start - 30 * 60_000);
  exam.plans.advanceSession(session.id, 'checkin', actor);
  // A kiosk attempt with a ~40 KB capture per candidate, as the kiosk writes them.
  mkdirSync(join(paths.captures, 'kiosk'), { recursive: true });
  const insertAttempt = db.prepare(
    `INSERT INTO identity_attempts (id, kiosk_id, session_id, id_number, source, challenge, started_at, expires_at, decided_at, decision, liveness, distance, threshold, seat, capture)
     VALUES (?, 'K1', ?, ?, 'card', 'blink', ?, ?, ?, 'admitted', '{"passed":true}', 0.38, 0.5, ?, ?)`,
  );
  for (const [i, e] of exam.plans.roster(session.id).entries()) {
    const capture = `kiosk/${e.idNumber}.jpg`;
    writeFileSync(join(paths.captures, capture), Buffer.alloc(40_000, i));
    const at = start - 25 * 60_000 + i * 30_000;
    insertAttempt.run(newId(at), session.id, e.idNumber, at, at + 60_000, at + 20_000, e.seat, capture);
  }
  clock.set(start);
  exam.plans.advanceSession(session.id, 'in_progress', actor);
  clock.set(start + 100 * 60_000);
  for (const [i, e] of exam.plans.roster(session.id).entries()) {
    const paper = exam.plans.paperStore.forCandidate(session.id, e.idNumber)!;
    // Every candidate answers; some right, some wrong, so scores differ.
    const sheet = Object.fromEntries(paper.items.map((it, k) => [k + 1, (k + i) % 4 === 0 ? [] : it.key]));
    exam.plans.gradeCandidate(session.id, e.idNumber, sheet, actor);
  }
  clock.set(start + 120 * 60_000);
  exam.plans.advanceSession(session.id, 'ended', actor);
  exam.plans.advanceSession(session.id, 'graded', actor);

  // The video index: every source of the room recorded over the whole window in segmentSeconds pieces.
  const w = exam.recordingWindows.windowOf(session.id);
  const media = createMediaStore(db);
  const sources = [...config.cameras.map((c) => c.id), ...config.terminals.map((t) => `SCREEN-${t.id}`)];
  const segMs = config.media.segmentSeconds * 1000;
  let rows = 0;
  db.transaction(() => {
    for (const src of sources)
      for (let at = w.start; at < w.end!; at += segMs) {
        // One 60-second hole per source, so every index has a gap to list.
        if (at >= start + 30 * 60_000 && at < start + 31 * 60_000) continue;
        media.addSegment({
          sourceId: src,
          start: at,
          end: Math.min(at + segMs, w.end!),
          bytes: 1_500_000,
          path: `${src}/2026-03-10/${at}.ts`,
          sha256: createHash('sha256').update(`${src}${at}`).digest('hex'),
        });
        rows++;
      }
  })();
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const prepS = (performance.now() - t0) / 1000;
  console.log(
    `site: ${CANDIDATES} candidates graded, ${sources.length} sources × ${((w.end! - w.start) / 3600_000).toFixed(2)} h in ${config.media.segmentSeconds}-s segments = ${rows} segment rows; prepared in ${prepS.toFixed(1)} s`,
  );

  // The first archive of a process also loads the modules its parts read through and the zip library.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const a = performance.now();
  const made = await records.archives.make(session.id, { by: actor });
  const seconds = (performance.now() - a) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `archive: ${made.archive.file}, ${(made.archive.bytes / MiB).toFixed(2)} MiB, ${made.archive.members} members, session ${made.sessionStatus}; ${seconds.toFixed(2)} s; RSS ${(rssBefore / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB peak`,
  );
  const v = performance.now();
  const check = await records.archives.verify(join(paths.archives, made.archive.file));
  console.log(
    `verify: ${check.ok ? 'ok' : `FAILED ${JSON.stringify(check.problem)}`}, ${check.checked} members in ${((performance.now() - v) / 1000).toFixed(2)} s`,
  );
  await records.stop();
  db.close();
  console.log(`archive: ${seconds.toFixed(2)} s, ${(peak / MiB).toFixed(0)} MiB peak`);
} finally {
  if (process.env.BENCH_KEEP === '1') console.log(`kept: ${dir}/config.yaml`);
  else rmSync(dir, { recursive: true, force: true });
}
