import { setTimeout as sleep } from 'node:timers/promises';
import {
  InvalidInputError,
  InvalidStateError,
  NetworkExistsError,
  NetworkInUseError,
  NetworkNotFoundError,
  ServiceNotFoundError,
} from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { KeyValue } from '../../containers/model.js';
import type { Network } from '../../networks/model.js';
import type { NetworkService } from '../../networks/service.js';
import { DEFAULT_POLICY, type CreatePolicy } from '../../policy/policy.js';
import {
  RESETTABLE_FIELDS,
  type Service,
  type ServiceChange,
  type ServiceSpec,
  type ServiceTask,
  type UpdateState,
} from '../../swarm/model.js';
import type { SwarmService } from '../../swarm/service.js';
import { validateReplicas } from '../../swarm/validation.js';
import { STACK_NAME_PATTERN, STACK_NAMESPACE_LABEL } from '../labels.js';
import type {
  LoadedStack,
  ResourcePlan,
  ServiceOutcome,
  ServicePlan,
  StackDefinition,
  StackDeployProgress,
  StackPlan,
} from '../model.js';
import {
  CONFIG_HASH_LABEL,
  swarmNotes,
  swarmServiceName,
  toSwarmServices,
  type SwarmServiceTarget,
} from './convert.js';

/**
 * Compose stacks on a swarm, as `docker stack deploy` makes them (see convert.ts for the mapping):
 * the plan and progress are the standalone stacks' types. berth keeps nothing of its own here: a
 * stack is the services and networks carrying its namespace label, read from the manager, so a
 * stack the Docker CLI deployed is found, scaled and removed too. Every write goes through
 * SwarmService, with its conflict retries; the apply then waits until the swarm has what the file
 * asks (the replicas running, a rolling update completed), or says why not.
 */

export type Report = (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void;

export interface SwarmStackService {
  /** The name in the file. */
  name: string;
  /** The swarm's: `<stack>_<name>`. */
  serviceName: string;
  serviceId: string;
  image: string;
  desiredReplicas: number;
  runningReplicas: number;
  /** The config hash berth wrote (null for a service the CLI deployed). */
  configHash: string | null;
  /** The last rolling update's state; null before the first. */
  updateState: UpdateState | null;
}

export interface SwarmStackSummary {
  name: string;
  /** By name. */
  services: SwarmStackService[];
}

export interface SwarmStacksOptions {
  /** The create policy each task's container passes (default: DEFAULT_POLICY, which denies). */
  policy?: () => CreatePolicy;
  /** How often the apply looks at a service while it waits for it. */
  pollIntervalMs?: number;
  /** How long the apply waits for one service to have its replicas running. */
  readyTimeoutMs?: number;
  /** How long a removal waits for the swarm to let go of a stack network. */
  networkRemoveTimeoutMs?: number;
}

const POLL_INTERVAL_MS = 500;
const READY_TIMEOUT_MS = 180_000;
const NETWORK_REMOVE_TIMEOUT_MS = 60_000;
/** Tasks of one service that fail during one apply before it is given up (the swarm would go on). */
const FAILED_TASKS_LIMIT = 3;

const FINAL_FAILURES: ReadonlySet<UpdateState> = new Set(['PAUSED', 'ROLLBACK_COMPLETED', 'ROLLBACK_PAUSED']);

const labelOf = (labels: readonly KeyValue[], name: string) =>
  labels.find((label) => label.name === name)?.value;
const namespaceOf = (service: Service) => labelOf(service.labels, STACK_NAMESPACE_LABEL);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A stack's spec as an update: every field given, those the file leaves out set back to the default. */
function wholeChange(spec: ServiceSpec): ServiceChange {
  const { name: _name, ...fields } = spec;
  const change: ServiceChange = { ...fields };
  const resettable = change as Record<string, unknown>;
  for (const field of RESETTABLE_FIELDS) if (spec[field] === undefined) resettable[field] = null;
  return change;
}

function validateStackName(stack: string): string {
  if (!STACK_NAME_PATTERN.test(stack)) {
    throw new InvalidInputError(
      'stack',
      'must be lowercase letters, digits, "-" and "_", starting with a letter or digit',
    );
  }
  return stack;
}

/** Dependencies first (a swarm starts them together anyway); the file's order otherwise. */
function inDependencyOrder(targets: readonly SwarmServiceTarget[]): SwarmServiceTarget[] {
  const byName = new Map(targets.map((target) => [target.service, target]));
  const depth = new Map<string, number>();
  const visit = (name: string, seen: readonly string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.includes(name)) return 0;
    const needs = byName.get(name)?.definition.dependsOn ?? [];
    const value =
      Math.max(
        -1,
        ...needs.filter((d) => byName.has(d.service)).map((d) => visit(d.service, [...seen, name])),
      ) + 1;
    depth.set(name, value);
    return value;
  };
  return targets
    .map((target, i) => ({ target, i, depth: visit(target.service, []) }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .map(({ target }) => target);
}

export class SwarmStacks {
  readonly #policy: () => CreatePolicy;
  readonly #pollIntervalMs: number;
  readonly #readyTimeoutMs: number;
  readonly #networkRemoveTimeoutMs: number;

  constructor(
    private readonly swarm: SwarmService,
    private readonly networks: NetworkService,
    private readonly log: Logger,
    options: SwarmStacksOptions = {},
  ) {
    this.#policy = options.policy ?? (() => DEFAULT_POLICY);
    this.#pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    this.#networkRemoveTimeoutMs = options.networkRemoveTimeoutMs ?? NETWORK_REMOVE_TIMEOUT_MS;
  }

  /**
   * What deploying the file would change: per service CREATE, RECREATE (a rolling update: its config
   * hash differs), SCALE (only the replicas differ), UNCHANGED, and the stack's services no longer in
   * the file, ORPHAN (kept) or REMOVE (with `removeOrphans`); per network CREATE, EXISTS or EXTERNAL.
   * Refuses (InvalidInputError, by key) what a swarm cannot do, and a service or network of the
   * stack's names that is not the stack's. Changes nothing.
   */
  async plan(loaded: LoadedStack, options: { removeOrphans: boolean }): Promise<StackPlan> {
    const definition = loaded.definition;
    const stack = validateStackName(definition.name);
    const targets = inDependencyOrder(toSwarmServices(definition, this.#policy()));
    const [services, resources] = await Promise.all([this.swarm.list(), this.#networkPlan(definition)]);
    const byName = new Map(services.map((service) => [service.name, service]));

    const plans: ServicePlan[] = targets.map((target) =>
      this.#servicePlan(stack, target, byName.get(target.spec.name)),
    );

    const wanted = new Set([
      ...targets.map((target) => target.spec.name),
      // A service left out by its profile is the file's still: never an orphan.
      ...definition.inactive.map((name) => swarmServiceName(stack, name)),
    ]);
    const orphans = services
      .filter((service) => namespaceOf(service) === stack && !wanted.has(service.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const orphan of orphans) {
      const current = orphan.replicas ?? 0;
      plans.push({
        service: this.#shortName(stack, orphan.name),
        action: options.removeOrphans ? 'REMOVE' : 'ORPHAN',
        currentReplicas: current,
        desiredReplicas: options.removeOrphans ? 0 : current,
        currentHash: labelOf(orphan.labels, CONFIG_HASH_LABEL) ?? null,
        desiredHash: null,
        reason: options.removeOrphans
          ? 'no longer in the file: removed'
          : 'no longer in the file: kept (removeOrphans removes it)',
      });
    }

    const changes =
      plans.some((plan) => plan.action !== 'UNCHANGED' && plan.action !== 'ORPHAN') ||
      resources.some((resource) => resource.action === 'CREATE');
    return { stack, hash: loaded.hash, services: plans, resources, changes };
  }

  #servicePlan(stack: string, target: SwarmServiceTarget, current: Service | undefined): ServicePlan {
    const desired = target.spec.replicas;
    const notes = swarmNotes(target.definition);
    const because = (reason: string) => [reason, ...notes].join('; ');
    const plan = { service: target.service, desiredReplicas: desired, desiredHash: target.hash };
    if (current === undefined) {
      return {
        ...plan,
        action: 'CREATE',
        currentReplicas: 0,
        currentHash: null,
        reason: because(`a new service ${target.spec.name}`),
      };
    }
    const namespace = namespaceOf(current);
    if (namespace !== stack) {
      throw new InvalidStateError(
        `a swarm service named "${current.name}" exists and is not part of stack "${stack}"` +
          (namespace === undefined ? '' : ` (it is stack "${namespace}"'s)`) +
          ': remove or rename it first',
      );
    }
    if (current.mode !== 'REPLICATED') {
      throw new InvalidStateError(
        `service "${current.name}" runs in ${current.mode.toLowerCase()} mode; the file asks for replicas, ` +
          'and a swarm never changes a service’s mode: remove it first',
      );
    }
    const currentReplicas = current.replicas ?? 0;
    const currentHash = labelOf(current.labels, CONFIG_HASH_LABEL) ?? null;
    if (currentHash !== target.hash) {
      return {
        ...plan,
        action: 'RECREATE',
        currentReplicas,
        currentHash,
        reason: because(
          currentHash === null
            ? 'deployed without berth’s config hash: updated to the file'
            : 'the config changed: a rolling update replaces its tasks',
        ),
      };
    }
    if (currentReplicas !== desired) {
      const difference = desired - currentReplicas;
      return {
        ...plan,
        action: 'SCALE',
        currentReplicas,
        currentHash,
        reason: because(
          `${Math.abs(difference)} replica${Math.abs(difference) === 1 ? '' : 's'} ${difference > 0 ? 'more' : 'fewer'}`,
        ),
      };
    }
    return { ...plan, action: 'UNCHANGED', currentReplicas, currentHash, reason: because('as deployed') };
  }

  /** The stack's networks: an external one must exist and span the swarm; one of its names must be its own. */
  async #networkPlan(definition: StackDefinition): Promise<ResourcePlan[]> {
    return Promise.all(
      definition.networks.map(async (network): Promise<ResourcePlan> => {
        const found = await this.networks.find(network.name);
        const plan = { kind: 'NETWORK' as const, key: network.key, name: network.name };
        if (network.external) {
          if (found === null) {
            throw new InvalidInputError(
              `networks.${network.key}.external`,
              `no network "${network.name}": an external network must exist before the stack is deployed`,
            );
          }
          if (found.scope !== 'swarm') {
            throw new InvalidInputError(
              `networks.${network.key}.external`,
              `"${network.name}" is a ${found.scope} ${found.driver} network: a swarm service joins networks ` +
                'that span the swarm (overlay)',
            );
          }
          return { ...plan, action: 'EXTERNAL' };
        }
        if (found === null) return { ...plan, action: 'CREATE' };
        if (found.scope !== 'swarm' || found.driver !== 'overlay') {
          throw new InvalidStateError(
            `a ${found.scope} ${found.driver} network named "${network.name}" exists (a standalone deploy of ` +
              `the stack?): the swarm stack needs an overlay network of that name; remove it first`,
          );
        }
        return { ...plan, action: 'EXISTS' };
      }),
    );
  }

  /**
   * Applies `plan` (from `plan` on the same file): creates the networks, then writes every service at
   * once (a swarm orders nothing) and waits until each has its replicas running; removes the
   * orphans last, when the plan says REMOVE. A service that fails is FAILED with the swarm's word;
   * the others go on.
   */
  async apply(loaded: LoadedStack, plan: StackPlan, report: Report): Promise<ServiceOutcome[]> {
    const definition = loaded.definition;
    const stack = validateStackName(definition.name);
    if (plan.stack !== stack) {
      throw new InvalidInputError(
        'plan.stack',
        `the plan is for stack "${plan.stack}", the file for "${stack}"`,
      );
    }
    const targets = new Map(
      toSwarmServices(definition, this.#policy()).map((target) => [target.service, target]),
    );

    for (const resource of plan.resources) {
      if (resource.kind !== 'NETWORK' || resource.action !== 'CREATE') continue;
      const network = definition.networks.find((candidate) => candidate.key === resource.key);
      if (network === undefined) continue;
      try {
        await this.networks.create({
          name: network.name,
          driver: 'OVERLAY',
          internal: network.internal,
          // Standalone containers may join (a client, a one-off shell), as the services' peers.
          attachable: true,
          labels: [
            ...network.labels.filter((label) => label.name !== STACK_NAMESPACE_LABEL),
            { name: STACK_NAMESPACE_LABEL, value: stack },
          ],
          ipam: network.subnet === null ? null : { subnet: network.subnet, gateway: network.gateway },
        });
      } catch (error) {
        // Made since the plan (another deploy of the stack): the plan's own check holds for it.
        if (!(error instanceof NetworkExistsError)) throw error;
      }
      report({
        step: 'NETWORK_CREATED',
        service: null,
        container: null,
        message: `network ${network.name} created`,
      });
    }

    const outcomes = new Map<string, ServiceOutcome>();
    await Promise.all(
      plan.services
        .filter((service) => service.action !== 'REMOVE' && service.action !== 'ORPHAN')
        .map(async (service) => {
          outcomes.set(
            service.service,
            await this.#applyService(service, targets.get(service.service), report),
          );
        }),
    );
    for (const service of plan.services) {
      if (service.action === 'ORPHAN') {
        outcomes.set(service.service, {
          service: service.service,
          outcome: 'UNCHANGED',
          message: service.reason,
        });
      }
      if (service.action !== 'REMOVE') continue;
      const name = swarmServiceName(stack, service.service);
      try {
        await this.#removeService(name);
        report({
          step: 'REMOVED',
          service: service.service,
          container: null,
          message: `service ${name} removed`,
        });
        report({
          step: 'SERVICE_DONE',
          service: service.service,
          container: null,
          message: 'removed: no longer in the file',
        });
        outcomes.set(service.service, { service: service.service, outcome: 'APPLIED', message: null });
      } catch (error) {
        report({
          step: 'SERVICE_FAILED',
          service: service.service,
          container: null,
          message: message(error),
        });
        outcomes.set(service.service, {
          service: service.service,
          outcome: 'FAILED',
          message: message(error),
        });
      }
    }
    return plan.services.map(
      (service) =>
        outcomes.get(service.service) ?? {
          service: service.service,
          outcome: 'SKIPPED',
          message: 'not reached',
        },
    );
  }

  async #applyService(
    plan: ServicePlan,
    target: SwarmServiceTarget | undefined,
    report: Report,
  ): Promise<ServiceOutcome> {
    const service = plan.service;
    if (plan.action === 'UNCHANGED') return { service, outcome: 'UNCHANGED', message: null };
    if (target === undefined) {
      const reason = `the plan names ${service}, which the file does not have: plan again`;
      report({ step: 'SERVICE_FAILED', service, container: null, message: reason });
      return { service, outcome: 'FAILED', message: reason };
    }
    const spec = target.spec;
    try {
      const before = plan.action === 'CREATE' ? null : await this.swarm.find(spec.name);
      if (plan.action === 'CREATE') {
        report({ step: 'CREATING', service, container: null, message: `creating service ${spec.name}` });
        await this.swarm.deploy(spec);
      } else if (plan.action === 'RECREATE') {
        report({
          step: 'CREATING',
          service,
          container: null,
          message: `updating service ${spec.name}: ${plan.reason}`,
        });
        await this.swarm.update(spec.name, wholeChange(spec));
      } else if (plan.action === 'SCALE') {
        report({
          step: 'CREATING',
          service,
          container: null,
          message: `scaling ${spec.name} to ${spec.replicas}`,
        });
        await this.swarm.scale(spec.name, spec.replicas);
      } else {
        throw new InvalidStateError(`a swarm stack cannot ${plan.action.toLowerCase()} a service`);
      }
      report({
        step: 'WAITING',
        service,
        container: null,
        message: `waiting for ${spec.replicas} replica${spec.replicas === 1 ? '' : 's'} to run`,
      });
      await this.#ready(spec.name, spec.replicas, before);
      report({
        step: 'READY',
        service,
        container: null,
        message: `${spec.replicas} of ${spec.replicas} running`,
      });
      report({ step: 'SERVICE_DONE', service, container: null, message: plan.reason });
      return { service, outcome: 'APPLIED', message: null };
    } catch (error) {
      this.log.warn(`swarm stack service ${spec.name}: ${message(error)}`);
      report({ step: 'SERVICE_FAILED', service, container: null, message: message(error) });
      return { service, outcome: 'FAILED', message: message(error) };
    }
  }

  /**
   * Waits until the service runs `replicas` tasks of its current spec: its rolling update (if the
   * write started one) completed, and as many tasks running as asked, seen twice in a row. A
   * rolling update that pauses or rolls back, tasks that keep failing, or the time running out is
   * an InvalidStateError with the swarm's word.
   */
  async #ready(name: string, replicas: number, before: Service | null): Promise<void> {
    const seen = new Set(before?.tasks.map((task) => task.id) ?? []);
    const previousUpdate = before?.updateStatus?.startedAt?.getTime() ?? null;
    const deadline = Date.now() + this.#readyTimeoutMs;
    let settled = 0;
    let last: Service | null = null;
    for (;;) {
      await sleep(this.#pollIntervalMs);
      const service = await this.swarm.find(name);
      if (service === null) throw new InvalidStateError(`service ${name} was removed while it was deployed`);
      last = service;
      const status = service.updateStatus;
      const newUpdate = status !== null && (status.startedAt?.getTime() ?? null) !== previousUpdate;
      if (newUpdate && FINAL_FAILURES.has(status.state)) {
        throw new InvalidStateError(
          `the rolling update of ${name} ${status.state === 'PAUSED' ? 'paused' : 'was rolled back'}` +
            (status.message ? `: ${status.message}` : ''),
        );
      }
      const failed = service.tasks.filter(
        (task) => !seen.has(task.id) && (task.state === 'FAILED' || task.state === 'REJECTED'),
      );
      if (failed.length >= FAILED_TASKS_LIMIT) {
        throw new InvalidStateError(`tasks of ${name} keep failing (${failed.length}): ${taskError(failed)}`);
      }
      const current = service.tasks.filter((task) => task.desiredState === 'RUNNING');
      const running = current.filter((task) => task.state === 'RUNNING');
      const updating = newUpdate && (status.state === 'UPDATING' || status.state === 'ROLLBACK_STARTED');
      settled = !updating && running.length === replicas && current.length === replicas ? settled + 1 : 0;
      if (settled >= 2) return;
      if (Date.now() > deadline) break;
    }
    const running = last.tasks.filter((task) => task.desiredState === 'RUNNING' && task.state === 'RUNNING');
    const failing = last.tasks.filter((task) => !seen.has(task.id) && task.error !== null);
    throw new InvalidStateError(
      `${name} has ${running.length} of ${replicas} replicas running after ${Math.round(this.#readyTimeoutMs / 1000)} s` +
        (failing.length > 0 ? `: ${taskError(failing)}` : ''),
    );
  }

  /** The stacks on the swarm: services grouped by their namespace label, whoever deployed them. */
  async list(): Promise<SwarmStackSummary[]> {
    const services = await this.swarm.list();
    const stacks = new Map<string, SwarmStackService[]>();
    for (const service of services) {
      const stack = namespaceOf(service);
      if (stack === undefined) continue;
      const entry: SwarmStackService = {
        name: this.#shortName(stack, service.name),
        serviceName: service.name,
        serviceId: service.id,
        image: service.image,
        desiredReplicas:
          service.replicas ?? service.tasks.filter((task) => task.desiredState === 'RUNNING').length,
        runningReplicas: service.tasks.filter(
          (task) => task.state === 'RUNNING' && task.desiredState === 'RUNNING',
        ).length,
        configHash: labelOf(service.labels, CONFIG_HASH_LABEL) ?? null,
        updateState: service.updateStatus?.state ?? null,
      };
      stacks.set(stack, [...(stacks.get(stack) ?? []), entry]);
    }
    return [...stacks]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entries]) => ({ name, services: entries.sort((a, b) => a.name.localeCompare(b.name)) }));
  }

  /** Sets a service's replicas; the swarm starts or stops tasks after (list shows them running). */
  async scale(stack: string, service: string, replicas: number): Promise<void> {
    validateStackName(stack);
    const count = validateReplicas(replicas);
    const name = swarmServiceName(stack, service);
    const found = await this.swarm.find(name);
    if (found === null || namespaceOf(found) !== stack) throw new ServiceNotFoundError(name);
    await this.swarm.scale(found.id, count);
  }

  /**
   * Removes the stack's services, then its networks (once the swarm has let go of them), as
   * `docker stack rm`. Volumes stay, as there: each node keeps its own.
   */
  async remove(stack: string): Promise<void> {
    validateStackName(stack);
    const services = (await this.swarm.list()).filter((service) => namespaceOf(service) === stack);
    for (const service of services) await this.#removeService(service.id);
    const networks = await this.networks.list({ label: `${STACK_NAMESPACE_LABEL}=${stack}` });
    for (const network of networks) await this.#removeNetwork(network);
  }

  async #removeService(reference: string): Promise<void> {
    try {
      await this.swarm.remove(reference);
    } catch (error) {
      if (!(error instanceof ServiceNotFoundError)) throw error;
    }
  }

  /** The swarm lets go of a network once the removed services' tasks are gone: a few seconds. */
  async #removeNetwork(network: Network): Promise<void> {
    const deadline = Date.now() + this.#networkRemoveTimeoutMs;
    for (;;) {
      try {
        await this.networks.remove(network.id);
        return;
      } catch (error) {
        if (error instanceof NetworkNotFoundError) return;
        const inUse = error instanceof NetworkInUseError || /in use|active endpoints/i.test(message(error));
        if (!inUse || Date.now() > deadline) throw error;
      }
      await sleep(this.#pollIntervalMs);
    }
  }

  #shortName(stack: string, serviceName: string): string {
    const prefix = `${stack}_`;
    return serviceName.startsWith(prefix) ? serviceName.slice(prefix.length) : serviceName;
  }
}

function taskError(tasks: readonly ServiceTask[]): string {
  const newest = [...tasks].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  return newest?.error ?? newest?.message ?? 'no reason given';
}
