import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
const srv = createServer((q, r) => { r.setHeader('content-type','text/html'); r.end('<html><body><h1>hello screen</h1><canvas id=c></canvas></body></html>'); });
await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
const url = `http://127.0.0.1:${(srv.address() as any).port}/`;
const variants: Record<string, string[]> = {
  fakeui: ['--use-fake-ui-for-media-stream'],
  fakeui_dev: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  autoselect: ['--auto-select-desktop-capture-source=Entire screen'],
  autoselect_fake: ['--auto-select-desktop-capture-source=Entire screen', '--use-fake-ui-for-media-stream'],
  tab: ['--auto-accept-this-tab-capture'],
  tabfake: ['--auto-accept-this-tab-capture', '--use-fake-ui-for-media-stream'],
  usermedia: ['--enable-usermedia-screen-capturing', '--use-fake-ui-for-media-stream'],
};
const only = process.argv[2];
for (const [name, flags] of Object.entries(variants)) {
  if (only && only !== name) continue;
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', ...flags] });
  const p = await b.newPage();
  await p.goto(url);
  for (const gesture of [false, true]) {
    for (const opts of [{ video: true }, { video: true, preferCurrentTab: true }]) {
      let res: string;
      try {
        const fn = `(async () => { try { const s = await navigator.mediaDevices.getDisplayMedia(${JSON.stringify(opts)}); const t = s.getVideoTracks()[0]; const st = t.getSettings(); const r = 'OK ' + t.label + ' ' + JSON.stringify({w: st.width, h: st.height, surf: st.displaySurface}); s.getTracks().forEach(x => x.stop()); return r; } catch (e) { return 'ERR ' + e.name + ': ' + e.message; } })()`;
        if (gesture) { await p.evaluate(`window.__r = null; document.body.onclick = () => { window.__r = ${fn}; }`); await p.click('h1'); res = await p.evaluate('window.__r'); }
        else res = await Promise.race([p.evaluate(fn) as Promise<string>, new Promise<string>((r) => setTimeout(() => r('TIMEOUT'), 8000))]);
      } catch (e) { res = 'THROW ' + String(e).slice(0, 200); }
      console.log(name, gesture ? 'gesture' : 'nogesture', JSON.stringify(opts), '→', res);
    }
  }
  await b.close();
}
srv.close();
