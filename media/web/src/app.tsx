// The live page: the sources the signed-in person may watch, as tiles (or one, with ?source=ID).
// Sound is off until someone asks for it, per tile; one tile at a time has it (web/video/one-sound.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { HttpError, userOf, whoAmI, type Me } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { LoginForm } from '../../../web/login.tsx';
import { useSessionEnded } from '../../../web/session-end.ts';
import { AccountAndLanguage } from '../../../web/top-bar.tsx';
import { canPlayHevc, HEVC_WORDS, LivePlayer, wsUrl, type TileState } from '../../../web/video/player.ts';
import { useOneUnmuted } from '../../../web/video/one-sound.ts';
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
            <Tile key={s.id} source={s} lang={lang} />
          ))}
        </div>
      )}
    </div>
  );
}

function Tile({ source: listed, lang }: { source: LiveSource; lang: Lang }) {
  const w = words[lang];
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
  // A codec this browser cannot play (H.265 without a decoder) is said once, in words: no socket, no reconnect loop.
  const [hevcOk] = useState(canPlayHevc);
  const blocked = source.video === 'hevc' && !hevcOk;
  // Sound on: the source's `sound` stream (its sound as AAC, encoded on the server while anyone listens).
  const path = muted ? source.ws : `${source.ws}?stream=sound`;
  useEffect(() => player.current?.setUrl(wsUrl(path)), [path]);
  useEffect(() => {
    if (blocked) player.current?.stop();
  }, [blocked]);
  useEffect(() => {
    const p = new LivePlayer(video.current!, wsUrl(source.ws), source.id, setState, measure);
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
    <figure class={`tile ${state}`} data-source={source.id} data-state={state}>
      <video ref={video} muted playsInline autoplay />
      {blocked && (
        <p class="codec" role="status" data-testid="tile-codec">
          {HEVC_WORDS[lang]}
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
        <span class={`state ${state}`}>{w.state[state]}</span>
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
