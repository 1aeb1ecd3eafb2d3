// GB/T 28181: the appliance as a standard device (下级平台) towards provincial and city platforms — SIP
// signalling (sip/, register.ts, queries.ts, subscriptions.ts, invites.ts), MANSCDP documents (manscdp/)
// and, through the session API gbmedia builds (media-session.ts), MPEG-PS over RTP from the one ingest.
// It must never slow recording or one platform for another: all it does is answer and send.
export { createGb28181, type Gb28181Deps, type Gb28181Service, type Gb28181Status, type PlatformStatus } from './service.ts';
export { gb28181Routes, type Gb28181RouteOptions } from './routes.ts';
export type { Gb28181Summary, Gb28181SummaryPlatform } from './protocol.ts';
export { createGbMediaSessions } from './media-session.ts';
export { startDemoPlatform, type DemoPlatform } from './demo-platform.ts';
