// What an import takes and gives back: the formats, progress reports, options, the image files that
// come with a file, the duplicates report and the result.
import type { Clock } from '../../../core/index.ts';
import type { AuditLog, Db } from '../../../storage/index.ts';
import type { BankStore, BankVersion } from '../store.ts';
import type { BankImages } from '../images.ts';
import type { SheetLimits } from '../../../documents/index.ts';

export type ImportFormat = 'xlsx' | 'csv' | 'json';

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'storing';
  rows: number;
  total?: number;
}

export interface ImportOptions {
  /** The file's name as the person chose it: the version's label and the audit entry's subject. */
  filename: string;
  actor: string;
  ip?: string | null;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Image files that come with the question file (`bank import FILE --images DIR`): looked up by the
   * name a row gives before the images already uploaded, and stored with the import, all or nothing.
   */
  imageFiles?: ImageFiles;
  /**
   * The duplicate check and the store as one transaction that holds the event loop throughout, as imports
   * did before December 2026: only for bench/bank-import.ts's before/after. Default: in steps.
   */
  oneTransaction?: boolean;
  /** The sizes and memory an .xlsx may take to read (documents/sheet-rows.ts); a bank's by default. */
  sheetLimits?: SheetLimits;
}

export interface ImageFiles {
  /** Where the files are, for messages: `images/`. */
  where: string;
  /** The bytes of the file with this (already checked, relative) name, or null when there is none. */
  read(name: string): Promise<Uint8Array | null>;
}

/** A row that was not stored because the bank or an earlier row already holds the same question. */
export interface DuplicateReport {
  /** `row 9`, `sheet 单选题, row 9` or `item 9`. */
  where: string;
  /** `row 3`, or `question q…` when the bank already held it. */
  sameAs: string;
  questionId: string | null;
  /** Same stem and options but another answer: someone must decide which is right. */
  answerDiffers: boolean;
}

export interface ImportResult {
  file: string;
  /** Data rows read (blank rows are not counted). */
  rows: number;
  imported: number;
  duplicates: DuplicateReport[];
  /** The version made by this import; null when every row was a duplicate (nothing new to version). */
  version: BankVersion | null;
  /** Image files stored by this import (new, or new under a name); images that were already there are not counted. */
  imagesStored: number;
}

export interface BankAdminDeps {
  db: Db;
  bank: BankStore;
  audit: AuditLog;
  clock: Clock;
  /** Where rows' image names resolve; made on the same database when not given. */
  images?: BankImages;
}

/** How often the reader and the checker report progress, in rows. */
export const PROGRESS_EVERY = 1000;
