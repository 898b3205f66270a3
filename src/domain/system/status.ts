import type { ContainerIndex } from '../containers/container-index.js';
import type { EngineUnavailableReason } from '../../shared/errors.js';
import type {
  EngineAvailability,
  EngineFailure,
  EngineState,
  EngineStateChange,
} from './engine-availability.js';
import type { EngineHost } from './ports.js';
import type { StatsHub } from '../stats/hub.js';

export interface SystemReport {
  engine: {
    up: boolean;
    dockerHost: string;
    /** Why the engine does not answer; null while it does. */
    reason: EngineUnavailableReason | null;
    /** What berth saw and the fix; null while the engine answers. */
    detail: string | null;
  };
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
    private readonly availability: Pick<EngineAvailability, 'failure' | 'state' | 'onChange' | 'refresh'>,
  ) {}

  /** Tells `listener` of each change of the engine's state (see EngineAvailability); returns what stops it. */
  onEngineStateChange(listener: (change: EngineStateChange) => void): () => void {
    return this.availability.onChange(listener);
  }

  /**
   * Reads the engine's version and swarm role again now, rather than at the next periodic read:
   * for a change berth itself made to what the engine is.
   */
  refreshEngineFacts(): Promise<void> {
    return this.availability.refresh();
  }

  /** Whether the engine answers, since when it does not, and what it is: the `environments` query's state. */
  engineState(): EngineState {
    return this.availability.state;
  }

  /**
   * Why berth last failed to reach the engine, or null while it answers: what an
   * ENGINE_UNAVAILABLE thrown without a reason of its own (the container index out of step) is
   * answered with.
   */
  engineFailure(): EngineFailure | null {
    return this.availability.failure;
  }

  async report(): Promise<SystemReport> {
    const up = await this.engine.ping();
    // The ping says only whether; the reason is what the engine's last failed try said.
    const failure = up
      ? null
      : (this.availability.failure ?? {
          reason: 'OTHER' as const,
          detail: `the Docker Engine at ${this.dockerHost} did not answer a ping`,
        });
    return {
      engine: {
        up,
        dockerHost: this.dockerHost,
        reason: failure?.reason ?? null,
        detail: failure?.detail ?? null,
      },
      statsSource: this.stats.sourceKind,
      statsCollectors: this.stats.collectors.running,
      indexedContainers: this.index.available ? this.index.list().length : null,
    };
  }
}
