// The console's screens: log-in → room picker → room view (session bar, seat map with commands,
// alert feed, live tiles, playback). The room view lives on the /ws/proctor feed: a snapshot on
// connect, then seat/room/alert messages; the console only ever reads the server's clock.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import * as api from './api.ts';
import type { Alert, Category, FeedMessage, RoomListItem, RoomView, Seat, Summary } from './api.ts';
import { HttpError, errorText, logout, userOf, whoAmI, type Me } from '../../../web/http.ts';
import { hms as clock, langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { LoginForm, loginLabels } from '../../../web/login.tsx';
import { InsecureContextNotice } from '../../../web/insecure-context.tsx';
// One live tile and one playback player for every app that shows them: the web kit's.
import { LiveTile } from '../../../web/video/live-tile.tsx';
import { PlaybackView } from '../../../web/video/playback-view.tsx';
import { wsUrl } from '../../../web/video/player.ts';
import { setTimeZone, words, type Words } from './i18n.ts';

const params = new URLSearchParams(window.location.search);

function setParam(name: string, value: string | null): void {
  const u = new URL(window.location.href);
  if (value === null) u.searchParams.delete(name);
  else u.searchParams.set(name, value);
  window.history.replaceState(null, '', u);
}

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = words[lang];
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [roomId, setRoomId] = useState<string | null>(params.get('room'));

  const load = async () => {
    setError(null);
    try {
      const who = await whoAmI();
      if (who?.kind === 'user')
        await api.site().then(
          (s) => setTimeZone(s.site.timezone),
          () => {},
        );
      setMe(who);
    } catch (err) {
      setError(w.failed(errorText(err)));
    }
  };
  useDocumentLanguage(lang, `${w.title} · examroom`);
  useEffect(() => setParam('lang', lang === 'en' ? 'en' : null), [lang]);
  useEffect(() => void load(), []);
  const pick = (id: string | null) => {
    setRoomId(id);
    setParam('room', id);
  };

  const user = userOf(me);
  const staff = user && (user.role === 'invigilator' || user.role === 'admin');
  return (
    <div class="page">
      <header class="top">
        <h1>{w.title}</h1>
        <span class="where" data-testid="where">
          {roomId ? w.room(roomId) : ''}
        </span>
        {staff && roomId && (
          <button type="button" onClick={() => pick(null)}>
            {w.switchRoom}
          </button>
        )}
        <span class="spacer" />
        <ServerClock />
        {user && (
          <span class="who">
            {user.displayName ?? user.username}{' '}
            <button type="button" onClick={() => void logout().then(() => window.location.reload())}>
              {loginLabels[lang].logout}
            </button>
          </span>
        )}
        <button type="button" class="lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {w.langToggle}
        </button>
      </header>
      {/* The console needs no camera, but says so: its log-ins cross the LAN in clear, and the IT person learns the fix here. */}
      <InsecureContextNotice lang={lang} need="none" compact />
      {error && <p class="error">{error}</p>}
      {me === undefined && !error && <p>{w.loading}</p>}
      {me === null && <LoginForm title={w.loginTitle} lang={lang} onDone={() => void load()} />}
      {me && !staff && <p class="error">{w.notInvigilator}</p>}
      {staff && !roomId && <RoomPicker w={w} onPick={pick} />}
      {staff && roomId && <Room key={roomId} w={w} roomId={roomId} />}
    </div>
  );
}

/** The server's clock as last heard (every feed message carries serverTime); blank until then. */
let serverOffset: number | null = null;
export const serverNow = () => Date.now() + (serverOffset ?? 0);

function ServerClock() {
  const now = useTicker();
  if (serverOffset === null) return null;
  return <span class="clock">{words.zh.time(now)}</span>;
}

/** Re-renders every second and returns the server's time. */
function useTicker(): number {
  const [, setN] = useState(0);
  useEffect(() => {
    const i = setInterval(() => setN((n) => n + 1), 1000);
    return () => clearInterval(i);
  }, []);
  return serverNow();
}

function RoomPicker({ w, onPick }: { w: Words; onPick: (id: string) => void }) {
  const [list, setList] = useState<RoomListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.rooms().then(setList, (err: unknown) => setError(w.failed(errorText(err))));
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!list) return <p>{w.loading}</p>;
  return (
    <section class="picker">
      <h2>{w.pickRoom}</h2>
      {list.length === 0 && <p>{w.noRooms}</p>}
      <ul>
        {list.map((r) => (
          <li key={r.id}>
            <button type="button" data-room={r.id} onClick={() => onPick(r.id)}>
              <span class="name">
                {r.id} · {r.name}
              </span>
              <span class="meta">{w.seatsOf(r.rows * r.columns)}</span>
              <span class="meta">{r.session ? `${w.current(r.session.name)}（${w.status[r.session.status] ?? r.session.status}）` : w.noSession}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Room view

interface Feed {
  view: RoomView | null;
  /** Server time at which each seat's figures were true (for counting remainingMs down). */
  seatAt: Map<string, number>;
  alerts: Alert[];
  connected: boolean;
  error: string | null;
  /** Bumped on anything that changes the session summary. */
  changes: number;
}

function useFeed(roomId: string, sessionId: string | null, onNewAlert: (a: Alert) => void): Feed {
  const [feed, setFeed] = useState<Feed>({ view: null, seatAt: new Map(), alerts: [], connected: false, error: null, changes: 0 });
  const alertCb = useRef(onNewAlert);
  alertCb.current = onNewAlert;
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let ping: ReturnType<typeof setInterval> | null = null;
    const open = () => {
      const q = `room=${encodeURIComponent(roomId)}${sessionId ? `&session=${encodeURIComponent(sessionId)}` : ''}`;
      ws = new WebSocket(wsUrl(`/ws/proctor?${q}`));
      ws.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as FeedMessage;
        serverOffset = m.serverTime - Date.now();
        setFeed((f) => apply(f, m));
        if (m.type === 'alert.new') alertCb.current(m.alert);
      };
      ws.onopen = () => setFeed((f) => ({ ...f, connected: true, error: null }));
      ws.onclose = (ev) => {
        setFeed((f) => ({ ...f, connected: false, error: ev.reason || null }));
        if (!stopped) retry = setTimeout(open, 1500);
      };
    };
    open();
    // Keeps NATs and proxies from dropping an idle feed; the pong also refreshes the clock.
    ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ping' })), 20_000);
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (ping) clearInterval(ping);
      ws?.close();
    };
  }, [roomId, sessionId]);
  return feed;
}

function byNewest(a: Alert, b: Alert): number {
  return b.at - a.at;
}

function apply(f: Feed, m: FeedMessage): Feed {
  switch (m.type) {
    case 'snapshot': {
      const seatAt = new Map(m.room.seats.map((s) => [s.seat, m.serverTime]));
      // Acknowledged ones the console already showed stay (history of this desk session).
      const fresh = new Map(m.alerts.map((a) => [a.id, a]));
      const kept = f.alerts.filter((a) => !fresh.has(a.id) && a.acknowledged);
      return { ...f, view: m.room, seatAt, alerts: [...m.alerts, ...kept].sort(byNewest), changes: f.changes + 1 };
    }
    case 'room': {
      const seatAt = new Map(m.room.seats.map((s) => [s.seat, m.serverTime]));
      return { ...f, view: m.room, seatAt, changes: f.changes + 1 };
    }
    case 'seat': {
      if (!f.view) return f;
      const seats = f.view.seats.map((s) => (s.seat === m.seat.seat ? m.seat : s));
      const seatAt = new Map(f.seatAt);
      seatAt.set(m.seat.seat, m.serverTime);
      return { ...f, view: { ...f.view, seats }, seatAt, changes: f.changes + 1 };
    }
    case 'alert.new':
    case 'alert.update':
    case 'alert.ack': {
      const rest = f.alerts.filter((a) => a.id !== m.alert.id);
      return { ...f, alerts: [m.alert, ...rest].sort(byNewest), changes: f.changes + (m.type === 'alert.ack' ? 1 : 0) };
    }
    case 'incident.new':
      return { ...f, changes: f.changes + 1 };
    default:
      return f;
  }
}

/** A short two-tone beep made on the spot (no sound files to fetch). */
function beep(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.connect(g).connect(ctx.destination);
    o.frequency.setValueAtTime(880, ctx.currentTime);
    o.frequency.setValueAtTime(660, ctx.currentTime + 0.15);
    g.gain.setValueAtTime(0.15, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => void ctx.close();
  } catch {
    // no audio device: the feed itself is the alert
  }
}

type Ask =
  | { kind: 'seat'; action: 'pause' | 'resume' | 'addTime' | 'submit' | 'lock' | 'unlock' | 'incident'; seat: Seat }
  | { kind: 'reseat'; seat: Seat; free: string[] }
  | { kind: 'room'; action: 'pauseAll' | 'resumeAll' }
  | { kind: 'status'; to: 'checkin' | 'in_progress' | 'ended' }
  | { kind: 'ack'; alert: Alert }
  | { kind: 'move'; action: 'approve' | 'reject'; alert: Alert };

function Room({ w, roomId }: { w: Words; roomId: string }) {
  const [sessionId, setSessionId] = useState<string | null>(params.get('session'));
  const [sound, setSound] = useState(localStorage.getItem('proctor.sound') === '1');
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const feed = useFeed(roomId, sessionId, () => soundRef.current && beep());
  const view = feed.view;
  const session = view?.session ?? null;
  const [summary, setSummary] = useState<Summary | null>(null);
  const [cats, setCats] = useState<Category[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [ask, setAsk] = useState<Ask | null>(null);
  const [toast, setToast] = useState<{ text: string; bad: boolean } | null>(null);

  useEffect(() => {
    api.categories().then(setCats, () => setCats([]));
  }, []);
  // The summary follows the feed: refreshed (at most every 500 ms) after changes.
  useEffect(() => {
    if (!session) return setSummary(null);
    const timer = setTimeout(() => api.summary(session.id).then(setSummary, () => {}), 300);
    return () => clearTimeout(timer);
  }, [session?.id, session?.status, feed.changes]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 3500);
    return () => clearTimeout(timer);
  }, [toast]);
  // A toast is worded when it is raised; after a language switch it would speak the old language.
  useEffect(() => setToast(null), [w]);
  const deviceWarnings = useDeviceWarnings(roomId, session?.status ?? null);
  const problemsOf = useMemo(() => new Map(deviceWarnings.filter((d) => d.kind === 'terminal').map((d) => [d.deviceId, d.problems])), [deviceWarnings]);

  if (!view) return <p>{feed.error ? w.failed(feed.error) : w.loading}</p>;
  const seat = view.seats.find((s) => s.seat === selected) ?? null;
  const inProgress = session?.status === 'in_progress';
  const done = (text: string) => setToast({ text, bad: false });

  return (
    <div>
      <SessionBar
        w={w}
        view={view}
        summary={summary}
        onPickSession={(id) => {
          setSessionId(id);
          setParam('session', id);
        }}
        onAsk={setAsk}
      />
      {!feed.connected && <p class="error">{w.feedDown}</p>}
      <DeviceWarnings w={w} warnings={deviceWarnings} />
      <div class="room">
        <div class="left">
          <section class="panel" data-testid="seat-map">
            <h2>
              {w.seatMap} · {view.room.name}
              {session?.roomPaused && <span class="status">{w.seatState.paused}</span>}
              <span class="right">
                {inProgress && (
                  <>
                    <button type="button" onClick={() => setAsk({ kind: 'room', action: 'pauseAll' })}>
                      {w.pauseAll}
                    </button>
                    <button type="button" onClick={() => setAsk({ kind: 'room', action: 'resumeAll' })}>
                      {w.resumeAll}
                    </button>
                  </>
                )}
              </span>
            </h2>
            <div class="podium">{w.podium}</div>
            <div class="seats" style={{ gridTemplateColumns: `repeat(${view.room.columns}, minmax(0, 1fr))` }}>
              {view.seats.map((s) => (
                <SeatCell
                  key={s.seat}
                  w={w}
                  seat={s}
                  problems={(s.terminal && problemsOf.get(s.terminal.id)) || null}
                  at={feed.seatAt.get(s.seat) ?? view.serverTime}
                  selected={s.seat === selected}
                  onClick={() => setSelected(s.seat === selected ? null : s.seat)}
                />
              ))}
            </div>
            <Legend w={w} />
            {session && (
              <div class="seatpanel" data-testid="seat-commands">
                {!seat?.candidate ? (
                  <span class="note">{w.selectSeat}</span>
                ) : (
                  <>
                    <span class="label">{w.commandsFor(seat.seat, seat.candidate.name)}</span>
                    {seat.paused ? (
                      <button type="button" onClick={() => setAsk({ kind: 'seat', action: 'resume', seat })}>
                        {w.resume}
                      </button>
                    ) : (
                      <button
                        type="button"
                        disabled={!inProgress || seat.state === 'submitted'}
                        onClick={() => setAsk({ kind: 'seat', action: 'pause', seat })}
                      >
                        {w.pause}
                      </button>
                    )}
                    <button
                      type="button"
                      disabled={!inProgress || seat.state === 'submitted'}
                      onClick={() => setAsk({ kind: 'seat', action: 'addTime', seat })}
                    >
                      {w.addTime}
                    </button>
                    {seat.locked ? (
                      <button type="button" onClick={() => setAsk({ kind: 'seat', action: 'unlock', seat })}>
                        {w.unlock}
                      </button>
                    ) : (
                      <button type="button" disabled={seat.state === 'submitted'} onClick={() => setAsk({ kind: 'seat', action: 'lock', seat })}>
                        {w.lock}
                      </button>
                    )}
                    <button
                      type="button"
                      class="danger"
                      disabled={!inProgress || seat.state === 'submitted'}
                      onClick={() => setAsk({ kind: 'seat', action: 'submit', seat })}
                    >
                      {w.forceSubmit}
                    </button>
                    <button type="button" onClick={() => setAsk({ kind: 'seat', action: 'incident', seat })}>
                      {w.incident}
                    </button>
                    <button
                      type="button"
                      disabled={seat.state === 'submitted'}
                      onClick={() => setAsk({ kind: 'reseat', seat, free: view.seats.filter((x) => !x.candidate).map((x) => x.seat) })}
                    >
                      {w.reseat}
                    </button>
                  </>
                )}
              </div>
            )}
          </section>
          <Tiles w={w} sources={view.sources} />
          {session && <Playback w={w} view={view} alerts={feed.alerts} />}
        </div>
        <AlertFeed
          w={w}
          alerts={feed.alerts}
          sound={sound}
          onSound={(on) => {
            setSound(on);
            localStorage.setItem('proctor.sound', on ? '1' : '0');
            if (on) beep();
          }}
          onAck={(a) => setAsk({ kind: 'ack', alert: a })}
          onMove={(a, action) => setAsk({ kind: 'move', action, alert: a })}
          onSeat={(s) => setSelected(s)}
        />
      </div>
      {ask && session && <AskDialog w={w} ask={ask} sessionId={session.id} cats={cats} onClose={() => setAsk(null)} onDone={(text) => done(text ?? w.done)} />}
      {ask && !session && ask.kind === 'ack' && (
        <AskDialog w={w} ask={ask} sessionId="" cats={cats} onClose={() => setAsk(null)} onDone={(text) => done(text ?? w.done)} />
      )}
      {toast && (
        <div class={`toast${toast.bad ? ' bad' : ''}`} role="status">
          {toast.text}
        </div>
      )}
    </div>
  );
}

function SessionBar({
  w,
  view,
  summary,
  onPickSession,
  onAsk,
}: {
  w: Words;
  view: RoomView;
  summary: Summary | null;
  onPickSession: (id: string) => void;
  onAsk: (a: Ask) => void;
}) {
  const s = view.session;
  if (!s) return <div class="sessionbar">{w.noSessionHere}</div>;
  const st = s.status;
  return (
    <div class="sessionbar" data-testid="session-bar">
      <span class="title">{w.session}</span>
      {view.sessions.length > 1 ? (
        <select value={s.id} onChange={(e) => onPickSession((e.target as HTMLSelectElement).value)}>
          {view.sessions.map((x) => (
            <option key={x.id} value={x.id}>
              {w.time(x.startsAt).slice(0, 5)} {x.name}
            </option>
          ))}
        </select>
      ) : (
        <span>
          {w.time(s.startsAt).slice(0, 5)}–{w.time(s.endsAt).slice(0, 5)} {s.name}
        </span>
      )}
      <span class="status" data-testid="session-status" data-status={st}>
        {w.status[st] ?? st}
      </span>
      {summary && (
        <span class="summary" data-testid="summary">
          <span>
            {w.summary.expected} <b>{summary.roster}</b>
          </span>
          <span>
            {w.summary.present} <b>{summary.admitted}</b>
          </span>
          <span>
            {w.summary.absent} <b>{summary.absent + summary.notArrived}</b>
          </span>
          <span>
            {w.summary.submitted} <b>{summary.submitted}</b>
          </span>
          <span>
            {w.summary.incidents} <b>{summary.incidents + summary.integrity}</b>
          </span>
        </span>
      )}
      <span class="actions">
        {(st === 'papers_ready' || st === 'scheduled') && (
          <button type="button" class="primary" onClick={() => onAsk({ kind: 'status', to: 'checkin' })}>
            {w.openCheckin}
          </button>
        )}
        {st === 'checkin' && (
          <button type="button" class="primary" onClick={() => onAsk({ kind: 'status', to: 'in_progress' })}>
            {w.startExam}
          </button>
        )}
        {st === 'in_progress' && (
          <button type="button" class="danger" onClick={() => onAsk({ kind: 'status', to: 'ended' })}>
            {w.endExam}
          </button>
        )}
      </span>
    </div>
  );
}

const AT_TERMINAL = new Set(['logged_in', 'answering', 'paused', 'locked', 'offline']);
const LEGEND = ['empty', 'admitted', 'logged_in', 'answering', 'paused', 'offline', 'submitted'] as const;

function Legend({ w }: { w: Words }) {
  return (
    <div class="legend">
      {LEGEND.map((k) => (
        <span key={k}>
          <i class={`seat ${k}`} style={{ minHeight: 0, padding: 0, display: 'inline-block' }} />
          {w.seatState[k]}
        </span>
      ))}
    </div>
  );
}

/**
 * The room's devices whose last health report shows a problem (no secure context, no camera, no screen
 * capture, never reported): fetched now, on every session status change and every 30 s. Staff who may
 * not read it (an inspector) simply see none.
 */
function useDeviceWarnings(roomId: string, status: string | null): api.DeviceWarning[] {
  const [warnings, setWarnings] = useState<api.DeviceWarning[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.readiness(roomId).then(
        (r) => live && setWarnings(r.warnings),
        () => {},
      );
    void load();
    const timer = setInterval(load, 30_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [roomId, status]);
  return warnings;
}

function DeviceWarnings({ w, warnings }: { w: Words; warnings: api.DeviceWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section class="panel device-warnings" data-testid="device-warnings" role="status">
      <h2>{w.deviceWarningsTitle}</h2>
      <ul>
        {warnings.map((d) => (
          <li key={d.deviceId} data-device={d.deviceId} data-problems={d.problems.join(' ')}>
            {d.kind === 'terminal' ? w.terminal : w.kiosk} {d.deviceId}
            {d.seat ? ` · ${w.seat(d.seat)}` : ''}: {d.problems.map((p) => w.healthProblem[p]).join(w.listSep)}
          </li>
        ))}
      </ul>
      {warnings.some((d) => d.problems.includes('not_secure')) && <p class="muted">{w.notSecureFix}</p>}
    </section>
  );
}

function SeatCell({
  w,
  seat: s,
  problems,
  at,
  selected,
  onClick,
}: {
  w: Words;
  seat: Seat;
  problems: api.DeviceWarning['problems'] | null;
  at: number;
  selected: boolean;
  onClick: () => void;
}) {
  const now = useTicker();
  const c = s.candidate;
  // 'assigned' (seated, not through the door yet) reads as not-arrived on the map.
  const state = s.state === 'assigned' ? 'absent' : s.state;
  const counting = s.remainingMs !== null && (s.state === 'answering' || s.state === 'offline' || s.state === 'locked') && !s.paused;
  const remaining = s.remainingMs === null ? null : Math.max(0, s.remainingMs - (counting ? now - at : 0));
  let detail: ComponentChildren = null;
  if (s.state === 'offline' && s.offlineSince) detail = w.offlineSince(w.time(s.offlineSince));
  else if (s.state === 'submitted' && s.submittedAt) detail = w.time(s.submittedAt);
  // Only someone at a terminal has a clock running; the others' remainingMs is the session's.
  else if (remaining !== null && AT_TERMINAL.has(s.state)) detail = w.left(clock(remaining));
  const progress = s.answered !== null && s.questions ? s.answered / s.questions : null;
  return (
    <button
      type="button"
      class={`seat ${state}${selected ? ' selected' : ''}${s.pendingMove ? ' moving' : ''}`}
      data-seat={s.seat}
      data-state={s.state}
      data-move={s.pendingMove?.side}
      onClick={onClick}
      aria-pressed={selected}
    >
      <span class="no">
        <span>{s.seat}</span>
        {s.openAlerts + s.incidents > 0 && <span class="badge">{s.openAlerts > 0 ? '!' : s.incidents}</span>}
      </span>
      <span class="who">{c?.name ?? '—'}</span>
      <span class="state">{w.seatState[state] ?? state}</span>
      {s.answered !== null && s.questions !== null && s.state !== 'admitted' && <span class="detail">{w.answered(s.answered, s.questions)}</span>}
      {detail && <span class="detail">{detail}</span>}
      {problems && problems.length > 0 && (
        <span class="detail health-problem" data-health={problems.join(' ')}>
          ⚠ {problems.map((p) => w.healthProblemShort[p]).join(w.listSep)}
        </span>
      )}
      {s.pendingMove && (
        <span class="move">{s.pendingMove.side === 'out' ? w.seatMoveOut(s.pendingMove.toSeat) : w.seatMoveIn(s.pendingMove.fromSeat ?? w.noSeat)}</span>
      )}
      {progress !== null && (
        <span class="bar">
          <span style={{ width: `${Math.round(progress * 100)}%` }} />
        </span>
      )}
      {c && (
        <span class="hover" role="tooltip">
          {c.photoUrl ? <img src={c.photoUrl} alt={c.name} loading="lazy" /> : <span class="nophoto">{w.noPhoto}</span>}
          <dl>
            <dt>{c.name}</dt>
            <dd>{w.seat(s.seat)}</dd>
            <dt>{w.ticket}</dt>
            <dd>{c.ticketNo}</dd>
            <dt>{w.idNumber}</dt>
            <dd>{c.idNumber}</dd>
            {s.terminal && (
              <>
                <dt>{w.terminal}</dt>
                <dd>{s.terminal.id}</dd>
              </>
            )}
            {s.incidents > 0 && <dd>{w.incidentsN(s.incidents)}</dd>}
          </dl>
        </span>
      )}
    </button>
  );
}

/** What a move alert is about, for its buttons and dialog: the moveId and both seats. */
function moveOf(a: Alert): { moveId: string; name: string; fromSeat: string | null; toSeat: string; decision: string | null; decidedBy: string | null } | null {
  const p = a.params ?? {};
  if (a.kind !== 'move_requested' || typeof p.moveId !== 'string') return null;
  return {
    moveId: p.moveId,
    name: typeof p.name === 'string' ? p.name : '',
    fromSeat: typeof p.fromSeat === 'string' ? p.fromSeat : null,
    toSeat: typeof p.toSeat === 'string' ? p.toSeat : (a.seat ?? '?'),
    decision: typeof p.decision === 'string' ? p.decision : null,
    decidedBy: typeof p.decidedBy === 'string' ? p.decidedBy : null,
  };
}

function AlertFeed({
  w,
  alerts,
  sound,
  onSound,
  onAck,
  onMove,
  onSeat,
}: {
  w: Words;
  alerts: Alert[];
  sound: boolean;
  onSound: (on: boolean) => void;
  onAck: (a: Alert) => void;
  onMove: (a: Alert, action: 'approve' | 'reject') => void;
  onSeat: (seat: string) => void;
}) {
  const [showAcked, setShowAcked] = useState(true);
  const open = alerts.filter((a) => !a.acknowledged).length;
  const shown = showAcked ? alerts : alerts.filter((a) => !a.acknowledged);
  return (
    <aside class="panel alerts" data-testid="alerts">
      <h2>
        {w.alerts}
        <span class="count" data-testid="open-alerts">
          {w.unacked(open)}
        </span>
        <span class="right">
          <label>
            <input type="checkbox" checked={sound} onChange={(e) => onSound((e.target as HTMLInputElement).checked)} /> {w.sound}
          </label>
        </span>
      </h2>
      <label class="note" style={{ margin: '0 0 0.4rem', fontSize: '0.85rem' }}>
        <input type="checkbox" checked={showAcked} onChange={(e) => setShowAcked((e.target as HTMLInputElement).checked)} /> {w.showAcked}
      </label>
      {shown.length === 0 && <p class="empty">{w.noAlerts}</p>}
      <ol>
        {shown.map((a) => (
          <li
            key={a.id}
            class={`alert ${a.acknowledged ? 'acked' : a.severity}`}
            data-alert={a.id}
            data-kind={a.kind}
            data-acked={a.acknowledged ? 'yes' : 'no'}
          >
            <span class="head">
              <span class="kind">{w.alertKind[a.kind] ?? a.kind}</span>
              {a.seat && (
                <a href="#" onClick={(e) => (e.preventDefault(), onSeat(a.seat!))}>
                  {w.seat(a.seat)}
                </a>
              )}
              {a.repeats > 1 && <span>×{a.repeats}</span>}
              <time>{w.time(a.lastAt)}</time>
            </span>
            <span class="msg">{a.text[w.lang]}</span>
            {(() => {
              const mv = moveOf(a);
              if (!mv) return a.clearedAt !== null && <span class="cleared">{w.cleared(w.time(a.clearedAt))}</span>;
              if (mv.decision)
                return (
                  <span class="cleared" data-testid="move-outcome" data-decision={mv.decision}>
                    {w.moveDecidedBy(w.moveDecision[mv.decision] ?? mv.decision, actorName(mv.decidedBy ?? ''), w.time(a.clearedAt ?? a.lastAt))}
                  </span>
                );
              if (a.clearedAt !== null) return null;
              return (
                <span class="movebuttons">
                  <button type="button" class="primary" data-testid="move-approve" onClick={() => onMove(a, 'approve')}>
                    {w.approveMove}
                  </button>
                  <button type="button" data-testid="move-reject" onClick={() => onMove(a, 'reject')}>
                    {w.rejectMove}
                  </button>
                </span>
              );
            })()}
            {a.acknowledged ? (
              <span class="ack">{w.ackedBy(actorName(a.acknowledged.by), w.time(a.acknowledged.at), a.acknowledged.note)}</span>
            ) : (
              <button type="button" onClick={() => onAck(a)}>
                {w.ack}
              </button>
            )}
          </li>
        ))}
      </ol>
    </aside>
  );
}

/** Audit actors read 'user:invig'; the desk wants the person. */
const actorName = (actor: string) => actor.replace(/^user:/, '');

/** Every command goes through here: a modal that says what will happen, asks what the route needs, and sends it. */
function AskDialog({
  w,
  ask,
  sessionId,
  cats,
  onClose,
  onDone,
}: {
  w: Words;
  ask: Ask;
  sessionId: string;
  cats: Category[];
  onClose: () => void;
  onDone: (text?: string) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [category, setCategory] = useState(cats[0]?.code ?? 'other');
  const [toSeat, setToSeat] = useState(ask.kind === 'reseat' ? (ask.free[0] ?? '') : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const who = ask.kind === 'seat' || ask.kind === 'reseat' ? `${w.seat(ask.seat.seat)} ${ask.seat.candidate?.name ?? ''}` : '';
  const cand = ask.kind === 'seat' || ask.kind === 'reseat' ? (ask.seat.candidate?.ticketNo ?? null) : null;
  let title = '';
  let needs: 'none' | 'reason' | 'optReason' | 'minutes' | 'incident' | 'note' | 'seat' = 'none';
  let danger = false;
  let run: () => Promise<unknown> = async () => {};
  let doneText: string | undefined;
  let failText = (err: unknown) => errorText(err);
  switch (ask.kind) {
    case 'move': {
      const mv = moveOf(ask.alert)!;
      const to = w.seat(mv.toSeat);
      const from = mv.fromSeat ? w.seat(mv.fromSeat) : w.noSeat;
      title = ask.action === 'approve' ? w.confirmApproveMove(mv.name, to, from) : w.confirmRejectMove(mv.name, to, from);
      danger = ask.action === 'reject';
      doneText = ask.action === 'approve' ? w.moveApproved(mv.name, to) : w.moveRejected(mv.name);
      failText = (err) =>
        err instanceof HttpError && err.status === 403
          ? w.moveForbidden
          : err instanceof HttpError && err.status === 404
            ? w.moveGone
            : w.moveFailed(errorText(err));
      run = () => (ask.action === 'approve' ? api.moves.approve(mv.moveId) : api.moves.reject(mv.moveId));
      break;
    }
    case 'status':
      title = ask.to === 'checkin' ? w.confirmCheckin : ask.to === 'in_progress' ? w.confirmStart : w.confirmEnd;
      danger = ask.to === 'ended';
      run = () => api.setStatus(sessionId, ask.to);
      break;
    case 'room':
      title = ask.action === 'pauseAll' ? w.confirmPauseAll : w.confirmResumeAll;
      needs = ask.action === 'pauseAll' ? 'optReason' : 'none';
      run = () => (ask.action === 'pauseAll' ? api.commands.pause(sessionId, null, reason.trim()) : api.commands.resume(sessionId, null));
      break;
    case 'reseat':
      title = w.confirmReseat(who);
      needs = 'seat';
      run = () => api.reseat(sessionId, cand!, toSeat, reason.trim());
      break;
    case 'ack':
      title = `${w.ackTitle}：${w.alertKind[ask.alert.kind] ?? ask.alert.kind}${ask.alert.seat ? ` · ${w.seat(ask.alert.seat)}` : ''}`;
      needs = 'note';
      run = () => api.ack(ask.alert.id, reason.trim());
      break;
    case 'seat':
      switch (ask.action) {
        case 'pause':
          title = w.confirmPause(who);
          needs = 'optReason';
          run = () => api.commands.pause(sessionId, cand, reason.trim());
          break;
        case 'resume':
          title = w.confirmResume(who);
          run = () => api.commands.resume(sessionId, cand);
          break;
        case 'addTime':
          title = w.confirmAddTime(who);
          needs = 'minutes';
          run = () => api.commands.addTime(sessionId, cand, Number(minutes), reason.trim());
          break;
        case 'submit':
          title = w.confirmSubmit(who);
          needs = 'reason';
          danger = true;
          run = () => api.commands.submit(sessionId, cand!, reason.trim());
          break;
        case 'lock':
        case 'unlock':
          title = ask.action === 'lock' ? w.confirmLock(who) : w.confirmUnlock(who);
          needs = 'optReason';
          run = () => api.commands.lock(sessionId, cand!, ask.action === 'lock', reason.trim());
          break;
        case 'incident':
          title = w.confirmIncident(who);
          needs = 'incident';
          run = () => api.recordIncident(sessionId, { category, note: reason.trim(), ...(cand ? { candidate: cand } : { seat: ask.seat.seat }) });
          break;
      }
  }
  const required = needs === 'reason' || needs === 'minutes' || needs === 'incident' || needs === 'note' || needs === 'seat';
  const label = needs === 'note' ? w.ackNote : needs === 'incident' ? w.note : w.reason;
  return (
    <dialog ref={ref} onClose={onClose} data-testid="confirm">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (required && !reason.trim()) return setError(w.needReason);
          setBusy(true);
          run().then(
            () => {
              ref.current?.close();
              onDone(doneText);
            },
            (err: unknown) => {
              setBusy(false);
              setError(failText(err));
            },
          );
        }}
      >
        <h3>{title}</h3>
        {needs === 'minutes' && (
          <label>
            {w.minutes}
            <input name="minutes" type="number" min={1} max={180} value={minutes} onInput={(e) => setMinutes((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {needs === 'incident' && (
          <label>
            {w.category}
            <select name="category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
              {cats.map((c) => (
                <option key={c.code} value={c.code}>
                  {w.lang === 'zh' ? c.zh : c.en}
                </option>
              ))}
            </select>
          </label>
        )}
        {needs === 'seat' && (
          <label>
            {w.toSeat}
            <select name="seat" value={toSeat} onChange={(e) => setToSeat((e.target as HTMLSelectElement).value)}>
              {ask.kind === 'reseat' &&
                ask.free.map((x) => (
                  <option key={x} value={x}>
                    {w.seat(x)}
                  </option>
                ))}
            </select>
          </label>
        )}
        {needs !== 'none' && (
          <label>
            {label}
            <textarea
              name="reason"
              rows={2}
              maxLength={needs === 'incident' ? 1000 : needs === 'note' ? 500 : 200}
              value={reason}
              onInput={(e) => {
                setReason((e.target as HTMLTextAreaElement).value);
                setError(null);
              }}
            />
          </label>
        )}
        {error && <p class="error">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={() => ref.current?.close()}>
            {w.cancel}
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
            {w.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

// ---------------------------------------------------------------------------------------------
// Live tiles and playback

function Tiles({ w, sources }: { w: Words; sources: api.Source[] }) {
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

/** A source's recordings over the session, with gaps and alerts marked on one line; excerpts download as MP4. */
function Playback({ w, view, alerts }: { w: Words; view: RoomView; alerts: Alert[] }) {
  const s = view.session!;
  const [sourceId, setSourceId] = useState<string>('');
  const [rec, setRec] = useState<api.Recordings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const from = s.startedAt ?? s.startsAt;
  // The range is fixed when the list is fetched (up to now): the line, its ticks and a click all use it.
  const load = () => {
    setError(null);
    if (!sourceId) return;
    const to = Math.max(from + 60_000, Math.min(serverNow(), s.endsAt + 30 * 60_000));
    api.recordings(sourceId, from, to).then(setRec, (err: unknown) => setError(errorText(err)));
  };
  useEffect(() => {
    setRec(null);
    load();
  }, [sourceId, s.id]);
  const source = view.sources.find((x) => x.id === sourceId);
  const marks = useMemo(() => {
    if (!rec || !source) return [];
    // A camera shows the room-wide alerts and its own; a screen those of its terminal.
    const mine = (a: Alert) =>
      a.sourceId === source.id ||
      (source.terminalId !== null && a.terminalId === source.terminalId) ||
      (source.kind === 'camera' && !a.terminalId && !a.sourceId);
    return alerts
      .filter((a) => a.at >= rec.from && a.at <= rec.to && mine(a))
      .sort((a, b) => a.at - b.at)
      .map((a) => ({ id: a.id, at: a.at, text: a.text[w.lang] }));
  }, [alerts, rec, source, w.lang]);
  return (
    <section class="panel playback" data-testid="playback">
      <h2>
        {w.playback}
        <span class="right">
          <select value={sourceId} onChange={(e) => setSourceId((e.target as HTMLSelectElement).value)}>
            <option value="">{w.pickSource}</option>
            {view.sources.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
          {sourceId && (
            <button type="button" onClick={load}>
              {w.refresh}
            </button>
          )}
        </span>
      </h2>
      {error && <p class="error">{error}</p>}
      {rec && source && rec.sourceId === source.id && (
        <>
          <PlaybackView key={source.id} recordings={rec} kind={source.kind} marks={marks} labels={w.pb} time={w.time} />
          <p class="note" style={{ margin: 0 }}>
            {w.time(rec.from)} – {w.time(rec.to)} · {w.recorded(rec.segments.length)} · {rec.gaps.length ? `${w.gaps} ${rec.gaps.length}` : w.noGaps}
            {rec.recordingSince !== null ? ` · ${w.recordingNow(w.time(rec.recordingSince))}` : ''}{' '}
            <a href={api.excerptUrl(sourceId, rec.from, Math.min(rec.to, rec.from + 4 * 3600_000))}>{w.download}</a>
          </p>
          {rec.gaps.length > 0 && (
            <table>
              <tbody>
                {rec.gaps.map((g) => (
                  <tr key={g.start}>
                    <td>
                      {w.time(g.start)} – {w.time(g.end)}
                    </td>
                    <td>{g.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
