// Results reporting to the provincial exam platform: a signed results package per graded session, kept
// in a durable outbox and sent until the platform gives a receipt (docs/reporting.md). It never sends
// what it has not stored first, never drops a package, and never puts the platform's token in any output.
export { createReporting, type Reporting, type ReportingDeps } from './service.ts';
export { PACKAGE_FORMAT, packageIdOf, type ResultsPackage } from './package.ts';
export { HEADER_KEY_ID, HEADER_PACKAGE_ID, HEADER_SIGNATURE, HEADER_SITE } from './deliver.ts';
import type { Db } from '../../storage/index.ts';
import { createOutbox } from './outbox.ts';
/** The audit anchor of the newest package the platform acknowledged, for `examroom audit verify`. */
export const lastSentAnchorOf = (db: Db) => createOutbox(db).lastSentAnchor();
