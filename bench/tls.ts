// How long the site CA and server certificate take with the openssl command (server/tls/openssl.ts):
// the first start (CA + server certificate), a renewal, and the hourly check that finds nothing to do.
// docs/security.md compares these with @peculiar/x509, measured the same way outside the tree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/index.ts';
import { openDatabase } from '../storage/index.ts';
import { fixedClock } from '../core/index.ts';
import { prepareSiteTls } from '../server/tls/index.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const yaml = `
site: { id: bench, name: bench, province: "440000", city: "440100" }
server: { host: 127.0.0.1, port: 0, tls: site-ca, names: [examroom.lan, 192.168.1.10] }
rooms: [{ id: R1, name: R1, seats: { rows: 1, columns: 1 } }]
`;
const first: number[] = [];
const renew: number[] = [];
const check: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'examroom-bench-tls-'));
  try {
    const config = parseConfig(yaml, { dataDir: join(dir, 'data') });
    const db = openDatabase(join(dir, 'data', 'db', 'examroom.sqlite'));
    const clock = fixedClock(Date.now());
    let t0 = performance.now();
    const { tls } = await prepareSiteTls({ config, db, clock });
    first.push(performance.now() - t0);
    t0 = performance.now();
    await tls!.refresh();
    check.push(performance.now() - t0);
    t0 = performance.now();
    await tls!.refresh({ force: true });
    renew.push(performance.now() - t0);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`rounds ${ROUNDS}: first start ${first.map((x) => x.toFixed(0)).join(', ')} ms`);
console.log(`tls: first start ${median(first).toFixed(0)} ms, renewal ${median(renew).toFixed(0)} ms, hourly check ${median(check).toFixed(0)} ms`);
