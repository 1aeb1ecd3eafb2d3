// The face vault: every face image (roster photo, card photo, kiosk capture, seat snapshot), every face
// descriptor and every document holding a face is sealed with AES-256-GCM before it touches the disk
// (人脸识别技术应用安全管理办法: strict protection of face data; ARCHITECTURE "Face data never leaves the
// appliance in plain form"). Each sealed object carries the id of the key that sealed it, so a rotation
// leaves old objects readable under the old key, kept wrapped by the new one until its last object is gone.
//
// A sealed object: "ERFV" | version 1 | key id (8 bytes) | IV (12) | ciphertext | GCM tag (16).
// The first 13 bytes are the GCM additional data: a changed key id or version fails to open.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../core/index.ts';
import type { AuditLog } from './audit.ts';
import type { Db } from './db.ts';
import { PARTIAL_SUFFIX, writeFileDurably } from './durable-file.ts';
import { ensureKeysFolder, readKeyFile, writeKeyFile } from './keys.ts';
import type { DataPaths } from './paths.ts';

export const FACE_KEY_FILE = 'face-data.key';
/** In the data folder: every key id data was ever sealed under, so a missing key is found at start without reading every file. */
export const FACE_VAULT_MARKER = 'face-vault.json';

const MAGIC = Buffer.from('ERFV', 'ascii');
const VERSION = 1;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES;
/** Bytes a sealed object adds to its plain content. */
export const SEAL_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

/** The face key is missing, wrong or damaged, or a sealed object cannot be opened. Names the file and what to do. */
export class FaceKeyError extends DomainError {
  override readonly code = 'face_key';
  constructor(message: string) {
    super(message);
    this.name = 'FaceKeyError';
  }
}

/** True when the bytes are a sealed face object (and never a JPEG, PNG or float array). */
export function isSealed(b: Uint8Array): boolean {
  return b.length >= SEAL_OVERHEAD && b[0] === MAGIC[0] && b[1] === MAGIC[1] && b[2] === MAGIC[2] && b[3] === MAGIC[3] && b[4] === VERSION;
}

/** The id (16 hex) of the key a sealed object was sealed with; null for plain bytes. */
export function sealedKeyId(b: Uint8Array): string | null {
  return isSealed(b) ? Buffer.from(b.buffer, b.byteOffset + MAGIC.length + 1, KEY_ID_BYTES).toString('hex') : null;
}

/** The key id from an object's first bytes (at least the 13-byte header); null when they are not a sealed header. */
function keyIdOfHeader(h: Buffer): string | null {
  if (h.length < HEADER_BYTES || !h.subarray(0, MAGIC.length).equals(MAGIC) || h[MAGIC.length] !== VERSION) return null;
  return h.subarray(MAGIC.length + 1, HEADER_BYTES).toString('hex');
}

/** Names a key without revealing it. */
export function faceKeyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('examroom face key id').digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

function sealWith(key: Buffer, keyId: string, plain: Buffer): Buffer {
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION]), Buffer.from(keyId, 'hex')]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

function openWith(key: Buffer, sealed: Buffer, where: string): Buffer {
  const header = sealed.subarray(0, HEADER_BYTES);
  const iv = sealed.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES + IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new FaceKeyError(`${where}: the sealed face data does not open under key ${sealedKeyId(sealed)}: it was altered or damaged`);
  }
}

// ---- the key ring (face-data.key) ----

interface RingFile {
  format: 'examroom-face-key';
  version: 1;
  /** The key new data is sealed with. */
  current: { id: string; createdAt: number; key: string };
  /** Keys of earlier rotations, each sealed (as above) under the current key: useless without it. */
  retired: { id: string; createdAt: number; retiredAt: number; wrapped: string }[];
}

export interface FaceKeyRing {
  current: { id: string; createdAt: number; key: Buffer };
  retired: { id: string; createdAt: number; retiredAt: number; key: Buffer }[];
}

function newKey(now: number): FaceKeyRing['current'] {
  const key = randomBytes(32);
  return { id: faceKeyIdOf(key), createdAt: now, key };
}

function ringText(ring: FaceKeyRing): string {
  const file: RingFile = {
    format: 'examroom-face-key',
    version: 1,
    current: { id: ring.current.id, createdAt: ring.current.createdAt, key: ring.current.key.toString('hex') },
    retired: ring.retired.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      retiredAt: r.retiredAt,
      wrapped: sealWith(ring.current.key, ring.current.id, r.key).toString('base64'),
    })),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

function parseRing(text: Buffer, where: string): FaceKeyRing {
  const bad = (why: string) => new FaceKeyError(`${where} is not a usable face key (${why}); restore it from the key bundle (examroom keys import)`);
  let f: Partial<RingFile>;
  try {
    f = JSON.parse(text.toString('utf8')) as Partial<RingFile>;
  } catch {
    throw bad('not JSON');
  }
  if (f?.format !== 'examroom-face-key' || f.version !== 1 || !f.current || !Array.isArray(f.retired)) throw bad('format fields missing');
  if (!/^[0-9a-f]{64}$/.test(f.current.key ?? '')) throw bad('the current key is not 64 hex digits');
  const key = Buffer.from(f.current.key, 'hex');
  if (faceKeyIdOf(key) !== f.current.id) throw bad(`the current key does not match its id ${String(f.current.id)}`);
  const current = { id: f.current.id, createdAt: f.current.createdAt, key };
  const retired = f.retired.map((r) => {
    const sealed = Buffer.from(r.wrapped, 'base64');
    if (sealedKeyId(sealed) !== current.id) throw bad(`retired key ${r.id} is not wrapped by the current key`);
    const k = openWith(key, sealed, `${where}, retired key ${r.id}`);
    if (k.length !== 32 || faceKeyIdOf(k) !== r.id) throw bad(`retired key ${r.id} does not match its id`);
    return { id: r.id, createdAt: r.createdAt, retiredAt: r.retiredAt, key: k };
  });
  return { current, retired };
}

/** Reads the key ring; null when the file is absent. */
export function readFaceKeyRing(keysDir: string): FaceKeyRing | null {
  const text = readKeyFile(keysDir, FACE_KEY_FILE);
  return text ? parseRing(text, `${keysDir}/${FACE_KEY_FILE}`) : null;
}

export function writeFaceKeyRing(keysDir: string, ring: FaceKeyRing): void {
  writeKeyFile(ensureKeysFolder(keysDir), FACE_KEY_FILE, ringText(ring));
}

// ---- the vault ----

export interface FaceVault {
  /** The id of the key new objects are sealed with. */
  readonly keyId: string;
  /** Every key id this vault can open. */
  readonly keyIds: readonly string[];
  seal(plain: Buffer): Buffer;
  /**
   * The plain bytes of a sealed object. Plain bytes pass through unchanged: a file written before the
   * vault existed (sealed by the next start's migration) or a restored backup must stay readable.
   */
  open(bytes: Buffer, where: string): Buffer;
  /** Seals and writes a face file durably (temp, fsync, rename): whole and sealed, or absent. */
  writeFile(file: string, plain: Buffer): void;
  /** Reads and opens a face file. */
  readFile(file: string): Buffer;
  sealDescriptor(d: Float32Array): Buffer;
  /** A descriptor blob from the database; plain float blobs of before the vault still read. */
  openDescriptor(b: Buffer, where: string): Float32Array;
}

export function faceVaultOf(ring: FaceKeyRing): FaceVault {
  const keys = new Map<string, Buffer>([[ring.current.id, ring.current.key], ...ring.retired.map((r) => [r.id, r.key] as [string, Buffer])]);
  const vault: FaceVault = {
    keyId: ring.current.id,
    keyIds: [...keys.keys()],
    seal: (plain) => sealWith(ring.current.key, ring.current.id, plain),
    open(bytes, where) {
      const id = sealedKeyId(bytes);
      if (id === null) return bytes;
      const key = keys.get(id);
      if (!key)
        throw new FaceKeyError(
          `${where} is sealed under face key ${id}, which the keys folder does not hold (it holds ${vault.keyIds.join(', ')}); restore the keys folder from the key bundle (examroom keys import)`,
        );
      return openWith(key, bytes, where);
    },
    writeFile: (file, plain) => writeFileDurably(file, vault.seal(plain)),
    readFile: (file) => vault.open(readFileSync(file), file),
    sealDescriptor: (d) => vault.seal(Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
    openDescriptor(b, where) {
      const plain = vault.open(b, where);
      // Copied: a Buffer from SQLite (or the decipher) may sit at an offset that is not 4-byte aligned.
      const copy = new Uint8Array(plain.byteLength);
      copy.set(plain);
      return new Float32Array(copy.buffer);
    },
  };
  return vault;
}

/**
 * The vault from the keys folder; with `create`, a first key is made when there is none. The server
 * does not create blindly: openFaceVaultAtStart first checks that no data is sealed under a key that
 * is gone, because a fresh key then would hide the loss until someone needs a photo.
 */
export function loadFaceVault(keysDir: string, opts: { create: boolean; now?: number }): FaceVault | null {
  let ring = readFaceKeyRing(keysDir);
  if (!ring && opts.create) {
    ring = { current: newKey(opts.now ?? Date.now()), retired: [] };
    writeFaceKeyRing(keysDir, ring);
    // Two processes may have made one each: the one whose rename landed is the key; read it back.
    ring = readFaceKeyRing(keysDir);
  }
  return ring ? faceVaultOf(ring) : null;
}

// ---- the data folder: which keys are in use, the first start's migration ----

interface Marker {
  format: 'examroom-face-vault';
  /** Every key id that ever sealed data here (pruned when a retired key's last object is gone). */
  keyIds: string[];
  /** When the first start sealed the plain files and blobs that were there before the vault. */
  migratedAt: number | null;
}

export function readVaultMarker(paths: DataPaths): Marker | null {
  const file = join(paths.root, FACE_VAULT_MARKER);
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Marker;
    if (m.format === 'examroom-face-vault' && Array.isArray(m.keyIds)) return m;
  } catch {
    // Damaged: treated as absent, so the next start scans everything again (slow, never wrong).
  }
  return null;
}

export function writeVaultMarker(paths: DataPaths, m: Marker): void {
  writeFileDurably(join(paths.root, FACE_VAULT_MARKER), Buffer.from(`${JSON.stringify(m, null, 1)}\n`));
}

/** Database columns that hold face descriptors (table, key column, blob column). */
export const DESCRIPTOR_COLUMNS: readonly { table: string; key: string; column: string }[] = [
  { table: 'face_enrolments', key: 'photo', column: 'descriptor' },
  { table: 'identity_attempts', key: 'id', column: 'probe_descriptor' },
];

function tableExists(db: Db, table: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table));
}

/** Every regular file under the captures folder (relative paths), partial writes left out. */
export function* faceFiles(paths: DataPaths): Generator<string> {
  function* walk(dir: string, rel: string): Generator<string> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) yield* walk(join(dir, e.name), r);
      else if (e.isFile() && !e.name.endsWith(PARTIAL_SUFFIX)) yield r;
    }
  }
  yield* walk(paths.captures, '');
}

function headerOf(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(HEADER_BYTES + IV_BYTES + TAG_BYTES);
    const n = readSync(fd, b, 0, b.length, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** True when the file on disk is a sealed face object (reads its first bytes only). */
export function isSealedFile(file: string): boolean {
  return keyIdOfHeader(headerOf(file)) !== null;
}

export interface FaceDataUsage {
  /** Objects per key id (files and descriptor blobs). */
  byKey: Record<string, number>;
  plainFiles: number;
  plainBlobs: number;
}

/** Counts the sealed objects per key and the plain ones left (reads every face file's first bytes). */
export function faceDataUsage(paths: DataPaths, db: Db): FaceDataUsage {
  const u: FaceDataUsage = { byKey: {}, plainFiles: 0, plainBlobs: 0 };
  for (const rel of faceFiles(paths)) {
    const id = keyIdOfHeader(headerOf(join(paths.captures, rel)));
    if (id) u.byKey[id] = (u.byKey[id] ?? 0) + 1;
    else u.plainFiles++;
  }
  for (const c of DESCRIPTOR_COLUMNS) {
    if (!tableExists(db, c.table)) continue;
    for (const r of db.prepare(`SELECT substr(${c.column}, 1, ${HEADER_BYTES}) AS h FROM ${c.table} WHERE ${c.column} IS NOT NULL`).iterate() as Iterable<{
      h: Buffer;
    }>) {
      const id = keyIdOfHeader(r.h);
      if (id) u.byKey[id] = (u.byKey[id] ?? 0) + 1;
      else u.plainBlobs++;
    }
  }
  return u;
}

/**
 * Seals every plain face file (in place: temp, fsync, rename, so a crash leaves the plain file or the
 * sealed one, never half) and every plain descriptor blob (one transaction). With `reseal`, objects
 * under a retired key are sealed again under the current key too. Returns how many it sealed.
 */
export function sealFaceData(paths: DataPaths, db: Db, vault: FaceVault, opts: { reseal?: boolean } = {}): { files: number; blobs: number } {
  let files = 0;
  let blobs = 0;
  for (const rel of faceFiles(paths)) {
    const file = join(paths.captures, rel);
    const id = keyIdOfHeader(headerOf(file));
    if (id === vault.keyId || (id && !opts.reseal)) continue;
    let plain: Buffer;
    try {
      plain = vault.readFile(file);
    } catch (err) {
      // Deleted meanwhile (retention): nothing to seal.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    writeFileDurably(file, vault.seal(plain));
    files++;
  }
  db.transaction(() => {
    for (const c of DESCRIPTOR_COLUMNS) {
      if (!tableExists(db, c.table)) continue;
      const rows = db.prepare(`SELECT ${c.key} AS k, ${c.column} AS b FROM ${c.table} WHERE ${c.column} IS NOT NULL`).all() as { k: unknown; b: Buffer }[];
      const update = db.prepare(`UPDATE ${c.table} SET ${c.column} = ? WHERE ${c.key} = ?`);
      for (const r of rows) {
        const id = sealedKeyId(r.b);
        if (id === vault.keyId || (id && !opts.reseal)) continue;
        update.run(vault.seal(vault.open(r.b, `${c.table}.${c.column} of ${String(r.k)}`)), r.k);
        blobs++;
      }
    }
  })();
  return { files, blobs };
}

export interface FaceVaultStart {
  vault: FaceVault;
  /** True when this start made the first face key. */
  created: boolean;
  /** What the first start's migration sealed (null when it had run before). */
  migrated: { files: number; blobs: number } | null;
}

/**
 * The server's (and the CLI's) way to the vault. Refuses to start — changing nothing — when face data
 * is sealed under a key the keys folder lacks (a missing face-data.key, or another site's), naming the
 * keys and the remedy. On the first start with the vault, seals the plain files and blobs that are there.
 */
export function openFaceVaultAtStart(o: { keysDir: string; paths: DataPaths; db: Db; now: number; migrate?: boolean }): FaceVaultStart {
  const marker = readVaultMarker(o.paths);
  const inUse = new Set(marker?.keyIds ?? []);
  // The marker may be lost with a restored data folder; the database's blobs say it too, and cheaply.
  for (const c of DESCRIPTOR_COLUMNS) {
    if (!tableExists(o.db, c.table)) continue;
    for (const r of o.db
      .prepare(`SELECT DISTINCT substr(${c.column}, 1, ${HEADER_BYTES}) AS h FROM ${c.table} WHERE ${c.column} IS NOT NULL AND substr(${c.column}, 1, 4) = ?`)
      .all(MAGIC) as { h: Buffer }[]) {
      const id = keyIdOfHeader(r.h);
      if (id) inUse.add(id);
    }
  }
  let ring = readFaceKeyRing(o.keysDir);
  const held = new Set(ring ? [ring.current.id, ...ring.retired.map((r) => r.id)] : []);
  if ([...inUse].some((id) => !held.has(id))) {
    // The marker names keys before their first object; only objects really sealed under a lost key are a
    // loss. This walk runs on this rare path only (a keys folder lost or swapped).
    const usage = faceDataUsage(o.paths, o.db);
    inUse.clear();
    for (const id of Object.keys(usage.byKey)) inUse.add(id);
  }
  const missing = [...inUse].filter((id) => !held.has(id));
  if (!ring && missing.length > 0)
    throw new FaceKeyError(
      `the face key ${o.keysDir}/${FACE_KEY_FILE} is missing, but face data in ${o.paths.root} is sealed under key ${missing.join(', ')}; ` +
        'restore it from the key bundle (examroom keys import) — a new key would leave every photo and descriptor unreadable',
    );
  if (missing.length > 0)
    throw new FaceKeyError(
      `face data in ${o.paths.root} is sealed under key ${missing.join(', ')}, which ${o.keysDir}/${FACE_KEY_FILE} does not hold ` +
        `(it holds ${[...held].join(', ')}); restore the keys folder from this site's key bundle (examroom keys import)`,
    );
  let created = false;
  if (!ring) {
    ring = { current: newKey(o.now), retired: [] };
    writeFaceKeyRing(o.keysDir, ring);
    ring = readFaceKeyRing(o.keysDir)!;
    created = true;
  }
  const vault = faceVaultOf(ring);
  let migrated: FaceVaultStart['migrated'] = null;
  const ids = [...new Set([...inUse, vault.keyId])];
  // The marker names the current key before anything is sealed with it: a crash after the first sealed
  // write must not leave data under a key the next start does not know to ask for.
  if (!marker?.keyIds.includes(vault.keyId) || marker.keyIds.some((id) => !ids.includes(id)))
    writeVaultMarker(o.paths, { format: 'examroom-face-vault', keyIds: ids, migratedAt: marker?.migratedAt ?? null });
  if (o.migrate !== false && !marker?.migratedAt) {
    migrated = sealFaceData(o.paths, o.db, vault);
    writeVaultMarker(o.paths, { format: 'examroom-face-vault', keyIds: ids, migratedAt: o.now });
  }
  return { vault, created, migrated };
}

/**
 * Rotation: a new current key; the old current and every retired key are kept, wrapped by the new one.
 * New data is sealed under the new key from the next start of the service; old data stays readable.
 */
export function rotateFaceKey(o: { keysDir: string; paths: DataPaths; now: number }): { from: string; to: string } {
  const ring = readFaceKeyRing(o.keysDir);
  if (!ring) throw new FaceKeyError(`there is no face key in ${o.keysDir} to rotate (the server makes one on its first start)`);
  const next: FaceKeyRing = { current: newKey(o.now), retired: [{ ...ring.current, retiredAt: o.now }, ...ring.retired] };
  const marker = readVaultMarker(o.paths);
  // Marker first: a crash between the two leaves a marker naming a key no data uses yet (harmless).
  writeVaultMarker(o.paths, {
    format: 'examroom-face-vault',
    keyIds: [...new Set([...(marker?.keyIds ?? [ring.current.id]), next.current.id])],
    migratedAt: marker?.migratedAt ?? null,
  });
  writeFaceKeyRing(o.keysDir, next);
  return { from: ring.current.id, to: next.current.id };
}

/**
 * Drops retired keys no object is sealed under any more (reads every face file's header). With
 * `reseal`, first seals the objects of retired keys again under the current key. Run with the service
 * stopped: it rewrites files the service may be deleting.
 */
export function pruneFaceKeys(o: { keysDir: string; paths: DataPaths; db: Db; reseal: boolean }): {
  resealed: { files: number; blobs: number } | null;
  dropped: string[];
  kept: string[];
} {
  const ring = readFaceKeyRing(o.keysDir);
  if (!ring) throw new FaceKeyError(`there is no face key in ${o.keysDir}`);
  const resealed = o.reseal ? sealFaceData(o.paths, o.db, faceVaultOf(ring), { reseal: true }) : null;
  const usage = faceDataUsage(o.paths, o.db);
  const dropped = ring.retired.filter((r) => !usage.byKey[r.id]).map((r) => r.id);
  const kept = ring.retired.filter((r) => usage.byKey[r.id]).map((r) => r.id);
  if (dropped.length > 0) writeFaceKeyRing(o.keysDir, { current: ring.current, retired: ring.retired.filter((r) => usage.byKey[r.id]) });
  const marker = readVaultMarker(o.paths);
  writeVaultMarker(o.paths, { format: 'examroom-face-vault', keyIds: [ring.current.id, ...kept], migratedAt: marker?.migratedAt ?? null });
  return { resealed, dropped, kept };
}

/**
 * A service's vault: the one the server opened (and checked) at start, or — a test or a CLI command
 * building one service on its own — the keys folder's, read (and made when there is none) on first
 * use only: a command that never touches a face neither pays for the key nor needs the right to read it.
 */
export function faceVaultOr(given: FaceVault | undefined, keysDir: string): FaceVault {
  if (given) return given;
  let loaded: FaceVault | null = null;
  const v = () => (loaded ??= loadFaceVault(keysDir, { create: true }) as FaceVault);
  return {
    get keyId() {
      return v().keyId;
    },
    get keyIds() {
      return v().keyIds;
    },
    seal: (plain) => v().seal(plain),
    open: (bytes, where) => (isSealed(bytes) ? v().open(bytes, where) : bytes),
    writeFile: (file, plain) => v().writeFile(file, plain),
    readFile: (file) => v().readFile(file),
    sealDescriptor: (d) => v().sealDescriptor(d),
    openDescriptor: (b, where) => v().openDescriptor(b, where),
  };
}

/** What kind of face a person was shown (the audit entry's detail). */
export type FaceViewKind = 'roster photo' | 'card photo' | 'kiosk capture' | 'seat snapshot' | 'person file' | 'score report' | 'certificate' | 'archive';

/**
 * Every view of a face by a person lands in the audit log: who saw whose face (the ID number is the
 * target, so "who saw this person's face" is one filter), which one, and when (the entry's time).
 */
export function auditFaceView(
  audit: AuditLog,
  v: { actor: string; ip?: string | null; idNumber: string; kind: FaceViewKind; sessionId?: string | null; ref?: string | null },
): void {
  audit.append({
    actor: v.actor,
    action: 'face.view',
    target: v.idNumber,
    detail: { kind: v.kind, ...(v.sessionId ? { sessionId: v.sessionId } : {}), ...(v.ref ? { ref: v.ref } : {}) },
    ip: v.ip ?? null,
  });
}
