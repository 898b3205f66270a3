import { EventEmitter } from 'node:events';
import type { Logger } from '../../shared/logger.js';
import type { ContainerStats, StatsCollector, StatsSource, StatsSourceKind } from './model.js';

/** Everything sampled in one tick: one message per tick for batched subscribers. */
export interface StatsTick {
  at: Date;
  samples: ReadonlyMap<string, ContainerStats>;
}

interface Entry {
  /** undefined until a source is chosen (the engine may not have answered yet). */
  collector: StatsCollector | undefined;
  leases: number;
  /** Collectors opened for this entry (one, unless the source changed under it). */
  opened: number;
  latest: ContainerStats | null;
  /** When a query last looked at this container's figures (keeps the collector warm). */
  lingerUntil: number;
}

export interface StatsHubOptions {
  tickMs?: number;
  /** How long a query's look at `cpu`/`memory` keeps a collector running. */
  lingerMs?: number;
  /** Where a container's init process is, for network counters. */
  pidOf: (containerId: string) => number | null;
}

/**
 * One collector per container however many consumers want it: started on the first lease,
 * sampled on one shared tick, released on the last. Subscriptions, the `cpu`/`memory` fields and
 * (later) metrics and alerts all read from here, so the engine is asked once per container per tick.
 */
export class StatsHub {
  readonly #entries = new Map<string, Entry>();
  readonly #ticks = new EventEmitter<{ tick: [StatsTick] }>().setMaxListeners(0);
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;
  readonly #tickMs: number;
  readonly #lingerMs: number;
  /** Collectors opened since start: what the tests count to prove sharing. */
  #opened = 0;

  #source: StatsSource | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: StatsHubOptions,
  ) {
    this.#tickMs = options.tickMs ?? 1000;
    this.#lingerMs = options.lingerMs ?? 60_000;
  }

  /**
   * Sets where samples come from. Chosen once the engine has answered (a local engine's cgroups,
   * or its stats API); leases taken before that start collecting now.
   */
  useSource(source: StatsSource): void {
    if (this.#source) throw new Error(`the stats source is already ${this.#source.kind}`);
    this.#source = source;
    for (const [id, entry] of this.#entries) {
      entry.collector = this.#open(id);
      if (entry.collector) entry.opened += 1;
    }
  }

  get sourceKind(): StatsSourceKind | 'undetected' {
    return this.#source?.kind ?? 'undetected';
  }

  get tickMs(): number {
    return this.#tickMs;
  }

  /** Collectors running now, and opened in all. */
  get collectors(): { running: number; opened: number } {
    return { running: this.#entries.size, opened: this.#opened };
  }

  /** One container's collector: its leases and how many were opened for it; null when none runs. */
  collectorOf(containerId: string): { leases: number; opened: number } | null {
    const entry = this.#entries.get(containerId);
    return entry ? { leases: entry.leases, opened: entry.opened } : null;
  }

  /** Takes a lease on `containerId`'s collector; call the returned function (once) to release it. */
  acquire(containerId: string): () => void {
    const entry = this.#entry(containerId);
    entry.leases += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.leases -= 1;
      this.#releaseIfIdle(containerId);
    };
  }

  /** The newest sample, and a reason to keep sampling this container for a while. */
  look(containerId: string): ContainerStats | null {
    const entry = this.#entry(containerId);
    entry.lingerUntil = Date.now() + this.#lingerMs;
    return entry.latest;
  }

  latest(containerId: string): ContainerStats | null {
    return this.#entries.get(containerId)?.latest ?? null;
  }

  /** Calls `listener` with every tick's samples until the returned function is called. */
  onTick(listener: (tick: StatsTick) => void): () => void {
    this.#ticks.on('tick', listener);
    return () => this.#ticks.off('tick', listener);
  }

  /** Releases a container's collector at once (it is gone), whatever leases remain. */
  drop(containerId: string): void {
    const entry = this.#entries.get(containerId);
    if (!entry) return;
    entry.collector?.close();
    this.#entries.delete(containerId);
    this.#schedule();
  }

  close(): void {
    for (const entry of this.#entries.values()) entry.collector?.close();
    this.#entries.clear();
    this.#schedule();
  }

  #entry(containerId: string): Entry {
    let entry = this.#entries.get(containerId);
    if (!entry) {
      const collector = this.#open(containerId);
      entry = {
        collector,
        leases: 0,
        opened: collector ? 1 : 0,
        latest: null,
        lingerUntil: 0,
      };
      this.#entries.set(containerId, entry);
      this.#schedule();
    }
    return entry;
  }

  #open(containerId: string): StatsCollector | undefined {
    if (!this.#source) return undefined;
    this.#opened += 1;
    const pidOf = this.options.pidOf;
    return this.#source.open({ id: containerId, pid: () => pidOf(containerId) });
  }

  #releaseIfIdle(containerId: string): void {
    const entry = this.#entries.get(containerId);
    if (!entry || entry.leases > 0 || entry.lingerUntil > Date.now()) return;
    entry.collector?.close();
    this.#entries.delete(containerId);
    this.#schedule();
  }

  /** The tick runs only while some collector does. */
  #schedule(): void {
    if (this.#entries.size > 0 && !this.#timer) {
      this.#timer = setInterval(() => void this.#tick(), this.#tickMs);
      this.#timer.unref();
    } else if (this.#entries.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  async #tick(): Promise<void> {
    // A slow read (a busy disk, a remote engine) skips a tick rather than piling up reads.
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const at = new Date();
      const entries = [...this.#entries];
      const samples = await Promise.all(entries.map(([, entry]) => entry.collector?.sample() ?? null));
      const fresh = new Map<string, ContainerStats>();
      entries.forEach(([id, entry], i) => {
        const sample = samples[i];
        if (!sample) return;
        entry.latest = sample;
        fresh.set(id, sample);
      });
      for (const [id] of entries) this.#releaseIfIdle(id);
      this.#ticks.emit('tick', { at, samples: fresh });
    } catch (error) {
      this.log.error('stats tick failed', error);
    } finally {
      this.#sampling = false;
    }
  }
}
