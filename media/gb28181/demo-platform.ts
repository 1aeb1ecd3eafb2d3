// The demo's provincial platform: when sipp (Debian's sip-tester) is installed, `npm start` runs it as a
// GB/T 28181 registrar on a free loopback port and gives the demo site a `gb28181:` section pointing at
// it, so the console shows a platform online. Without sipp the demo has no platform. Never on a real site.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Gb28181Config, GbChannelConfig } from '../../config/index.ts';
import { derivedChannelId } from '../../config/index.ts';

const DEVICE_ID = '44010600001320000001';
const SERVER_ID = '44000000002000000001';
const PASSWORD = 'demo-gb-2026';

export interface DemoPlatform {
  config: Gb28181Config;
  stop(): void;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startDemoPlatform(
  sources: { id: string; name: string; roomName: string; room: string }[],
  siteName: string,
  log: { info(o: object, m: string): void },
): Promise<DemoPlatform | null> {
  if (spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error) return null;
  const port = await freeUdpPort();
  const scenario = new URL('./demo-platform.xml', import.meta.url).pathname;
  const keys = { device: DEVICE_ID, password: PASSWORD, realm: '4400000000', expires: '3600', platformdate: '', qop: 'qop="auth", ' };
  const args = [
    '-sf',
    scenario,
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    'u1',
    '-nostdin',
    '-deadcall_wait',
    '1',
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
  ];
  // A watchdog shell ends sipp when this process is gone, even after a kill -9 (no orphan platform left).
  const watchdog = `sipp "$@" >/dev/null 2>&1 & s=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 2; done; kill $s 2>/dev/null`;
  const proc: ChildProcess = spawn('sh', ['-c', watchdog, 'sh', ...args], { stdio: 'ignore' });
  log.info({ port }, 'demo: a GB/T 28181 platform (sipp) listens on 127.0.0.1');
  const channels: GbChannelConfig[] = sources.map((s) => ({
    sourceId: s.id,
    channelId: derivedChannelId(DEVICE_ID, s.id),
    name: `${s.roomName} ${s.name}`,
    room: s.room,
  }));
  return {
    config: {
      deviceId: DEVICE_ID,
      domain: '4401060000',
      name: siteName,
      host: '127.0.0.1',
      address: '127.0.0.1',
      port: 0,
      civilCode: '440106',
      channels,
      platforms: [
        {
          id: 'demo-province',
          name: '省远程巡查平台（演示）',
          serverId: SERVER_ID,
          domain: '4400000000',
          host: '127.0.0.1',
          port,
          transport: 'UDP',
          username: DEVICE_ID,
          password: PASSWORD,
          expires: 3600,
          keepaliveSeconds: 60,
          keepaliveMisses: 3,
          edition: '2022',
          charset: 'GB2312',
          sources: 'all',
        },
      ],
    },
    stop: () => {
      // sipp (the shell's child) first, then the shell; the shell's loop would also notice within 2 s.
      if (proc.pid) spawnSync('pkill', ['-TERM', '-P', String(proc.pid)], { stdio: 'ignore' });
      proc.kill('SIGTERM');
    },
  };
}
