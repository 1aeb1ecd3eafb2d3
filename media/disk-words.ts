// The disk forecast in words an IT person can act on, in both languages: rounded sizes, the month
// the disk runs out at the current exam plan, and what to do about it.

/** Decimal units, as disks are sold: 1.2 TB, 800 GB, 45 GB, 3.5 GB, 120 MB. */
export function humanBytes(n: number): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${unit}`;
    }
  }
  return `${Math.max(0, Math.round(n / 1e3))} kB`;
}

/** The regulation's minimum (config retention.days may be longer, never shorter). */
const MIN_RETENTION_DAYS = 1096;

export interface DiskForecastFacts {
  freeBytes: number;
  needBytes: number;
  /** The days the figures cover: the retention period, or hotDays with an object store. */
  days: number;
  /** With an object store: the local disk keeps only these days (= days); the store holds the rest. */
  hotDays?: number | null;
  daysUntilFull: number | null;
  /** YYYY-MM (site calendar), or null/absent when not known. */
  fullMonth?: string | null;
}

export function diskForecastWords(p: DiskForecastFacts): { zh: string; en: string } {
  const years = p.days / 365.25;
  const whole = Math.abs(years - Math.round(years)) < 0.02;
  const periodZh = whole ? `${Math.round(years)} 年` : `${p.days} 天`;
  const periodEn = whole ? `${Math.round(years)} years` : `${p.days} days`;
  const [y, m] = (p.fullMonth ?? '').split('-');
  const soon = p.daysUntilFull !== null && p.daysUntilFull < 45 ? Math.max(1, Math.round(p.daysUntilFull)) : null;
  const monthName = m ? new Date(Date.UTC(Number(y), Number(m) - 1, 15)).toLocaleString('en', { month: 'long', timeZone: 'UTC' }) : '';
  const whenZh = y && m ? `约在 ${y}年${Number(m)}月${soon !== null ? `（约 ${soon} 天后）` : ''}写满` : soon !== null ? `约 ${soon} 天后写满` : '';
  const whenEn =
    y && m ? `fills up around ${monthName} ${y}${soon !== null ? ` (in about ${soon} days)` : ''}` : soon !== null ? `fills up in about ${soon} days` : '';
  if (p.hotDays != null) {
    // With an object store the local disk holds only the last hotDays: the levers are this disk and hotDays,
    // never retention (the store keeps the period; retention is the regulation's).
    const fewer = p.hotDays > 1 ? Math.max(1, Math.floor(p.hotDays / 2)) : null;
    return {
      zh: `本机录像磁盘存不下最近 ${p.hotDays} 天（hotDays）的录像：按当前排考${whenZh ? `，磁盘${whenZh}` : ''}；这 ${p.hotDays} 天共需 ${humanBytes(p.needBytes)}，现有空闲 ${humanBytes(p.freeBytes)} — 请扩容本机磁盘${fewer ? `，或把 objectStore.hotDays 缩短（如 ${fewer} 天）让录像更早转存到对象存储` : ''}，并确认对象存储可用`,
      en: `The local recording disk cannot hold the last ${p.hotDays} days (hotDays) of recordings: at the current exam plan it ${whenEn || 'will run out'}; ${humanBytes(p.needBytes)} needed over those ${p.hotDays} days, ${humanBytes(p.freeBytes)} free — add disk space${fewer ? `, or shorten objectStore.hotDays (to ${fewer} days, say) so recordings move to the object store sooner` : ''}, and check the object store is reachable`,
    };
  }
  // Regulation sets the floor: shortening retention is advice only where the site keeps more than it must.
  const shorter = p.days > MIN_RETENTION_DAYS;
  const doZh = shorter ? `请扩容磁盘，或把保留期（retention.days）缩短到 ${MIN_RETENTION_DAYS} 天` : '请扩容磁盘（保留期已是法规要求的 3 年，不能再缩短）';
  const doEn = shorter
    ? `add disk space, or shorten retention (retention.days) to ${MIN_RETENTION_DAYS} days`
    : 'add disk space (retention is already the 3 years the regulation requires)';
  return {
    zh: `录像磁盘存不下 ${periodZh}录像：按当前排考${whenZh ? `，磁盘${whenZh}` : ''}；保留期内共需 ${humanBytes(p.needBytes)}，现有空闲 ${humanBytes(p.freeBytes)} — ${doZh}`,
    en: `The recording disk cannot hold ${periodEn} of recordings: at the current exam plan it ${whenEn || 'will run out'}; ${humanBytes(p.needBytes)} needed over the retention period, ${humanBytes(p.freeBytes)} free — ${doEn}`,
  };
}

/** The disk below its alarm line (retention.minFreeGiB), or below the last-resort floor where new recordings stop. */
export function diskLowWords(p: { freeBytes: number; minFreeBytes: number; recordingStopped: boolean }): { zh: string; en: string } {
  const free = humanBytes(p.freeBytes);
  const line = humanBytes(p.minFreeBytes);
  return p.recordingStopped
    ? {
        zh: `录像磁盘只剩 ${free}，新录像已停止（实时画面照常）— 请立即扩容磁盘；保留期内的录像不会被删除`,
        en: `Recording disk has only ${free} left: new recordings stopped (live view goes on) — add disk space now; nothing inside retention is deleted`,
      }
    : {
        zh: `录像磁盘剩余 ${free}，低于告警线 ${line}；录像照常进行 — 请尽快扩容磁盘`,
        en: `Recording disk has ${free} left, below the ${line} alarm line; recording goes on — add disk space soon`,
      };
}
