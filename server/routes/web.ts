// The browser entry points. Each client app (kiosk, terminal, proctor, inspector, live) gets its own
// path; the inspector's code lives with the proctor module (proctor/web/inspector/) but keeps its
// /inspector/ path. An app that has been built (server/build-web.mjs → <dir>/dist) is served from there; until then its
// path serves a page that says what it is and how to build it. Static files are public: the apps
// authenticate over their own device cookie or user session, never by being fetched.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../context.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

export const WEB_APPS = [
  { path: '/admin/', dir: 'admin/web', name: '考点管理 Admin', who: '考点管理员：设备、题库、计划与场次、成绩与档案、人员、系统' },
  { path: '/kiosk/', dir: 'kiosk/web', name: '入口身份核验 Kiosk', who: '考点入口核验台（人证合一）' },
  { path: '/terminal/', dir: 'terminal/web', name: '考试终端 Terminal', who: '考场内每台考试机' },
  { path: '/proctor/', dir: 'proctor/web', name: '监考台 Proctor', who: '监考员' },
  { path: '/inspector/', dir: 'proctor/web/inspector', name: '远程巡查 Inspector', who: '省、市远程监管人员（只读）' },
  { path: '/live/', dir: 'media/web', name: '实时视频 Live', who: '管理员、监考员（本考场）、辖区内巡查人员；摄像机与考生屏幕' },
  { path: '/records/', dir: 'records/web', name: '统计分析 Statistics', who: '管理员、辖区内巡查人员；合格率、缺考、试题分析，CSV 下载' },
  { path: '/public/', dir: 'records/web/disclosure', name: '合格率公示 Disclosure', who: '公众（无需登录）；各培训机构考试合格率，只含汇总数字' },
  { path: '/rate/', dir: 'training/web/rate', name: '教师评价 Rate a teacher', who: '培训学员（无需登录，凭考勤机签退后显示的一次性二维码）' },
] as const;

/** The built app's folder, or null while it has not been built. */
export function builtAppDir(dir: string): string | null {
  const dist = join(REPO_ROOT, dir, 'dist');
  return existsSync(join(dist, 'index.html')) ? dist : null;
}

const entries = new Map<string, { mtimeMs: number; entry: string | null }>();
/**
 * The built app's entry script file name (`index-<content hash>.js`), which its index.html loads: the
 * build a page must run (docs/exam-pcs.md "Integrity at log-in"). Null while the app is not built. Read
 * again when index.html changes, so a rebuild under a running server is what new pages are held to.
 */
export function builtEntryOf(dir: string): string | null {
  const file = join(REPO_ROOT, dir, 'dist', 'index.html');
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const known = entries.get(dir);
  if (known?.mtimeMs === mtimeMs) return known.entry;
  const m = /<script[^>]*type="module"[^>]*src="[^"]*\/([^"/]+\.js)"/.exec(readFileSync(file, 'utf8'));
  const entry = m?.[1] ?? null;
  entries.set(dir, { mtimeMs, entry });
  return entry;
}

// The apps load nothing from elsewhere (fonts are installed on the PCs, no CDN): the policy makes a
// stray external request fail loudly in development instead of leaking quietly in an exam room.
// 'self' covers ws:/wss: to this host (CSP 3); blob:/mediastream: are the webcam preview.
const APP_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>body{font-family:"Noto Sans CJK SC",system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1b2430}
a{color:#0b5cad}li{margin:.4rem 0}code{background:#eef2f6;padding:.1rem .3rem;border-radius:3px}</style></head><body>${body}</body></html>`;
}

export const webRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const site = ctx.config.site;
  // Only reply.sendFile: the plugin's own routes would carry no roles, and the role hook refuses those.
  await app.register(fastifyStatic, { root: REPO_ROOT, serve: false });

  app.get('/', { config: { roles: ['public'] }, schema: { hide: true } }, async (_req, reply) => {
    const links = WEB_APPS.map((a) => `<li><a href="${a.path}">${esc(a.name)}</a> — ${esc(a.who)}</li>`).join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          `examroom · ${site.name}`,
          `<h1>${esc(site.name)}</h1><p>examroom 考场一体化设备 · site <code>${esc(site.id)}</code></p><ul>${links}<li><a href="/docs">API 文档 (OpenAPI)</a></li><li><a href="/healthz">健康状态 /healthz</a></li></ul>`,
        ),
      );
  });

  // Every browser asks for it on every page; a 404 there fills the console and the log with noise.
  // No icon is shipped: 204 says "nothing here" and the browser stops asking for this page.
  app.get('/favicon.ico', { config: { roles: ['public'] }, schema: { hide: true } }, async (_req, reply) =>
    reply.code(204).header('cache-control', 'max-age=86400').send(),
  );

  for (const a of WEB_APPS) {
    const dist = builtAppDir(a.dir);
    if (!dist) {
      app.get(a.path, { config: { roles: ['public'] }, schema: { hide: true } }, async (_req, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            page(
              a.name,
              `<h1>${esc(a.name)}</h1><p>${esc(a.who)}</p><p>This client app is not built in this installation (build the apps with <code>npm run build</code>); its API is listed at <a href="/docs">/docs</a>.</p><p><a href="/">← ${esc(site.name)}</a></p>`,
            ),
          ),
      );
      continue;
    }
    const sendIndex = (reply: FastifyReply) =>
      // The page names the hashed bundles of this build: never cached, so an upgrade takes at the next load.
      reply.header('content-security-policy', APP_CSP).header('cache-control', 'no-cache').sendFile('index.html', dist, { cacheControl: false });
    app.get(a.path.slice(0, -1), { config: { roles: ['public'] }, schema: { hide: true } }, async (req, reply) => {
      const q = req.url.indexOf('?');
      return reply.redirect(a.path + (q >= 0 ? req.url.slice(q) : ''), 301);
    });
    app.get(`${a.path}*`, { config: { roles: ['public'] }, schema: { hide: true } }, async (req, reply) => {
      const file = (req.params as { '*': string })['*'];
      if (file === '' || file === 'index.html') return sendIndex(reply);
      // Everything else Vite emits under assets/ with a content hash in its name: cache it for good.
      if (file.startsWith('assets/')) return reply.sendFile(file, dist, { maxAge: '365d', immutable: true, dotfiles: 'deny' });
      return reply.sendFile(file, dist, { maxAge: 0, dotfiles: 'deny' });
    });
  }
};
