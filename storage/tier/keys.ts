// Object keys a person can read in any S3 browser: `<prefix>/<site>/<source>/<yyyy>/<mm>/<dd>/<file>` for
// recordings (the day in the site's time zone, as staff name it), `<prefix>/<site>/archives/<file>` for
// session and class files, and captures and snapshots under their own branches so a kiosk or terminal id
// can never land among a camera's days. Several appliances of a centre share one bucket: the site id parts them.
import { localDate } from '../../core/index.ts';
import type { TierKind } from './rows.ts';

export interface KeyParts {
  prefix: string;
  site: string;
  kind: TierKind;
  source: string;
  /** When the file's content begins (server time, ms). */
  start: number;
  /** Relative to its data folder, as the owning index stores it. */
  path: string;
  timeZone: string;
}

const clean = (s: string) => s.replace(/^\/+|\/+$/g, '');

export function objectKey(p: KeyParts): string {
  const base = [clean(p.prefix), p.site].filter((x) => x !== '').join('/');
  const file = p.path.split('/').at(-1)!;
  if (p.kind === 'archive') return `${base}/archives/${clean(p.path)}`;
  const [y, m, d] = localDate(p.start, p.timeZone).split('-');
  const branch = p.kind === 'segment' ? p.source : `${p.kind === 'capture' ? 'captures' : 'snapshots'}/${p.source}`;
  return `${base}/${branch}/${y}/${m}/${d}/${file}`;
}
