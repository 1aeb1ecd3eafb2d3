// `examroom archive session SESSION [--with-media]`, `archive verify FILE [--key PEM]`, `archive list
// [SESSION]`, `archive export-plain ARCHIVE_ID --out FILE` (face images opened; needs the legal basis). The archive is made through the same job runner as the console's button, so the job
// shows in GET /api/jobs/:id and a cancel from the server reaches it; Ctrl-C cancels it too.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tableLines } from '../../core/index.ts';
import { configFilePath, loadConfig } from '../../config/index.ts';
import {
  archiveListRows,
  archiveSize as size,
  checkArchive,
  loadSiteSigner,
  SITE_SIGNING_KEY_FILE,
  waitForArchiveJob,
  type ArchiveCheck,
} from '../../documents/index.ts';
import { readKeyFile } from '../../storage/index.ts';
import type { RecordsCliCommand, RecordsCliContext } from '../commands.ts';
import type { ArchiveMade } from './service.ts';

function usage(ctx: Pick<RecordsCliContext, 'err'>, text: string): number {
  ctx.err(`usage: examroom ${text}`);
  return 1;
}

/** A one-line bar redrawn in place on a terminal; nothing at all when stderr is a file or a pipe. */
function progressBar() {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    draw(done: number, total: number | null, note: string | null) {
      if (!tty) return;
      const width = 24;
      const filled = total ? Math.round((Math.min(done, total) / total) * width) : 0;
      const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${total ? `${done}/${total} parts` : ''} ${note ?? ''}`;
      const cols = process.stderr.columns || 100;
      process.stderr.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
      drawn = true;
    },
    clear() {
      if (tty && drawn) process.stderr.write(`\r${' '.repeat(Math.min((process.stderr.columns || 100) - 1, 100))}\r`);
    },
  };
}

/**
 * The keys `archive verify` trusts: files given with --key, and the site's own signing key when a site
 * config is found (--config, EXAMROOM_CONFIG or /etc/examroom/config.yaml). Never makes a key.
 */
function trustedKeys(ctx: RecordsCliContext, keyFiles: string[]): { keys: string[]; site: boolean; notes: string[] } {
  const keys = keyFiles.map((f) => readFileSync(f, 'utf8'));
  const notes: string[] = [];
  const cfg = typeof ctx.values.config === 'string' ? ctx.values.config : undefined;
  const file = configFilePath(cfg);
  let site = false;
  if (existsSync(file)) {
    try {
      const config = loadConfig(file);
      if (readKeyFile(resolve(config.paths.keys), SITE_SIGNING_KEY_FILE)) {
        keys.push(loadSiteSigner(config.paths.keys).publicKeyPem);
        site = true;
      } else notes.push(`the site of ${file} has no signing key yet`);
    } catch (err) {
      notes.push(`could not read the site's key through ${file}: ${(err as Error).message}`);
    }
  }
  return { keys, site, notes };
}

function describe(r: ArchiveCheck, how: { site: boolean; given: number }): string {
  // Session archives and training class files share the format (documents/part-archive.ts).
  const meta = r.meta as { session?: { id?: string }; class?: { id?: string }; version?: number } | null;
  const what = meta?.session?.id
    ? `session ${meta.session.id}, version ${meta.version ?? '?'}`
    : meta?.class?.id
      ? `training class ${meta.class.id}, version ${meta.version ?? '?'}`
      : 'archive';
  const signer = r.keyTrusted
    ? `signed by ${how.site && how.given === 0 ? "this site's key" : 'a trusted key'} ${r.keyId}`
    : `signed by key ${r.keyId} carried inside the archive — proves it is unchanged since signing, not who signed it (give --key PUBLIC.pem, or run where the site's config is)`;
  return `ok: ${what}: ${r.checked} of ${r.members} members match their SHA-256; manifest ${signer}`;
}

export const archiveCommands: RecordsCliCommand[] = [
  {
    name: 'archive session',
    usage: 'archive session SESSION [--with-media]  the session archive (一期一档): signed zip under <data>/archives/, session → archived',
    options: { 'with-media': { type: 'boolean' } },
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (!id || extra.length) return usage(ctx, 'archive session SESSION [--with-media]');
      const { archives, jobs, deps } = ctx.records;
      const bar = progressBar();
      const job = archives.start(id, { withMedia: ctx.values['with-media'] === true }, ctx.actor);
      const off = deps.bus.on('job.progress', (p) => p.jobId === job.id && bar.draw(p.done, p.total, p.note));
      let end;
      try {
        end = await waitForArchiveJob(jobs, job.id, ctx.actor);
      } finally {
        off();
        bar.clear();
      }
      if (end.status === 'done') {
        const r = end.result as ArchiveMade;
        const file = resolve(deps.paths.archives, r.archive.file);
        ctx.out(
          `${file} · ${size(r.archive.bytes)} · ${r.archive.members} members · version ${r.archive.version} · session ${r.archive.sessionId} ${r.sessionStatus}`,
        );
        if (r.statusProblem) ctx.err(`examroom: the archive is made, but the session stays ${r.sessionStatus}: ${r.statusProblem}`);
        return 0;
      }
      if (end.status === 'cancelled')
        ctx.err(`examroom: archive of session ${id} cancelled${end.cancelledBy ? ` by ${end.cancelledBy}` : ''}; no file was left`);
      else ctx.err(`examroom: archive of session ${id} ${end.status}: ${end.error ?? 'no reason given'}`);
      return 1;
    },
  },
  {
    name: 'archive verify',
    usage: "archive verify FILE [--key PEM]          check every hash and the signature (the site's key when its config is here)",
    // `key` is also bank package sign's option: one name, one type (server/cli.ts merges them).
    options: { key: { type: 'string' } },
    // Runs without the database: a checker may have only the file (and the site's published key).
    standalone: true,
    async run(ctx) {
      const [file, ...extra] = ctx.args;
      if (!file || extra.length) return usage(ctx, 'archive verify FILE [--key PUBLIC.pem]');
      if (!existsSync(file)) {
        ctx.err(`examroom: ${file}: no such file`);
        return 1;
      }
      const keyFiles = typeof ctx.values.key === 'string' ? [ctx.values.key] : [];
      const trust = trustedKeys(ctx, keyFiles);
      for (const n of trust.notes) ctx.err(`examroom: note: ${n}`);
      const r = await checkArchive(file, trust.keys.length ? { publicKeys: trust.keys } : {});
      if (r.ok) {
        ctx.out(describe(r, { site: trust.site, given: keyFiles.length }));
        return 0;
      }
      const p = r.problem!;
      ctx.out(`MISMATCH ${p.kind}${p.path ? ` ${p.path}` : ''}: ${p.detail}`);
      ctx.err(`examroom: ${file} fails verification after ${r.checked} good members: ${p.path ? `${p.path}: ` : ''}${p.detail}`);
      return 1;
    },
  },
  {
    name: 'archive export-plain',
    usage: "archive export-plain ARCHIVE_ID --out FILE  a plain copy (face images decrypted), signed; needs the legal basis for 'archive-export' (audited)",
    options: { out: { type: 'string' } },
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      const out = ctx.values.out;
      if (!id || extra.length || typeof out !== 'string' || !out) return usage(ctx, 'archive export-plain ARCHIVE_ID --out FILE');
      const r = await ctx.records.archives.exportPlain(id, { actor: ctx.actor }, out);
      ctx.out(
        `${r.file} · ${size(r.bytes)} · ${r.members} members, ${r.opened} sealed ones (face images, PDFs showing them) in plain form · session ${r.archive.sessionId} version ${r.archive.version} · legal basis: ${r.basis}`,
      );
      ctx.err('examroom: this copy holds face images in plain form; hand it only to the destination the legal basis names, and delete it after');
      return 0;
    },
  },
  {
    name: 'archive list',
    usage: 'archive list [SESSION]                   the session archives made (every version), newest first',
    async run(ctx) {
      const [id, ...extra] = ctx.args;
      if (extra.length) return usage(ctx, 'archive list [SESSION]');
      const tz = ctx.config.site.timezone;
      const list = ctx.records.archives.list(id);
      if (!list.length) {
        ctx.out(id ? `session ${id} has no archive yet` : 'no session archive has been made yet');
        return 0;
      }
      ctx.out(tableLines(archiveListRows(list, 'sessionId', 'session', tz)).join('\n'));
      return 0;
    },
  },
];
