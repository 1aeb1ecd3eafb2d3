// The console header's line on results reporting to the provincial exam platform, for admins: how many
// packages wait for the platform's receipt and why the last attempt failed. It reads the outbox's status
// (GET /api/records/reports/status, records/protocol.ts) every 30 s; the details are in the records API.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../../web/http.ts';
import type { Lang } from '../../../web/i18n.ts';
import type { ReportingStatus as Status } from '../../../records/protocol.ts';

const POLL_MS = 30_000;

const words = {
  zh: {
    off: '成绩上报：未配置',
    ok: '成绩上报：已全部送达',
    pending: (n: number) => `成绩上报：${n} 个待送达`,
    failing: (n: number) => `成绩上报：${n} 个待送达，正在重试`,
    lastError: '上次错误：',
  },
  en: {
    off: 'Reporting: not configured',
    ok: 'Reporting: all delivered',
    pending: (n: number) => `Reporting: ${n} pending`,
    failing: (n: number) => `Reporting: ${n} pending, retrying`,
    lastError: 'Last error: ',
  },
};

export function ReportingStatus({ lang }: { lang: Lang }) {
  const [s, setS] = useState<Status | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      call<Status>('GET', '/api/records/reports/status').then(
        (x) => live && setS(x),
        () => live && setS(null),
      );
    void load();
    const id = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, []);
  if (!s) return null;
  const w = words[lang];
  const text = !s.configured ? w.off : s.pending === 0 ? w.ok : s.lastError ? w.failing(s.pending) : w.pending(s.pending);
  const state = !s.configured ? 'off' : s.pending === 0 ? 'ok' : s.lastError ? 'failing' : 'pending';
  return (
    <span class={`where reporting-${state}`} data-testid="reporting-status" title={s.lastError ? `${w.lastError}${s.lastError}` : (s.target ?? '')}>
      {text}
    </span>
  );
}
