// The devices page: pairing requests appear as exam PCs and kiosks ask (a server-sent event stream, no
// reload), are approved one by one as a configured id or a room at a time, or rejected; below, every
// device with its seat, presence and health report, revocable; and the site CA for IT to install.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { errorWords } from '../../../../../web/error-words.ts';
import { HttpError } from '../../../../../web/http.ts';
import { siteClock, type Lang } from '../../../../../web/i18n.ts';
import { useTick } from '../../../../../web/store.ts';
import type { PageProps } from '../page-props.ts';
import { replaceParams } from '../../route.ts';
import * as api from './api.ts';
import type { DeviceView, PairingView, RoomApproval } from './api.ts';
import { browserSummary, planRoom } from './room-plan.ts';
import { words, type DevicesWords } from './words.ts';
import './styles.css';

type Toast = { text: string; bad?: boolean } | null;

/** Times in the site's zone (from /api/site), as the rest of the console shows them, whatever the PC's zone. */
const clock = siteClock();

export function DevicesPage({ lang, route }: PageProps) {
  const w = words[lang];
  const live = api.useLiveDevices();
  const [site, setSite] = useState<api.SiteRooms | null>(null);
  const [toast, setToast] = useState<Toast>(null);
  useTick(1000);
  useEffect(() => {
    api.site().then(
      (s) => {
        clock.setTimeZone(s.site.timezone);
        setSite(s);
      },
      () => setSite(null),
    );
  }, []);
  useEffect(() => {
    if (!toast) return;
    const id = setTimeout(() => setToast(null), 5000);
    return () => clearTimeout(id);
  }, [toast]);
  const now = Date.now() + live.offsetMs;
  // A request past its expiry is gone on the server; the device shows a new code by itself.
  const pairings = (live.pairings ?? []).filter((p) => p.expiresAt > now);
  const devices = live.devices ?? [];
  const say = (text: string, bad = false) => setToast({ text, bad });
  const fail = (err: unknown) => say(refusal(err, lang), true);
  return (
    <div class="devices-page" data-testid="page-devices">
      <section class="panel" data-testid="pending">
        <h2>
          {w.pendingTitle} <span class="count">{live.pairings ? pairings.length : ''}</span>
          <span class={`right live-dot ${live.live ? 'on' : 'off'}`} data-testid="live-state">
            {live.live ? w.live : w.reconnecting}
          </span>
        </h2>
        {site && <BulkApprove w={w} lang={lang} rooms={site.rooms} pairings={pairings} devices={devices} onDone={say} onFail={fail} />}
        {live.pairings && pairings.length === 0 ? (
          <p class="note">
            {w.noPending} {w.noPendingHint}
          </p>
        ) : (
          <PendingTable w={w} lang={lang} pairings={pairings} devices={devices} now={now} onDone={say} onFail={fail} />
        )}
      </section>
      <DeviceTable w={w} lang={lang} devices={devices} rooms={site?.rooms ?? []} now={now} filter={route.params.get('room') ?? ''} onDone={say} onFail={fail} />
      <CaPanel w={w} />
      {toast && (
        <div class={`toast${toast.bad ? ' bad' : ''}`} role="status" data-testid="toast">
          {toast.text}
        </div>
      )}
    </div>
  );
}

/** The server's refusal in the person's words; in Chinese the server's own (English) sentence follows, since it names the code or id. */
function refusal(err: unknown, lang: Lang): string {
  const words = errorWords(err, lang);
  return lang === 'zh' && err instanceof HttpError && err.message && err.message !== words ? `${words}：${err.message}` : words;
}

function age(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return lang === 'zh' ? `${s} 秒` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return lang === 'zh' ? `${m} 分钟` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return lang === 'zh' ? `${h} 小时` : `${h} h`;
  return lang === 'zh' ? `${Math.floor(h / 24)} 天` : `${Math.floor(h / 24)} days`;
}

function PendingTable(props: {
  w: DevicesWords;
  lang: Lang;
  pairings: PairingView[];
  devices: DeviceView[];
  now: number;
  onDone: (text: string) => void;
  onFail: (err: unknown) => void;
}) {
  const { w, pairings } = props;
  if (pairings.length === 0) return null;
  return (
    <table class="pending">
      <thead>
        <tr>
          <th>{w.code}</th>
          <th>{w.kind}</th>
          <th>{w.asked}</th>
          <th>{w.address}</th>
          <th>{w.browser}</th>
          <th>{w.waiting}</th>
          <th>{w.approveAs}</th>
        </tr>
      </thead>
      <tbody>
        {pairings.map((p) => (
          <PendingRow key={p.id} {...props} p={p} />
        ))}
      </tbody>
    </table>
  );
}

function PendingRow({
  w,
  lang,
  p,
  devices,
  now,
  onDone,
  onFail,
}: {
  w: DevicesWords;
  lang: Lang;
  p: PairingView;
  devices: DeviceView[];
  now: number;
  onDone: (text: string) => void;
  onFail: (err: unknown) => void;
}) {
  // Ids a person may pick: the configured devices of this kind not paired now, the one the PC asked for
  // even when paired (a PC replacing a broken one keeps its seat's id), and paired ones whose PC is
  // offline (a re-imaged kiosk asks for no id) — the paired ones marked as replacing, never pre-selected.
  const options = withReaders(devices).filter((d) => d.kind === p.kind && d.configured && (d.state !== 'paired' || d.id === p.claimedId || !d.online));
  // Pre-selected when taking it harms no one: an unpaired id, or a paired one whose PC is offline now (the
  // same PC rebooted, or its replacement). A paired id whose PC is online is offered, but a person picks it.
  const claimed = p.claimedId ? options.find((d) => d.id === p.claimedId) : undefined;
  const heldOnline = claimed?.state === 'paired' && claimed.online;
  const preset = claimed && !heldOnline ? claimed.id : '';
  const [picked, setPicked] = useState(preset);
  const [busy, setBusy] = useState(false);
  const choice = options.some((d) => d.id === picked) ? picked : preset;
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      onDone(done);
    } catch (err) {
      onFail(err);
    } finally {
      setBusy(false);
    }
  };
  const selectId = `approve-as-${p.id}`;
  return (
    <tr data-testid="pending-row" data-code={p.code}>
      <td class="code">{p.code}</td>
      <td>{w.kinds[p.kind]}</td>
      <td data-testid="asked">{p.claimedId ?? <span class="muted">{w.askedNone}</span>}</td>
      <td>{p.ip ?? '—'}</td>
      <td title={p.userAgent ?? ''}>{browserSummary(p.userAgent)}</td>
      <td>{age(now - p.requestedAt, lang)}</td>
      <td>
        <div class="actions">
          <label class="sr-only" for={selectId}>
            {w.approveAs} {p.code}
          </label>
          {options.length === 0 ? (
            <span class="muted">{w.noFreeId}</span>
          ) : (
            <select id={selectId} value={choice} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)} data-testid="approve-as">
              <option value="">{w.pickId}</option>
              {options.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.id}
                  {d.room ? ` · ${d.room}-${d.seat}` : ''}
                  {d.state === 'paired' ? ` (${w.replaces})` : ''}
                </option>
              ))}
            </select>
          )}
          <button
            type="button"
            class="primary"
            disabled={busy || !choice}
            aria-describedby={choice ? undefined : `${selectId}-why`}
            onClick={() => act(() => api.approve(p.code, choice), w.approved(p.code, choice))}
          >
            {w.approve}
          </button>
          <button type="button" disabled={busy} onClick={() => act(() => api.reject(p.id), w.rejected(p.code))}>
            {w.reject}
          </button>
        </div>
        {!choice && options.length > 0 && (
          <p class="why-disabled muted" id={`${selectId}-why`} data-testid="approve-why">
            {heldOnline && claimed ? w.heldOnline(claimed.id) : w.pickFirst}
          </p>
        )}
      </td>
    </tr>
  );
}

/** A modal dialog that is open while it is rendered (Esc and the cancel button close it). */
function Modal({ title, onClose, children, testid }: { title: string; onClose: () => void; children: ComponentChildren; testid: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="devices-dialog" onClose={onClose} data-testid={testid} aria-labelledby={`${testid}-title`}>
      <h3 id={`${testid}-title`}>{title}</h3>
      {children}
    </dialog>
  );
}

function RequestList({ w, items }: { w: DevicesWords; items: { pairing: PairingView; deviceId?: string; seat?: string | null; why?: string }[] }) {
  return (
    <table class="compact">
      <thead>
        <tr>
          <th>{w.code}</th>
          <th>{w.asked}</th>
          {items.some((i) => i.seat !== undefined) && <th>{w.seat}</th>}
          <th>{w.address}</th>
          <th>{w.browser}</th>
          {items.some((i) => i.why) && <th>{w.reason}</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.pairing.id} data-code={i.pairing.code}>
            <td class="code">{i.pairing.code}</td>
            <td>{i.deviceId ?? i.pairing.claimedId ?? w.askedNone}</td>
            {i.seat !== undefined && <td>{i.seat ?? '—'}</td>}
            <td>{i.pairing.ip ?? '—'}</td>
            <td>{browserSummary(i.pairing.userAgent)}</td>
            {i.why !== undefined && <td class="warn">{i.why}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BulkApprove(props: {
  w: DevicesWords;
  lang: Lang;
  rooms: api.SiteRooms['rooms'];
  pairings: PairingView[];
  devices: DeviceView[];
  onDone: (text: string) => void;
  onFail: (err: unknown) => void;
}) {
  const { w, rooms, pairings, devices } = props;
  const [roomId, setRoomId] = useState(rooms[0]?.id ?? '');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RoomApproval | null>(null);
  const plan = planRoom(roomId, pairings, devices);
  const roomName = (id: string) => {
    const r = rooms.find((x) => x.id === id);
    return r ? `${r.id} ${r.name}` : id;
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const r = await api.approveRoom(roomId);
      setOpen(false);
      setResult(r);
      props.onDone(w.bulkDone(r.approved.length, r.roomId));
    } catch (err) {
      setOpen(false);
      props.onFail(err);
    } finally {
      setBusy(false);
    }
  };
  // Only what concerns this room is worth listing as "left": other rooms' requests wait for their own turn.
  const leftHere = plan.leave.filter((l) => l.reason !== 'other_room');
  return (
    <div class="bulk" data-testid="bulk">
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setResult(null);
          setOpen(true);
        }}
      >
        <strong>{w.bulkTitle}</strong>
        <label>
          {w.bulkRoom}
          <select value={roomId} onChange={(e) => setRoomId((e.target as HTMLSelectElement).value)} data-testid="bulk-room">
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {roomName(r.id)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!roomId || pairings.length === 0} data-testid="bulk-open">
          {w.bulkPreview}
        </button>
      </form>
      {open && (
        <Modal title={`${w.bulkTitle} · ${roomName(roomId)}`} onClose={() => setOpen(false)} testid="bulk-dialog">
          {plan.approve.length > 0 ? (
            <>
              <p>{w.bulkWillApprove(plan.approve.length, roomId)}</p>
              <RequestList w={w} items={plan.approve} />
            </>
          ) : (
            <p>{w.bulkNothing(roomId)}</p>
          )}
          {leftHere.length > 0 && (
            <>
              <p>{w.bulkWillLeave(leftHere.length)}</p>
              <RequestList w={w} items={leftHere.map((l) => ({ pairing: l.pairing, why: w.reasons[l.reason] }))} />
            </>
          )}
          <div class="buttons">
            <button type="button" onClick={() => setOpen(false)}>
              {w.cancel}
            </button>
            <button type="button" class="primary" disabled={busy || plan.approve.length === 0} onClick={confirm} data-testid="bulk-confirm">
              {w.bulkConfirm(plan.approve.length)}
            </button>
          </div>
        </Modal>
      )}
      {result && (
        <div class="bulk-result" data-testid="bulk-result">
          <p class="ok">
            {w.bulkDone(result.approved.length, roomName(result.roomId))}: {result.approved.map((a) => a.deviceId).join(', ') || '—'}
          </p>
          {result.left.filter((l) => l.reason !== 'other_room').length > 0 && (
            <>
              <p class="warn">{w.bulkLeftTitle}</p>
              <RequestList w={w} items={result.left.filter((l) => l.reason !== 'other_room').map((l) => ({ pairing: l.pairing, why: w.reasons[l.reason] }))} />
            </>
          )}
          <button type="button" onClick={() => setResult(null)}>
            {w.close}
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * Every kiosk's ID-card reader as an id a pairing can be approved as (`K1.reader`): an unpaired reader
 * has no row of its own, only its kiosk's `cardReader` (docs/kiosk-api.md "Card reader").
 */
function withReaders(devices: DeviceView[]): DeviceView[] {
  const rows = new Set(devices.map((d) => d.id));
  const readers = devices.flatMap((d) =>
    d.kind === 'kiosk' && d.cardReader && !rows.has(d.cardReader.deviceId)
      ? [{ ...d, id: d.cardReader.deviceId, kind: 'reader' as const, state: d.cardReader.state, online: d.cardReader.online, health: null }]
      : [],
  );
  return [...devices, ...readers];
}

/** A kiosk's ID-card reader: connected or not, SAM id, last card read (on the kiosk's row and the reader's own). */
function ReaderCell({ w, lang, d }: { w: DevicesWords; lang: Lang; d: DeviceView }) {
  const r = d.cardReader;
  if (!r || (r.state === 'unpaired' && d.kind === 'kiosk')) return null;
  const ok = r.online && r.reader === 'ready';
  return (
    <ul class="health reader" data-testid="card-reader" data-reader={r.online ? (r.reader ?? 'unknown') : 'offline'}>
      <li class={ok ? 'ok' : 'bad'} title={r.detail ?? ''}>
        {w.reader.title}: {r.online ? (w.reader.states[r.reader ?? 'unknown'] ?? r.reader) : w.reader.offline}
      </li>
      {r.samId && <li class="muted">SAM {r.samId}</li>}
      <li class="muted">{r.lastCardAt ? w.reader.lastCard(clock.format(r.lastCardAt, lang, { hour: '2-digit', minute: '2-digit' })) : w.reader.noCard}</li>
      {r.photoDecoder === false && <li class="muted">{w.reader.noDecoder}</li>}
    </ul>
  );
}

function HealthCell({ w, lang, d, now }: { w: DevicesWords; lang: Lang; d: DeviceView; now: number }) {
  if (d.cardReader && (d.kind === 'reader' || d.cardReader.state !== 'unpaired'))
    return (
      <div>
        {d.kind === 'kiosk' && <HealthOnly w={w} lang={lang} d={d} now={now} />}
        <ReaderCell w={w} lang={lang} d={d} />
      </div>
    );
  return <HealthOnly w={w} lang={lang} d={d} now={now} />;
}

function HealthOnly({ w, lang, d, now }: { w: DevicesWords; lang: Lang; d: DeviceView; now: number }) {
  const h = d.health;
  if (!h) return <span class="muted">{w.noReport}</span>;
  // Not connected now: the report says how the PC was, not how it is — shown grey, under its time.
  if (!d.online) {
    const fields: Intl.DateTimeFormatOptions =
      now - h.reportedAt < 20 * 3600_000 ? { hour: '2-digit', minute: '2-digit' } : { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' };
    return (
      <div class="health-stale muted" data-testid="health" data-stale="true">
        <span data-testid="last-report">{w.lastReport(clock.format(h.reportedAt, lang, fields))}</span>
        <HealthList w={w} d={d} stale />
      </div>
    );
  }
  return <HealthList w={w} d={d} stale={false} />;
}

function HealthList({ w, d, stale }: { w: DevicesWords; d: DeviceView; stale: boolean }) {
  const h = d.health!;
  // A stale report is not coloured: green would say "fine now" of a PC nobody can see.
  const tone = (c: string) => (stale ? '' : c);
  const skewS = h.clockSkewMs / 1000;
  const cameraOk = h.camera === 'available' || h.camera === 'not-needed';
  const problems = d.problems ?? [];
  const screenOk = h.screenCapture.state !== 'unavailable' && !problems.includes('not_whole_screen');
  const pcReady = d.kind === 'terminal' && problems.length === 0;
  return (
    <ul class={`health${stale ? ' stale' : ''}`} data-testid={stale ? undefined : 'health'} data-problems={problems.join(' ')}>
      {pcReady && !stale && <li class="ok ready">{w.readyPc}</li>}
      <li class={tone(h.secureContext ? 'ok' : 'bad')}>{h.secureContext ? w.secure : w.notSecure}</li>
      <li class={tone(cameraOk ? 'ok' : 'bad')} title={h.cameraDetail ?? ''}>
        {w.camera[h.camera]}
      </li>
      {d.kind === 'terminal' && (
        <li class={tone(screenOk ? 'ok' : 'bad')} title={h.screenCapture.reason ?? ''}>
          {w.screen[h.screenCapture.state]}
          {h.screenCapture.surface ? ` (${h.screenCapture.surface})` : ''}
          {problems.includes('not_whole_screen') ? ` · ${w.notWholeScreen}` : ''}
        </li>
      )}
      {d.kind === 'terminal' && h.display && (
        <li class={tone(problems.includes('not_fullscreen') ? 'bad' : 'ok')} title={h.display.screen}>
          {problems.includes('not_fullscreen') ? w.notFullscreen : w.fullscreen}
        </li>
      )}
      <li>
        {h.browser.brand} {h.browser.version}
      </li>
      <li class={tone(problems.includes('clock_skew') ? 'bad' : Math.abs(skewS) > 5 ? 'warn' : '')}>
        {w.skew(`${skewS >= 0 ? '+' : ''}${skewS.toFixed(1)} s`)}
      </li>
      <li class={problems.includes('old_app') ? tone('bad') : 'muted'} title={h.appHash ?? ''}>
        {w.build} {h.appBuild}
        {problems.includes('old_app') ? ` · ${w.oldApp}` : ''}
      </li>
    </ul>
  );
}

function DeviceTable(props: {
  w: DevicesWords;
  lang: Lang;
  devices: DeviceView[];
  rooms: api.SiteRooms['rooms'];
  now: number;
  filter: string;
  onDone: (text: string) => void;
  onFail: (err: unknown) => void;
}) {
  const { w, lang, devices, rooms, now, filter } = props;
  const [revoking, setRevoking] = useState<DeviceView | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = devices.filter((d) => !filter || (filter === 'kiosks' ? d.kind === 'kiosk' || d.kind === 'reader' : d.room === filter));
  const when = (ms: number) => clock.format(ms, lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const doRevoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await api.revoke(revoking.id);
      props.onDone(w.revokedToast(revoking.id));
    } catch (err) {
      props.onFail(err);
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };
  const online = devices.filter((d) => d.online).length;
  return (
    <section class="panel" data-testid="devices">
      <h2>
        {w.devicesTitle}{' '}
        <span class="count">
          {online}/{devices.length} {w.online}
        </span>
        <span class="right">
          <label>
            {w.bulkRoom}{' '}
            <select value={filter} onChange={(e) => replaceParams({ room: (e.target as HTMLSelectElement).value || undefined })} data-testid="device-filter">
              <option value="">{w.filterAll}</option>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.id} {r.name}
                </option>
              ))}
              <option value="kiosks">{w.filterKiosks}</option>
            </select>
          </label>
        </span>
      </h2>
      <table class="device-list">
        <thead>
          <tr>
            <th>{w.kind}</th>
            <th>{w.id}</th>
            <th>{w.roomSeat}</th>
            <th>{w.state}</th>
            <th>{w.lastSeen}</th>
            <th>{w.address}</th>
            <th>{w.health}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => (
            <tr
              key={d.id}
              data-testid="device-row"
              data-device={d.id}
              data-state={d.state}
              data-online={String(d.online)}
              data-spare={d.spare ? 'yes' : undefined}
            >
              <td>{w.kinds[d.kind]}</td>
              <td class="id">
                {d.id}
                {!d.configured && <span class="muted"> {w.notConfigured}</span>}
              </td>
              <td>{d.room ? `${d.room} · ${d.seat}` : '—'}</td>
              <td data-testid="device-state">
                {d.state === 'paired' ? (
                  <>
                    <span class={d.online ? 'ok' : d.spare ? 'muted' : 'warn'}>● {d.online ? w.online : d.spare ? w.spareIdle : w.offline}</span>
                    {d.spare && d.online && <span class="muted"> · {w.spare}</span>}
                  </>
                ) : (
                  <span class={d.state === 'unpaired' ? 'muted' : 'bad'}>
                    {d.state === 'revoked' ? w.revoked : d.state === 'expired' ? w.expired : w.unpaired}
                  </span>
                )}
              </td>
              <td title={d.lastSeenAt ? new Date(d.lastSeenAt).toISOString() : ''}>
                {d.online ? w.online : d.lastSeenAt ? `${when(d.lastSeenAt)} (${w.ago(age(now - d.lastSeenAt, lang))})` : w.never}
              </td>
              <td>{d.lastIp ?? '—'}</td>
              <td>{d.state === 'unpaired' ? <span class="muted">—</span> : <HealthCell w={w} lang={lang} d={d} now={now} />}</td>
              <td>
                {d.state === 'paired' && (
                  <button type="button" class="danger" onClick={() => setRevoking(d)} data-testid="revoke">
                    {w.revoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <Modal title={w.revokeTitle(revoking.id)} onClose={() => setRevoking(null)} testid="revoke-dialog">
          <p>{w.revokeText}</p>
          <div class="buttons">
            <button type="button" onClick={() => setRevoking(null)}>
              {w.cancel}
            </button>
            <button type="button" class="danger" disabled={busy} onClick={doRevoke} data-testid="revoke-confirm">
              {w.revoke} {revoking.id}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

function CaPanel({ w }: { w: DevicesWords }) {
  const [tls, setTls] = useState<api.TlsStatus | 'plain' | null>(null);
  useEffect(() => {
    // No /api/tls on a plain-HTTP server (the demo on 127.0.0.1): there is no CA to hand out.
    api.tlsStatus().then(setTls, (err: unknown) => setTls(err instanceof HttpError && err.status === 404 ? 'plain' : null));
  }, []);
  if (!tls) return null;
  const ca = tls === 'plain' ? null : tls.certificates.find((c) => c.name === 'site-ca');
  return (
    <section class="panel ca" data-testid="site-ca">
      <h2>{w.caTitle}</h2>
      {tls === 'plain' ? (
        <p class="note">{w.caPlain}</p>
      ) : tls.mode !== 'site-ca' || !ca ? (
        <p class="note">{w.caNone}</p>
      ) : (
        <>
          <p>{w.caWhat}</p>
          <p class="ca-links">
            <a href="/ca.cer" download="examroom-site-ca.cer" data-testid="ca-cer">
              ⤓ {w.caWindows}
            </a>
            <a href="/ca.crt" download="examroom-site-ca.crt" data-testid="ca-crt">
              ⤓ {w.caLinux}
            </a>
          </p>
          <p>
            {w.caFingerprint}: <code class="fingerprint">{ca.fingerprint256}</code>
          </p>
        </>
      )}
    </section>
  );
}
