// Scaffolding for the kiosk tests: a real app on a scratch data folder with a fixed clock on exam day,
// today's session in R1 with roster photos from real LFW photos (tests/fixtures/faces), a paired kiosk,
// and frames for the liveness challenge made from real photos of the same person.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import tap, { type Test } from 'tap';
import sharp from 'sharp';
import { fixedClock } from '../../core/index.ts';
import type { App } from '../../server/app.ts';
import { createFaceEngine, type FullFaceEngine } from '../../kiosk/face/index.ts';
import { buildTestApp, login, pairDevice, PASSWORDS, ROOT, scratchDir, testConfig } from '../helpers.ts';
import { TEMPLATE, bankQuestions, csv, idn, person } from '../exam/plans-fixture.ts';

export const FACES = join(ROOT, 'tests', 'fixtures', 'faces');
export const face = (name: string) => readFileSync(join(FACES, name));

/** Exam day: 2026-03-10, the session in R1 starts at 09:00 Guangzhou time. */
export const START = Date.parse('2026-03-10T09:00:00+08:00');
export const T0 = Date.parse('2026-03-01T00:00:00+08:00');

/** Roster people: who is where, and which photo the roster holds. */
export const P = {
  toledo: idn(1), // R1 today, roster photo Alejandro_Toledo_0023
  abizaid: idn(2), // R1 today, roster photo John_Abizaid_0003
  nophoto: idn(3), // R1 today, no photo
  otherDay: idn(4), // R1 on 2026-03-12
  otherRoom: idn(5), // R2 today (kiosk K1 serves R1 only)
  later: idn(6), // R1 today at 14:00, check-in not open
  nobody: idn(99),
};

let engineP: Promise<FullFaceEngine> | null = null;
/** One engine per test file (loading the models takes seconds); closed when the file's tests end. */
export function sharedEngine(): Promise<FullFaceEngine> {
  if (!engineP) {
    engineP = createFaceEngine({ workers: 1 });
    // On the file's root test: subtests share the engine.
    tap.teardown(async () => (await engineP!).close());
  }
  return engineP;
}

export type Clock = ReturnType<typeof fixedClock>;

export interface KioskSite {
  app: App;
  clock: Clock;
  dir: string;
  token: string;
  sessionId: string;
  laterId: string;
  headers: { authorization: string };
  as: (who: 'admin' | 'invig' | 'invig2') => Promise<string>;
  post: (url: string, payload: unknown) => Promise<{ status: number; body: any }>;
  get: (url: string) => Promise<{ status: number; body: any; raw: Buffer; type: string }>;
}

/**
 * What a candidate does at the kiosk between the lookup and the face check (issue 23): reads the notice
 * and agrees. `post` does it after every lookup that asks, unless the site is built with `consent: 'ask'`
 * (the tests of the notice and of declining answer it themselves).
 */
export async function acceptNotice(app: App, headers: { authorization: string }, look: any): Promise<void> {
  if (!look?.ok || !look.consent?.needed) return;
  const n = look.consent.notice.zh;
  const r = await app.inject({
    method: 'POST',
    url: `/api/kiosk/attempts/${look.attemptId}/consent`,
    headers,
    payload: { decision: 'accepted', noticeVersion: n.version, noticeSha256: n.sha256, lang: 'zh' },
  });
  if (r.statusCode !== 200) throw new Error(`consent refused: ${r.body}`);
}

export async function kioskSite(
  t: Test,
  opts: {
    engine?: FullFaceEngine | null;
    listen?: boolean;
    enrolOnImport?: boolean;
    consent?: 'accept' | 'ask';
    /** Changes to the test config before the app is built (tests/training adds 班主任 users). */
    configure?: (config: ReturnType<typeof testConfig>) => void;
  } = {},
): Promise<KioskSite> {
  const dir = scratchDir(t);
  const clock = fixedClock(T0);
  const config = testConfig(dir);
  config.kiosks = [
    { id: 'K1', name: '一号入口', rooms: ['R1'] },
    { id: 'K2', name: '二号入口', rooms: ['R2'] },
  ];
  config.identity = { ...config.identity, livenessChallenges: ['turn_left', 'turn_right'], enrolOnImport: opts.enrolOnImport ?? true };
  opts.configure?.(config);
  const engine = opts.engine === undefined ? await sharedEngine() : opts.engine;
  const app = await buildTestApp({ config, clock, ...(engine ? { faceEngine: engine } : {}) });
  t.teardown(() => app.close());
  if (opts.listen) await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await login(app, 'admin', PASSWORDS.admin);
  const token = await pairDevice(app, 'kiosk', 'K1', admin);
  const plans = app.exam.plans;
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plan = plans.createPlan({ name: '测试计划', from: '2026-03-01', to: '2026-03-31' }, 'user:admin');
  const mk = async (room: string, at: string, people: string[][]) => {
    const s = plans.createSession({ planId: plan.id, room, startsAt: at, templateId: TEMPLATE.id }, 'user:admin');
    await plans.importRoster(s.id, { bytes: csv(people), filename: 'roster.csv', photosDir: FACES }, 'user:admin');
    plans.assignSeats(s.id, 'user:admin');
    plans.generateSessionPapers(s.id, 'user:admin');
    return s.id;
  };
  const sessionId = await mk('R1', '2026-03-10T09:00', [
    person(1, '托莱多', { photo: 'Alejandro_Toledo_0023.jpg' }),
    person(2, '阿比扎伊德', { photo: 'John_Abizaid_0003.jpg' }),
    person(3, '无照片'),
  ]);
  await mk('R1', '2026-03-12T09:00', [person(4, '后天考')]);
  const otherRoom = await mk('R2', '2026-03-10T09:00', [person(5, '二号考场')]);
  const laterId = await mk('R1', '2026-03-10T14:00', [person(6, '下午考')]);
  clock.set(START - 30 * 60_000);
  plans.advanceSession(sessionId, 'checkin', 'user:admin');
  plans.advanceSession(otherRoom, 'checkin', 'user:admin');
  const headers = { authorization: `Bearer ${token}` };
  return {
    app,
    clock,
    dir,
    token,
    sessionId,
    laterId,
    headers,
    as: (who) => login(app, who, PASSWORDS[who]),
    async post(url, payload) {
      const r = await app.inject({ method: 'POST', url, headers, payload: payload as object });
      if (opts.consent !== 'ask' && url.endsWith('/lookup')) await acceptNotice(app, headers, r.json());
      return { status: r.statusCode, body: r.json() };
    },
    async get(url) {
      const r = await app.inject({ method: 'GET', url, headers });
      const type = String(r.headers['content-type'] ?? '');
      return { status: r.statusCode, body: type.includes('json') ? r.json() : null, raw: r.rawPayload, type };
    },
  };
}

/**
 * Frames of a person performing a head turn, from real photos: the first frames look straight at the
 * camera, the last are a photo of the same person turned (flipped for the other direction). The
 * liveness rule measures yaw in an unmirrored frame: positive yaw is the person turning to their left.
 */
export async function turnFrames(front: string, turned: string, turnedYawSign: 1 | -1, challenge: string): Promise<string[]> {
  const f = face(front);
  let t = face(turned);
  const want = challenge === 'turn_left' ? 1 : -1;
  if (want !== turnedYawSign) t = await sharp(t).flop().jpeg({ quality: 92 }).toBuffer();
  return [f, f, f, t, t].map((b) => b.toString('base64'));
}

/** Toledo: roster photo 0023; live frames 0027 (frontal) then 0021 (turned, yaw ≈ +22°). */
export const toledoFrames = (challenge: string) => turnFrames('Alejandro_Toledo_0027.jpg', 'Alejandro_Toledo_0021.jpg', 1, challenge);
/** Abizaid: 0002 (frontal) then 0006 (turned, yaw ≈ −36°). */
export const abizaidFrames = (challenge: string) => turnFrames('John_Abizaid_0002.jpg', 'John_Abizaid_0006.jpg', -1, challenge);
