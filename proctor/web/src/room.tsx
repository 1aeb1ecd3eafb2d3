// The room view: session bar, device warnings, seat map with the seat and room commands, live
// tiles, playback and the alert feed, all on one feed; every command goes through AskDialog.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from './api.ts';
import type { Category, Summary } from './api.ts';
import type { Words } from './i18n.ts';
import { params, setParam } from './url.ts';
import { beep, useFeed } from './feed.ts';
import { SessionBar } from './session-bar.tsx';
import { DeviceWarnings, Legend, SeatCell, useDeviceWarnings } from './seat-map.tsx';
import { AlertFeed } from './alerts.tsx';
import { AskDialog, type Ask } from './ask-dialog.tsx';
import { Tiles } from './tiles.tsx';
import { Playback, SeatRecording } from './playback.tsx';
import { RecordsPanel } from './records-panel.tsx';
import { IdentityChecks } from './identity-checks.tsx';

export function Room({ w, roomId }: { w: Words; roomId: string }) {
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

  // The feed's close reason is the server's English: shown as it is in English only.
  if (!view) return <p>{feed.error ? w.failed(w.lang === 'en' ? feed.error : w.feedRefused) : w.loading}</p>;
  const seat = view.seats.find((s) => s.seat === selected) ?? null;
  const inProgress = session?.status === 'in_progress';
  // The panel is a to-do before the exam: the kiosk, and the terminals of seats someone will sit at.
  // Once the exam runs, a seat's own mark says it; an empty seat's PC needs nobody.
  const occupied = new Set(view.seats.filter((s) => s.candidate !== null && s.terminal !== null).map((s) => s.terminal!.id));
  const beforeExam = session !== null && (session.status === 'scheduled' || session.status === 'papers_ready' || session.status === 'checkin');
  const toDo = beforeExam ? deviceWarnings.filter((d) => d.kind !== 'terminal' || occupied.has(d.deviceId)) : [];
  // After the exam a PC's state is no one's task: the seat marks show only while someone may still sit there.
  const over = session !== null && (session.status === 'ended' || session.status === 'graded' || session.status === 'archived');
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
      <DeviceWarnings w={w} warnings={toDo} />
      <IdentityChecks w={w} seats={view.seats} onDone={done} onSeat={setSelected} onNotThePerson={(seat) => setAsk({ kind: 'notThePerson', seat })} />
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
                  problems={(!over && s.terminal && problemsOf.get(s.terminal.id)) || null}
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
                {seat?.terminal && <SeatRecording w={w} seat={seat} />}
              </div>
            )}
          </section>
          <Tiles w={w} sources={view.sources} />
          {session && <Playback w={w} view={view} alerts={feed.alerts} />}
          {session && <RecordsPanel w={w} session={session} />}
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
          onAckMany={(list) => setAsk({ kind: 'ackMany', alerts: list })}
          onMove={(a, action) => setAsk({ kind: 'move', action, alert: a })}
          onUnlock={(a) => setAsk({ kind: 'unlockLogin', alert: a })}
          onSeat={(s) => setSelected(s)}
        />
      </div>
      {ask && session && <AskDialog w={w} ask={ask} sessionId={session.id} cats={cats} onClose={() => setAsk(null)} onDone={(text) => done(text ?? w.done)} />}
      {ask && !session && (ask.kind === 'ack' || ask.kind === 'ackMany' || ask.kind === 'unlockLogin') && (
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
