// The console keeps its place in the address (?room, &session, &lang), so a reload or a bookmark
// lands on the same screen.
export const params = new URLSearchParams(window.location.search);

export function setParam(name: string, value: string | null): void {
  const u = new URL(window.location.href);
  if (value === null) u.searchParams.delete(name);
  else u.searchParams.set(name, value);
  window.history.replaceState(null, '', u);
}
