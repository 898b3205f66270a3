import type { RegistryAuth, RegistryAuthProvider } from '../images/ports.js';
import type { Logger } from '../../shared/logger.js';
import type { KeyValue } from '../containers/model.js';
import { MANAGED_LABEL } from '../lifecycle/service.js';
import type { ServiceRevision, SwarmEngine } from './ports.js';
import { InvalidStateError, ServiceNotFoundError } from '../../shared/errors.js';
import type { StreamFailure } from '../../shared/stream-failure.js';
import {
  STACK_NAMESPACE_LABEL,
  withTasksInOrder,
  type Service,
  type ServiceChange,
  type ServiceSpec,
  type SwarmNode,
} from './model.js';
import { ServiceVersionConflictError } from './errors.js';
import { RolloutHub, type RolloutUpdate } from './rollout.js';
import { MAX_WRITE_ATTEMPTS, assertRollbackPossible, deploymentOf, serviceWrite } from './rules.js';

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
  readonly #credentials: RegistryAuthProvider | undefined;

  constructor(
    private readonly swarm: SwarmEngine,
    log: Logger,
    options: { rolloutPollIntervalMs?: number; credentials?: RegistryAuthProvider } = {},
  ) {
    this.#credentials = options.credentials;
    // The followers see each service as every other answer shows it: its tasks in order.
    this.#rollouts = new RolloutHub(
      { service: (reference) => this.#service(reference) },
      log,
      options.rolloutPollIntervalMs,
    );
  }

  async nodes(): Promise<SwarmNode[]> {
    const nodes = await this.swarm.nodes();
    return nodes.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  }

  async list(): Promise<Service[]> {
    const services = await this.swarm.services();
    return services.map(withTasksInOrder).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The saved credential of the image's registry, read at each write as a pull reads it: the
   * swarm's nodes pull with what the write sent, or anonymously without one.
   */
  #authFor(image: string): RegistryAuth | null {
    return image === '' ? null : (this.#credentials?.authFor(image) ?? null);
  }

  /** One service, its tasks in order. */
  async #service(reference: string): Promise<Service> {
    return withTasksInOrder(await this.swarm.service(reference));
  }

  /** The service by id, unique id prefix or name, or null when none matches. */
  async find(reference: string): Promise<Service | null> {
    try {
      return await this.#service(reference);
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
    const id = await this.swarm.create(deploymentOf({ ...spec, labels }), this.#authFor(spec.image));
    return this.#service(id);
  }

  /**
   * The services berth deployed, each as the deployService request that makes it again (without
   * berth's label, which deploy adds): what a backup keeps. Replicated ones only: berth deploys
   * no other mode, and the swarm never changes a service's mode.
   */
  async managedSpecs(): Promise<ServiceSpec[]> {
    const deployed = await this.swarm.specs(MANAGED);
    return (
      deployed
        // A stack's services are in the stacks section, deployed again from its file.
        .filter(
          ({ mode, spec }) =>
            mode === 'REPLICATED' && !spec.labels.some((label) => label.name === STACK_NAMESPACE_LABEL),
        )
        .map(({ spec }) => ({ ...spec, labels: withoutManagedLabel(spec.labels) }))
        .sort((a, b) => a.name.localeCompare(b.name))
    );
  }

  /**
   * Changes the service; a change to its tasks' spec starts a rolling update, done by the swarm
   * as the service's update config says. Answers at once: follow it with `watchRollout`.
   */
  async update(reference: string, change: ServiceChange): Promise<Service> {
    // New labels replace the old ones, but a service berth deployed stays marked as its own.
    const labelled =
      change.labels === undefined ? change : { ...change, labels: withoutManagedLabel(change.labels) };
    await this.#write(reference, (revision) =>
      this.swarm.update(
        revision,
        serviceWrite(revision, labelled, [MANAGED_LABEL.name]),
        this.#authFor(change.image ?? revision.image),
      ),
    );
    return this.#service(reference);
  }

  /** Rolls the service back to the spec it had before its last update, as `docker service rollback`. */
  async rollback(reference: string): Promise<Service> {
    await this.#write(reference, (revision) => {
      assertRollbackPossible(revision);
      return this.swarm.rollback(revision);
    });
    return this.#service(reference);
  }

  /**
   * Reads the service and writes it. The swarm takes a write only with the version it replaces,
   * so a writer in between (another client, the CLI) makes it stale: read again, write again.
   */
  async #write(reference: string, write: (revision: ServiceRevision) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const revision = await this.swarm.revision(reference);
      try {
        await write(revision);
        return;
      } catch (error) {
        if (!(error instanceof ServiceVersionConflictError)) throw error;
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new InvalidStateError(
            `service "${reference}" kept changing under the update (${attempt} tries); try again`,
          );
        }
      }
    }
  }

  scale(reference: string, replicas: number): Promise<Service> {
    return this.update(reference, { replicas });
  }

  /** Removes the service (the swarm stops its tasks) and answers it as it was just before. */
  async remove(reference: string): Promise<Service> {
    const service = await this.#service(reference);
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
