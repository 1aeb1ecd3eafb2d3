// The staff log-in form of every app a person signs in to (proctor console, inspector view, live
// page): user name and password to POST /api/auth/login, the server's refusal in the person's language.
// The app gives the title (who logs in here) and is told when the session cookie is set. When the
// session ended under an open page (web/session-end.ts), the form says why before asking again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { login } from './http.ts';
import { clearSessionEnded, sessionEndWords, useSessionEnded } from './session-end.ts';
import { errorWords, loginRefusals } from './error-words.ts';
import type { Bilingual, Lang } from './i18n.ts';
import './login.css';

export interface LoginLabels {
  username: string;
  password: string;
  login: string;
  failed: (why: string) => string;
}

export const loginLabels: Bilingual<LoginLabels> = {
  zh: { username: '用户名', password: '密码', login: '登录', failed: (why) => `登录失败：${why}` },
  en: { username: 'User name', password: 'Password', login: 'Log in', failed: (why) => `Log-in failed: ${why}` },
};

export function LoginForm({ title, lang, onDone }: { title: string; lang: Lang; onDone: () => void }) {
  const l = loginLabels[lang];
  const [user, setUser] = useState('');
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ended = useSessionEnded();
  // The form appears after the page has loaded (the app asks who is signed in first), when the autofocus
  // attribute no longer acts: focus the user name by hand so a person can type straight away.
  const userField = useRef<HTMLInputElement>(null);
  useEffect(() => userField.current?.focus(), []);
  return (
    <form
      class="login"
      onSubmit={(e) => {
        e.preventDefault();
        login(user, pass).then(
          () => {
            clearSessionEnded();
            onDone();
          },
          (err: unknown) => setError(l.failed(errorWords(err, lang, loginRefusals[lang]))),
        );
      }}
    >
      <h2>{title}</h2>
      {ended && (
        <p class="error" data-testid="session-ended">
          {sessionEndWords[lang][ended]}
        </p>
      )}
      <label>
        {l.username}
        <input ref={userField} name="username" autocomplete="username" value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {l.password}
        <input name="password" type="password" autocomplete="current-password" value={pass} onInput={(e) => setPass((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="primary">
        {l.login}
      </button>
      {error && <p class="error">{error}</p>}
    </form>
  );
}
