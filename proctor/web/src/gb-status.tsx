// The top bar's GB/T 28181 line: whether each provincial/city platform sees the site now and how many of
// its channels it is watching. Nothing when the site has no platform configured.
import { useEffect, useState } from 'preact/hooks';
import { gb28181 } from './api.ts';
import type { Words } from './i18n.ts';
import type { Gb28181Summary } from '../../../media/gb28181/protocol.ts';

const EVERY_MS = 30_000;

export function GbStatus({ w }: { w: Words }) {
  const [s, setS] = useState<Gb28181Summary | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      gb28181()
        .then((r) => live && setS(r))
        .catch(() => live && setS(null));
    void load();
    const i = setInterval(load, EVERY_MS);
    return () => {
      live = false;
      clearInterval(i);
    };
  }, []);
  if (!s?.configured || s.platforms.length === 0) return null;
  return (
    <span class="gb-status" data-testid="gb-status">
      {w.gbPlatforms}
      {s.platforms.map((p) => (
        <span key={p.name} class={p.online && !p.clockAlarm ? 'gb-ok' : 'gb-bad'} title={p.clockAlarm ? w.gbClock : undefined}>
          {' '}
          {p.name} {p.online ? w.gbOnline : w.gbOffline}
          {p.plays > 0 ? ` · ${w.gbPlays(p.plays)}` : ''}
          {p.clockAlarm ? ' ⚠' : ''}
        </span>
      ))}
    </span>
  );
}
