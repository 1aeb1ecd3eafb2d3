// The today page: the sessions of today and the next 7 days (and earlier ones not archived yet), by day
// and room, each with how much of its checklist is missing; the chosen session (#/today?session=ID)
// shows its whole checklist, each item linking to the page that fixes it, and its steps.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionChecklist, SessionTransitionId } from '../../../../../exam/protocol.ts';
import { errorWords } from '../../../../../web/error-words.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import { href, replaceParams } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import * as api from './api.ts';
import type { TodaySession } from './api.ts';
import { ChecklistView } from './checklist.tsx';
import { Transitions } from './transitions.tsx';
import { todayWords } from './words.ts';
import './styles.css';

const DAYS_AHEAD = 7;
/** The checklist's terminals and cameras change by themselves: look again this often while the page is open. */
const REFRESH_MS = 20_000;
const UNFINISHED = ['papers_ready', 'checkin', 'in_progress', 'ended', 'graded'];

const clock = siteClock();

export function TodayPage({ lang, route }: PageProps) {
  const w = todayWords[lang];
  const [zone, setZone] = useState<string | null>(null);
  /** Server time minus browser time: "today" is the server's today. */
  const [skew, setSkew] = useState(0);
  const [all, setAll] = useState<TodaySession[] | null>(null);
  const [lists, setLists] = useState<Record<string, SessionChecklist>>({});
  const [checkedAt, setCheckedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The step just done (worded in the language shown, which may change after). */
  const [notice, setNotice] = useState<SessionTransitionId | null>(null);

  const load = async () => {
    try {
      const [s, sessions] = await Promise.all([api.site(), api.sessions()]);
      clock.setTimeZone(s.site.timezone);
      setZone(s.site.timezone);
      setSkew(s.serverTime - Date.now());
      setAll(sessions);
      setError(null);
      const shown = pickShown(sessions, s.serverTime, s.site.timezone);
      const got = await Promise.all(shown.map((x) => api.checklist(x.id).then((c) => [x.id, c] as const)));
      setLists(Object.fromEntries(got));
      setCheckedAt(s.serverTime);
    } catch (err) {
      setError(errorWords(err, lang));
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const now = Date.now() + skew;
  const shown = useMemo(() => (all && zone ? pickShown(all, now, zone) : []), [all, zone]);
  const selectedId = route.params.get('session') ?? firstToShow(shown, now);
  const selected = shown.find((s) => s.id === selectedId) ?? all?.find((s) => s.id === selectedId) ?? null;
  // A link to a session made since the last look (from the plans page): look again at once.
  useEffect(() => {
    setNotice(null);
    if (all && selectedId && !all.some((s) => s.id === selectedId)) void load();
  }, [selectedId]);

  if (error && !all)
    return (
      <section class="today" data-testid="page-today">
        <p class="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!all || !zone)
    return (
      <section class="today" data-testid="page-today">
        <p class="note">{w.loading}</p>
      </section>
    );

  const todayKey = dayKey(now, zone);
  const fmt = (iso: string, fields: Intl.DateTimeFormatOptions) => clock.format(Date.parse(iso), lang, fields);
  const timeOf = (s: TodaySession) => `${fmt(s.startsAt, { month: 'short', day: 'numeric' })} ${fmt(s.startsAt, { hour: '2-digit', minute: '2-digit' })}`;
  const groups = groupByDay(shown, zone, todayKey);

  return (
    <section class="today" data-testid="page-today">
      <p class="intro">
        {w.intro}
        <span class="as-of">
          {checkedAt && w.asOf(clock.format(checkedAt, lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' }))}
          <button type="button" onClick={() => void load()} data-testid="refresh">
            {w.refresh}
          </button>
        </span>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status" data-testid="notice">
          {w.done[notice]}
        </p>
      )}
      {shown.length === 0 ? (
        <p class="panel empty" data-testid="no-sessions">
          {w.none} <a href={href('plans')}>{lang === 'zh' ? '去「计划与场次」' : 'Plans & sessions'} →</a>
        </p>
      ) : (
        <div class="today-grid">
          <nav class="sessions panel" aria-label={lang === 'zh' ? '场次' : 'Sessions'}>
            {groups.map((g) => (
              <div key={g.key} class="day">
                <h3>
                  {g.key === 'earlier'
                    ? w.earlier
                    : w.day(fmt(g.sessions[0]!.startsAt, { month: 'long', day: 'numeric', weekday: 'short' }), g.key === todayKey)}
                </h3>
                <ul>
                  {g.sessions.map((s) => {
                    const c = lists[s.id];
                    const missing = c?.items.filter((i) => i.state === 'missing').length ?? 0;
                    const warn = c?.items.filter((i) => i.state === 'warn').length ?? 0;
                    return (
                      <li key={s.id}>
                        <a
                          href={href('today', { session: s.id })}
                          aria-current={s.id === selectedId ? 'true' : undefined}
                          data-testid={`session-${s.id}`}
                          onClick={(e) => {
                            e.preventDefault();
                            replaceParams({ session: s.id });
                          }}
                        >
                          <span class="room">{s.roomName}</span>
                          <span class="time">
                            {fmt(s.startsAt, { hour: '2-digit', minute: '2-digit' })}–{fmt(s.endsAt, { hour: '2-digit', minute: '2-digit' })}
                          </span>
                          <span class={`status s-${s.status}`}>{w.statuses[s.status] ?? s.status}</span>
                          <span class="tpl">{s.templateName}</span>
                          {c && (s.status === 'scheduled' || s.status === 'papers_ready') && (
                            <span class={`sum ${missing ? 'missing' : warn ? 'warn' : 'ok'}`}>{w.missingCount(missing, warn)}</span>
                          )}
                        </a>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </nav>
          {selected ? (
            <article class="session panel" data-testid="session-detail" data-session={selected.id} data-status={selected.status}>
              <header>
                <h3>
                  {selected.roomName} · {timeOf(selected)}
                </h3>
                <span class={`status s-${selected.status}`} data-testid="session-status">
                  {w.statuses[selected.status] ?? selected.status}
                </span>
                {lists[selected.id]?.ready && (selected.status === 'scheduled' || selected.status === 'papers_ready') && (
                  <span class="ready-tag">{w.readyTag}</span>
                )}
              </header>
              <p class="meta">
                {w.template}: {selected.templateName} · {w.minutes(selected.durationMinutes)} · {selected.id}
              </p>
              <h4>{w.actionsTitle}</h4>
              <Transitions
                w={w}
                lang={lang}
                session={selected}
                checklist={lists[selected.id] ?? null}
                label={{ room: selected.roomName, time: timeOf(selected) }}
                skew={skew}
                onChanged={(done) => {
                  setNotice(done);
                  void load();
                }}
              />
              {!lists[selected.id] ? (
                <p class="note">{w.loading}</p>
              ) : selected.status === 'scheduled' || selected.status === 'papers_ready' || selected.status === 'checkin' ? (
                // During check-in the list still matters most (terminals paired and online): open.
                <>
                  <h4>{w.checklistTitle}</h4>
                  <ChecklistView w={w} checklist={lists[selected.id]!} />
                </>
              ) : (
                // Once the exam is under way the list is history, not a to-do: folded away.
                <details class="after">
                  <summary>{w.checklistAfter}</summary>
                  <ChecklistView w={w} checklist={lists[selected.id]!} />
                </details>
              )}
            </article>
          ) : (
            <p class="panel">{w.pick}</p>
          )}
        </div>
      )}
    </section>
  );
}

/**
 * The session the page opens on without a link: the one in progress or in check-in, else the next to
 * start, else none — never an old graded one.
 */
function firstToShow(shown: TodaySession[], now: number): string | null {
  const live = shown.find((s) => s.status === 'in_progress') ?? shown.find((s) => s.status === 'checkin');
  if (live) return live.id;
  const next = shown
    .filter((s) => (s.status === 'scheduled' || s.status === 'papers_ready') && Date.parse(s.endsAt) > now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
  return next?.id ?? null;
}

/** YYYY-MM-DD of an instant in the site's zone. */
function dayKey(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** Today and the next 7 days by start, and earlier sessions still to finish (not archived), in time and room order. */
function pickShown(all: TodaySession[], now: number, zone: string): TodaySession[] {
  const today = dayKey(now, zone);
  const last = dayKey(now + DAYS_AHEAD * 86_400_000, zone);
  return all
    .filter((s) => {
      const d = dayKey(Date.parse(s.startsAt), zone);
      return (d >= today && d < last) || (d < today && UNFINISHED.includes(s.status));
    })
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.roomId.localeCompare(b.roomId));
}

function groupByDay(shown: TodaySession[], zone: string, today: string): { key: string; sessions: TodaySession[] }[] {
  const out: { key: string; sessions: TodaySession[] }[] = [];
  for (const s of shown) {
    const d = dayKey(Date.parse(s.startsAt), zone);
    const key = d < today ? 'earlier' : d;
    const g = out.find((x) => x.key === key);
    if (g) g.sessions.push(s);
    else out.push({ key, sessions: [s] });
  }
  // Within a day, room by room, then by time: the room is what a person walks to.
  for (const g of out) g.sessions.sort((a, b) => a.roomId.localeCompare(b.roomId) || Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return out;
}
