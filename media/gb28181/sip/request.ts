// Building the requests the device sends out of dialog (REGISTER, MESSAGE) and in a dialog (NOTIFY, BYE):
// our Via with rport (RFC 3581, so NAT'd answers find us), From with our tag, Max-Forwards, User-Agent, and
// the edition's X-GB-Ver (GB/T 28181-2022 §附录: 3.0; 2016: 2.0).
import { newBranch, SipHeaders, type SipRequest } from './message.ts';
import type { Transport } from './transport.ts';

export const USER_AGENT = 'examroom GB/T 28181';

export interface Local {
  deviceId: string;
  domain: string;
  address: string;
  port: number;
  transport: Transport;
}

export function gbVersion(edition: '2016' | '2022'): string {
  return edition === '2022' ? '3.0' : '2.0';
}

export function buildRequest(o: {
  method: string;
  uri: string;
  local: Local;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  edition: '2016' | '2022';
  headers?: [string, string][];
  body?: Buffer;
  contentType?: string;
}): SipRequest {
  const h = new SipHeaders();
  h.add('via', `SIP/2.0/${o.local.transport} ${o.local.address}:${o.local.port};rport;branch=${newBranch()}`);
  h.add('from', o.from);
  h.add('to', o.to);
  h.add('call-id', o.callId);
  h.add('cseq', `${o.cseq} ${o.method}`);
  h.add('max-forwards', '70');
  h.add('user-agent', USER_AGENT);
  h.add('x-gb-ver', gbVersion(o.edition));
  for (const [k, v] of o.headers ?? []) h.add(k, v);
  if (o.body && o.contentType) h.add('content-type', o.contentType);
  return { kind: 'request', method: o.method, uri: o.uri, headers: h, body: o.body ?? Buffer.alloc(0) };
}
