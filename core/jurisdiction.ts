/** Where an inspector may look: a province or city (GB/T 2260 division code) or one site. */
export interface Jurisdiction {
  level: 'province' | 'city' | 'site';
  code: string;
}

/**
 * An inspector sees a site only when it lies inside their province or city, or is their site.
 * One rule for every module, so no two screens can disagree about what an inspector may see.
 */
export function siteInJurisdiction(site: { id: string; province: string; city: string }, j: Jurisdiction | null | undefined): boolean {
  if (!j) return false;
  if (j.level === 'province') return site.province === j.code;
  if (j.level === 'city') return site.city === j.code;
  return site.id === j.code;
}

/** The error code of "this site is outside your jurisdiction": apps word it in the person's language. */
export const OUTSIDE_JURISDICTION = 'outside_jurisdiction';
