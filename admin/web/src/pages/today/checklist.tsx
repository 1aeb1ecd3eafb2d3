// One session's checklist: each item with its state, the facts in words and the link to the page that
// fixes it; items that keep check-in shut say so.
import type { SessionChecklist } from '../../../../../exam/protocol.ts';
import { href } from '../../route.ts';
import { itemWords, type TodayWords } from './words.ts';

const MARK = { ok: '✓', warn: '!', missing: '✗' } as const;

export function ChecklistView({ w, checklist }: { w: TodayWords; checklist: SessionChecklist }) {
  return (
    <ul class="checklist" data-testid="checklist">
      {checklist.items.map((i) => (
        <li key={i.id} class={`item ${i.state}`} data-testid={`check-${i.id}`} data-state={i.state}>
          <span class="mark" aria-hidden="true">
            {MARK[i.state]}
          </span>
          <div class="what">
            <div class="title">
              <strong>{w.item[i.id]}</strong>
              <span class={`state ${i.state}`}>{w.state[i.state]}</span>
              {i.blocks && <span class="blocks">{w.blocks}</span>}
            </div>
            <div class="detail">{itemWords(w, i)}</div>
          </div>
          {i.state !== 'ok' && (
            <a class="fix" href={href(i.fix.page, i.fix.params)} data-testid={`fix-${i.id}`}>
              {w.fixIt[i.fix.page]} →
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}
