// The frame codec of the ID-card security module (SAM) protocol that 二代证 readers speak over UART
// (docs/kiosk-api.md "Card reader"): preamble AA AA AA 96 69, a two-byte length (high byte first)
// counting what follows, then the command and parameter (or, in replies, SW1 SW2 SW3), data, and a
// checksum that is the XOR of every byte after the preamble. Pure: bytes in, frames or errors out.

export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);
/** The longest reply a module sends: base information with fingerprints (2 × 1024 + text + photo). */
export const MAX_FRAME_LENGTH = 0x0a00;

/** Commands (CMD, Para) of the public protocol. */
export const COMMANDS = {
  reset: [0x10, 0xff],
  status: [0x11, 0xff],
  samId: [0x12, 0xff],
  findCard: [0x20, 0x01],
  selectCard: [0x20, 0x02],
  readBase: [0x30, 0x01],
  readBaseWithFingerprints: [0x30, 0x10],
  readAppendedAddress: [0x30, 0x03],
} as const;
export type Command = keyof typeof COMMANDS;

/** SW3 of a reply: what the module says happened. */
export const STATUS = {
  144: 'success',
  159: 'card_found',
  128: 'no_card',
  129: 'select_failed',
  65: 'read_failed',
  49: 'card_auth_failed',
  50: 'sam_auth_failed',
  51: 'verify_failed',
  16: 'checksum_error',
  17: 'length_error',
  33: 'command_error',
  96: 'self_test_failed',
  102: 'not_authorised',
} as const satisfies Record<number, string>;
export type Status = (typeof STATUS)[keyof typeof STATUS] | 'unknown';

export function statusOf(sw3: number): Status {
  return (STATUS as Record<number, Status>)[sw3] ?? 'unknown';
}

const xor = (bytes: Uint8Array, from: number, to: number): number => {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i]!;
  return x;
};

function frame(head: number[], data: Uint8Array): Buffer {
  const len = head.length + data.length + 1;
  const out = Buffer.alloc(PREAMBLE.length + 2 + len);
  PREAMBLE.copy(out, 0);
  out.writeUInt16BE(len, 5);
  Buffer.from(head).copy(out, 7);
  Buffer.from(data).copy(out, 7 + head.length);
  out[out.length - 1] = xor(out, 5, out.length - 1);
  return out;
}

/** A command frame as the host sends it. */
export function encodeCommand(command: Command | readonly [number, number], data: Uint8Array = Buffer.alloc(0)): Buffer {
  const [cmd, para] = typeof command === 'string' ? COMMANDS[command] : command;
  return frame([cmd, para], data);
}

/** A reply frame as the module sends it (the simulated reader and the tests build replies with it). */
export function encodeReply(sw3: number, data: Uint8Array = Buffer.alloc(0), sw1 = 0, sw2 = 0): Buffer {
  return frame([sw1, sw2, sw3], data);
}

export interface Reply {
  sw1: number;
  sw2: number;
  sw3: number;
  status: Status;
  data: Buffer;
  /** The whole frame as received, for the log. */
  raw: Buffer;
}

export interface CommandFrame {
  cmd: number;
  para: number;
  data: Buffer;
  raw: Buffer;
}

/** A frame that could not be read; `bytes` are what arrived, for the log (they carry no personal data until a read). */
export class FrameError extends Error {
  constructor(
    readonly kind: 'checksum' | 'length' | 'short' | 'junk',
    message: string,
    readonly bytes: Buffer,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export const hex = (b: Uint8Array, max = 64): string =>
  Buffer.from(b.subarray(0, max))
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ')
    .toUpperCase() + (b.length > max ? ` … (${b.length} bytes)` : '');

function checked(raw: Buffer): Buffer {
  const len = raw.readUInt16BE(5);
  const want = xor(raw, 5, 7 + len - 1);
  const got = raw[7 + len - 1]!;
  if (want !== got)
    throw new FrameError('checksum', `checksum is ${got.toString(16).padStart(2, '0')}, the bytes add up to ${want.toString(16).padStart(2, '0')}`, raw);
  return raw.subarray(7, 7 + len - 1);
}

/** One complete reply frame (preamble to checksum) → its parts; a broken one throws FrameError. */
export function parseReply(raw: Buffer): Reply {
  const body = parseWhole(raw);
  if (body.length < 3) throw new FrameError('length', `a reply needs SW1 SW2 SW3; this one carries ${body.length} byte(s)`, raw);
  return { sw1: body[0]!, sw2: body[1]!, sw3: body[2]!, status: statusOf(body[2]!), data: Buffer.from(body.subarray(3)), raw };
}

/** One complete command frame → its parts (the simulated reader reads the host's commands with it). */
export function parseCommand(raw: Buffer): CommandFrame {
  const body = parseWhole(raw);
  if (body.length < 2) throw new FrameError('length', `a command needs CMD and Para; this one carries ${body.length} byte(s)`, raw);
  return { cmd: body[0]!, para: body[1]!, data: Buffer.from(body.subarray(2)), raw };
}

function parseWhole(raw: Buffer): Buffer {
  if (raw.length < 8 || !raw.subarray(0, 5).equals(PREAMBLE))
    throw new FrameError('short', 'not a frame: it does not start with AA AA AA 96 69 and a length', raw);
  const len = raw.readUInt16BE(5);
  if (len < 1 || len > MAX_FRAME_LENGTH) throw new FrameError('length', `length field ${len} is outside 1–${MAX_FRAME_LENGTH}`, raw);
  if (raw.length < 7 + len) throw new FrameError('short', `the length field says ${len} bytes follow, ${raw.length - 7} arrived`, raw);
  if (raw.length > 7 + len) throw new FrameError('length', `the length field says ${len} bytes follow, ${raw.length - 7} arrived`, raw);
  return checked(raw);
}

/**
 * Cuts a byte stream into frames. Bytes before a preamble are junk (line noise, a module talking while
 * the port opened) and are reported, never thrown; a frame whose checksum fails is reported and
 * skipped, so one bad frame costs one read, not the bridge.
 */
export class FrameAssembler {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Array<{ frame: Buffer } | { error: FrameError }> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Array<{ frame: Buffer } | { error: FrameError }> = [];
    for (;;) {
      const at = this.buf.indexOf(PREAMBLE);
      if (at < 0) {
        // Keep what came (it may end in a preamble cut by the chunking, and stray bytes are reported
        // once, when the next frame starts), unless it grows past any frame's size.
        if (this.buf.length > MAX_FRAME_LENGTH + 7) {
          const keep = PREAMBLE.length - 1;
          out.push({
            error: new FrameError('junk', `${this.buf.length - keep} byte(s) outside any frame`, Buffer.from(this.buf.subarray(0, this.buf.length - keep))),
          });
          this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
        }
        return out;
      }
      if (at > 0) {
        out.push({ error: new FrameError('junk', `${at} byte(s) before a frame`, Buffer.from(this.buf.subarray(0, at))) });
        this.buf = Buffer.from(this.buf.subarray(at));
      }
      if (this.buf.length < 7) return out;
      const len = this.buf.readUInt16BE(5);
      if (len < 1 || len > MAX_FRAME_LENGTH) {
        out.push({ error: new FrameError('length', `length field ${len} is outside 1–${MAX_FRAME_LENGTH}`, Buffer.from(this.buf.subarray(0, 7))) });
        this.buf = Buffer.from(this.buf.subarray(1));
        continue;
      }
      if (this.buf.length < 7 + len) return out;
      const raw = Buffer.from(this.buf.subarray(0, 7 + len));
      this.buf = Buffer.from(this.buf.subarray(7 + len));
      try {
        checked(raw);
        out.push({ frame: raw });
      } catch (err) {
        out.push({ error: err as FrameError });
      }
    }
  }

  /** What is buffered of an unfinished frame (a read that timed out reports these as a short frame). */
  pending(): Buffer {
    return this.buf;
  }

  clear(): void {
    this.buf = Buffer.alloc(0);
  }
}
