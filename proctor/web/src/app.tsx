// The console's screens: log-in → room picker → room view (session bar, seat map with commands,
// alert feed, live tiles, playback). The room view lives on the /ws/proctor feed: a snapshot on
// connect, then seat/room/alert messages; the console only ever reads the server's clock.
// The room view's parts live beside this file: room.tsx and what it imports.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api.ts';
import type { RoomListItem } from './api.ts';
import { userOf, whoAmI, type Me } from '../../../web/http.ts';
import { errorWords } from '../../../web/error-words.ts';
import { langFromQuery, useDocumentLanguage, type Lang } from '../../../web/i18n.ts';
import { LoginForm } from '../../../web/login.tsx';
import { useSessionEnded } from '../../../web/session-end.ts';
import { TopBar } from '../../../web/top-bar.tsx';
import { InsecureContextNotice } from '../../../web/insecure-context.tsx';
import { setTimeZone, words, type Words } from './i18n.ts';
import { params, setParam } from './url.ts';
import { ServerClock } from './clock.tsx';
import { GbStatus } from './gb-status.tsx';
import { Room } from './room.tsx';

export { serverNow } from './clock.tsx';

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
      setError(w.failed(errorWords(err, w.lang)));
    }
  };
  useDocumentLanguage(lang, `${w.title} · examroom`);
  useEffect(() => setParam('lang', lang === 'en' ? 'en' : null), [lang]);
  useEffect(() => void load(), []);
  // The only room of an invigilator opens by itself — unless they asked for the list (switch room).
  const [askedForList, setAskedForList] = useState(false);
  const pick = (id: string | null) => {
    if (id === null) setAskedForList(true);
    setRoomId(id);
    setParam('room', id);
  };

  // The server closed the feed because the session ended: the log-in form (with the reason) replaces the room.
  const ended = useSessionEnded();
  const user = ended ? null : userOf(me);
  const staff = user && (user.role === 'invigilator' || user.role === 'admin');
  return (
    <div class="page">
      <TopBar title={w.title} user={user} lang={lang} onLang={setLang}>
        <span class="where" data-testid="where">
          {roomId ? w.room(roomId) : ''}
        </span>
        {staff && roomId && (
          <button type="button" onClick={() => pick(null)}>
            {w.switchRoom}
          </button>
        )}
        <span class="spacer" />
        {staff && <GbStatus w={w} />}
        <ServerClock />
      </TopBar>
      {/* The console needs no camera, but says so: its log-ins cross the LAN in clear, and the IT person learns the fix here. */}
      <InsecureContextNotice lang={lang} need="none" compact />
      {error && <p class="error">{error}</p>}
      {me === undefined && !error && <p>{w.loading}</p>}
      {(me === null || ended) && <LoginForm title={w.loginTitle} lang={lang} onDone={() => void load()} />}
      {me && !ended && !staff && <p class="error">{w.notInvigilator}</p>}
      {staff && !roomId && <RoomPicker w={w} onPick={pick} auto={!askedForList} />}
      {staff && roomId && <Room key={roomId} w={w} roomId={roomId} />}
    </div>
  );
}

function RoomPicker({ w, onPick, auto }: { w: Words; onPick: (id: string) => void; auto: boolean }) {
  const [list, setList] = useState<RoomListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.rooms().then(
      (rooms) => (auto && rooms.length === 1 ? onPick(rooms[0]!.id) : setList(rooms)),
      (err: unknown) => setError(w.failed(errorWords(err, w.lang))),
    );
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
