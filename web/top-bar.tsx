// The desk apps' top bar (proctor console, inspector view, live page): the app's title and its own
// controls, then who is signed in with the log-out button, and the language toggle. One copy, so the
// log-out (which reloads the page to its log-in form) and the toggle behave the same in every app.
import type { ComponentChildren } from 'preact';
import { logout, type Me } from './http.ts';
import { topBarWords, type Lang } from './i18n.ts';
import { useSessionEnded } from './session-end.ts';

type User = Extract<Me, { kind: 'user' }>['user'];

export function TopBar({
  title,
  user,
  lang,
  onLang,
  children,
}: {
  title: string;
  user: User | null;
  lang: Lang;
  onLang: (lang: Lang) => void;
  children?: ComponentChildren;
}) {
  return (
    <header class="top">
      <h1>{title}</h1>
      {children}
      <AccountAndLanguage user={user} lang={lang} onLang={onLang} />
    </header>
  );
}

/**
 * The end of a top bar, for an app whose header is laid out its own way. `who` names the user where
 * the app shows more than the name (the live page adds the role).
 */
export function AccountAndLanguage({ user, lang, onLang, who }: { user: User | null; lang: Lang; onLang: (lang: Lang) => void; who?: string }) {
  const t = topBarWords[lang];
  // A session that ended under the page: the log-in form is showing, so nobody is signed in to name.
  const ended = useSessionEnded();
  return (
    <>
      {user && !ended && (
        <span class="who">
          {who ?? user.displayName ?? user.username}{' '}
          <button type="button" onClick={() => void logout().then(() => window.location.reload())}>
            {t.logout}
          </button>
        </span>
      )}
      <button type="button" class="lang" onClick={() => onLang(lang === 'zh' ? 'en' : 'zh')}>
        {t.langToggle}
      </button>
    </>
  );
}
