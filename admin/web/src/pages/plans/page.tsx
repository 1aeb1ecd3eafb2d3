// The plans page: exam plans and their sessions (create, list), and the selected session — roster import
// with photos, roster with thumbnails and enrolment warnings, seats, seat list and admission tickets,
// papers with the server's progress. The selection lives in the hash (#/plans?plan=P&session=S), so the
// today page's checklist links straight to a session here.
import { useEffect, useState } from 'preact/hooks';
import type { PlanView, SessionView } from '../../../../../exam/protocol.ts';
import type { RoomListItem } from '../../../../../proctor/protocol.ts';
import { replaceParams } from '../../route.ts';
import type { PageProps } from '../page-props.ts';
import * as api from './api.ts';
import { Failure, StatusBadge, clock, when } from './parts.tsx';
import { SessionPanel } from './session-panel.tsx';
import { plansWords } from './words.ts';
import './styles.css';

export function PlansPage({ lang, route }: PageProps) {
  const w = plansWords[lang];
  const planId = route.params.get('plan') ?? '';
  const sessionId = route.params.get('session') ?? '';
  const [plans, setPlans] = useState<PlanView[] | null>(null);
  const [sessions, setSessions] = useState<SessionView[]>([]);
  const [rooms, setRooms] = useState<RoomListItem[]>([]);
  const [templates, setTemplates] = useState<api.TemplateItem[]>([]);
  const [err, setErr] = useState<unknown>(null);
  const [zoneKnown, setZoneKnown] = useState(false);

  const loadPlans = () => api.plans().then(setPlans, setErr);
  useEffect(() => {
    void loadPlans();
    api.rooms().then(setRooms, setErr);
    api.templates().then((r) => setTemplates(r.templates), setErr);
    api.site().then(
      (s) => {
        clock.setTimeZone(s.site.timezone);
        setZoneKnown(true);
      },
      () => setZoneKnown(true),
    );
  }, []);

  // A link with only ?session= (the today page's) finds its plan.
  useEffect(() => {
    if (sessionId && !planId) api.sessionOf(sessionId).then((r) => replaceParams({ plan: r.session.planId, session: sessionId }), setErr);
  }, [sessionId, planId]);

  const loadSessions = () => (planId ? api.planWithSessions(planId).then((r) => setSessions(r.sessions), setErr) : setSessions([]));
  useEffect(() => {
    void loadSessions();
  }, [planId]);

  const plan = plans?.find((p) => p.id === planId) ?? null;
  const session = sessions.find((s) => s.id === sessionId) ?? null;
  if (!zoneKnown || plans === null)
    return (
      <section data-testid="page-plans">
        <p>{w.loading}</p>
        <Failure err={err} lang={lang} />
      </section>
    );

  return (
    <section data-testid="page-plans" class="plans-page">
      <Failure err={err} lang={lang} />
      <div class="plans-top">
        <section class="panel plans-list" aria-labelledby="plans-h">
          <h3 id="plans-h">{w.plans}</h3>
          {plans.length === 0 ? (
            <p>{w.noPlans}</p>
          ) : (
            <ul class="plan-items" data-testid="plan-list">
              {plans.map((p) => (
                <li key={p.id}>
                  <a href={`#/plans?plan=${encodeURIComponent(p.id)}`} aria-current={p.id === planId ? 'true' : undefined} data-testid={`plan-${p.id}`}>
                    <strong>{p.name}</strong>
                    <span class="muted">
                      {p.from} – {p.to} · {p.sessions ?? 0} {w.session} · <StatusBadge status={p.status} lang={lang} />
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <NewPlanForm
            lang={lang}
            onCreated={(p) => {
              void loadPlans();
              replaceParams({ plan: p.id });
            }}
          />
        </section>
        {plan && (
          <section class="panel plan-sessions" aria-labelledby="sessions-h">
            <h3 id="sessions-h">{w.sessionsOf(plan.name)}</h3>
            {sessions.length === 0 ? (
              <p>{w.noSessions}</p>
            ) : (
              <table data-testid="session-list">
                <thead>
                  <tr>
                    <th>{w.cols.time}</th>
                    <th>{w.cols.room}</th>
                    <th>{w.cols.template}</th>
                    <th>{w.cols.status}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {sessions.map((s) => (
                    <tr key={s.id} class={s.id === sessionId ? 'selected' : ''} data-testid={`session-row-${s.id}`}>
                      <td>{when(s.startsAt, lang)}</td>
                      <td>{s.roomName}</td>
                      <td>{s.templateName}</td>
                      <td>
                        <StatusBadge status={s.status} lang={lang} />
                      </td>
                      <td>
                        {s.id === sessionId ? (
                          <span class="muted">{w.selected}</span>
                        ) : (
                          <a href={`#/plans?plan=${encodeURIComponent(plan.id)}&session=${encodeURIComponent(s.id)}`} data-testid={`open-session-${s.id}`}>
                            {w.open}
                          </a>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <NewSessionForm
              lang={lang}
              plan={plan}
              rooms={rooms}
              templates={templates}
              onCreated={(s) => {
                void loadSessions();
                void loadPlans();
                replaceParams({ plan: plan.id, session: s.id });
              }}
            />
          </section>
        )}
      </div>
      {plan && !session && sessions.length > 0 && <p class="muted">{w.pickSession}</p>}
      {session && <SessionPanel key={session.id} lang={lang} session={session} onChanged={() => void loadSessions()} />}
    </section>
  );
}

function NewPlanForm({ lang, onCreated }: { lang: PageProps['lang']; onCreated: (p: PlanView) => void }) {
  const w = plansWords[lang];
  const [name, setName] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    // The server's rules, said before the round trip; the server checks again and its words win.
    const missing = !name.trim() ? w.planName : !from ? w.from : !to ? w.to : null;
    if (missing) return setLocal(w.required(missing));
    if (to < from) return setLocal(w.dateOrder);
    setLocal(null);
    setBusy(true);
    try {
      const p = await api.createPlan({ name: name.trim(), from, to });
      setErr(null);
      setName('');
      onCreated(p);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline new-plan" onSubmit={submit} data-testid="new-plan" aria-label={w.newPlan}>
      <h4>{w.newPlan}</h4>
      <label>
        {w.planName}
        <input name="planName" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {w.from}
        <input type="date" name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label>
        {w.to}
        <input type="date" name="to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {w.create}
      </button>
      {local && (
        <div class="msg error" role="alert">
          {local}
        </div>
      )}
      <Failure err={err} lang={lang} />
    </form>
  );
}

function NewSessionForm(props: {
  lang: PageProps['lang'];
  plan: PlanView;
  rooms: RoomListItem[];
  templates: api.TemplateItem[];
  onCreated: (s: SessionView) => void;
}) {
  const { lang, plan, rooms, templates } = props;
  const w = plansWords[lang];
  const [room, setRoom] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [duration, setDuration] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = !room ? w.room : !startsAt ? w.startsAt : !templateId ? w.template : null;
    if (missing) return setLocal(w.required(missing));
    const minutes = duration ? Number(duration) : undefined;
    if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 10 && minutes <= 600)) return setLocal(`${w.duration}: 10–600 ${w.minutes}`);
    setLocal(null);
    setBusy(true);
    try {
      // Sent without an offset: the server reads it on the site's clock.
      const s = await api.createSession({ planId: plan.id, room, startsAt, templateId, ...(minutes ? { durationMinutes: minutes } : {}) });
      setErr(null);
      // Cleared, so the next session is not created with the last one's room and time by mistake.
      setRoom('');
      setStartsAt('');
      setTemplateId('');
      setDuration('');
      props.onCreated(s);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline new-session" onSubmit={submit} data-testid="new-session" aria-label={w.newSession}>
      <h4>{w.newSession}</h4>
      <label>
        {w.room}
        <select name="room" value={room} onChange={(e) => setRoom(e.currentTarget.value)}>
          <option value="">—</option>
          {rooms.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}（{r.id}，{r.rows * r.columns}）
            </option>
          ))}
        </select>
      </label>
      <label>
        {w.startsAt}
        <input
          type="datetime-local"
          name="startsAt"
          value={startsAt}
          min={`${plan.from}T00:00`}
          max={`${plan.to}T23:59`}
          onInput={(e) => setStartsAt(e.currentTarget.value)}
        />
      </label>
      <label>
        {w.template}
        <select name="template" value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)}>
          <option value="">—</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}（{t.durationMinutes} {w.minutes}）
            </option>
          ))}
        </select>
      </label>
      <label>
        {w.duration}
        <input
          type="number"
          name="duration"
          min={10}
          max={600}
          placeholder={w.durationHint}
          value={duration}
          onInput={(e) => setDuration(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        {w.create}
      </button>
      {local && (
        <div class="msg error" role="alert">
          {local}
        </div>
      )}
      <Failure err={err} lang={lang} />
    </form>
  );
}
