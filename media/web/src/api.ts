// The live page's one call of its own: the sources I may watch. Who am I, log-in and log-out are
// the web kit's (web/http.ts); the reply's shape is media's protocol (media/protocol.ts).
import { call } from '../../../web/http.ts';
import type { LiveSource } from '../../protocol.ts';

export type { LiveSource };
export const sources = () => call<LiveSource[]>('GET', '/api/live/sources');
