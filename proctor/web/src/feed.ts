// The room view's live state: the /ws/proctor feed (snapshot on connect, then seat/room/alert
// messages) folded into one Feed, reconnecting when cut — but not once the server closed it because the
// session ended (web/session-end.ts: the console then asks to sign in again); and the alert beep.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Alert, FeedMessage, RoomView } from './api.ts';
import { wsUrl } from '../../../web/video/player.ts';
import { heardServerTime } from './clock.tsx';
import { checkSession, noteSessionEnded, sessionEndOfClose } from '../../../web/session-end.ts';

export interface Feed {
  view: RoomView | null;
  /** Server time at which each seat's figures were true (for counting remainingMs down). */
  seatAt: Map<string, number>;
  alerts: Alert[];
  connected: boolean;
  error: string | null;
  /** Bumped on anything that changes the session summary. */
  changes: number;
}

export function useFeed(roomId: string, sessionId: string | null, onNewAlert: (a: Alert) => void): Feed {
  const [feed, setFeed] = useState<Feed>({ view: null, seatAt: new Map(), alerts: [], connected: false, error: null, changes: 0 });
  const alertCb = useRef(onNewAlert);
  alertCb.current = onNewAlert;
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let ping: ReturnType<typeof setInterval> | null = null;
    const open = () => {
      const q = `room=${encodeURIComponent(roomId)}${sessionId ? `&session=${encodeURIComponent(sessionId)}` : ''}`;
      ws = new WebSocket(wsUrl(`/ws/proctor?${q}`));
      ws.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as FeedMessage;
        heardServerTime(m.serverTime);
        setFeed((f) => apply(f, m));
        // A resolved record (a terminal back within its grace) needs nobody: no beep.
        if (m.type === 'alert.new' && m.alert.resolvedAt === null) alertCb.current(m.alert);
      };
      ws.onopen = () => setFeed((f) => ({ ...f, connected: true, error: null }));
      ws.onclose = (ev) => {
        setFeed((f) => ({ ...f, connected: false, error: ev.reason || null }));
        const ended = sessionEndOfClose(ev.code);
        if (ended) return noteSessionEnded(ended);
        // A refused reconnect shows no status to the page (1006): ask whether the session still stands.
        if (ev.code === 1006) void checkSession();
        if (!stopped) retry = setTimeout(open, 1500);
      };
    };
    open();
    // Keeps NATs and proxies from dropping an idle feed; the pong also refreshes the clock.
    ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ping' })), 20_000);
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (ping) clearInterval(ping);
      ws?.close();
    };
  }, [roomId, sessionId]);
  return feed;
}

/** Latest first: a folded repeat moves its alert up. */
function byNewest(a: Alert, b: Alert): number {
  return b.lastAt - a.lastAt;
}

function apply(f: Feed, m: FeedMessage): Feed {
  switch (m.type) {
    case 'snapshot': {
      const seatAt = new Map(m.room.seats.map((s) => [s.seat, m.serverTime]));
      // Acknowledged ones the console already showed stay (history of this desk session).
      const fresh = new Map(m.alerts.map((a) => [a.id, a]));
      const kept = f.alerts.filter((a) => !fresh.has(a.id) && (a.acknowledged || a.resolvedAt !== null));
      return { ...f, view: m.room, seatAt, alerts: [...m.alerts, ...kept].sort(byNewest), changes: f.changes + 1 };
    }
    case 'room': {
      const seatAt = new Map(m.room.seats.map((s) => [s.seat, m.serverTime]));
      return { ...f, view: m.room, seatAt, changes: f.changes + 1 };
    }
    case 'seat': {
      if (!f.view) return f;
      const seats = f.view.seats.map((s) => (s.seat === m.seat.seat ? m.seat : s));
      const seatAt = new Map(f.seatAt);
      seatAt.set(m.seat.seat, m.serverTime);
      return { ...f, view: { ...f.view, seats }, seatAt, changes: f.changes + 1 };
    }
    case 'alert.new':
    case 'alert.update':
    case 'alert.ack': {
      const rest = f.alerts.filter((a) => a.id !== m.alert.id);
      return { ...f, alerts: [m.alert, ...rest].sort(byNewest), changes: f.changes + (m.type === 'alert.ack' ? 1 : 0) };
    }
    case 'incident.new':
      return { ...f, changes: f.changes + 1 };
    default:
      return f;
  }
}

/** A short two-tone beep made on the spot (no sound files to fetch). */
export function beep(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.connect(g).connect(ctx.destination);
    o.frequency.setValueAtTime(880, ctx.currentTime);
    o.frequency.setValueAtTime(660, ctx.currentTime + 0.15);
    g.gain.setValueAtTime(0.15, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => void ctx.close();
  } catch {
    // no audio device: the feed itself is the alert
  }
}
