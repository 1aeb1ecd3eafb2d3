// Question images (题目图片): the picture files questions show, kept in the database and named by
// their content (`<sha256 hex>.<ext>`), so a question's id — which hashes its image ids — changes
// whenever its picture does, and a terminal can cache an image for ever. Only raster formats a
// browser shows safely are taken, checked by their bytes, never by their name alone: an SVG can carry
// scripts, and a file that is not what its name says is refused rather than stored.
import { createHash } from 'node:crypto';
import { ValidationError, type Clock, type Problem } from '../../core/index.ts';
import type { AuditLog, Db } from '../../storage/index.ts';

/** One picture is a few KiB to a few hundred; 2 MiB leaves room for a photo and keeps the database lean. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** The audit action of an upload that changed something. */
export const IMAGE_UPLOADED = 'exam.bank.image.upload';

/**
 * What an image name in a question file may be: a relative path inside the images folder (no
 * leading `/`, no `..` step, none of the characters Windows refuses in file names) ending in one of
 * the accepted extensions. The import's 图片 column and the upload use this one rule.
 */
export const IMAGE_NAME = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\:*?"<>|\0]+\.(?:png|jpe?g|gif|webp|bmp)$/iu;

/** An image id: the content's SHA-256 and the extension its content has. */
export const IMAGE_ID = /^[0-9a-f]{64}\.(?:png|jpg|gif|webp|bmp)$/u;

export const isImageId = (s: string): boolean => IMAGE_ID.test(s);

/** Where a terminal fetches an image: the URL a delivered question carries. */
export const imageUrl = (id: string): string => `/api/bank/images/${id}`;

const SVG_REFUSED = 'SVG is not accepted: it can carry scripts; export it as PNG';

/** Why a name cannot name an image, or null when it can. */
export function imageNameProblem(name: string): string | null {
  if (/\.svgz?$/iu.test(name.trim())) return SVG_REFUSED;
  if (!IMAGE_NAME.test(name)) return 'an image is a relative file name ending .png, .jpg, .jpeg, .gif, .webp or .bmp';
  return null;
}

type Ext = 'png' | 'jpg' | 'gif' | 'webp' | 'bmp';

interface Format {
  ext: Ext;
  mime: string;
  label: string;
}

const FORMATS: Record<Ext, Format> = {
  png: { ext: 'png', mime: 'image/png', label: 'PNG' },
  jpg: { ext: 'jpg', mime: 'image/jpeg', label: 'JPEG' },
  gif: { ext: 'gif', mime: 'image/gif', label: 'GIF' },
  webp: { ext: 'webp', mime: 'image/webp', label: 'WebP' },
  bmp: { ext: 'bmp', mime: 'image/bmp', label: 'BMP' },
};

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const startsWith = (b: Uint8Array, magic: number[]) => b.length >= magic.length && magic.every((x, i) => b[i] === x);

/** What the bytes are, by their magic numbers (the signatures of each format's specification). */
function sniff(b: Uint8Array): Format | 'svg' | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return FORMATS.png;
  if (startsWith(b, [0xff, 0xd8, 0xff])) return FORMATS.jpg;
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return FORMATS.gif;
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return FORMATS.webp;
  // "BM" alone is two letters any text may start with; a real BMP has its 14-byte file header and
  // at least a 12-byte info header after it.
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return FORMATS.bmp;
  // SVG is XML text: look for the root element near the start, past a BOM, an XML declaration, comments.
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(b.subarray(0, 4096))
    .replace(/^\ufeff/u, '')
    .trimStart();
  if (head.startsWith('<') && /<svg[\s>]/iu.test(head)) return 'svg';
  return null;
}

const extOfName = (name: string): Ext | null => {
  const m = /\.([a-z]+)$/iu.exec(name);
  const ext = m?.[1]!.toLowerCase();
  return ext === 'jpeg' ? 'jpg' : ext && ext in FORMATS ? (ext as Ext) : null;
};

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const hexHead = (b: Uint8Array) => [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ');

/** An image that passed every check, ready to store. */
export interface CheckedImage {
  id: string;
  name: string;
  mime: string;
  bytes: number;
  data: Buffer;
}

/**
 * Checks a name and the bytes offered under it; throws a ValidationError listing every problem.
 * Content problems are at `image NAME`, name problems at `name`.
 */
export function checkImage(rawName: string, bytes: Uint8Array): CheckedImage {
  const name = rawName.trim();
  const problems: Problem[] = [];
  const at = `image ${name}`;
  const nameProblem = imageNameProblem(name);
  if (nameProblem && nameProblem !== SVG_REFUSED) problems.push({ path: 'name', problem: nameProblem, got: rawName });
  let format: Format | null = null;
  if (bytes.length === 0) problems.push({ path: at, problem: 'the file is empty' });
  else if (bytes.length > MAX_IMAGE_BYTES)
    problems.push({
      path: at,
      problem: `the file is ${mib(bytes.length)}; an image may be at most ${mib(MAX_IMAGE_BYTES)} (scale it down, or save a photo as JPEG)`,
    });
  else {
    const kind = sniff(bytes);
    if (kind === 'svg' || nameProblem === SVG_REFUSED) problems.push({ path: at, problem: SVG_REFUSED });
    else if (!kind) problems.push({ path: at, problem: `not a PNG, JPEG, GIF, WebP or BMP image (it starts with the bytes ${hexHead(bytes)})` });
    else {
      format = kind;
      const ext = extOfName(name);
      if (!nameProblem && ext !== kind.ext) {
        const said = /\.([^.]+)$/u.exec(name)![1]!;
        problems.push({
          path: at,
          problem: `the file is a ${kind.label} image, but its name ends .${said}; rename it .${kind.ext} (or save it as ${FORMATS[ext!].label})`,
        });
      }
    }
  }
  if (nameProblem === SVG_REFUSED && !problems.some((p) => p.problem === SVG_REFUSED)) problems.push({ path: at, problem: SVG_REFUSED });
  if (problems.length || !format) throw new ValidationError(problems);
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = `${createHash('sha256').update(data).digest('hex')}.${format.ext}`;
  return { id, name, mime: format.mime, bytes: data.length, data };
}

/** A stored image as listed (without its bytes). */
export interface StoredImage {
  id: string;
  name: string;
  mime: string;
  bytes: number;
  uploadedAt: number;
  uploadedBy: string;
}

export interface PutResult {
  id: string;
  name: string;
  mime: string;
  bytes: number;
  /** False when the name already held these bytes (or they came back under it): nothing new was stored. */
  created: boolean;
}

export interface BankImagesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

/** Sessions whose terminals show papers: a terminal may fetch an image only while one is open in its room. */
const OPEN_STATUSES = ['checkin', 'in_progress'] as const;

const metaCols = 'id, name, mime, bytes, uploaded_at AS uploadedAt, uploaded_by AS uploadedBy';

export function createBankImages(deps: BankImagesDeps) {
  const { db, clock, audit } = deps;
  const latestByName = db.prepare<[string], StoredImage>(`SELECT ${metaCols} FROM bank_images WHERE name = ? ORDER BY uploaded_at DESC, rowid DESC LIMIT 1`);
  const pairExists = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM bank_images WHERE id = ? AND name = ?');
  // OR REPLACE: bytes that come back under a name they had before become its latest upload again (a new rowid).
  const insert = db.prepare('INSERT OR REPLACE INTO bank_images (id, name, mime, bytes, data, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const byId = db.prepare<[string], StoredImage & { data: Buffer }>(`SELECT ${metaCols}, data FROM bank_images WHERE id = ? LIMIT 1`);
  const idExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM bank_images WHERE id = ? LIMIT 1');
  const openSessions = db.prepare<[string], { id: string }>(
    `SELECT id FROM exam_sessions WHERE room_id = ? AND status IN (${OPEN_STATUSES.map((x) => `'${x}'`).join(', ')})`,
  );
  const roomSessions = db.prepare<[string], { id: string }>('SELECT id FROM exam_sessions WHERE room_id = ?');
  const paperCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM papers WHERE session_id = ?');
  const sessionImages = db.prepare<[string], { id: string }>(
    `SELECT DISTINCT im.value AS id
       FROM papers p, json_each(p.items) it
       JOIN questions q ON q.id = json_extract(it.value, '$.questionId'), json_each(q.images) im
      WHERE p.session_id = ? AND q.images <> '[]'`,
  );
  // A session's papers never change once stored, only more may be added: the set is kept while the count holds.
  const shownCache = new Map<string, { papers: number; ids: Set<string> }>();

  function onPapersOf(sessionId: string, id: string): boolean {
    const papers = paperCount.get(sessionId)!.n;
    let entry = shownCache.get(sessionId);
    if (!entry || entry.papers !== papers) {
      entry = { papers, ids: new Set(sessionImages.all(sessionId).map((r) => r.id)) };
      shownCache.set(sessionId, entry);
    }
    return entry.ids.has(id);
  }

  const service = {
    check: checkImage,

    /**
     * Stores checked bytes under their name inside the caller's transaction, audited when anything
     * changed. The import calls this in the transaction that makes its bank version.
     */
    store(c: CheckedImage, actor: string, ip: string | null = null): PutResult {
      const result = { id: c.id, name: c.name, mime: c.mime, bytes: c.bytes };
      if (latestByName.get(c.name)?.id === c.id) return { ...result, created: false };
      const before = Boolean(pairExists.get(c.id, c.name));
      insert.run(c.id, c.name, c.mime, c.bytes, c.data, clock.now(), actor);
      audit.append({ actor, action: IMAGE_UPLOADED, target: c.id, detail: { name: c.name, id: c.id, bytes: c.bytes, ...(before ? { again: true } : {}) }, ip });
      return { ...result, created: !before };
    },

    /** Checks and stores one image; bad input throws a ValidationError and stores nothing. */
    put(name: string, bytes: Uint8Array, actor: string, ip: string | null = null): PutResult {
      const c = checkImage(name, bytes);
      return db.transaction(() => service.store(c, actor, ip)).immediate();
    },

    get(id: string): (StoredImage & { data: Buffer }) | null {
      return byId.get(id) ?? null;
    },

    has(id: string): boolean {
      return Boolean(idExists.get(id));
    },

    /** The latest upload under this name, or null. */
    resolve(name: string): StoredImage | null {
      return latestByName.get(name.trim()) ?? null;
    },

    /** Whether the image is on a paper of a session open (check-in or in progress) in the room. */
    shownInRoom(roomId: string, id: string): boolean {
      return openSessions.all(roomId).some((s) => onPapersOf(s.id, id));
    },

    /** Whether the image is on a paper of any session, past or present, in one of the rooms. */
    usedInRooms(roomIds: readonly string[], id: string): boolean {
      return roomIds.some((room) => roomSessions.all(room).some((s) => onPapersOf(s.id, id)));
    },
  };
  return service;
}

export type BankImages = ReturnType<typeof createBankImages>;
