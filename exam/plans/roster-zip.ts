// A roster sent from a browser as one zip: the roster file (.csv/.xlsx/.json) and the candidates' photos,
// in any folders. Windows' built-in zip writes names in the OEM code page (GBK on a Chinese Windows)
// without the UTF-8 flag, so such names are decoded as GBK. Zip-bomb limits apply while reading: each
// entry's declared size, the bytes actually inflated (documents/bounded-zip.ts: counted as they come, so a
// lying header stops at the limit), the number of entries and the total. Nothing is written anywhere: the caller gets bytes.
import yauzl from 'yauzl';
import { ValidationError, type Problem } from '../../core/index.ts';
import { inflateBounded, ZipLimitError, type ZipBudget } from '../../documents/index.ts';

export interface RosterZipLimits {
  /** Entries in the zip, folders included. */
  maxEntries: number;
  /** The roster file, unzipped. */
  maxRosterBytes: number;
  /** One photo, unzipped (an ID photo is tens of kilobytes). */
  maxPhotoBytes: number;
  /** Everything read, unzipped. */
  maxTotalBytes: number;
}

export const ROSTER_ZIP_LIMITS: RosterZipLimits = {
  maxEntries: 2000,
  maxRosterBytes: 10 * 1024 * 1024,
  maxPhotoBytes: 5 * 1024 * 1024,
  maxTotalBytes: 200 * 1024 * 1024,
};

export interface RosterZip {
  roster: { name: string; bytes: Buffer };
  /** Photos by their file name without folders (what the 照片 column names). */
  photos: Map<string, Buffer>;
  /** Names that appear in more than one folder: a row naming one of them is refused as ambiguous. */
  ambiguous: Set<string>;
}

const ROSTER_EXT = /\.(csv|xlsx|json)$/i;
const PHOTO_EXT = /\.(jpe?g|png)$/i;
const UTF8_FLAG = 0x800;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const gbk = new TextDecoder('gbk', { fatal: true });

/**
 * An entry's name. With the UTF-8 flag: UTF-8. Without it: UTF-8 when the bytes are valid UTF-8 (macOS and
 * 7-Zip write UTF-8 without the flag), else GBK (Windows' own zip on a Chinese system); GBK byte pairs are
 * almost never valid UTF-8, so the order is safe.
 */
export function zipEntryName(raw: Buffer, flags: number): string {
  if (flags & UTF8_FLAG) return raw.toString('utf8');
  try {
    return utf8.decode(raw);
  } catch {
    try {
      return gbk.decode(raw);
    } catch {
      return raw.toString('latin1');
    }
  }
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;

export function isZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
}

/** Reads the roster and photos out of a zip, or refuses it with every problem found (nothing kept). */
export async function readRosterZip(bytes: Buffer, zipName: string, limits: RosterZipLimits = ROSTER_ZIP_LIMITS): Promise<RosterZip> {
  const refuse = (problems: Problem[]): never => {
    throw new ValidationError(problems, `roster zip ${zipName}: ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}; nothing was imported`);
  };
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((res, rej) =>
      yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (e, z) => (e ? rej(e) : res(z))),
    );
  } catch (err) {
    return refuse([{ path: zipName, problem: `is not a readable zip file (${(err as Error).message})` }]);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    return refuse([{ path: zipName, problem: `holds ${zip.entryCount} entries; a roster zip may hold at most ${limits.maxEntries}` }]);
  }

  const rosters: { name: string; bytes: Buffer }[] = [];
  const photos = new Map<string, Buffer>();
  const ambiguous = new Set<string>();
  const problems: Problem[] = [];

  const budget: ZipBudget = { total: 0, maxTotalBytes: limits.maxTotalBytes };

  // Opening errors reject (the zip is unreadable); a bound passed or a damaged entry is a problem of its own.
  const readEntry = async (entry: yauzl.Entry, limit: number, name: string): Promise<Buffer | null> => {
    const chunks: Buffer[] = [];
    const inflated = await inflateBounded(zip, entry, { maxBytes: limit, budget });
    try {
      for await (const c of inflated) chunks.push(c);
      return Buffer.concat(chunks);
    } catch (e) {
      problems.push({
        path: name,
        problem: !(e instanceof ZipLimitError)
          ? `cannot be unzipped (${(e as Error).message})`
          : e.limit === 'entry'
            ? `unzips to more than ${mb(limit)} (its header says ${mb(entry.uncompressedSize)}); refused as a zip bomb or a wrong file`
            : `the zip unzips to more than ${mb(limits.maxTotalBytes)} in all; refused as a zip bomb`,
      });
      return null;
    }
  };

  try {
    await new Promise<void>((res, rej) => {
      zip.on('error', rej);
      zip.on('end', () => res());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const full = zipEntryName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag);
          const base = full.split(/[\\/]/).pop() ?? '';
          // Folders, macOS resource forks and hidden files carry nothing of the roster.
          const skip = full.endsWith('/') || full.startsWith('__MACOSX/') || base.startsWith('.') || base === '' || /^(thumbs\.db|desktop\.ini)$/i.test(base);
          const isRoster = ROSTER_EXT.test(base);
          const isPhoto = PHOTO_EXT.test(base);
          if (!skip && (isRoster || isPhoto)) {
            const limit = isRoster ? limits.maxRosterBytes : limits.maxPhotoBytes;
            if (entry.uncompressedSize > limit) {
              problems.push({
                path: full,
                problem: `its header says it unzips to ${mb(entry.uncompressedSize)}; a ${isRoster ? 'roster file' : 'photo'} may be at most ${mb(limit)}`,
              });
            } else if (budget.total + entry.uncompressedSize > limits.maxTotalBytes) {
              problems.push({ path: full, problem: `the zip's entries say they unzip to more than ${mb(limits.maxTotalBytes)} in all; refused as a zip bomb` });
            } else if (!entry.isEncrypted()) {
              const data = await readEntry(entry, limit, full);
              if (data && isRoster) rosters.push({ name: full, bytes: data });
              else if (data && isPhoto) {
                if (photos.has(base)) ambiguous.add(base);
                photos.set(base, data);
              }
            } else problems.push({ path: full, problem: 'is encrypted; zip the files without a password' });
          }
          // Stop reading after the first bomb: the rest would only cost time.
          if (problems.some((p) => /zip bomb/.test(p.problem))) {
            zip.close();
            res();
          } else zip.readEntry();
        })().catch(rej);
      });
      zip.readEntry();
    });
  } catch (err) {
    problems.push({ path: zipName, problem: `cannot be unzipped (${(err as Error).message})` });
  } finally {
    if (zip.isOpen) zip.close();
  }
  if (!problems.length && rosters.length === 0)
    problems.push({ path: zipName, problem: 'holds no roster file: put the .xlsx, .csv or .json roster in the zip with the photos' });
  if (!problems.length && rosters.length > 1)
    problems.push({ path: zipName, problem: `holds ${rosters.length} roster files (${rosters.map((r) => r.name).join(', ')}); put exactly one in the zip` });
  if (problems.length) refuse(problems);
  return { roster: rosters[0]!, photos, ambiguous };
}
