// Why a page cannot use the camera or capture the screen, in words: browsers give camera and screen
// capture only to a secure context (HTTPS with a trusted certificate, or localhost). A kiosk, exam PC
// or console opened over plain HTTP by a name or LAN address is not one — say so, and say what the IT
// person does about it, never a silent "no camera". Shared by the kiosk, the terminal and the proctor
// console (insecure-context.tsx shows it). Words only: no decision about the exam is made here.
import type { Bilingual, Lang } from './i18n.ts';

/** What the page would lose without a secure context. */
export type SecureNeed = 'camera' | 'screen' | 'camera+screen' | 'none';

export interface InsecureWords {
  title: string;
  why: string;
  steps: string[];
}

/** The page's address with https:// instead of http://, same host, port and path. */
export function httpsAddress(loc: Pick<Location, 'host' | 'pathname' | 'search'> = window.location): string {
  return `https://${loc.host}${loc.pathname}${loc.search}`;
}

/** The trust page lives on the appliance's plain-HTTP port (config server.httpPort). */
export function trustPageHint(loc: Pick<Location, 'hostname'> = window.location): string {
  const host = loc.hostname.includes(':') ? `[${loc.hostname}]` : loc.hostname;
  return `http://${host}:<server.httpPort>/`;
}

const WORDS: Bilingual<(need: SecureNeed, https: string, trust: string) => InsecureWords> = {
  zh: (need, https, trust) => ({
    title: '本页面不是安全连接（没有通过受信任证书的 HTTPS 打开）',
    why:
      need === 'none'
        ? '登录密码和数据在网络上以明文传输；需要摄像头或屏幕录制的页面（检录机、考试机）这样打开将无法使用摄像头和屏幕录制。'
        : `浏览器只允许通过 HTTPS 且证书受信任的页面使用${need === 'camera' ? '摄像头' : need === 'screen' ? '屏幕录制' : '摄像头和屏幕录制'}，因此本机现在无法使用${need === 'camera' ? '摄像头' : need === 'screen' ? '屏幕录制' : '摄像头，也无法录制屏幕'}。这不是摄像头故障。`,
    steps: [
      `请 IT 人员用 https:// 地址打开本页：${https}`,
      `若浏览器提示证书不受信任：先在本机安装考点根证书——打开信任页 ${trust}（考点服务器的 HTTP 端口，配置项 server.httpPort），下载并按说明安装，再重新打开上面的 https 地址。`,
      '若 https 地址打不开：考点服务器尚未启用 HTTPS，请按 README“在考场网络上运行”配置（server.tls）。',
    ],
  }),
  en: (need, https, trust) => ({
    title: 'This page is not secure (not opened over HTTPS with a trusted certificate)',
    why:
      need === 'none'
        ? 'Log-in passwords and data cross the network unencrypted, and pages that need a camera or screen capture (kiosks, exam PCs) opened this way cannot use them.'
        : `Browsers allow ${need === 'camera' ? 'the camera' : need === 'screen' ? 'screen capture' : 'the camera and screen capture'} only on pages served over HTTPS with a trusted certificate, so ${need === 'screen' ? 'screen capture is' : need === 'camera' ? 'the camera is' : 'the camera and screen capture are'} unavailable on this PC. The camera is not broken.`,
    steps: [
      `IT: open this page at its https:// address: ${https}`,
      `If the browser warns about the certificate, install the site CA on this PC first: open the trust page ${trust} (the appliance's plain-HTTP port, config server.httpPort), download and install it as it says, then open the https:// address again.`,
      'If the https:// address does not open, the appliance does not serve HTTPS yet: set it up as the README "Run it on the exam-room network" says (server.tls).',
    ],
  }),
};

/** The words for this page, or null when the page is a secure context (nothing to say). */
export function insecureContextWords(
  lang: Lang,
  need: SecureNeed,
  loc: Location = window.location,
  secure: boolean = window.isSecureContext,
): InsecureWords | null {
  if (secure) return null;
  return WORDS[lang](need, httpsAddress(loc), trustPageHint(loc));
}
