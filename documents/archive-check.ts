// Checks a signed archive (archive-writer.ts): the signature over manifest.json first (nothing in a
// manifest is believed before it), then every member's size and SHA-256 against it in the order the
// zip holds them, then members the manifest lists but the zip lacks. It stops at the first mismatch
// and names the file, because "which file was changed" is the question a checker is asked. It needs
// no face key: encrypted members are hashed as stored.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { ARCHIVE_FORMAT, MANIFEST_FILE, SIGNATURE_FILE, type Manifest, type SignatureFile, memberPathProblem } from './archive-writer.ts';
import { JobCancelled } from './cancel.ts';
import { parsePublicKey, verifySignature } from './signing.ts';

export type ArchiveProblemKind =
  /** Not a zip this checker can read (truncated, not a zip at all). */
  | 'unreadable'
  /** manifest.json or manifest.sig is missing or not in the expected form. */
  | 'manifest'
  /** manifest.json does not match manifest.sig, or was signed by a key that is not trusted. */
  | 'signature'
  /** A member's bytes differ from the manifest (size or SHA-256), or cannot be read back. */
  | 'changed'
  /** The manifest lists a member the zip does not hold. */
  | 'missing'
  /** The zip holds a member the manifest does not list (or holds a name twice). */
  | 'extra';

export interface ArchiveProblem {
  kind: ArchiveProblemKind;
  /** The file inside the archive the problem is about; null when it is the archive as a whole. */
  path: string | null;
  detail: string;
}

export interface ArchiveCheck {
  ok: boolean;
  file: string;
  /** Members whose hash was checked and matched before the check ended. */
  checked: number;
  /** Members the manifest lists (0 when it could not be read). */
  members: number;
  /** The key that signed the manifest, when the signature verified. */
  keyId: string | null;
  /**
   * The signing key is one the caller trusts (given in publicKeys). Without publicKeys the key carried
   * in the manifest is used: that proves the archive is unchanged since signing, not who signed it.
   */
  keyTrusted: boolean;
  meta: Record<string, unknown> | null;
  problem: ArchiveProblem | null;
}

export interface CheckArchiveOptions {
  /** Public keys (SPKI PEM or raw base64) the signature must come from: the site's own, or the one it published. */
  publicKeys?: string[];
  signal?: AbortSignal;
  onProgress?: (p: { checked: number; members: number; bytes: number; path: string }) => void;
}

/** manifest.json is read into memory; one this large is not ours (a million members is ~150 MB). */
const MANIFEST_LIMIT = 256 * 1024 * 1024;

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new Error(`larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function isManifest(x: unknown): x is Manifest {
  if (!x || typeof x !== 'object') return false;
  const m = x as Manifest;
  return (
    m.format === ARCHIVE_FORMAT &&
    Array.isArray(m.members) &&
    m.members.every(
      (e) =>
        e &&
        typeof e.path === 'string' &&
        Number.isSafeInteger(e.size) &&
        e.size >= 0 &&
        typeof e.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(e.sha256) &&
        typeof e.encrypted === 'boolean',
    ) &&
    !!m.signer &&
    typeof m.signer.publicKey === 'string'
  );
}

export async function checkArchive(file: string, opts: CheckArchiveOptions = {}): Promise<ArchiveCheck> {
  const result: ArchiveCheck = { ok: false, file, checked: 0, members: 0, keyId: null, keyTrusted: false, meta: null, problem: null };
  const fail = (kind: ArchiveProblemKind, path: string | null, detail: string): ArchiveCheck => ({ ...result, ok: false, problem: { kind, path, detail } });

  // Loaded here, not at the top: documents/index.ts is on every start-up's path, archive checks are not.
  const { default: yauzlLib } = await import('yauzl');
  let zip: yauzl.ZipFile;
  try {
    // strictFileNames: a name with a backslash or "../" is refused rather than silently rewritten.
    zip = await yauzlLib.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true, decodeStrings: true });
  } catch (err) {
    return fail('unreadable', null, `not a readable zip archive (${(err as Error).message})`);
  }
  try {
    const entries: yauzl.Entry[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (e: yauzl.Entry) => {
          entries.push(e);
          zip.readEntry();
        });
        zip.on('end', resolve);
        zip.on('error', reject);
        zip.readEntry();
      });
    } catch (err) {
      return fail('unreadable', null, `its table of contents cannot be read (${(err as Error).message})`);
    }
    const byName = new Map<string, yauzl.Entry>();
    for (const e of entries) {
      if (byName.has(e.fileName)) return fail('extra', e.fileName, `${e.fileName} is in the archive twice`);
      byName.set(e.fileName, e);
    }
    const readMember = async (e: yauzl.Entry, limit: number) => readAll(await zip.openReadStreamPromise(e), limit);

    const manifestEntry = byName.get(MANIFEST_FILE);
    const sigEntry = byName.get(SIGNATURE_FILE);
    if (!manifestEntry) return fail('manifest', MANIFEST_FILE, `${MANIFEST_FILE} is missing: this is not a signed examroom archive`);
    if (!sigEntry) return fail('manifest', SIGNATURE_FILE, `${SIGNATURE_FILE} is missing: the manifest cannot be trusted without its signature`);
    let manifestBytes: Buffer;
    let sig: SignatureFile;
    try {
      manifestBytes = await readMember(manifestEntry, MANIFEST_LIMIT);
    } catch (err) {
      return fail('signature', MANIFEST_FILE, `${MANIFEST_FILE} cannot be read back (${(err as Error).message}): it was changed`);
    }
    try {
      sig = JSON.parse((await readMember(sigEntry, 64 * 1024)).toString('utf8')) as SignatureFile;
      if (sig.alg !== 'Ed25519' || typeof sig.signature !== 'string') throw new Error('not an Ed25519 signature record');
    } catch (err) {
      return fail('signature', SIGNATURE_FILE, `${SIGNATURE_FILE} is not a signature record (${(err as Error).message})`);
    }
    const signature = Buffer.from(sig.signature, 'base64');

    // The signature is checked before the manifest is parsed: its contents are not believed until then.
    let verifiedBy: { keyId: string; trusted: boolean } | null = null;
    if (opts.publicKeys?.length) {
      for (const text of opts.publicKeys) {
        const { key, keyId } = parsePublicKey(text);
        if (verifySignature(key, manifestBytes, signature)) {
          verifiedBy = { keyId, trusted: true };
          break;
        }
      }
      if (!verifiedBy)
        return fail(
          'signature',
          MANIFEST_FILE,
          `${MANIFEST_FILE} does not verify against ${opts.publicKeys.length === 1 ? 'the trusted key' : `any of the ${opts.publicKeys.length} trusted keys`}: it was changed after signing, or signed by another key (${SIGNATURE_FILE} names key ${String(sig.keyId)})`,
        );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(manifestBytes.toString('utf8'));
    } catch (err) {
      return fail(verifiedBy ? 'manifest' : 'signature', MANIFEST_FILE, `${MANIFEST_FILE} is not JSON (${(err as Error).message})`);
    }
    if (!isManifest(parsed)) return fail(verifiedBy ? 'manifest' : 'signature', MANIFEST_FILE, `${MANIFEST_FILE} is not an ${ARCHIVE_FORMAT} manifest`);
    const manifest = parsed;
    if (!verifiedBy) {
      let embedded: ReturnType<typeof parsePublicKey>;
      try {
        embedded = parsePublicKey(manifest.signer.publicKey);
      } catch (err) {
        return fail('signature', MANIFEST_FILE, `the manifest's signer key is unusable (${(err as Error).message})`);
      }
      if (!verifySignature(embedded.key, manifestBytes, signature))
        return fail('signature', MANIFEST_FILE, `${MANIFEST_FILE} does not match ${SIGNATURE_FILE}: the manifest was changed after signing`);
      verifiedBy = { keyId: embedded.keyId, trusted: false };
    }
    result.keyId = verifiedBy.keyId;
    result.keyTrusted = verifiedBy.trusted;
    result.meta = manifest.meta ?? {};
    result.members = manifest.members.length;

    const listed = new Map(manifest.members.map((m) => [m.path, m]));
    let bytes = 0;
    for (const e of entries) {
      if (opts.signal?.aborted) throw new JobCancelled();
      const name = e.fileName;
      if (name === MANIFEST_FILE || name === SIGNATURE_FILE) continue;
      const want = listed.get(name);
      if (!want) return fail('extra', name, `${name} is in the archive but not in its manifest: it was added after signing`);
      const pathProblem = memberPathProblem(name);
      if (pathProblem) return fail('extra', name, `${name} ${pathProblem}`);
      if (e.uncompressedSize !== want.size)
        return fail('changed', name, `${name} is ${e.uncompressedSize} bytes, the manifest says ${want.size}: it was changed`);
      const hash = createHash('sha256');
      try {
        const stream = await zip.openReadStreamPromise(e);
        for await (const chunk of stream) {
          if (opts.signal?.aborted) {
            stream.destroy();
            throw new JobCancelled();
          }
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
          opts.onProgress?.({ checked: result.checked, members: result.members, bytes, path: name });
        }
      } catch (err) {
        if (err instanceof JobCancelled) throw err;
        return fail('changed', name, `${name} cannot be read back (${(err as Error).message}): it was changed`);
      }
      const got = hash.digest('hex');
      if (got !== want.sha256)
        return fail(
          'changed',
          name,
          `${name} does not match its SHA-256 in the manifest (${got.slice(0, 16)}… instead of ${want.sha256.slice(0, 16)}…): it was changed`,
        );
      result.checked++;
      opts.onProgress?.({ checked: result.checked, members: result.members, bytes, path: name });
    }
    for (const m of manifest.members) {
      if (!byName.has(m.path)) return fail('missing', m.path, `${m.path} is in the manifest but not in the archive: it was removed`);
    }
    return { ...result, ok: true };
  } finally {
    zip.close();
  }
}
