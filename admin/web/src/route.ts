// Where the console is: the page and its parameters live in the hash (#/plans?session=S1), so a link
// names a place (the checklist links to the item to fix), the back button works and a reload stays put.
// The language stays in the query string (?lang=en), as in every desk app.
import { useEffect, useState } from 'preact/hooks';

export const PAGES = ['today', 'devices', 'bank', 'templates', 'plans', 'training', 'results', 'people', 'system'] as const;
export type PageId = (typeof PAGES)[number];

export interface Route {
  page: PageId;
  params: URLSearchParams;
}

export function parseRoute(hash: string = window.location.hash, home: PageId = 'today'): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const page = (PAGES as readonly string[]).includes(path) ? (path as PageId) : home;
  return { page, params: new URLSearchParams(query) };
}

/** The link to a page, with parameters (`href('plans', { session: id })`). */
export function href(page: PageId, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

/** Moves to a page (a new history entry). */
export function go(page: PageId, params: Record<string, string | undefined> = {}): void {
  window.location.hash = href(page, params);
}

/**
 * Changes the current page's parameters without a new history entry (a filter, a selected row). `page`
 * names it where the hash may still be empty (the 班主任's console opens on the training page).
 */
export function replaceParams(params: Record<string, string | undefined>, page: PageId = parseRoute().page): void {
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${href(page, params)}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Where the console is; `home` is the page an empty hash means (the 班主任's is the training page). */
export function useRoute(home: PageId = 'today'): Route {
  const [route, setRoute] = useState<Route>(parseRoute(undefined, home));
  useEffect(() => {
    const on = () => setRoute(parseRoute(undefined, home));
    on();
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [home]);
  return route;
}
