// The entrance kiosk, end to end over HTTP on a real server (port 0): 30 candidates back to back, each
// ID lookup → roster photo → consent to the notice → verify (liveness on 5 frames + 1:1 against the roster photo) → admitted.
// Measured: the server's time per candidate, excluding the person's (no waiting between the calls).
// Frames and roster photos are real LFW photos (tests/fixtures/faces); roster photos are enrolled at
// import as on a real site (--cold leaves them to the first lookup instead).
// Two sites run side by side, candidate by candidate: face data sealed (storage/face-vault.ts, as served)
// and a plain one (encryption off), so the machine's load falls on both alike; the last line gives both.
// Usage: npm run bench -- kiosk [--candidates 30] [--workers 1] [--cold]
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { writeFileDurably, type FaceVault } from '../storage/index.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fixedClock, checkDigitOf } from '../core/index.ts';
import { parseConfig } from '../config/index.ts';
import { buildApp } from '../server/app.ts';
import { createFaceEngine } from '../kiosk/face/index.ts';
import { machineNote, percentile as percentileOfSorted } from './lib/site.ts';

const { values } = parseArgs({
  options: { candidates: { type: 'string', default: '30' }, workers: { type: 'string', default: '1' }, cold: { type: 'boolean', default: false } },
});
const n = Number(values.candidates);
const FACES = resolve(import.meta.dirname, '..', 'tests', 'fixtures', 'faces');
const face = (f: string) => readFileSync(join(FACES, f));
const log = (s: string) => console.log(s);
const percentile = (xs: number[], p: number) =>
  percentileOfSorted(
    [...xs].sort((a, b) => a - b),
    p / 100,
  );
const idn = (i: number) => {
  const first17 = `440106198503${String(10 + (i % 18)).padStart(2, '0')}${String(i).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
};

// Two real people, alternating: roster photo, a frontal live frame, a turned live frame and its yaw sign.
const PEOPLE = [
  { roster: 'Alejandro_Toledo_0023.jpg', front: 'Alejandro_Toledo_0027.jpg', turned: 'Alejandro_Toledo_0021.jpg', sign: 1 },
  { roster: 'John_Abizaid_0003.jpg', front: 'John_Abizaid_0002.jpg', turned: 'John_Abizaid_0006.jpg', sign: -1 },
];
const flopped = new Map<string, Buffer>();
async function frames(p: (typeof PEOPLE)[number], challenge: string): Promise<string[]> {
  const want = challenge === 'turn_left' ? 1 : -1;
  let t: Buffer = face(p.turned);
  if (want !== p.sign) {
    if (!flopped.has(p.turned)) flopped.set(p.turned, await sharp(t).flop().jpeg({ quality: 92 }).toBuffer());
    t = flopped.get(p.turned)!;
  }
  const f = face(p.front);
  return [f, f, f, t, t].map((b) => b.toString('base64'));
}

// Encryption off: the same calls, the bytes as they are (only this bench builds one).
const plainVault: FaceVault = {
  keyId: 'plain',
  keyIds: [],
  seal: (b) => b,
  open: (b) => b,
  writeFile: (f, b) => writeFileDurably(f, b),
  readFile: (f) => readFileSync(f),
  sealDescriptor: (d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength),
  openDescriptor: (b) => {
    const c = new Uint8Array(b.byteLength);
    c.set(b);
    return new Float32Array(c.buffer);
  },
};

const engine = await createFaceEngine({ workers: Number(values.workers) });
const t0 = performance.now();
await engine.ready();
log(`machine: ${machineNote()}`);
log(`face engine: ${engine.backend}, ${values.workers} worker(s), models loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const start = Date.parse('2026-03-10T09:00:00+08:00');
const rows = Math.ceil(n / 6);
const ids = Array.from({ length: n }, (_, i) => idn(i + 1));

async function openSite(label: string, faceVault?: FaceVault) {
  const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-kiosk-'));
  const config = parseConfig(
    `site: { id: bench, name: 基准考点, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0 }
rooms: [ { id: R1, name: 一号考场, seats: { rows: ${rows}, columns: 6 } } ]
kiosks: [ { id: K1, name: 入口 } ]
users: [ { username: admin, role: admin, password: bench-admin-123 } ]
identity: { livenessChallenges: [turn_left, turn_right] }
`,
    { dataDir: dir },
  );
  const clock = fixedClock(Date.parse('2026-03-01T00:00:00+08:00'));
  const app = await buildApp({ config, clock, faceEngine: engine, ...(faceVault ? { faceVault } : {}) });
  const close = async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(config.paths.keys, { recursive: true, force: true });
  };
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-admin-123' } });
  const admin = `examroom_session=${login.cookies.find((c) => c.name === 'examroom_session')!.value}`;
  const pr = (await app.inject({ method: 'POST', url: '/api/devices/pairings', payload: { kind: 'kiosk', deviceId: 'K1' } })).json() as {
    pairingId: string;
    pollSecret: string;
    code: string;
  };
  await app.inject({ method: 'POST', url: '/api/devices/pairings/approve', headers: { cookie: admin }, payload: { code: pr.code } });
  const token = (
    (await app.inject({ method: 'POST', url: `/api/devices/pairings/${pr.pairingId}/collect`, payload: { pollSecret: pr.pollSecret } })).json() as {
      token: string;
    }
  ).token;

  // A small bank and template are what a session needs; the exam engine's test fixture has them.
  const { TEMPLATE, bankQuestions } = await import('../tests/exam/plans-fixture.ts');
  app.exam.bank.createVersion({ id: 'v1', kind: 'import', questions: bankQuestions(), templates: [TEMPLATE] });
  const plans = app.exam.plans;
  const plan = plans.createPlan({ name: '基准', from: '2026-03-01', to: '2026-03-31' }, 'system');
  const s = plans.createSession({ planId: plan.id, room: 'R1', startsAt: '2026-03-10T09:00', templateId: TEMPLATE.id }, 'system');
  const roster = ids.map((id, i) => ({ 身份证号: id, 姓名: `考生${i + 1}`, 人员类别: '主要负责人', 行业: '机械', 照片: PEOPLE[i % 2]!.roster }));
  const tImport = performance.now();
  if (values.cold) config.identity.enrolOnImport = false;
  await plans.importRoster(s.id, { bytes: Buffer.from(JSON.stringify(roster)), filename: 'roster.json', photosDir: FACES }, 'system');
  await app.kiosk.identity.idle();
  const importMs = performance.now() - tImport;
  plans.assignSeats(s.id, 'system');
  plans.generateSessionPapers(s.id, 'system');
  clock.set(start - 30 * 60_000);
  plans.advanceSession(s.id, 'checkin', 'system');
  log(
    `${label}: roster of ${n} candidates with photos, ${values.cold ? 'not enrolled ahead (--cold)' : `photos enrolled at import in ${(importMs / 1000).toFixed(1)} s (${(importMs / n) | 0} ms each)`}`,
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (url: string, body: unknown) => {
    const r = await fetch(`${base}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return (await r.json()) as Record<string, any>;
  };
  return { label, app, base, headers, post, close, total: [] as number[], lookupMs: [] as number[], verifyMs: [] as number[], admitted: 0 };
}

const sites = [await openSite('sealed'), await openSite('plain', plainVault)];
try {
  // Frames are made before the clock starts: a real kiosk has them from the camera.
  const prepared = await Promise.all(['turn_left', 'turn_right'].flatMap((c) => PEOPLE.map(async (p) => [`${p.roster}/${c}`, await frames(p, c)] as const)));
  const framesOf = new Map(prepared);
  for (let i = 0; i < n; i++) {
    // Which site goes first alternates, so neither always follows the other's work.
    for (const site of i % 2 ? [...sites].reverse() : sites) {
      const a = performance.now();
      const look = await site.post('/api/kiosk/lookup', { source: 'typed', idNumber: ids[i] });
      const b = performance.now();
      if (!look.ok) throw new Error(`${site.label}: lookup of candidate ${i + 1} refused: ${look.detail}`);
      await (await fetch(`${site.base}${look.candidate.photoUrl}`, { headers: site.headers })).arrayBuffer();
      // The candidate agrees to the face-recognition notice (issue 23); the reading is the person's time, the request is ours.
      if (look.consent.needed) {
        const notice = look.consent.notice.zh;
        const ok = await site.post(`/api/kiosk/attempts/${look.attemptId}/consent`, {
          decision: 'accepted',
          noticeVersion: notice.version,
          noticeSha256: notice.sha256,
          lang: 'zh',
        });
        if (!ok.ok) throw new Error(`${site.label}: consent of candidate ${i + 1} refused: ${ok.message}`);
      }
      const c = performance.now();
      const v = await site.post(`/api/kiosk/attempts/${look.attemptId}/verify`, { frames: framesOf.get(`${PEOPLE[i % 2]!.roster}/${look.challenge}`) });
      const d = performance.now();
      if (v.decision === 'admitted') site.admitted++;
      else log(`  ${site.label} candidate ${i + 1}: refused (${v.reason}): ${v.detail}`);
      site.lookupMs.push(b - a);
      site.verifyMs.push(d - c);
      site.total.push(d - a);
    }
  }
  const sec = (x: number) => (x / 1000).toFixed(2);
  const meanOf = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  for (const site of sites) {
    log(
      `${site.label}: admitted ${site.admitted} of ${n}; per candidate (lookup + photo + verify): mean ${sec(meanOf(site.total))} s, p50 ${sec(percentile(site.total, 50))} s, p95 ${sec(percentile(site.total, 95))} s, max ${sec(Math.max(...site.total))} s`,
    );
    log(
      `  lookup p50 ${percentile(site.lookupMs, 50).toFixed(0)} ms; verify (5 frames: liveness + 1:1) p50 ${percentile(site.verifyMs, 50).toFixed(0)} ms, p95 ${percentile(site.verifyMs, 95).toFixed(0)} ms`,
    );
  }
  // The cost of the sealing itself, apart from the machine's noise: per candidate the kiosk opens the
  // roster photo (lookup's photo, enrolment cache aside), seals the capture and the probe descriptor.
  const vault = sites[0]!.app.exam.deps.faceVault;
  const photo = face(PEOPLE[0]!.roster);
  const capture = face(PEOPLE[0]!.front);
  const sealedPhoto = vault.seal(photo);
  const descriptor = new Float32Array(512);
  const rounds = 2000;
  const c0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    vault.open(sealedPhoto, 'bench');
    vault.open(vault.seal(capture), 'bench');
    vault.openDescriptor(vault.sealDescriptor(descriptor), 'bench');
  }
  const cryptoMs = (performance.now() - c0) / rounds;
  log(
    `sealing alone: ${(cryptoMs * 1000).toFixed(0)} µs per candidate (roster photo ${photo.length} B opened, capture ${capture.length} B sealed and opened, descriptor sealed and opened)`,
  );
  const [sealed, plain] = sites as [(typeof sites)[0], (typeof sites)[0]];
  const slower = ((meanOf(sealed.total) / meanOf(plain.total) - 1) * 100).toFixed(1);
  log(
    `kiosk: ${sec(meanOf(sealed.total))} s per candidate, p95 ${sec(percentile(sealed.total, 95))} s, ${sealed.admitted}/${n} admitted, encryption off ${sec(meanOf(plain.total))} s (${slower} % slower sealed), sealing alone ${(cryptoMs * 1000).toFixed(0)} µs`,
  );
} finally {
  for (const site of sites) await site.close();
  await engine.close();
}
