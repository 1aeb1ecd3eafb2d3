// Fills a data folder with the statistics tests' history (40 graded sessions, March–August 2026), to
// look at the statistics and disclosure pages on a running appliance. Not a test: run it by hand,
// beside or before `examroom serve` on the same data folder (WAL lets both write).
//   node --import tsx tests/records/seed-history.ts --config config/demo.yaml --data /tmp/stats-demo --room R101
import { parseArgs } from 'node:util';
import { createEventBus, fixedClock } from '../../core/index.ts';
import { loadConfig } from '../../config/index.ts';
import { createAuditLog, dataPaths, ensureDataFolders, loadAuditKey, openDatabase } from '../../storage/index.ts';
import { createExamService } from '../../exam/index.ts';
import { makeHistory } from './statistics-history.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, data: { type: 'string' }, room: { type: 'string' } } });
if (!values.config || !values.data || !values.room)
  throw new Error('usage: seed-history.ts --config FILE --data DIR --room ROOM (a room of at least 14 seats)');
const config = loadConfig(values.config, { dataDir: values.data });
const paths = dataPaths(config.paths.data);
ensureDataFolders(paths);
const db = openDatabase(paths.dbFile);
const clock = fixedClock(Date.now());
const bus = createEventBus(() => {});
// With the audit key when the server made one: a keyed log refuses unkeyed entries.
const audit = createAuditLog(db, clock, { key: loadAuditKey(config.paths.keys, { create: false }) });
const exam = createExamService({ db, clock, bus, config, audit, paths });
const h = await makeHistory({ exam }, clock, { room: values.room });
db.close();
console.log(`seed-history: ${h.sessions.length} graded sessions, ${h.sittings.length} roster entries in ${paths.dbFile}`);
