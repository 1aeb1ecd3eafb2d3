// The ID-card reader bridge's state (kiosk/reader-bridge): the reader's part of the one device-health
// report. The bridge sends it when the reader's state changes and when a card could not be used; the
// console's device list shows it on the kiosk's row, and the kiosk screen says it in words.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { errors } from './schemas.ts';
import { Forbidden } from '../../core/index.ts';
import { READER_STATUS_PATH, ReaderReportT, type ReaderReport } from '../../kiosk/protocol.ts';

export const cardReaderRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    READER_STATUS_PATH,
    {
      config: { roles: ['reader'], rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['devices'],
        summary: 'An ID-card reader bridge reports its reader: connected or not, authorised, SAM id, last card, a card it could not use',
        body: ReaderReportT,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p?.kind !== 'device' || p.device.kind !== 'reader') throw new Forbidden('an ID-card reader token is required');
      ctx.devices.touch(p.device.id, request.ip);
      ctx.devices.recordReaderReport(p.device.id, request.body as ReaderReport);
      return reply.status(204).send();
    },
  );
};
