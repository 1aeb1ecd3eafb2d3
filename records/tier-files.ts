// Session archives (一期一档) as the object-store tier sees them (storage/tier/), through documents' archive
// index; training offers its class archives the same way (training/tier-files.ts).
import { archiveTierFiles } from '../documents/index.ts';
import type { Db, TierProvider } from '../storage/index.ts';
import { SESSION_ARCHIVES } from './archive/store.ts';

export function sessionArchiveTierFiles(db: Db): TierProvider {
  return archiveTierFiles(db, SESSION_ARCHIVES);
}
