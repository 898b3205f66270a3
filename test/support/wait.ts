import { setTimeout as sleep } from 'node:timers/promises';

/** Retries `probe` until it resolves or `timeoutMs` passes, then rethrows its last error. */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
