// The inspector's screens: log-in, then the sites in the jurisdiction (this appliance is one site),
// their rooms with live tiles on demand, and today's sessions with their incident counts, details and
// the playback of the room's cameras over the session. Read-only on purpose: no button here sends
// anything but a read (and the player's "view ended", which only closes the audit entry of the view).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from './api.ts';
import { recordedSourceFor } from '../../../../web/video/recorded-source.ts';
import { userOf } from '../../../../web/http.ts';
import { errorWords } from '../../../../web/error-words.ts';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../../web/i18n.ts';
import { SignInGate, useSignedIn } from '../../../../web/sign-in-gate.tsx';
import { TopBar } from '../../../../web/top-bar.tsx';
// One live tile and one playback player for every app that shows them: the web kit's.
import { LiveTile } from '../../../../web/video/live-tile.tsx';
import { PlaybackView } from '../../../../web/video/playback-view.tsx';
import { setTimeZone, words, type Words } from './i18n.ts';

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = words[lang];
  const signedIn = useSignedIn(lang);
  useDocumentLanguage(lang, `${w.title} · examroom`);
  return (
    <div class="page">
      <TopBar title={w.title} user={userOf(signedIn.me)} lang={lang} onLang={setLang}>
        <span class="spacer" />
      </TopBar>
      <SignInGate lang={lang} roles={ROLES} loginTitle={w.loginTitle} state={signedIn} notAllowed={w.notInspector}>
        {() => <Sites w={w} />}
      </SignInGate>
    </div>
  );
}

/** Inspectors, and admins (who may look as an inspector does). */
const ROLES = ['inspector', 'admin'] as const;

function Sites({ w }: { w: Words }) {
  const [list, setList] = useState<api.Site[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.sites().then(
      (sites) => {
        if (sites[0]) setTimeZone(sites[0].timezone);
        setList(sites);
      },
      (err: unknown) => setError(w.failed(errorWords(err, w.lang))),
    );
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!list) return <p>{w.loading}</p>;
  return (
    <div class="sites">
      <p class="note" style={{ margin: 0 }}>
        {w.readOnly}
      </p>
      {list.length === 0 && (
        <p class="panel" data-testid="no-sites">
          {w.noSites}
        </p>
      )}
      {list.map((s) => (
        <SiteView key={s.id} w={w} site={s} />
      ))}
    </div>
  );
}

function SiteView({ w, site }: { w: Words; site: api.Site }) {
  const [watching, setWatching] = useState<string | null>(null);
  const [detail, setDetail] = useState<string | null>(null);
  const roomName = (id: string) => site.rooms.find((r) => r.id === id)?.name ?? id;
  return (
    <>
      <section class="panel" data-testid="site" data-site={site.id}>
        <h2>{w.site(site.name, site.province, site.city)}</h2>
        <h3 style={{ fontSize: '0.95rem', margin: '0.3rem 0' }}>{w.rooms}</h3>
        <div class="picker" style={{ margin: 0, maxWidth: 'none' }}>
          <ul>
            {site.rooms.map((r) => (
              <li key={r.id} data-room={r.id}>
                <button type="button" onClick={() => setWatching(watching === r.id ? null : r.id)} aria-expanded={watching === r.id}>
                  <span class="name">
                    {r.id} · {r.name}
                  </span>
                  <span class="meta">{w.seats(r.rows * r.columns)}</span>
                  <span class="meta">{w.cameras(r.cameras.length)}</span>
                  <span class="meta" style={{ marginLeft: 'auto' }}>
                    {watching === r.id ? w.hide : w.watch}
                  </span>
                </button>
                {watching === r.id && <Tiles w={w} sources={r.cameras} />}
              </li>
            ))}
          </ul>
        </div>
      </section>
      <section class="panel sessions" data-testid="sessions">
        <h2>{w.sessions}</h2>
        {site.sessions.length === 0 ? (
          <p class="note" style={{ margin: 0 }}>
            {w.noSessions}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{w.col.time}</th>
                <th>{w.col.name}</th>
                <th>{w.col.room}</th>
                <th>{w.col.status}</th>
                <th>{w.col.incidents}</th>
                <th>{w.col.integrity}</th>
                <th>{w.col.alerts}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {site.sessions.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td>{w.time(s.startsAt)}</td>
                  <td>{s.name}</td>
                  <td>{roomName(s.roomId)}</td>
                  <td>{w.status[s.status] ?? s.status}</td>
                  <td class={`n${s.incidents ? ' hot' : ''}`}>{s.incidents}</td>
                  <td class={`n${s.integrity ? ' hot' : ''}`}>{s.integrity}</td>
                  <td class={`n${s.openAlerts ? ' hot' : ''}`}>{s.openAlerts}</td>
                  <td>
                    <button type="button" onClick={() => setDetail(s.id)}>
                      {w.details}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {detail && <Detail w={w} id={detail} site={site} onClose={() => setDetail(null)} />}
    </>
  );
}

function Detail({ w, id, site, onClose }: { w: Words; id: string; site: api.Site; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [d, setD] = useState<api.SessionDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  // An alert's "jump to" and the source buttons both pick what the player shows.
  const [want, setWant] = useState<Want | null>(null);
  useEffect(() => {
    ref.current?.showModal();
    api.session(id).then(setD, setError);
  }, [id]);
  const room = site.rooms.find((r) => r.id === d?.session.roomId);
  const recorded = room?.recorded ?? [];
  const seatOf = (terminalId: string) => recorded.find((x) => x.terminalId === terminalId)?.seat ?? null;
  return (
    <dialog ref={ref} onClose={onClose} style={{ maxWidth: '48rem', width: '90vw' }} data-testid="session-detail">
      <h3>{d ? `${d.session.name} · ${w.time(d.session.startsAt)}` : w.loading}</h3>
      {error !== null && <p class="error">{w.failed(errorWords(error, w.lang))}</p>}
      {d && (
        <div class="sessions">
          <h4>{w.incidents}</h4>
          {d.incidents.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            <table>
              <tbody>
                {d.incidents.map((i) => (
                  <tr key={i.id}>
                    <td>{w.time(i.at)}</td>
                    <td>{i.seat ? w.seat(i.seat) : ''}</td>
                    <td>{i.candidate?.name ?? ''}</td>
                    <td class="hot">{i.categoryText[w.lang]}</td>
                    <td>{i.note}</td>
                    <td>{w.recordedBy(i.recordedBy.replace(/^user:/, ''))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>{w.integrity}</h4>
          {d.integrity.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            <table>
              <tbody>
                {d.integrity.map((i) => (
                  <tr key={i.id} data-kind={i.kind}>
                    <td>{w.time(i.at)}</td>
                    <td>{w.terminalAt(i.terminalId, seatOf(i.terminalId))}</td>
                    {/* The detail is the terminal's or server's English: in English it is shown, in Chinese it is a tooltip. */}
                    <td title={i.detail && w.lang !== 'en' ? `${w.detailTitle}: ${i.detail}` : undefined}>{w.integrityKind[i.kind] ?? w.otherIntegrity}</td>
                    <td>{w.lang === 'en' ? (i.detail ?? '') : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Playback w={w} detail={d} recorded={recorded} want={want} onPick={(sourceId) => setWant({ sourceId, at: null, n: Date.now() })} />
          <h4>{w.alerts}</h4>
          {d.alerts.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            <table>
              <tbody>
                {d.alerts.map((a) => (
                  <tr key={a.id}>
                    <td>{w.time(a.at)}</td>
                    <td>{a.seat ? w.seat(a.seat) : ''}</td>
                    <td>{a.text[w.lang]}</td>
                    <td>{a.acknowledged ? `✓ ${a.acknowledged.by.replace(/^user:/, '')}: ${a.acknowledged.note}` : ''}</td>
                    <td>
                      <button
                        type="button"
                        class="link jump-to"
                        data-testid="alert-jump"
                        data-alert={a.id}
                        title={w.jumpToTitle}
                        onClick={() => {
                          const id = recordedSourceFor(recorded, a);
                          if (id) setWant({ sourceId: id, at: a.at, n: Date.now() });
                          document.querySelector('[data-testid="inspector-playback"]')?.scrollIntoView({ block: 'start' });
                        }}
                      >
                        {w.jumpTo}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      <div class="buttons" style={{ display: 'flex', justifyContent: 'flex-end' }}>
        <button type="button" onClick={() => ref.current?.close()}>
          {w.close}
        </button>
      </div>
    </dialog>
  );
}

interface Want {
  sourceId: string;
  /** Play from just before this instant (an alert's "jump to"); null = wait for a click on the line. */
  at: number | null;
  n: number;
}

/**
 * The session's recordings of one of the room's sources — cameras and the candidates' screens — over
 * the session's recording window (its actual start minus 30 min to its actual end plus 30 min, so an
 * exam started early is there whole). Every segment it plays is an audited view.
 */
function Playback({
  w,
  detail,
  recorded,
  want,
  onPick,
}: {
  w: Words;
  detail: api.SessionDetail;
  recorded: api.RecordedSource[];
  want: Want | null;
  onPick: (sourceId: string) => void;
}) {
  const [rec, setRec] = useState<api.Recordings | null>(null);
  const [roomAlerts, setRoomAlerts] = useState<api.SessionDetail['alerts']>([]);
  const [error, setError] = useState<unknown>(null);
  const s = detail.session;
  const sourceId = want?.sourceId ?? '';
  // The list again, up to now, keeping the player: for an instant still being written.
  const refresh = () => {
    api
      .serverTime()
      .then((now) => api.recordings(sourceId, s.recordingFrom, Math.max(s.recordingFrom + 60_000, Math.min(now, s.recordingTo))))
      .then(setRec, () => {});
  };
  useEffect(() => {
    setRec(null);
    setError(null);
    if (!sourceId) return;
    // The recording window, up to now (server time).
    api
      .serverTime()
      .then((now) => api.recordings(sourceId, s.recordingFrom, Math.max(s.recordingFrom + 60_000, Math.min(now, s.recordingTo))))
      .then((r) => {
        setRec(r);
        // Camera alerts belong to the room, not the session: they come from the room's alert list.
        return api.roomAlerts(s.roomId, r.from, r.to).then(setRoomAlerts);
      })
      .catch(setError);
  }, [sourceId, s.id, want?.n]);
  const source = recorded.find((c) => c.id === sourceId);
  const marks = useMemo(() => {
    if (!rec || !source) return [];
    const mine = (a: api.SessionDetail['alerts'][number]) =>
      a.sourceId === source.id ||
      (source.terminalId !== null && a.terminalId === source.terminalId) ||
      (source.kind === 'camera' && !a.terminalId && !a.sourceId);
    const all = new Map([...detail.alerts, ...roomAlerts].map((a) => [a.id, a]));
    return [...all.values()]
      .filter((a) => a.at >= rec.from && a.at <= rec.to && mine(a))
      .sort((a, b) => a.at - b.at)
      .map((a) => ({ id: a.id, at: a.at, text: a.text[w.lang] }));
  }, [rec, roomAlerts, source, detail, w.lang]);
  const cameras = recorded.filter((x) => x.kind === 'camera');
  const screens = recorded.filter((x) => x.kind === 'screen');
  const pick = (x: api.RecordedSource, label: string) => (
    <button key={x.id} type="button" data-source={x.id} aria-pressed={sourceId === x.id} onClick={() => onPick(x.id)}>
      {label}
    </button>
  );
  return (
    <section class="inspector-playback" data-testid="inspector-playback">
      <h4>{w.playback}</h4>
      <p class="note" data-testid="recording-window" data-from={s.recordingFrom} data-to={s.recordingTo}>
        {w.window(w.clock(s.recordingFrom), w.clock(s.recordingTo))}
        {s.startedAt !== null ? ` · ${w.startedEarly(w.clock(s.startedAt))}` : ''}
      </p>
      {recorded.length === 0 ? (
        <p>{w.noCameras}</p>
      ) : (
        <>
          {cameras.length > 0 && (
            <p class="pick-source">
              {w.cameraGroup}
              {cameras.map((x) => pick(x, x.name))}
            </p>
          )}
          {screens.length > 0 && (
            <p class="pick-source">
              {w.screenGroup}
              {screens.map((x) => pick(x, w.screenOf(x.seat ?? x.terminalId ?? x.id)))}
            </p>
          )}
        </>
      )}
      {error !== null && <p class="error">{w.failed(errorWords(error, w.lang, { not_found: w.noRecordings }))}</p>}
      {rec && source && rec.sourceId === source.id && (
        <PlaybackView
          key={source.id}
          recordings={rec}
          kind={source.kind}
          marks={marks}
          labels={w.pb}
          time={w.clock}
          start={want && want.at !== null ? { at: want.at, n: want.n } : null}
          refresh={refresh}
        />
      )}
    </section>
  );
}

function Tiles({ w, sources }: { w: Words; sources: api.Camera[] }) {
  const [big, setBig] = useState<string | null>(null);
  if (sources.length === 0) return <p class="note">{w.noTiles}</p>;
  return (
    <div class="tiles" style={{ marginTop: '0.5rem' }}>
      {sources.map((s) => (
        <LiveTile key={s.id} source={s} caption={s.name} lang={w.lang} big={big === s.id} onToggle={() => setBig(big === s.id ? null : s.id)} />
      ))}
    </div>
  );
}
