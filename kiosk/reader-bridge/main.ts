// examroom-reader-bridge: the ID-card reader's driver on the kiosk PC (docs/kiosk-api.md "Card reader").
//
//   examroom-reader-bridge pair  --config FILE        show a pairing code, wait for the console's approval
//   examroom-reader-bridge run   --config FILE        read cards and post them (what the service runs)
//   examroom-reader-bridge check --config FILE        open the port, print the SAM id and a card if one lies there
//
// FILE is JSON: { "url": "https://examroom.local", "kiosk": "K1", "port": "/dev/ttyUSB0" | "COM3",
//   "baud": 115200, "tokenFile": "…/token.json", "photoDecoder": "C:\\vendor\\wlt2bmp.exe {in} {out}" }
// (every key can also be given as --url, --kiosk, --port, --baud, --token-file, --photo-decoder).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createApplianceClient, pair } from './appliance.ts';
import { createBridge } from './bridge.ts';
import { commandDecoder } from './photo-decoder.ts';
import { createSamReader } from './reader.ts';
import { openSerial } from './serial.ts';
import { hex } from './frame.ts';

export interface BridgeConfig {
  url: string;
  kiosk: string;
  port: string;
  baud: number;
  tokenFile: string;
  photoDecoder: string | null;
  pollMs: number;
}

const USAGE = 'usage: examroom-reader-bridge pair|run|check --config FILE  (or --url URL --kiosk K1 --port PORT --token-file FILE)';

export function readConfig(argv: string[]): { command: string; config: BridgeConfig } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      url: { type: 'string' },
      kiosk: { type: 'string' },
      port: { type: 'string' },
      baud: { type: 'string' },
      'token-file': { type: 'string' },
      'photo-decoder': { type: 'string' },
      'poll-ms': { type: 'string' },
    },
  });
  const file = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as Partial<BridgeConfig>) : {};
  const config: BridgeConfig = {
    url: (values.url ?? file.url ?? '').replace(/\/+$/, ''),
    kiosk: values.kiosk ?? file.kiosk ?? '',
    port: values.port ?? file.port ?? '',
    baud: Number(values.baud ?? file.baud ?? 115200),
    tokenFile: values['token-file'] ?? file.tokenFile ?? '',
    photoDecoder: values['photo-decoder'] ?? file.photoDecoder ?? null,
    pollMs: Number(values['poll-ms'] ?? file.pollMs ?? 300),
  };
  const command = positionals[0] ?? '';
  const missing = [['url', config.url], ['kiosk', config.kiosk], ['tokenFile', config.tokenFile], ...(command === 'pair' ? [] : [['port', config.port]])]
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (!['pair', 'run', 'check'].includes(command) || missing.length) throw new Error(`${missing.length ? `missing ${missing.join(', ')}; ` : ''}${USAGE}`);
  if (!/^https?:\/\//.test(config.url)) throw new Error(`url must start with https:// (or http:// on a test bench): ${config.url}`);
  if (![9600, 19200, 38400, 57600, 115200].includes(config.baud))
    throw new Error(`baud must be one of 9600, 19200, 38400, 57600, 115200 (the protocol's rates): ${config.baud}`);
  return { command, config };
}

const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

export async function main(argv: string[]): Promise<number> {
  const { command, config } = readConfig(argv);
  if (command === 'pair') {
    await pair({ url: config.url, kioskId: config.kiosk, file: config.tokenFile, say });
    return 0;
  }
  if (command === 'check') {
    const link = await openSerial(config.port, config.baud, (e) => say(`broken frame: ${e.message}: ${hex(e.bytes)}`));
    try {
      const sam = createSamReader(link);
      say(`reader on ${config.port} answers; SAM id ${await sam.samId()}`);
      const r = await sam.readCard();
      if (r.kind === 'no_card') say('no card on the reader');
      else if (r.kind === 'problem') say(`card problem: ${r.problem.message}`);
      else say(`card read: ${r.card.name}, ${r.card.idNumber.slice(0, 6)}********${r.card.idNumber.slice(-4)}, valid until ${r.card.validUntil}`);
    } finally {
      link.close();
    }
    return 0;
  }
  const client = createApplianceClient({ url: config.url, file: config.tokenFile, log: say });
  const bridge = createBridge({
    port: config.port,
    open: (onFrameError) => openSerial(config.port, config.baud, onFrameError),
    pollMs: config.pollMs,
    decoder: config.photoDecoder ? commandDecoder(config.photoDecoder) : null,
    post: (card) => client.postCard(card),
    report: (r) => client.report(r),
    log: say,
  });
  client.start((online) => say(online ? `connected to ${config.url} as ${client.deviceId}` : `connection to ${config.url} lost; retrying`));
  const stop = () => {
    bridge.stop();
    client.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await bridge.run();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('examroom-reader-bridge.mjs')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`examroom-reader-bridge: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
