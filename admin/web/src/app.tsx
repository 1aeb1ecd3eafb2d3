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

const PAGE_VIEWS: Record<PageId, (props: PageProps) => preact.JSX.Element> = {
  today: TodayPage,
  devices: DevicesPage,
  bank: BankPage,
  templates: TemplatesPage,
  plans: PlansPage,
  results: ResultsPage,
  people: PeoplePage,
  system: SystemPage,
};

/** The roles this console serves (the training issue adds the 班主任 to some pages). */
const ROLES = ['admin'] as const;

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = shellWords[lang];
  const route = useRoute();
  const signedIn = useSignedIn(lang);
  useDocumentLanguage(lang, `${w.pages[route.page]} · ${w.title} · examroom`);
  const user = userOf(signedIn.me);
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
                {PAGES.map((p) => (
                  <li key={p}>
                    <a href={href(p)} aria-current={p === route.page ? 'page' : undefined} data-testid={`nav-${p}`}>
                      {w.pages[p]}
                    </a>
                  </li>
                ))}
              </ul>
              <p class="other-apps">{w.otherApps}</p>
              <ul>
                <li>
                  <a href={`/proctor/${lang === 'en' ? '?lang=en' : ''}`}>监考台 Proctor</a>
                </li>
                <li>
                  <a href={`/live/${lang === 'en' ? '?lang=en' : ''}`}>实时视频 Live</a>
                </li>
                <li>
                  <a href={`/records/${lang === 'en' ? '?lang=en' : ''}`}>统计分析 Statistics</a>
                </li>
              </ul>
            </nav>
            <main class="admin-main">
              <h2 class="page-title">{w.pages[route.page]}</h2>
              <View lang={lang} user={u} route={route} />
            </main>
          </div>
        )}
      </SignInGate>
    </div>
  );
}
