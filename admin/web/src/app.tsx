// The console's frame: the log-in gate for the admin role, the top bar, the page list on the left and
// the page the hash names on the right.
import { useState } from 'preact/hooks';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { SignInGate, useSignedIn } from '../../../web/sign-in-gate.tsx';
import { TopBar } from '../../../web/top-bar.tsx';
import { userOf } from '../../../web/http.ts';
import { PAGES, href, useRoute, type PageId } from './route.ts';
import { shellWords } from './words.ts';
import type { PageProps } from './pages/page-props.ts';
import { TodayPage } from './pages/today/page.tsx';
import { DevicesPage } from './pages/devices/page.tsx';
import { BankPage } from './pages/bank/page.tsx';
import { TemplatesPage } from './pages/templates/page.tsx';
import { PlansPage } from './pages/plans/page.tsx';
import { ResultsPage } from './pages/results/page.tsx';
import { PeoplePage } from './pages/people/page.tsx';
import { SystemPage } from './pages/system/page.tsx';
import { TrainingPage } from './pages/training/page.tsx';
import { HEAD_TEACHER_ROLE } from './pages/training/api.ts';

const PAGE_VIEWS: Record<PageId, (props: PageProps) => preact.JSX.Element> = {
  today: TodayPage,
  devices: DevicesPage,
  bank: BankPage,
  templates: TemplatesPage,
  plans: PlansPage,
  training: TrainingPage,
  results: ResultsPage,
  people: PeoplePage,
  system: SystemPage,
};

/** The roles this console serves: the admin everywhere, the 班主任 on the training page only (the server enforces it per route). */
const ROLES = ['admin', HEAD_TEACHER_ROLE] as const;
const PAGE_ROLES: Partial<Record<PageId, readonly string[]>> = { training: ROLES };
const mayOpen = (page: PageId, role: string) => (PAGE_ROLES[page] ?? ['admin']).includes(role);

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = shellWords[lang];
  const signedIn = useSignedIn(lang);
  const user = userOf(signedIn.me);
  // A 班主任 lands on the training page: the console's other pages are not theirs.
  const home: PageId = user && !mayOpen('today', user.role) ? 'training' : 'today';
  const route = useRoute(home);
  useDocumentLanguage(lang, `${w.pages[route.page]} · ${w.title} · examroom`);
  const View = PAGE_VIEWS[route.page];
  return (
    <div class="page admin">
      <TopBar title={w.title} user={user} lang={lang} onLang={setLang}>
        <span class="spacer" />
      </TopBar>
      <SignInGate lang={lang} roles={ROLES} loginTitle={w.loginTitle} state={signedIn}>
        {(u) => (
          <div class="admin-body">
            <nav class="admin-nav" aria-label={w.title}>
              <ul>
                {PAGES.filter((p) => mayOpen(p, u.role)).map((p) => (
                  <li key={p}>
                    <a href={href(p)} aria-current={p === route.page ? 'page' : undefined} data-testid={`nav-${p}`}>
                      {w.pages[p]}
                    </a>
                  </li>
                ))}
              </ul>
              {u.role === 'admin' && <OtherApps lang={lang} title={w.otherApps} />}
            </nav>
            <main class="admin-main">
              <h2 class="page-title">{w.pages[route.page]}</h2>
              {mayOpen(route.page, u.role) ? (
                <View lang={lang} user={u} route={route} />
              ) : (
                <p class="error" data-testid="page-not-allowed">
                  {w.pageNotAllowed}
                </p>
              )}
            </main>
          </div>
        )}
      </SignInGate>
    </div>
  );
}

function OtherApps({ lang, title }: { lang: Lang; title: string }) {
  const q = lang === 'en' ? '?lang=en' : '';
  return (
    <>
      <p class="other-apps">{title}</p>
      <ul>
        <li>
          <a href={`/proctor/${q}`}>监考台 Proctor</a>
        </li>
        <li>
          <a href={`/live/${q}`}>实时视频 Live</a>
        </li>
        <li>
          <a href={`/records/${q}`}>统计分析 Statistics</a>
        </li>
      </ul>
    </>
  );
}
