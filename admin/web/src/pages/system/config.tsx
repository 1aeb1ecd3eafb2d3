// The config in force (defaults filled in), each top-level setting a section, nested settings indented as
// in the YAML file; every secret comes masked from the server (config/masking.ts) and is marked so.
import type { PageProps } from '../page-props.ts';
import { getConfig } from './api.ts';
import { useLoad } from './load.ts';
import { systemWords } from './words.ts';

interface Line {
  depth: number;
  key: string;
  value: string | null;
}

const scalar = (v: unknown) =>
  v === null ? 'null' : typeof v === 'string' ? (v === '' || /^[\s\d]|[:#]\s|^(true|false|null)$/.test(v) ? JSON.stringify(v) : v) : String(v);

/** YAML-like lines: `key: value`, a list's items as `- `. */
function lines(value: unknown, depth: number, key: string, out: Line[]): Line[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return (out.push({ depth, key, value: '[]' }), out);
    out.push({ depth, key, value: null });
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const entries = Object.entries(item as Record<string, unknown>);
        entries.forEach(([k, v], i) => lines(v, depth + 1, `${i === 0 ? '- ' : '  '}${k}`, out));
      } else out.push({ depth: depth + 1, key: '-', value: scalar(item) });
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return (out.push({ depth, key, value: '{}' }), out);
    out.push({ depth, key, value: null });
    for (const [k, v] of entries) lines(v, depth + 1, k, out);
    return out;
  }
  out.push({ depth, key, value: scalar(value) });
  return out;
}

export function ConfigSection({ lang }: PageProps) {
  const w = systemWords[lang];
  const cfg = useLoad(getConfig, lang);
  if (cfg.error)
    return (
      <p class="error" role="alert">
        {cfg.error}
      </p>
    );
  const c = cfg.data;
  if (!c) return <p class="note">{w.loading}</p>;
  return (
    <div class="system-config" data-testid="system-config">
      <section class="panel">
        <p>{c.file ? w.configFile(c.file) : w.configInline}</p>
        <p class="muted">
          {w.maskedNote(c.masked.length)} {w.configRead}
        </p>
      </section>
      {Object.entries(c.config)
        .filter(([section]) => section !== 'file')
        .map(([section, value]) => {
          const body = lines(value, 0, section, []);
          return (
            <section class="panel config-section" key={section} data-testid={`config-${section}`}>
              <h2 class="mono">{section}</h2>
              <div class="yaml mono">
                {body.slice(1).length === 0 ? (
                  <div>{body[0]?.value}</div>
                ) : (
                  body.slice(1).map((l, i) => (
                    <div key={i} style={{ paddingLeft: `${(l.depth - 1) * 1.2}rem` }}>
                      <span class="k">{l.key === '-' ? '-' : `${l.key}:`}</span>{' '}
                      {l.value !== null &&
                        (l.value.includes(c.mask) ? (
                          <span class="masked" title={w.maskedBadge}>
                            {l.value} <span class="badge">{w.maskedBadge}</span>
                          </span>
                        ) : (
                          <span class="v">{l.value}</span>
                        ))}
                    </div>
                  ))
                )}
              </div>
            </section>
          );
        })}
    </div>
  );
}
