import type { YogaLogger } from 'graphql-yoga';
import type { DockerSwarm } from '../docker/swarm.js';
import { ServiceNotFoundError } from '../errors.js';
import type { StreamFailure } from '../events/event-log.js';
import type { Service, ServiceChange, ServiceSpec, SwarmNode } from './model.js';
import { RolloutHub, type RolloutUpdate } from './rollout.js';

/**
 * Swarm services, as GraphQL offers them. berth keeps no state of its own here: the swarm's
 * managers hold the services and schedule their tasks, and every answer is read from the
 * manager berth talks to. Only the rollout followers live in berth, shared per service.
 */
export class SwarmService {
  readonly #rollouts: RolloutHub;

  constructor(
    private readonly swarm: DockerSwarm,
    log: YogaLogger,
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

  /** Creates the service and answers it as the swarm has it; its tasks start right after. */
  async deploy(spec: ServiceSpec): Promise<Service> {
    const id = await this.swarm.create(spec);
    return this.swarm.service(id);
  }

  /**
   * Changes the service; a change to its tasks' spec starts a rolling update, done by the swarm
   * as the service's update config says. Answers at once: follow it with `watchRollout`.
   */
  async update(reference: string, change: ServiceChange): Promise<Service> {
    await this.swarm.update(reference, change);
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
