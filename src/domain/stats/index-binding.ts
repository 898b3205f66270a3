import type { Logger } from '../../shared/logger.js';
import type { ContainerChange, ContainerIndex } from '../containers/container-index.js';
import type { StatsHub } from './hub.js';
import type { StatsSource } from './model.js';

/**
 * Ties the stats hub to the container index. The source is chosen once the engine answers (it
 * may be down when berth starts), with a running container to prove the cgroup files are the
 * engine's; a failed try is tried again at the next sync. A removed container's collector goes
 * with it, whoever still holds a lease.
 */
export class StatsIndexBinding {
  #choosing = false;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly index: ContainerIndex,
    private readonly stats: StatsHub,
    /** Detects the source for this engine, proving locality with `probeContainerId` when given. */
    private readonly detectSource: (probeContainerId: string | undefined) => Promise<StatsSource>,
    private readonly log: Logger,
  ) {}

  start(): void {
    const onSynced = () => this.#choose();
    const onChange = (change: ContainerChange) => {
      if (change.action === 'destroy') this.stats.drop(change.containerId);
    };
    this.index.on('synced', onSynced);
    this.index.on('change', onChange);
    this.#unsubscribe.push(
      () => this.index.off('synced', onSynced),
      () => this.index.off('change', onChange),
    );
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #choose(): void {
    if (this.#choosing || this.stats.sourceKind !== 'undetected') return;
    this.#choosing = true;
    const running = this.index.list({ status: 'RUNNING' })[0]?.id;
    this.detectSource(running)
      .then(
        (source) => this.stats.useSource(source),
        (error: unknown) =>
          this.log.warn(
            `choosing the stats source failed (${String(error)}); trying again when the engine is back`,
          ),
      )
      .finally(() => {
        this.#choosing = false;
      });
  }
}
