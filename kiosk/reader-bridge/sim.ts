// A simulated ID-card reader on a serial line (a pseudo-terminal made by socat in the tests and in
// rehearsals): answers the protocol's commands from generated frames, with a card to lay on it, take
// off, and faults to inject (a read failure, a broken checksum, a short frame, not authorised).
//
//   socat pty,raw,echo=0,link=/tmp/reader pty,raw,echo=0,link=/tmp/reader-sim &
//   node --import tsx kiosk/reader-bridge/sim.ts /tmp/reader-sim --name 张三 --id 440106198503120015 [--valid-until 20300101]
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeBaseInfo, type CardIdentity } from './card.ts';
import { encodeReply, FrameAssembler, parseCommand } from './frame.ts';

export type Fault = 'read_failed' | 'bad_checksum' | 'short_frame' | 'silence' | 'not_authorised';

/** 16 bytes the module answers to "SAM id" (12 FF): printed as 05.01-20261206-0000000042-1234567890. */
export const SIM_SAM_ID = (() => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(5, 0);
  b.writeUInt16LE(1, 2);
  b.writeUInt32LE(20261206, 4);
  b.writeUInt32LE(42, 8);
  b.writeUInt32LE(1234567890, 12);
  return b;
})();

export interface SimulatedReader {
  /** The card lying on the reader, or null. */
  card: CardIdentity | null;
  /** Faults for the next read commands (30 01), first first; `not_authorised` applies to any command. */
  faults: Fault[];
  /** Commands received, as "CMD PARA" hex. */
  log: string[];
  close(): void;
}

export function simulateReader(path: string): SimulatedReader {
  const fd = openSync(path, 'r+');
  const input = new ReadStream(fd);
  input.setRawMode(true);
  const frames = new FrameAssembler();
  const sim: SimulatedReader = {
    card: null,
    faults: [],
    log: [],
    close: () => {
      input.removeAllListeners('data');
      input.on('error', () => {});
      input.destroy();
    },
  };
  const send = (b: Buffer) => {
    try {
      writeSync(fd, b);
    } catch {
      // the other end went away (the test unplugged the reader)
    }
  };
  input.on('error', () => {});
  input.on('data', (chunk: Buffer) => {
    for (const r of frames.push(chunk)) {
      if ('error' in r) {
        send(encodeReply(0x10));
        continue;
      }
      const c = parseCommand(r.frame);
      sim.log.push(`${c.cmd.toString(16).padStart(2, '0')} ${c.para.toString(16).padStart(2, '0')}`);
      if (sim.faults[0] === 'not_authorised') {
        send(encodeReply(0x66));
        continue;
      }
      if (c.cmd === 0x12) send(encodeReply(0x90, SIM_SAM_ID));
      else if (c.cmd === 0x10 || c.cmd === 0x11) send(encodeReply(0x90));
      else if (c.cmd === 0x20 && c.para === 0x01) send(sim.card ? encodeReply(0x9f, Buffer.alloc(4)) : encodeReply(0x80));
      else if (c.cmd === 0x20 && c.para === 0x02) send(sim.card ? encodeReply(0x90, Buffer.alloc(8)) : encodeReply(0x81));
      else if (c.cmd === 0x30 && c.para === 0x01) {
        if (!sim.card) {
          send(encodeReply(0x41));
          continue;
        }
        const fault = sim.faults.shift();
        const good = encodeReply(0x90, encodeBaseInfo(sim.card));
        if (fault === 'read_failed') send(encodeReply(0x41));
        else if (fault === 'bad_checksum') {
          const bad = Buffer.from(good);
          bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
          send(bad);
        } else if (fault === 'short_frame') send(good.subarray(0, 200));
        else if (fault === 'silence') {
          // says nothing: the bridge's wait runs out
        } else send(good);
      } else send(encodeReply(0x21));
    }
  });
  return sim;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string', default: '张三' },
      id: { type: 'string', default: '440106198503120015' },
      'valid-until': { type: 'string', default: '20360101' },
    },
  });
  if (!positionals[0]) {
    process.stderr.write('usage: sim.ts PTY_PATH [--name N] [--id ID] [--valid-until YYYYMMDD|长期]\n');
    process.exit(1);
  }
  const sim = simulateReader(positionals[0]);
  sim.card = {
    name: values.name!,
    sexCode: '1',
    nationCode: '01',
    birth: values.id!.slice(6, 14),
    address: '广东省广州市天河区演示路1号',
    idNumber: values.id!,
    issuer: '广州市公安局天河分局',
    validFrom: '20160101',
    validUntil: values['valid-until']!,
  };
  process.stdout.write(`simulated reader on ${positionals[0]} with a card of ${sim.card.name} lying on it (Ctrl-C to stop)\n`);
}
