import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The data folder's fixed layout; everything the appliance keeps lives under one root. */
export interface DataPaths {
  root: string;
  db: string;
  dbFile: string;
  media: string;
  captures: string;
  archives: string;
  /** Signed heads of the audit log (documents/audit-anchors.ts): outside the database, append-only. */
  anchors: string;
}

export function dataPaths(root: string): DataPaths {
  const r = resolve(root);
  return {
    root: r,
    db: join(r, 'db'),
    dbFile: join(r, 'db', 'examroom.sqlite'),
    media: join(r, 'media'),
    captures: join(r, 'captures'),
    archives: join(r, 'archives'),
    anchors: join(r, 'anchors'),
  };
}

/** Creates the layout when missing; 0750 because captures and media are personal data. */
export function ensureDataFolders(p: DataPaths): void {
  for (const dir of [p.root, p.db, p.media, p.captures, p.archives, p.anchors]) mkdirSync(dir, { recursive: true, mode: 0o750 });
}
