import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../shared/logger.js';
import type { ContainerChange, ContainerIndex } from '../containers/container-index.js';
import type { StatsTick } from '../stats/hub.js';
import type { ContainerStats } from '../stats/model.js';
import type { BerthDatabase } from '../../platform/store/database.js';
import { planHistoryQuery, type HistoryRequest, type HistoryRetention } from './query.js';
import { MINUTE_MS, StatsHistoryStore } from './store.js';

export interface StatsHistoryOptions {
  retention: HistoryRetention;
  log: Logger;
  /** The present, in ms since the epoch; tests move it. */
  now?: () => number;
}

/** What `start` records from: every tick of the stats hub, and the index's destroy events. */
export interface HistorySources {
  stats: { onTick(listener: (tick: StatsTick) => void): () => void };
  index: Pick<ContainerIndex, 'on' | 'off'>;
}

/**
 * A minute is compacted this long after it ends: a sample is stamped when its source read it,
 * which for the engine's stats API is up to a second or two before the tick that records it.
 */
export const COMPACTION_DELAY_MS = 5_000;

/**
 * Containers per maintenance step. Compacting and pruning a minute of 200 containers in one
 * transaction held the event loop for 130-370 ms on the (busy, two-core) development machine, and
 * with it every live subscriber's sample; steps of 40 containers took ~30 ms each there. Smaller
 * steps, with the event loop running in between, keep each pause short.
 */
const SERIES_PER_STEP = 25;

/** What one maintenance run did. */
export interface MaintenanceSummary {
  /** Samples moved out of the recent table. */
  compacted: number;
  /** Samples and minutes deleted as past the retention. */
  samples: number;
  minutes: number;
  /** Containers left with no history at all, and so forgotten. */
  containers: string[];
}

/**
 * How long a destroyed container's samples are refused after it went: a tick that was reading
 * it when the destroy arrived may still deliver one.
 */
const IN_FLIGHT_MS = MINUTE_MS;

/**
 * Every running container's figures, kept in the database so they outlive a restart: each tick's
 * samples for the raw retention (15 minutes unless configured), and 1-minute aggregates for the
 * long one (24 hours). The running-containers watch keeps every running container sampled, so
 * recording only listens to the hub's tick: no engine call, one transaction per tick.
 *
 * Once a minute (just after it ends) `maintain` moves the completed minute out of the recent
 * table, aggregating it, and prunes what is past the retention; nothing is kept longer than the
 * retention plus that minute. A destroyed container's history is deleted with it:
 * `statsHistory` is a field of a container, and a removed one can no longer be asked for.
 * History of containers removed while berth was down (it cannot tell which) ages out with the
 * retention, as a stopped container's does.
 */
export class StatsHistory {
  readonly #store: StatsHistoryStore;
  readonly #retention: HistoryRetention;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Destroyed containers, by when they went, until no tick can still be reading them. */
  readonly #gone = new Map<string, number>();
  /**
   * When the last sample recorded of each container was taken. The engine's stats API hands the
   * same sample to every tick until it sends the next (for seconds, when it stalls): a repeat is
   * skipped, even after its minute was compacted, so no minute counts it twice.
   */
  readonly #lastAt = new Map<string, number>();
  readonly #stop: (() => void)[] = [];
  #maintaining: Promise<MaintenanceSummary | null> | undefined;
  #stopped = false;
  #lastFailure: string | undefined;

  constructor(db: BerthDatabase, options: StatsHistoryOptions) {
    this.#store = new StatsHistoryStore(db);
    this.#retention = options.retention;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  /** Records every tick and forgets destroyed containers until `stop`; maintains now and after each minute. */
  start({ stats, index }: HistorySources): void {
    if (this.#stop.length > 0) return;
    this.#stopped = false;
    const onChange = (change: ContainerChange) => {
      if (change.action === 'destroy') this.forget(change.containerId);
    };
    index.on('change', onChange);
    const offTick = stats.onTick((tick) => this.record(tick));
    let timer: NodeJS.Timeout | undefined;
    const maintainAfterNextMinute = () => {
      const now = Date.now();
      const next = now - ((now - COMPACTION_DELAY_MS) % MINUTE_MS) + MINUTE_MS;
      timer = setTimeout(() => {
        void this.maintain();
        maintainAfterNextMinute();
      }, next - now);
      timer.unref();
    };
    // What a berth that was down holds is compacted and pruned soon after it starts.
    void this.maintain();
    maintainAfterNextMinute();
    this.#stop.push(
      () => index.off('change', onChange),
      offTick,
      () => clearTimeout(timer),
    );
  }

  /** Stops recording; a maintenance run in progress ends after its current step. */
  stop(): void {
    this.#stopped = true;
    for (const stop of this.#stop.splice(0)) stop();
  }

  /**
   * Writes one tick's samples in one transaction. Never throws: it runs inside the hub's tick,
   * and a failed write (a full disk) must not cost live subscribers their sample.
   */
  record(tick: StatsTick): void {
    const fresh: ContainerStats[] = [];
    for (const sample of tick.samples.values()) {
      if (this.#gone.has(sample.containerId)) continue;
      if (this.#lastAt.get(sample.containerId) === sample.at.getTime()) continue;
      fresh.push(sample);
    }
    if (fresh.length === 0) return;
    try {
      this.#store.record(fresh);
      for (const sample of fresh) this.#lastAt.set(sample.containerId, sample.at.getTime());
      this.#lastFailure = undefined;
    } catch (error) {
      this.#report('recording stats history failed', error);
    }
  }

  /** The container's history as `Container.statsHistory` answers it; INVALID_INPUT for a bad request. */
  query(containerId: string, request: HistoryRequest): ContainerStats[] {
    const plan = planHistoryQuery(request, this.#now(), this.#retention);
    return plan.stepMs === null
      ? this.#store.samples(containerId, plan.fromMs, plan.toMs)
      : this.#store.buckets(containerId, plan.fromMs, plan.toMs, plan.stepMs, plan.source);
  }

  /** Deletes a destroyed container's history. Never throws: it runs inside the index's change event. */
  forget(containerId: string): void {
    this.#gone.set(containerId, this.#now());
    this.#lastAt.delete(containerId);
    try {
      this.#store.forget(containerId);
    } catch (error) {
      this.#report(`forgetting the stats history of ${containerId} failed`, error);
    }
  }

  /**
   * Compacts the minutes that ended (a moment ago), then deletes samples older than the raw
   * retention and minutes wholly older than the long one, in steps of a few containers each.
   * Never rejects (it runs on a timer): resolves to what it did, or null when a step failed. A
   * call while a run is in progress gets that run.
   */
  maintain(): Promise<MaintenanceSummary | null> {
    this.#maintaining ??= this.#maintain().finally(() => {
      this.#maintaining = undefined;
    });
    return this.#maintaining;
  }

  async #maintain(): Promise<MaintenanceSummary | null> {
    const now = this.#now();
    for (const [id, at] of this.#gone) if (now - at > IN_FLIGHT_MS) this.#gone.delete(id);
    const before = now - COMPACTION_DELAY_MS;
    const compactBefore = before - (before % MINUTE_MS);
    const samplesBefore = now - this.#retention.rawMs;
    const minutesBefore = now - this.#retention.minutesMs - MINUTE_MS;
    const summary: MaintenanceSummary = { compacted: 0, samples: 0, minutes: 0, containers: [] };
    try {
      for (const range of this.#store.seriesRanges(SERIES_PER_STEP)) {
        if (this.#stopped) return null;
        const step = this.#store.maintain(range, compactBefore, samplesBefore, minutesBefore);
        summary.compacted += step.compacted;
        summary.samples += step.samples;
        summary.minutes += step.minutes;
        await yieldToEventLoop();
      }
      if (this.#stopped) return null;
      summary.containers = this.#store.pruneEmptySeries();
      for (const id of summary.containers) this.#lastAt.delete(id);
      if (summary.samples + summary.minutes > 0) {
        this.#log.debug(
          `stats history pruned: ${summary.samples} samples, ${summary.minutes} minutes, ${summary.containers.length} containers`,
        );
      }
      return summary;
    } catch (error) {
      this.#report('maintaining stats history failed', error);
      return null;
    }
  }

  /** Rows held for a container, for tests and diagnostics. */
  rowCounts(containerId: string): { samples: number; minutes: number } {
    return this.#store.rowCounts(containerId);
  }

  /** When the oldest sample kept of a container was taken, for tests and diagnostics. */
  oldestSample(containerId: string): Date | null {
    return this.#store.oldestSample(containerId);
  }

  /** Logs a failure once, not every second while it lasts. */
  #report(message: string, error: unknown): void {
    const key = `${message}: ${error instanceof Error ? error.message : String(error)}`;
    if (key === this.#lastFailure) return;
    this.#lastFailure = key;
    this.#log.error(key);
  }
}
