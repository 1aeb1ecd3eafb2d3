// Tiered files as ffmpeg inputs: an HTTP server of its own on 127.0.0.1 (never on the LAN address the
// appliance serves), answering byte ranges, each use under its own unguessable token that ends with the
// use. Why HTTP and not a pipe: the concat demuxer opens each segment by name and seeks inside it (-ss,
// Matroska's cues at the end of the file), and a pipe cannot seek; ffmpeg's http protocol seeks by Range.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { MediaFile } from './reader.ts';

export interface FfmpegInputs {
  /** One input per file, in order: the local path, or a loopback URL for a tiered one. */
  inputs: string[];
  /** Put before `-i` when an input is a URL inside a concat list (ffmpeg allows only files there by default). */
  args: string[];
  /** The store's refusal met while ffmpeg read (null: none): say it rather than ffmpeg's "5XX". */
  error(): Error | null;
  /** Ends the token: its URLs answer 404 from now on. */
  release(): void;
}

interface Lease {
  files: MediaFile[];
  error: Error | null;
}

export interface Loopback {
  lease(files: MediaFile[]): Promise<FfmpegInputs>;
  /** Tokens alive now (tests: a finished use leaves none). */
  leases(): number;
  close(): Promise<void>;
}

export function createLoopback(): Loopback {
  const leases = new Map<string, Lease>();
  let server: Promise<{ server: Server; port: number }> | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/([A-Za-z0-9_-]{32})\/(\d{1,6})\//.exec(req.url ?? '');
    const lease = m ? leases.get(m[1]!) : undefined;
    const file = lease?.files[Number(m![2])];
    if (!lease || !file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const size = file.bytes;
    const range = byteRange(req.headers.range, size);
    if (range === 'invalid') {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    const head = {
      'accept-ranges': 'bytes',
      'content-length': String(Math.max(0, end - start + 1)),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    };
    if (req.method === 'HEAD' || size === 0) {
      res.writeHead(range ? 206 : 200, head).end();
      return;
    }
    const body = file.read(start, end);
    const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    res.on('close', () => body.destroy());
    let first: IteratorResult<Buffer>;
    try {
      first = await it.next();
    } catch (err) {
      // ffmpeg seeking away closes the request: that is no store failure.
      if (res.destroyed) return;
      // Nothing sent yet: a clear status for ffmpeg, the words kept for the caller.
      lease.error = err as Error;
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end(String((err as Error).message));
      return;
    }
    res.writeHead(range ? 206 : 200, head);
    try {
      for (let r = first; !r.done; r = await it.next()) {
        if (res.destroyed) return;
        if (!res.write(r.value)) await drained(res);
      }
      res.end();
    } catch (err) {
      if (res.destroyed) return;
      // Headers are out: cutting the connection short is how ffmpeg learns the bytes stopped.
      lease.error = err as Error;
      res.destroy(err as Error);
    }
  };

  const listen = () =>
    (server ??= new Promise((ok, fail) => {
      const s = createServer((req, res) => void handle(req, res));
      s.on('error', fail);
      s.listen(0, '127.0.0.1', () => ok({ server: s, port: (s.address() as AddressInfo).port }));
    }));

  return {
    async lease(files) {
      const token = randomBytes(24).toString('base64url');
      const l: Lease = { files, error: null };
      const remote = files.some((f) => f.where === 'store');
      const port = remote ? (await listen()).port : 0;
      if (remote) leases.set(token, l);
      return {
        // The file's own name ends the URL: ffmpeg guesses the container from it as it does from a path.
        inputs: files.map((f, i) => (f.where === 'local' ? f.localFile! : `http://127.0.0.1:${port}/${token}/${i}/${encodeURIComponent(basename(f.relPath))}`)),
        args: remote ? ['-protocol_whitelist', 'file,http,tcp'] : [],
        error: () => l.error,
        release: () => void leases.delete(token),
      };
    },
    leases: () => leases.size,
    async close() {
      leases.clear();
      const s = await server?.catch(() => null);
      server = null;
      if (s) await new Promise<void>((ok) => s.server.close(() => ok()).closeAllConnections());
    },
  };
}

/** Resolves when the response takes more bytes, or is gone; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      ok();
    };
    res.on('drain', done).on('close', done);
  });
}

/** "bytes=a-b" | "bytes=a-" | "bytes=-n" → [start, end]; null = the whole file. */
function byteRange(h: string | undefined, size: number): [number, number] | null | 'invalid' {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return [start, end];
}
