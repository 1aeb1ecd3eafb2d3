// The live page's words: Simplified Chinese first, English on request (?lang=en or the toggle). The
// log-in form's own words are the web kit's (web/login.tsx).
import type { Bilingual } from '../../../web/i18n.ts';

const zh = {
  title: '实时视频',
  loginTitle: '登录后观看实时视频',
  loading: '正在载入视频源…',
  none: '没有可观看的视频源。',
  refused: (why: string) => `无权观看：${why}`,
  failed: (why: string) => `无法载入视频源：${why}`,
  room: (r: string) => `考场 ${r}`,
  kind: { camera: '摄像机', screen: '考生屏幕' } as Record<string, string>,
  state: { connecting: '连接中…', playing: '直播', waiting: '等待画面…', retrying: '连接中断，正在重连…', refused: '无权观看' } as Record<string, string>,
  unmute: '打开声音',
  mute: '静音',
  hevcAlone: '单独打开此视频源（点击名称）可由服务器转码为 H.264 观看。',
  all: '全部视频源',
  latency: (s: string) => `缓冲 ${s} 秒`,
  audited: '巡查观看会记入审计日志。',
  who: (name: string, role: string) => `${name}（${role}）`,
  role: { admin: '管理员', invigilator: '监考员', inspector: '巡查人员' } as Record<string, string>,
};
type Words = typeof zh;

const en: Words = {
  title: 'Live video',
  loginTitle: 'Log in to watch live video',
  loading: 'Loading the sources…',
  none: 'No source you may watch.',
  refused: (why) => `Not allowed: ${why}`,
  failed: (why) => `Could not load the sources: ${why}`,
  room: (r) => `Room ${r}`,
  kind: { camera: 'camera', screen: 'candidate screen' },
  state: { connecting: 'connecting…', playing: 'live', waiting: 'waiting for a picture…', retrying: 'connection lost, reconnecting…', refused: 'not allowed' },
  unmute: 'Sound on',
  mute: 'Mute',
  hevcAlone: 'Open this source alone (click its name): the server can transcode it to H.264 for you.',
  all: 'All sources',
  latency: (s) => `buffer ${s} s`,
  audited: 'Inspector views are recorded in the audit log.',
  who: (name, role) => `${name} (${role})`,
  role: { admin: 'administrator', invigilator: 'invigilator', inspector: 'inspector' },
};

export const words: Bilingual<Words> = { zh, en };
