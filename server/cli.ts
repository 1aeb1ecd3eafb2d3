// The examroom command line. Exit 0 on success; 1 on a user error with its message; never a stack trace
// (unless EXAMROOM_DEBUG=1), because the people who run this are exam-centre staff, not developers.
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { DomainError, ValidationError, formatProblem, createEventBus, systemClock, tableLines, redactText } from '../core/index.ts';
import { ConfigError, configFilePath, loadConfig, type Config } from '../config/index.ts';
import {
  createAuditLog,
  createDeviceStore,
  createUserStore,
  dataPaths,
  ensureDataFolders,
  loadAuditKey,
  migrate,
  openDatabase,
  type AuditLog,
  type Db,
  type Role,
} from '../storage/index.ts';
import { createExamService, examCommands, type CliOption } from '../exam/index.ts';
import type { RecordsCliCommand } from '../records/index.ts';

/**
 * The exam engine's and the records module's commands, found by their words. The records module is
 * loaded only when a command needs it (its commands, --help, an unknown command or option): its
 * service brings the kiosk, proctor, terminal and media modules and prom-client, which cost a
 * `session list` about a third of its start (bench startup).
 */
let moduleCommands: RecordsCliCommand[] = examCommands as RecordsCliCommand[];
let recordsLoaded = false;
async function loadRecordsCommands(): Promise<void> {
  if (recordsLoaded) return;
  const { recordsCommands } = await import('../records/index.ts');
  // The training class file's commands (archive class|classes) run with the records context too.
  const { classArchiveCommands } = await import('../training/index.ts');
  moduleCommands = [...examCommands, ...recordsCommands, ...classArchiveCommands] as RecordsCliCommand[];
  recordsLoaded = true;
}

const usage = () => `usage: examroom <command> [options]

commands:
  serve [--port N] [--host H] [--demo]   run the appliance (prints "listening on URL")
  migrate                                  apply database migrations
  audit verify                             check the audit log's keyed chain against its signed anchors
                                           (exit 0 intact, 1 tampering found, 3 intact as far as it could be checked)
  user add NAME --role admin|invigilator|inspector [--rooms R1,R2] [--jurisdiction province:440000]
           [--display-name TEXT] [--password-stdin]   (a password is generated and printed when not given)
  user list | user unlock NAME | user hash (reads a password on stdin, prints its hash for the config)
  device list | device pending | device approve CODE [--as DEVICE_ID] | device revoke DEVICE_ID
  device approve --room R101 --all   approve every pending PC of the room whose ?device= id is one of its
           terminals (as the admin console's bulk approval); duplicates and unknown ids are listed, left for a person
  tls status | tls renew | tls export-ca [FILE]   HTTPS certificates; FILE.cer = DER for Windows (default: PEM on stdout)
  keys export FILE | keys import FILE [--force]   the passphrase-protected key bundle (site CA and the other keys);
           passphrase from --passphrase-file FILE, $EXAMROOM_KEYS_PASSPHRASE or the terminal, never the command line
  keys face-status | keys rotate-face | keys prune-face [reseal]   the face-data key: objects per key, a new key, drop old unused ones
  backup now | backup list | backup verify NAME|FILE   database backups: take one now (and copy it to the destination),
           list them with where they are, check one by restoring it into a scratch folder (integrity_check + audit verify)
  backup restore NAME|FILE --bundle KEYS.bundle [--force]   onto a fresh data folder: the site as it was when the backup was taken

${moduleCommands.map((c) => `  ${c.usage}`).join('\n')}

options for every command:
  --config FILE   the config (default: $EXAMROOM_CONFIG or /etc/examroom/config.yaml)
  --data DIR      the data folder (overrides paths.data; created when missing)
`;

const SHIPPED_DEFAULT_CONFIG = fileURLToPath(new URL('../config/default.yaml', import.meta.url));

class UsageError extends Error {}

/** Options declared by module commands; two commands may share a name only with the same type. */
function moduleOptions(): Record<string, CliOption> {
  const out: Record<string, CliOption> = {};
  for (const c of moduleCommands) Object.assign(out, c.options ?? {});
  return out;
}

const actor = () => `cli:${safeUser()}`;
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Scripts run data-only commands as `examroom bank import FILE --data DIR` on machines with no site
 * config (a build server, a laptop). With --data and no config anywhere, the shipped defaults serve.
 */
function resolveConfigFile(values: { config?: string; data?: string }): string {
  const file = configFilePath(values.config);
  if (!values.config && !process.env.EXAMROOM_CONFIG && values.data && !existsSync(file)) {
    process.stderr.write(`examroom: no ${file}; using the shipped default config with --data ${values.data}\n`);
    return SHIPPED_DEFAULT_CONFIG;
  }
  return file;
}

function open(values: { config?: string; data?: string }): { config: Config; db: Db } {
  const config = loadConfig(resolveConfigFile(values), values.data ? { dataDir: values.data } : {});
  const paths = dataPaths(config.paths.data);
  ensureDataFolders(paths);
  return { config, db: openDatabase(paths.dbFile) };
}

/**
 * The user and device services, for the commands that need them: loaded on use, because the device
 * service brings the terminal protocol and a `session list` or `--help` should not pay for it.
 */
async function services(config: Config, db: Db) {
  const [{ createUserService }, { createDeviceService }] = await Promise.all([import('./auth/users.ts'), import('./auth/devices.ts')]);
  const bus = createEventBus();
  const audit = cliAuditLog(config, db);
  return {
    audit,
    users: createUserService({ users: createUserStore(db, systemClock), audit, bus, clock: systemClock, config }),
    devices: createDeviceService({ devices: createDeviceStore(db, systemClock), audit, bus, clock: systemClock, config }),
  };
}

/**
 * The audit log as a command appends to it: keyed with the audit key when the keys folder holds one
 * (the server made it). A command run without it on a keyed log is refused at its first entry, rather
 * than breaking the chain with an unkeyed one.
 */
function cliAuditLog(config: Config, db: Db): AuditLog {
  return createAuditLog(db, systemClock, { key: loadAuditKey(config.paths.keys, { create: false }) });
}

/** After a command that wrote to a keyed log, an anchor (documents/audit-anchors.ts) so its entries leave the database too. */
async function anchorAfter(config: Config, db: Db, audit: AuditLog, before: number): Promise<void> {
  if (!audit.keyId || audit.head().seq === before) return;
  const { createAuditAnchors } = await import('../documents/index.ts');
  const paths = dataPaths(config.paths.data);
  createAuditAnchors({ db, audit, dir: paths.anchors, keysDir: config.paths.keys, clock: systemClock, siteId: config.site.id }).write('cli');
}

function parseJurisdiction(s: string | undefined) {
  if (!s) return null;
  const m = /^(province|city|site):(.+)$/.exec(s);
  if (!m) throw new UsageError(`--jurisdiction must be province:CODE, city:CODE or site:ID (got ${JSON.stringify(s)})`);
  return { level: m[1] as 'province' | 'city' | 'site', code: m[2]! };
}

/** Users' and devices' times are epoch milliseconds; they read as ISO instants. */
function table(rows: Record<string, unknown>[]): string {
  return tableLines(rows, { cell: (v) => (typeof v === 'number' && v > 1e12 ? new Date(v).toISOString().replace('.000Z', 'Z') : String(v)) }).join('\n');
}

/** The options of the built-in commands; each module command adds its own (moduleOptions). */
const BUILTIN_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  demo: { type: 'boolean' },
  role: { type: 'string' },
  rooms: { type: 'string' },
  jurisdiction: { type: 'string' },
  'display-name': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  as: { type: 'string' },
  room: { type: 'string' },
  all: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  force: { type: 'boolean' },
  bundle: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const BUILTIN_COMMANDS = new Set(['serve', 'migrate', 'audit', 'user', 'device', 'tls', 'keys', 'backup']);

/**
 * Whether parsing or running argv needs the records module's commands: not for a built-in command or
 * an exam command named by its words, with options those commands know (so the strict parse that
 * follows gives what it gave with every module's options).
 */
function needsRecordsCommands(argv: string[]): boolean {
  const known = { ...BUILTIN_OPTIONS, ...moduleOptions() };
  const { values, positionals, tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: known });
  if (values.help || positionals.length === 0) return true;
  const shorts = new Set<string>(Object.values(known).flatMap((o) => ('short' in o && o.short ? [o.short] : [])));
  const unknownOption = tokens.some((t) => t.kind === 'option' && !(t.name in known) && !shorts.has(t.name));
  if (unknownOption) return true;
  const [cmd, sub] = positionals;
  if (BUILTIN_COMMANDS.has(cmd!)) return false;
  return !examCommands.some((c) => c.name === `${cmd} ${sub ?? ''}`.trim());
}

async function parseCommandLine(argv: string[]) {
  if (needsRecordsCommands(argv)) await loadRecordsCommands();
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...BUILTIN_OPTIONS, ...moduleOptions() } });
  } catch (err) {
    await loadRecordsCommands(); // reportError answers a parse error with the usage of every command
    throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = await parseCommandLine(argv);
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(usage());
    return values.help ? 0 : 1;
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);

  switch (cmd) {
    case 'serve': {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new UsageError(`--port must be 0–65535 (got ${JSON.stringify(values.port)})`);
      const { serve } = await import('./main.ts');
      await serve({
        ...(values.config ? { configFile: values.config } : {}),
        ...(values.data ? { dataDir: values.data } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(values.host ? { host: values.host } : {}),
        demo: Boolean(values.demo),
      });
      return -1; // keeps running; exits from the signal handler
    }
    case 'migrate': {
      const config = loadConfig(resolveConfigFile(values), values.data ? { dataDir: values.data } : {});
      const paths = dataPaths(config.paths.data);
      ensureDataFolders(paths);
      const db = openDatabase(paths.dbFile, { migrate: false });
      try {
        // The same local online copy the server takes before it migrates (server/backup.ts).
        const { backupBeforeMigrations } = await import('./backup.ts');
        const copy = await backupBeforeMigrations({ config, db, clock: systemClock });
        if (copy)
          out(
            copy.name
              ? `backed up the database before migrating: ${copy.name} (${(copy.ms / 1000).toFixed(1)} s)`
              : 'the backup before migrating FAILED (see the audit log); migrating without it',
          );
        const r = migrate(db);
        const audit = r.applied.length || copy ? cliAuditLog(config, db) : null;
        for (const e of copy?.pending ?? []) audit!.append({ ...e, actor: actor() });
        if (r.applied.length) audit!.append({ actor: actor(), action: 'db.migrate', detail: { from: r.from, to: r.to, applied: r.applied } });
        out(
          r.applied.length
            ? `migrated ${paths.dbFile} from version ${r.from} to ${r.to}: ${r.applied.join(', ')}`
            : `${paths.dbFile} is up to date (version ${r.to})`,
        );
      } finally {
        db.close();
      }
      return 0;
    }
    case 'audit': {
      if (sub !== 'verify') throw new UsageError('usage: examroom audit verify');
      const { config, db } = open(values);
      try {
        const [{ checkAudit, createAuditAnchors }, { lastSentAnchorOf }] = await Promise.all([import('../documents/index.ts'), import('../records/index.ts')]);
        // Read-only: with the key when this user can read it, never recording a switch-over.
        const audit = createAuditLog(db, systemClock, { key: loadAuditKey(config.paths.keys, { create: false }), switchOver: false });
        const anchors = createAuditAnchors({
          db,
          audit,
          dir: dataPaths(config.paths.data).anchors,
          keysDir: config.paths.keys,
          clock: systemClock,
          siteId: config.site.id,
        });
        const { createExamService } = await import('../exam/index.ts');
        const exam = createExamService({ db, clock: systemClock, bus: createEventBus(), config, audit, paths: dataPaths(config.paths.data) });
        const v = checkAudit({ audit, anchors, lastSent: lastSentAnchorOf(db), marks: () => exam.packages.marks() });
        out(
          v.ok || v.seq === undefined
            ? `audit log ${v.ok ? 'intact' : 'TAMPERED (its chain links up, but the anchors disagree)'}: ${v.checked} entries, chain verified`
            : `audit log BROKEN at entry ${v.seq}: ${v.problem} (${v.checked} entries before it verified)`,
        );
        if (v.keyed)
          out(`  keyed with the audit key from entry ${v.keyed.from}${v.keyed.contentChecked ? '' : ' (not all of it could be checked: see below)'}`);
        if (v.anchors.present || v.keyed)
          out(
            `  anchors: ${v.anchors.count} in ${v.anchors.file}${v.anchors.latest ? `, the latest ${v.anchors.latest.n} (entry ${v.anchors.latest.seq}, ${v.anchors.latest.at})` : ''}`,
          );
        if (v.lastSent)
          out(
            `  last sent upstream: anchor ${v.lastSent.n ?? '(unsigned)'} (entry ${v.lastSent.seq}) with package ${v.lastSent.packageId} on ${v.lastSent.sentAt}`,
          );
        for (const f of v.findings) out(`${f.tamper ? 'TAMPERING' : 'CANNOT CHECK'}: ${f.problem}`);
        if (v.omitted) out(`… and ${v.omitted} more findings of the same kinds`);
        return v.ok ? (v.complete ? 0 : 3) : 1;
      } finally {
        db.close();
      }
    }
    case 'user': {
      if (sub === 'hash') {
        const { hashPassword, passwordProblem } = await import('./auth/passwords.ts');
        const pw = await readStdin();
        const problem = passwordProblem(pw);
        if (problem) throw new UsageError(`password ${problem}`);
        out(await hashPassword(pw));
        return 0;
      }
      const { config, db } = open(values);
      try {
        const s = await services(config, db);
        if (sub === 'list') {
          out(
            table(
              s.users.list().map((u) => ({
                user: u.username,
                role: u.role,
                rooms: u.rooms.join(',') || null,
                jurisdiction: u.jurisdiction ? `${u.jurisdiction.level}:${u.jurisdiction.code}` : null,
                disabled: u.disabled,
                lockedUntil: u.lockedUntil,
              })),
            ),
          );
          return 0;
        }
        if (sub === 'unlock') {
          if (!arg) throw new UsageError('usage: examroom user unlock NAME');
          s.users.unlock(arg, actor());
          out(`unlocked ${arg}`);
          return 0;
        }
        if (sub !== 'add' || !arg) throw new UsageError('usage: examroom user add NAME --role admin|invigilator|inspector|headteacher [...]');
        const role = values.role as Role | undefined;
        if (!role || !['admin', 'invigilator', 'inspector', 'headteacher'].includes(role))
          throw new UsageError(`--role must be admin, invigilator, inspector or headteacher (got ${JSON.stringify(values.role ?? '')})`);
        const generated = !values['password-stdin'];
        const password = generated ? `${randomBytes(9).toString('base64url')}7a` : await readStdin();
        const u = await s.users.add(
          {
            username: arg,
            role,
            password,
            displayName: values['display-name'] ?? null,
            rooms: values.rooms
              ? values.rooms
                  .split(',')
                  .map((r) => r.trim())
                  .filter(Boolean)
              : [],
            jurisdiction: parseJurisdiction(values.jurisdiction),
          },
          actor(),
        );
        out(
          `added ${u.username} (${u.role}${u.rooms.length ? `, rooms ${u.rooms.join(',')}` : ''}${u.jurisdiction ? `, ${u.jurisdiction.level} ${u.jurisdiction.code}` : ''})`,
        );
        if (generated) out(`password: ${password}  (shown once; give it to the user)`);
        return 0;
      } finally {
        db.close();
      }
    }
    case 'device': {
      const { config, db } = open(values);
      try {
        const s = await services(config, db);
        if (sub === 'list') {
          out(
            table(
              s.devices.list().map((d) => ({
                id: d.id,
                kind: d.kind,
                room: d.room,
                seat: d.seat,
                state: d.state,
                pairedAt: d.pairedAt,
                lastSeen: d.lastSeenAt,
                lastIp: d.lastIp,
                // What the pre-start warning would say (docs/exam-pcs.md "Check a PC is ready"); '-' for a reader.
                health: d.kind === 'reader' ? '-' : d.problems?.length ? d.problems.join(',') : d.health ? 'ready' : 'no report',
              })),
            ),
          );
          return 0;
        }
        if (sub === 'pending') {
          out(table(s.devices.pending().map((p) => ({ code: p.code, kind: p.kind, claims: p.claimedId, requested: p.requestedAt, ip: p.ip }))));
          return 0;
        }
        if (sub === 'approve' && (values.room !== undefined || values.all)) {
          if (arg || !values.room || !values.all || values.as) throw new UsageError('usage: examroom device approve --room ROOM --all');
          const r = s.devices.approveRoom(values.room, actor());
          if (!r.approved.length && !r.left.length) {
            out(`room ${r.roomId}: no pending pairing request (a PC asks when its page opens and shows a code; examroom device pending lists them)`);
            return 0;
          }
          const lines = [
            `room ${r.roomId}: approved ${r.approved.length}, left for a person ${r.left.length}`,
            ...r.approved.map((a) => `  approved ${a.deviceId} (seat ${a.seat ?? '-'}, code ${a.pairing.code}, ${a.pairing.ip ?? 'no address'})`),
            ...r.left.map((l) => `  left     ${l.pairing.claimedId ?? '(no id)'}: ${l.message}`),
          ];
          if (r.approved.length) lines.push('the approved PCs pick up their tokens on their next poll (within 2 s)');
          out(lines.join('\n'));
          return 0;
        }
        if (sub === 'approve') {
          if (!arg) throw new UsageError('usage: examroom device approve CODE [--as DEVICE_ID] | device approve --room ROOM --all');
          const r = s.devices.approve(arg, values.as ?? null, actor());
          out(`approved ${r.pairing.kind} ${r.device.id} (code ${r.pairing.code}); the device picks up its token on its next poll`);
          return 0;
        }
        if (sub === 'revoke') {
          if (!arg) throw new UsageError('usage: examroom device revoke DEVICE_ID');
          s.devices.revoke(arg, actor());
          out(`revoked ${arg}; it must pair again (a running server closes its connections within a moment)`);
          return 0;
        }
        throw new UsageError('usage: examroom device list|pending|approve CODE [--as ID]|approve --room ROOM --all|revoke ID');
      } finally {
        db.close();
      }
    }
    case 'backup': {
      const { backupCommand, restoreCommand } = await import('./backup-cli.ts');
      const io = {
        clock: systemClock,
        actor: actor(),
        args: positionals.slice(2),
        values: {
          ...(values['passphrase-file'] ? { 'passphrase-file': values['passphrase-file'] } : {}),
          ...(values.bundle ? { bundle: values.bundle } : {}),
          force: Boolean(values.force),
        },
        out,
        err: (line: string) => process.stderr.write(`${line}\n`),
      };
      // The object store when one is configured: backups go there instead of backup.path.
      const storeOf = async (config: Config) => {
        if (!config.objectStore) return null;
        const { openObjectStore } = await import('./object-store.ts');
        return openObjectStore(config, { clock: systemClock })?.store ?? null;
      };
      if (sub === 'restore') {
        const config = loadConfig(resolveConfigFile(values), values.data ? { dataDir: values.data } : {});
        const store = await storeOf(config);
        try {
          return await restoreCommand({ ...io, config, store });
        } finally {
          store?.destroy();
        }
      }
      const { config, db } = open(values);
      const store = await storeOf(config).catch((err: unknown) => {
        db.close();
        throw err;
      });
      try {
        const audit = cliAuditLog(config, db);
        const before = audit.head().seq;
        const { createSiteBackups } = await import('./backup.ts');
        const service = createSiteBackups({ config, db, audit, clock: systemClock, store });
        const code = await backupCommand(sub, { ...io, config, db, audit, service });
        await anchorAfter(config, db, audit, before);
        return code;
      } finally {
        store?.destroy();
        db.close();
      }
    }
    case 'tls':
    case 'keys': {
      const { config, db } = open(values);
      try {
        const s = await services(config, db);
        const ctx = {
          config,
          db,
          audit: s.audit,
          clock: systemClock,
          actor: actor(),
          args: positionals.slice(2),
          values: { ...(values['passphrase-file'] ? { 'passphrase-file': values['passphrase-file'] } : {}), force: Boolean(values.force) },
          devices: () => s.devices.list(),
          out,
          err: (line: string) => process.stderr.write(`${line}\n`),
        };
        // Loaded only for these commands, so every other command starts without openssl and prom-client code.
        const { keysCommand, tlsCommand } = await import('./tls/cli.ts');
        return cmd === 'tls' ? await tlsCommand(sub, ctx) : await keysCommand(sub, ctx);
      } finally {
        db.close();
      }
    }
    default: {
      const command = moduleCommands.find((c) => c.name === `${cmd} ${sub ?? ''}`.trim()) ?? moduleCommands.find((c) => c.name === cmd);
      if (!command) throw new UsageError(`unknown command ${JSON.stringify([cmd, sub].filter(Boolean).join(' '))}\n\n${usage()}`);
      const words = command.name.split(' ').length;
      const io = {
        actor: actor(),
        args: positionals.slice(words),
        values: values as Record<string, string | boolean | string[] | boolean[] | undefined>,
        out,
        err: (line: string) => process.stderr.write(`${line}\n`),
      };
      if (command.standalone) {
        const unavailable = (what: string) => () => {
          throw new Error(`${command.name} is standalone and has no ${what}`);
        };
        const ctx = Object.defineProperties(
          { ...io },
          {
            config: { get: unavailable('config') },
            db: { get: unavailable('database') },
            exam: { get: unavailable('exam service') },
            records: { get: unavailable('records service') },
          },
        );
        return await command.run(ctx as unknown as Parameters<typeof command.run>[0]);
      }
      const { config, db } = open(values);
      try {
        const audit = cliAuditLog(config, db);
        const before = audit.head().seq;
        const paths = dataPaths(config.paths.data);
        const bus = createEventBus();
        const anchoredMarks = async () => {
          const { createAuditAnchors } = await import('../documents/index.ts');
          const anchors = createAuditAnchors({ db, audit, dir: paths.anchors, keysDir: config.paths.keys, clock: systemClock, siteId: config.site.id });
          // A CLI run as a user who cannot read the site key has no anchors to consult; the database's marks stand.
          return () => {
            try {
              return anchors.latest()?.marks ?? {};
            } catch {
              return {};
            }
          };
        };
        const exam = createExamService({ db, clock: systemClock, bus, config, audit, paths, anchoredMarks: await anchoredMarks() });
        // An exam command's context has no records service (CliContext), so only records' commands make one.
        const examCommand = examCommands.find((c) => (c as unknown) === command);
        let code: number;
        if (examCommand) code = await examCommand.run({ config, db, exam, ...io });
        else {
          const { createRecordsService } = await import('../records/index.ts');
          // Archives with media read tiered segments from the object store, as the server does.
          const { cliMediaReader } = await import('./media-reads.ts');
          const mediaFiles = cliMediaReader(config, paths, db);
          try {
            const records = createRecordsService({ db, clock: systemClock, bus, config, audit, paths, exam, mediaFiles });
            code = await command.run({ config, db, exam, records, ...io });
          } finally {
            await mediaFiles.closeAll();
          }
        }
        await anchorAfter(config, db, audit, before);
        return code;
      } finally {
        db.close();
      }
    }
  }
}

export function reportError(err: unknown): number {
  const debug = process.env.EXAMROOM_DEBUG === '1';
  if (err instanceof ConfigError) {
    process.stderr.write(`examroom: ${err.message}:\n${err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
    return 1;
  }
  if (err instanceof ValidationError) {
    process.stderr.write(`examroom: ${err.problems.map(formatProblem).join('\n')}\n`);
    return 1;
  }
  if (err instanceof DomainError || err instanceof UsageError) {
    process.stderr.write(`examroom: ${redactText(err.message)}\n`);
    return 1;
  }
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`examroom: ${(err as Error).message}\n\n${usage()}`);
    return 1;
  }
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    process.stderr.write(`examroom: cannot listen: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(
    // An internal error may quote a camera or upstream URL: its password is hidden (core/redact.ts).
    redactText(
      `examroom: internal error: ${(err as Error)?.message ?? String(err)}${debug ? `\n${(err as Error)?.stack}` : ' (set EXAMROOM_DEBUG=1 for details)'}\n`,
    ),
  );
  return 2;
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/server/cli.ts');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err: unknown) => {
      process.exit(reportError(err));
    },
  );
}
