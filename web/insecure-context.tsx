// The notice every app shows when its page is not a secure context (web/secure-context.ts has the
// words): a block with data-testid="insecure-context" that says what is unavailable, why, and what the
// IT person does. Renders nothing on a secure page.
import type { Lang } from './i18n.ts';
import { insecureContextWords, type SecureNeed } from './secure-context.ts';
import './insecure-context.css';

export function InsecureContextNotice({ lang, need, compact = false }: { lang: Lang; need: SecureNeed; compact?: boolean }) {
  const w = insecureContextWords(lang, need);
  if (!w) return null;
  return (
    <div class={compact ? 'insecure-context compact' : 'insecure-context'} data-testid="insecure-context" data-need={need} role="alert">
      <strong class="insecure-context-title">{w.title}</strong>
      <p class="insecure-context-why">{w.why}</p>
      <ol class="insecure-context-steps">
        {w.steps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
    </div>
  );
}
