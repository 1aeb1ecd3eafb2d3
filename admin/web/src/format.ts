// Byte counts as every page of the admin console writes them: one style, so the Today checklist and the
// System page never show one disk as "73.4 GiB" here and "78.8 GB" there. Pages import this, never roll their own.

/** Decimal units, as disks are sold (the same rounding as the server's disk alerts, media/disk-words.ts). */
export function humanBytes(n: number): string {
  for (const [size, unit] of [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
  ] as const) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${unit}`;
    }
  }
  return `${Math.max(0, Math.round(n / 1e3))} kB`;
}
