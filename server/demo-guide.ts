// The guide `npm start` prints after listening: where the apps are, the demo log-ins, and what to try.
// It is printed after every start, also after a restart in the middle of an exam, so each session's
// lines say what is true of it now (check-in open, exam running since, ended) from the database —
// never what was true when the demo was first seeded.
import { relative } from 'node:path';
import type { Config } from '../config/index.ts';
import type { DemoSummary, ExamService } from '../exam/index.ts';
import type { TrainingDemoSummary } from '../training/index.ts';
import { WEB_APPS } from './routes/web.ts';

/** One demo session as it stands when the guide is printed. */
export interface SessionNow {
  id: string;
  room: string;
  status: string;
  startsAt: number;
  endsAt: number;
  startedAt: number | null;
  endedAt: number | null;
  candidates: number;
  /** Through the door (admitted, at a terminal or submitted). */
  admitted: number;
  submitted: number;
  absent: number;
}

export function sessionsNow(exam: Pick<ExamService, 'plans'>, ids: string[]): SessionNow[] {
  return ids.map((id) => {
    const s = exam.plans.session(id);
    const t = exam.plans.sessionTimes(id);
    const roster = exam.plans.roster(id);
    return {
      id,
      room: s.roomId,
      status: s.status,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      candidates: roster.length,
      admitted: roster.filter((r) => r.status === 'admitted' || r.status === 'in_exam' || r.status === 'submitted').length,
      submitted: roster.filter((r) => r.status === 'submitted').length,
      absent: roster.filter((r) => r.status === 'absent').length,
    };
  });
}

/** The terminal configured at a room's seat, so the guide names a device that matches a ticket. */
function terminalAt(config: Config, room: string | undefined, seat: string | null | undefined): string | null {
  return config.terminals.find((t) => t.room === room && t.seat === seat)?.id ?? config.terminals.find((t) => t.room === room)?.id ?? null;
}

const ENDED = new Set(['ended', 'graded', 'archived']);

export function demoGuide(base: string, config: Config, demo: DemoSummary, now: SessionNow[], training: TrainingDemoSummary | null = null): string {
  // Paths under the folder npm runs in are shown short; others whole (`../../tmp/x` reads as a puzzle).
  const shown = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  const configArg = config.file ? shown(config.file) : 'FILE';
  const dataArg = shown(config.paths.data);
  const cli = `npm run examroom -- --config ${configArg} --data ${dataArg}`;
  const time = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: config.site.timezone, hour: '2-digit', minute: '2-digit' });
  const admin = config.users.find((u) => u.role === 'admin')?.password ?? 'PASSWORD';
  const invigilator = config.users.find((u) => u.role === 'invigilator');
  const inspector = config.users.find((u) => u.role === 'inspector');
  const login = `curl -s -c jar -H 'content-type: application/json' -d '{"username":"admin","password":"${admin}"}' ${base}/api/auth/login`;
  const toStatus = (id: string, status: string) =>
    `curl -s -b jar -H 'content-type: application/json' -d '{"status":"${status}"}' ${base}/api/exam/sessions/${id}/status`;
  const [first, second] = [now[0], now[1]];
  const fresh = `for a fresh demo: stop the server, delete ${dataArg} and run npm start again`;

  /** What is true of a session now, in one clause. */
  const stateOf = (s: SessionNow): string => {
    if (s.status === 'scheduled' || s.status === 'papers_ready') return `check-in is not open yet (the exam starts at ${time(s.startsAt)})`;
    if (s.status === 'checkin') return `check-in is open, ${s.admitted} of ${s.candidates} candidates admitted; the exam starts at ${time(s.startsAt)}`;
    if (s.status === 'in_progress')
      // The candidates' clocks run from the actual start: an early start ends early too (plus any added time).
      return `the exam is in progress since ${time(s.startedAt ?? s.startsAt)}${s.startedAt !== null && s.startedAt < s.startsAt ? ` (started early; planned ${time(s.startsAt)})` : ''}, ${s.submitted} of ${s.admitted} submitted, ends at ${time((s.startedAt ?? s.startsAt) + (s.endsAt - s.startsAt))} unless time is added`;
    return `the exam ended${s.endedAt !== null ? ` at ${time(s.endedAt)}` : ''} (status ${s.status}), ${s.submitted} of ${s.candidates} submitted, ${s.absent} absent`;
  };

  const terminalLines = (): string[] => {
    if (!first) return [];
    const head = `Sit the exam on a terminal (room ${first.room}: ${stateOf(first)}):`;
    if (ENDED.has(first.status))
      return [
        head,
        `  replay it: ${base}/inspector/ (log in as ${inspector?.username ?? 'an inspector'}) → the session's details → playback; or ${base}/proctor/ → playback, a seat's 屏幕录像`,
        `  ${fresh}`,
      ];
    const open = [
      "  1. open a seat's terminal page in a browser; an unpaired one shows a six-digit pairing code:",
      ...demo.tickets
        .slice(0, 3)
        .map((t) => `       ${base}/terminal/?device=${terminalAt(config, first.room, t.seat) ?? '?'}   seat ${t.seat}: ${t.name}, ticket ${t.ticketNo}`),
      `  2. approve the code: ${base}/admin/#/devices (it appears there as it is asked for) → 批准; or ${cli} device approve CODE`,
    ];
    if (first.status === 'in_progress')
      return [
        head,
        ...open,
        '  3. log in with the ticket of the candidate at that seat: the paper opens at once, a candidate who had started goes on where they were',
      ];
    const steps = [head, ...open, '  3. log in with the ticket of the candidate at that seat'];
    if (first.status === 'scheduled' || first.status === 'papers_ready')
      steps.push(`  first open check-in: ${base}/admin/ → 今日考务 → ${first.id} → 开启检录; or as admin: ${login}`, `       ${toStatus(first.id, 'checkin')}`);
    steps.push(
      `  4. start the exam now instead of at ${time(first.startsAt)}: ${base}/admin/ → 今日考务 → 开始考试 (the server pushes the papers); or:`,
      `       ${login}`,
      `       ${toStatus(first.id, 'in_progress')}`,
    );
    return steps;
  };

  const kioskLines = (): string[] => {
    if (!second) return [];
    const head = `Try the entrance kiosk (room ${second.room}: ${stateOf(second)}; README "Try the entrance kiosk"):`;
    if (ENDED.has(second.status)) return [head, `  the kiosk admits only while a session of its rooms is open for check-in or in progress; ${fresh}`];
    return [
      head,
      ...(second.status === 'scheduled' || second.status === 'papers_ready'
        ? [`  first open check-in: ${base}/admin/ → 今日考务 → ${second.id} → 开启检录; or as admin: ${login}`, `       ${toStatus(second.id, 'checkin')}`]
        : []),
      `  1. open ${base}/kiosk/ and approve its pairing code in ${base}/admin/#/devices as ${config.kiosks[0]?.id ?? 'K1'}; or ${cli} device approve CODE --as ${config.kiosks[0]?.id ?? 'K1'}`,
      '  2. type an ID number, or swipe a simulated ID card:',
      `       node --import tsx kiosk/reader-sim.ts --url ${base} --kiosk ${config.kiosks[0]?.id ?? 'K1'} --user admin --password ${admin} --id ID --name NAME`,
      ...demo.kioskCandidates.map((c) => `       ${c.idNumber}  ${c.name}  (roster photo ${c.photo ?? 'none'})`),
      `  3. a face that does not match is refused; staff override at the kiosk with ${config.users.find((u) => u.role === 'invigilator' && u.rooms?.includes(second.room))?.username ?? 'an invigilator'} and a reason`,
    ];
  };

  const lines = [
    '',
    `examroom demo site: ${config.site.name} (${config.site.id}); data in ${config.paths.data}`,
    '',
    `Start here — the office console (log in as admin / ${admin}):`,
    `  ${base}/admin/   today's sessions and what each still needs, devices and their pairing codes, the question bank,`,
    '                 plans and sessions (rosters, seats, admission tickets, papers), results and records, people, system',
    '',
    'Web apps:',
    // URL first: CJK names are double-width, so padding after them would not line up.
    ...WEB_APPS.map((a) => `  ${`${base}${a.path}`.padEnd(base.length + 14)} ${a.name}`),
    `  ${`${base}/docs`.padEnd(base.length + 14)} API documentation (OpenAPI)`,
    `  ${`${base}/healthz`.padEnd(base.length + 14)} health`,
    '',
    `Live video of the ${config.cameras.length} simulated cameras (log in as admin, an invigilator or an inspector below):`,
    `  ${base}/live/`,
    ...config.cameras.map((c) => `  ${base}/live/?source=${encodeURIComponent(c.id)}   ${c.name} (${c.room})`),
    '',
    'Demo log-ins (user / password / role):',
    ...config.users
      .filter((u) => u.password)
      .map(
        (u) =>
          `  ${u.username.padEnd(14)} ${u.password!.padEnd(20)} ${u.role}${u.rooms ? ` rooms ${u.rooms.join(',')}` : ''}${u.jurisdiction ? ` ${u.jurisdiction.level} ${u.jurisdiction.code}` : ''}`,
      ),
    '',
    'Pair a device: open its page (a terminal or the kiosk); it shows a code, which appears at once in',
    `  ${base}/admin/#/devices → 批准 (or by script: npm run examroom -- device approve CODE --config ${configArg} --data ${dataArg})`,
    `Exam engine (bank version ${demo.bankVersion ?? '-'}${demo.created ? ', just installed from a signed demo package' : ''}):`,
    ...now.map(
      (s) =>
        `  session ${s.id}  room ${s.room}  starts ${time(s.startsAt)}  ${s.candidates} candidates  template ${demo.sessions.find((x) => x.id === s.id)?.templateId ?? '-'}  ${s.status}`,
    ),
    `  seats, admission tickets, papers: ${base}/admin/#/plans?session=${first?.id ?? 'ID'}`,
    `  by script: ${cli} session list`,
    `       ${cli} template check gm-principal-general`,
    `       ${cli} bank list`,
    ...(demo.graded
      ? [
          '',
          `Taken and graded at the demo's first start (room ${demo.graded.room}, ${time(demo.graded.startsAt)}, ${demo.graded.candidates} candidates; log in as admin or ${invigilator?.username ?? 'an invigilator'} first):`,
          `  results, score reports, certificates, archive: ${base}/admin/#/results?session=${demo.graded.id}`,
          `  results sheet 成绩汇总表: ${base}/api/records/sessions/${demo.graded.id}/results.pdf   (the room log's sign-off: ${base}/proctor/?room=${demo.graded.room}&session=${demo.graded.id})`,
        ]
      : []),
    '',
    ...terminalLines(),
    '',
    ...kioskLines(),
    '',
    ...(training
      ? [
          `A training class (培训班), yesterday already held (docs/training.md): log in as ${config.users.find((u) => u.role === 'headteacher')?.username ?? 'admin'} / ${config.users.find((u) => u.role === 'headteacher')?.password ?? 'PASSWORD'} (its 班主任) or admin`,
          `  attendance now:   ${base}/api/training/classes/${training.classId}/attendance`,
          `  hours, absences:  ${base}/api/training/classes/${training.classId}/hours   ${base}/api/training/classes/${training.classId}/absences.csv`,
          `  sign in at the training kiosk: ${base}/kiosk/?mode=training (培训签到 · 签退; members ${training.members
            .slice(0, 2)
            .map((m) => `${m.idNumber} ${m.name}`)
            .join(', ')} …)`,
          '',
        ]
      : []),
    'Invigilate and inspect (README "Try the proctor console"):',
    `  ${base}/proctor/     log in as ${invigilator?.username ?? 'an invigilator'} / ${invigilator?.password ?? 'PASSWORD'}: seat map of ${first?.room ?? 'R101'}, alerts (each with 回放, its recording), commands, camera tiles, a seat's 屏幕录像`,
    `  ${base}/inspector/   log in as ${inspector?.username ?? 'an inspector'} / ${inspector?.password ?? 'PASSWORD'}: read-only, every view audited; a session's details replay its cameras and screens`,
    ...(first && !ENDED.has(first.status)
      ? [
          `  close a logged-in terminal tab: its seat turns offline at once; an alert follows if it stays away ${config.exam.reconnectGraceSeconds} s (a shorter blip is one resolved record)`,
        ]
      : []),
    '',
    'Stop with Ctrl-C.',
    '',
  ];
  return lines.join('\n');
}
