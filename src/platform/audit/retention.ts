import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../shared/logger.js';
import type { AuditLog } from './log.js';

export interface AuditRetentionLimits {
  /** Entries older than this many days are deleted. */
  retentionDays: number;
  /** At most this many entries are kept: the newest recorded. */
  maxRows: number;
}

export interface AuditRetentionOptions {
  /** Rows deleted per statement, between which other work runs. */
  slice?: number;
  /** How often the log is pruned while berth runs. */
  intervalMs?: number;
  log?: Logger;
}

const DAY_MS = 86_400_000;

/**
 * Keeps the audit log within its age and its row cap: pruned at start and once a minute, a slice
 * of rows per statement with a turn of the event loop between slices (as stats history prunes), so
 * a large backlog never holds requests up. Between runs the table may pass the cap by what a
 * minute adds; refusals are counted, not written one by one, so that is little.
 */
export class AuditRetention {
  readonly #slice: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(
    private readonly audit: AuditLog,
    private readonly limits: AuditRetentionLimits,
    private readonly options: AuditRetentionOptions = {},
  ) {
    this.#slice = options.slice ?? 1000;
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  /** Prunes now, then every interval until `stop`. */
  start(): void {
    if (this.#timer) return;
    this.#stopped = false;
    const run = () => {
      this.#running ??= this.prune()
        .catch((error: unknown) => this.options.log?.warn('pruning the audit log failed', error))
        .finally(() => {
          this.#running = undefined;
        });
    };
    run();
    this.#timer = setInterval(run, this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer; a prune in progress ends after its current slice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Deletes what is past the age, then the oldest past the row cap; returns how many of each. */
  async prune(now = Date.now()): Promise<{ expired: number; overCap: number }> {
    const expired = await this.#inSlices(() =>
      this.audit.deleteOlderThan(now - this.limits.retentionDays * DAY_MS, this.#slice),
    );
    const overCap = await this.#inSlices(() =>
      this.audit.deleteAllButNewest(this.limits.maxRows, this.#slice),
    );
    if (expired + overCap > 0) {
      this.options.log?.debug(`audit log pruned: ${expired} past the retention, ${overCap} past the row cap`);
    }
    return { expired, overCap };
  }

  async #inSlices(step: () => number): Promise<number> {
    let total = 0;
    // A stop (the store is about to close) ends the run between two slices.
    while (!this.#stopped) {
      const deleted = step();
      total += deleted;
      if (deleted < this.#slice) break;
      await yieldToEventLoop();
    }
    return total;
  }
}
