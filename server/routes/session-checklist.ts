// A session's checklist before it starts (the admin console's today page): one answer, composed here in
// the composition root because it reads four modules — exam (bank, template, roster, seats, papers),
// kiosk (photo enrolments), devices and terminal presence, media (cameras, disk) — each through its
// public face. It only reads: nothing here writes another module's tables, and asking changes nothing.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { iso } from '../../core/index.ts';
import type { Clock } from '../../core/index.ts';
import { seatIds, type Config } from '../../config/index.ts';
import { checkTemplate, poolFor, type ExamService } from '../../exam/index.ts';
import { SessionChecklistT, type ChecklistItem, type SessionChecklist } from '../../exam/protocol.ts';
import type { KioskService } from '../../kiosk/index.ts';
import type { MediaService } from '../../media/index.ts';
import type { TerminalService } from '../../terminal/index.ts';
import type { DeviceService } from '../auth/devices.ts';
import { errors } from './schemas.ts';

export interface ChecklistParts {
  config: Config;
  clock: Clock;
  exam: ExamService;
  kiosk: Pick<KioskService, 'identity'>;
  devices: Pick<DeviceService, 'list' | 'warningsForRoom'>;
  terminal: Pick<TerminalService, 'presence'>;
  media: Pick<MediaService, 'sources' | 'disk' | 'runForecast'>;
}

/** Problems and names listed per item: enough to act on, never the whole roster. */
const MAX_NAMES = 10;
const some = (xs: string[]) => xs.slice(0, MAX_NAMES);

/** The checklist of one session as the server sees it now (NotFound for an unknown session). */
export function sessionChecklist(parts: ChecklistParts, sessionId: string): SessionChecklist {
  const { config, clock, exam, kiosk, devices, terminal, media } = parts;
  const s = exam.plans.session(sessionId);
  const summary = exam.plans.sessionSummary(s.id);
  const plansFix = { page: 'plans' as const, params: { session: s.id } };
  // Once check-in opens, papers, seats and roster are what the session runs on: the list reports them, nothing blocks any more.
  const before = s.status === 'scheduled' || s.status === 'papers_ready';
  const items: ChecklistItem[] = [];

  // Bank: papers come from the latest version; once generated, the session is pinned to its version.
  const latest = exam.bank.latest();
  const version = s.bankVersion ?? latest?.id ?? null;
  if (!latest) {
    items.push({
      id: 'bank',
      state: 'missing',
      blocks: before,
      counts: {},
      names: [],
      detail: 'the question bank is empty: import questions or install a bank package',
      fix: { page: 'bank', params: {} },
    });
  } else {
    const newer = s.bankVersion !== null && s.bankVersion !== latest.id && before;
    items.push({
      id: 'bank',
      state: newer ? 'warn' : 'ok',
      blocks: false,
      counts: { questions: latest.questionCount, newer: newer ? 1 : 0 },
      names: s.bankVersion && s.bankVersion !== latest.id ? [s.bankVersion, latest.id] : [latest.id],
      detail: newer
        ? `papers were generated from bank version ${s.bankVersion}; version ${latest.id} arrived since — generate the papers again to use it`
        : `bank version ${version} (${latest.questionCount} questions in the latest)`,
      fix: newer ? plansFix : { page: 'bank', params: {} },
    });
  }

  // Template: the session's own snapshot against the bank it draws from, for as many papers as the roster needs.
  const templateFix = { page: 'templates' as const, params: { template: s.templateId } };
  if (!version) {
    items.push({
      id: 'template',
      state: 'missing',
      blocks: before,
      counts: { noBank: 1 },
      names: [s.template.name],
      detail: `template ${s.templateId} cannot be checked: the bank is empty`,
      fix: templateFix,
    });
  } else {
    const check = checkTemplate(s.template, poolFor(exam.bank, version, s.template), summary.roster ? { papers: summary.roster } : {});
    const problems = check.ok ? [] : check.problems.map((p) => `${p.path}: ${p.problem}`);
    items.push({
      id: 'template',
      state: !check.ok ? 'missing' : check.warnings.length ? 'warn' : 'ok',
      blocks: before && !check.ok,
      counts: { poolSize: check.poolSize, problems: problems.length, warnings: check.warnings.length },
      names: [s.template.name, ...some(check.ok ? check.warnings : problems)],
      detail: check.ok
        ? `template ${s.templateId} can be filled from bank version ${version} (${check.poolSize} questions to draw from)${check.warnings.length ? `; ${check.warnings.join('; ')}` : ''}`
        : `template ${s.templateId} cannot be filled from bank version ${version}: ${problems.join('; ')}`,
      fix: templateFix,
    });
  }

  // Roster.
  items.push({
    id: 'roster',
    state: summary.roster ? 'ok' : 'missing',
    blocks: before && summary.roster === 0,
    counts: { roster: summary.roster, retakes: summary.retakes },
    names: [],
    detail: summary.roster ? `${summary.roster} candidates on the roster (${summary.retakes} retaking)` : 'nobody on the roster: import it',
    fix: plansFix,
  });

  // Photos: the kiosk's enrolment of each roster photo. Refused or absent photos leave the face check nothing to compare with.
  const enrolled = summary.roster ? kiosk.identity.enrolments(s.id) : [];
  // By name: tickets are random now, and a person scans a list of names alphabetically (pinyin order).
  const by = (st: string) =>
    enrolled.filter((e) => e.status === st).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.ticketNo.localeCompare(b.ticketNo));
  const [ok, refused, noPhoto, pending] = [by('ok'), by('refused'), by('no_photo'), by('pending')];
  const warned = ok.filter((e) => e.warnings.length > 0);
  const photoState = summary.roster === 0 || refused.length || noPhoto.length ? 'missing' : pending.length || warned.length ? 'warn' : 'ok';
  items.push({
    id: 'photos',
    state: photoState,
    blocks: false,
    counts: { roster: summary.roster, enrolled: ok.length, refused: refused.length, noPhoto: noPhoto.length, pending: pending.length, warned: warned.length },
    names: some([...refused, ...noPhoto, ...warned, ...pending].map((e) => `${e.name} (${e.ticketNo})`)),
    detail:
      summary.roster === 0
        ? 'no roster, so no photos'
        : `${ok.length} of ${summary.roster} photos enrolled; ${refused.length} refused by the face engine, ${noPhoto.length} without a photo, ${pending.length} not enrolled yet, ${warned.length} usable with warnings`,
    fix: plansFix,
  });

  // Seats.
  const unseated = summary.roster - summary.seated;
  items.push({
    id: 'seats',
    state: summary.roster && unseated === 0 ? 'ok' : 'missing',
    blocks: before && (summary.roster === 0 || unseated > 0),
    counts: { roster: summary.roster, seated: summary.seated, unseated },
    names: [],
    detail: summary.roster ? `${summary.seated} of ${summary.roster} candidates seated` : 'no roster to seat',
    fix: plansFix,
  });

  // Papers: one per candidate, made before check-in.
  const papersOk = summary.roster > 0 && summary.papers >= summary.roster && s.status !== 'scheduled';
  items.push({
    id: 'papers',
    state: papersOk ? 'ok' : 'missing',
    blocks: before && !papersOk,
    counts: { roster: summary.roster, papers: summary.papers },
    names: s.bankVersion ? [s.bankVersion] : [],
    detail: papersOk
      ? `${summary.papers} papers from bank version ${s.bankVersion}`
      : summary.papers && s.status === 'scheduled'
        ? `${summary.papers} papers for ${summary.roster} candidates: the roster changed since; generate the papers again`
        : `${summary.papers} papers for ${summary.roster} candidates: generate them`,
    fix: plansFix,
  });

  // Terminals of the room: paired, online now (over the terminal WebSocket), and their health report clean.
  const roomTerminals = devices.list().filter((d) => d.kind === 'terminal' && d.configured && d.room === s.roomId);
  const unpaired = roomTerminals.filter((d) => d.state !== 'paired');
  // A PC at a seat nobody of this session sits at is a spare: off is fine (seats not drawn yet: none is known to be spare).
  const seated = new Set(exam.plans.roster(s.id).flatMap((e) => (e.seat && e.status !== 'absent' ? [e.seat] : [])));
  const spare = (d: { seat: string | null }) => seated.size > 0 && d.seat !== null && !seated.has(d.seat);
  const offline = roomTerminals.filter((d) => d.state === 'paired' && !terminal.presence(d.id).online && !spare(d));
  // A paired terminal's health report counts; "no report" of an unpaired or offline one says nothing more than that.
  const paired = new Set(roomTerminals.filter((d) => d.state === 'paired').map((d) => d.id));
  const unhealthy = devices
    .warningsForRoom(s.roomId)
    .filter((w) => w.kind === 'terminal' && paired.has(w.deviceId) && w.problems.some((p) => p !== 'no_report' && p !== 'offline'));
  const pairedCount = roomTerminals.length - unpaired.length;
  const tooFew = pairedCount < summary.roster;
  // Once seats are drawn, "too few PCs" is said by seat: the candidates whose seat has no paired PC.
  const pcSeats = new Set(roomTerminals.flatMap((d) => (d.state === 'paired' && d.seat !== null ? [d.seat] : [])));
  const room = config.rooms.find((r) => r.id === s.roomId);
  const noPc = (room ? seatIds(room) : [...seated].sort()).filter((x) => seated.has(x) && !pcSeats.has(x));
  const spares = roomTerminals.filter((d) => d.state === 'paired' && spare(d)).map((d) => d.id);
  // names, in parts each cut to a few: the unpaired PCs, the offline ones, those with a health problem,
  // the spare PCs, the seats without a PC; the *Named counts say where each part ends, so every count's
  // words name its own PCs.
  const unpairedNames = some(unpaired.map((d) => d.id));
  const offlineNames = some(offline.map((d) => d.id));
  const unhealthyNames = some(unhealthy.map((w) => w.deviceId).filter((x, i, a) => a.indexOf(x) === i && !offline.some((d) => d.id === x)));
  const problem = [...unpairedNames, ...offlineNames, ...unhealthyNames];
  items.push({
    id: 'terminals',
    state: roomTerminals.length === 0 || unpaired.length ? 'missing' : offline.length || unhealthy.length || tooFew || noPc.length ? 'warn' : 'ok',
    blocks: false,
    counts: {
      terminals: roomTerminals.length,
      unpaired: unpaired.length,
      offline: offline.length,
      unhealthy: unhealthy.length,
      roster: summary.roster,
      seated: seated.size,
      spare: spares.length,
      seatsWithoutPc: noPc.length,
      named: problem.length,
      unpairedNamed: unpairedNames.length,
      offlineNamed: offlineNames.length,
      unhealthyNamed: unhealthyNames.length,
      spareNamed: some(spares).length,
    },
    names: [...problem, ...some(spares), ...some(noPc)],
    detail:
      roomTerminals.length === 0
        ? `room ${s.roomId} has no terminal in the config`
        : `${pairedCount} of ${roomTerminals.length} terminals paired${unpaired.length ? ` (not: ${some(unpaired.map((d) => d.id)).join(', ')})` : ''}; ${offline.length} paired but offline${offline.length ? ` (${some(offline.map((d) => d.id)).join(', ')})` : ''}; ${unhealthy.length} with a health problem${unhealthy.length ? ` (${unhealthy.map((w) => w.message).join('; ')})` : ''}${spares.length ? `; ${spares.length} spare (nobody of this session sits at its seat): ${some(spares).join(', ')}` : ''}${noPc.length ? `; ${noPc.length} candidates sit at a seat without a paired terminal: ${some(noPc).join(', ')}` : seated.size === 0 && tooFew ? `; ${summary.roster} candidates, ${pairedCount} paired terminals` : ''}`,
    fix: { page: 'devices', params: { room: s.roomId } },
  });

  // Cameras of the room: ingest up. `record: sessions` cameras record only inside the session's window, so "up" is what counts before it.
  const cameras = media.sources().filter((x) => x.room === s.roomId && x.kind === 'camera');
  const down = cameras.filter((x) => x.state === 'down');
  items.push({
    id: 'cameras',
    state: cameras.length === 0 ? 'warn' : down.length ? 'missing' : 'ok',
    blocks: false,
    counts: { cameras: cameras.length, down: down.length, recording: cameras.filter((x) => x.recording).length },
    names: some(down.map((x) => `${x.name}${x.reason ? `: ${x.reason}` : ''}`)),
    detail:
      cameras.length === 0
        ? `room ${s.roomId} has no camera in the config: nothing records the room`
        : `${cameras.length - down.length} of ${cameras.length} cameras up, ${cameras.filter((x) => x.recording).length} recording now${down.length ? `; down: ${down.map((x) => `${x.name} (${x.reason ?? 'no reason given'})`).join(', ')}` : ''}`,
    fix: { page: 'system', params: { room: s.roomId } },
  });

  // Disk: recording blocked is missing; low, or full before the retention period or before this session ends, is a warning.
  const disk = media.disk();
  const forecast = media.runForecast();
  const fullBeforeEnd = forecast.fullAt !== null && forecast.fullAt < s.endsAt;
  const days = forecast.daysUntilFull === null ? -1 : Math.floor(forecast.daysUntilFull);
  items.push({
    id: 'disk',
    state: disk.recordingBlocked || fullBeforeEnd ? 'missing' : disk.low || !forecast.ok ? 'warn' : 'ok',
    blocks: false,
    counts: {
      freeBytes: disk.freeBytes,
      minFreeBytes: disk.minFreeBytes,
      daysUntilFull: days,
      retentionDays: config.retention.days,
      low: disk.low ? 1 : 0,
      blocked: disk.recordingBlocked ? 1 : 0,
      forecastOk: forecast.ok ? 1 : 0,
    },
    names: [],
    detail: disk.recordingBlocked
      ? `the media disk is below its reserve (${disk.freeBytes} bytes free): no recording starts`
      : fullBeforeEnd
        ? 'the media disk fills up before this session ends'
        : `${disk.freeBytes} bytes free${disk.low ? ' (below the minimum)' : ''}; ${forecast.ok ? 'the retention period fits' : 'the retention period does not fit'}${days >= 0 ? `, full in about ${days} days` : ''}`,
    fix: { page: 'system', params: {} },
  });

  const statuses = exam.plans.roster(s.id).map((e) => e.status);
  const count = (...st: string[]) => statuses.filter((x) => st.includes(x)).length;
  return {
    sessionId: s.id,
    status: s.status,
    roomId: s.roomId,
    checkedAt: iso(clock.now())!,
    ready: !items.some((i) => i.blocks),
    items,
    people: {
      roster: statuses.length,
      admitted: count('admitted', 'in_exam', 'submitted'),
      atTerminal: count('in_exam', 'submitted'),
      submitted: count('submitted'),
      absent: count('absent'),
    },
  };
}

export const sessionChecklistRoutes: FastifyPluginAsync<{ parts: ChecklistParts }> = async (app, { parts }) => {
  app.get(
    '/api/exam/sessions/:sessionId/checklist',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['exam plans'],
        summary:
          'What is still missing before a session can start: bank, template, roster, photos, seats, papers, terminals, cameras, disk — each with the admin page that fixes it',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: SessionChecklistT, ...errors },
      },
    },
    async (request) => sessionChecklist(parts, (request.params as { sessionId: string }).sessionId),
  );
};
