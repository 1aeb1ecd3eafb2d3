// The system page (placeholder until it is built).
import type { PageProps } from '../page-props.ts';

export function SystemPage({ lang }: PageProps) {
  return (
    <section class="panel" data-testid="page-system">
      <h2>{lang === 'zh' ? '建设中' : 'Coming'}</h2>
    </section>
  );
}
