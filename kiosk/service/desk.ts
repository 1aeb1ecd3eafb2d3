// The kiosk's idle screen (today's open sessions it serves) and its card reader: a card is held in
// memory for ten minutes as a prompt to look up, never stored.
import { ValidationError, newId } from '../../core/index.ts';
import { isDate, maskIdNumber, normaliseIdNumber } from '../../core/index.ts';
import { FRAMES, CARD_TTL_MS, OPEN, ENTERED, type CardInput, type HeldCard } from './types.ts';
import { decodeBase64Image } from './images.ts';
import { cardPhotoImage } from './card-photo.ts';
import { broadcast, kiosk, serves, sessionView, type IdentityState } from './state.ts';
import { idleNotice } from './notice.ts';

export function kioskState(st: IdentityState, kioskId: string) {
  const k = kiosk(st, kioskId);
  const sessions = st.plans
    .listSessions({})
    // An open session is today's by being open, even when it starts after midnight and check-in opened before.
    .filter((s) => OPEN.includes(s.status) && serves(st, k, s.roomId))
    .sort((a, b) => a.startsAt - b.startsAt)
    .map((s) => {
      const roster = st.plans.roster(s.id);
      return { ...sessionView(st, s), admitted: roster.filter((e) => ENTERED.includes(e.status)).length, total: roster.length };
    });
  return {
    kiosk: { id: k.id, name: k.name },
    site: { id: st.config.site.id, name: st.config.site.name },
    serverTime: new Date(st.clock.now()).toISOString(),
    sessions,
    challenges: st.config.identity.livenessChallenges,
    frames: { min: FRAMES.min, max: FRAMES.max, recommended: FRAMES.recommended, seconds: FRAMES.seconds },
    limits: { faceSeconds: st.config.identity.kioskFaceSeconds },
    privacy: { idle: idleNotice(st.config) },
  };
}

export function sweepCards(st: IdentityState): void {
  const now = st.clock.now();
  for (const [id, c] of st.cards) if (now - c.at > CARD_TTL_MS) st.cards.delete(id);
}

export async function postCard(st: IdentityState, kioskId: string, input: CardInput): Promise<{ cardId: string }> {
  kiosk(st, kioskId);
  const problems: { path: string; problem: string; got?: unknown }[] = [];
  const idNumber = normaliseIdNumber(input.idNumber);
  if (input.validUntil !== undefined && input.validUntil !== '长期' && !isDate(input.validUntil)) {
    problems.push({ path: 'body.validUntil', problem: 'must be a date YYYY-MM-DD (or 长期 for a card without end date)', got: input.validUntil });
  }
  for (const k of ['validFrom', 'birthDate'] as const) {
    const v = input[k];
    if (v !== undefined && !isDate(v)) problems.push({ path: `body.${k}`, problem: 'must be a real date YYYY-MM-DD', got: v });
  }
  if (input.photoBase64 !== undefined && input.photoMissing !== undefined)
    problems.push({ path: 'body.photoMissing', problem: 'says the photo is missing, but photoBase64 carries one' });
  if (problems.length) throw new ValidationError(problems);
  // A photo is read (and a BMP converted) only once the rest is known good: a refusal changes nothing.
  const photo = input.photoBase64 !== undefined ? await cardPhotoImage(decodeBase64Image(input.photoBase64, 'body.photoBase64', 2 * 1024 * 1024)) : null;
  sweepCards(st);
  const cardId = `c_${newId(st.clock.now())}`;
  const validUntil = input.validUntil && input.validUntil !== '长期' ? input.validUntil : null;
  // Only what the check needs is held (and stored with the attempt); sex, nation, birth date and address
  // are checked above and dropped: the roster already has what the exam needs of the person.
  const card: HeldCard = {
    cardId,
    kioskId,
    idNumber,
    name: input.name,
    issuer: input.issuer ?? null,
    validUntil,
    photo,
    at: st.clock.now(),
    ...(input.cardType ? { cardType: input.cardType } : {}),
    ...(input.photoMissing ? { photoMissing: input.photoMissing } : {}),
  };
  st.cards.set(cardId, card);
  broadcast(st, kioskId, 'card', {
    cardId,
    name: card.name,
    idNumberMasked: maskIdNumber(idNumber),
    hasPhoto: Boolean(photo),
    validUntil,
    photoMissing: input.photoMissing ?? null,
  });
  return { cardId };
}

export function auditSimulatedCard(st: IdentityState, kioskId: string, idNumber: string, actor: string, ip: string | null): void {
  st.audit.append({ actor, action: 'kiosk.card.simulated', target: kioskId, detail: { idNumber: maskIdNumber(normaliseIdNumber(idNumber)) }, ip });
}

export function takeCard(st: IdentityState, kioskId: string, cardId: string): HeldCard | null {
  sweepCards(st);
  const c = st.cards.get(cardId);
  return c && c.kioskId === kioskId ? c : null;
}
