// What the consoles read of GB/T 28181. The admin console's System page (GET /api/gb28181): each platform's
// registration, keepalive, clock skew, channels and open plays, so the centre's IT person can tell the
// provincial operator what is wrong. The proctor console (GET /api/gb28181/summary): one line per platform,
// no addresses or IDs — an invigilator needs to know the province sees the room, not how.

export type LinkState = 'idle' | 'registering' | 'registered' | 'failed' | 'stopped';

/**
 * Why the last registration failed, for the console's words (lastError keeps the SIP detail): the platform
 * refused our credentials (401/403), did not answer (408), its challenge was unreadable, the REGISTER could
 * not be sent (no route, socket), or another SIP status.
 */
export type RegisterFailure = 'refused' | 'no-answer' | 'bad-challenge' | 'not-sent' | 'other';

/** One platform's registration and keepalive (media/gb28181/register.ts). Times are server epoch ms. */
export interface LinkStatus {
  state: LinkState;
  online: boolean;
  registeredAt: number | null;
  expiresAt: number | null;
  lastError: string | null;
  lastErrorKind: RegisterFailure | null;
  failures: number;
  nextAttemptAt: number | null;
  lastKeepaliveAt: number | null;
  keepaliveMisses: number;
  /** Platform clock minus ours, ms, from the last 200's Date (null: no Date seen). */
  clockSkewMs: number | null;
  clockAlarm: boolean;
  registrations: number;
  /** When the platform last stopped answering keepalives (the device went offline to it); null: never. */
  lostAt: number | null;
}

export type GbPlayKind = 'Play' | 'Playback' | 'Download';

export interface PlatformStatus extends LinkStatus {
  id: string;
  name: string;
  serverId: string;
  host: string;
  port: number;
  transport: 'UDP' | 'TCP';
  edition: '2016' | '2022';
  /** Keepalive interval and how many unanswered in a row count as lost (the platform's config). */
  keepaliveSeconds: number;
  keepaliveMissesAllowed: number;
  channels: number;
  subscriptions: number;
  plays: { kind: GbPlayKind; channelId: string; sourceId: string; since: number }[];
}

export interface Gb28181Status {
  deviceId: string;
  port: number | null;
  platforms: PlatformStatus[];
  sip: { received: number; malformed: number; dropped: number };
}

/**
 * GET /api/gb28181: `configured: false` (no `gb28181:` section) has no device ID, port or platforms.
 * `serverTime` is the server's clock when answered: the page says "12 s ago" / "in 3 min" against it, not
 * against the PC's clock.
 */
export type Gb28181AdminStatus =
  | ({ configured: true; serverTime: number } & Gb28181Status)
  | { configured: false; serverTime: number; deviceId: null; port: null; platforms: []; sip: Gb28181Status['sip'] };

export interface Gb28181SummaryPlatform {
  name: string;
  /** Registered and answering keepalives. */
  online: boolean;
  /** Live plays, playbacks and downloads the platform has open now. */
  plays: number;
  /** Our clock and the platform's differ by more than 2 s (at the last registration). */
  clockAlarm: boolean;
}

export interface Gb28181Summary {
  configured: boolean;
  platforms: Gb28181SummaryPlatform[];
}
