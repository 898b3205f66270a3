import type { Logger } from '../../shared/logger.js';
import type { KeyValue } from '../containers/model.js';
import { MANAGED_LABEL } from '../lifecycle/service.js';
import type { SwarmEngine } from './ports.js';
import { ServiceNotFoundError } from '../../shared/errors.js';
import type { StreamFailure } from '../../shared/stream-failure.js';
import type { Service, ServiceChange, ServiceSpec, SwarmNode } from './model.js';
import { RolloutHub, type RolloutUpdate } from './rollout.js';

const MANAGED = `${MANAGED_LABEL.name}=${MANAGED_LABEL.value}`;

/** Labels as a user gives them: berth's own mark is berth's to set, never the user's. */
function withoutManagedLabel(labels: readonly KeyValue[]): KeyValue[] {
  return labels.filter((label) => label.name !== MANAGED_LABEL.name);
}

/**
 * Swarm services, as GraphQL offers them. berth keeps no state of its own here: the swarm's
 * managers hold the services and schedule their tasks, and every answer is read from the
 * manager berth talks to. Only the rollout followers live in berth, shared per service.
 */
export class SwarmService {
  readonly #rollouts: RolloutHub;

  constructor(
    private readonly swarm: SwarmEngine,
    log: Logger,
    options: { rolloutPollIntervalMs?: number } = {},
  ) {
    this.#rollouts = new RolloutHub(swarm, log, options.rolloutPollIntervalMs);
  }

  nodes(): Promise<SwarmNode[]> {
    return this.swarm.nodes();
  }

  list(): Promise<Service[]> {
    return this.swarm.services();
  }

  /** The service by id, unique id prefix or name, or null when none matches. */
  async find(reference: string): Promise<Service | null> {
    try {
      return await this.swarm.service(reference);
    } catch (error) {
      if (error instanceof ServiceNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Creates the service and answers it as the swarm has it; its tasks start right after. It
   * carries MANAGED_LABEL, as every container berth creates does: the services a backup keeps.
   */
  async deploy(spec: ServiceSpec): Promise<Service> {
    const labels = [...withoutManagedLabel(spec.labels), { ...MANAGED_LABEL }];
    const id = await this.swarm.create({ ...spec, labels });
    return this.swarm.service(id);
  }

  /**
   * The services berth deployed, each as the deployService request that makes it again (without
   * berth's label, which deploy adds): what a backup keeps.
   */
  async managedSpecs(): Promise<ServiceSpec[]> {
    const specs = await this.swarm.specs(MANAGED);
    return specs.map((spec) => ({ ...spec, labels: withoutManagedLabel(spec.labels) }));
  }

  /**
   * Changes the service; a change to its tasks' spec starts a rolling update, done by the swarm
   * as the service's update config says. Answers at once: follow it with `watchRollout`.
   */
  async update(reference: string, change: ServiceChange): Promise<Service> {
    // New labels replace the old ones, but a service berth deployed stays marked as its own.
    const labelled =
      change.labels === undefined
        ? change
        : { ...change, labels: withoutManagedLabel(change.labels), keepLabels: [MANAGED_LABEL.name] };
    await this.swarm.update(reference, labelled);
    return this.swarm.service(reference);
  }

  async rollback(reference: string): Promise<Service> {
    await this.swarm.rollback(reference);
    return this.swarm.service(reference);
  }

  scale(reference: string, replicas: number): Promise<Service> {
    return this.update(reference, { replicas });
  }

  /** Removes the service (the swarm stops its tasks) and answers it as it was just before. */
  async remove(reference: string): Promise<Service> {
    const service = await this.swarm.service(reference);
    await this.swarm.remove(service.id);
    return service;
  }

  watchRollout(reference: string): AsyncIterableIterator<RolloutUpdate | StreamFailure> {
    return this.#rollouts.watch(reference);
  }

  /** Services whose rollout is being followed now: one poller each. */
  rolloutPollers(): number {
    return this.#rollouts.pollers();
  }

  rolloutWatchers(serviceId: string): number {
    return this.#rollouts.watchers(serviceId);
  }

  close(): void {
    this.#rollouts.close();
  }
}
