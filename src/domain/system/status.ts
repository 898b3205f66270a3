import type { ContainerIndex } from '../containers/container-index.js';
import type { EngineHost } from './ports.js';
import type { StatsHub } from '../stats/hub.js';

export interface SystemReport {
  engine: { up: boolean; dockerHost: string };
  statsSource: string;
  statsCollectors: number;
  indexedContainers: number | null;
}

/** What `/healthz` and the `system` query report about berth and its engine. */
export class SystemStatus {
  constructor(
    private readonly engine: Pick<EngineHost, 'ping'>,
    private readonly index: ContainerIndex,
    private readonly stats: StatsHub,
    private readonly dockerHost: string,
  ) {}

  async report(): Promise<SystemReport> {
    const up = await this.engine.ping();
    return {
      engine: { up, dockerHost: this.dockerHost },
      statsSource: this.stats.sourceKind,
      statsCollectors: this.stats.collectors.running,
      indexedContainers: this.index.available ? this.index.list().length : null,
    };
  }
}
