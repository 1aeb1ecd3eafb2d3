// Client and server transactions (RFC 3261 §17) over the transport. Client non-INVITE: Timer E
// retransmits over UDP from T1 doubling to T2, Timer F gives up at 64·T1 with a local 408. Server
// non-INVITE: a retransmitted request gets the last response again until Timer J (64·T1, UDP only).
// Server INVITE: 100 at once, a 2xx is retransmitted until the ACK (§13.3.1.4) and a non-2xx final until
// its ACK (Timer G/H); an INVITE that never gets its ACK ends with `ackTimeout` so the caller can BYE.
import { newBranch, parseCSeq, parseVia, responseTo, type SipRequest, type SipResponse } from './message.ts';
import type { Inbound, Peer, SipTransport } from './transport.ts';

export interface Timers {
  /** RTT estimate, 500 ms by RFC 3261; tests shorten it. */
  t1: number;
  t2: number;
}

export const DEFAULT_TIMERS: Timers = { t1: 500, t2: 4000 };

export interface ServerContext {
  req: SipRequest;
  from: Peer;
  /** Send a response; the final one is remembered for retransmitted requests. */
  respond(res: SipResponse): void;
}

export interface TransactionLayer {
  /** A non-INVITE client transaction: resolves with the final response, or a local 408 at Timer F. */
  request(req: SipRequest, to: Peer): Promise<SipResponse>;
  /** Where new requests (not retransmissions, not ACK to a non-2xx) go; ACKs to 2xx come here too. */
  onRequest(handler: (ctx: ServerContext) => void): void;
  /** An INVITE whose 2xx got no ACK in 64·T1 (the dialog is to be torn down). */
  onAckTimeout(handler: (req: SipRequest) => void): void;
  timers: Timers;
  close(): void;
}

interface ClientTx {
  req: SipRequest;
  resolve(r: SipResponse): void;
  timers: NodeJS.Timeout[];
}

interface ServerTx {
  last: SipResponse | null;
  from: Peer;
  invite: boolean;
  timers: NodeJS.Timeout[];
  acked: boolean;
}

export function createTransactionLayer(transport: SipTransport, timers: Timers = DEFAULT_TIMERS): TransactionLayer {
  const clients = new Map<string, ClientTx>();
  const servers = new Map<string, ServerTx>();
  let handler: (ctx: ServerContext) => void = () => {};
  let ackTimeout: (req: SipRequest) => void = () => {};

  const clear = (ts: NodeJS.Timeout[]) => {
    for (const t of ts) clearTimeout(t);
    ts.length = 0;
  };

  function onMessage({ msg, from }: Inbound): void {
    if (msg.kind === 'response') {
      const top = msg.headers.get('via') as string;
      let branch: string | null | undefined;
      try {
        branch = parseVia(top).params.get('branch');
      } catch {
        return;
      }
      const k = `${branch}|${parseCSeq(msg.headers.get('cseq') as string).method}`;
      const tx = clients.get(k);
      if (!tx || msg.status < 200) return;
      clients.delete(k);
      clear(tx.timers);
      tx.resolve(msg);
      return;
    }
    const branch = parseVia(msg.headers.get('via') as string).params.get('branch') as string;
    const method = msg.method === 'ACK' ? 'INVITE' : msg.method;
    const k = `${branch}|${method}|${from.host}`;
    const tx = servers.get(k);
    if (msg.method === 'ACK') {
      if (tx) {
        // The ACK to our non-2xx is part of the INVITE transaction (same branch): absorbed here.
        if (tx.last && tx.last.status >= 300) {
          tx.acked = true;
          clear(tx.timers);
          servers.delete(k);
          return;
        }
      }
      // The ACK to a 2xx is its own transaction (new branch) and goes to the dialog.
      for (const [sk, st] of servers)
        if (st.invite && st.last && st.last.status < 300 && !st.acked && sameDialog(st, msg)) {
          st.acked = true;
          clear(st.timers);
          servers.delete(sk);
        }
      handler({ req: msg, from, respond: () => {} });
      return;
    }
    if (tx) {
      // A retransmission: the last response again, never the TU twice.
      if (tx.last) transport.send(tx.last, tx.from);
      return;
    }
    const st: ServerTx = { last: null, from, invite: msg.method === 'INVITE', timers: [], acked: false };
    (st as ServerTx & { req: SipRequest }).req = msg;
    servers.set(k, st);
    if (st.invite) transport.send(responseTo(msg, 100), from);
    handler({
      req: msg,
      from,
      respond(res) {
        if (st.last && st.last.status >= 200) return;
        st.last = res;
        transport.send(res, from);
        if (res.status < 200) return;
        const udp = from.transport === 'UDP';
        if (st.invite) {
          // Retransmit the final response until the ACK (2xx: the TU's duty, §13.3.1.4; non-2xx: Timer G).
          let interval = timers.t1;
          const again = () => {
            if (st.acked) return;
            transport.send(res, from);
            interval = Math.min(interval * 2, timers.t2);
            st.timers.push(setTimeout(again, interval));
          };
          if (udp) st.timers.push(setTimeout(again, interval));
          st.timers.push(
            setTimeout(() => {
              clear(st.timers);
              servers.delete(k);
              if (!st.acked && res.status < 300) ackTimeout(msg);
            }, 64 * timers.t1),
          );
        } else {
          st.timers.push(
            setTimeout(
              () => {
                servers.delete(k);
              },
              udp ? 64 * timers.t1 : 0,
            ),
          );
        }
      },
    });
  }

  function sameDialog(st: ServerTx, ack: SipRequest): boolean {
    const inv = (st as ServerTx & { req: SipRequest }).req;
    return (
      inv.headers.get('call-id') === ack.headers.get('call-id') &&
      parseCSeq(inv.headers.get('cseq') as string).seq === parseCSeq(ack.headers.get('cseq') as string).seq
    );
  }

  transport.on('message', onMessage);

  return {
    timers,
    request(req, to) {
      return new Promise<SipResponse>((resolve) => {
        const branch = parseVia(req.headers.get('via') as string).params.get('branch') ?? newBranch();
        const k = `${branch}|${req.method}`;
        const tx: ClientTx = { req, resolve, timers: [] };
        clients.set(k, tx);
        transport.send(req, to);
        if (to.transport === 'UDP') {
          let interval = timers.t1;
          const again = () => {
            transport.send(req, to);
            interval = Math.min(interval * 2, timers.t2);
            tx.timers.push(setTimeout(again, interval));
          };
          tx.timers.push(setTimeout(again, interval));
        }
        tx.timers.push(
          setTimeout(() => {
            clear(tx.timers);
            clients.delete(k);
            resolve(responseTo(req, 408, { reason: 'Request Timeout (no answer, Timer F)' }));
          }, 64 * timers.t1),
        );
      });
    },
    onRequest(h) {
      handler = h;
    },
    onAckTimeout(h) {
      ackTimeout = h;
    },
    close() {
      transport.off('message', onMessage);
      for (const tx of clients.values()) clear(tx.timers);
      for (const tx of servers.values()) clear(tx.timers);
      for (const tx of clients.values()) tx.resolve(responseTo(tx.req, 408, { reason: 'Request Timeout (transport closed)' }));
      clients.clear();
      servers.clear();
    },
  };
}
