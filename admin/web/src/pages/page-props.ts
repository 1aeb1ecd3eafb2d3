// What the shell hands every page: the language, the signed-in person and where the console is.
import type { Lang } from '../../../../web/i18n.ts';
import type { SignedInUser } from '../../../../web/sign-in-gate.tsx';
import type { Route } from '../route.ts';

export interface PageProps {
  lang: Lang;
  user: SignedInUser;
  route: Route;
}
