// Inflating one zip entry under the zip-bomb limits (CLARIFICATIONS: bound declared and actual unzipped
// sizes while reading), for every reader of an uploaded zip: the .xlsx reader and the roster zip. The bytes
// are counted as they come, so a header that understates its size stops at the limit, not after memory is
// gone; the caller's words say which limit in its own terms (ZipLimitError carries the figures).
import type yauzl from 'yauzl';

const MiB = 1024 * 1024;

/** The unzipped bytes every entry read so far from one zip, against one ceiling. */
export interface ZipBudget {
  total: number;
  maxTotalBytes: number;
}

export interface EntryBounds {
  /** This entry, unzipped. */
  maxBytes: number;
  budget: ZipBudget;
  /** Unzipped bytes per zipped byte once an entry is past 1 MiB (none: not checked). */
  maxRatio?: number;
}

/** An entry inflated past one of its bounds: `entry` (maxBytes), `total` (the budget) or `ratio`. */
export class ZipLimitError extends Error {
  constructor(
    readonly limit: 'entry' | 'total' | 'ratio',
    /** Bytes of this entry inflated when it stopped. */
    readonly got: number,
  ) {
    super(`zip entry inflated past its ${limit} limit`);
    this.name = 'ZipLimitError';
  }
}

/**
 * Opens `entry` (yauzl's errors in opening reject here) and gives its inflated chunks, each counted before
 * it is handed on: the first chunk past a bound throws ZipLimitError instead. The stream is destroyed when
 * the loop ends, however it ends; yauzl's errors while inflating (a size other than the header's, with
 * validateEntrySizes) pass through.
 */
export async function inflateBounded(zip: yauzl.ZipFile, entry: yauzl.Entry, b: EntryBounds): Promise<AsyncIterable<Buffer>> {
  const stream = await new Promise<NodeJS.ReadableStream & { destroy(): void }>((res, rej) =>
    zip.openReadStream(entry, (e, s) => (e || !s ? rej(e ?? new Error('no stream')) : res(s as never))),
  );
  return (async function* () {
    let got = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        b.budget.total += chunk.length;
        if (got > b.maxBytes) throw new ZipLimitError('entry', got);
        if (b.budget.total > b.budget.maxTotalBytes) throw new ZipLimitError('total', got);
        if (b.maxRatio !== undefined && got > MiB && got > b.maxRatio * Math.max(1, entry.compressedSize)) throw new ZipLimitError('ratio', got);
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
  })();
}
