// The one build setup every browser app shares (kiosk, terminal, proctor, inspector, live). Each app
// keeps a one-line vite.config.ts in its folder (<module>/web/, or <module>/web/<app>/ for a second app
// of a module) calling webApp(); server/build-web.mjs builds them all and server/routes/web.ts serves
// each dist/ under its /<path>/. What the apps share is the web kit in web/, imported by relative path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

/** Where the Vite dev server forwards API and WebSocket calls: a local `npm start` (config/demo.yaml). */
const DEV_BACKEND = process.env.EXAMROOM_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export function webApp(dir: string, opts: { base: string }): UserConfig {
  const root = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
  const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
  return {
    root,
    // The build's id, in every device-health report (web/device-health.ts): which page a PC really runs.
    define: { __EXAMROOM_BUILD__: JSON.stringify(`${version} built ${new Date().toISOString().slice(0, 19)}Z`) },
    base: opts.base,
    // Nothing is copied verbatim: every asset goes through the bundle, so it is hashed and cacheable.
    publicDir: false,
    // JSX through the automatic runtime, imported from Preact (no React, no Babel).
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // The appliance serves these to Debian's Chromium only; no polyfills, no source maps shipped.
      modulePreload: { polyfill: false },
      sourcemap: false,
      // Small assets inline; fonts are never bundled: the exam PCs have Noto Sans CJK installed.
      assetsInlineLimit: 8192,
      chunkSizeWarningLimit: 200,
    },
    server: {
      proxy: {
        '/api': DEV_BACKEND,
        '/ws': { target: DEV_BACKEND.replace(/^http/, 'ws'), ws: true },
      },
    },
    clearScreen: false,
  };
}
