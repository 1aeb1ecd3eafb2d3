// Alert rules, each from a real event made by a real part of the app where one can make it here:
// a terminal WebSocket dropping, a terminal reporting focus lost, an ffmpeg that cannot reach its
// camera. The disk rules are fed their media events (filling a disk is media's own test).
import t from 'tap';
import { PassThrough } from 'node:stream';
import type { EventMap } from '../../core/index.ts';
import { SCREEN_FORMAT } from '../../media/screens.ts';
import { A, Term, logIn, room } from './fixture.ts';
import { until } from '../wait.ts';

t.test('a terminal going offline raises an alert naming the candidate; coming back clears it', async (t) => {
  const r = await room(t);
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), false);
  await term.close();
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
    acknowledged: null,
  });
  t.match(alert.text.zh, /T1 离线.*甲/);
  t.match(alert.text.en, /Terminal T1 offline.*甲/);

  const again = await Term.open(t, r.port, r.tokens.T1);
  await logIn(again, r.ticket(A), false);
  const cleared = r.app.proctor.alerts.get(alert.id);
  t.ok(cleared.clearedAt, 'terminal.online marks it cleared');
  t.equal(cleared.acknowledged, null, 'and it stays unacknowledged, so it stays listed');
  t.ok(r.app.proctor.alerts.list({ rooms: ['R1'], open: true }).some((a) => a.id === alert.id));
});

t.test('an integrity event from the terminal raises an alert; a repeat counts up on the same alert', async (t) => {
  const r = await room(t, { start: true });
  const term = await Term.open(t, r.port, r.tokens.T1);
  await logIn(term, r.ticket(A), true);
  await term.ask({ type: 'integrity', kind: 'focus_lost', detail: '3 s' }, 'noted');
  await term.ask({ type: 'integrity', kind: 'focus_lost', detail: '5 s' }, 'noted');
  await term.ask({ type: 'integrity', kind: 'paste' }, 'noted');
  const list = r.app.proctor.alerts.list({ rooms: ['R1'] }).filter((a) => a.kind === 'integrity');
  t.equal(list.length, 2, 'focus_lost twice is one alert, paste another');
  const focus = list.find((a) => a.params.kind === 'focus_lost')!;
  t.match(focus, { repeats: 2, idNumber: A, terminalId: 'T1', seat: '01', sessionId: r.sessionId });
  t.match(
    focus.text,
    { zh: /^考试机 T1：.*01 号座）? 离开了考试窗口$/, en: /^Terminal T1: .* — left the exam window$/ },
    'the text says what happened in words, not the protocol code',
  );
});

t.test('acknowledging takes a note, is audited, and cannot happen twice or from another room', async (t) => {
  const r = await room(t);
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
  t.match(alert.text.zh, /摄像头中断：CAM-R1-X/);
  await r.app.media.removeSource('CAM-R1-X');
  // The up event of a recovered camera clears it (ingest's own tests make the camera come back).
  r.app.ctx.bus.emit('camera.up', { sourceId: 'CAM-R1-X', kind: 'camera', room: 'R1', at: r.clock.now() });
  t.ok(r.app.proctor.alerts.get(alert.id).clearedAt);
});

t.test('disk forecast and disk low are site-wide alerts every room sees, once per condition', async (t) => {
  const r = await room(t);
  const bus = r.app.ctx.bus;
  const f = { ok: false, path: '/media', freeBytes: 50e9, needBytes: 400e9, bytesPerDay: 2e9, retentionDays: 1095, daysUntilFull: 25, at: r.clock.now() };
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
