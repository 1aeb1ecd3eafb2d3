// Fills the demo site on its first start: a central-bank package signed with the demo key and
// installed through the same path a real package takes, an exam plan with two sessions today,
// rosters of demo candidates (valid ID numbers), seats and pre-generated papers (千人千卷), and a third
// session already taken and graded hours earlier (graded.ts), whose documents open at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExamService } from '../index.ts';
import { signPackage, PACKAGE_FORMAT } from '../bank/packages.ts';
import { checkDigitOf, localDate } from '../../core/index.ts';
import { demoQuestions } from './questions.ts';
import { uploadDemoSigns } from './signs.ts';
import { seedGradedSession, type GradedDemoSession } from './graded.ts';

const DEMO_KEY_FILE = fileURLToPath(new URL('./central-bank-demo.key.pem', import.meta.url));
const DEMO_KEY_ID = 'demo-central-2026';
/** Roster photos of the second session's candidates (LFW photos, see faces/README.md), for the entrance kiosk. */
export const DEMO_FACES_DIR = fileURLToPath(new URL('./faces/', import.meta.url));
const DEMO_PHOTOS = [
  'Alejandro_Toledo_0023.jpg',
  'Carolyn_Dawn_Johnson_0001.jpg',
  'John_Abizaid_0003.jpg',
  'Heidi_Klum_0004.jpg',
  'Dick_Cheney_0003.jpg',
  'Hillary_Clinton_0003.jpg',
];

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨帆', '赵磊', '黄敏', '周杰', '吴婷', '徐强', '孙丽'];

/** Demo ID numbers: Guangzhou Tianhe (440106), births 1970–1992, valid GB 11643 check digits. */
export function demoIdNumber(i: number): string {
  const year = 1970 + ((i * 7) % 23);
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String(((i * 5) % 28) + 1).padStart(2, '0');
  const first17 = `440106${year}${month}${day}${String(100 + i * 3).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
}

export interface DemoSummary {
  created: boolean;
  /** Candidates of the first session, admitted as if the kiosk had checked them in. */
  tickets: { ticketNo: string; name: string; seat: string | null }[];
  bankVersion: string | null;
  sessions: { id: string; room: string; startsAt: number; candidates: number; templateId: string }[];
  packageFile: string | null;
  /** The second session's candidates (with roster photos), to try the entrance kiosk with. */
  kioskCandidates: { idNumber: string; name: string; photo: string | null }[];
  /**
   * A third session, taken and graded four hours before the first start (exam/demo/graded.ts): its
   * documents, archive and statistics open at once. Not in `sessions`, which are the two to try live.
   */
  graded: GradedDemoSession | null;
}

/** The graded session starts this long before the seed runs: over (120 minutes) well before the live ones. */
const GRADED_BEFORE_MS = 4 * 3600_000;

/**
 * `admit` stands in for the identity kiosk (not built yet): the first session's candidates are admitted
 * and its check-in opened, so a terminal can log them in right after start-up.
 */
export async function seedDemoSite(
  exam: ExamService,
  opts: { now: number; dataDir: string; admit?: (sessionId: string, idNumber: string) => void; kiosk?: boolean },
): Promise<DemoSummary> {
  const actor = 'system';
  const summary: DemoSummary = {
    tickets: [],
    created: false,
    bankVersion: exam.bank.latest()?.id ?? null,
    sessions: [],
    packageFile: null,
    kioskCandidates: [],
    graded: null,
  };
  if (!exam.bank.latest()) {
    // Pictures first: a package names its images by the id of an image the site already holds.
    const signs = await uploadDemoSigns(exam, actor);
    const pkg = signPackage(
      {
        format: PACKAGE_FORMAT,
        version: '2026.11-demo',
        sequence: 1,
        publishedAt: new Date(opts.now).toISOString(),
        publisher: 'demo-central',
        questions: demoQuestions(10, signs),
        templates: [],
      },
      readFileSync(DEMO_KEY_FILE, 'utf8'),
      DEMO_KEY_ID,
    );
    const bytes = Buffer.from(JSON.stringify(pkg));
    summary.packageFile = join(opts.dataDir, 'demo-bank-package.json');
    writeFileSync(summary.packageFile, bytes);
    const installed = exam.packages.accept(bytes, { actor, source: 'file' });
    summary.bankVersion = installed.version.id;
    summary.created = true;
  }
  if (exam.plans.listPlans().length === 0) {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    // On the minute, four hours ago: on the site's calendar that may be yesterday, so the plan starts then.
    const gradedStartsAt = Math.floor((opts.now - GRADED_BEFORE_MS) / 60_000) * 60_000;
    const gradedDay = localDate(gradedStartsAt, exam.deps.config.site.timezone);
    const plan = exam.plans.createPlan(
      {
        name: '2026年11月 工贸行业主要负责人及安全生产管理人员考核（示范）',
        from: [gradedDay, day(opts.now)].sort()[0]!,
        to: day(opts.now + 7 * 86400_000),
      },
      actor,
    );
    // Half an hour from now, on the minute: time to walk through check-in before the start.
    const startsAt = new Date(Math.ceil((opts.now + 30 * 60_000) / 60_000) * 60_000).toISOString();
    const specs = [
      { room: 'R101', templateId: 'gm-principal-general', category: '主要负责人', people: 8, offset: 0 },
      // R102's candidates come with roster photos: they are the ones to walk through the entrance kiosk.
      { room: 'R102', templateId: 'gm-safety-manager-general', category: '安全生产管理人员', people: 6, offset: 8, photos: DEMO_PHOTOS },
    ];
    for (const spec of specs) {
      const session = exam.plans.createSession({ planId: plan.id, room: spec.room, startsAt, templateId: spec.templateId }, actor);
      const roster = Array.from({ length: spec.people }, (_, k) => ({
        身份证号: demoIdNumber(spec.offset + k + 1),
        姓名: NAMES[(spec.offset + k) % NAMES.length],
        人员类别: spec.category,
        行业: '通用',
        培训机构: '广州市安全生产培训中心（示范）',
        ...('photos' in spec && spec.photos ? { 照片: spec.photos[k % spec.photos.length] } : {}),
      }));
      const photosDir = 'photos' in spec ? DEMO_FACES_DIR : null;
      await exam.plans.importRoster(session.id, { bytes: Buffer.from(JSON.stringify(roster)), filename: 'demo-roster.json', photosDir }, actor);
      exam.plans.assignSeats(session.id, actor);
      exam.plans.generateSessionPapers(session.id, actor);
      summary.sessions.push({ id: session.id, room: spec.room, startsAt: Date.parse(startsAt), candidates: spec.people, templateId: spec.templateId });
    }
    // Taken and graded hours ago in R101 — before R101's live session opens check-in, since a room has
    // one session in check-in or under way at a time.
    summary.graded = await seedGradedSession(exam, {
      planId: plan.id,
      room: 'R101',
      templateId: 'gm-principal-general',
      category: '主要负责人',
      startsAt: gradedStartsAt,
      idNumber: (k) => demoIdNumber(14 + k + 1),
    });
    const first = summary.sessions[0]!;
    if (opts.admit) {
      exam.plans.advanceSession(first.id, 'checkin', actor);
      for (const r of exam.plans.roster(first.id)) opts.admit(first.id, r.idNumber);
    }
    // The second session's check-in is opened but nobody admitted: the entrance kiosk admits them.
    if (opts.kiosk && summary.sessions[1]) exam.plans.advanceSession(summary.sessions[1].id, 'checkin', actor);
    summary.created = true;
  } else {
    // A later start: sessions come in start order, and the graded one started hours before the two
    // live ones (which share their start); a demo seeded before it existed has only those two.
    // Same start, so by room (R101, R102, the order they were made in): listSessions breaks the tie by
    // id, whose random part would put R102 first on some starts and point the guide at the wrong room.
    const all = exam.plans.listSessions().sort((a, b) => a.startsAt - b.startsAt || a.roomId.localeCompare(b.roomId));
    for (const s of all) {
      const row = { id: s.id, room: s.roomId, startsAt: s.startsAt, candidates: exam.plans.roster(s.id).length, templateId: s.templateId };
      if (all.length > 2 && s === all[0] && s.startsAt < all.at(-1)!.startsAt) summary.graded = row;
      else summary.sessions.push(row);
    }
  }
  const first = summary.sessions[0];
  if (first) summary.tickets = exam.plans.roster(first.id).map((r) => ({ ticketNo: r.ticketNo, name: r.name, seat: r.seat }));
  const second = summary.sessions[1];
  // Named by the LFW file each came from (the stored copy has a content-addressed name).
  const photoOf = new Map(DEMO_PHOTOS.map((p, k) => [demoIdNumber(8 + k + 1), p]));
  if (second)
    summary.kioskCandidates = exam.plans
      .roster(second.id)
      .map((r) => ({ idNumber: r.idNumber, name: r.name, photo: r.photo ? (photoOf.get(r.idNumber) ?? r.photo) : null }));
  return summary;
}
