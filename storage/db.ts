// Opens the SQLite database with the settings every durability promise rests on, and migrates it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Conflict } from '../core/index.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

export type Db = Database.Database;

export interface OpenOptions {
  /** Apply pending migrations (the server does; read-only tools may not). */
  migrate?: boolean;
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (!opts.readonly) mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL survives a process crash but can lose the last commits on
    // power loss; FULL fsyncs the WAL at every commit, so "acknowledged" means "on the platter".
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  // Another process (the CLI next to the running server) may hold the write lock briefly.
  db.pragma('busy_timeout = 5000');
  if (opts.migrate !== false && !opts.readonly) {
    try {
      migrate(db);
    } catch (err) {
      // The caller gets no handle to close, so a refused database must not stay open (and locked).
      db.close();
      throw err;
    }
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** A migration's SQL failed; its transaction was rolled back, so the database is left at the version before it. */
export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: Error,
  ) {
    super(`migration ${migration} failed: ${cause.message}`, { cause });
    this.name = 'MigrationError';
  }
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

/** Applies numbered migrations in order, each in its own transaction with the version bump. */
export function migrate(db: Db, opts: { to?: number; migrations?: Migration[] } = {}): MigrateResult {
  const list = opts.migrations ?? allMigrations;
  const latest = list.at(-1)?.version ?? 0;
  const target = opts.to ?? latest;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new Conflict(
      `database schema is version ${from}, newer than this software knows (${latest}); install the newer examroom or restore a matching backup`,
    );
  }
  const applied: string[] = [];
  for (const m of list) {
    if (m.version <= from || m.version > target) continue;
    const label = `${String(m.version).padStart(3, '0')}_${m.name}`;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } catch (err) {
      // A bare SQLite message ("near X: syntax error") does not say which of the files to look at.
      throw new MigrationError(label, err as Error);
    }
    applied.push(label);
  }
  return { from, to: schemaVersion(db), applied };
}

/**
 * Prepared statements by SQL text. Preparing costs tens of microseconds; code that runs per attempt
 * every second (the terminal sweeper) must not pay it each time.
 */
export function statementCache(db: Db): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
}
