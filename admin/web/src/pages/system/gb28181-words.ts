// The GB/T 28181 panel's words (each platform's registration, keepalive, clock and plays), Chinese first.
import type { Bilingual } from '../../../../../web/i18n.ts';
import type { GbPlayKind, LinkState, RegisterFailure } from '../../../../../media/gb28181/protocol.ts';

export interface GbWords {
  title: string;
  notConfigured: string;
  device: (id: string, port: string) => string;
  columns: { platform: string; state: string; keepalive: string; clock: string; channels: string; plays: string };
  state: Record<LinkState, string>;
  registered: (at: string, until: string) => string;
  failure: Record<RegisterFailure, string>;
  retry: (at: string, inSpan: string) => string;
  failures: (n: number) => string;
  lost: (at: string) => string;
  keepaliveAgo: (ago: string) => string;
  keepaliveNone: string;
  keepaliveRule: (seconds: number, allowed: number) => string;
  misses: (n: number, allowed: number) => string;
  skew: (seconds: string) => string;
  skewAlarm: (seconds: string) => string;
  skewUnknown: string;
  channels: (n: number) => string;
  subscriptions: (n: number) => string;
  kind: Record<GbPlayKind, string>;
  playSince: (at: string) => string;
  noPlays: string;
  sip: (received: number, malformed: number, dropped: number) => string;
}

export const gbWords: Bilingual<GbWords> = {
  zh: {
    title: 'GB/T 28181 平台',
    notConfigured:
      '未配置 GB/T 28181 平台：本机现在不向省级或市级远程巡查平台注册。需要接入时，在配置文件的 gb28181: 段填写本机设备编号及平台的 SIP 服务器编号、地址和密码（见 docs/gb28181.md），然后重启服务。',
    device: (id, port) => `本机设备编号 ${id} · SIP 端口 ${port}`,
    columns: { platform: '平台', state: '注册状态', keepalive: '心跳', clock: '时钟', channels: '通道', plays: '正在观看' },
    state: { idle: '未开始', registering: '正在注册', registered: '已注册', failed: '注册失败', stopped: '已停止' },
    registered: (at, until) => `注册于 ${at}，有效至 ${until}`,
    failure: {
      refused: '平台拒绝注册：请与平台核对为本机登记的设备编号和密码',
      'no-answer': '平台无应答：请检查平台地址、端口和网络（防火墙是否放行 SIP）',
      'bad-challenge': '平台的认证请求无法识别：请把下方详情发给平台方',
      'not-sent': '注册请求未能发出：本机到平台的网络不通',
      other: '平台返回错误：详情见下方',
    },
    retry: (at, inSpan) => `将于 ${at}（${inSpan}后）重试`,
    failures: (n) => `已连续失败 ${n} 次`,
    lost: (at) => `平台曾于 ${at} 停止应答心跳`,
    keepaliveAgo: (ago) => `${ago}前应答`,
    keepaliveNone: '尚无应答',
    keepaliveRule: (s, n) => `每 ${s} 秒一次，连续 ${n} 次未应答即重新注册`,
    misses: (n, of) => `未应答 ${n}/${of}`,
    skew: (s) => `与本机相差 ${s} 秒`,
    skewAlarm: (s) => `⚠ 平台时钟与本机相差 ${s} 秒（超过 2 秒）：请核对本机与平台的时间，录像时间是证据`,
    skewUnknown: '未知（平台未返回时间）',
    channels: (n) => `${n} 路`,
    subscriptions: (n) => `订阅 ${n} 个`,
    kind: { Play: '实时点播', Playback: '录像回放', Download: '录像下载' },
    playSince: (at) => `自 ${at}`,
    noPlays: '无',
    sip: (r, m, d) => `SIP 消息：收到 ${r} 条，格式错误 ${m} 条，超速丢弃 ${d} 条`,
  },
  en: {
    title: 'GB/T 28181 platforms',
    notConfigured:
      'No GB/T 28181 platform is configured: this appliance does not register with a provincial or city inspection platform now. To connect one, fill in the gb28181: section of the config file with this device ID and the platform’s SIP server ID, address and password (see docs/gb28181.md), then restart the service.',
    device: (id, port) => `Device ID ${id} · SIP port ${port}`,
    columns: { platform: 'Platform', state: 'Registration', keepalive: 'Keepalive', clock: 'Clock', channels: 'Channels', plays: 'Watching now' },
    state: { idle: 'Not started', registering: 'Registering', registered: 'Registered', failed: 'Registration failing', stopped: 'Stopped' },
    registered: (at, until) => `since ${at}, valid until ${until}`,
    failure: {
      refused: 'The platform refused us: check the device ID and password it has for this appliance',
      'no-answer': 'The platform does not answer: check its address, port and the network (is SIP let through the firewall?)',
      'bad-challenge': 'The platform’s authentication challenge is unreadable: send the detail below to its operator',
      'not-sent': 'The registration could not be sent: no network path to the platform',
      other: 'The platform answered with an error: see the detail below',
    },
    retry: (at, inSpan) => `next try at ${at} (in ${inSpan})`,
    failures: (n) => `${n} failure${n === 1 ? '' : 's'} in a row`,
    lost: (at) => `the platform stopped answering keepalives at ${at}`,
    keepaliveAgo: (ago) => `answered ${ago} ago`,
    keepaliveNone: 'none answered yet',
    keepaliveRule: (s, n) => `every ${s} s; ${n} unanswered in a row and we register again`,
    misses: (n, of) => `${n}/${of} unanswered`,
    skew: (s) => `${s} s from ours`,
    skewAlarm: (s) => `⚠ The platform’s clock is ${s} s from ours (over 2 s): check both clocks; recording times are evidence`,
    skewUnknown: 'unknown (the platform sent no time)',
    channels: (n) => `${n}`,
    subscriptions: (n) => `${n} subscription${n === 1 ? '' : 's'}`,
    kind: { Play: 'Live', Playback: 'Playback', Download: 'Download' },
    playSince: (at) => `since ${at}`,
    noPlays: 'none',
    sip: (r, m, d) => `SIP messages: ${r} received, ${m} malformed, ${d} dropped over the rate limit`,
  },
};
