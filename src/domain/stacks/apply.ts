import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../shared/logger.js';
import { BerthError } from '../../shared/errors.js';
import type { Container } from '../containers/model.js';
import type { CreateActor } from '../lifecycle/journal.js';
import type { ContainerService } from '../lifecycle/service.js';
import type { NetworkService } from '../networks/service.js';
import { waitUntilReady } from '../redeploy/health-gate.js';
import { COMPOSE_LABELS, replicaName } from './labels.js';
import type {
  DependencyCondition,
  ServiceOutcome,
  ServicePlan,
  StackDefinition,
  StackDeployProgress,
  StackServiceDefinition,
} from './model.js';
import { dependencyLevels } from './order.js';
import { replicasOf, staleReplicas, type Replica } from './plan.js';
import { holdsExclusive, replicaSpec, serviceAliases } from './replicas.js';

export type Report = (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void;

export interface ApplyOptions {
  actor: CreateActor;
  /** How long a replica may take to be ready, and a dependent to wait for its dependency. */
  timeoutMs: number;
  /** Without a healthcheck, how long a new replica must stay running to count as ready. */
  settleMs: number;
  pollMs: number;
  signal: AbortSignal;
  report: Report;
  /** How long an old replica keeps serving beside its replacement before it stops. */
  drainMs: number;
  /** What a RECREATE with `failure_action: rollback` returns replaced replicas to; null when unknown. */
  previous: StackDefinition | null;
  /**
   * For a redeploy: the image id each service's reference resolves to now, by service; a replica
   * that runs another one is replaced too (see staleReplicas).
   */
  images?: ReadonlyMap<string, string>;
  /** The stack's files (a git checkout), where its bind mounts may come from whatever the policy's prefixes. */
  bindRoot?: string | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A service's step failed; the message is for people (the outcome and the progress carry it). */
class ServiceFailure extends Error {}

/**
 * Carries out a plan's service steps, level by level: the services of one level in parallel, each
 * after the conditions it depends on hold. A service whose dependency failed is skipped. What each
 * step made is in the engine with Compose's labels, so a failure leaves nothing unnamed behind.
 */
export class StackApplier {
  constructor(
    private readonly containers: ContainerService,
    private readonly networks: NetworkService,
    private readonly log: Logger,
  ) {}

  async apply(
    definition: StackDefinition,
    plans: readonly ServicePlan[],
    current: ReadonlyMap<string, Replica[]>,
    options: ApplyOptions,
  ): Promise<ServiceOutcome[]> {
    const outcomes = new Map<string, ServiceOutcome>();
    const byName = new Map(definition.services.map((service) => [service.name, service]));
    const planOf = new Map(plans.map((plan) => [plan.service, plan]));
    // Each service starts as soon as its own dependencies are done, not when their whole level is:
    // the services of one level, and of different branches, run in parallel, as Compose runs them.
    const done = new Map<string, Promise<void>>();
    for (const name of dependencyLevels(definition.services).flat()) {
      const service = byName.get(name);
      const plan = planOf.get(name);
      if (!service || !plan) continue;
      const dependencies = service.dependsOn.map(
        (dependency) => done.get(dependency.service) ?? Promise.resolve(),
      );
      done.set(
        name,
        Promise.all(dependencies).then(async () => {
          outcomes.set(
            name,
            await this.#service(definition, service, plan, current.get(name) ?? [], outcomes, options),
          );
        }),
      );
    }
    await Promise.all(done.values());
    for (const plan of plans) {
      if (plan.action === 'ORPHAN')
        outcomes.set(plan.service, { service: plan.service, outcome: 'UNCHANGED', message: plan.reason });
      if (plan.action !== 'REMOVE') continue;
      try {
        for (const replica of [...(current.get(plan.service) ?? [])].reverse())
          await this.#retire(replica, options);
        options.report({
          step: 'SERVICE_DONE',
          service: plan.service,
          container: null,
          message: 'removed: no longer in the file',
        });
        outcomes.set(plan.service, { service: plan.service, outcome: 'APPLIED', message: null });
      } catch (error) {
        outcomes.set(plan.service, { service: plan.service, outcome: 'FAILED', message: message(error) });
      }
    }
    return plans.map(
      (plan) =>
        outcomes.get(plan.service) ?? { service: plan.service, outcome: 'SKIPPED', message: 'not reached' },
    );
  }

  async #service(
    definition: StackDefinition,
    service: StackServiceDefinition,
    plan: ServicePlan,
    replicas: Replica[],
    outcomes: ReadonlyMap<string, ServiceOutcome>,
    options: ApplyOptions,
  ): Promise<ServiceOutcome> {
    const name = service.name;
    const blocked = service.dependsOn.find((dependency) => {
      const outcome = outcomes.get(dependency.service)?.outcome;
      return outcome === 'FAILED' || outcome === 'SKIPPED';
    });
    if (blocked) {
      const reason = `its dependency ${blocked.service} did not deploy`;
      options.report({
        step: 'SERVICE_FAILED',
        service: name,
        container: null,
        message: `skipped: ${reason}`,
      });
      return { service: name, outcome: 'SKIPPED', message: reason };
    }
    try {
      for (const dependency of service.dependsOn) {
        await this.#dependency(definition, name, dependency.service, dependency.condition, options);
      }
      switch (plan.action) {
        case 'UNCHANGED':
          return { service: name, outcome: 'UNCHANGED', message: null };
        case 'CREATE':
        case 'SCALE':
          await this.scale(definition, service, replicas, service.replicas, options);
          break;
        case 'START':
          for (const replica of replicas) {
            options.report({
              step: 'STARTING',
              service: name,
              container: replica.container.name,
              message: 'starting',
            });
            await this.containers.start(replica.container.id);
          }
          break;
        case 'RECREATE':
          await this.#recreate(definition, service, replicas, options);
          break;
        default:
          return { service: name, outcome: 'UNCHANGED', message: null };
      }
      options.report({ step: 'SERVICE_DONE', service: name, container: null, message: plan.reason });
      return { service: name, outcome: 'APPLIED', message: null };
    } catch (error) {
      if (!(error instanceof ServiceFailure) && !(error instanceof BerthError)) {
        this.log.error(`deploying service ${name} of stack ${definition.name} failed`, error);
      }
      options.report({ step: 'SERVICE_FAILED', service: name, container: null, message: message(error) });
      return { service: name, outcome: 'FAILED', message: message(error) };
    }
  }

  /** Waits until `dependency` meets `condition`, or fails naming it. */
  async #dependency(
    definition: StackDefinition,
    dependent: string,
    dependency: string,
    condition: DependencyCondition,
    options: ApplyOptions,
  ): Promise<void> {
    const replicas = this.#replicas(definition.name, dependency).map((replica) => replica.container);
    if (condition === 'SERVICE_STARTED') return;
    options.report({
      step: 'WAITING',
      service: dependent,
      container: null,
      message: `waiting for ${dependency} to be ${condition === 'SERVICE_HEALTHY' ? 'healthy' : 'completed successfully'}`,
    });
    await Promise.all(
      replicas.map(async (container) => {
        if (condition === 'SERVICE_HEALTHY') {
          const failure = await this.#ready(container.id, true, options);
          if (failure) throw new ServiceFailure(`its dependency ${dependency} is not healthy: ${failure}`);
          return;
        }
        const exitCode = await this.#exited(container.id, options);
        if (exitCode !== 0) {
          throw new ServiceFailure(`its dependency ${dependency} exited with code ${exitCode ?? 'unknown'}`);
        }
      }),
    );
  }

  /** The service's replicas as the engine has them now (see replicasOf). */
  #replicas(stack: string, service: string): Replica[] {
    const containers = this.containers.list({ label: `${COMPOSE_LABELS.project}=${stack}` });
    return replicasOf(stack, containers).get(service) ?? [];
  }

  /** null when the container is ready (healthy, or running for `settleMs` without a healthcheck); why not otherwise. */
  async #ready(id: string, healthcheck: boolean, options: ApplyOptions): Promise<string | null> {
    const failure = await waitUntilReady({
      id,
      gate: healthcheck ? 'HEALTHCHECK' : 'RUNNING',
      settleMs: options.settleMs,
      timeoutMs: options.timeoutMs,
      pollMs: options.pollMs,
      signal: options.signal,
      watch: (watched, listener) =>
        this.containers.onChange(() => {
          const container = this.containers.peek(watched);
          if (container) listener(container);
        }),
      inspect: (watched) => Promise.resolve(this.containers.get(watched)),
    });
    return failure ? failure.message.replace('the new container', 'the container') : null;
  }

  /** Resolves with the exit code once the container exited; null when it timed out. */
  #exited(id: string, options: ApplyOptions): Promise<number | null> {
    return new Promise((resolve) => {
      const check = () => {
        const container = this.containers.peek(id);
        if (!container || container.status === 'EXITED' || container.status === 'DEAD') {
          finish(container?.exitCode ?? null);
        }
      };
      const finish = (code: number | null) => {
        stop();
        clearTimeout(timer);
        clearInterval(poll);
        options.signal.removeEventListener('abort', abort);
        resolve(code);
      };
      const abort = () => finish(null);
      const stop = this.containers.onChange(check);
      const timer = setTimeout(() => finish(null), options.timeoutMs);
      const poll = setInterval(check, options.pollMs);
      options.signal.addEventListener('abort', abort);
      check();
    });
  }

  /**
   * Makes the service run `desired` replicas: new ones take the lowest free numbers (and with them
   * their share of a port range), surplus ones go from the highest number down.
   */
  async scale(
    definition: StackDefinition,
    service: StackServiceDefinition,
    replicas: readonly Replica[],
    desired: number,
    options: ApplyOptions,
  ): Promise<void> {
    const surplus = replicas.slice(desired).reverse();
    for (const replica of surplus) await this.#retire(replica, options);
    const numbers = freeNumbers(
      replicas.slice(0, desired).map((replica) => replica.number),
      desired - Math.min(desired, replicas.length),
    );
    // Replicas of one service start together, as Compose starts them.
    const results = await Promise.allSettled(
      numbers.map(async (number) => {
        const spec = replicaSpec(definition, service, number, { aliases: true });
        options.report({
          step: 'CREATING',
          service: service.name,
          container: spec.name ?? null,
          message: `creating replica ${number}`,
        });
        const container = await this.containers.create(spec, {
          fieldPrefix: `services.${service.name}.`,
          actor: options.actor,
          ...(options.bindRoot !== undefined && { bindRoot: options.bindRoot }),
        });
        options.report({
          step: 'STARTING',
          service: service.name,
          container: container.name,
          message: 'started',
        });
        return container;
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const replica of replicas.slice(0, desired)) {
      if (replica.container.status !== 'RUNNING') await this.containers.start(replica.container.id);
    }
    // Replicas with a healthcheck are followed until healthy, so the service's outcome (and what
    // depends on it) says so. Without one, started is what `docker compose up -d` waits for too; a
    // replacement during an update is held to more (see #replace).
    if (!hasHealthcheck(service)) return;
    await Promise.all(
      results.map(async (result) => {
        if (result.status !== 'fulfilled') return;
        const failure = await this.#ready(result.value.id, hasHealthcheck(service), options);
        if (failure) throw new ServiceFailure(`${result.value.name}: ${failure}`);
        options.report({
          step: 'READY',
          service: service.name,
          container: result.value.name,
          message: 'ready',
        });
      }),
    );
  }

  /**
   * Replaces every replica, `parallelism` at a time with `delay` between batches: each new one is
   * made and must be ready before the old one goes (start-first), or after it stopped when the
   * service holds what only one container can (stop-first, or the file's order). A replacement that
   * fails is removed and the old replica kept; `failure_action` says what happens to the rest.
   */
  async #recreate(
    definition: StackDefinition,
    service: StackServiceDefinition,
    replicas: readonly Replica[],
    options: ApplyOptions,
  ): Promise<void> {
    const stale = staleReplicas(service, replicas, options.images?.get(service.name));
    const kept = replicas.filter((replica) => !stale.includes(replica));
    const batch = service.update.parallelism === 0 ? stale.length : service.update.parallelism;
    // Each replacement takes a number no replica has, decided up front so a batch never collides.
    const numbers = freeNumbers(
      replicas.map((replica) => replica.number),
      stale.length,
    );
    /** The numbers of the replacements taken into service (what a rollback returns). */
    const replaced: number[] = [];
    const failures: string[] = [];
    for (let at = 0; at < stale.length; at += batch) {
      if (at > 0 && service.update.delaySeconds > 0) await sleep(service.update.delaySeconds * 1000);
      const results = await Promise.allSettled(
        stale.slice(at, at + batch).map(async (replica, offset) => {
          const number = numbers[at + offset]!;
          await this.#replace(definition, service, replica, number, options);
          replaced.push(number);
        }),
      );
      for (const result of results) if (result.status === 'rejected') failures.push(message(result.reason));
      if (failures.length === 0 || service.update.failureAction === 'CONTINUE') continue;
      if (service.update.failureAction === 'ROLLBACK' && options.previous) {
        await this.#rollback(options.previous, service.name, replaced, options);
        throw new ServiceFailure(
          `${failures.join('; ')}; rolled back ${replaced.length} replaced replica(s)`,
        );
      }
      throw new ServiceFailure(
        `${failures.join('; ')}; the update paused with ${replaced.length} of ${stale.length} replaced, the others kept serving`,
      );
    }
    if (failures.length > 0) throw new ServiceFailure(failures.join('; '));
    const present = kept.length + stale.length;
    if (present !== service.replicas) {
      const now = this.#replicas(definition.name, service.name);
      await this.scale(definition, service, now, service.replicas, options);
    }
  }

  /** Returns the service's replaced replicas to what the previous file made them from. */
  async #rollback(
    previous: StackDefinition,
    name: string,
    replaced: readonly number[],
    options: ApplyOptions,
  ) {
    const before = previous.services.find((service) => service.name === name);
    if (!before) return;
    const all = this.#replicas(previous.name, name);
    const now = all.filter((replica) => replaced.includes(replica.number));
    const numbers = freeNumbers(
      all.map((replica) => replica.number),
      now.length,
    );
    for (const [index, replica] of now.entries()) {
      await this.#replace(previous, before, replica, numbers[index]!, options).catch((error: unknown) => {
        options.report({
          step: 'SERVICE_FAILED',
          service: name,
          container: replica.container.name,
          message: `rollback: ${message(error)}`,
        });
      });
    }
  }

  /**
   * Replaces one replica by a new one under a fresh number (no container is renamed: a rename makes
   * the engine's DNS drop and add the replica's names, and clients asking then find fewer). Start-
   * first: the new one starts beside the old without the service's aliases, takes them once ready,
   * and the old one drains for a moment before it stops. Stop-first: the old one stops first and is
   * started again if the new one fails. The new replica takes the old one's share of a port range.
   */
  async #replace(
    definition: StackDefinition,
    service: StackServiceDefinition,
    old: Replica,
    number: number,
    options: ApplyOptions,
  ): Promise<void> {
    const name = replicaName(definition.name, service.name, number);
    const stopFirst = service.update.order === 'STOP_FIRST' || holdsExclusive(service);
    if (stopFirst) await this.containers.stop(old.container.id);
    const restore = async () => {
      if (stopFirst && old.container.status === 'RUNNING') await this.containers.start(old.container.id);
    };
    let created: Container;
    try {
      options.report({
        step: 'CREATING',
        service: service.name,
        container: name,
        message: `replacing ${old.container.name}`,
      });
      created = await this.containers.create(
        replicaSpec(definition, service, number, { aliases: stopFirst, slot: old.number }),
        {
          fieldPrefix: `services.${service.name}.`,
          actor: options.actor,
          ...(options.bindRoot !== undefined && { bindRoot: options.bindRoot }),
        },
      );
    } catch (error) {
      await restore();
      throw error;
    }
    options.report({
      step: 'WAITING',
      service: service.name,
      container: name,
      message: 'waiting until ready',
    });
    const failure = await this.#ready(created.id, hasHealthcheck(service), options);
    if (failure) {
      await this.containers.remove(created.id, { force: true, removeVolumes: true }).catch(() => undefined);
      await restore();
      throw new ServiceFailure(`${name}: ${failure}; the old container kept serving`);
    }
    options.report({ step: 'READY', service: service.name, container: name, message: 'ready' });
    if (!stopFirst) {
      // Only now does the service's name lead to it: its networks are joined again with the aliases.
      for (const [network, aliases] of Object.entries(serviceAliases(definition, service))) {
        await this.networks.disconnect(network, created.id, true);
        await this.networks.connect(network, created.id, aliases);
      }
    }
    await this.#retire(old, options, { definition });
    options.report({
      step: 'REPLACED',
      service: service.name,
      container: name,
      message: `replaced ${old.container.name}`,
    });
  }

  /**
   * Takes a replica out of its service's names, stops it (within its grace period) and removes it.
   * It leaves its networks first: the engine's DNS stops naming it at once, while a process that
   * is stopping can refuse connections for a moment with its name still answered. On a network
   * whose subnet the file chose it joins again at its own address without the names and drains
   * (`drain`): a client that looked it up just before still reaches it, as a redeploy drains.
   */
  async #retire(
    replica: Replica,
    options: ApplyOptions,
    drain?: { definition: StackDefinition },
  ): Promise<void> {
    let drained = false;
    for (const network of replica.container.networks) {
      const fixedSubnet = drain?.definition.networks.some(
        (candidate) => candidate.name === network.name && candidate.subnet !== null,
      );
      await this.networks.disconnect(network.name, replica.container.id, true).catch(() => undefined);
      if (!fixedSubnet || network.ipAddress === null) continue;
      await this.networks
        .connect(network.name, replica.container.id, [], network.ipAddress)
        .then(() => (drained = true))
        .catch(() => undefined);
    }
    if (drained) await sleep(options.drainMs, undefined, { signal: options.signal }).catch(() => undefined);
    await this.containers.stop(replica.container.id).catch(() => undefined);
    await this.containers.remove(replica.container.id, { force: true, removeVolumes: true });
    options.report({
      step: 'REMOVED',
      service: replica.service,
      container: replica.container.name,
      message: 'removed',
    });
  }
}

function hasHealthcheck(service: StackServiceDefinition): boolean {
  const test = service.container.healthcheck?.test;
  return test !== undefined && test.length > 0 && test[0] !== 'NONE';
}

/** The `count` lowest positive numbers not in `taken`. */
function freeNumbers(taken: readonly number[], count: number): number[] {
  const used = new Set(taken);
  const numbers: number[] = [];
  for (let number = 1; numbers.length < count; number += 1) if (!used.has(number)) numbers.push(number);
  return numbers;
}
