// The live page: the sources the signed-in person may watch, as tiles (or one, with ?source=ID).
// Sound is off until someone asks for it, per tile; one tile at a time has it (web/video/one-sound.ts).
// An H.265 camera in a browser that cannot play it is the console's enlarged tile here when shown alone
// (?source=ID, or the only source): it asks for the server's H.264 transcode first (capped; a refusal is
// said in words) and plays it, sound included; in a grid of several it says so and links to itself alone.
import { useEffect, useRef, useState } from 'preact/hooks';
import { HttpError, userOf, whoAmI, type Me } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { LoginForm } from '../../../web/login.tsx';
import { useSessionEnded } from '../../../web/session-end.ts';
import { AccountAndLanguage } from '../../../web/top-bar.tsx';
import { canPlayHevc, HEVC_WORDS, LivePlayer, wsUrl, type TileState } from '../../../web/video/player.ts';
import { liveTileLabels } from '../../../web/video/live-tile.tsx';
import { useOneUnmuted } from '../../../web/video/one-sound.ts';
import { useTranscodeCheck } from '../../../web/video/transcode-check.ts';
import { sources, type LiveSource } from './api.ts';
import { words } from './i18n.ts';

const params = new URLSearchParams(window.location.search);
const only = params.get('source');
const measure = params.get('measure') === '1';

export function App() {
  const [lang, setLang] = useState<Lang>(langFromQuery());
  const w = words[lang];
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [list, setList] = useState<LiveSource[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    try {
      const who = await whoAmI();
      setMe(who);
      if (!who || who.kind !== 'user') return;
      setList(await sources());
    } catch (err) {
      setError(err instanceof HttpError && err.status === 403 ? w.refused(errorWords(err, lang)) : w.failed(errorWords(err, lang)));
    }
  };
  useDocumentLanguage(lang, `${w.title} · examroom`);
  useEffect(() => {
    void load();
  }, []);

  // A tile's socket ended because the session did (web/session-end.ts): the log-in form replaces the tiles.
  const ended = useSessionEnded();
  const user = ended ? null : userOf(me);
  const shown = ended ? null : (list?.filter((s) => !only || s.id === only) ?? null);
  return (
    <div class="live">
      <header>
        <h1>{w.title}</h1>
        {only && <a href="./">{w.all}</a>}
        <span class="spacer" />
        <AccountAndLanguage user={user} lang={lang} onLang={setLang} who={user ? `${user.username} (${w.role[user.role] ?? user.role})` : undefined} />
      </header>
      {user?.role === 'inspector' && <p class="note">{w.audited}</p>}
      {error && <p class="error">{error}</p>}
      {(me === null || ended) && <LoginForm title={w.loginTitle} lang={lang} onDone={() => void load()} />}
      {me && !ended && !error && shown === null && <p>{w.loading}</p>}
      {shown && shown.length === 0 && <p>{w.none}</p>}
      {shown && shown.length > 0 && (
        <div class={`grid n${Math.min(shown.length, 4)}`}>
          {shown.map((s) => (
            <Tile key={s.id} source={s} lang={lang} alone={shown.length === 1} />
          ))}
        </div>
      )}
    </div>
  );
}

function Tile({ source: listed, lang, alone }: { source: LiveSource; lang: Lang; alone: boolean }) {
  const w = words[lang];
  const l = liveTileLabels[lang];
  // The codecs are known to the server only once the relay has read the stream: ask again once playing.
  const [source, setSource] = useState(listed);
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<LivePlayer | null>(null);
  const [state, setState] = useState<TileState>('connecting');
  const [muted, setMuted] = useState(true);
  const takeSound = useOneUnmuted(() => {
    player.current?.setMuted(true);
    setMuted(true);
  });
  const [buffered, setBuffered] = useState(0);
  // A codec this browser cannot play (H.265 without a decoder) is said once, in words: no socket, no reconnect loop;
  // shown alone, the tile plays the server's H.264 transcode instead, once the server said it can.
  const [hevcOk] = useState(canPlayHevc);
  const needsTranscode = source.video === 'hevc' && !hevcOk;
  const transcode = needsTranscode && alone;
  const { checked, retry } = useTranscodeCheck(source.id, transcode);
  const blocked = needsTranscode && !(transcode && checked && !checked.busy);
  // Sound on: the source's `sound` stream (its sound as AAC, encoded on the server while anyone listens);
  // the transcode carries the sound itself.
  const path = transcode ? `${source.ws}?stream=h264` : muted ? source.ws : `${source.ws}?stream=sound`;
  useEffect(() => player.current?.setUrl(wsUrl(path)), [path]);
  useEffect(() => {
    if (blocked) player.current?.stop();
    else player.current?.start();
  }, [blocked]);
  useEffect(() => {
    const p = new LivePlayer(video.current!, wsUrl(path), source.id, setState, measure);
    player.current = p;
    if (!blocked) p.start();
    const timer = setInterval(() => setBuffered(p.stats.buffered), 1000);
    return () => {
      clearInterval(timer);
      p.stop();
    };
  }, [source.id]);
  useEffect(() => {
    if (state !== 'playing' || source.video) return;
    sources().then(
      (all) => {
        const fresh = all.find((s) => s.id === source.id);
        if (fresh) setSource(fresh);
      },
      () => {},
    );
  }, [state]);
  return (
    <figure
      class={`tile ${blocked ? 'unsupported' : state}`}
      data-source={source.id}
      data-state={blocked ? 'unsupported' : state}
      data-stream={transcode ? 'h264' : muted ? 'main' : 'sound'}
    >
      <video ref={video} muted playsInline autoplay />
      {blocked && !transcode && (
        <p class="codec" role="status" data-testid="tile-codec">
          {HEVC_WORDS[lang]} <span class="hint">{w.hevcAlone}</span>
        </p>
      )}
      {blocked && checked?.busy && (
        <p class="codec" role="status" data-testid="tile-busy">
          {l.busy(checked.busy.max, false)}{' '}
          <button type="button" onClick={retry}>
            {l.tryAgain}
          </button>
        </p>
      )}
      <figcaption>
        <span class="name">
          <a href={`?source=${encodeURIComponent(source.id)}`}>{source.name}</a>
        </span>
        <span class="meta">
          {w.room(source.room)} · {w.kind[source.kind] ?? source.kind} · {source.video ?? '—'}
          {source.audio ? `+${source.audio}` : ''}
        </span>
        {!blocked && <span class={`state ${state}`}>{w.state[state]}</span>}
        {transcode && !blocked && <span class="meta">{l.transcoded}</span>}
        {state === 'playing' && <span class="meta">{w.latency(buffered.toFixed(1))}</span>}
        {/* Cameras have sound (the codec is known only once the relay has read the stream); screens have none. */}
        {source.kind === 'camera' && !blocked && (
          <button
            type="button"
            class="sound"
            onClick={() => {
              if (muted) takeSound();
              player.current?.setMuted(!muted);
              setMuted(!muted);
            }}
          >
            {muted ? w.unmute : w.mute}
          </button>
        )}
      </figcaption>
    </figure>
  );
}
