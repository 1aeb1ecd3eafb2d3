// A simulated ID-card reader driver: posts one card the way the real driver on the kiosk PC does
// (docs/kiosk-api.md, "Card reader"), so the kiosk flow can be tried and rehearsed without hardware.
//
//   node --import tsx kiosk/reader-sim.ts --url http://127.0.0.1:8080 --token=KIOSK_TOKEN --id 440106… --name 张三 [--photo FILE]
//   node --import tsx kiosk/reader-sim.ts --url http://127.0.0.1:8080 --kiosk K1 --user admin --password … --id … --name …
//
// With --token it is the kiosk device itself (as a real reader driver is). With --user/--password an admin
// simulates a swipe at the named kiosk (audited as kiosk.card.simulated).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `usage: reader-sim --id ID_NUMBER --name NAME [--photo FILE] [--issuer TEXT] [--valid-until YYYY-MM-DD]
                  [--url http://127.0.0.1:8080] (--token=KIOSK_TOKEN | --kiosk K1 --user admin --password PASSWORD)`;

export interface SimulatedCard {
  idNumber: string;
  name: string;
  photo?: Buffer;
  issuer?: string;
  validUntil?: string;
}

/** Posts one card; returns the card id the kiosk app will look up. */
export async function swipeCard(
  opts: { url: string; card: SimulatedCard } & ({ token: string } | { kiosk: string; user: string; password: string }),
): Promise<string> {
  const body = JSON.stringify({
    idNumber: opts.card.idNumber,
    name: opts.card.name,
    ...(opts.card.photo ? { photoBase64: opts.card.photo.toString('base64') } : {}),
    ...(opts.card.issuer ? { issuer: opts.card.issuer } : {}),
    ...(opts.card.validUntil ? { validUntil: opts.card.validUntil } : {}),
  });
  let res: Response;
  if ('token' in opts) {
    res = await fetch(`${opts.url}/api/kiosk/card`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
      body,
    });
  } else {
    const login = await fetch(`${opts.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: opts.user, password: opts.password }),
    });
    if (login.status !== 200) throw new Error(`log-in as ${opts.user} failed (${login.status}): ${await login.text()}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    res = await fetch(`${opts.url}/api/kiosk/simulated-card?kiosk=${encodeURIComponent(opts.kiosk)}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body,
    });
    await fetch(`${opts.url}/api/auth/logout`, { method: 'POST', headers: { cookie } }).catch(() => null);
  }
  const text = await res.text();
  if (res.status !== 202) throw new Error(`the server refused the card (${res.status}): ${text}`);
  return (JSON.parse(text) as { cardId: string }).cardId;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      token: { type: 'string' },
      kiosk: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      photo: { type: 'string' },
      issuer: { type: 'string' },
      'valid-until': { type: 'string' },
    },
  });
  if (!values.id || !values.name || !(values.token || (values.kiosk && values.user && values.password))) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const card: SimulatedCard = {
    idNumber: values.id,
    name: values.name,
    ...(values.photo ? { photo: readFileSync(values.photo) } : {}),
    ...(values.issuer ? { issuer: values.issuer } : {}),
    ...(values['valid-until'] ? { validUntil: values['valid-until'] } : {}),
  };
  const url = values.url!.replace(/\/+$/, '');
  const cardId = values.token
    ? await swipeCard({ url, token: values.token, card })
    : await swipeCard({ url, kiosk: values.kiosk!, user: values.user!, password: values.password!, card });
  process.stdout.write(`card ${cardId} sent (${card.name}); the kiosk app looks it up now\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`reader-sim: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
