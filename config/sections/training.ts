// Training classes' sign-in at the kiosk, and what a log-in at an exam PC checks.
import { Type } from 'typebox';
import { closed } from './common.ts';

/** Training classes' sign-in at the kiosk (training/, docs/training.md). */
export const TrainingSettingsSchema = Type.Object(
  {
    signInOpensMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 240, default: 30, description: 'sign-in to a lesson opens this many minutes before it starts' }),
    ),
    signOutClosesMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 240, default: 30, description: 'sign-out of a lesson stays open this many minutes after it ends' }),
    ),
    lateGraceMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 60,
        default: 5,
        description: 'a sign-in this many minutes after the start is not called late (the credited time is the time present all the same)',
      }),
    ),
  },
  closed,
);

/**
 * What every log-in at an exam PC checks (docs/exam-pcs.md "Integrity at log-in"): the page runs the
 * server's own build, records the whole monitor, and is full screen. On by default; a lab without
 * provisioned PCs (headless tests, a demo on a laptop) turns them off.
 */
export const ExamPcsSchema = Type.Object(
  {
    loginChecks: Type.Optional(
      Type.Object(
        {
          build: Type.Optional(
            Type.Boolean({ default: true, description: "refuse a log-in from a page whose app build is not the server's (an old or altered app)" }),
          ),
          monitor: Type.Optional(
            Type.Boolean({ default: true, description: 'refuse a log-in from a page that does not record the whole monitor (a tab, a window, or nothing)' }),
          ),
          fullscreen: Type.Optional(Type.Boolean({ default: true, description: 'refuse a log-in from a page that is not full screen (kiosk mode)' })),
        },
        closed,
      ),
    ),
    maxClockSkewSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: "a PC whose clock is further from the server's is flagged before the session" }),
    ),
  },
  closed,
);
