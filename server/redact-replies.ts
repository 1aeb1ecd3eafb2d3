// The last line of defence for camera passwords in API answers: a JSON or text reply that holds a URL with
// a password (`rtsp://user:pw@…`) leaves with the password hidden, whichever route built it. The sources
// hide their secrets themselves (media/service/runs.ts, core/errors.ts); this catches the route that forgets.
// Only passwords: a reply's query parameters may be signed links that must stay as they are.
import type { FastifyInstance } from 'fastify';
import { redactPasswords } from '../core/index.ts';

export function installReplyRedaction(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string' || !payload.includes('://')) return payload;
    const shown = redactPasswords(payload);
    // A length a route set for the original would now be wrong: Fastify sets the right one when none is set.
    if (shown !== payload) reply.removeHeader('content-length');
    return shown;
  });
}
