// Lookup: the ID number (typed or from a card) against today's rosters of this site, refused with a
// reason and a message for the candidate, or a verification attempt with its liveness challenge.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Conflict, NotFound, newId } from '../../core/index.ts';
import type { IdentityAttempt } from '../store.ts';
import { idNumberProblem, localDate, localDateTime, maskIdNumber, normaliseIdNumber } from '../../core/index.ts';
import {
  CARD_TTL_MS,
  PHOTO_GRACE_MS,
  OPEN,
  NOT_YET,
  ENTERED,
  LOOKUP_MESSAGES,
  type Session,
  type LookupRefusal,
  type LookupResult,
  type HeldCard,
} from './types.ts';
import { imageKind, writeDurably } from './images.ts';
import { removeQuietly } from '../../storage/index.ts';
import { takeCard } from './desk.ts';
import { enrolPhoto } from './enrolment.ts';
import { consentAsk } from './consent.ts';
import { faceAttempts } from './face-attempts.ts';
import { candidateView, entryOf, kiosk, roomName, serves, sessionView, type IdentityState } from './state.ts';

export function refuse(
  st: IdentityState,
  kioskId: string,
  idNumber: string,
  reason: LookupRefusal,
  detail: string,
  extra: { name?: string; session?: Session | null; admittedAt?: number | null; seat?: string | null; message?: string } = {},
): LookupResult {
  st.audit.append({
    actor: `device:${kioskId}`,
    action: 'kiosk.lookup.refused',
    target: extra.session?.id ?? maskIdNumber(idNumber),
    detail: { reason, idNumber: maskIdNumber(idNumber), detail },
  });
  return {
    ok: false,
    reason,
    detail,
    message: extra.message ?? LOOKUP_MESSAGES[reason],
    candidate: extra.name ? { name: extra.name, idNumberMasked: maskIdNumber(idNumber) } : null,
    session: extra.session ? sessionView(st, extra.session) : null,
    admittedAt: extra.admittedAt ? new Date(extra.admittedAt).toISOString() : null,
    seat: extra.seat ?? null,
  };
}

export function admittedAt(st: IdentityState, sessionId: string, idNumber: string): number | null {
  const mine = st.store.admission(sessionId, idNumber);
  if (mine?.decidedAt) return mine.decidedAt;
  // Admitted by hand at a staff desk: the exam engine keeps when.
  return st.plans.admittedAt(sessionId, idNumber);
}

export function lookup(st: IdentityState, kioskId: string, input: { source: 'typed'; idNumber: string } | { source: 'card'; cardId: string }): LookupResult {
  const k = kiosk(st, kioskId);
  const now = st.clock.now();
  const today = localDate(now, st.tz);
  let card: HeldCard | null = null;
  let idNumber: string;
  if (input.source === 'card') {
    card = takeCard(st, kioskId, input.cardId);
    if (!card)
      return refuse(st, kioskId, '', 'unknown_card', `card ${input.cardId} was not read by this kiosk's reader in the last ${CARD_TTL_MS / 60_000} minutes`);
    idNumber = card.idNumber;
  } else {
    idNumber = normaliseIdNumber(input.idNumber);
  }
  const bad = idNumberProblem(idNumber);
  if (bad) return refuse(st, kioskId, idNumber, 'bad_id_number', `ID number ${bad}`);
  if (card?.validUntil && card.validUntil < today)
    return refuse(st, kioskId, idNumber, 'card_expired', `the ID card expired on ${card.validUntil}`, {
      name: card.name,
      message: `身份证已于 ${card.validUntil} 过期`,
    });

  const mine = st.store
    .sessionsOfPerson(idNumber)
    .map((id) => st.plans.session(id))
    .sort((a, b) => a.startsAt - b.startsAt);
  if (mine.length === 0)
    return refuse(st, kioskId, idNumber, 'not_on_roster', `ID number ${maskIdNumber(idNumber)} is on no roster of site ${st.config.site.name}`);
  const entries = new Map(mine.map((s) => [s.id, entryOf(st, s.id, idNumber)!]));
  const name = entries.get(mine[0]!.id)!.name;

  // A session open for check-in (or under way) counts as today's even when it starts after midnight.
  const todays = mine.filter((s) => localDate(s.startsAt, st.tz) === today || OPEN.includes(s.status));
  if (todays.length === 0) {
    const next = mine.find((s) => s.startsAt > now) ?? mine.at(-1)!;
    const when = localDateTime(next.startsAt, st.tz);
    const future = next.startsAt > now;
    return refuse(
      st,
      kioskId,
      idNumber,
      'wrong_day',
      `${name}'s ${future ? 'next' : 'last'} exam session here is on ${when} in room ${next.roomId} (${roomName(st, next.roomId)}), not today (${today})`,
      {
        name,
        session: next,
        message: future ? `您的考试时间为 ${when}（${roomName(st, next.roomId)}），今天不是您的考试日` : `您的考试已于 ${when} 结束，今天没有您的考试`,
      },
    );
  }

  const entryIn = (s: Session) => entries.get(s.id)!;
  const open = todays.find((s) => OPEN.includes(s.status) && entryIn(s).status === 'registered');
  const entered = todays.find((s) => OPEN.includes(s.status) && ENTERED.includes(entryIn(s).status));
  const pending = todays.find((s) => NOT_YET.includes(s.status));
  const wrongSite = (s: Session) =>
    refuse(
      st,
      kioskId,
      idNumber,
      'wrong_site',
      `${name}'s session ${s.id} is in room ${s.roomId} (${roomName(st, s.roomId)}), which kiosk ${k.id} (${k.name}) does not serve`,
      {
        name,
        session: s,
        message: `您的考场为 ${roomName(st, s.roomId)}，请到${
          st.config.kiosks
            .filter((x) => serves(st, x, s.roomId))
            .map((x) => x.name)
            .join('或') || '指定'
        }入口检录`,
      },
    );

  if (open) {
    if (!serves(st, k, open.roomId)) return wrongSite(open);
    const e = entryIn(open);
    const id = `a_${newId(now)}`;
    const challenges = st.config.identity.livenessChallenges;
    const challenge = challenges[randomInt(challenges.length)]!;
    let cardPhoto: string | null = null;
    if (card?.photo) {
      cardPhoto = `kiosk/${today}/${id}-card.${imageKind(card.photo)}`;
      writeDurably(st.vault, join(st.paths.captures, cardPhoto), card.photo);
    }
    const a = insertOrForget(st.paths.captures, cardPhoto, () =>
      st.store.insertAttempt({
        id,
        kioskId,
        sessionId: open.id,
        idNumber,
        source: input.source,
        challenge,
        rosterPhoto: e.photo,
        cardPhoto,
        card: card
          ? {
              cardId: card.cardId,
              name: card.name,
              issuer: card.issuer,
              validUntil: card.validUntil,
              ...(card.cardType ? { cardType: card.cardType } : {}),
              ...(card.photoMissing ? { photoMissing: card.photoMissing } : {}),
            }
          : null,
        expiresAt: now + st.config.identity.attemptMinutes * 60_000,
      }),
    );
    // The reference is enrolled while the candidate looks at the camera, not after they have.
    if (e.photo) enrolPhoto(st, e.photo).catch((err: unknown) => st.logError(err, 'enrolment of a roster photo failed'));
    return {
      ok: true,
      attemptId: a.id,
      expiresAt: new Date(a.expiresAt).toISOString(),
      candidate: candidateView(st, e, a.id, Boolean(cardPhoto)),
      session: sessionView(st, open),
      seat: e.seat,
      challenge,
      consent: consentAsk(st, { sessionId: open.id }, idNumber),
      faceAttempts: faceAttempts(st, { sessionId: open.id, idNumber }),
    };
  }
  if (entered) {
    const e = entryIn(entered);
    const at = admittedAt(st, entered.id, idNumber);
    const when = at ? localDateTime(at, st.tz).slice(11) : null;
    return refuse(
      st,
      kioskId,
      idNumber,
      'already_admitted',
      `${name} was admitted to session ${entered.id}${at ? ` at ${localDateTime(at, st.tz)}` : ''}${e.seat ? `, seat ${e.seat}` : ''} in room ${entered.roomId}`,
      {
        name,
        session: entered,
        admittedAt: at,
        seat: e.seat,
        message: `您已于 ${when ?? '此前'} 完成检录，${roomName(st, entered.roomId)}${e.seat ? ` ${e.seat} 号座位` : ''}`,
      },
    );
  }
  if (pending) {
    if (!serves(st, k, pending.roomId)) return wrongSite(pending);
    return refuse(
      st,
      kioskId,
      idNumber,
      'checkin_not_open',
      `session ${pending.id} (${localDateTime(pending.startsAt, st.tz)}, room ${pending.roomId}) is ${pending.status}; staff have not opened check-in yet`,
      {
        name,
        session: pending,
        message: `检录尚未开始（考试 ${localDateTime(pending.startsAt, st.tz).slice(11)} 开始，${roomName(st, pending.roomId)}），请稍候`,
      },
    );
  }
  const last = todays.at(-1)!;
  const e = entryIn(last);
  return refuse(st, kioskId, idNumber, 'checkin_closed', `session ${last.id} is ${last.status} and ${name} is ${e.status} on its roster; check-in has closed`, {
    name,
    session: last,
    message: last.status === 'in_progress' ? `考试已于 ${localDateTime(last.startsAt, st.tz).slice(11)} 开始，检录已结束` : '今天的考试已结束',
  });
}

export function openAttempt(st: IdentityState, kioskId: string, attemptId: string): IdentityAttempt {
  const a = st.store.attempt(attemptId);
  if (!a) throw new NotFound(`no verification attempt ${JSON.stringify(attemptId)}`);
  if (a.kioskId !== kioskId) throw new Conflict(`attempt ${attemptId} was started at kiosk ${a.kioskId}, not here`);
  return a;
}

export function photoOf(st: IdentityState, kioskId: string, attemptId: string): { bytes: Buffer; type: string } {
  const a = openAttempt(st, kioskId, attemptId);
  if (a.decidedAt && st.clock.now() - a.decidedAt > PHOTO_GRACE_MS)
    throw new Conflict(`attempt ${attemptId} was decided more than ${PHOTO_GRACE_MS / 60_000} minutes ago; its photo is no longer shown`);
  if (!a.rosterPhoto) throw new NotFound(`the candidate of attempt ${attemptId} has no roster photo`);
  const file = join(st.paths.captures, a.rosterPhoto);
  if (!existsSync(file)) throw new NotFound(`roster photo ${a.rosterPhoto} is missing from the captures folder`);
  const bytes = st.vault.readFile(file);
  return { bytes, type: imageKind(bytes) === 'png' ? 'image/png' : 'image/jpeg' };
}

/** Stores the row that names a just-written card photo; if that fails, the photo goes too (nothing names it). */
function insertOrForget<T>(captures: string, photo: string | null, insert: () => T): T {
  try {
    return insert();
  } catch (err) {
    if (photo) removeQuietly(join(captures, photo));
    throw err;
  }
}
