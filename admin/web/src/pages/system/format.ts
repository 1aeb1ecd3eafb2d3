// Durations, site-clock times and hidden credentials, as the System page shows them.
import type { Lang } from '../../../../../web/i18n.ts';

// Bytes: the console's one formatter (admin/web/src/format.ts), re-exported for this page's parts.
export { humanBytes } from '../../format.ts';

/** A span of time in words: 3 天 4 小时 / 3 d 4 h; 12 分钟 / 12 min; under a minute in seconds. */
export function spanWords(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const zh = lang === 'zh';
  if (d > 0) return zh ? `${d} 天 ${h} 小时` : `${d} d ${h} h`;
  if (h > 0) return zh ? `${h} 小时 ${m} 分钟` : `${h} h ${m} min`;
  if (m > 0) return zh ? `${m} 分钟` : `${m} min`;
  return zh ? `${s} 秒` : `${s} s`;
}

/** Times on the site's clock (its IANA zone), whatever zone this PC is set to. */
export function siteTime(ms: number, lang: Lang, timeZone: string, withSeconds = false): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  }).format(ms);
}

/** The zone's offset from UTC at `ms`, in ms. */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** A datetime-local field's value (YYYY-MM-DDTHH:mm) read on the site's clock, as epoch ms; null when empty or unreadable. */
export function fromSiteLocal(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const guess = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  return guess - zoneOffset(guess - zoneOffset(guess, timeZone), timeZone);
}

/**
 * A password in a URL, hidden: ffmpeg's last words about a camera or a push target can name its URL with
 * the credentials in it, and the server does not hide them there yet (issue 16 does).
 */
export function hideCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*):([^/@\s]*)@/gi, '$1$2:***@');
}
