// Plans, sessions, roster entries and results as the rest of the code sees them, and the rows they
// come from. Instants are UTC milliseconds here; routes turn them into ISO text.
import type { Clock, EventBus } from '../../core/index.ts';
import type { Config } from '../../config/index.ts';
import type { AuditLog, DataPaths, Db, FaceVault } from '../../storage/index.ts';
import type { BankStore } from '../bank/store.ts';
import type { Category, Industry, Template } from '../types.ts';

export const PLAN_STATUSES = ['scheduled', 'active', 'closed', 'archived'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const SESSION_STATUSES = ['scheduled', 'papers_ready', 'checkin', 'in_progress', 'ended', 'graded', 'archived'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const ROSTER_STATUSES = ['registered', 'admitted', 'absent', 'in_exam', 'submitted'] as const;
export type RosterStatus = (typeof ROSTER_STATUSES)[number];

export interface Plan {
  id: string;
  name: string;
  /** YYYY-MM-DD, site calendar, inclusive. */
  startsOn: string;
  endsOn: string;
  status: PlanStatus;
  createdAt: number;
  createdBy: string;
}

export interface ExamSession {
  id: string;
  planId: string;
  roomId: string;
  startsAt: number;
  durationMinutes: number;
  endsAt: number;
  templateId: string;
  /** The template as it was when the session was created: later bank versions do not change a session. */
  template: Template;
  /** Pinned when papers are generated. */
  bankVersion: string | null;
  status: SessionStatus;
  seatSeed: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RosterEntry {
  sessionId: string;
  idNumber: string;
  ticketNo: string;
  name: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  institution: string | null;
  /** Relative to the data folder's captures/. */
  photo: string | null;
  seat: string | null;
  /** 1, or 2 for the one retake (补考) a failed exam allows. */
  attempt: 1 | 2;
  status: RosterStatus;
  trainedOn: string | null;
}

export interface ResultRecord {
  id: string;
  sessionId: string;
  idNumber: string;
  paperId: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  attempt: number;
  score: number;
  total: number;
  passed: boolean;
  breakdown: unknown;
  gradedAt: number;
  validUntil: number | null;
}

/** What every part of plans/ is built from. */
export interface PlansDeps {
  db: Db;
  clock: Clock;
  bus: EventBus;
  config: Config;
  audit: AuditLog;
  paths: DataPaths;
  /** Seals the roster photos it stores (storage/face-vault.ts). */
  faceVault: FaceVault;
  bank: BankStore;
}

export interface SessionRow {
  id: string;
  plan_id: string;
  room_id: string;
  starts_at: number;
  duration_minutes: number;
  template_id: string;
  template: string;
  bank_version: string | null;
  status: SessionStatus;
  seat_seed: string | null;
  created_at: number;
  updated_at: number;
}

export function toSession(r: SessionRow): ExamSession {
  return {
    id: r.id,
    planId: r.plan_id,
    roomId: r.room_id,
    startsAt: r.starts_at,
    durationMinutes: r.duration_minutes,
    endsAt: r.starts_at + r.duration_minutes * 60_000,
    templateId: r.template_id,
    template: JSON.parse(r.template) as Template,
    bankVersion: r.bank_version,
    status: r.status,
    seatSeed: r.seat_seed,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export const PLAN_COLS = 'id, name, starts_on AS startsOn, ends_on AS endsOn, status, created_at AS createdAt, created_by AS createdBy';

export const ROSTER_COLS = `session_id AS sessionId, id_number AS idNumber, ticket_no AS ticketNo, name, category, operation_class AS operationClass,
  industry, institution, photo, seat, attempt, status, trained_on AS trainedOn`;

export interface ResultRow {
  id: string;
  session_id: string;
  id_number: string;
  paper_id: string;
  category: Category;
  operation_class: string | null;
  industry: Industry;
  attempt: number;
  score: number;
  total: number;
  passed: number;
  breakdown: string;
  graded_at: number;
  valid_until: number | null;
}

export function toResult(r: ResultRow): ResultRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    idNumber: r.id_number,
    paperId: r.paper_id,
    category: r.category,
    operationClass: r.operation_class,
    industry: r.industry,
    attempt: r.attempt,
    score: r.score,
    total: r.total,
    passed: r.passed === 1,
    breakdown: JSON.parse(r.breakdown) as unknown,
    gradedAt: r.graded_at,
    validUntil: r.valid_until,
  };
}
