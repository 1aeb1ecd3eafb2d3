// Durable before acknowledged, under a real crash: 200 terminals answering against a real server
// process; at a random moment (2–8 s) the process is killed with SIGKILL and started again on the same
// data folder and port. Every terminal reconnects with the protocol's backoff, is resumed by the server
// (or logs in again), re-sends its unacked saves and answers on. Then every save the killed server had
// acked is looked for twice: in the state the restarted server sent on resume, and in the SQLite file.
// Usage: npm run bench -- crash [--terminals 200] [--rooms 4] [--rate 1] [--kill-after S] [--workers 2] [--keep]
// (--keep leaves the temp folder: config, data, both server logs and terminals.json with every ack).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { dataPaths } from '../storage/index.ts';
import { Fleet } from './lib/fleet.ts';
import { eventLoopLag, machineNote, percentile, prepareSite, processCpuSeconds, removeSite, spawnServer, type ServerProcess } from './lib/site.ts';
import type { PhaseStats, TermReport } from './lib/terminal-worker.ts';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '4' },
    rate: { type: 'string', default: '1' },
    'kill-after': { type: 'string' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const n = Number(values.terminals);
const rate = Number(values.rate);
const killAfter = values['kill-after'] !== undefined ? Number(values['kill-after']) : 2 + 6 * Math.random();
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const log = (s: string) => console.log(s);
const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

log(`machine: ${machineNote()}`);
const site = await prepareSite({ terminals: n, rooms: Number(values.rooms) });
log(
  `site: ${n} terminals in ${site.rooms.length} room(s) of ${site.rooms[0]!.rows}×${site.rooms[0]!.columns}, ${site.questionsPerPaper} questions per paper, prepared in ${fmt(site.prepareMs / 1000)} s (${site.dir})`,
);
// A site's server has run before a crash: one start and stop first, which also writes the build's code
// cache for `serve` if this build has none yet (server/bin/examroom.mjs), so the restart is a site's.
const warmUp = await spawnServer(site, 0, 'server-warm-up.log');
warmUp.child.kill('SIGTERM');
await warmUp.exited;
let server: ServerProcess = await spawnServer(site);
log(`server: pid ${server.pid}, ${server.base}, started in ${fmt(server.startMs / 1000, 2)} s`);
const fleet = Fleet.start(
  site.terminals.map((t) => ({ id: t.id, token: t.token, credential: t.credential })),
  { workers: Number(values.workers), reconnect: true },
);
const byId = new Map(site.terminals.map((t) => [t.id, t]));

let killAt = Infinity;
const resumedAt = new Map<string, number>();
fleet.on('resumed', (r) => {
  if ((r.at as number) > killAt && !resumedAt.has(r.id as string)) resumedAt.set(r.id as string, r.at as number);
});

try {
  const connected = await fleet.all<{ ok: number }>({ cmd: 'connect', url: server.base.replace(/^http/, 'ws') }, 'connected');
  if (connected.reduce((s, c) => s + c.ok, 0) !== n) throw new Error(`not every terminal connected; see ${site.dir}/server.log`);
  const logins = await fleet.all<{ missing: number; refused: string[] }>({ cmd: 'login', at: epochNow() + 200 }, 'loggedIn');
  if (logins.some((l) => l.missing || l.refused.length)) throw new Error(`log-in failed: ${JSON.stringify(logins.map((l) => l.refused))}`);
  log(`${n} candidates logged in; answering at ${rate} saves/s each; kill -9 after ${fmt(killAfter, 2)} s`);

  const answered = fleet.all<{ stats: PhaseStats }>({ cmd: 'answer', ratePerSecond: rate, seconds: null }, 'answered');
  await sleep(killAfter * 1000);
  killAt = epochNow();
  server.child.kill('SIGKILL');
  const died = await server.exited;
  const diedMs = epochNow() - killAt;
  const spawnAt = epochNow();
  server = await spawnServer(site, server.port, 'server-restarted.log');
  const listeningAt = epochNow();
  // Its own CPU until then: on a busy machine (other work, and this bench's terminals knocking) steadier than the wall time.
  const listenCpuS = processCpuSeconds(server.pid);
  log(
    `killed (${died.signal}) at +${fmt(killAfter, 2)} s, gone in ${fmt(diedMs, 0)} ms; restarted on the same port ${server.port}: listening ${fmt(server.startMs / 1000, 2)} s after spawn (its CPU ${fmt(listenCpuS, 2)} s)`,
  );

  const deadline = performance.now() + 60_000;
  while (resumedAt.size < n && performance.now() < deadline) await sleep(50);
  const lastResumed = resumedAt.size ? Math.max(...resumedAt.values()) : NaN;
  const resumeS = (lastResumed - spawnAt) / 1000;
  log(
    `resumed: ${resumedAt.size}/${n} terminals; last ${fmt(resumeS, 2)} s after the restart began (${fmt((lastResumed - listeningAt) / 1000, 2)} s after listening)`,
  );
  const lag = await eventLoopLag(server.base);
  if (lag) log(`  restarted server's event-loop delay from its start until then: p99 ${fmt(lag.p99ms, 1)} ms, max ${fmt(lag.maxms, 1)} ms`);

  // Keep answering a little on the restarted server, so what follows the resume is exercised too.
  await sleep(3000);
  fleet.post({ cmd: 'stop' });
  const stats = (await answered).map((a) => a.stats);
  const reports = (await fleet.all<{ terms: TermReport[] }>({ cmd: 'report' }, 'report')).flatMap((r) => r.terms);
  if (values.keep) writeFileSync(join(site.dir, 'terminals.json'), JSON.stringify({ killAt, spawnAt, listeningAt, reports }));
  await fleet.stop();
  server.child.kill('SIGTERM');
  await server.exited;

  // ---- what the killed server acked, against what the restarted server has ------------------------
  const db = new Database(dataPaths(site.dataDir).dbFile, { readonly: true });
  const rows = db.prepare('SELECT session_id AS s, id_number AS id, seq, no, choice FROM terminal_saves').all() as {
    s: string;
    id: string;
    seq: number;
    no: number;
    choice: string;
  }[];
  db.close();
  const stored = new Map(rows.map((r) => [`${r.s}\n${r.id}\n${r.seq}`, r]));
  // A save counts as lost once, however many of the checks miss it.
  const lost = new Set<string>();
  let lostInDb = 0;
  let lostInResume = 0;
  let lostAfter = 0;
  let ackedBefore = 0;
  let ackedAfter = 0;
  let committedUnacked = 0;
  let viaLogin = 0;
  let noResume = 0;
  for (const r of reports) {
    const t = byId.get(r.id)!;
    const resume = r.resumes.find((x) => x.at > killAt);
    if (!resume) noResume++;
    if (resume?.viaLogin) viaLogin++;
    const answers = new Map((resume?.answers ?? []).map((a) => [a.no, a]));
    // An ack came from the killed server when it arrived on a socket opened before the kill.
    const openedAt = new Map(r.attempts.filter(([, , what]) => what === 'open').map(([at, gen]) => [gen, at]));
    for (const [seq, no, choice, gen, viaResume] of r.acked) {
      const key = `${t.sessionId}\n${t.idNumber}\n${seq}`;
      const row = stored.get(key);
      const inDb = row !== undefined && row.no === no && row.choice === choice;
      if (viaResume) committedUnacked++;
      if (viaResume || !((openedAt.get(gen) ?? Infinity) < killAt)) {
        ackedAfter++;
        if (!inDb) lostAfter++, lost.add(key);
        continue;
      }
      ackedBefore++;
      if (!inDb) lostInDb++, lost.add(key);
      // The resumed paper lists the newest committed answer per question: this save or a later one.
      const a = answers.get(no);
      if (resume && (!a || a.seq < seq || (a.seq === seq && JSON.stringify(a.choice) !== choice))) lostInResume++, lost.add(key);
    }
  }
  // Backoff aside, how long the restarted server took to resume a terminal once its socket opened.
  const openToResume = reports
    .map((r) => {
      const resume = r.resumes.find((x) => x.at > killAt);
      const opened = r.attempts.find(([at, gen, what]) => at > killAt && what === 'open' && gen === resume?.gen);
      return resume && opened ? resume.at - opened[0] : NaN;
    })
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  const retryTimes = reports.flatMap((r) => r.attempts.filter(([at]) => at > killAt).map(([at]) => (at - killAt) / 1000));
  const sum = (k: 'sent' | 'acked' | 'resent' | 'unacked' | 'extraPapers' | 'closes') => stats.reduce((s, x) => s + x[k], 0);
  const errors: Record<string, number> = {};
  for (const x of stats) for (const [k, v] of Object.entries(x.errors)) errors[k] = (errors[k] ?? 0) + v;
  log('');
  log(
    `saves: ${sum('sent')} sent, ${sum('acked')} acked on their socket, ${sum('resent')} in flight at the kill and sent again, ${sum('unacked')} still unacked at the end, errors ${JSON.stringify(errors)}`,
  );
  log(
    `  acked by the killed server: ${ackedBefore}; acked by the restarted one: ${ackedAfter} (of which ${committedUnacked} were committed but their ack lost in the crash, seen in the resumed paper)`,
  );
  log(
    `  unacked saves not sent again because a newer answer to the same question superseded them: ${reports.reduce((s, r) => s + r.superseded, 0)}; papers re-sent on an open socket: ${sum('extraPapers')}`,
  );
  log(`  resumes: ${n - noResume} by the server unasked, ${viaLogin} needed a log-in again, ${noResume} never resumed`);
  log(
    `  acked before the kill but missing: ${lostInDb} in the SQLite file, ${lostInResume} in the resumed state${noResume ? ` (${noResume} terminals never resumed: checked in the file only)` : ''}; acked after the restart but missing from the file: ${lostAfter}`,
  );
  log(
    `  socket open → resumed (the server's part): p50 ${fmt(percentile(openToResume, 0.5), 0)} ms, max ${fmt(openToResume.at(-1) ?? NaN, 0)} ms; ${retryTimes.length} connection attempts after the kill, the last at +${fmt(Math.max(...retryTimes), 1)} s`,
  );
  log(
    `  timeline: kill → spawn ${fmt((spawnAt - killAt) / 1000, 2)} s, spawn → listening ${fmt(server.startMs / 1000, 2)} s, listening → last terminal resumed ${fmt((lastResumed - listeningAt) / 1000, 2)} s (terminals retry every 0.25 s for the first 10 s of an outage, then 0.5, 1 … 10 s)`,
  );
  log(`machine: ${machineNote()}`);
  log('');
  log(`crash: ${lost.size} lost, resume ${fmt(resumeS, 1)} s`);
} finally {
  await fleet.stop().catch(() => {});
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (values.keep) console.error(`kept ${site.dir}`);
  else removeSite(site);
}
