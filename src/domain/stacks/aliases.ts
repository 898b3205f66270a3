import type { Logger } from '../../shared/logger.js';
import type { Container } from '../containers/model.js';
import type { ContainerService } from '../lifecycle/service.js';
import { MANAGED_LABEL } from '../lifecycle/service.js';
import type { NetworkService } from '../networks/service.js';
import { ALIASES_LABEL } from './replicas.js';

/**
 * Keeps unhealthy replicas out of their service's name. The engine's embedded DNS answers a
 * service's name with every container that has it as an alias, healthy or not; so when a replica
 * berth made turns UNHEALTHY, the guard joins its networks again without the aliases (clients stop
 * reaching it), and gives them back once it is HEALTHY again. It gives back only what it took: a
 * replacement that a rolling update has not yet taken into service is left alone.
 */
export class ReplicaAliasGuard {
  /** Replicas whose aliases the guard took, by id. */
  readonly #stripped = new Set<string>();
  /** Per replica, the change running now: one at a time, and the latest health decides. */
  readonly #busy = new Set<string>();
  #stop: (() => void) | null = null;

  constructor(
    private readonly containers: ContainerService,
    private readonly networks: NetworkService,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#stop = this.containers.onChange(() => this.#check());
    this.#check();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  /** Replicas without their aliases now (tests wait for it). */
  stripped(): string[] {
    return [...this.#stripped];
  }

  #check(): void {
    let replicas: Container[];
    try {
      replicas = this.containers.list({ label: ALIASES_LABEL });
    } catch {
      // The index has not synced with the engine yet (or lost it): its next change calls again.
      return;
    }
    for (const container of replicas) {
      if (!container.labels.some((label) => label.name === MANAGED_LABEL.name)) continue;
      if (this.#busy.has(container.id) || container.status !== 'RUNNING') continue;
      const stripped = this.#stripped.has(container.id);
      if (container.health === 'UNHEALTHY' && !stripped) void this.#set(container, false);
      else if (container.health === 'HEALTHY' && stripped) void this.#set(container, true);
    }
    for (const id of this.#stripped) {
      if (!this.containers.peek(id)) this.#stripped.delete(id);
    }
  }

  async #set(container: Container, withAliases: boolean): Promise<void> {
    this.#busy.add(container.id);
    try {
      const wanted = parseAliases(container);
      for (const network of container.networks) {
        const aliases = wanted[network.name];
        if (!aliases) continue;
        const names = withAliases ? aliases : [];
        await this.networks.disconnect(network.name, container.id, true);
        // It keeps its address where the network lets a container ask for one (a subnet its
        // creator chose, as a fixed `ipv4_address` needs); elsewhere the engine gives one again.
        await this.networks
          .connect(network.name, container.id, names, network.ipAddress ?? undefined)
          .catch(() => this.networks.connect(network.name, container.id, names));
      }
      if (withAliases) this.#stripped.delete(container.id);
      else this.#stripped.add(container.id);
      this.log.info(
        `${container.name} is ${withAliases ? 'healthy again: its service aliases are back' : 'unhealthy: it left its service aliases'}`,
      );
    } catch (error) {
      this.log.warn(`could not change the aliases of ${container.name}: ${String(error)}`);
    } finally {
      this.#busy.delete(container.id);
    }
    // Its health may have flipped while the networks were being joined again.
    this.#check();
  }
}

function parseAliases(container: Container): Record<string, string[]> {
  const text = container.labels.find((label) => label.name === ALIASES_LABEL)?.value ?? '{}';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, string[]] =>
          Array.isArray(entry[1]) && entry[1].every((alias) => typeof alias === 'string'),
      ),
    );
  } catch {
    return {};
  }
}
