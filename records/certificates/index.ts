// Certificates (考试合格证明): issued for every passed result, printed as a PDF with a QR code whose
// signed payload verifies online (the public verify page) or offline (the published key); revoked by an
// admin with a reason; exported for the issuing office. It never issues for a result that did not pass
// and never changes a result; a certificate is revoked, never deleted or edited.
import { localDate } from '../../core/index.ts';
import { faceVaultOr } from '../../storage/index.ts';
import type { ArchivePart } from '../archive-parts.ts';
import type { RecordsDeps } from '../service.ts';
import { exportRows, exportXlsx, type ExportRow } from './export.ts';
import { certificatePdf } from './pdf.ts';
import { createCertificates, type Certificate } from './service.ts';
import { verifyUrlOf } from './verify-url.ts';

export { certificateCommands } from './commands.ts';
export type { Certificate, CertificateStatus, PublicCertificate, Verdict } from './service.ts';
export type { ExportRow } from './export.ts';
export { verifyBaseUrl } from './verify-url.ts';

export function createCertificateService(deps: RecordsDeps) {
  const core = createCertificates(deps);
  const { config, paths, audit, clock, bus, log } = deps;

  async function pdf(c: Certificate): Promise<Buffer> {
    return certificatePdf({ config, paths, faceVault: deps.faceVault }, c, core.statusOf(c));
  }

  async function exportSession(sessionId: string, format: 'xlsx' | 'json', actor: string): Promise<{ rows: ExportRow[]; xlsx: Buffer | null }> {
    deps.exam.plans.session(sessionId); // an unknown session is a NotFound, not an empty file
    const list = core.list({ sessionId });
    const people = new Set(list.map((c) => c.idNumber));
    const all = [...people].flatMap((idNumber) => core.list({ idNumber }));
    const rows = exportRows(config, list, all);
    // Personal data leaves the appliance for another system: who took it is on record.
    audit.append({ actor, action: 'records.certificate.export', target: sessionId, detail: { format, rows: rows.length } });
    return { rows, xlsx: format === 'xlsx' ? await exportXlsx(rows, { siteName: config.site.name, createdAt: clock.now() }) : null };
  }

  const archivePart: ArchivePart = {
    id: 'certificates',
    title: '考试合格证明：每份证明的 PDF、证明清单（JSON）与核验用的站点公钥',
    async *members(ctx) {
      const list = core.list({ sessionId: ctx.sessionId });
      const key = core.publicKey();
      const tz = config.site.timezone;
      yield {
        path: 'certificates/certificates.json',
        source: Buffer.from(
          `${JSON.stringify(
            {
              sessionId: ctx.sessionId,
              keyId: key.keyId,
              certificates: list.map((c) => ({
                number: c.number,
                idNumber: c.idNumber,
                name: c.name,
                category: c.category,
                operationClass: c.operationClass,
                industry: c.industry,
                sessionDate: c.sessionDate,
                score: c.score,
                total: c.total,
                issuedOn: localDate(c.issuedAt, tz),
                validUntil: localDate(c.validUntil, tz),
                status: core.statusOf(c, ctx.now),
                revokedOn: c.revokedAt === null ? null : localDate(c.revokedAt, tz),
                revokedReason: c.revokedReason,
                payload: c.payload,
                verifyUrl: verifyUrlOf(config, c.payload),
              })),
            },
            null,
            2,
          )}\n`,
        ),
      };
      yield { path: 'certificates/signing-key.pem', source: Buffer.from(key.publicKeyPem) };
      yield { path: 'certificates/signing-key.json', source: Buffer.from(`${JSON.stringify(key, null, 2)}\n`) };
      for (const c of list) {
        ctx.signal?.throwIfAborted();
        // A certificate shows the roster photo: sealed in the archive like the photo itself.
        const pdf = await certificatePdf({ config, paths, faceVault: deps.faceVault }, c, core.statusOf(c, ctx.now));
        yield { path: `certificates/${c.number}.pdf`, source: faceVaultOr(deps.faceVault, config.paths.keys).seal(pdf), mtime: c.issuedAt, encrypted: true };
      }
    },
  };

  return {
    ...core,
    pdf,
    exportSession,
    archivePart,
    /** Issues on every passed grading from now on, then catches up on passes graded while nothing listened. */
    start(): () => void {
      const off = bus.on('result.graded', (e) => {
        if (!e.passed) return;
        try {
          core.issueFor(e.sessionId, e.idNumber);
        } catch (err) {
          // The next start's catch-up issues it; grading itself has already succeeded.
          log?.error({ err, sessionId: e.sessionId }, 'issuing a certificate failed');
        }
      });
      const foreign = core.foreignlySigned();
      if (foreign.count)
        log?.error(
          { certificates: foreign.count, signedBy: foreign.keyIds, keysFolderKey: foreign.current, keysFolder: config.paths.keys },
          `${foreign.count} certificate(s) were signed by a site key that is not in the keys folder; they verify as forged until that key is restored with \`examroom keys import\``,
        );
      const caught = core.catchUp();
      if (caught.issued) log?.info({ issued: caught.issued }, 'certificates issued for passes graded while the server was stopped');
      for (const f of caught.failed) log?.warn({ resultId: f.resultId, problem: f.problem }, 'a pass has no certificate yet');
      return off;
    },
  };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
