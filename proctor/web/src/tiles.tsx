// The room's live tiles (cameras and screens), one enlarged at a time.
import { useState } from 'preact/hooks';
import type * as api from './api.ts';
import type { Words } from './i18n.ts';
// One live tile for every app that shows them: the web kit's.
import { LiveTile } from '../../../web/video/live-tile.tsx';

export function Tiles({ w, sources }: { w: Words; sources: api.Source[] }) {
  const [big, setBig] = useState<string | null>(null);
  return (
    <section class="panel" data-testid="tiles">
      <h2>
        {w.tiles} <span class="count">{sources.length}</span>
        <span class="right note" style={{ margin: 0 }}>
          {sources.length > 0 ? w.enlarge : ''}
        </span>
      </h2>
      {sources.length === 0 ? (
        <p class="note" style={{ margin: 0 }}>
          {w.noTiles}
        </p>
      ) : (
        <div class="tiles">
          {sources.map((s) => (
            <LiveTile
              key={s.id}
              source={s}
              caption={s.seat ? `${w.seat(s.seat)} · ${s.name}` : s.name}
              lang={w.lang}
              big={big === s.id}
              onToggle={() => setBig(big === s.id ? null : s.id)}
            />
          ))}
        </div>
      )}
    </section>
  );
}
