import type { ContainerIndex } from '../containers/container-index.js';
import type { StatsHub } from './hub.js';

/**
 * Keeps every running container sampled, whether or not anyone is subscribed: history, metrics
 * and alerts need figures for containers nobody is looking at. It is one more lease on the hub's
 * shared collector, so a container watched by subscribers too is still read once per tick.
 */
export class RunningContainersWatch {
  readonly #leases = new Map<string, () => void>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly index: ContainerIndex,
    private readonly stats: StatsHub,
  ) {}

  start(): void {
    const reconcile = () => this.#reconcile();
    const onChange = (change: { containerId: string; current: { status: string } | undefined }) =>
      this.#update(change.containerId, change.current?.status === 'RUNNING');
    this.index.on('synced', reconcile);
    this.index.on('change', onChange);
    this.#unsubscribe.push(
      () => this.index.off('synced', reconcile),
      () => this.index.off('change', onChange),
    );
    if (this.index.available) reconcile();
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const release of this.#leases.values()) release();
    this.#leases.clear();
  }

  /** Containers held now. */
  get size(): number {
    return this.#leases.size;
  }

  #reconcile(): void {
    const running = new Set(this.index.list({ status: 'RUNNING' }).map((c) => c.id));
    for (const id of this.#leases.keys()) if (!running.has(id)) this.#update(id, false);
    for (const id of running) this.#update(id, true);
  }

  #update(containerId: string, running: boolean): void {
    const held = this.#leases.get(containerId);
    if (running && !held) this.#leases.set(containerId, this.stats.acquire(containerId));
    if (!running && held) {
      held();
      this.#leases.delete(containerId);
    }
  }
}
