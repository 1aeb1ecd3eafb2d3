// End to end: the System page in Chromium on a real server — health, the disk forecast over a month of
// recordings, a camera that is down (its password hidden from ffmpeg's words), upstream and the GB/T 28181
// platforms (sipp as the province, registered; the city refusing our password, failing with its next try),
// the config in force with no secret in it, the audit log filtered, paged and verified.
// Screenshots: tests/artifacts/admin/system-*.png (1366×768, and one at 1920×1080 in English).
import type { Test } from 'tap';
import { USER_HASHES } from '../../helpers.ts';
import { chainedSteps } from '../browser.ts';
import { dayStart, openAdminConsole, WAIT } from './harness.ts';
import { auditShows, openSystemSection, systemHealthy } from './system-steps.ts';
import { DEVICE_ID, PASSWORD as GB_SECRET, SERVER_ID, shanghai, startSipp } from '../../media/gb28181/rig.ts';
import { fixedClock } from '../../../core/index.ts';

const CAM_SECRET = 'Cam-Secret-99';
const PUSH_SECRET = 'Push-Secret-77';
// Nothing listens on port 9: the camera is down, and ffmpeg's last words name its URL, password and all.
const extra = (sipPort: number) => `
gb28181:
  deviceId: "${DEVICE_ID}"
  domain: "3402000000"
  host: 127.0.0.1
  port: 0
  platforms:
    - { id: prov, name: 省远程巡查平台, serverId: "${SERVER_ID}", domain: "3402000000", host: 127.0.0.1, port: ${sipPort}, password: ${GB_SECRET} }
    - { id: city, name: 市远程巡查平台, serverId: "34020000002000000002", domain: "3402000000", host: 127.0.0.1, port: ${sipPort}, password: Wrong-Gb-1 }
cameras:
  - { id: C1, name: 一号考场前门, room: R1, record: always, url: "rtsp://admin:${CAM_SECRET}@127.0.0.1:9/Streaming/Channels/101" }
upstream:
  - { id: P1, name: 省监管平台, level: province, protocol: rtmp, url: "rtmp://site:${PUSH_SECRET}@127.0.0.1:9/live/{source}" }
`;
/** What the page functions touch of the browser's document (the tests compile without the DOM types). */
interface Doc {
  querySelector(s: string): { textContent: string | null; click(): void } | null;
  querySelectorAll(s: string): { length: number };
}
// The test config holds the users' password hashes (tests/helpers.ts), the secret its config page must mask.
const SECRETS = [CAM_SECRET, PUSH_SECRET, GB_SECRET, 'Wrong-Gb-1', USER_HASHES.admin, USER_HASHES.invig];

/** the System page: health, disk, recording, upstream, config and the audit log, with no secret shown */
export async function systemWalk(t: Test): Promise<void> {
  // sipp as both platforms' registrar: it knows our password, so the province takes us and the city,
  // configured with another, is refused. Its Date header is 5 s ahead of the server's (fixed) clock.
  const clock = fixedClock(dayStart());
  const sipp = await startSipp(t, 'platform-register.xml', { keys: { platformdate: shanghai(clock.now() + 5000) } });
  t.teardown(() => sipp.stop().then(() => undefined));
  const c = await openAdminConsole(t, { extraYaml: extra(sipp.port), clock });
  const step = chainedSteps((name) => c.shot(`failed-system-${name.replace(/\W+/g, '-')}`));
  const HOUR = 3_600_000;
  // A month of recordings: two hours a day at 4 Mbit/s.
  const now = c.clock.now();
  for (let d = 1; d <= 30; d++) {
    for (let h = 0; h < 2; h++) {
      const start = now - d * 86_400_000 + h * HOUR;
      c.app.media.store.addSegment({ sourceId: 'C1', start, end: start + HOUR, bytes: 1_800_000_000, path: `C1/seed/${d}-${h}.ts` });
    }
  }
  const noSecret = async (t: Test, where: string) => {
    const text = (await c.page.textContent('main')) ?? '';
    for (const s of SECRETS) t.notOk(text.includes(s), `${where}: "${s.slice(0, 4)}…" is not shown`);
  };

  await step(t, 'health says the appliance works, its version, clocks and certificates', async (t) => {
    await systemHealthy(t, c);
    t.match(await c.page.textContent('[data-testid=system-health]'), /数据库[\s\S]*正常/);
    await c.shot('system-health');
  });

  await step(t, 'the disk forecast shows bytes per day per source and days until full, and what to do', async (t) => {
    await openSystemSection(c, 'disk');
    const perDay = await c.page.textContent('[data-testid=bytes-per-day]');
    t.match(perDay, /GB|TB/, `recorded per day: ${perDay}`);
    t.match(await c.page.textContent('[data-testid=system-disk] table'), /C1/, 'the camera is listed with its share');
    t.match(await c.page.textContent('[data-testid=system-disk]'), /空间不够怎么办/);
    await c.shot('system-disk');
  });

  await step(t, "a camera that is down says why, with its password hidden from ffmpeg's words", async (t) => {
    await openSystemSection(c, 'recording');
    // ffmpeg fails at once; the reason appears on a refresh.
    await c.page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: Doc }).document;
        const row = doc.querySelector('[data-testid=source-C1]');
        if (row && /refused|exited|拒绝/.test(row.textContent ?? '')) return true;
        doc.querySelector('[data-testid=system-recording] h2 button')?.click();
        return false;
      },
      undefined,
      { timeout: WAIT, polling: 1000 },
    );
    const row = (await c.page.textContent('[data-testid=source-C1]')) ?? '';
    t.match(row, /离线/);
    t.match(row, /未录像 — 视频源离线/);
    t.match(row, /admin:\*\*\*@/, 'the URL in the reason keeps its user and host, not its password');
    await noSecret(t, 'recording');
    await c.shot('system-recording');
  });

  await step(t, 'upstream lists the pushes', async (t) => {
    await openSystemSection(c, 'upstream');
    await c.page.waitForSelector('[data-testid=system-upstream] table');
    t.match(await c.page.textContent('[data-testid=system-upstream]'), /省监管平台/);
    await noSecret(t, 'upstream');
  });

  await step(t, 'GB/T 28181 shows each platform: registered with its keepalive and clock, or failing with the reason and the next try', async (t) => {
    // Registration takes a round trip or two; 刷新 asks again until both platforms have an answer.
    await c.page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: Doc }).document;
        const prov = doc.querySelector('[data-testid=gb-platform-prov]');
        const city = doc.querySelector('[data-testid=gb-platform-city]');
        if (prov && city && /已注册/.test(prov.textContent ?? '') && /注册失败/.test(city.textContent ?? '')) return true;
        doc.querySelector('[data-testid=system-gb28181] h2 button')?.click();
        return false;
      },
      undefined,
      { timeout: WAIT, polling: 500 },
    );
    const prov = (await c.page.textContent('[data-testid=gb-platform-prov]')) ?? '';
    t.match(prov, /省远程巡查平台[\s\S]*34020000002000000001 · 127\.0\.0\.1:\d+\/UDP/, 'name, server ID and address');
    t.match(prov, /已注册[\s\S]*注册于 .*有效至/, 'registered, since and until');
    t.match(prov, /每 60 秒一次，连续 3 次未应答即重新注册/, 'the keepalive rule');
    t.match(prov, /\d+ 路/, 'its channel count');
    t.match(prov, /⚠ 平台时钟与本机相差 5\.0 秒（超过 2 秒）/, 'the clock skew warning');
    const city = (await c.page.textContent('[data-testid=gb-platform-city]')) ?? '';
    t.match(
      city,
      /注册失败[\s\S]*平台拒绝注册：请与平台核对为本机登记的设备编号和密码[\s\S]*refused \(403 Forbidden\)/,
      'failing, with the reason in words and the SIP detail',
    );
    t.match(city, /将于 .*（\d+ 秒后|将于 .*（1 分钟后/, 'and when it tries again');
    t.match(await c.page.textContent('[data-testid=gb-device]'), new RegExp(`本机设备编号 ${DEVICE_ID}`));
    await noSecret(t, 'GB/T 28181');
    await c.shot('system-upstream');
  });

  await step(t, 'backups: no destination and no key bundle are said in words; a backup now, then verified from the console', async (t) => {
    await openSystemSection(c, 'backup');
    await c.page.waitForSelector('[data-testid=backup-warnings] [data-warning=no-destination]');
    t.match(await c.page.textContent('[data-testid=backup-warnings]'), /本机磁盘损坏将丢失全部考试记录[\s\S]*尚未导出包含备份密钥的密钥包/);
    t.match(await c.page.textContent('[data-testid=backup-verdict]'), /还没有任何一份保存在本机以外的副本/);
    await c.page.click('[data-testid=backup-now]');
    await c.page.waitForSelector('[data-testid=backup-list] tbody tr', { timeout: WAIT });
    await c.page.click('[data-testid=backup-list] tbody tr button');
    const check = await c.page.waitForSelector('[data-testid=backup-check]', { timeout: WAIT });
    t.equal(await check.getAttribute('data-ok'), 'true', (await check.textContent()) ?? '');
    t.match(await check.textContent(), /校验通过/);
    await c.shot('system-backup');
    t.ok((await auditShows(t, c, 'backup.')) >= 2, 'the backup and its check are in the audit log');
  });

  await step(t, 'the config in force is shown in sections, every secret masked, and the look is audited', async (t) => {
    await openSystemSection(c, 'config');
    await c.page.waitForSelector('[data-testid=config-cameras]');
    t.match(await c.page.textContent('[data-testid=config-users]'), /admin[\s\S]*\*\*\*/, 'the users are listed, their passwords masked');
    t.match(await c.page.textContent('[data-testid=config-cameras]'), /rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:9\/Streaming\/Channels\/101/);
    t.match(await c.page.textContent('[data-testid=config-retention]'), /days: 1096/, 'defaults filled in');
    await noSecret(t, 'config');
    await c.shot('system-config');
  });

  await step(t, 'the audit log filters by action, family and time, pages back, and verifies', async (t) => {
    for (let i = 0; i < 60; i++) c.app.ctx.audit.append({ actor: 'user:admin', action: 'test.filler', target: `X${i}` });
    await auditShows(t, c, 'system.config.read');
    await auditShows(t, c, 'user.');
    // Paging: the first 50 fillers, then the rest.
    await auditShows(t, c, 'test.filler');
    t.equal(await c.page.$$eval('[data-testid=audit-table] tbody tr', (r) => r.length), 50);
    await c.page.click('[data-testid=audit-older]');
    await c.page.waitForFunction(
      () => (globalThis as unknown as { document: Doc }).document.querySelectorAll('[data-testid=audit-table] tbody tr').length === 60,
    );
    t.pass('older entries appended');
    // A time range after every entry: nothing.
    await c.page.fill('[data-testid=audit-filter] input[name=action]', '');
    const later = new Date(now + 8 * HOUR + 2 * 86_400_000).toISOString().slice(0, 16);
    await c.page.fill('[data-testid=audit-filter] input[name=from]', later);
    await c.page.click('[data-testid=audit-filter] button[type=submit]');
    await c.page.waitForSelector('[data-testid=audit-empty]');
    t.pass('nothing after the range');
    await c.page.click('[data-testid=audit-filter] button[type=button]');
    await c.page.waitForSelector('[data-testid=audit-table]');
    await c.page.click('[data-testid=audit-verify]');
    const verdict = await c.page.waitForSelector('[data-testid=audit-verdict]');
    t.equal(await verdict.getAttribute('data-ok'), 'true');
    t.match(await verdict.textContent(), /审计日志完整：已逐条核对 \d+ 条记录/);
    await c.page.waitForSelector('[data-testid=audit-table] tr[data-action="audit.verify"]');
    t.pass('the check itself is in the log');
    await noSecret(t, 'audit');
    await c.shot('system-audit');
  });

  await step(t, 'in English on a 1920×1080 screen', async (t) => {
    await c.page.setViewportSize({ width: 1920, height: 1080 });
    await c.page.click('header.top button.lang');
    await openSystemSection(c, 'disk');
    await c.page.waitForSelector('text=When it does not fit');
    await c.shot('system-disk-1920-en');
    await openSystemSection(c, 'config');
    await c.page.waitForSelector('[data-testid=config-cameras]');
    await c.shot('system-config-1920-en');
    await openSystemSection(c, 'upstream');
    await c.page.waitForSelector('[data-testid=gb-platform-prov] >> text=Registered');
    t.match(await c.page.textContent('[data-testid=gb-platform-city]'), /The platform refused us/);
    await c.shot('system-upstream-1920-en');
    t.pass('English');
  });

  await step(t, 'a session ended elsewhere shows the log-in form with the reason at the next request', async (t) => {
    // Logged out from another tab: the page's next request is refused, and it says why instead of an error.
    await c.page.evaluate(() => fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).then(() => undefined));
    await c.page.click('[data-testid=system-tab-health]');
    await c.page.waitForSelector('input[type=password]', { timeout: WAIT });
    t.match(await c.page.textContent('body'), /signed out|登录已结束/);
    t.equal(await c.page.$('header.top .who'), null, 'the top bar no longer names the person');
    await c.shot('system-signed-out');
  });

  t.same(c.pageErrors, [], 'no uncaught error in the page');
}
