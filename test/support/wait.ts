import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `probe` until it resolves to something other than `false` (a throw, usually a failed
 * `expect`, or `false` both mean "not yet") or `timeoutMs` passes, then rethrows its last error.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await probe();
      // A probe written as a condition must wait for it, not pass at once with `false`.
      if (result === false) throw new Error(`still false after ${timeoutMs} ms`);
      return result as Exclude<T, false>;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
