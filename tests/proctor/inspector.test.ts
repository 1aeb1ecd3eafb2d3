// The inspector view: read-only, and nothing of a site outside the inspector's jurisdiction. The test
// site lies in province 440000, city 440100 (Guangzhou): gd (province 440000) oversees it, sz (city
// 440300, Shenzhen) does not.
import t from 'tap';
import { A, room } from './fixture.ts';
import { PASSWORDS, login } from '../helpers.ts';

t.test('an inspector of the province sees the site, its rooms, cameras, sessions and incidents', async (t) => {
  const r = await room(t, { start: true });
  const invig = await r.as('invig');
  await r.app.inject({
    method: 'POST',
    url: `/api/proctor/sessions/${r.sessionId}/incidents`,
    headers: { cookie: invig },
    payload: { category: 'crib_notes', note: '夹带纸条', candidate: r.ticket(A) },
  });
  const gd = await login(r.app, 'gd', PASSWORDS.gd);

  const sites = await r.app.inject({ method: 'GET', url: '/api/inspector/sites', headers: { cookie: gd } });
  t.equal(sites.statusCode, 200);
  const [site] = sites.json();
  t.match(site, { id: 'test-site', province: '440000', city: '440100', timezone: 'Asia/Shanghai' });
  t.same(
    site.rooms.map((x: { id: string }) => x.id),
    ['R1', 'R2'],
  );
  t.match(site.sessions, [{ id: r.sessionId, roomId: 'R1', status: 'in_progress', incidents: 1 }]);
  const s = r.app.exam.plans.session(r.sessionId);
  const row = site.sessions[0];
  t.equal(
    row.recordingFrom,
    Math.min(s.startsAt, r.app.exam.plans.sessionTimes(s.id).checkinAt!) - 30 * 60_000,
    'the recording window opens 30 min before the start',
  );
  t.ok(row.recordingTo >= s.endsAt + 30 * 60_000, 'and closes 30 min after the end at the earliest');
  t.same(
    site.rooms[0].recorded.map((x: { id: string; seat: string | null }) => [x.id, x.seat]),
    [
      ['SCREEN-T1', '01'],
      ['SCREEN-T2', '02'],
    ],
    "every terminal's screen can be replayed, connected now or not",
  );

  const list = await r.app.inject({ method: 'GET', url: '/api/inspector/sessions?from=2026-03-10', headers: { cookie: gd } });
  t.equal(list.statusCode, 200, list.body);
  t.match(list.json(), [{ id: r.sessionId, summary: { roster: 3 }, incidentList: [{ category: 'crib_notes', note: '夹带纸条' }] }]);
  t.not(list.json()[0].incidentList[0].idNumber, A, 'ID numbers are masked for inspectors');

  const one = await r.app.inject({ method: 'GET', url: `/api/inspector/sessions/${r.sessionId}`, headers: { cookie: gd } });
  t.equal(one.statusCode, 200);
  t.match(one.json(), { session: { id: r.sessionId }, summary: { incidents: 1 }, incidents: [{ category: 'crib_notes' }] });
  const summary = await r.app.inject({ method: 'GET', url: `/api/proctor/sessions/${r.sessionId}/summary`, headers: { cookie: gd } });
  t.equal(summary.statusCode, 200, 'the summary is readable');
  const alerts = await r.app.inject({ method: 'GET', url: '/api/proctor/alerts?room=R1', headers: { cookie: gd } });
  t.equal(alerts.statusCode, 200, 'and the alerts, for the playback timeline');

  // Read-only: nothing that changes an exam is open to an inspector.
  for (const [url, payload] of [
    [`/api/proctor/sessions/${r.sessionId}/incidents`, { category: 'other', note: 'x' }],
    [`/api/proctor/sessions/${r.sessionId}/status`, { status: 'ended' }],
    [`/api/terminal/sessions/${r.sessionId}/pause`, {}],
  ] as const) {
    const res = await r.app.inject({ method: 'POST', url, headers: { cookie: gd }, payload });
    t.equal(res.statusCode, 403, `POST ${url} is refused`);
  }
  const room1 = await r.app.inject({ method: 'GET', url: '/api/proctor/rooms/R1', headers: { cookie: gd } });
  t.equal(room1.statusCode, 403, 'the console’s room view (with names) is for invigilators');
});

t.test('an inspector of another city sees nothing of this site', async (t) => {
  const r = await room(t, { start: true });
  const sz = await login(r.app, 'sz', PASSWORDS.sz);
  const sites = await r.app.inject({ method: 'GET', url: '/api/inspector/sites', headers: { cookie: sz } });
  t.equal(sites.statusCode, 200);
  t.same(sites.json(), [], 'no site, not even its name');
  for (const url of [
    '/api/inspector/sessions',
    `/api/inspector/sessions/${r.sessionId}`,
    `/api/proctor/sessions/${r.sessionId}/summary`,
    `/api/proctor/sessions/${r.sessionId}/incidents`,
    '/api/proctor/alerts',
    '/api/live/sources',
    '/api/media/sources',
  ]) {
    const res = await r.app.inject({ method: 'GET', url, headers: { cookie: sz } });
    t.equal(res.statusCode, 403, `GET ${url} is refused`);
    t.equal(res.json().error, 'outside_jurisdiction', 'with the code the pages word in the person’s language');
    t.notMatch(res.body, /甲|一号考场/, 'and names nobody and no room');
  }
});
