// A class's members (学员), imported as exam rosters are: a .csv/.xlsx/.json file with 身份证号, 姓名,
// 工作单位 and 照片, or a .zip of that file and its photos (the roster zip reader: GBK names, bomb limits;
// a photo may also be named ID-NUMBER.jpg). Every row is checked and every problem named; all or nothing.
// Photos are sealed by the face vault and enrolled in the background so refusals show before the class.
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ValidationError, formatProblem, idNumberProblem, maskIdNumber, normaliseIdNumber, type Problem } from '../core/index.ts';
import { headerKey, readTable } from '../documents/index.ts';
import { readRosterZip } from '../exam/index.ts';
import { decodeBase64Image, writeDurably } from '../kiosk/index.ts';
import type { MemberView, MembersImportReply, NewMember } from './protocol.ts';
import { iso, type Model, type TrainingDeps, type Viewer } from './model.ts';

export const MEMBER_COLUMNS = {
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '证件号码', 'idNumber', 'id_number'],
  name: ['姓名', 'name'],
  employer: ['工作单位', '单位', '单位名称', '所在单位', '企业名称', 'employer'],
  photo: ['照片', 'photo'],
} as const;
type Col = keyof typeof MEMBER_COLUMNS;

const MAX_PHOTO = 5 * 1024 * 1024;

export interface MemberInput {
  idNumber: string;
  name: string;
  employer?: string | null;
  photo?: Buffer;
  /** Where the row came from, for problems: "row 3" or "members[0]". */
  where?: string;
}

interface MemberRow {
  idNumber: string;
  name: string;
  employer: string | null;
  photo: string | null;
  addedAt: number;
}

function photoExt(b: Buffer): 'jpg' | 'png' | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  return null;
}

export function createMembers(deps: TrainingDeps, m: Model) {
  const { db, clock, audit, paths, identity, faceVault } = deps;

  function rows(classId: string): MemberRow[] {
    return db
      .prepare('SELECT id_number AS idNumber, name, employer, photo, added_at AS addedAt FROM training_members WHERE class_id = ? ORDER BY rowid')
      .all(classId) as MemberRow[];
  }

  function member(classId: string, idNumber: string): MemberRow | null {
    return (
      (db
        .prepare('SELECT id_number AS idNumber, name, employer, photo, added_at AS addedAt FROM training_members WHERE class_id = ? AND id_number = ?')
        .get(classId, idNumber) as MemberRow | undefined) ?? null
    );
  }

  const photoUrl = (classId: string, r: MemberRow) =>
    r.photo ? `/api/training/classes/${encodeURIComponent(classId)}/members/${encodeURIComponent(r.idNumber)}/photo` : null;

  function list(v: Viewer, classId: string): MemberView[] {
    const c = m.classFor(v, classId);
    const enrolled = new Map<string, string>();
    const photos = rows(c.id).flatMap((r) => (r.photo ? [r.photo] : []));
    if (photos.length) {
      const q = db.prepare('SELECT status, reason FROM face_enrolments WHERE photo = ?');
      for (const p of photos) {
        const e = q.get(p) as { status: string; reason: string | null } | undefined;
        enrolled.set(p, e ? (e.status === 'ok' ? 'ok' : (e.reason ?? e.status)) : 'pending');
      }
    }
    return rows(c.id).map((r) => ({
      idNumber: r.idNumber,
      idNumberMasked: maskIdNumber(r.idNumber),
      name: r.name,
      employer: r.employer,
      photoUrl: photoUrl(c.id, r),
      enrolment: r.photo ? (enrolled.get(r.photo) ?? 'pending') : null,
      addedAt: iso(r.addedAt),
    }));
  }

  /** The member's registration photo, opened from the face vault (the admin console's thumbnail). */
  function photo(v: Viewer, classId: string, idNumber: string): { bytes: Buffer; type: string } | null {
    const c = m.classFor(v, classId);
    const r = member(c.id, normaliseIdNumber(idNumber));
    if (!r?.photo) return null;
    const file = join(paths.captures, r.photo);
    if (!existsSync(file)) return null;
    const bytes = faceVault.open(readFileSync(file), r.photo);
    return { bytes, type: r.photo.endsWith('.png') ? 'image/png' : 'image/jpeg' };
  }

  /** All or nothing: every member is checked first and every problem listed; then stored in one transaction. */
  function add(v: Viewer, classId: string, members: MemberInput[], actor: string, ip: string | null = null): MembersImportReply {
    const c = m.classToManage(v, classId);
    const problems: Problem[] = [];
    const seen = new Map<string, string>();
    const planned = members.map((x, i) => {
      const where = x.where ?? `members[${i}]`;
      const idNumber = normaliseIdNumber(x.idNumber);
      const bad = idNumberProblem(idNumber);
      if (bad) problems.push({ path: `${where}, column 身份证号`, problem: bad, got: idNumber.length > 4 ? `…${idNumber.slice(-4)}` : idNumber });
      const j = seen.get(idNumber);
      if (j !== undefined && !bad) problems.push({ path: `${where}, column 身份证号`, problem: `same person as ${j}` });
      seen.set(idNumber, where);
      const name = x.name.normalize('NFKC').trim();
      if (!name) problems.push({ path: `${where}, column 姓名`, problem: 'must not be empty' });
      else if ([...name].length > 50) problems.push({ path: `${where}, column 姓名`, problem: 'must be at most 50 characters', got: name });
      const employer = x.employer?.normalize('NFKC').trim() || null;
      if (employer && [...employer].length > 100)
        problems.push({ path: `${where}, column 工作单位`, problem: 'must be at most 100 characters', got: employer });
      let ph: { bytes: Buffer; ext: string } | null = null;
      if (x.photo) {
        const ext = photoExt(x.photo);
        if (!ext) problems.push({ path: `${where}, column 照片`, problem: 'is neither a JPEG nor a PNG image' });
        else if (x.photo.length > MAX_PHOTO) problems.push({ path: `${where}, column 照片`, problem: 'is over 5 MB; an ID photo is tens of kilobytes' });
        else ph = { bytes: x.photo, ext };
      }
      return { idNumber, name, employer, photo: ph };
    });
    if (problems.length)
      throw new ValidationError(
        problems,
        `members: ${problems.length} problem(s); nothing was imported\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      );
    const now = clock.now();
    const stored = planned.map((p) => {
      if (!p.photo) return { ...p, file: null as string | null };
      // Content-addressed like roster photos: a new photo never overwrites the one a record points at.
      const file = `training/${p.idNumber}-${createHash('sha256').update(p.photo.bytes).digest('hex').slice(0, 12)}.${p.photo.ext}`;
      if (!existsSync(join(paths.captures, file))) writeDurably(faceVault, join(paths.captures, file), p.photo.bytes);
      return { ...p, file };
    });
    db.transaction(() => {
      const up = db.prepare(
        `INSERT INTO training_members (class_id, id_number, name, photo, added_at, employer) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(class_id, id_number) DO UPDATE SET name = excluded.name, photo = COALESCE(excluded.photo, training_members.photo),
           employer = COALESCE(excluded.employer, training_members.employer)`,
      );
      for (const p of stored) up.run(c.id, p.idNumber, p.name, p.file, now, p.employer);
      audit.append({
        actor,
        action: 'training.members.import',
        target: c.id,
        detail: { members: stored.length, photos: stored.filter((p) => p.file).length },
        ip,
      });
    }).immediate();
    void (async () => {
      for (const p of stored) if (p.file) await identity.enrolPhoto(p.file).catch(() => null);
    })();
    return { classId: c.id, added: stored.length, photos: stored.filter((p) => p.file).length, total: rows(c.id).length };
  }

  function addOne(v: Viewer, classId: string, input: NewMember, actor: string, ip: string | null = null): MemberView {
    let photo: Buffer | undefined;
    if (input.photoBase64 !== undefined) photo = decodeBase64Image(input.photoBase64, 'photoBase64', MAX_PHOTO);
    add(
      v,
      classId,
      [{ idNumber: input.idNumber, name: input.name, employer: input.employer ?? null, ...(photo ? { photo } : {}), where: 'member' }],
      actor,
      ip,
    );
    return list(v, classId).find((x) => x.idNumber === normaliseIdNumber(input.idNumber))!;
  }

  /**
   * A members file — .xlsx, .csv (UTF-8 or GB18030), .json, or a .zip of one of those and the photos —
   * into member inputs; photos from the zip, or from `photosDir` on the server (the CLI and scripts).
   */
  async function parseFile(bytes: Buffer, filename: string, photosDir: string | null): Promise<MemberInput[]> {
    const zip = /\.zip$/i.test(filename) ? await readRosterZip(bytes, filename) : null;
    if (!zip && !/\.(xlsx|csv|json|txt)$/i.test(filename))
      throw new ValidationError([{ path: 'filename', problem: 'members are read from .xlsx, .csv, .json or a .zip of one with the photos', got: filename }]);
    const name = zip ? zip.roster.name : filename;
    const table = await readTable(zip ? zip.roster.bytes : bytes, name.toLowerCase().endsWith('.txt') ? `${name}.csv` : name);
    const names = (k: Col) => MEMBER_COLUMNS[k].map((n) => headerKey(n).toLowerCase());
    const cellOf = (cells: Record<string, string>, k: Col) =>
      Object.entries(cells)
        .find(([h, v]) => v !== '' && names(k).includes(headerKey(h).toLowerCase()))?.[1]
        ?.trim() ?? '';
    const problems: Problem[] = [];
    for (const k of ['idNumber', 'name'] as Col[])
      if (!table.headers.some((h) => names(k).includes(headerKey(h).toLowerCase())) && !/\.json$/i.test(name))
        problems.push({ path: `column ${MEMBER_COLUMNS[k][0]}`, problem: `missing from the header row (found: ${table.headers.join(', ') || 'nothing'})` });
    if (problems.length) throw new ValidationError(problems);
    if (table.rows.length === 0) throw new ValidationError([{ path: filename, problem: 'has a header row but no members' }]);
    const out: MemberInput[] = [];
    for (const r of table.rows) {
      const where = `row ${r.row}`;
      const id = cellOf(r.cells, 'idNumber');
      if (!id) problems.push({ path: `${where}, column 身份证号`, problem: 'missing' });
      if (r.longNumbers.size && [...r.longNumbers].some((h) => names('idNumber').includes(headerKey(h).toLowerCase())))
        problems.push({
          path: `${where}, column 身份证号`,
          problem: 'was stored by Excel as a number, so its last digits are lost: format the column as text and type the numbers again',
        });
      const nm = cellOf(r.cells, 'name');
      if (!nm) problems.push({ path: `${where}, column 姓名`, problem: 'missing' });
      let photo: Buffer | undefined;
      const photoName = cellOf(r.cells, 'photo');
      const got = photoName ? findPhoto(photoName) : zip ? byIdNumber(id) : null;
      if (typeof got === 'string') problems.push({ path: `${where}, column 照片`, problem: got, got: photoName });
      else if (got) photo = got;
      out.push({ idNumber: id, name: nm, employer: cellOf(r.cells, 'employer') || null, ...(photo ? { photo } : {}), where });
    }
    if (problems.length)
      throw new ValidationError(
        problems,
        `members ${filename}: ${problems.length} problem(s); nothing was imported\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      );
    return out;

    function byIdNumber(id: string): Buffer | null {
      const key = id.trim().toUpperCase();
      const hit = key && ['jpg', 'jpeg', 'png', 'JPG', 'JPEG', 'PNG'].map((e) => `${key}.${e}`).find((n) => zip!.photos.has(n));
      return hit ? zip!.photos.get(hit)! : null;
    }
    function findPhoto(photoName: string): Buffer | string {
      if (zip) {
        const base = photoName.split(/[\\/]/).pop() ?? photoName;
        const key = zip.photos.has(base) ? base : [...zip.photos.keys()].find((k) => k.toLowerCase() === base.toLowerCase());
        if (!key) return 'no such photo in the zip';
        if (zip.ambiguous.has(key)) return `is in more than one folder of the zip; keep one ${key}`;
        return zip.photos.get(key)!;
      }
      if (!photosDir) return 'names a photo, but the members were uploaded without their photos: upload the file and the photos together as one .zip';
      if (photoName !== basename(photoName)) return 'must be a file name in the photo folder, without a path';
      const file = join(photosDir, photoName);
      if (!existsSync(file) || !statSync(file).isFile()) return `no such file in the photo folder ${photosDir}`;
      if (statSync(file).size > MAX_PHOTO) return 'is over 5 MB; an ID photo is tens of kilobytes';
      return readFileSync(file);
    }
  }

  return { rows, member, list, photo, add, addOne, parseFile };
}

export type Members = ReturnType<typeof createMembers>;
