// `backup:` — when the database is backed up, where the copies go and how many are kept (storage/backup/).
// The object store, when `objectStore:` is configured, is the destination; else `path` (another disk or a
// mounted NAS); with neither, copies stay on this disk and the console and /healthz say so every day.
import { Type, type Static } from 'typebox';

const closed = { additionalProperties: false } as const;

export const BackupSchema = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'a folder on another disk or a mounted NAS the backups are copied to (absolute, or relative to the config file)',
      }),
    ),
    at: Type.Optional(
      Type.Union([Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }), Type.Literal('off')], {
        description: 'the time of day (site clock, HH:MM) of the nightly backup, or "off"',
        default: '02:30',
      }),
    ),
    beforeMigrations: Type.Optional(
      Type.Boolean({ default: true, description: "a local online copy at start-up before an upgrade's migrations change the database" }),
    ),
    keep: Type.Optional(
      Type.Object(
        {
          daily: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 14, description: 'the newest backup of each of this many days' })),
          weekly: Type.Optional(Type.Integer({ minimum: 0, maximum: 520, default: 8, description: 'the newest backup of each of this many weeks' })),
          monthly: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, default: 36, description: 'the newest backup of each of this many months' })),
        },
        closed,
      ),
    ),
  },
  closed,
);

export type BackupFile = Static<typeof BackupSchema>;

export interface BackupConfig {
  /** Absolute folder, or null when the object store (or nothing) is the destination. */
  path: string | null;
  /** HH:MM on the site clock, or null for no nightly backup. */
  at: string | null;
  beforeMigrations: boolean;
  keep: { daily: number; weekly: number; monthly: number };
}

export function normaliseBackup(raw: BackupFile | undefined, at: (p: string) => string): BackupConfig {
  return {
    path: raw?.path ? at(raw.path) : null,
    at: raw?.at === 'off' ? null : (raw?.at ?? '02:30'),
    beforeMigrations: raw?.beforeMigrations ?? true,
    keep: { daily: raw?.keep?.daily ?? 14, weekly: raw?.keep?.weekly ?? 8, monthly: raw?.keep?.monthly ?? 36 },
  };
}
