// The serial line to the reader: open the port at its baud rate (115200 8N1 by default), send one
// command frame, wait for one reply frame. A port that vanishes (USB unplugged) ends the link with
// ReaderGone; the bridge then tries to open it again. Linux and Windows (COM ports) only.
import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';
import { promisify } from 'node:util';
import { FrameAssembler, FrameError, hex } from './frame.ts';

const run = promisify(execFile);

/** The port is gone or cannot be opened (unplugged, wrong name, in use): say which and why. */
export class ReaderGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReaderGone';
  }
}

/** The module did not answer in time: nothing or only part of a frame arrived. */
export class NoAnswer extends Error {
  constructor(
    message: string,
    readonly bytes: Buffer,
  ) {
    super(message);
    this.name = 'NoAnswer';
  }
}

export interface Link {
  /** Sends one command frame and resolves with the next whole reply frame. */
  transact(command: Buffer, timeoutMs: number): Promise<Buffer>;
  close(): void;
  readonly closed: boolean;
}

/** Sets line speed and raw mode the way the operating system wants it (stty on Linux, mode on Windows). */
async function configurePort(path: string, baud: number): Promise<void> {
  if (process.platform === 'win32') {
    const com = path.replace(/^\\\\\.\\/, '');
    // mode.com: CreateProcess adds only .exe to a bare name.
    await run('mode.com', [com, `BAUD=${baud}`, 'PARITY=n', 'DATA=8', 'STOP=1', 'to=off', 'xon=off', 'odsr=off', 'octs=off', 'dtr=on', 'rts=on']);
  } else {
    await run('stty', ['-F', path, String(baud), 'raw', '-echo', '-echoe', '-echok', 'cs8', '-cstopb', '-parenb', '-ixon', '-ixoff', '-crtscts', 'clocal']);
  }
}

export async function openSerial(path: string, baud: number, onFrameError: (e: FrameError) => void): Promise<Link> {
  const device = process.platform === 'win32' && /^COM\d+$/i.test(path) ? `\\\\.\\${path}` : path;
  try {
    await configurePort(device, baud);
  } catch (err) {
    throw new ReaderGone(`cannot set up serial port ${path} (${(err as Error).message.split('\n')[0]}); is the reader plugged in and is this its port?`);
  }
  let fd: number;
  try {
    fd = openSync(device, 'r+');
  } catch (err) {
    throw new ReaderGone(`cannot open serial port ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // A tty is read through libuv's tty handle (non-blocking, no thread held); a Windows COM port through
  // a file stream.
  const input = isatty(fd) ? new ReadStream(fd) : createReadStream('', { fd, autoClose: false });
  if (input instanceof ReadStream) input.setRawMode(true);
  const frames = new FrameAssembler();
  let closed = false;
  let waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  const fail = (err: Error) => {
    if (!closed) link.close();
    waiter?.reject(err);
    waiter = null;
  };
  input.on('data', (chunk: Buffer) => {
    for (const r of frames.push(chunk)) {
      if ('error' in r) onFrameError(r.error);
      else if (waiter) {
        const w = waiter;
        waiter = null;
        w.resolve(r.frame);
      } else onFrameError(new FrameError('junk', 'a frame arrived that no command asked for', r.frame));
    }
  });
  input.on('error', (err: NodeJS.ErrnoException) => fail(new ReaderGone(`serial port ${path} failed: ${err.code ?? err.message} (unplugged?)`)));
  input.on('end', () => fail(new ReaderGone(`serial port ${path} closed (unplugged?)`)));
  input.on('close', () => fail(new ReaderGone(`serial port ${path} closed (unplugged?)`)));

  const link: Link = {
    get closed() {
      return closed;
    },
    transact(command, timeoutMs) {
      if (closed) return Promise.reject(new ReaderGone(`serial port ${path} is closed`));
      if (waiter) return Promise.reject(new Error('one command at a time'));
      frames.clear();
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          const got = Buffer.from(frames.pending());
          frames.clear();
          reject(
            new NoAnswer(
              got.length
                ? `the reader sent part of a frame and stopped (${got.length} bytes: ${hex(got)})`
                : `the reader did not answer within ${timeoutMs} ms`,
              got,
            ),
          );
        }, timeoutMs);
        waiter = {
          resolve: (b) => {
            clearTimeout(timer);
            resolve(b);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        try {
          writeSync(fd, command);
        } catch (err) {
          fail(new ReaderGone(`cannot write to serial port ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (unplugged?)`));
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      input.removeAllListeners('data');
      input.on('error', () => {});
      input.destroy();
      // A tty handle closes its fd itself; a file stream was opened with autoClose off.
      if (!(input instanceof ReadStream)) {
        try {
          closeSync(fd);
        } catch {
          // already gone with the device
        }
      }
    },
  };
  return link;
}
