// HTTP for certificates: the public verify page and JSON (rate-limited, no log-in), the published
// signing key, and for staff the list, the PDF, revocation (admin) and the issuing-office export.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorReply, Forbidden, iso, maskIdNumber, normaliseIdNumber } from '../../core/index.ts';
import { CATEGORY_LABELS } from '../../exam/index.ts';
import { CertificateT, SigningKeyT, VerifyReplyT, type CertificateView, type VerifyReply } from '../protocol.ts';
import { auditFaceView } from '../../storage/index.ts';
import type { RecordsService } from '../service.ts';
import type { Certificate, Verdict } from './service.ts';
import { verdictHeadline, verifyPageHtml } from './verify-page.ts';
import { verifyUrlOf } from './verify-url.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
export const SIGNING_KEY_PATH = '/.well-known/examroom-signing-key';

export const certificateRoutes: FastifyPluginAsync<{ records: RecordsService }> = async (app, { records }) => {
  const { config, exam } = records.deps;
  const certs = records.certificates;
  const tags = ['certificates'];
  const publicLimit = { max: config.records.verifyPerMinute, timeWindow: '1 minute' };
  const NumberParam = Type.Object({ number: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Z0-9-]+$' }) });

  /** Admins see every room; an invigilator only the rooms they invigilate. */
  const roomsOf = (request: FastifyRequest): string[] | null => {
    const p = request.principal;
    if (p?.kind === 'user' && p.role === 'admin') return null;
    if (p?.kind === 'user' && p.role === 'invigilator') return p.user.rooms;
    throw new Forbidden('certificates are for admins and invigilators');
  };
  const assertVisible = (request: FastifyRequest, c: Certificate) => {
    const rooms = roomsOf(request);
    const room = exam.plans.session(c.sessionId).roomId;
    if (rooms && !rooms.includes(room))
      throw new Forbidden(`certificate ${c.number} is of a session in room ${room}; you invigilate ${rooms.join(', ') || 'no rooms'}`);
  };

  const staffView = (c: Certificate, masked: boolean): CertificateView => ({
    number: c.number,
    sessionId: c.sessionId,
    idNumber: masked ? maskIdNumber(c.idNumber) : c.idNumber,
    name: c.name,
    category: c.category,
    operationClass: c.operationClass,
    industry: c.industry,
    sessionDate: c.sessionDate,
    score: c.score,
    total: c.total,
    issuedAt: iso(c.issuedAt),
    validUntil: iso(c.validUntil),
    status: certs.statusOf(c),
    revokedAt: iso(c.revokedAt),
    revokedBy: c.revokedBy,
    revokedReason: c.revokedReason,
    pdf: `/api/records/certificates/${c.number}.pdf`,
    verifyUrl: verifyUrlOf(config, c.payload),
  });

  const verifyReply = (v: Verdict): VerifyReply => {
    const head = verdictHeadline(v);
    const base = { genuine: v.genuine, status: v.status, message: head.zh, messageEn: head.en };
    if (!v.genuine) return { ...base, problem: v.problem };
    if (v.status === 'unknown') return base;
    return { ...base, certificate: { ...v.certificate, categoryLabel: CATEGORY_LABELS[v.certificate.category] } };
  };

  // ── public ──
  // No schema on the payload: its length and characters are checked by decodePayload, which names the
  // problem on the page a checker sees rather than in a bare schema error.
  app.get<{ Params: { payload: string } }>(
    '/verify/:payload',
    { config: { roles: ['public'], rateLimit: publicLimit }, schema: { hide: true } },
    async (request, reply) => {
      const v = certs.verify(request.params.payload);
      // A checker's phone may cache the page; a revocation must show on the next scan.
      return reply
        .code(v.genuine ? 200 : 400)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(verifyPageHtml(v, config.site.name));
    },
  );

  app.get<{ Params: { payload: string } }>(
    '/api/records/verify/:payload',
    {
      config: { roles: ['public'], rateLimit: publicLimit },
      schema: {
        tags,
        summary: "Checks a certificate's QR payload: the site's signature, then the record (valid, expired or revoked)",
        params: Type.Object({ payload: Type.String({ description: "the part of the certificate's QR text after /verify/" }) }),
        response: { 200: VerifyReplyT, 400: Type.Union([VerifyReplyT, ErrorReply]) },
      },
    },
    async (request, reply) => {
      const v = certs.verify(request.params.payload);
      return reply
        .code(v.genuine ? 200 : 400)
        .header('cache-control', 'no-store')
        .send(verifyReply(v));
    },
  );

  app.get(
    `${SIGNING_KEY_PATH}.pem`,
    { config: { roles: ['public'] }, schema: { tags, summary: "The site's Ed25519 public key (SPKI PEM) that signs certificates and archives" } },
    async (_request, reply) => reply.type('application/x-pem-file').send(certs.publicKey().publicKeyPem),
  );
  app.get(
    `${SIGNING_KEY_PATH}.json`,
    { config: { roles: ['public'] }, schema: { tags, summary: "The site's signing key with its key id", response: { 200: SigningKeyT } } },
    async () => certs.publicKey(),
  );

  // ── staff ──
  app.get<{ Querystring: { sessionId?: string; idNumber?: string } }>(
    '/api/records/certificates',
    {
      config: { roles: ['admin', 'invigilator'] },
      schema: {
        tags,
        summary: "Certificates, by session or person (an invigilator sees their rooms', ID numbers masked)",
        querystring: Type.Object(
          { sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), idNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 18 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ certificates: Type.Array(CertificateT) }), ...errors },
      },
    },
    async (request) => {
      const rooms = roomsOf(request);
      const { sessionId, idNumber } = request.query;
      const list = certs.list({ ...(sessionId ? { sessionId } : {}), ...(idNumber ? { idNumber: normaliseIdNumber(idNumber) } : {}), rooms });
      return { certificates: list.map((c) => staffView(c, rooms !== null)) };
    },
  );

  app.get<{ Querystring: { sessionId: string; format: 'xlsx' | 'json' } }>(
    '/api/records/certificates/export',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: "A session's certificates for the issuing office (ZWFW C0210-2021 fields), .xlsx or JSON; revoked ones are left out",
        querystring: Type.Object(
          { sessionId: Type.String({ minLength: 1, maxLength: 64 }), format: Type.Union([Type.Literal('xlsx'), Type.Literal('json')], { default: 'xlsx' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errors },
      },
    },
    async (request, reply) => {
      const { sessionId, format } = request.query;
      const out = await certs.exportSession(sessionId, format, request.actor);
      if (format === 'json') return reply.send({ sessionId, rows: out.rows });
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="certificates-${sessionId}.xlsx"`)
        .send(out.xlsx);
    },
  );

  app.get<{ Params: { number: string } }>(
    '/api/records/certificates/:number.pdf',
    {
      config: { roles: ['admin', 'invigilator'] },
      schema: { tags, summary: 'The certificate as an A4 PDF with its QR code', params: NumberParam, response: errors },
    },
    async (request, reply) => {
      const c = certs.get(request.params.number);
      assertVisible(request, c);
      const pdf = await certs.pdf(c);
      // The certificate shows the roster photo in plain form: a view of a face, audited (storage/face-vault.ts).
      auditFaceView(records.deps.audit, {
        actor: request.actor,
        ip: request.ip,
        idNumber: c.idNumber,
        kind: 'certificate',
        sessionId: c.sessionId,
        ref: c.number,
      });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${c.number}.pdf"`).send(pdf);
    },
  );

  app.post<{ Params: { number: string }; Body: { reason: string } }>(
    '/api/records/certificates/:number/revoke',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Revokes a certificate (final; audited); the verify page then says revoked, with the date and reason',
        params: NumberParam,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: CertificateT, ...errors },
      },
    },
    async (request) => staffView(certs.revoke(request.params.number, request.body.reason, request.actor), false),
  );
};
