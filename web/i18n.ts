// What every app's words build on: the two languages (Simplified Chinese first, English on request),
// the locale each one formats with, where the choice comes from (?lang=en on the desk apps, a stored
// choice on the kiosk and the terminal), and times shown on the site's clock, never the PC's.
import { useEffect } from 'preact/hooks';

export type Lang = 'zh' | 'en';

/** One set of words per language; `W` is the Chinese set's type, so a missing English phrase is a type error. */
export type Bilingual<W> = Record<Lang, W>;

export const localeOf = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en-GB');

/** The top bar's words (web/top-bar.tsx): the toggle names the language it switches to, in that language. */
export const topBarWords: Bilingual<{ logout: string; langToggle: string }> = {
  zh: { logout: '退出', langToggle: 'English' },
  en: { logout: 'Log out', langToggle: '中文' },
};

/** `?lang=en` picks English; anything else is Chinese. */
export const langFromQuery = (search: string = window.location.search): Lang => (new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh');

/** The page's lang attribute and title follow the language. */
export function useDocumentLanguage(lang: Lang, title: string): void {
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = title;
  }, [lang, title]);
}

/** localStorage, or null where the browser refuses it (a locked-down kiosk profile). */
export function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A device's remembered language (the kiosk's and the terminal's toggle survive a reload). */
export const storedLang = (key: string): Lang => (storage()?.getItem(key) === 'en' ? 'en' : 'zh');
export const storeLang = (key: string, lang: Lang): void => void storage()?.setItem(key, lang);

/**
 * The site's clock: times are formatted in the site's IANA zone (from the server), whatever zone the
 * PC is set to; `fallback` until the server has said which (undefined = the PC's own).
 */
export function siteClock(fallback?: string) {
  let zone = fallback;
  return {
    setTimeZone(tz: string): void {
      zone = tz;
    },
    format(ms: number, lang: Lang, fields: Intl.DateTimeFormatOptions): string {
      return new Intl.DateTimeFormat(localeOf(lang), { hour12: false, ...fields, ...(zone ? { timeZone: zone } : {}) }).format(ms);
    },
  };
}

/** A duration as H:MM:SS (a countdown). */
export function hms(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
