// The plain-HTTP port (server.httpPort): one short page that says what the site CA is, its fingerprint,
// where to download it and how to install it on each kind of PC, then links to HTTPS. Not a redirect:
// a redirect to a certificate the PC does not trust yet shows the browser's warning instead of our words.
// It serves that page and the CA certificate, nothing else: no API, no app, no cookie ever crosses it.
// A browser that asks it for an app page (http://HOST:httpPort/kiosk/, an address typed with the wrong
// port) gets a 404 whose body is this page, headed by the link to the same page over HTTPS.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { X509Certificate } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import type { SiteTls } from './site-tls.ts';
import { applyConnectionLimits, serverTimeouts } from '../connection-limits.ts';

/** The CA in DER, the form Windows' and iOS's certificate installers open with a double-click / tap. */
export function caDer(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderTrustPage(opts: {
  siteName: string;
  caPem: string | null;
  httpsUrl: string;
  caUrl: string;
  names: string[];
  /** The HTTPS address of the page the browser asked this port for, when that was not the trust page. */
  asked?: string;
}): string {
  const ca = opts.caPem ? new X509Certificate(opts.caPem) : null;
  const fp = ca?.fingerprint256 ?? '';
  const until = ca ? new Date(ca.validTo).toISOString().slice(0, 10) : '';
  const names = opts.names.map(esc).join(', ');
  const asked = opts.asked
    ? `
<p class="go">此端口只提供本页。您要打开的页面在 HTTPS 上 <span lang="en">· This port serves only this page; the page you asked for is on HTTPS</span>:
<a href="${esc(opts.asked)}">${esc(opts.asked)}</a><br>
浏览器若提示证书不受信任，请先按下面的步骤安装考点 CA。<span lang="en">If the browser warns about the certificate, install the site CA first, as below.</span></p>`
    : '';
  const caBlock = ca
    ? `
<h2>1. 这是什么 · What this is</h2>
<p>本考点服务器用自己的<b>站点证书颁发机构（站点 CA）</b>为 HTTPS 签发证书。每台考试机、核验台和手机只需信任它一次，之后摄像头、屏幕录制才能使用，登录密码也不再以明文在局域网中传输。
该 CA 带有名称约束：它只能为本考点的名称和地址（${names}）担保，不能冒充任何其他网站。有效期至 ${until}。</p>
<p lang="en">This exam-room server issues its HTTPS certificate from its own <b>site CA</b>. Each exam PC, kiosk and phone trusts it once; then cameras and screen capture work, and passwords no longer cross the LAN in clear.
The CA carries name constraints: it can vouch only for this site's names and addresses (${names}), never for any other website. Valid until ${until}.</p>

<h2>2. 核对指纹 · Check the fingerprint</h2>
<p>安装前，请将下面的 SHA-256 指纹与管理员在服务器上用 <code>examroom tls status</code> 看到的指纹逐字核对；不一致则不要安装。<br>
<span lang="en">Before installing, compare this SHA-256 fingerprint with the one the administrator reads on the server with <code>examroom tls status</code>; if they differ, do not install.</span></p>
<p class="fp"><code>${esc(fp)}</code></p>

<h2>3. 下载 · Download</h2>
<ul>
<li><a href="/ca.cer" download="examroom-site-ca.cer">examroom-site-ca.cer</a> — Windows、iPhone/iPad（DER）</li>
<li><a href="/ca.crt" download="examroom-site-ca.crt">examroom-site-ca.crt</a> — Debian/Linux、Android（PEM）: <code>curl -o examroom-site-ca.crt ${esc(opts.caUrl)}</code></li>
</ul>

<h2>4. 安装 · Install</h2>
<h3>Windows 考试机 · Windows exam PC</h3>
<p>以管理员身份打开命令提示符（安装到本机的“受信任的根证书颁发机构”，对所有用户和 Chrome/Edge 生效）：<br>
<span lang="en">In an administrator command prompt (the machine's Trusted Root store, for every user and for Chrome/Edge):</span></p>
<pre>certutil -addstore -f Root examroom-site-ca.cer</pre>
<p>或双击 .cer 文件 → 安装证书 → 本地计算机 → 将所有的证书都放入下列存储 → 受信任的根证书颁发机构。<br>
<span lang="en">Or double-click the .cer → Install Certificate → Local Machine → Place all certificates in: Trusted Root Certification Authorities.</span></p>
<h3>Debian 考试机 / 核验台（Chromium）· Debian exam PC or kiosk (Chromium)</h3>
<p>系统证书库（curl、系统工具）和 Chromium 自己的 NSS 数据库都要装；后者以运行 Chromium 的用户执行：<br>
<span lang="en">Both the system store (curl, system tools) and Chromium's own NSS database; run the last three lines as the user that runs Chromium:</span></p>
<pre>sudo cp examroom-site-ca.crt /usr/local/share/ca-certificates/examroom-site-ca.crt
sudo update-ca-certificates
sudo apt-get install -y libnss3-tools
mkdir -p "$HOME/.pki/nssdb"
certutil -d "sql:$HOME/.pki/nssdb" -A -t "C,," -n "examroom site CA" -i examroom-site-ca.crt</pre>
<p>然后重启 Chromium。<span lang="en">Then restart Chromium.</span></p>
<h3>手机（培训评价页）· Phones (the training rating page)</h3>
<p>Android：下载 .crt → 设置 → 安全 → 加密与凭据 → 安装证书 → CA 证书。<br>
iPhone/iPad：用 Safari 下载 .cer → 设置 → 已下载描述文件 → 安装；再到 设置 → 通用 → 关于本机 → 证书信任设置 中打开对该证书的完全信任。<br>
<span lang="en">Android: download the .crt → Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate.
iPhone/iPad: download the .cer in Safari → Settings → Profile Downloaded → Install; then Settings → General → About → Certificate Trust Settings → turn on full trust for it.</span></p>
<h3>服务器本机上的核验台 · A kiosk on the server itself</h3>
<p>浏览器只对 <code>http://localhost</code> 免除 HTTPS 要求，而本系统在考点只通过 HTTPS 提供页面（此端口只有本页），所以服务器本机上的核验台也用 HTTPS 链接打开，同样需要按上面的 Debian 步骤安装 CA。<br>
<span lang="en">Browsers waive HTTPS only for <code>http://localhost</code>, and a site install serves its pages only over HTTPS (this port has nothing but this page), so a kiosk browser on the server itself also opens the HTTPS link and needs the CA, installed as on Debian above.</span></p>`
    : `
<p>本考点使用由本单位 IT 部门签发的证书；其 CA 由 IT 部门安装到各电脑。<br>
<span lang="en">This site uses a certificate from its own IT department, which installs the matching CA on each PC.</span></p>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.siteName)} · 考点证书 / Site certificate</title>
<style>body{font:16px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1a1a1a}
pre,code{background:#f3f3f3;border-radius:4px}pre{padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere}code{overflow-wrap:anywhere}.fp code{font-size:1.05rem;word-break:break-all;display:block;padding:.6rem}
[lang=en]{color:#444}h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.6rem}h3{font-size:1.05rem}.go{font-size:1.2rem;padding:.8rem;background:#eef6ee;border-radius:6px}</style></head>
<body>
<h1>${esc(opts.siteName)}：考点证书 <span lang="en">· Site certificate</span></h1>
${asked}${caBlock}
<h2>${ca ? '5. ' : ''}打开考点系统 · Open the exam-room system</h2>
<p class="go">安装后打开 <span lang="en">After installing, open</span>: <a href="${esc(opts.httpsUrl)}">${esc(opts.httpsUrl)}</a></p>
</body></html>
`;
}

/**
 * The plain-HTTP instance for server.httpPort. httpsPort: the port HTTPS is bound to (server.port may be 0
 * in tests). The link uses the name the PC typed when the certificate covers it, else the first name.
 */
export function createTrustPage(deps: { tls: SiteTls; config: Config; httpsPort: () => number }): FastifyInstance {
  // The same time limits and caps as the HTTPS server: a slow client must not hold this port either.
  const timeouts = serverTimeouts(deps.config.server.connections);
  const app = Fastify({ logger: false, return503OnClosing: true, ...timeouts.fastify, http: timeouts.http });
  applyConnectionLimits(app.server, deps.config.server.connections, deps.config.server.trustProxy);
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  const ca = () => deps.tls.caPem();
  app.addHook('onSend', async (_req, reply) => {
    // The page has no script and loads nothing from elsewhere.
    reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    reply.header('referrer-policy', 'no-referrer');
  });
  const page = (request: FastifyRequest, reply: FastifyReply, askedPath: string | null) => {
    const names = deps.tls.certificates().find((c) => c.name !== 'site-ca')?.names ?? { dns: [], ips: [] };
    const all = [...names.dns, ...names.ips];
    const asked = request.hostname
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    const host = all.find((n) => n.toLowerCase() === asked) ?? all[0] ?? asked;
    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    const httpPort = (request.socket.localPort ?? deps.config.server.httpPort) as number;
    return reply
      .headers(headers)
      .type('text/html; charset=utf-8')
      .send(
        renderTrustPage({
          siteName: deps.config.site.name,
          caPem: ca(),
          httpsUrl: `https://${hostInUrl}:${deps.httpsPort()}/`,
          caUrl: `http://${hostInUrl}:${httpPort}/ca.crt`,
          names: all,
          ...(askedPath ? { asked: `https://${hostInUrl}:${deps.httpsPort()}${askedPath}` } : {}),
        }),
      );
  };
  app.get('/', async (request, reply) => page(request, reply, null));
  // Everything else is not here (404). A browser asking for a page gets this page as the 404's body,
  // with the HTTPS address of what it asked for; API clients and scripts get the plain JSON 404.
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && /text\/html/.test(request.headers.accept ?? '') && path.startsWith('/') && !path.startsWith('/api/'))
      return page(request, reply.status(404), path);
    return reply.status(404).send({ error: 'not_found', message: `${request.method} ${path}: the plain-HTTP port serves only the trust page and the site CA` });
  });
  app.get('/ca.crt', async (_request, reply) => {
    const pem = ca();
    if (!pem) return reply.status(404).send({ error: 'not_found', message: 'this site uses its own certificate; there is no site CA to download here' });
    return reply
      .headers({ ...headers, 'content-disposition': 'attachment; filename="examroom-site-ca.crt"' })
      .type('application/x-x509-ca-cert')
      .send(pem);
  });
  app.get('/ca.cer', async (_request, reply) => {
    const pem = ca();
    if (!pem) return reply.status(404).send({ error: 'not_found', message: 'this site uses its own certificate; there is no site CA to download here' });
    return reply
      .headers({ ...headers, 'content-disposition': 'attachment; filename="examroom-site-ca.cer"' })
      .type('application/x-x509-ca-cert')
      .send(caDer(pem));
  });
  return app;
}
