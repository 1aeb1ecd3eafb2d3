// A person's session ended while a page was open — logged out elsewhere, expired, password reset, account
// disabled or its rights changed. The server then closes their WebSockets with a SESSION_CLOSE code and
// ends their event streams (docs/security.md, "Sockets end with their session"). The page hears it here,
// once, so it shows the log-in form with the reason instead of reconnecting forever to a server that
// refuses it. Sockets whose close code the page never sees (mpegts.js, EventSource) ask checkSession().
import { useEffect, useState } from 'preact/hooks';
import type { SESSION_CLOSE as Codes } from '../server/protocol.ts';
import { onUnauthorized, whoAmI } from './http.ts';
import type { Bilingual } from './i18n.ts';

// server/protocol.ts's numbers, checked by their type: a type-only import keeps TypeBox out of the bundle.
export const SESSION_CLOSE: typeof Codes = { SIGNED_OUT: 4401, RIGHTS_CHANGED: 4403 };

export type SessionEnd = 'signed_out' | 'rights_changed';

export const sessionEndWords: Bilingual<Record<SessionEnd, string>> = {
  zh: {
    signed_out: '登录已结束（已在别处退出、已过期或密码已重置），请重新登录。',
    rights_changed: '账号已停用或权限（角色、考场、辖区）已变更，请重新登录。',
  },
  en: {
    signed_out: 'You were signed out (logged out elsewhere, the session expired or the password was reset). Sign in again.',
    rights_changed: 'Your account was disabled or its rights (role, rooms, jurisdiction) changed. Sign in again.',
  },
};

let ended: SessionEnd | null = null;
const listeners = new Set<(e: SessionEnd | null) => void>();
let asking: Promise<boolean> | null = null;

const set = (e: SessionEnd | null) => {
  if (e === ended) return;
  ended = e;
  for (const l of [...listeners]) l(e);
};

/** Why this page's session ended, or null while it stands. */
export const sessionEnded = (): SessionEnd | null => ended;

/** What a WebSocket's close code says of the session: ended (and why), or null for any other close. */
export function sessionEndOfClose(code: number): SessionEnd | null {
  if (code === SESSION_CLOSE.SIGNED_OUT) return 'signed_out';
  if (code === SESSION_CLOSE.RIGHTS_CHANGED) return 'rights_changed';
  return null;
}

/** A socket closed with a SESSION_CLOSE code: the page's session is over. */
export const noteSessionEnded = (why: SessionEnd): void => set(why);

/** Signed in again: the page may connect again. */
export const clearSessionEnded = (): void => set(null);

/**
 * After a channel ended without a readable reason: asks the server (once, however many tiles ask at
 * the same moment) whether this page's cookie still stands, and notes the end when it does not.
 * Resolves true while signed in; a server that does not answer says nothing either way.
 */
export function checkSession(): Promise<boolean> {
  if (ended) return Promise.resolve(false);
  asking ??= whoAmI()
    .then(
      (me) => {
        if (me === null) set('signed_out');
        return me !== null;
      },
      () => true,
    )
    .finally(() => {
      asking = null;
    });
  return asking;
}

// Any request answered 401 asks once whether the cookie still stands (a route may refuse for its own reason).
onUnauthorized(() => void checkSession());

/** Why the session ended (re-rendering when that changes), or null. */
export function useSessionEnded(): SessionEnd | null {
  const [e, setE] = useState(ended);
  useEffect(() => {
    listeners.add(setE);
    setE(ended);
    return () => void listeners.delete(setE);
  }, []);
  return e;
}
