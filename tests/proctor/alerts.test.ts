// Alert rules, each from a real event made by a real part of the app where one can make it here:
// a terminal WebSocket dropping, a terminal reporting focus lost, an ffmpeg that cannot reach its
// camera. The disk rules are fed their media events (filling a disk is media's own test).
import t from 'tap';
import { PassThrough } from 'node:stream';
import type { EventMap } from '../../core/index.ts';
import { SCREEN_FORMAT } from '../../media/screens.ts';
import { textOf } from '../../proctor/alert-words.ts';
import { A, Term, logIn, room } from './fixture.ts';
import { until } from '../wait.ts';

/** A short grace, so a closed terminal is alerted within the test's patience. */
const GRACE = 'exam: { reconnectGraceSeconds: 0.3 }\n';

t.test('an answering candidate’s terminal offline beyond the grace raises an alert naming them; back clears it; again folds into it', async (t) => {
  const r = await room(t, { extraYaml: GRACE });
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), false);
  await term.close();
  t.notOk(
    r.app.proctor.alerts.list({ rooms: ['R1'] }).some((a) => a.kind === 'terminal_offline'),
    'nothing within the grace',
  );
  const alert = await until('offline alert', () => r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'terminal_offline'));
  t.match(alert, {
    roomId: 'R1',
    sessionId: r.sessionId,
    terminalId: 'T1',
    seat: '01',
    idNumber: A,
    severity: 'warning',
    event: 'terminal.offline',
    clearedAt: null,
    resolvedAt: null,
    acknowledged: null,
  });
  t.match(alert.text.zh, /T1 离线.*甲/);
  t.match(alert.text.en, /Terminal T1 offline.*甲/);

  const again = await Term.open(t, r.port, r.tokens.T1);
  await again.take('logged_in');
  const cleared = r.app.proctor.alerts.get(alert.id);
  t.ok(cleared.clearedAt, 'terminal.online marks it cleared');
  t.equal(cleared.acknowledged, null, 'and it stays unacknowledged, so it stays listed');
  t.ok(r.app.proctor.alerts.list({ rooms: ['R1'], open: true }).some((a) => a.id === alert.id));

  await again.close();
  const folded = await until('the second outage', () => {
    const a = r.app.proctor.alerts.get(alert.id);
    return a.repeats === 2 ? a : null;
  });
  t.match(folded, { clearedAt: null, acknowledged: null }, 'the same alert counts up and is open again, not a second row');
  t.ok(folded.lastAt >= alert.lastAt, 'with the latest time');
  t.equal(r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'terminal_offline').length, 1, 'one row for the seat');
});

t.test('a terminal back within the grace is one resolved record, not an alert; blips of one seat fold', async (t) => {
  const r = await room(t, { extraYaml: 'exam: { reconnectGraceSeconds: 1 }\n' });
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), false);
  const pushed: EventMap['proctor.alert'][] = [];
  r.app.ctx.bus.on('proctor.alert', (p) => pushed.push(p));
  // Three reloads of the page: closed, and back (the server resumes the attempt) at once.
  let current = term;
  for (let i = 0; i < 3; i++) {
    await current.close();
    current = await Term.open(t, r.port, r.tokens.T1);
    await current.take('logged_in');
  }
  // Past the grace of every outage above: nothing more may come.
  await new Promise((res) => setTimeout(res, 1500));
  const all = r.app.proctor.alerts.list({ rooms: ['R1'] });
  t.same(
    all.map((a) => a.kind),
    ['terminal_offline'],
    'one record',
  );
  t.match(all[0], { severity: 'info', repeats: 3, idNumber: A, seat: '01', acknowledged: null });
  t.ok(all[0]!.resolvedAt, 'resolved by itself');
  t.ok(typeof all[0]!.params.downMs === 'number', 'how long it was away');
  t.match(all[0]!.text.zh, /T1 短暂断线 \d+ 秒，已自动恢复.*甲/);
  t.equal(r.app.proctor.alerts.list({ rooms: ['R1'], open: true }).length, 0, 'nothing open');
  t.equal(r.app.proctor.alerts.openCount(['R1']), 0);
  t.equal(r.app.proctor.alerts.openBySession(r.sessionId).size, 0, 'no badge on the seat');
  t.same([...new Set(pushed.map((p) => p.change))].sort(), ['new', 'update'], 'announced once, then folded');
  const ack = await r.app.inject({
    method: 'POST',
    url: `/api/proctor/alerts/${all[0]!.id}/ack`,
    headers: { cookie: await r.as('invig') },
    payload: { note: 'x' },
  });
  t.equal(ack.statusCode, 409, 'there is nothing to acknowledge');
});

t.test('a terminal with nobody logged in, or after its candidate submitted, raises no alert', async (t) => {
  const r = await room(t, { start: true, extraYaml: 'exam: { reconnectGraceSeconds: 0 }\n' });
  const idle = await Term.open(t, r.port, r.tokens.T2);
  await idle.close();
  const t1 = await Term.open(t, r.port, r.tokens.T1);
  await logIn(t1, r.ticket(A), true);
  t1.send({ type: 'submit', confirm: true });
  await t1.take('submitted');
  await t1.close();
  await new Promise((res) => setTimeout(res, 300));
  t.same(
    r.app.proctor.alerts.list({ rooms: ['R1'] }).map((a) => a.kind),
    [],
    'neither the idle T2 nor T1 after the submission',
  );
});

t.test('integrity events from one seat fold into one alert with a count per kind', async (t) => {
  const r = await room(t, { start: true });
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), true);
  await term.ask({ type: 'integrity', kind: 'focus_lost', detail: '3 s' }, 'noted');
  await term.ask({ type: 'integrity', kind: 'focus_lost', detail: '5 s' }, 'noted');
  await term.ask({ type: 'integrity', kind: 'paste' }, 'noted');
  const list = r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'integrity');
  t.equal(list.length, 1, 'focus_lost twice and paste: one alert for the seat');
  t.match(list[0], {
    repeats: 3,
    idNumber: A,
    terminalId: 'T1',
    seat: '01',
    sessionId: r.sessionId,
    params: { kind: 'paste', kinds: { focus_lost: 2, paste: 1 } },
  });
  t.match(
    list[0]!.text,
    { zh: /^考试机 T1：.*01 号座）? 离开了考试窗口 ×2；尝试粘贴$/, en: /^Terminal T1: .* — left the exam window ×2; tried to paste$/ },
    'the text says what happened in words, not the protocol code, with how often',
  );
});

t.test('several alerts are acknowledged with one note, each audited; a stale or foreign selection is handled', async (t) => {
  const r = await room(t, { start: true });
  const bus = r.app.ctx.bus;
  for (const id of ['CAM-A', 'CAM-B', 'CAM-C'])
    bus.emit('camera.down', { sourceId: id, kind: 'camera', room: 'R1', at: r.clock.now(), reason: 'no route', stopped: false });
  bus.emit('camera.down', { sourceId: 'CAM-R2', kind: 'camera', room: 'R2', at: r.clock.now(), reason: 'no route', stopped: false });
  const ids = (room: string) =>
    r.app.proctor.alerts
      .list({ rooms: [room] })
      .filter((a) => a.kind === 'camera_down' && a.roomId === room)
      .map((a) => a.id);
  const [a, b, c] = ids('R1');
  const [other] = ids('R2');
  const invig = await r.as('invig');
  const post = (payload: object) => r.app.inject({ method: 'POST', url: '/api/proctor/alerts/ack', headers: { cookie: invig }, payload });

  t.equal((await post({ ids: [a, other], note: '已检查' })).statusCode, 403, 'an alert of another room in the selection: refused');
  t.equal((await post({ ids: [a, 'nope'], note: '已检查' })).statusCode, 404, 'an unknown id: refused');
  t.equal((await post({ ids: [a], note: '  ' })).statusCode, 400, 'a blank note: refused');
  t.equal(r.app.proctor.alerts.get(a!).acknowledged, null, 'and none of that changed anything');

  t.equal(
    (await r.app.inject({ method: 'POST', url: `/api/proctor/alerts/${c}/ack`, headers: { cookie: invig }, payload: { note: '先处理' } })).statusCode,
    200,
  );
  const res = await post({ ids: [a, b, c], note: '交换机重启，已恢复' });
  t.equal(res.statusCode, 200, res.body);
  const body = res.json() as { acknowledged: { id: string; acknowledged: { note: string } }[]; skipped: { id: string }[] };
  t.same(body.acknowledged.map((x) => x.id).sort(), [a, b].sort());
  t.ok(
    body.acknowledged.every((x) => x.acknowledged.note === '交换机重启，已恢复'),
    'one note on each',
  );
  t.same(
    body.skipped.map((x) => x.id),
    [c],
    'the one a colleague handled first is skipped, not an error',
  );
  const audit = (
    r.app.ctx.db.prepare("SELECT target, detail FROM audit_log WHERE action = 'proctor.alert.ack' AND actor = 'user:invig'").all() as {
      target: string;
      detail: string;
    }[]
  ).map((x) => ({ target: x.target, ...(JSON.parse(x.detail) as object) }));
  t.match(
    audit.filter((x) => x.target !== c).sort((x, y) => x.target.localeCompare(y.target)),
    [a, b].sort().map((id) => ({ target: id, note: '交换机重启，已恢复', batch: 2, kind: 'camera_down' })),
    'each acknowledgement audited, with how many went together',
  );
  t.equal(r.app.proctor.alerts.openCount(['R1']), 0);
});

t.test('acknowledging takes a note, is audited, and cannot happen twice or from another room', async (t) => {
  const r = await room(t, { extraYaml: GRACE });
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), false);
  await term.close();
  const alert = await until('offline alert', () => r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'terminal_offline'));
  const invig = await r.as('invig');
  const invig2 = await r.as('invig2');
  const url = `/api/proctor/alerts/${alert.id}/ack`;

  const other = await r.app.inject({ method: 'POST', url, headers: { cookie: invig2 }, payload: { note: '看过了' } });
  t.equal(other.statusCode, 403, 'the invigilator of R2 may not acknowledge an R1 alert');
  const empty = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { note: '   ' } });
  t.equal(empty.statusCode, 400, 'a blank note is refused');
  t.equal(r.app.proctor.alerts.get(alert.id).acknowledged, null, 'and changes nothing');

  const ok = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { note: '网线松动，已重新插好' } });
  t.equal(ok.statusCode, 200, ok.body);
  t.match(ok.json(), { id: alert.id, acknowledged: { by: 'user:invig', note: '网线松动，已重新插好' } });
  t.notOk(ok.json().idNumber === A, 'the invigilator sees a masked ID number');
  const audit = r.app.ctx.db.prepare("SELECT actor, target, detail FROM audit_log WHERE action = 'proctor.alert.ack'").all() as {
    actor: string;
    target: string;
    detail: string;
  }[];
  t.equal(audit.length, 1);
  t.match(audit[0], { actor: 'user:invig', target: alert.id });
  t.match(JSON.parse(audit[0]!.detail), { note: '网线松动，已重新插好', kind: 'terminal_offline', room: 'R1' });

  const twice = await r.app.inject({ method: 'POST', url, headers: { cookie: invig }, payload: { note: 'again' } });
  t.equal(twice.statusCode, 409);

  const open = await r.app.inject({ method: 'GET', url: '/api/proctor/alerts?room=R1&open=true', headers: { cookie: invig } });
  t.notOk(
    (open.json() as { id: string }[]).some((a) => a.id === alert.id),
    'an acknowledged alert leaves the open list',
  );
  const all = await r.app.inject({ method: 'GET', url: `/api/proctor/alerts?room=R1&since=${alert.at}`, headers: { cookie: invig } });
  t.ok(
    (all.json() as { id: string }[]).some((a) => a.id === alert.id),
    'but stays in the history',
  );
  const r2 = await r.app.inject({ method: 'GET', url: '/api/proctor/alerts?room=R1', headers: { cookie: invig2 } });
  t.equal(r2.statusCode, 403, 'R2’s invigilator cannot list R1’s alerts');
});

t.test('a terminal screen the appliance stops taking (the terminal stopped sharing) raises no camera_down', async (t) => {
  const r = await room(t);
  const downs: EventMap['camera.down'][] = [];
  r.app.ctx.bus.on('camera.down', (p) => downs.push(p));
  await r.app.media.addSource({
    id: 'SCREEN-T1',
    name: 'T1 屏幕',
    room: 'R1',
    kind: 'screen',
    audio: false,
    input: { stream: new PassThrough(), format: SCREEN_FORMAT },
  });
  // Removed once its ffmpeg runs (what a terminal closing its screen socket does).
  await new Promise((res) => setTimeout(res, 2000));
  await r.app.media.removeSource('SCREEN-T1');
  await until('the stopped screen to go down', () => downs.find((d) => d.sourceId === 'SCREEN-T1'), 10_000);
  t.match(
    downs.find((d) => d.sourceId === 'SCREEN-T1'),
    { kind: 'screen', stopped: true },
  );
  t.notOk(
    r.app.proctor.alerts.list({ rooms: ['R1'] }).some((a) => a.kind === 'camera_down'),
    'no alert for a screen ended on purpose',
  );
  // A screen whose ingest fails is still alerted.
  r.app.ctx.bus.emit('camera.down', {
    sourceId: 'SCREEN-T2',
    kind: 'screen',
    room: 'R1',
    at: r.clock.now(),
    reason: 'ffmpeg exited with code 1',
    stopped: false,
  });
  t.match(
    r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'camera_down'),
    { sourceId: 'SCREEN-T2', severity: 'warning', params: { kind: 'screen' } },
  );
});

t.test('a camera that cannot be reached raises camera_down for its room', async (t) => {
  const r = await room(t);
  r.app.media.addSource({ id: 'CAM-R1-X', name: '后门', room: 'R1', kind: 'camera', input: { url: 'rtsp://127.0.0.1:1/none' } });
  const alert = await until('camera alert', () => r.app.proctor.alerts.list({ rooms: ['R1'] }).find((a) => a.kind === 'camera_down'), 20_000);
  t.match(alert, { sourceId: 'CAM-R1-X', roomId: 'R1', severity: 'critical', event: 'camera.down', params: { kind: 'camera' } });
  t.match(alert.text.zh, /^摄像头中断：后门（CAM-R1-X），/, 'named as the site calls it, its id beside');
  await r.app.media.removeSource('CAM-R1-X');
  // The up event of a recovered camera clears it (ingest's own tests make the camera come back).
  r.app.ctx.bus.emit('camera.up', { sourceId: 'CAM-R1-X', kind: 'camera', room: 'R1', at: r.clock.now() });
  t.ok(r.app.proctor.alerts.get(alert.id).clearedAt);
});

t.test('disk forecast and disk low are site-wide alerts every room sees, once per condition', async (t) => {
  const r = await room(t);
  const bus = r.app.ctx.bus;
  const f = { ok: false, path: '/media', freeBytes: 50e9, needBytes: 400e9, bytesPerDay: 2e9, days: 1095, hotDays: null, daysUntilFull: 25, at: r.clock.now() };
  bus.emit('disk.forecast', f);
  bus.emit('disk.forecast', { ...f, daysUntilFull: 24 });
  bus.emit('disk.low', { path: '/media', freeBytes: 1e9, minFreeBytes: 5e9, recordingStopped: true, at: r.clock.now() });
  const inR2 = r.app.proctor.alerts.list({ rooms: ['R2'] });
  const forecast = inR2.filter((a) => a.kind === 'disk_forecast');
  t.equal(forecast.length, 1, 'one open forecast alert however often the forecast runs');
  t.match(forecast[0], { roomId: null, repeats: 2, params: { daysUntilFull: 24 } });
  t.match(
    inR2.find((a) => a.kind === 'disk_low'),
    { severity: 'critical', params: { recordingStopped: true } },
  );
  t.match(inR2.find((a) => a.kind === 'disk_low')!.text.en, /new recordings stopped/);
  bus.emit('disk.forecast', { ...f, ok: true });
  t.ok(r.app.proctor.alerts.get(forecast[0]!.id).clearedAt, 'a good forecast clears it');
  // An alert stored before the event's field was named `days` (it carried `retentionDays`) still reads.
  const old = textOf(
    {
      kind: 'disk_forecast',
      severity: 'warning',
      event: 'disk.forecast',
      at: 0,
      roomId: null,
      key: 'disk_forecast',
      params: { freeBytes: 50e9, needBytes: 400e9, retentionDays: 1461, daysUntilFull: 25 },
    },
    null,
  );
  t.match(old.zh, /录像磁盘存不下 4 年录像/, `an old alert's words: ${old.zh}`);
});

t.test('seat re-check verdicts raise seat alerts; the kiosk and seat check report once per verdict', async (t) => {
  const r = await room(t, { start: true });
  const bus = r.app.ctx.bus;
  const base = { terminalId: 'T1', roomId: 'R1', sessionId: r.sessionId, idNumber: A, distance: 0.8, detail: 'distance 0.800 > 0.5', at: r.clock.now() };
  // The kiosk's checker emits seat.check, then the terminal service terminal.snapshot, for one snapshot.
  bus.emit('seat.check', { ...base, identity: 'mismatch' });
  bus.emit('terminal.snapshot', { ...base, identity: 'mismatch', snapshotId: 'snap1', file: 'x.jpg' });
  bus.emit('seat.check', { ...base, identity: 'several_faces', distance: null });
  bus.emit('seat.check', { ...base, identity: 'match' });
  const list = r.app.proctor.alerts.list({ rooms: ['R1'] });
  const mismatch = list.filter((a) => a.kind === 'seat_mismatch');
  t.equal(mismatch.length, 1);
  t.match(mismatch[0], { repeats: 2, severity: 'critical', seat: '01', params: { snapshotId: 'snap1' } });
  t.match(mismatch[0]!.text.zh, /甲.*人脸与入场照片不符/);
  t.ok(list.some((a) => a.kind === 'several_faces'));
  t.equal(list.length, 2, 'a match raises nothing');
});
