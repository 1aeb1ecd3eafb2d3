// The users of the appliance: the list with role, rooms or jurisdiction and state, a form to add one,
// and per user: change role/rooms/jurisdiction/name, disable or enable (confirmed), unlock after a
// lock-out, reset the password (typed, or generated and shown once). The form checks what the server
// checks before sending; whatever the server refuses is shown in its words and nothing is changed.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../../../../../web/i18n.ts';
import { siteClock } from '../../../../../web/i18n.ts';
import { HttpError } from '../../../../../web/http.ts';
import { refusal } from '../results/refusal.ts';
import { api, passwordOk, usernameOk, type Jurisdiction, type SiteInfo, type UserView } from './api.ts';
import { LEVELS, ROLES, peopleWords, type RoleName } from './words.ts';

const site = siteClock();
type W = (typeof peopleWords)['zh'];

/** The binding fields of a user as a form holds them (one shape for add and change). */
interface Binding {
  displayName: string;
  role: RoleName;
  rooms: string[];
  level: Jurisdiction['level'];
  code: string;
}

/** What the server would refuse about a binding, in the page's words (server/auth/users.ts checkBinding). */
function bindingProblems(b: Binding, w: W): string[] {
  const out: string[] = [];
  if (b.role === 'invigilator' && b.rooms.length === 0) out.push(w.problems.rooms);
  if (b.role === 'inspector') {
    if (!b.code.trim()) out.push(w.problems.jurisdiction);
    else if (b.level !== 'site' && !/^[0-9]{6}$/.test(b.code.trim())) out.push(w.problems.code);
  }
  return out;
}

const bindingBody = (b: Binding) => ({
  displayName: b.displayName.trim() || null,
  role: b.role,
  rooms: b.role === 'invigilator' ? b.rooms : [],
  jurisdiction: b.role === 'inspector' ? { level: b.level, code: b.code.trim() } : null,
});

export function UsersPanel({ lang, me }: { lang: Lang; me: string }) {
  const w = peopleWords[lang];
  const [info, setInfo] = useState<SiteInfo | null>(null);
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<{ username: string; what: 'edit' | 'reset' | 'disable' } | null>(null);
  const load = () =>
    api.users().then(
      (u) => {
        setUsers(u);
        setError(null);
      },
      (err: unknown) => setError(w.loadFailed(refusal(err, lang))),
    );
  useEffect(() => {
    api.site().then(
      (s) => {
        site.setTimeZone(s.site.timezone);
        setInfo(s);
      },
      () => {},
    );
    void load();
  }, []);
  const done = (text: string) => {
    setNotice(text);
    setOpen(null);
    void load();
  };
  const now = info?.serverTime ?? Date.now();
  return (
    <section class="panel people-users" data-testid="users">
      <h3>{w.users}</h3>
      {error && <p class="error">{error}</p>}
      {notice && (
        <p class="notice ok" role="status" data-testid="users-notice">
          {notice}
        </p>
      )}
      <table data-testid="users-table">
        <thead>
          <tr>
            <th>{w.username}</th>
            <th>{w.displayName}</th>
            <th>{w.role}</th>
            <th>
              {w.rooms} / {w.jurisdiction}
            </th>
            <th>{w.state}</th>
            <th>{w.actions}</th>
          </tr>
        </thead>
        <tbody>
          {users?.map((u) => {
            const locked = u.lockedUntil !== null && u.lockedUntil > now;
            const isOpen = open?.username === u.username ? open.what : null;
            return (
              <Fragment key={u.username}>
                <tr data-username={u.username} class={u.disabled ? 'off' : ''}>
                  <td>
                    {u.username}
                    {u.username === me && w.you}
                  </td>
                  <td>{u.displayName ?? ''}</td>
                  <td data-field="role">{w.roles[u.role] ?? u.role}</td>
                  <td>
                    {u.role === 'invigilator'
                      ? u.rooms.map((r) => info?.rooms.find((x) => x.id === r)?.name ?? r).join('、')
                      : u.jurisdiction
                        ? `${w.levels[u.jurisdiction.level]} ${u.jurisdiction.code}`
                        : '—'}
                  </td>
                  <td data-field="state" class={u.disabled || locked ? 'bad' : 'ok'}>
                    {u.disabled ? w.disabled : locked ? w.locked(site.format(u.lockedUntil!, lang, { hour: '2-digit', minute: '2-digit' })) : w.active}
                  </td>
                  <td class="actions">
                    <button type="button" onClick={() => setOpen({ username: u.username, what: 'edit' })} data-action="edit">
                      {w.edit}
                    </button>
                    {u.username !== me &&
                      (u.disabled ? (
                        <button
                          type="button"
                          data-action="enable"
                          onClick={() => void act(() => api.change(u.username, { disabled: false }), w.enabledNow(u.username))}
                        >
                          {w.enable}
                        </button>
                      ) : (
                        <button type="button" class="danger" data-action="disable" onClick={() => setOpen({ username: u.username, what: 'disable' })}>
                          {w.disable}
                        </button>
                      ))}
                    {locked && (
                      <button type="button" data-action="unlock" onClick={() => void act(() => api.unlock(u.username), w.unlocked(u.username))}>
                        {w.unlock}
                      </button>
                    )}
                    <button type="button" data-action="reset" onClick={() => setOpen({ username: u.username, what: 'reset' })}>
                      {w.reset}
                    </button>
                  </td>
                </tr>
                {isOpen && (
                  <tr class="row-form">
                    <td colSpan={6}>
                      {isOpen === 'edit' && <EditUser lang={lang} user={u} rooms={info?.rooms ?? []} onDone={done} onCancel={() => setOpen(null)} />}
                      {isOpen === 'reset' && <ResetPassword lang={lang} user={u} onDone={done} onCancel={() => setOpen(null)} />}
                      {isOpen === 'disable' && (
                        <Confirm
                          lang={lang}
                          text={w.confirmDisable(u.username)}
                          yes={w.disable}
                          run={() => api.change(u.username, { disabled: true })}
                          onDone={() => done(w.disabledNow(u.username))}
                          onCancel={() => setOpen(null)}
                        />
                      )}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <AddUser lang={lang} rooms={info?.rooms ?? []} onDone={(u) => done(w.added(u))} />
    </section>
  );

  async function act(run: () => Promise<unknown>, ok: string) {
    setNotice(null);
    try {
      await run();
      done(ok);
    } catch (err) {
      setError(refusal(err, lang));
    }
  }
}

function Confirm({
  lang,
  text,
  yes,
  run,
  onDone,
  onCancel,
}: {
  lang: Lang;
  text: string;
  yes: string;
  run: () => Promise<unknown>;
  onDone: () => void;
  onCancel: () => void;
}) {
  const w = peopleWords[lang];
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="confirm" role="alertdialog" aria-label={text}>
      <p>{text}</p>
      <button type="button" class="danger" data-action="confirm" onClick={() => run().then(onDone, (err: unknown) => setError(refusal(err, lang)))}>
        {yes}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        {w.cancel}
      </button>
      {error && <p class="error">{error}</p>}
    </div>
  );
}

function BindingFields({ lang, b, set, rooms }: { lang: Lang; b: Binding; set: (b: Binding) => void; rooms: { id: string; name: string }[] }) {
  const w = peopleWords[lang];
  return (
    <>
      <label>
        {w.displayName}
        <input name="displayName" value={b.displayName} maxLength={100} onInput={(e) => set({ ...b, displayName: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        {w.role}
        <select name="role" value={b.role} onChange={(e) => set({ ...b, role: (e.target as HTMLSelectElement).value as RoleName })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {w.roles[r]}
            </option>
          ))}
        </select>
      </label>
      {b.role === 'invigilator' && (
        <fieldset class="rooms">
          <legend>{w.rooms}</legend>
          {rooms.map((r) => (
            <label key={r.id} class="check">
              <input
                type="checkbox"
                name="rooms"
                value={r.id}
                checked={b.rooms.includes(r.id)}
                onChange={(e) => set({ ...b, rooms: (e.target as HTMLInputElement).checked ? [...b.rooms, r.id] : b.rooms.filter((x) => x !== r.id) })}
              />{' '}
              {r.name}
            </label>
          ))}
        </fieldset>
      )}
      {b.role === 'inspector' && (
        <>
          <label>
            {w.jurisdiction}
            <select name="level" value={b.level} onChange={(e) => set({ ...b, level: (e.target as HTMLSelectElement).value as Binding['level'] })}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {w.levels[l]}
                </option>
              ))}
            </select>
          </label>
          <label title={w.codeHint}>
            {w.code}
            <input name="code" value={b.code} maxLength={64} onInput={(e) => set({ ...b, code: (e.target as HTMLInputElement).value })} />
          </label>
        </>
      )}
    </>
  );
}

function AddUser({ lang, rooms, onDone }: { lang: Lang; rooms: { id: string; name: string }[]; onDone: (username: string) => void }) {
  const w = peopleWords[lang];
  const empty: Binding = { displayName: '', role: 'invigilator', rooms: [], level: 'city', code: '' };
  const [b, setB] = useState<Binding>(empty);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const p = [...(usernameOk(username.trim()) ? [] : [w.problems.username]), ...bindingProblems(b, w), ...(passwordOk(password) ? [] : [w.problems.password])];
    setProblems(p);
    if (p.length) return;
    const body = bindingBody(b);
    setBusy(true);
    try {
      await api.add({
        username: username.trim(),
        role: body.role,
        password,
        ...(body.displayName ? { displayName: body.displayName } : {}),
        ...(body.role === 'invigilator' ? { rooms: body.rooms } : {}),
        ...(body.jurisdiction ? { jurisdiction: body.jurisdiction } : {}),
      });
      setB(empty);
      setUsername('');
      setPassword('');
      onDone(username.trim());
    } catch (err) {
      setProblems([err instanceof HttpError && err.status === 409 ? w.taken(username.trim()) : refusal(err, lang)]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline add-user" data-testid="add-user" onSubmit={(e) => void submit(e)} noValidate>
      <h4>{w.addHeading}</h4>
      <label>
        {w.username}
        <input name="username" value={username} required maxLength={64} autoComplete="off" onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
      </label>
      <BindingFields lang={lang} b={b} set={setB} rooms={rooms} />
      <label title={w.passwordHint}>
        {w.password}
        <input
          name="password"
          type="password"
          value={password}
          autoComplete="new-password"
          required
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <small>{w.passwordHint}</small>
      </label>
      <button type="submit" disabled={busy}>
        {w.add}
      </button>
      {problems.length > 0 && (
        <ul class="error problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

function EditUser({
  lang,
  user,
  rooms,
  onDone,
  onCancel,
}: {
  lang: Lang;
  user: UserView;
  rooms: { id: string; name: string }[];
  onDone: (t: string) => void;
  onCancel: () => void;
}) {
  const w = peopleWords[lang];
  const [b, setB] = useState<Binding>({
    displayName: user.displayName ?? '',
    role: user.role,
    rooms: user.rooms,
    level: user.jurisdiction?.level ?? 'city',
    code: user.jurisdiction?.code ?? '',
  });
  const [problems, setProblems] = useState<string[]>([]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const p = bindingProblems(b, w);
    setProblems(p);
    if (p.length) return;
    try {
      await api.change(user.username, bindingBody(b));
      onDone(w.saved(user.username));
    } catch (err) {
      setProblems([refusal(err, lang)]);
    }
  };
  return (
    <form class="inline" data-testid="edit-user" onSubmit={(e) => void submit(e)} noValidate>
      <BindingFields lang={lang} b={b} set={setB} rooms={rooms} />
      <button type="submit">{w.save}</button>
      <button type="button" onClick={onCancel}>
        {w.cancel}
      </button>
      {problems.length > 0 && (
        <ul class="error problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

function ResetPassword({ lang, user, onDone, onCancel }: { lang: Lang; user: UserView; onDone: (t: string) => void; onCancel: () => void }) {
  const w = peopleWords[lang];
  const [mode, setMode] = useState<'type' | 'generate'>('type');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  if (shown)
    return (
      <div class="generated" role="status" data-testid="generated-password">
        <p>
          {w.generatedOnce(user.username)} <code>{shown}</code>
        </p>
        <p class="warn">{w.generatedNote}</p>
        <button type="button" onClick={() => onDone(w.resetDone(user.username))}>
          {w.done}
        </button>
      </div>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    if (mode === 'type' && !passwordOk(password)) return setProblem(w.problems.password);
    try {
      const out = await api.resetPassword(user.username, mode === 'type' ? password : undefined);
      if (out.password) setShown(out.password);
      else onDone(w.resetDone(user.username));
    } catch (err) {
      setProblem(refusal(err, lang));
    }
  };
  return (
    <form class="inline" data-testid="reset-password" onSubmit={(e) => void submit(e)} noValidate>
      <strong>{w.resetHeading(user.username)}</strong>
      <label class="check">
        <input type="radio" name="mode" value="type" checked={mode === 'type'} onChange={() => setMode('type')} /> {w.typeOne}
      </label>
      <label class="check">
        <input type="radio" name="mode" value="generate" checked={mode === 'generate'} onChange={() => setMode('generate')} /> {w.generate}
      </label>
      {mode === 'type' && (
        <label>
          {w.newPassword}
          <input
            name="new-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
          <small>{w.passwordHint}</small>
        </label>
      )}
      <button type="submit" class="danger">
        {w.doReset}
      </button>
      <button type="button" onClick={onCancel}>
        {w.cancel}
      </button>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
