// One call's answer as a section shows it: loading, the answer, or the refusal in words; reload on demand.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorWords } from '../../../../../web/error-words.ts';
import type { Lang } from '../../../../../web/i18n.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

export function useLoad<T>(fetcher: () => Promise<T>, lang: Lang, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    fetcher().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (err: unknown) => live && setError(errorWords(err, lang)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n, lang, ...deps]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload };
}
