// Reads, validates and normalises the config file. Every problem in the file is reported at once,
// each as `path: problem (got X)`, so an operator fixes the file in one pass instead of one per start.
import { readFileSync, accessSync, constants } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parseDocument, LineCounter } from 'yaml';
import { ValidationError, parseAddressRange, schemaProblems, type Problem } from '../core/index.ts';
import { ConfigSchema, type Config, type ConfigFile } from './schema.ts';
import { resolveRules, rulesProblems } from './rules.ts';
import { SECRET_SOUNDING_NAME } from './masking.ts';
import { gb28181Problems, normaliseGb28181 } from './gb28181.ts';
import { normaliseBackup } from './sections/backup.ts';
import { normaliseObjectStore, objectStoreProblems } from './sections/object-store.ts';

export const DEFAULT_CONFIG_FILE = '/etc/examroom/config.yaml';

export class ConfigError extends ValidationError {
  constructor(
    readonly file: string,
    problems: Problem[],
  ) {
    super(problems, `config ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'ConfigError';
  }
}

/** Which file to read: the --config flag, else EXAMROOM_CONFIG, else the system path. */
export function configFilePath(flag?: string): string {
  return flag ?? process.env.EXAMROOM_CONFIG ?? DEFAULT_CONFIG_FILE;
}

export function loadConfig(file: string, opts: { dataDir?: string } = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read (${(err as Error).message})`;
    throw new ConfigError(file, [{ path: '(file)', problem: why, got: file }]);
  }
  return parseConfig(text, { file, ...opts });
}

export function parseConfig(text: string, opts: { file?: string; dataDir?: string } = {}): Config {
  const file = opts.file ?? '(inline)';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, problem: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    throw new ConfigError(file, [{ path: '(top level)', problem: 'the file has no settings; it needs at least site: and rooms:' }]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '(top level)', problem: 'must be a mapping of settings (site:, rooms:, …)', got: raw }]);
  }
  const problems = configSchemaProblems(raw);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const baseDir = opts.file ? dirname(resolve(opts.file)) : process.cwd();
  const config = normalise(raw as ConfigFile, opts.file ?? null, baseDir, opts.dataDir);
  const semantic = [...crossCheck(config, raw as ConfigFile), ...rulesProblems((raw as ConfigFile).rules)];
  if (semantic.length > 0) throw new ConfigError(file, semantic);
  return config;
}

/** The schema's verdict on the file, in the operator's words: YAML says "a mapping", and a misspelt key gets a suggestion. */
function configSchemaProblems(value: unknown): Problem[] {
  const problems = schemaProblems(ConfigSchema, value, { nouns: { object: 'a mapping' }, unknownField: unknownSetting });
  // A secret put where no setting takes it (`secret: …` instead of a secretFile) is not echoed into the log.
  return problems.map(({ got, ...p }) =>
    p.problem.startsWith('unknown setting') && SECRET_SOUNDING_NAME.test(p.path.split('.').at(-1) ?? '') ? p : { ...p, ...(got === undefined ? {} : { got }) },
  );
}

/** Names the setting the operator probably meant, else lists what is allowed at that level. */
function unknownSetting(name: string, known: string[]): string {
  const near = known
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  if (near) return `unknown setting (did you mean ${near.k}?)`;
  return known.length > 0 ? `unknown setting (allowed here: ${known.join(', ')})` : 'unknown setting (check the spelling)';
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      // An adjacent swap ("nmae") counts as one edit: it is the commonest typing slip.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

function normalise(raw: ConfigFile, file: string | null, baseDir: string, dataOverride?: string): Config {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const rawTls = raw.server?.tls;
  const tls = rawTls && rawTls !== 'site-ca' ? { cert: at(rawTls.cert), key: at(rawTls.key) } : undefined;
  const data = dataOverride ? resolve(dataOverride) : at(raw.paths?.data ?? '/var/lib/examroom');
  return {
    file: file ? resolve(file) : null,
    site: { ...raw.site, timezone: raw.site.timezone ?? 'Asia/Shanghai' },
    server: {
      host: raw.server?.host ?? '0.0.0.0',
      port: raw.server?.port ?? 8080,
      // `true` is refused by crossCheck; here it only has to survive until then.
      trustProxy: Array.isArray(raw.server?.trustProxy) ? raw.server.trustProxy : [],
      metricsFrom: raw.server?.metricsFrom ?? [],
      connections: {
        max: raw.server?.connections?.max ?? 4096,
        perAddress: raw.server?.connections?.perAddress ?? 256,
        headersSeconds: raw.server?.connections?.headersSeconds ?? 15,
        requestSeconds: raw.server?.connections?.requestSeconds ?? 120,
        idleSeconds: raw.server?.connections?.idleSeconds ?? 120,
        keepAliveSeconds: raw.server?.connections?.keepAliveSeconds ?? 10,
      },
      ...(tls ? { tls } : {}),
      siteCa: rawTls === 'site-ca',
      names: [...new Set((raw.server?.names ?? []).map((n) => n.toLowerCase()))],
      httpPort: raw.server?.httpPort ?? null,
    },
    // Beside the data folder, never inside it: a copy of the data folder (a backup, an export) must not
    // carry the keys, which travel only in the passphrase-protected key bundle.
    paths: { data, keys: raw.paths?.keys ? at(raw.paths.keys) : `${data}-keys` },
    rooms: raw.rooms,
    terminals: [...(raw.terminals ?? []), ...raw.rooms.flatMap(perSeatTerminals)],
    kiosks: raw.kiosks ?? [],
    cameras: (raw.cameras ?? []).map((c) => ({ ...c, audio: c.audio ?? true, record: c.record ?? raw.media?.record ?? 'sessions' })),
    upstream: (raw.upstream ?? []).map((u) => ({ ...u, sources: u.sources ?? 'all' })),
    retention: { days: raw.retention?.days ?? 1096, minFreeGiB: raw.retention?.minFreeGiB ?? 20 },
    media: {
      segmentSeconds: raw.media?.segmentSeconds ?? 300,
      stallSeconds: raw.media?.stallSeconds ?? 10,
      maxBackoffSeconds: raw.media?.maxBackoffSeconds ?? 3,
      reserveMiB: raw.media?.reserveMiB ?? 512,
      record: raw.media?.record ?? 'sessions',
      recordMarginMinutes: raw.media?.recordMarginMinutes ?? 30,
      excerpts: {
        perUser: raw.media?.excerpts?.perUser ?? 1,
        atOnce: raw.media?.excerpts?.atOnce ?? 2,
        maxMinutes: raw.media?.excerpts?.maxMinutes ?? 240,
        maxMiB: raw.media?.excerpts?.maxMiB ?? 4096,
      },
      hevcTranscodes: raw.media?.hevcTranscodes ?? 2,
    },
    security: {
      sessionHours: raw.security?.sessionHours ?? 12,
      lockoutFailures: raw.security?.lockoutFailures ?? 5,
      lockoutMinutes: raw.security?.lockoutMinutes ?? 15,
      loginPerMinute: raw.security?.loginPerMinute ?? 20,
      pairingMinutes: raw.security?.pairingMinutes ?? 30,
      deviceTokens: {
        unusedDays: raw.security?.deviceTokens?.unusedDays ?? 30,
        rotateDays: raw.security?.deviceTokens?.rotateDays ?? 7,
        graceMinutes: raw.security?.deviceTokens?.graceMinutes ?? 10,
      },
    },
    users: raw.users ?? [],
    bank: {
      centralUrl: raw.bank?.centralUrl ?? null,
      publicKeys: (raw.bank?.publicKeys ?? []).map((k) => ({ id: k.id, key: k.key.trim() })),
      syncIntervalMinutes: raw.bank?.syncIntervalMinutes ?? null,
    },
    exam: {
      showScore: raw.exam?.showScore ?? true,
      snapshotIntervalSeconds: raw.exam?.snapshotIntervalSeconds ?? 60,
      snapshotMaxBytes: (raw.exam?.snapshotMaxKiB ?? 64) * 1024,
      snapshotQuota: {
        count: raw.exam?.snapshotQuota?.count ?? defaultSnapshotCount(raw.exam?.snapshotIntervalSeconds ?? 60),
        bytes: Math.round((raw.exam?.snapshotQuota?.mebibytes ?? 16) * 1024 * 1024),
      },
      reconnectGraceSeconds: raw.exam?.reconnectGraceSeconds ?? 10,
      resultDisplaySeconds: raw.exam?.resultDisplaySeconds ?? 60,
    },
    examPcs: {
      loginChecks: {
        build: raw.examPcs?.loginChecks?.build ?? true,
        monitor: raw.examPcs?.loginChecks?.monitor ?? true,
        fullscreen: raw.examPcs?.loginChecks?.fullscreen ?? true,
      },
      maxClockSkewSeconds: raw.examPcs?.maxClockSkewSeconds ?? 30,
    },
    identity: {
      threshold: raw.identity?.threshold ?? null,
      livenessChallenges: raw.identity?.livenessChallenges ?? ['turn_left', 'turn_right', 'blink'],
      attemptMinutes: raw.identity?.attemptMinutes ?? 5,
      enrolOnImport: raw.identity?.enrolOnImport ?? true,
      kioskFaceSeconds: raw.identity?.kioskFaceSeconds ?? 45,
      faceAttempts: raw.identity?.faceAttempts ?? 3,
    },
    faceNotice: {
      version: raw.faceNotice?.version ?? 'default-2026-12',
      controller: raw.faceNotice?.controller ?? raw.site.name,
      contact: raw.faceNotice?.contact ?? null,
      text: { zh: raw.faceNotice?.text?.zh ?? null, en: raw.faceNotice?.text?.en ?? null },
      idle: { zh: raw.faceNotice?.idle?.zh ?? null, en: raw.faceNotice?.idle?.en ?? null },
    },
    records: {
      // A trailing slash would make the QR's URL `…/verify//PAYLOAD`.
      verifyBaseUrl: raw.records?.verifyBaseUrl?.replace(/\/+$/, '') ?? null,
      certificatePrefix: raw.records?.certificatePrefix ?? raw.site.id.toUpperCase().replace(/[^A-Z0-9-]/g, '-'),
      issuingOffice: raw.records?.issuingOffice ?? null,
      verifyPerMinute: raw.records?.verifyPerMinute ?? 60,
    },
    rules: resolveRules(raw.rules),
    reporting: {
      url: raw.reporting?.url ?? null,
      caFile: raw.reporting?.caFile ? at(raw.reporting.caFile) : null,
      tokenFile: raw.reporting?.tokenFile ? at(raw.reporting.tokenFile) : null,
      timeoutSeconds: raw.reporting?.timeoutSeconds ?? 30,
      maxBackoffMinutes: raw.reporting?.maxBackoffMinutes ?? 60,
      send: { identityChecks: raw.reporting?.send?.identityChecks ?? true, photos: raw.reporting?.send?.photos ?? false },
    },
    audit: { anchorEveryEntries: raw.audit?.anchorEveryEntries ?? 500, anchorEveryMinutes: raw.audit?.anchorEveryMinutes ?? 60 },
    training: {
      signInOpensMinutes: raw.training?.signInOpensMinutes ?? 30,
      signOutClosesMinutes: raw.training?.signOutClosesMinutes ?? 30,
      lateGraceMinutes: raw.training?.lateGraceMinutes ?? 5,
    },
    privacy: {
      descriptorDays: raw.privacy?.descriptorDays ?? 30,
      faceCountWarnAt: raw.privacy?.faceCountWarnAt ?? 80_000,
      sweepMinutes: raw.privacy?.sweepMinutes ?? 60,
    },
    gb28181: raw.gb28181 ? normaliseGb28181(raw.gb28181, gbSources(raw), raw.site.name) : null,
    backup: normaliseBackup(raw.backup, at),
    objectStore: raw.objectStore ? normaliseObjectStore(raw.objectStore, baseDir) : null,
  };
}

/** The sources a GB/T 28181 platform may see as channels: cameras, then configured terminals' screens. */
function gbSources(raw: ConfigFile): { id: string; name: string; room: string; roomName: string }[] {
  const roomName = new Map(raw.rooms.map((r) => [r.id, r.name]));
  const terminals = [...(raw.terminals ?? []), ...raw.rooms.flatMap(perSeatTerminals)];
  return [
    ...(raw.cameras ?? []).map((c) => ({ id: c.id, name: c.name, room: c.room, roomName: roomName.get(c.room) ?? c.room })),
    ...terminals.map((t) => ({ id: screenSourceId(t.id), name: `${t.id} 屏幕`, room: t.room, roomName: roomName.get(t.room) ?? t.room })),
  ];
}

/**
 * An Ed25519 public key as the config gives it: PEM (SPKI) text, or the base64 of the key's 32 raw
 * bytes (one line, easy to paste into YAML). Throws an Error whose message completes "key: …".
 */
/**
 * The default per-attempt snapshot count: a 120-minute exam with half again for time added, pauses and
 * a late start (180 minutes) at the configured interval, plus 10 for reloads (each restarts the camera,
 * whose first picture comes 2 s after). 0 when snapshots are off.
 */
export function defaultSnapshotCount(intervalSeconds: number): number {
  return intervalSeconds > 0 ? Math.ceil((180 * 60) / intervalSeconds) + 10 : 0;
}

export function bankPublicKey(text: string): KeyObject {
  const s = text.trim();
  let key: KeyObject;
  if (s.startsWith('-----BEGIN')) {
    // createPublicKey would happily derive the public half from a private key; a private key in the
    // site config means the signing secret has left the central bank, so it is refused outright.
    if (/PRIVATE KEY/.test(s)) throw new Error('is a PRIVATE key; put the public key here and keep the private key at the central bank');
    try {
      key = createPublicKey(s);
    } catch (err) {
      throw new Error(`is not a readable PEM public key (${(err as Error).message})`);
    }
  } else {
    if (!/^[A-Za-z0-9+/]{43}=?$/.test(s)) throw new Error('must be PEM text or the base64 of the 32 raw key bytes (44 characters)');
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(s, 'base64').toString('base64url') }, format: 'jwk' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`is an ${String(key.asymmetricKeyType).toUpperCase()} key, but packages are signed with Ed25519`);
  return key;
}

/** `terminals: perSeat`: the room's PC at seat 07 is ROOM-07 (R101-07), so a PC's ?device= id says where it stands. */
export function perSeatTerminals(room: Config['rooms'][number]): Config['terminals'] {
  return room.terminals === 'perSeat' ? seatIds(room).map((seat) => ({ id: `${room.id}-${seat}`, room: room.id, seat })) : [];
}

/** Where a terminal came from, for a problem's path: its own line (field appended), or its room's perSeat shorthand. */
function terminalPath(c: Config, i: number, field: string): string {
  const explicit = c.terminals.length - c.rooms.reduce((n, r) => n + perSeatTerminals(r).length, 0);
  if (i < explicit) return `terminals[${i}].${field}`;
  return `rooms[${c.rooms.findIndex((r) => r.id === c.terminals[i]!.room)}].terminals`;
}

export function seatIds(room: { seats: { rows: number; columns: number } }): string[] {
  const n = room.seats.rows * room.seats.columns;
  const width = n >= 100 ? 3 : 2;
  return Array.from({ length: n }, (_, i) => String(i + 1).padStart(width, '0'));
}

/** Rules a schema cannot say: unique ids, references that must point at something that exists. */
function crossCheck(c: Config, raw: ConfigFile): Problem[] {
  const problems: Problem[] = [];
  if (raw.server?.trustProxy === true)
    problems.push({
      path: 'server.trustProxy',
      problem:
        'true trusts every hop, so any PC could claim any address in X-Forwarded-For; list the proxies instead, e.g. trustProxy: [127.0.0.1] for a proxy on this machine (false or absent = no proxy)',
      got: true,
    });
  c.server.trustProxy.forEach((entry, i) => {
    if (!parseAddressRange(entry))
      problems.push({ path: `server.trustProxy[${i}]`, problem: 'is not an IP address or a CIDR range such as 127.0.0.1 or 10.0.0.0/24', got: entry });
  });
  const conn = c.server.connections;
  if (conn.perAddress > conn.max)
    problems.push({ path: 'server.connections.perAddress', problem: `is more than server.connections.max (${conn.max})`, got: conn.perAddress });
  // Node refuses a headers limit longer than the whole request's.
  if (conn.headersSeconds > conn.requestSeconds)
    problems.push({
      path: 'server.connections.headersSeconds',
      problem: `is longer than server.connections.requestSeconds (${conn.requestSeconds}); the headers are part of the request`,
      got: conn.headersSeconds,
    });
  c.server.metricsFrom.forEach((entry, i) => {
    if (!parseAddressRange(entry))
      problems.push({ path: `server.metricsFrom[${i}]`, problem: 'is not an IP address or a CIDR range such as 10.0.0.5 or 10.0.0.0/24', got: entry });
  });
  const unique = (list: { id: string }[], name: string) => {
    const first = new Map<string, number>();
    list.forEach((item, i) => {
      const j = first.get(item.id);
      if (j === undefined) first.set(item.id, i);
      else problems.push({ path: `${name}[${i}].id`, problem: `duplicate of ${name}[${j}].id`, got: item.id });
    });
  };
  unique(c.rooms, 'rooms');
  const terminalIds = new Map<string, number>();
  c.terminals.forEach((t, i) => {
    const j = terminalIds.get(t.id);
    if (j === undefined) return void terminalIds.set(t.id, i);
    const here = terminalPath(c, i, 'id');
    if (here.startsWith('terminals[')) problems.push({ path: here, problem: `duplicate of ${terminalPath(c, j, 'id')}`, got: t.id });
    // Explicit lines come first: the clash shows at the line, naming the shorthand that also makes the id.
    else
      problems.push({
        path: terminalPath(c, j, 'id'),
        problem: `is also the id that ${here} (room ${t.room}: terminals: perSeat) gives its PC at seat ${t.seat}; pick another id`,
        got: t.id,
      });
  });
  unique(c.kiosks, 'kiosks');
  unique(c.cameras, 'cameras');
  unique(c.upstream, 'upstream');
  const rooms = new Map(c.rooms.map((r) => [r.id, r]));
  const roomList = () => [...rooms.keys()].join(', ');
  const seatTaken = new Map<string, number>();
  c.terminals.forEach((t, i) => {
    const room = rooms.get(t.room);
    if (!room) return void problems.push({ path: `terminals[${i}].room`, problem: `no such room (rooms are ${roomList()})`, got: t.room });
    const seats = seatIds(room);
    if (!seats.includes(t.seat)) {
      problems.push({ path: `terminals[${i}].seat`, problem: `room ${room.id} has seats ${seats[0]}–${seats.at(-1)}`, got: t.seat });
    }
    const key = `${t.room}/${t.seat}`;
    const j = seatTaken.get(key);
    if (j === undefined) seatTaken.set(key, i);
    else if (!terminalPath(c, i, 'seat').startsWith('terminals['))
      // Explicit lines come first, so the clash is found at the shorthand's PC: name the explicit line.
      problems.push({
        path: `terminals[${j}]`,
        problem: `room ${room.id} says terminals: perSeat, which already puts ${t.id} at seat ${t.seat}; remove this line or the room's shorthand`,
        got: c.terminals[j]!.id,
      });
    else problems.push({ path: `terminals[${i}].seat`, problem: `seat already taken by terminals[${j}]`, got: t.seat });
  });
  c.kiosks.forEach((k, i) => {
    k.rooms?.forEach((r, j) => {
      if (!rooms.has(r)) problems.push({ path: `kiosks[${i}].rooms[${j}]`, problem: `no such room (rooms are ${roomList()})`, got: r });
    });
  });
  c.cameras.forEach((cam, i) => {
    if (!rooms.has(cam.room)) problems.push({ path: `cameras[${i}].room`, problem: `no such room (rooms are ${roomList()})`, got: cam.room });
    if (cam.subUrl !== undefined && cam.subUrl === cam.url)
      problems.push({
        path: `cameras[${i}].subUrl`,
        problem: "is the same stream as url: give the camera's second (low-resolution) stream, or leave subUrl out",
        got: cam.subUrl,
      });
  });
  const cameraIds = new Set(c.cameras.map((x) => x.id));
  c.upstream.forEach((u, i) => {
    if (u.sources === 'all') return;
    u.sources.forEach((s, k) => {
      if (!cameraIds.has(s)) {
        const known = cameraIds.size > 0 ? `cameras are ${[...cameraIds].join(', ')}` : 'no cameras are configured';
        problems.push({ path: `upstream[${i}].sources[${k}]`, problem: `no such camera (${known})`, got: s });
      }
    });
  });
  const usernames = new Map<string, number>();
  c.users.forEach((u, i) => {
    const j = usernames.get(u.username);
    if (j !== undefined) problems.push({ path: `users[${i}].username`, problem: `duplicate of users[${j}].username`, got: u.username });
    else usernames.set(u.username, i);
    if (u.password && u.passwordHash) problems.push({ path: `users[${i}]`, problem: 'give password or passwordHash, not both' });
    if (!u.password && !u.passwordHash) problems.push({ path: `users[${i}].password`, problem: 'missing (give password or passwordHash)' });
    if (u.role === 'invigilator') {
      if (!u.rooms || u.rooms.length === 0) problems.push({ path: `users[${i}].rooms`, problem: 'an invigilator must be bound to at least one room' });
      u.rooms?.forEach((r, k) => {
        if (!rooms.has(r)) problems.push({ path: `users[${i}].rooms[${k}]`, problem: `no such room (rooms are ${roomList()})`, got: r });
      });
    } else if (u.rooms) {
      problems.push({ path: `users[${i}].rooms`, problem: `only invigilators are bound to rooms (role is ${u.role})` });
    }
    if (u.role === 'inspector' && !u.jurisdiction)
      problems.push({ path: `users[${i}].jurisdiction`, problem: 'an inspector must have a jurisdiction (level: province|city|site, code)' });
    if (u.role !== 'inspector' && u.jurisdiction)
      problems.push({ path: `users[${i}].jurisdiction`, problem: `only inspectors have a jurisdiction (role is ${u.role})` });
    if (u.jurisdiction && u.jurisdiction.level !== 'site' && !/^[0-9]{6}$/.test(u.jurisdiction.code)) {
      problems.push({
        path: `users[${i}].jurisdiction.code`,
        problem: `a ${u.jurisdiction.level} code is a six-digit division code`,
        got: u.jurisdiction.code,
      });
    }
  });
  problems.push(...bankProblems(c.bank));
  if (c.records.verifyBaseUrl !== null) {
    let u: URL | null = null;
    try {
      u = new URL(c.records.verifyBaseUrl);
    } catch {
      problems.push({ path: 'records.verifyBaseUrl', problem: 'is not a URL (like https://exam.example.gov.cn/verify)', got: c.records.verifyBaseUrl });
    }
    if (u && (!['http:', 'https:'].includes(u.protocol) || u.search || u.hash || u.username || u.password))
      problems.push({
        path: 'records.verifyBaseUrl',
        problem: 'must be an http(s) address without query, fragment or credentials: the certificate payload is appended to it',
        got: c.records.verifyBaseUrl,
      });
  }
  problems.push(...reportingProblems(c.reporting));
  const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
  if (inside(c.paths.keys, c.paths.data) || inside(c.paths.data, c.paths.keys)) {
    problems.push({
      path: 'paths.keys',
      problem: 'must be outside the data folder (and not contain it): a copy of the data must not carry the keys',
      got: c.paths.keys,
    });
  }
  c.server.names.forEach((n, i) => {
    if (!isIP(n) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(n)) {
      problems.push({ path: `server.names[${i}]`, problem: 'is neither a host name (letters, digits, - between dots) nor an IP address', got: n });
    }
  });
  if (c.server.httpPort !== null) {
    if (!c.server.siteCa && !c.server.tls)
      problems.push({
        path: 'server.httpPort',
        problem: 'is only for an HTTPS server (set server.tls); without TLS the one port serves everything',
        got: c.server.httpPort,
      });
    else if (c.server.httpPort !== 0 && c.server.httpPort === c.server.port)
      problems.push({ path: 'server.httpPort', problem: 'is the same as server.port', got: c.server.httpPort });
  }
  if (raw.objectStore && c.objectStore) problems.push(...objectStoreProblems(raw.objectStore, c.objectStore));
  if (raw.gb28181 && c.gb28181) problems.push(...gb28181Problems(raw.gb28181, c.gb28181, new Set(c.gb28181.channels.map((ch) => ch.sourceId))));
  if (c.server.tls) {
    for (const k of ['cert', 'key'] as const) {
      try {
        accessSync(c.server.tls[k], constants.R_OK);
      } catch {
        problems.push({ path: `server.tls.${k}`, problem: 'file not found or not readable', got: c.server.tls[k] });
      }
    }
  }
  return problems;
}

/** The reporting URL carries results and ID numbers: HTTPS, or plain HTTP only to a receiver on this machine. */
function reportingProblems(r: Config['reporting']): Problem[] {
  const problems: Problem[] = [];
  if (r.url !== null) {
    let u: URL | null = null;
    try {
      u = new URL(r.url);
    } catch {
      problems.push({ path: 'reporting.url', problem: 'is not a URL (e.g. https://exam.example.gov.cn/api/results)', got: r.url });
    }
    if (u) {
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
        problems.push({
          path: 'reporting.url',
          problem: 'must be https:// (plain http:// only to this machine: 127.0.0.1, ::1, localhost), since packages carry ID numbers and results',
          got: r.url,
        });
      // Not echoed: userinfo in the URL is a secret, and this message ends up in logs.
      if (u.username || u.password)
        problems.push({ path: 'reporting.url', problem: "carries a user name or password; put the platform's token in reporting.tokenFile instead" });
    }
  }
  for (const k of ['caFile', 'tokenFile'] as const) {
    const f = r[k];
    if (f === null) continue;
    try {
      accessSync(f, constants.R_OK);
    } catch {
      problems.push({ path: `reporting.${k}`, problem: 'file not found or not readable', got: f });
    }
  }
  return problems;
}

function bankProblems(bank: Config['bank']): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, number>();
  bank.publicKeys.forEach((k, i) => {
    const j = first.get(k.id);
    if (j === undefined) first.set(k.id, i);
    else problems.push({ path: `bank.publicKeys[${i}].id`, problem: `duplicate of bank.publicKeys[${j}].id`, got: k.id });
    try {
      bankPublicKey(k.key);
    } catch (err) {
      problems.push({ path: `bank.publicKeys[${i}].key`, problem: (err as Error).message, got: k.key });
    }
  });
  if (bank.centralUrl !== null) {
    if (!URL.canParse(bank.centralUrl)) problems.push({ path: 'bank.centralUrl', problem: 'is not a valid URL', got: bank.centralUrl });
    // Without a trusted key every package the central bank serves would be refused at each sync.
    if (bank.publicKeys.length === 0)
      problems.push({ path: 'bank.publicKeys', problem: 'missing: centralUrl is set, so at least one key is needed to trust what it serves' });
  }
  if (bank.syncIntervalMinutes !== null && bank.centralUrl === null) {
    problems.push({
      path: 'bank.syncIntervalMinutes',
      problem: 'set, but bank.centralUrl is not: there is nothing to sync from',
      got: bank.syncIntervalMinutes,
    });
  }
  return problems;
}

/** A terminal's screen as a media source id (media/screens.ts uses this one definition; GB/T 28181 channels derive from it). */
export function screenSourceId(terminalId: string): string {
  return `SCREEN-${terminalId}`;
}
