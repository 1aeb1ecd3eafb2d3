// The reader loop: open the port, ask the module who it is, then find → select → read at a steady
// rate; one card one post (a card left on the reader is not posted again until it was taken away);
// a port that vanishes is reopened until it is back. Every state change and every card problem is
// reported to the appliance, which tells the kiosk screen and the console. A broken frame is logged
// with its bytes and costs one poll, never the bridge.
import type { CardPost, ReaderReport, ReaderState } from '../protocol.ts';
import { CARD_TYPE_WORDS, CardProblem, type DecodedCard } from './card.ts';
import { FrameError, hex } from './frame.ts';
import type { WltDecoder } from './photo-decoder.ts';
import { createSamReader, ReaderFault } from './reader.ts';
import { NoAnswer, ReaderGone, type Link } from './serial.ts';

export const BRIDGE_VERSION = '1.0.0';

export interface BridgeOptions {
  port: string;
  open: (onFrameError: (e: FrameError) => void) => Promise<Link>;
  /** Pause between polls (a find costs ~2 ms of line time; 300 ms feels instant at the desk). */
  pollMs?: number;
  /** Pause before opening a missing port again. */
  reopenMs?: number;
  /** A card counts as taken away after this many polls in a row found none. */
  goneAfterPolls?: number;
  decoder?: WltDecoder | null;
  post: (card: CardPost) => Promise<unknown>;
  report: (r: ReaderReport) => Promise<unknown>;
  log: (line: string) => void;
}

export function cardPost(card: DecodedCard, photo: Buffer | null, photoMissing: CardPost['photoMissing']): CardPost {
  if (card.cardType === 'foreign_permanent_residence') throw new Error('unreachable: decodeText refuses this card type');
  return {
    idNumber: card.idNumber,
    name: card.name,
    issuer: card.issuer,
    validFrom: card.validFrom,
    validUntil: card.validUntil,
    sex: card.sex,
    ...(card.nation ? { nation: card.nation } : {}),
    birthDate: card.birthDate,
    address: card.address,
    cardType: card.cardType,
    ...(photo ? { photoBase64: photo.toString('base64') } : { photoMissing }),
  };
}

export function createBridge(o: BridgeOptions) {
  const pollMs = o.pollMs ?? 300;
  const reopenMs = o.reopenMs ?? 1000;
  const goneAfter = o.goneAfterPolls ?? 2;
  let stopped = false;
  let link: Link | null = null;
  let wake: (() => void) | null = null;
  const status: ReaderReport = {
    state: 'no_reader',
    detail: `waiting for the reader on ${o.port}`,
    port: o.port,
    samId: null,
    lastCardAt: null,
    photoDecoder: Boolean(o.decoder),
    bridgeVersion: BRIDGE_VERSION,
    problem: null,
  };
  let sent = '';
  /** The ID number on the reader that was already posted (or refused), and how many polls found no card since. */
  let held: { key: string; empty: number } | null = null;
  const counts = { posted: 0, frameErrors: 0, problems: 0 };

  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function tell(change: Partial<ReaderReport>): Promise<void> {
    Object.assign(status, change);
    const key = JSON.stringify({ ...status, problem: null, lastCardAt: null }) + JSON.stringify(status.problem);
    if (key === sent && !change.lastCardAt) return;
    sent = key;
    try {
      await o.report({ ...status });
    } catch (err) {
      o.log(`could not tell the appliance the reader's state: ${(err as Error).message}`);
    }
  }

  const frameError = (e: FrameError) => {
    counts.frameErrors++;
    o.log(`broken frame from the reader (${e.kind}: ${e.message}): ${hex(e.bytes)}`);
  };

  async function state(s: ReaderState, detail: string): Promise<void> {
    if (status.state !== s || status.detail !== detail) o.log(`reader ${s}: ${detail}`);
    await tell({ state: s, detail, problem: null });
  }

  async function connect(): Promise<boolean> {
    try {
      link = await o.open(frameError);
      const sam = createSamReader(link);
      const samId = await sam.samId();
      await tell({ samId });
      await state('ready', `reader on ${o.port}, SAM ${samId}`);
      return true;
    } catch (err) {
      link?.close();
      link = null;
      if (err instanceof ReaderFault) await state(err.state, err.message);
      else if (err instanceof ReaderGone) await state('no_reader', err.message);
      else if (err instanceof NoAnswer || err instanceof FrameError)
        await state('no_reader', `something is on ${o.port} but it does not answer as an ID-card reader: ${err.message}`);
      else throw err;
      return false;
    }
  }

  async function handleCard(card: DecodedCard): Promise<void> {
    if (held?.key === card.idNumber) {
      held.empty = 0;
      return;
    }
    let photo: Buffer | null = null;
    let missing: CardPost['photoMissing'] = 'no_decoder';
    if (o.decoder && card.wlt) {
      try {
        photo = await o.decoder(card.wlt);
      } catch (err) {
        missing = 'decoder_failed';
        o.log(`the photo decoder failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    try {
      await o.post(cardPost(card, photo, missing));
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      o.log(`card not posted (${CARD_TYPE_WORDS[card.cardType].en}): ${(err as Error).message}`);
      // The appliance refused this card itself (a field it does not take): posting it again every poll
      // would only repeat that. Held, and said on the kiosk, until the card is taken away.
      if (status === 400) await handleProblem(new CardProblem('unreadable_card', `the appliance refused the card: ${(err as Error).message}`));
      // Otherwise (unreachable, restarting, a token being replaced) not held: the next poll posts it again.
      return;
    }
    held = { key: card.idNumber, empty: 0 };
    counts.posted++;
    o.log(`card posted (${card.idNumber.slice(0, 6)}********${card.idNumber.slice(-4)})`);
    await tell({ lastCardAt: new Date().toISOString(), problem: null });
  }

  async function handleProblem(p: CardProblem): Promise<void> {
    const key = `problem:${p.reason}:${p.message}`;
    if (held?.key === key) {
      held.empty = 0;
      return;
    }
    held = { key, empty: 0 };
    counts.problems++;
    o.log(`card problem: ${p.message}`);
    await tell({ problem: { reason: p.reason, detail: p.message.slice(0, 300) } });
  }

  async function poll(): Promise<void> {
    const sam = createSamReader(link!);
    try {
      const r = await sam.readCard();
      if (r.kind === 'no_card') {
        if (held && ++held.empty >= goneAfter) {
          held = null;
          if (status.problem) await tell({ problem: null });
        }
      } else if (r.kind === 'card') await handleCard(r.card);
      else await handleProblem(r.problem);
      if (status.state !== 'ready') await state('ready', `reader on ${o.port}, SAM ${status.samId}`);
    } catch (err) {
      if (err instanceof FrameError || err instanceof NoAnswer) {
        // One bad frame or a lost answer: logged, the next poll asks again.
        if (err instanceof FrameError) frameError(err);
        else o.log(`no answer from the reader: ${err.message}`);
        return;
      }
      if (err instanceof ReaderFault) {
        await state(err.state, err.message);
        return;
      }
      if (err instanceof ReaderGone) {
        link?.close();
        link = null;
        held = null;
        await state('no_reader', err.message);
        return;
      }
      throw err;
    }
  }

  async function run(): Promise<void> {
    await tell({});
    while (!stopped) {
      if (!link || link.closed) {
        link = null;
        if (!(await connect())) {
          await sleep(reopenMs);
          continue;
        }
      }
      await poll();
      if (!stopped) await sleep(pollMs);
    }
    link?.close();
  }

  return {
    run,
    stop() {
      stopped = true;
      wake?.();
    },
    status: () => ({ ...status }),
    counts: () => ({ ...counts }),
  };
}
