// Who may see a desk app's pages: asks the server who holds the cookie, shows the log-in form to
// nobody, a refusal in words to a signed-in person of another role, and the app to the roles it serves.
// One copy for every app a person signs in to, so the three states read and behave the same.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { userOf, whoAmI, type Me } from './http.ts';
import { errorWords } from './error-words.ts';
import type { Bilingual, Lang } from './i18n.ts';
import { LoginForm } from './login.tsx';
import { useSessionEnded } from './session-end.ts';

export type SignedInUser = NonNullable<ReturnType<typeof userOf>>;

const gateWords: Bilingual<{ loading: string; failed: (why: string) => string; notAllowed: (role: string, roles: string) => string }> = {
  zh: {
    loading: '正在加载…',
    failed: (why) => `无法连接服务器：${why}`,
    notAllowed: (role, roles) => `当前账号的角色（${role}）不能使用本页面；需要：${roles}。请退出后换用有权限的账号登录。`,
  },
  en: {
    loading: 'Loading…',
    failed: (why) => `Cannot reach the server: ${why}`,
    notAllowed: (role, roles) => `Your account's role (${role}) cannot use this page; it needs: ${roles}. Log out and sign in with an account that may.`,
  },
};

/** The signed-in person (undefined while asking, null for nobody), and how to ask again after a log-in. */
export function useSignedIn(lang: Lang): { me: Me | null | undefined; error: string | null; reload: () => void } {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const reload = () => {
    setError(null);
    whoAmI().then(setMe, (err: unknown) => setError(gateWords[lang].failed(errorWords(err, lang))));
  };
  useEffect(reload, []);
  return { me, error, reload };
}

/**
 * The app for `roles`, or what stands in its way. `children` gets the signed-in person; `loginTitle`
 * says who logs in here (管理员登录…).
 */
export function SignInGate({
  lang,
  roles,
  loginTitle,
  state,
  notAllowed,
  children,
}: {
  lang: Lang;
  roles: readonly string[];
  loginTitle: string;
  state: ReturnType<typeof useSignedIn>;
  /** The app's own words for a signed-in person of another role (what it says they may use instead). */
  notAllowed?: string;
  children: (user: SignedInUser) => ComponentChildren;
}) {
  const w = gateWords[lang];
  const { me, error, reload } = state;
  // A session that ended under the open page (a socket closed for it): the form, with the reason, instead of the app.
  const ended = useSessionEnded();
  const user = userOf(me);
  if (error) return <p class="error">{error}</p>;
  if (me === undefined) return <p>{w.loading}</p>;
  if (me === null || ended) return <LoginForm title={loginTitle} lang={lang} onDone={reload} />;
  if (!user || !roles.includes(user.role))
    return (
      <p class="error" data-testid="not-allowed">
        {notAllowed ?? w.notAllowed(user?.role ?? me.kind, roles.join(', '))}
      </p>
    );
  return <>{children(user)}</>;
}
