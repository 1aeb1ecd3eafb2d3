// The roster of a session (考生名单) and the person file behind it (一人一档). An import is all or
// nothing: every row is checked — ID number, category against the session's template, retake rules,
// photos, seats — and one bad row refuses the whole file with every problem listed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Conflict, ValidationError, formatProblem, ageOn, checkIdNumber, isDate, localDate, type Problem } from '../../core/index.ts';
import { describeRule, ruleFor, seatIds, type AppliedRule } from '../../config/index.ts';
import { CATEGORIES, CATEGORY_LABELS, INDUSTRIES, INDUSTRY_LABELS, type Category, type Industry } from '../types.ts';
import { ROSTER_COLS, toResult, type ExamSession, type PlansDeps, type ResultRecord, type ResultRow, type RosterEntry } from './model.ts';
import type { Plans } from './plans.ts';
import { headerKey, readTable, type TableRow } from '../../documents/index.ts';
import { readRosterZip, type RosterZip } from './roster-zip.ts';
import { credentialKey, newTicketNo } from './tickets.ts';
import type { HoursCheck } from '../../training/protocol.ts';

/** The columns of a roster file, by the Chinese header people use; English names are accepted for JSON. */
export const ROSTER_COLUMNS = {
  idNumber: { header: '身份证号', aliases: ['身份证号码', '公民身份号码', '证件号码', 'idNumber', 'id_number'], required: true },
  name: { header: '姓名', aliases: ['name'], required: true },
  category: { header: '人员类别', aliases: ['category'], required: true },
  operationClass: { header: '作业类别', aliases: ['operationClass', 'operation_class'], required: false },
  industry: { header: '行业', aliases: ['所属行业', '行业类别', 'industry'], required: false },
  // Training institution (培训机构): what the disclosure page groups pass rates by. Rosters from
  // training centres call it 培训单位 or 培训机构名称 as often as 培训机构.
  institution: {
    header: '培训机构',
    aliases: ['培训单位', '培训机构名称', '培训单位名称', '送培单位', 'institution', 'training institution', 'trainingInstitution', 'training_institution'],
    required: false,
  },
  photo: { header: '照片', aliases: ['photo'], required: false },
  ticketNo: { header: '准考证号', aliases: ['ticketNo', 'ticket_no', 'ticket'], required: false },
  trainedOn: { header: '培训结业日期', aliases: ['结业日期', 'trainedOn', 'trained_on'], required: false },
  // Hours of a candidate trained elsewhere (考培分离), checked with 培训机构 against the rules (training/).
  trainingHours: { header: '培训学时', aliases: ['已培训学时', '学时', 'trainingHours', 'training_hours'], required: false },
} as const;

/** One candidate as the training-hours check (training/, wired by server/app.ts) reads them. */
export interface TrainingCheckRow {
  row: number | null;
  idNumber: string;
  name: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  institution: string | null;
  /** The 培训学时 column, when the roster gives it. */
  hours: number | null;
}
/** The training-hours check's verdict on one candidate (training/protocol.ts HoursCheck). */
export type TrainingCheckVerdict = HoursCheck;
export type TrainingCheck = (session: { id: string; startsAt: number }, rows: TrainingCheckRow[]) => TrainingCheckVerdict[];
type Field = keyof typeof ROSTER_COLUMNS;

const CATEGORY_ALIASES: Record<string, Category> = {
  ...Object.fromEntries(CATEGORIES.map((c) => [c, c])),
  ...Object.fromEntries(CATEGORIES.map((c) => [CATEGORY_LABELS[c], c])),
  安全管理人员: 'safety_manager',
  特种作业: 'special_operation',
  主要负责人员: 'principal',
};
const INDUSTRY_ALIASES: Record<string, Industry> = {
  ...Object.fromEntries(INDUSTRIES.map((i) => [i, i])),
  ...Object.fromEntries(INDUSTRIES.map((i) => [INDUSTRY_LABELS[i], i])),
  危险化学品: 'hazardous_chemicals',
  有色金属: 'nonferrous',
  建筑材料: 'building_materials',
};

const PHOTO_TYPES: { ext: string; magic: number[] }[] = [
  { ext: 'jpg', magic: [0xff, 0xd8, 0xff] },
  { ext: 'png', magic: [0x89, 0x50, 0x4e, 0x47] },
];
/** An ID-style photo is tens of kilobytes; a file this large is a scan of something else. */
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** A row names a photo but an upload came without one: the console's words (admin/web/src/problem-words.ts) key on this text. */
export const PHOTOS_NOT_UPLOADED = 'names a photo, but the roster was uploaded without its photos: upload the roster and the photos together as one .zip';

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/**
 * Which earlier exams count as "the same exam" for retakes and validity: a special-operation
 * certificate (特种作业操作证) is issued per operation class whatever the employer's industry, while
 * principals' and safety managers' certificates are per industry.
 */
export interface Qualification {
  category: Category;
  operationClass: string | null;
  industry: Industry;
}

/**
 * attempt: 1 first sitting, 2 a retake (补考); retake: which retake (1 = the first); rule: the rule in
 * force that decided it (config `rules:`), kept with the roster entry for the person file.
 */
export type Eligibility = { ok: true; attempt: 1 | 2; retake: number; rule: AppliedRule } | { ok: false; problem: string; rule: AppliedRule };

export interface RosterImport {
  sessionId: string;
  added: number;
  total: number;
  entries: RosterEntry[];
  /** Candidates short of training hours when the rule says warn (a refuse rule refuses the import instead). */
  trainingHours?: { checked: number; short: TrainingCheckVerdict[] };
}

/** One candidate as the admin console's form gives them: the roster file's columns, by their English names. */
export interface CandidateInput {
  idNumber: string;
  name: string;
  category: string;
  operationClass?: string | null;
  industry?: string | null;
  institution?: string | null;
  ticketNo?: string | null;
  trainedOn?: string | null;
  trainingHours?: number | null;
  /** A JPEG or PNG, at most 5 MB. */
  photo?: Buffer | null;
}

interface PlannedRow {
  row: number;
  idNumber: string;
  name: string;
  category: Category;
  operationClass: string | null;
  industry: Industry;
  institution: string | null;
  ticketNo: string | null;
  trainedOn: string | null;
  trainingHours: number | null;
  photo: { ext: string; bytes: Buffer } | null;
  attempt: 1 | 2;
  retake: number;
  rule: AppliedRule;
}

/** A field's accepted names as the table reader keys headers (headerKey: no spaces or * marks), lower case. */
const namesOf = (f: Field): string[] => [ROSTER_COLUMNS[f].header, ...ROSTER_COLUMNS[f].aliases].map((n) => headerKey(n).toLowerCase());

/** A row's cell for a field under any of its accepted names: JSON rows are separate objects and may be keyed differently. */
function cellOf(r: TableRow, f: Field): string {
  const names = namesOf(f);
  return Object.entries(r.cells).find(([k, v]) => v !== '' && names.includes(k.toLowerCase()))?.[1] ?? '';
}

export function createRoster(deps: PlansDeps, plans: Plans) {
  const { db, clock, audit, bus, config, paths, faceVault } = deps;
  const tz = config.site.timezone;
  // The training module checks hours; it is made after the exam engine, so it hands its check in later.
  let trainingCheck: TrainingCheck | null = null;

  function entries(sessionId: string): RosterEntry[] {
    // Before seats are drawn, in the roster file's order: tickets are random, so ordering by them shuffles.
    return db.prepare(`SELECT ${ROSTER_COLS} FROM roster_entries WHERE session_id = ? ORDER BY seat IS NULL, seat, rowid`).all(sessionId) as RosterEntry[];
  }

  /**
   * Retake rules, from the config's `rules:` for the category and operation item (defaults: the 2013
   * national interim rules — a pass is valid 12 months; a failed exam allows one retake (补考); failing
   * that too means retraining before another exam, shown by a training-completion date later than the
   * last failure). A pass's validity is the one its result was graded with (results.valid_until).
   */
  function eligibility(idNumber: string, q: Qualification, s: ExamSession, trainedOn: string | null): Eligibility {
    const rule = ruleFor(config.rules, q);
    const sameExam = (t: string) =>
      q.category === 'special_operation' ? `${t}.category = ? AND ${t}.operation_class IS ?` : `${t}.category = ? AND ${t}.industry = ?`;
    const key = q.category === 'special_operation' ? q.operationClass : q.industry;
    const results = (
      db.prepare(`SELECT * FROM results x WHERE x.id_number = ? AND ${sameExam('x')} ORDER BY x.graded_at`).all(idNumber, q.category, key) as ResultRow[]
    ).map(toResult);
    const valid = results.filter((r) => r.passed && r.validUntil !== null && r.validUntil > s.startsAt).at(-1);
    if (valid) return { ok: false, rule, problem: `already passed on ${localDate(valid.gradedAt, tz)}, valid until ${localDate(valid.validUntil!, tz)}` };

    const pending = db
      .prepare(
        `SELECT s.id, s.starts_at AS startsAt FROM roster_entries r JOIN exam_sessions s ON s.id = r.session_id
         WHERE r.id_number = ? AND r.session_id <> ? AND ${sameExam('r')}
           AND s.status NOT IN ('graded', 'archived') AND r.status <> 'absent'
           AND NOT EXISTS (SELECT 1 FROM results x WHERE x.session_id = r.session_id AND x.id_number = r.id_number)
         ORDER BY s.starts_at LIMIT 1`,
      )
      .get(idNumber, s.id, q.category, key) as { id: string; startsAt: number } | undefined;
    if (pending) return { ok: false, rule, problem: `already on the roster of session ${pending.id} (${localDate(pending.startsAt, tz)}) for the same exam` };

    // The history in date order: results, and training completions known from this row and from
    // earlier rosters. A pass clears the failures; training clears them only once the rule's number of
    // failures has piled up (retraining is what that failure requires; training in between earns no
    // extra attempt).
    // On one day a result comes before a training: "retrained after failing on D" means after D.
    const trainings = (
      db
        .prepare(`SELECT DISTINCT r.trained_on AS d FROM roster_entries r WHERE r.id_number = ? AND ${sameExam('r')} AND r.trained_on IS NOT NULL`)
        .all(idNumber, q.category, key) as { d: string }[]
    ).map((r) => r.d);
    if (trainedOn) trainings.push(trainedOn);
    const history = [
      ...results.map((r) => ({ day: localDate(r.gradedAt, tz), order: 0, result: r })),
      ...trainings.map((day) => ({ day, order: 1, result: null })),
    ].sort((a, b) => a.day.localeCompare(b.day) || a.order - b.order || (a.result?.gradedAt ?? 0) - (b.result?.gradedAt ?? 0));
    let failures: ResultRecord[] = [];
    for (const h of history) {
      if (!h.result) {
        if (failures.length >= rule.retrainAfterFails) failures = [];
      } else if (h.result.passed) failures = [];
      else failures.push(h.result);
    }
    const n = rule.retrainAfterFails;
    if (failures.length >= n) {
      const days = failures.slice(-n).map((r) => localDate(r.gradedAt, tz));
      const last = days.at(-1)!;
      const on = days.length === 1 ? last : `${days.slice(0, -1).join(', ')} and ${last}`;
      const times = n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
      // With the national rule the words are the ones sites know; another rule names itself.
      const which = rule.configured ? `; ${rule.path}: ${describeRule(rule)}` : '';
      return {
        ok: false,
        rule,
        problem: `failed ${times}; must retrain before another exam (failed on ${on}; give a 培训结业日期 after ${last} once retrained${which})`,
      };
    }
    return { ok: true, attempt: failures.length >= 1 ? 2 : 1, retake: failures.length, rule };
  }

  function columnOf(headers: string[], field: Field): string | null {
    const names = namesOf(field);
    return headers.find((h) => names.includes(h.toLowerCase())) ?? null;
  }

  function photoType(bytes: Buffer, where: string): { ext: string; bytes: Buffer } | string {
    if (bytes.length > MAX_PHOTO_BYTES) return `is ${(bytes.length / 1024 / 1024).toFixed(1)} MB${where}; a roster photo must be at most 5 MB`;
    const type = PHOTO_TYPES.find((p) => p.magic.every((b, i) => bytes[i] === b));
    if (!type) return `is not a JPEG or PNG image${where}`;
    return { ext: type.ext, bytes };
  }

  function readPhoto(dir: string, name: string): { ext: string; bytes: Buffer } | string {
    // A bare file name only: the folder is the boundary of what an import may read.
    if (name !== basename(name) || name === '.' || name === '..') return 'must be a file name in the photo folder, without a path';
    const source = resolve(dir, name);
    if (!existsSync(source)) return `no such file in the photo folder ${dir}`;
    const st = statSync(source);
    if (!st.isFile()) return `is not a file in ${dir}`;
    if (st.size > MAX_PHOTO_BYTES) return `is ${(st.size / 1024 / 1024).toFixed(1)} MB; a roster photo must be at most 5 MB`;
    return photoType(readFileSync(source), '');
  }

  /** A photo out of the zip by the name the row gives (folders ignored; an exact name first, then ignoring case). */
  function zipPhoto(zip: RosterZip, name: string): { ext: string; bytes: Buffer } | string {
    const base = name.split(/[\\/]/).pop() ?? name;
    let key: string | undefined = zip.photos.has(base) ? base : undefined;
    if (!key) {
      const matches = [...zip.photos.keys()].filter((k) => k.toLowerCase() === base.toLowerCase());
      if (matches.length > 1) return `matches ${matches.join(', ')} in the zip; rename the photos so one name is one file`;
      key = matches[0];
    }
    if (!key) return 'no such photo in the zip';
    if (zip.ambiguous.has(key)) return `is in more than one folder of the zip; keep one ${key}`;
    return photoType(zip.photos.get(key)!, ' (in the zip)');
  }

  function assertRosterOpen(s: ExamSession): void {
    if (s.status !== 'scheduled' && s.status !== 'papers_ready')
      throw new Conflict(`exam session ${s.id} is ${s.status}; its roster can change only before check-in opens (scheduled or papers_ready)`);
  }

  async function importRoster(
    sessionId: string,
    // uploaded: the file came over HTTP (the admin console), where a photo folder is no option: a row
    // naming a photo then asks for the roster and photos as one zip, not for the CLI's --photos DIR.
    file: { bytes: Buffer; filename: string; photosDir?: string | null; uploaded?: boolean },
    actor: string,
    ip: string | null = null,
  ): Promise<RosterImport> {
    const s0 = plans.session(sessionId);
    // Before the file is read: a roster that cannot be taken costs no unzipping or parsing, and a file
    // sent at a session in progress never reaches the reader (checked again in the transaction below).
    assertRosterOpen(s0);
    // A zip from the browser: the roster file and its photos together (exam/plans/roster-zip.ts).
    // An .xlsx is a zip too: the name decides.
    const zip = /\.zip$/i.test(file.filename) ? await readRosterZip(file.bytes, file.filename) : null;
    if (zip && file.photosDir) throw new ValidationError([{ path: 'photos', problem: 'give either a zip with the photos or a photo folder, not both' }]);
    const table = zip ? await readTable(zip.roster.bytes, zip.roster.name) : await readTable(file.bytes, file.filename);
    const problems: Problem[] = [];
    const cols = {} as Record<Field, string | null>;
    for (const f of Object.keys(ROSTER_COLUMNS) as Field[]) {
      cols[f] = columnOf(table.headers, f);
      if (!cols[f] && ROSTER_COLUMNS[f].required)
        problems.push({ path: `column ${ROSTER_COLUMNS[f].header}`, problem: `missing from the header row (found: ${table.headers.join(', ') || 'nothing'})` });
    }
    if (problems.length)
      throw new ValidationError(problems, `roster ${file.filename}: ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}; nothing was imported`);
    if (table.rows.length === 0) throw new ValidationError([{ path: file.filename, problem: 'has a header row but no candidates' }]);
    const photosDir = file.photosDir ? resolve(file.photosDir) : null;
    if (photosDir && !(existsSync(photosDir) && statSync(photosDir).isDirectory()))
      throw new ValidationError([{ path: 'photos', problem: 'is not a folder', got: file.photosDir }]);

    // Photos are read before the transaction (disk reads do not belong under the write lock).
    const photos = new Map<number, PlannedRow['photo'] | string>();
    if (cols.photo) {
      for (const r of table.rows) {
        const name = cellOf(r, 'photo');
        if (!name) continue;
        photos.set(
          r.row,
          zip
            ? zipPhoto(zip, name)
            : photosDir
              ? readPhoto(photosDir, name)
              : file.uploaded
                ? PHOTOS_NOT_UPLOADED
                : 'names a photo, but no photo folder was given with the import (--photos DIR, or a zip with the photos)',
        );
      }
    }
    if (zip) {
      // A zip's photo may also be named after the ID number (110101….jpg) instead of in the 照片 column.
      for (const r of table.rows) {
        if (photos.has(r.row)) continue;
        const id = cellOf(r, 'idNumber').trim().toUpperCase();
        const name = id && ['jpg', 'jpeg', 'png', 'JPG', 'JPEG', 'PNG'].map((e) => `${id}.${e}`).find((n) => zip.photos.has(n));
        if (name) photos.set(r.row, zipPhoto(zip, name));
      }
    }

    return commitRows(sessionId, table.rows, cols, photos, problems, {
      source: file.filename,
      where: (row, column) => `row ${row}, column ${column}`,
      action: 'exam.roster.import',
      detail: { file: file.filename },
      actor,
      ip,
    });
  }

  /**
   * The one write path of roster rows, for a file's rows and for one candidate added by hand: every row
   * checked by planRows (the same rules, whichever way it came), the room's seats counted, tickets issued,
   * photos sealed, audited — all rows or none.
   */
  function commitRows(
    sessionId: string,
    rows: TableRow[],
    cols: Record<Field, string | null>,
    photos: Map<number, PlannedRow['photo'] | string>,
    problems: Problem[],
    how: {
      /** What the rows came from, as refusals name it: the file name, or "the candidate". */
      source: string;
      /** A problem's path: "row 17, column 身份证号" for a file; the field for one candidate. */
      where: (row: number, column: string, field: Field) => string;
      action: 'exam.roster.import' | 'exam.roster.add';
      detail: Record<string, unknown>;
      actor: string;
      ip: string | null;
    },
  ): RosterImport {
    const { actor, ip } = how;
    const copied: string[] = [];
    try {
      const result = db
        .transaction(() => {
          const s = plans.session(sessionId);
          assertRosterOpen(s);
          const planned = planRows(s, rows, cols, photos, problems, how.where);
          const verdicts = trainingCheck && !problems.length ? trainingCheck({ id: s.id, startsAt: s.startsAt }, planned.map(checkRow)) : [];
          for (const v of verdicts)
            if (v.short && v.action === 'refuse')
              problems.push({
                path: how.where(v.row ?? 1, cols.trainingHours ?? ROSTER_COLUMNS.trainingHours.header, 'trainingHours'),
                problem: shortWords(v),
                got: v.hours,
              });
          const existing = entries(s.id);
          const room = config.rooms.find((r) => r.id === s.roomId);
          const seats = room ? seatIds(room).length : 0;
          const listed = rows.length;
          if (existing.length + listed > seats) {
            problems.push(
              listed === 1 && how.action === 'exam.roster.add'
                ? {
                    path: 'session',
                    problem: `room ${s.roomId} has ${seats} seats and the roster already lists ${existing.length} candidates: no seat is left`,
                  }
                : {
                    path: how.source,
                    problem: `lists ${listed} candidates; with the ${existing.length} already on the roster that is ${existing.length + listed}, more than the ${seats} seats of room ${s.roomId}`,
                  },
            );
          }
          if (problems.length) {
            problems.sort((a, b) => rowOf(a) - rowOf(b));
            const what = how.action === 'exam.roster.add' ? 'the candidate was not added' : 'nothing was imported';
            throw new ValidationError(
              problems,
              `${how.action === 'exam.roster.add' ? how.source : `roster ${how.source}`}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${what}\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
            );
          }

          // Issued tickets are random (tickets.ts): a log-in credential, so never derived from the session.
          const taken = new Set(existing.map((e) => credentialKey(e.ticketNo)));
          for (const p of planned) if (p.ticketNo) taken.add(credentialKey(p.ticketNo));
          const nextTicket = () => {
            const t = newTicketNo(taken);
            taken.add(credentialKey(t));
            return t;
          };
          const now = clock.now();
          const upsertPerson = db.prepare(
            `INSERT INTO candidates (id_number, name, photo, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(id_number) DO UPDATE SET name = excluded.name, photo = COALESCE(excluded.photo, candidates.photo), updated_at = excluded.updated_at`,
          );
          const insertEntry = db.prepare(
            `INSERT INTO roster_entries (session_id, id_number, ticket_no, name, category, operation_class, industry, institution, photo, attempt, trained_on, retake, rule)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          );
          const renamed: { idNumber: string; from: string; to: string }[] = [];
          for (const p of planned) {
            let photo: string | null = null;
            if (p.photo) {
              // Content-addressed: a new photo never overwrites the one an earlier session's record points at.
              photo = `roster/${p.idNumber}-${createHash('sha256').update(p.photo.bytes).digest('hex').slice(0, 12)}.${p.photo.ext}`;
              const dest = join(paths.captures, photo);
              if (!existsSync(dest)) {
                mkdirSync(join(paths.captures, 'roster'), { recursive: true, mode: 0o750 });
                writeFileSync(dest, faceVault.seal(p.photo.bytes), { mode: 0o640 });
                copied.push(dest);
              }
            }
            const before = db.prepare('SELECT name, photo FROM candidates WHERE id_number = ?').get(p.idNumber) as
              | { name: string; photo: string | null }
              | undefined;
            if (before && before.name !== p.name) renamed.push({ idNumber: p.idNumber, from: before.name, to: p.name });
            upsertPerson.run(p.idNumber, p.name, photo, now, now);
            insertEntry.run(
              s.id,
              p.idNumber,
              p.ticketNo ?? nextTicket(),
              p.name,
              p.category,
              p.operationClass,
              p.industry,
              p.institution,
              photo ?? before?.photo ?? null,
              p.attempt,
              p.trainedOn,
              p.retake,
              JSON.stringify(p.rule),
            );
          }
          const short = verdicts.filter((v) => v.short && v.action === 'warn');
          audit.append({
            actor,
            action: how.action,
            target: s.id,
            detail: {
              ...how.detail,
              ...(how.action === 'exam.roster.add'
                ? {
                    ticketNo: db.prepare('SELECT ticket_no FROM roster_entries WHERE session_id = ? AND id_number = ?').pluck().get(s.id, planned[0]!.idNumber),
                  }
                : {}),
              added: planned.length,
              retakes: planned.filter((p) => p.attempt === 2).length,
              photos: planned.filter((p) => p.photo).length,
              renamed,
              ...(short.length
                ? { trainingShort: short.map((v) => ({ row: v.row, hours: v.hours, required: v.requiredHours, source: v.source, from: v.from })) }
                : {}),
            },
            ip,
          });
          return {
            sessionId: s.id,
            added: planned.length,
            total: existing.length + planned.length,
            ...(trainingCheck ? { trainingHours: { checked: verdicts.length, short } } : {}),
          };
        })
        .immediate();
      bus.emit('roster.imported', { sessionId: result.sessionId, added: result.added, total: result.total });
      return { ...result, entries: entries(sessionId) };
    } catch (err) {
      for (const f of copied) rmSync(f, { force: true });
      throw err;
    }
  }

  /**
   * One candidate added by hand (the admin console's form): checked as one roster row — the same planRows,
   * the same seat count, ticket issue and audit — so a person refused in a file is refused here too, for
   * the same reason. The photo, when there is one, is the bytes of a JPEG or PNG.
   */
  function addCandidate(sessionId: string, input: CandidateInput, actor: string, ip: string | null = null): RosterImport & { entry: RosterEntry } {
    assertRosterOpen(plans.session(sessionId));
    const cells: Record<string, string> = {};
    const cols = {} as Record<Field, string | null>;
    for (const f of Object.keys(ROSTER_COLUMNS) as Field[]) {
      cols[f] = ROSTER_COLUMNS[f].header;
      const v = f === 'photo' ? (input.photo ? 'photo' : '') : input[f];
      cells[ROSTER_COLUMNS[f].header] = v === undefined || v === null ? '' : String(v);
    }
    const photos = new Map<number, PlannedRow['photo'] | string>();
    if (input.photo) photos.set(1, photoType(input.photo, ''));
    const r = commitRows(sessionId, [{ row: 1, cells, longNumbers: new Set() }], cols, photos, [], {
      source: 'the candidate',
      where: (_row, _column, field) => field,
      action: 'exam.roster.add',
      detail: { name: cells[ROSTER_COLUMNS.name.header] },
      actor,
      ip,
    });
    const idNumber = checkIdNumber(input.idNumber, localDate(clock.now(), tz));
    const entry = r.entries.find((e) => idNumber.ok && e.idNumber === idNumber.card.idNumber)!;
    return { ...r, entry };
  }

  function rowOf(p: Problem): number {
    return Number(/^row (\d+)/.exec(p.path)?.[1] ?? 1e9);
  }

  function planRows(
    s: ExamSession,
    rows: TableRow[],
    cols: Record<Field, string | null>,
    photos: Map<number, PlannedRow['photo'] | string>,
    problems: Problem[],
    where: (row: number, column: string, field: Field) => string,
  ): PlannedRow[] {
    const t = s.template;
    const examDay = localDate(s.startsAt, tz);
    const today = localDate(clock.now(), tz);
    const out: PlannedRow[] = [];
    const seenId = new Map<string, number>();
    const seenTicket = new Map<string, number>();
    const inSession = new Set(
      (db.prepare('SELECT id_number FROM roster_entries WHERE session_id = ?').all(s.id) as { id_number: string }[]).map((r) => r.id_number),
    );
    // Compared as typed at a terminal (credentialKey): A-77 and a77 would be one log-in.
    const ticketsInSession = new Set(
      (db.prepare('SELECT ticket_no FROM roster_entries WHERE session_id = ?').all(s.id) as { ticket_no: string }[]).map((r) => credentialKey(r.ticket_no)),
    );

    for (const r of rows) {
      const cell = (f: Field) => cellOf(r, f);
      const at = (f: Field) => where(r.row, cols[f] ?? ROSTER_COLUMNS[f].header, f);
      const before = problems.length;
      const bad = (f: Field, problem: string, got?: unknown) => problems.push({ path: at(f), problem, ...(got === undefined ? {} : { got }) });

      let idNumber = '';
      let birthDate = '';
      if (cols.idNumber && r.longNumbers.has(cols.idNumber)) {
        bad(
          'idNumber',
          'Excel stored this ID number as a number and has already dropped its last digits; format the column as text and type the numbers again',
        );
      } else {
        const c = checkIdNumber(cell('idNumber'), today);
        if (c.ok) ({ idNumber, birthDate } = c.card);
        else bad('idNumber', c.problem, c.got || undefined);
      }

      const name = cell('name').normalize('NFKC').trim();
      if (!name) bad('name', 'missing');
      else if ([...name].length > 50) bad('name', 'must be at most 50 characters', name);

      const rawCategory = norm(cell('category'));
      const category = CATEGORY_ALIASES[rawCategory] ?? null;
      if (!rawCategory) bad('category', `missing (this session is for ${CATEGORY_LABELS[t.category]})`);
      else if (!category) bad('category', `must be one of ${CATEGORIES.map((c) => CATEGORY_LABELS[c]).join(', ')}`, cell('category'));
      else if (category !== t.category)
        bad('category', `must be ${CATEGORY_LABELS[t.category]}: this session's template ${t.id} is for ${CATEGORY_LABELS[t.category]}`, cell('category'));

      const rawOp = cell('operationClass').normalize('NFKC').trim();
      let operationClass: string | null = null;
      if (t.category === 'special_operation') {
        if (!rawOp) bad('operationClass', `missing (this session is for ${t.operationClass ?? 'a special operation'})`);
        else if (t.operationClass && norm(rawOp) !== norm(t.operationClass))
          bad('operationClass', `must be ${t.operationClass}: this session's template ${t.id} is for that operation class`, rawOp);
        else operationClass = t.operationClass ?? rawOp;
      } else if (rawOp) {
        bad('operationClass', `only special operations (特种作业人员) have an operation class; this session is for ${CATEGORY_LABELS[t.category]}`, rawOp);
      }

      const rawIndustry = norm(cell('industry'));
      let industry: Industry = t.industry;
      if (rawIndustry) {
        const i = INDUSTRY_ALIASES[rawIndustry];
        if (!i) bad('industry', `must be one of ${INDUSTRIES.map((x) => INDUSTRY_LABELS[x]).join(', ')}`, cell('industry'));
        else if (t.industry !== 'general' && i !== t.industry)
          bad('industry', `must be ${INDUSTRY_LABELS[t.industry]}: this session's template ${t.id} is for that industry`, cell('industry'));
        else industry = i;
      }

      const institution = cell('institution').normalize('NFKC').trim() || null;
      if (institution && [...institution].length > 100) bad('institution', 'must be at most 100 characters', institution);

      const ticketNo = cell('ticketNo').trim() || null;
      if (ticketNo && !/^[A-Za-z0-9-]{1,32}$/.test(ticketNo)) bad('ticketNo', 'must be 1–32 letters, digits or "-"', ticketNo);
      else if (ticketNo && ticketsInSession.has(credentialKey(ticketNo))) bad('ticketNo', 'is already used by another candidate of this session', ticketNo);
      else if (ticketNo && seenTicket.has(credentialKey(ticketNo))) bad('ticketNo', `is also on row ${seenTicket.get(credentialKey(ticketNo))}`, ticketNo);
      else if (ticketNo) seenTicket.set(credentialKey(ticketNo), r.row);

      const trainedOn = cell('trainedOn').trim() || null;
      if (trainedOn && !isDate(trainedOn)) bad('trainedOn', 'must be a date YYYY-MM-DD', trainedOn);
      else if (trainedOn && trainedOn > examDay) bad('trainedOn', `is after the exam day ${examDay}`, trainedOn);
      else if (trainedOn && trainedOn > today) bad('trainedOn', `is in the future (today is ${today})`, trainedOn);

      const hoursCell = cell('trainingHours').normalize('NFKC').trim();
      if (hoursCell !== '' && !(Number.isFinite(Number(hoursCell)) && Number(hoursCell) >= 0 && Number(hoursCell) <= 2000))
        bad('trainingHours', 'must be a number of 学时 from 0 to 2000', hoursCell);
      else if (hoursCell !== '' && !cell('institution').trim()) bad('trainingHours', 'comes with the 培训机构 that credited them', hoursCell);

      const photo = photos.get(r.row);
      if (typeof photo === 'string') bad('photo', photo, cell('photo'));

      if (idNumber) {
        if (inSession.has(idNumber)) bad('idNumber', 'this person is already on the roster of this session');
        else if (seenId.has(idNumber)) bad('idNumber', `the same person is also on row ${seenId.get(idNumber)}`);
        else seenId.set(idNumber, r.row);
        // 《特种作业人员安全技术培训考核管理规定》 第四条: special operators must be at least 18.
        if (birthDate && t.category === 'special_operation' && ageOn(birthDate, examDay) < 18)
          bad('idNumber', `born ${birthDate}: special operators must be at least 18 on the exam day ${examDay}`);
      }
      if (problems.length > before || !idNumber || !category) continue;

      const e = eligibility(idNumber, { category, operationClass, industry }, s, trainedOn && isDate(trainedOn) ? trainedOn : null);
      if (!e.ok) {
        bad('idNumber', e.problem);
        continue;
      }
      out.push({
        row: r.row,
        idNumber,
        name,
        category,
        operationClass,
        industry,
        institution,
        ticketNo,
        trainedOn,
        trainingHours: hoursCell === '' ? null : Number(hoursCell),
        photo: (photo as PlannedRow['photo']) ?? null,
        attempt: e.attempt,
        retake: e.retake,
        rule: e.rule,
      });
    }
    return out;
  }

  const checkRow = (p: PlannedRow): TrainingCheckRow => ({
    row: p.row,
    idNumber: p.idNumber,
    name: p.name,
    category: p.category,
    operationClass: p.operationClass,
    industry: p.industry,
    institution: p.institution,
    hours: p.trainingHours,
  });

  return {
    importRoster,
    addCandidate,
    entries,
    eligibility,
    setTrainingCheck(fn: TrainingCheck): void {
      trainingCheck = fn;
    },
  };
}

/** 12 of 16 学时 (class 2026 第3期, rules.principal) — the words of a refusal or a warning. */
export function shortWords(v: TrainingCheckVerdict): string {
  const where = v.source === 'none' ? 'no training hours known here or on the roster' : `from ${v.from ?? v.source}`;
  return `short of training hours: ${v.hours} of ${v.requiredHours} 学时 (${where}; ${v.rule})`;
}

export type Roster = ReturnType<typeof createRoster>;
