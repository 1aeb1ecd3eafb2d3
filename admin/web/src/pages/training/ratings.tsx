// The class's teacher ratings: per teacher the number rated of those who could, the average and the
// spread of scores, and the comments — never a rater's name (the server sends none).
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import type { RatingSummary } from '../../../../../training/ratings/protocol.ts';
import { api, type ClassRatings } from './api.ts';
import type { TabProps } from './page.tsx';
import { Failure } from './parts.tsx';
import { trainingWords } from './words.ts';

export function RatingsTab({ lang, cls }: TabProps) {
  const w = trainingWords[lang];
  const [r, setR] = useState<ClassRatings | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api.ratings(cls.id).then(setR, setErr);
  }, [cls.id]);
  return (
    <div class="ratings" data-testid="ratings">
      <h4>{w.ratings}</h4>
      <Failure err={err} lang={lang} />
      {r?.teachers.length === 0 && <p class="muted">{w.noRatings}</p>}
      {r?.teachers.map((t) => (
        <section key={t.teacherId} class="teacher-rating" data-teacher={t.teacherId}>
          <h4>
            {t.name}
            {t.title ? ` · ${t.title}` : ''}
          </h4>
          <Summary lang={lang} s={t.summary} />
          {t.comments.length > 0 && (
            <details>
              <summary>
                {w.comments}（{t.comments.length}）
              </summary>
              <ul>
                {t.comments.map((c, i) => (
                  <li key={i}>{c}</li>
                ))}
              </ul>
            </details>
          )}
        </section>
      ))}
    </div>
  );
}

/** One line of figures and a bar per score (5 down to 1). */
export function Summary({ lang, s }: { lang: Lang; s: RatingSummary }) {
  const w = trainingWords[lang];
  const max = Math.max(1, ...s.distribution);
  return (
    <div class="rating-summary" data-testid="rating-summary" data-ratings={s.ratings}>
      <p>{w.ratingLine(s.ratings, s.eligible, s.average === null ? '—' : s.average.toFixed(1))}</p>
      <table class="spread">
        <tbody>
          {[5, 4, 3, 2, 1].map((score) => (
            <tr key={score}>
              <td class="stars">{'★'.repeat(score)}</td>
              <td class="bar-cell">
                <span class="bar" style={{ width: `${(s.distribution[score - 1]! / max) * 100}%` }} />
              </td>
              <td class="num">{s.distribution[score - 1]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
