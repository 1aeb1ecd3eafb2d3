// The reader's operations over a serial link: SAM id and status, find → select → read, each answered
// by the module's status byte. Turns status bytes into outcomes the bridge acts on.
import { CardProblem, decodeBaseInfo, type DecodedCard } from './card.ts';
import { encodeCommand, parseReply, statusOf, type Command, type Reply } from './frame.ts';
import type { Link } from './serial.ts';

/** Reply timeouts: a base read carries 1295 bytes (~0.12 s at 115200) plus the module's work with the card. */
const TIMEOUT_MS: Record<Command, number> = {
  reset: 1000,
  status: 1000,
  samId: 1000,
  findCard: 1000,
  selectCard: 1000,
  readBase: 3000,
  readBaseWithFingerprints: 3000,
  readAppendedAddress: 2000,
};

/** The module refused in a way a person has to fix (authorisation, self-test): not a card problem. */
export class ReaderFault extends Error {
  constructor(
    readonly state: 'not_authorised' | 'reader_fault',
    message: string,
  ) {
    super(message);
    this.name = 'ReaderFault';
  }
}

export type ReadOutcome = { kind: 'no_card' } | { kind: 'card'; card: DecodedCard } | { kind: 'problem'; problem: CardProblem };

export function createSamReader(link: Link) {
  async function ask(command: Command): Promise<Reply> {
    const reply = parseReply(await link.transact(encodeCommand(command), TIMEOUT_MS[command]));
    if (reply.sw3 === 0x66)
      throw new ReaderFault('not_authorised', 'the reader says it is not authorised (status 66): its security module needs the vendor to authorise it');
    if (reply.sw3 === 0x60) throw new ReaderFault('reader_fault', 'the reader failed its self-test (status 60): restart it or call its vendor');
    return reply;
  }

  return {
    /**
     * The security module's id in the form readers' tools print it (two 16-bit and three 32-bit
     * little-endian numbers: "05.01-20261206-0000000042-1234567890"). Shown in the console so staff can
     * tell readers apart and quote it to the vendor.
     */
    async samId(): Promise<string> {
      const r = await ask('samId');
      if (r.sw3 !== 0x90 || r.data.length < 16)
        throw new ReaderFault('reader_fault', `the reader did not give its SAM id (status ${r.sw3.toString(16)}: ${statusOf(r.sw3)})`);
      const d = r.data;
      const part = (n: number) => String(n);
      return [
        `${part(d.readUInt16LE(0)).padStart(2, '0')}.${part(d.readUInt16LE(2)).padStart(2, '0')}`,
        part(d.readUInt32LE(4)).padStart(8, '0'),
        part(d.readUInt32LE(8)).padStart(10, '0'),
        part(d.readUInt32LE(12)).padStart(10, '0'),
      ].join('-');
    },

    /** One find → select → read. A card that is there but cannot be read is a problem, never a throw. */
    async readCard(): Promise<ReadOutcome> {
      const found = await ask('findCard');
      if (found.sw3 === 0x80) return { kind: 'no_card' };
      if (found.sw3 !== 0x9f)
        return { kind: 'problem', problem: new CardProblem('unreadable_card', `finding the card failed (status ${hex2(found.sw3)}: ${found.status})`) };
      const selected = await ask('selectCard');
      if (selected.sw3 !== 0x90)
        return {
          kind: 'problem',
          problem: new CardProblem(
            'unreadable_card',
            `selecting the card failed (status ${hex2(selected.sw3)}: ${selected.status}); hold it still on the reader`,
          ),
        };
      const read = await ask('readBase');
      if (read.sw3 !== 0x90)
        return {
          kind: 'problem',
          problem: new CardProblem('unreadable_card', `reading the card failed (status ${hex2(read.sw3)}: ${read.status}); hold it still on the reader`),
        };
      try {
        return { kind: 'card', card: decodeBaseInfo(read.data) };
      } catch (err) {
        if (err instanceof CardProblem) return { kind: 'problem', problem: err };
        throw err;
      }
    },
  };
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
