// WebSocket plumbing shared by every socket route: who is connected, and closing them cleanly on
// shutdown (1001 "going away"). Sockets that end with a session or a revoked device token (4401, 4403)
// are closed by server/auth/channels.ts.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export const CLOSE_GOING_AWAY = 1001;

export interface SocketEntry {
  socket: WebSocket;
  /** `device:T101-01`, `user:admin` — who holds this socket. */
  owner: string;
  kind: string;
}

export function createSocketHub() {
  const sockets = new Set<SocketEntry>();
  return {
    add(entry: SocketEntry): () => void {
      sockets.add(entry);
      return () => sockets.delete(entry);
    },
    /** Whether anyone holds an open socket as this owner (a device's presence: `device:T1`). */
    hasOwner(owner: string): boolean {
      for (const s of sockets) if (s.owner === owner) return true;
      return false;
    },
    count(kind?: string): number {
      let n = 0;
      for (const s of sockets) if (!kind || s.kind === kind) n++;
      return n;
    },
    closeOwner(owner: string, code: number, reason: string): number {
      let n = 0;
      for (const s of sockets) {
        if (s.owner === owner) {
          s.socket.close(code, reason);
          n++;
        }
      }
      return n;
    },
    /** Says goodbye to every client, then waits (bounded) for them to hang up before forcing it. */
    async closeAll(reason: string, waitMs = 2000): Promise<void> {
      const open = [...sockets].map((s) => s.socket);
      for (const s of open) s.close(CLOSE_GOING_AWAY, reason);
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline && open.some((s) => s.readyState !== s.CLOSED)) await new Promise((r) => setTimeout(r, 20));
      for (const s of open) if (s.readyState !== s.CLOSED) s.terminate();
    },
  };
}

export type SocketHub = ReturnType<typeof createSocketHub>;

/**
 * Ends the connection of an upgrade that was answered over HTTP instead of upgraded. @fastify/websocket
 * closes the upgrades its own hooks refuse, but a request the router refuses first (a badly encoded
 * path, a name past the router's length limit) never reaches those hooks: its answer was sent and the
 * socket stayed open until the client left, and a stopping server waited on it. An accepted upgrade
 * never finishes its HTTP response (ws writes the 101 itself), so only answered ones are ended.
 * Register after the WebSocket plugin, whose listener makes the response.
 */
export function endAnsweredUpgrades(server: Server): void {
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    // The plugin's listener has just given the socket its response (ServerResponse.assignSocket).
    const res = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    res?.once('finish', () => {
      if (!socket.destroyed) socket.end();
    });
  });
}
