// The server's clock as the console knows it: the feed sets the offset, everything that shows or
// counts time reads serverNow(), never the desk PC's own clock.
import { useEffect, useState } from 'preact/hooks';
import { words } from './i18n.ts';

/** The server's clock as last heard (every feed message carries serverTime); blank until then. */
let serverOffset: number | null = null;
export const serverNow = () => Date.now() + (serverOffset ?? 0);

/** Called with every feed message's serverTime. */
export function heardServerTime(serverTime: number): void {
  serverOffset = serverTime - Date.now();
}

export function ServerClock() {
  const now = useTicker();
  if (serverOffset === null) return null;
  return <span class="clock">{words.zh.time(now)}</span>;
}

/** Re-renders every second and returns the server's time. */
export function useTicker(): number {
  const [, setN] = useState(0);
  useEffect(() => {
    const i = setInterval(() => setN((n) => n + 1), 1000);
    return () => clearInterval(i);
  }, []);
  return serverNow();
}
