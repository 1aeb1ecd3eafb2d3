// What a room's bulk approval would do, worked out in the page from the live lists so the person sees
// each request before confirming. The same rules as the server's approveRoom (server/auth/devices.ts),
// which decides again in its own transaction: the answer it gives is what is shown afterwards.
import type { DeviceView, LeftReason, PairingView } from './api.ts';

export interface RoomPlan {
  approve: { pairing: PairingView; deviceId: string; seat: string | null }[];
  leave: { pairing: PairingView; reason: LeftReason }[];
}

export function planRoom(roomId: string, pairings: PairingView[], devices: DeviceView[]): RoomPlan {
  const byId = new Map(devices.filter((d) => d.kind === 'terminal' && d.configured).map((d) => [d.id, d]));
  const claims = new Map<string, number>();
  for (const p of pairings) if (p.kind === 'terminal' && p.claimedId) claims.set(p.claimedId, (claims.get(p.claimedId) ?? 0) + 1);
  const plan: RoomPlan = { approve: [], leave: [] };
  for (const p of pairings) {
    const d = p.claimedId ? byId.get(p.claimedId) : undefined;
    if (p.kind === 'kiosk') plan.leave.push({ pairing: p, reason: 'kiosk' });
    else if (!p.claimedId) plan.leave.push({ pairing: p, reason: 'no_device_id' });
    else if (!d) plan.leave.push({ pairing: p, reason: 'unknown_id' });
    else if (d.room !== roomId) plan.leave.push({ pairing: p, reason: 'other_room' });
    else if ((claims.get(p.claimedId) ?? 0) > 1 || d.state === 'paired') plan.leave.push({ pairing: p, reason: 'duplicate' });
    else plan.approve.push({ pairing: p, deviceId: d.id, seat: d.seat });
  }
  return plan;
}

/** "Chrome 131 · Windows" from a User-Agent: enough to tell an exam PC from a phone at a glance. */
export function browserSummary(ua: string | null): string {
  if (!ua) return '—';
  const m = /Edg\/(\d+)/.exec(ua) ?? /(?:Chromium|Chrome)\/(\d+)/.exec(ua) ?? /Firefox\/(\d+)/.exec(ua) ?? /Version\/(\d+).*Safari/.exec(ua);
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /Chromium\//.test(ua)
      ? 'Chromium'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux|X11/.test(ua)
            ? 'Linux'
            : null;
  if (!name) return ua.slice(0, 40);
  return [`${name}${m ? ` ${m[1]}` : ''}`, os].filter(Boolean).join(' · ');
}
