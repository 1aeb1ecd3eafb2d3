// What the media reader (storage/media-reader) needs to read tiered files: where each one is (the tier's
// rows) and the store's ranged GET. Only the version written is ever read: a newer version someone else
// put under the same key is the integrity sample's alarm, never what a person plays or an archive holds.
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { systemClock } from '../core/index.ts';
import { createMediaReader, createTierRows, type DataPaths, type Db, type MediaReader, type MediaReaderOptions } from '../storage/index.ts';
import type { ObjectStore } from '../storage/object-store/index.ts';
import { openObjectStore } from './object-store.ts';

export function mediaStoreReads(
  db: Db,
  store: ObjectStore,
  readCacheMiB: number,
): Pick<MediaReaderOptions, 'locate' | 'getRange' | 'storeName' | 'cacheBytes'> {
  const rows = createTierRows(db);
  return {
    locate: (relPath) => rows.locate(relPath, 'media'),
    getRange: (key, versionId, start, end) => store.getRange(key, versionId ?? null, start, end),
    storeName: `the object store at ${store.endpoint} (bucket ${store.bucket})`,
    cacheBytes: readCacheMiB * 1024 ** 2,
  };
}

/**
 * The media reader of a CLI run (`records archive --with-media`, `training archive`): the same store as
 * the server, its own cache folder (the server's, if it runs, is not emptied under it). close() after.
 */
export function cliMediaReader(config: Config, paths: DataPaths, db: Db): MediaReader & { closeAll(): Promise<void> } {
  const monitor = openObjectStore(config, { clock: systemClock });
  const reader = createMediaReader({
    mediaDir: paths.media,
    cacheDir: join(paths.root, 'cache', `media-read-cli-${process.pid}`),
    ...(monitor && config.objectStore ? mediaStoreReads(db, monitor.store, config.objectStore.readCacheMiB) : {}),
  });
  return {
    ...reader,
    async closeAll() {
      await reader.close();
      monitor?.store.destroy();
    },
  };
}
