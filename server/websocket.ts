// WebSocket plumbing shared by every socket route: who is connected, and closing them cleanly on
// shutdown (1001 "going away"). Sockets that end with a session or a revoked device token (4401, 4403)
// are closed by server/auth/channels.ts.
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
