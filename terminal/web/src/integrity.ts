// Integrity hooks while a candidate sits the exam: what a proctor must hear about (the window lost
// focus, the page was hidden, full screen was left) and what is also prevented (copy, cut, paste,
// the context menu, printing and developer-tool keys). Each is reported, not silently swallowed.
import type { IntegrityKind } from '../../protocol.ts';

export type Report = (kind: IntegrityKind, detail?: string) => void;

/** Key combinations that have no business in an exam: printing, saving, viewing source, dev tools. */
function blockedKey(e: KeyboardEvent): { kind: IntegrityKind; label: string } | null {
  const ctrl = e.ctrlKey || e.metaKey;
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const label = [ctrl && 'Ctrl', e.altKey && 'Alt', e.shiftKey && 'Shift', e.key.length === 1 ? e.key.toUpperCase() : e.key].filter(Boolean).join('+');
  if (ctrl && k === 'p') return { kind: 'print', label };
  if (k === 'F12') return { kind: 'key_blocked', label };
  if (ctrl && e.shiftKey && ['i', 'j', 'c', 'k'].includes(k)) return { kind: 'key_blocked', label };
  if (ctrl && ['s', 'u', 'o', 'f', 'g', 'h', 'j', 'n', 't'].includes(k)) return { kind: 'key_blocked', label };
  if (k === 'F5' || (ctrl && k === 'r')) return { kind: 'key_blocked', label };
  return null;
}

/**
 * Installs the hooks; returns the function that removes them. `notify` is called for things the
 * candidate should see a note about (a blocked action), `report` for everything the proctor hears.
 */
export function installIntegrityHooks(report: Report, notify: (what: 'blocked' | 'left' | 'fullscreen' | 'fullscreen_back') => void): () => void {
  let wasFullscreen = document.fullscreenElement !== null;
  // A reload or a closing page hides itself and loses focus on the way out (pagehide comes first):
  // that is the page going, reported as the terminal going offline, not the candidate leaving it.
  let leaving = false;
  const onPageHide = () => {
    leaving = true;
  };
  const onPageShow = () => {
    leaving = false;
  };

  // Reported when focus goes (the proctor should hear at once), once per departure: alert rules
  // count incidents, so the return is not a second one.
  const onBlur = () => {
    if (leaving) return;
    report('focus_lost');
    notify('left');
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden' && !leaving) report('visibility_hidden');
  };
  const onFullscreen = () => {
    const now = document.fullscreenElement !== null;
    if (wasFullscreen && !now && !leaving) {
      report('fullscreen_left');
      notify('fullscreen');
    } else if (now) notify('fullscreen_back');
    wasFullscreen = now;
  };
  const block = (kind: IntegrityKind) => (e: Event) => {
    // Typing into the page's own fields stays possible; only moving text in or out is refused.
    e.preventDefault();
    report(kind);
    notify('blocked');
  };
  const onCopy = block('copy');
  const onCut = block('cut');
  const onPaste = block('paste');
  const onContextMenu = block('context_menu');
  const onKey = (e: KeyboardEvent) => {
    const b = blockedKey(e);
    if (!b) return;
    e.preventDefault();
    e.stopPropagation();
    report(b.kind, b.label);
    notify('blocked');
  };
  const onBeforePrint = () => report('print', 'print dialog');
  const onDragStart = (e: DragEvent) => e.preventDefault();

  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('pageshow', onPageShow);
  window.addEventListener('blur', onBlur);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener('fullscreenchange', onFullscreen);
  document.addEventListener('copy', onCopy, true);
  document.addEventListener('cut', onCut, true);
  document.addEventListener('paste', onPaste, true);
  document.addEventListener('contextmenu', onContextMenu, true);
  document.addEventListener('dragstart', onDragStart, true);
  window.addEventListener('keydown', onKey, true);
  window.addEventListener('beforeprint', onBeforePrint);
  return () => {
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
    window.removeEventListener('blur', onBlur);
    document.removeEventListener('visibilitychange', onVisibility);
    document.removeEventListener('fullscreenchange', onFullscreen);
    document.removeEventListener('copy', onCopy, true);
    document.removeEventListener('cut', onCut, true);
    document.removeEventListener('paste', onPaste, true);
    document.removeEventListener('contextmenu', onContextMenu, true);
    document.removeEventListener('dragstart', onDragStart, true);
    window.removeEventListener('keydown', onKey, true);
    window.removeEventListener('beforeprint', onBeforePrint);
  };
}
