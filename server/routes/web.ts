// The browser entry points. Each client app (kiosk, terminal, proctor, inspector) gets its own path;
// until an app's own build lands, its path serves a page that says what it is and where to start.
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context.ts';

export const WEB_APPS = [
  { path: '/kiosk/', name: '入口身份核验 Kiosk', who: '考点入口核验台（人证合一）' },
  { path: '/terminal/', name: '考试终端 Terminal', who: '考场内每台考试机' },
  { path: '/proctor/', name: '监考台 Proctor', who: '监考员' },
  { path: '/inspector/', name: '远程巡查 Inspector', who: '省、市远程监管人员（只读）' },
] as const;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>body{font-family:"Noto Sans CJK SC",system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1b2430}
a{color:#0b5cad}li{margin:.4rem 0}code{background:#eef2f6;padding:.1rem .3rem;border-radius:3px}</style></head><body>${body}</body></html>`;
}

export const webRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const site = ctx.config.site;
  app.get('/', { config: { roles: ['public'] }, schema: { hide: true } }, async (_req, reply) => {
    const links = WEB_APPS.map((a) => `<li><a href="${a.path}">${esc(a.name)}</a> — ${esc(a.who)}</li>`).join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(page(`examroom · ${site.name}`, `<h1>${esc(site.name)}</h1><p>examroom 考场一体化设备 · site <code>${esc(site.id)}</code></p><ul>${links}<li><a href="/docs">API 文档 (OpenAPI)</a></li><li><a href="/healthz">健康状态 /healthz</a></li></ul>`));
  });
  for (const a of WEB_APPS) {
    app.get(a.path, { config: { roles: ['public'] }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(page(a.name, `<h1>${esc(a.name)}</h1><p>${esc(a.who)}</p><p>This client app is not built yet in this version; its API is listed at <a href="/docs">/docs</a>.</p><p><a href="/">← ${esc(site.name)}</a></p>`)),
    );
  }
};
