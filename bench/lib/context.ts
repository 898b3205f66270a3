import { BerthProcess, type StatsSourceSetting } from './berth.js';
import type { BenchEngine } from './engine.js';

/** What every benchmark gets from the runner. */
export interface BenchContext {
  engine: BenchEngine;
  /** Where the berth under test lives (the working tree, or an export of a commit). */
  berthRoot: string;
  /** Where berth's logs (and the clients') go for this run. */
  logDir: string;
  log(message: string): void;
  /** A fresh berth process against the benchmark's engine; stopped at clean-up if the caller does not. */
  startBerth(
    name: string,
    statsSource?: StatsSourceSetting,
    env?: Record<string, string>,
    entry?: 'source' | 'build',
    /** How often start-up polls berth until it is ready (default 100 ms; B10 times start-up finer). */
    pollMs?: number,
  ): Promise<BerthProcess>;
}

export function benchContext(engine: BenchEngine, logDir: string, berthRoot: string): BenchContext {
  const started = Date.now();
  return {
    engine,
    berthRoot,
    logDir,
    log: (message) =>
      console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`),
    startBerth: (name, statsSource = 'auto', env = {}, entry = 'source', pollMs) =>
      BerthProcess.start({
        dockerHost: engine.dockerHost,
        statsSource,
        logDir,
        name,
        root: berthRoot,
        env,
        entry,
        ...(pollMs === undefined ? {} : { pollMs }),
      }),
  };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
  );
}
