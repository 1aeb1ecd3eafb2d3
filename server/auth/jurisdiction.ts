import type { Config } from '../../config/index.ts';
import type { Jurisdiction } from '../../storage/index.ts';

/** An inspector sees a site only when it lies inside their province, city, or is their site. */
export function siteInJurisdiction(site: Config['site'], j: Jurisdiction | null): boolean {
  if (!j) return false;
  if (j.level === 'province') return site.province === j.code;
  if (j.level === 'city') return site.city === j.code;
  return site.id === j.code;
}
