// GB/T 28181 media sessions: SDP answer, PS muxing, RTP sending, for live play and recorded playback.
import { GbMediaError, type GbMediaDeps, type GbMediaSessions } from './media-session.ts';

export function createGbMediaSessions(_deps: GbMediaDeps): GbMediaSessions {
  return {
    async open() {
      throw new GbMediaError('internal', 'GB/T 28181 media is not built yet');
    },
    sessions: () => [],
    stopPlatform() {},
    close() {},
  };
}
