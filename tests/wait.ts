// Waiting in tests on what another part of the system makes true (a socket closing, ffmpeg writing a
// segment, Chromium drawing): poll a condition. The bound is there only so that a broken build fails
// with what it was waiting for instead of hanging; no test asserts how fast anything happens.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy, and returns that; throws naming `what` after `ms`. */
export async function until<T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
