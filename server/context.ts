import type { Clock, EventBus } from '../core/index.ts';
import type { Config } from '../config/index.ts';
import type { AuditLog, DataPaths, Db } from '../storage/index.ts';
import type { AuditAnchors, JobRunner } from '../documents/index.ts';
import type { UserService } from './auth/users.ts';
import type { DeviceService } from './auth/devices.ts';
import type { Metrics } from './metrics.ts';
import type { SocketHub } from './websocket.ts';

/** Everything the server's own routes need, built once by buildApp. */
export interface AppContext {
  config: Config;
  paths: DataPaths;
  db: Db;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
  /** Signed heads of the audit log outside the database (documents/audit-anchors.ts). */
  anchors: AuditAnchors;
  users: UserService;
  devices: DeviceService;
  metrics: Metrics;
  hub: SocketHub;
  /** Long jobs of every module (documents/jobs.ts): one runner, one queue, watched over /api/jobs. */
  jobs: JobRunner;
  tls: boolean;
}
