// The bank page (placeholder until it is built).
import type { PageProps } from '../page-props.ts';

export function BankPage({ lang }: PageProps) {
  return (
    <section class="panel" data-testid="page-bank">
      <h2>{lang === 'zh' ? '建设中' : 'Coming'}</h2>
    </section>
  );
}
