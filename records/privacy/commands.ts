// `examroom person export ID --out FILE`, `examroom person erase-face ID --reason TEXT`,
// `examroom privacy status|sweep`, `examroom privacy basis DESTINATION TEXT|--withdraw`: the same service
// calls as the admin console's, audited as the CLI's user.
import { localDate } from '../../core/index.ts';
import type { RecordsCliCommand } from '../commands.ts';
import { OUTBOUND_DESTINATIONS, type OutboundDestination } from '../protocol.ts';

export const privacyCommands: RecordsCliCommand[] = [
  {
    name: 'person export',
    usage: "person export ID_NUMBER --out FILE   one person's photos, consent records and verification results as one signed zip (audited)",
    options: { out: { type: 'string' } },
    async run(ctx) {
      const out = typeof ctx.values.out === 'string' ? ctx.values.out : null;
      if (ctx.args.length !== 1 || !out) {
        ctx.err('usage: examroom person export ID_NUMBER --out FILE');
        return 1;
      }
      const r = await ctx.records.privacy.exportTo(ctx.args[0]!, out, { actor: ctx.actor });
      ctx.out(`${r.idNumber}: ${r.photos} photos, ${r.members} files, ${r.bytes} bytes → ${r.file}`);
      ctx.err('the file holds face images in plain form: hand it to the person only, and delete your copy');
      return 0;
    },
  },
  {
    name: 'person erase-face',
    usage: "person erase-face ID_NUMBER --reason TEXT   delete a person's face data on their request, except evidence still kept (audited)",
    options: { reason: { type: 'string' } },
    async run(ctx) {
      const reason = typeof ctx.values.reason === 'string' ? ctx.values.reason.trim() : '';
      if (ctx.args.length !== 1 || reason.length < 4) {
        ctx.err('usage: examroom person erase-face ID_NUMBER --reason TEXT   (the reason: the request, when, checked by whom; at least 4 characters)');
        return 1;
      }
      const r = ctx.records.privacy.erase(ctx.args[0]!, reason, { actor: ctx.actor });
      const d = r.deleted;
      ctx.out(
        `${r.idNumber}: deleted ${d.descriptors + d.enrolments} descriptors, ${d.rosterPhotos} registration photos, ${d.captures + d.cardPhotos} kiosk pictures`,
      );
      const tz = ctx.config.site.timezone;
      for (const k of r.kept) ctx.out(`  kept as evidence: ${k.kind} of ${k.of} until ${localDate(Date.parse(k.until), tz)}`);
      return 0;
    },
  },
  {
    name: 'privacy status',
    usage: 'privacy status [--json]   people whose face data the site holds, retention, legal bases for sending face images',
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      const s = ctx.records.privacy.status();
      if (ctx.values.json) {
        ctx.out(JSON.stringify(s, null, 2));
        return 0;
      }
      const f = s.faceData;
      ctx.out(`face data: ${f.total} people (local ${f.local}, archived ${f.archived}); warning at ${f.warnAt}, filing duty at ${f.filingAt}`);
      if (f.level !== 'ok')
        ctx.out(f.level === 'filing' ? '  the filing duty applies: file with the provincial cyberspace office' : '  approaching the filing threshold');
      ctx.out(`retention: descriptors ${s.retention.descriptorDays} days after grading / class end; images ${s.retention.evidenceDays} days`);
      for (const b of s.outbound) ctx.out(`outbound ${b.destination}: ${b.basis ? `allowed — ${b.basis} (${b.setBy}, ${b.setAt})` : 'no face images'}`);
      return 0;
    },
  },
  {
    name: 'privacy sweep',
    usage: 'privacy sweep   run the face-data retention sweep now (audited)',
    options: {},
    async run(ctx) {
      const r = ctx.records.privacy.sweep(ctx.actor);
      const n = (d: typeof r.descriptors) => d.descriptors + d.enrolments + d.captures + d.cardPhotos + d.snapshots + d.rosterPhotos;
      ctx.out(
        `descriptors: ${n(r.descriptors)} removed (${r.descriptors.people.length} people); images: ${n(r.evidence)} removed (${r.evidence.people.length} people)`,
      );
      return 0;
    },
  },
  {
    name: 'privacy basis',
    usage: `privacy basis DESTINATION (TEXT | --withdraw)   the legal basis for sending face images in plain form to ${OUTBOUND_DESTINATIONS.join(' or ')} (audited)`,
    options: { withdraw: { type: 'boolean' } },
    async run(ctx) {
      const [dest, ...rest] = ctx.args;
      const text = rest.join(' ').trim();
      const withdraw = Boolean(ctx.values.withdraw);
      if (!dest || !(OUTBOUND_DESTINATIONS as readonly string[]).includes(dest) || withdraw === text.length > 0 || (!withdraw && text.length < 4)) {
        ctx.err(`usage: examroom privacy basis (${OUTBOUND_DESTINATIONS.join('|')}) (TEXT | --withdraw)   TEXT names the law or rule, 4–500 characters`);
        return 1;
      }
      const r = ctx.records.privacy.outbound.set(dest as OutboundDestination, withdraw ? null : text, { actor: ctx.actor });
      ctx.out(`${r.destination}: ${r.basis ?? 'no face images leave'}`);
      return 0;
    },
  },
];
