// Training classes as the regulations run them (issue 25, docs/training.md): classes with their category,
// room, dates, required hours and 班主任; the site's teachers; the timetable of lessons (imported with every
// bad row named); members imported as rosters are; per-lesson sign-in and sign-out at the kiosk by ID and
// live face (the kiosk's own check, consent and 班主任 confirmation of decliners); credited hours per
// lesson, class and calendar year; the live attendance view and append-only corrections; the exam's
// training-hours check; each lesson a recording window of its room. It took over kiosk/attendance.ts:
// the kiosk keeps its screens and the face check they share.
import type { FastifyPluginAsync } from 'fastify';
import { trainingRoutes, type SessionLookup } from './routes.ts';
import type { TrainingService } from './service.ts';

export { createTrainingService, type TrainingService } from './service.ts';
export { createLessonWindows, type LessonWindows } from './recording-windows.ts';
export { SYSTEM as TRAINING_SYSTEM, type Viewer as TrainingViewer, type TrainingDeps } from './model.ts';
export { creditFor, presenceOf } from './credit.ts';
export type { SessionLookup } from './routes.ts';
// After the class (training/report, training/ratings, training/archive): the district report, teacher ratings, the class file.
export { createClassRecords, classRecordsRoutes, classArchiveCommands, type ClassRecords, type ClassArchive } from './archive/index.ts';
export type { CandidateHours } from './eligibility.ts';
export type { TrainingDemoSummary } from './demo.ts';

/** The demo site's class (npm start), loaded only with --demo. */
export async function seedTrainingDemo(...args: Parameters<typeof import('./demo.ts').seedTrainingDemo>): Promise<import('./demo.ts').TrainingDemoSummary> {
  const { seedTrainingDemo: seed } = await import('./demo.ts');
  return seed(...args);
}
// records/ (the person file) reads a person's classes and credited hours through this.
export { trainingAttendanceOf, type TrainingAttendanceRecord } from './records-view.ts';
export { classArchiveTierFiles } from './tier-files.ts';

export const trainingPlugin: FastifyPluginAsync<{ training: TrainingService; sessions: SessionLookup }> = async (app, opts) => {
  await app.register(trainingRoutes, opts);
};
