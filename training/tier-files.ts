// Class files (the class's 一期一档) as the object-store tier sees them (storage/tier/), through documents'
// archive index, like records' session archives; the server offers both as one kind ('archive').
import { archiveTierFiles } from '../documents/index.ts';
import type { Db, TierProvider } from '../storage/index.ts';
import { CLASS_ARCHIVES } from './archive/service.ts';

export function classArchiveTierFiles(db: Db): TierProvider {
  return archiveTierFiles(db, CLASS_ARCHIVES);
}
