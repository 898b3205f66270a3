import type { Logger } from '../../shared/logger.js';
import {
  InvalidInputError,
  NetworkNotFoundError,
  QuotaExceededError,
  StackBusyError,
  StackNotFoundError,
  StackNotRedeployableError,
  VolumeNotFoundError,
} from '../../shared/errors.js';
import type { Container } from '../containers/model.js';
import type { CreateActor } from '../lifecycle/journal.js';
import { withBindRoot, type ContainerService } from '../lifecycle/service.js';
import type { ImageService } from '../images/service.js';
import type { NetworkService } from '../networks/service.js';
import { enforcePolicy, type CreatePolicy } from '../policy/policy.js';
import type { VolumeService } from '../volumes/service.js';
import { StackApplier } from './apply.js';
import { loadStack } from './compose/load.js';
import { COMPOSE_LABELS, COMPOSE_VERSION, STACK_NAMESPACE_LABEL, validateStackName } from './labels.js';
import type {
  LoadedStack,
  ServiceOutcome,
  StackDefinition,
  StackDeployProgress,
  StackDeployResult,
  StackFiles,
  StackHistoryEntry,
  StackPlan,
  StackState,
} from './model.js';
import { dependencyLevels } from './order.js';
import { planStack, replicasOf, type Replica } from './plan.js';
import { StackProgressBoard } from './progress.js';
import { replicaSpec } from './replicas.js';
import type { StackRecord, StackStore } from './store.js';

/** The same files as Swarm services, on a swarm manager (swarm/, as `docker stack deploy`). */
export interface SwarmStackDeployer {
  plan(loaded: LoadedStack, options: { removeOrphans: boolean }): Promise<StackPlan>;
  apply(
    loaded: LoadedStack,
    plan: StackPlan,
    report: (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void,
  ): Promise<ServiceOutcome[]>;
  list(): Promise<
    { name: string; services: { name: string; serviceName: string; desiredReplicas: number }[] }[]
  >;
  scale(stack: string, service: string, replicas: number): Promise<void>;
  remove(stack: string): Promise<void>;
}

export interface DeployRequest {
  name: string;
  compose: string;
  env: string;
  dryRun: boolean;
  removeOrphans: boolean;
  /** Profiles to enable; absent: `COMPOSE_PROFILES` of the env text. */
  profiles?: string[];
  /** How long each replica may take to be ready, and a dependent to wait for its dependency. */
  timeoutSeconds: number;
  /** The stack's files (a git checkout); absent: the stack is only its compose text. */
  files?: StackFiles;
  /** How the history names it: a SYNC from git, and a note such as the commit. Default: DEPLOY. */
  history?: { action: 'DEPLOY' | 'SYNC'; note: string };
}

/** Stacks whose files live elsewhere than their record (src/domain/stacks/git): found and forgotten by name. */
export interface StackSources {
  /** The files of a stack that has them; undefined for a stack that is only its compose text. */
  filesOf(stack: string): StackFiles | undefined;
  /** The stack was removed: its source and files go too. */
  removed(stack: string): Promise<void>;
}

export interface StackServiceOptions {
  /** Without a healthcheck, how long a new replica must stay running to count as ready. */
  settleMs?: number;
  pollMs?: number;
  /** How long an old replica keeps serving beside its replacement before it stops. */
  drainMs?: number;
  /** Where stacks with files (from git) keep them. */
  sources?: StackSources;
}

/** What a redeploy needs of the images: shared pulls with saved credentials, and what a reference names now. */
export type StackImages = Pick<ImageService, 'pull' | 'find'>;

/** How long `stacks` and `stack` trust the last answer to "is the engine a swarm manager?". */
const MANAGER_TTL_MS = 5_000;

const projectLabel = (stack: string) => `${COMPOSE_LABELS.project}=${stack}`;

/**
 * Compose stacks on one engine (one environment's; its store sees only that environment's records): deploy (plan, then apply only what changed), scale, start, stop,
 * remove, and what runs now. On a swarm manager, the same files deploy as Swarm services through
 * `SwarmStacks`. One deploy, scale or removal runs per stack at a time.
 */
export class StackService {
  readonly #board = new StackProgressBoard();
  readonly #busy = new Set<string>();
  readonly #applier: StackApplier;
  readonly #aborts = new AbortController();
  readonly #settleMs: number;
  readonly #pollMs: number;
  readonly #drainMs: number;
  readonly #sources: StackSources | undefined;
  /** Whether the engine is a swarm manager, as last asked, and when (see #isManager). */
  #manager: { value: boolean; at: number } | null = null;

  constructor(
    private readonly containers: ContainerService,
    private readonly networks: NetworkService,
    private readonly volumes: VolumeService,
    private readonly store: StackStore,
    private readonly policy: () => CreatePolicy,
    private readonly swarm: { stacks: SwarmStackDeployer; isManager(): Promise<boolean> } | null,
    private readonly log: Logger,
    private readonly images: StackImages,
    options: StackServiceOptions = {},
  ) {
    this.#applier = new StackApplier(containers, networks, log);
    this.#settleMs = options.settleMs ?? 3_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#drainMs = options.drainMs ?? 2_000;
    this.#sources = options.sources;
  }

  /** The environment (Docker host) whose stacks these are. */
  get environment(): string {
    return this.store.environment;
  }

  /** Loads, validates and plans; applies unless `dryRun`. Only INVALID_COMPOSE and friends throw. */
  async deploy(
    request: DeployRequest,
    actor: CreateActor & { principal: string },
  ): Promise<StackDeployResult> {
    if (request.files === undefined && this.#sources?.filesOf(request.name) !== undefined) {
      throw new InvalidInputError(
        'name',
        `stack ${request.name} is deployed from git: change its repository and sync it (syncStack), or deploy it again with deployStackFromGit`,
      );
    }
    const loaded = this.#load(request);
    const label = request.history ?? { action: 'DEPLOY' as const, note: '' };
    if (this.swarm && (await this.#isManager(true))) return this.#deploySwarm(loaded, request, actor);
    return this.#exclusive(loaded.definition.name, async () => {
      const current = this.#replicas(loaded.definition.name);
      const plan = await this.#plan(loaded, current, { removeOrphans: request.removeOrphans });
      const bindRoot = request.files?.root;
      this.#admit(loaded.definition, plan, bindRoot);
      if (request.dryRun) return { plan, applied: false, outcomes: [], ok: true };
      return this.#run(
        loaded.definition.name,
        loaded.hash,
        actor.principal,
        (report) =>
          this.#applyPlan(loaded, plan, current, request.timeoutSeconds, actor, report, label.action, {
            bindRoot,
            note: label.note,
          }),
        label.action,
        label.note,
      );
    });
  }

  /**
   * Applies the stored file of a stack berth deployed again, with the same plan, health gate and
   * rollback as `deploy`: with `pull`, every service's image is pulled first (saved registry
   * credentials apply), and a service whose containers run another image than its reference names
   * now is recreated even though the file did not change, as `docker compose up --pull always`
   * does. Services whose file and image are unchanged are left alone. A stack the Compose CLI
   * started (berth has no file) and one that runs as Swarm services are STACK_NOT_REDEPLOYABLE.
   */
  async redeploy(
    name: string,
    actor: CreateActor & { principal: string },
    options: { pull?: boolean; timeoutSeconds?: number } = {},
  ): Promise<StackDeployResult> {
    validateStackName(name);
    if (
      this.swarm &&
      (await this.#isManager(true)) &&
      (await this.swarm.stacks.list()).some((stack) => stack.name === name)
    ) {
      throw new StackNotRedeployableError(
        name,
        'it runs as Swarm services; deploy its file again with deployStack (the swarm pulls what the file names)',
      );
    }
    const record = this.store.get(name);
    if (!record) {
      if (this.#replicas(name).size === 0) throw new StackNotFoundError(name);
      throw new StackNotRedeployableError(
        name,
        'berth has no compose file for it (the Compose CLI started it); deploy its file with deployStack first',
      );
    }
    const stored = this.#loadRecord(record);
    const bindRoot = this.#sources?.filesOf(name)?.root;
    // The replica counts scaleStackService set since stay: a redeploy changes images, not counts.
    const loaded: LoadedStack = {
      ...stored,
      definition: {
        ...stored.definition,
        services: stored.definition.services.map((service) => ({
          ...service,
          replicas: record.scales[service.name] ?? service.replicas,
        })),
      },
    };
    const timeoutSeconds = options.timeoutSeconds ?? 120;
    return this.#exclusive(name, () =>
      this.#run(
        name,
        loaded.hash,
        actor.principal,
        async (report) => {
          const references = [
            ...new Set(
              loaded.definition.services
                .filter((service) => service.replicas > 0)
                .map((service) => service.container.image),
            ),
          ];
          if (options.pull ?? true) {
            await Promise.all(
              references.map(async (reference) => {
                report({ step: 'PULLING', service: null, container: null, message: reference });
                await this.images.pull(reference);
              }),
            );
          }
          const ids = new Map<string, string>();
          for (const reference of references) {
            const image = await this.images.find(reference);
            if (image) ids.set(reference, image.id);
          }
          const images = new Map<string, string>();
          for (const service of loaded.definition.services) {
            const id = ids.get(service.container.image);
            if (id) images.set(service.name, id);
          }
          const current = this.#replicas(name);
          const plan = await this.#plan(loaded, current, { removeOrphans: false, images });
          this.#admit(loaded.definition, plan, bindRoot);
          // A rollback returns a replaced replica to the image it ran, by id: the tag names the new one now.
          const previous: StackDefinition = {
            ...loaded.definition,
            services: loaded.definition.services.map((service) => {
              const running = current.get(service.name)?.[0]?.container.imageId;
              return running ? { ...service, container: { ...service.container, image: running } } : service;
            }),
          };
          return this.#applyPlan(loaded, plan, current, timeoutSeconds, actor, report, 'REDEPLOY', {
            bindRoot,
            redeploy: { images, previous },
          });
        },
        'REDEPLOY',
      ),
    );
  }

  /** Creates what the plan lacks and applies its service steps; a failed first deploy is undone. */
  async #applyPlan(
    loaded: LoadedStack,
    plan: StackPlan,
    current: Map<string, Replica[]>,
    timeoutSeconds: number,
    actor: CreateActor & { principal: string },
    report: (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void,
    action: 'DEPLOY' | 'REDEPLOY' | 'SYNC',
    options: {
      /** The stack's files, where its bind mounts may come from (see StackFiles.root). */
      bindRoot?: string | undefined;
      /** Put before the history's summary (the commit of a deploy from git). */
      note?: string;
      redeploy?: { images: ReadonlyMap<string, string>; previous: StackDefinition };
    } = {},
  ): Promise<{
    result: StackDeployResult;
    history: Pick<StackHistoryEntry, 'action' | 'ok' | 'summary'>;
    save: StackRecord | undefined;
  }> {
    const { redeploy, note = '' } = options;
    const existed = current.size > 0 || this.store.get(loaded.definition.name) !== null;
    report({ step: 'PLANNED', service: null, container: null, message: planSummary(plan) });
    const made = { networks: [] as string[], volumes: [] as string[] };
    try {
      await this.#resources(loaded.definition, plan, report, made);
    } catch (error) {
      // The engine refused a network or volume after others were made: a first deploy takes them away.
      if (!existed) await this.#undo(loaded.definition.name, made);
      throw error;
    }
    const outcomes = await this.#applier.apply(loaded.definition, plan.services, current, {
      actor,
      timeoutMs: timeoutSeconds * 1000,
      settleMs: this.#settleMs,
      pollMs: this.#pollMs,
      drainMs: this.#drainMs,
      signal: this.#aborts.signal,
      report,
      previous: redeploy ? redeploy.previous : this.#previous(loaded.definition.name),
      ...(redeploy && { images: redeploy.images }),
      bindRoot: options.bindRoot,
    });
    const ok = allReached(outcomes);
    // A first deploy that failed takes away what it made: no half-made stack is left behind.
    if (!ok && !existed) await this.#undo(loaded.definition.name, made);
    return {
      result: { plan, applied: true, outcomes, ok },
      history: { action, ok, summary: noted(note, outcomeSummary(outcomes, !ok && !existed)) },
      // A redeploy keeps the record as it was (its scales too); a deploy stores the file it applied.
      save: action !== 'REDEPLOY' && (ok || existed) ? recordOf(loaded, actor.principal) : undefined,
    };
  }

  async #deploySwarm(
    loaded: LoadedStack,
    request: DeployRequest,
    actor: { principal: string },
  ): Promise<StackDeployResult> {
    const swarm = this.swarm!.stacks;
    return this.#exclusive(loaded.definition.name, async () => {
      const plan = await swarm.plan(loaded, { removeOrphans: request.removeOrphans });
      if (request.dryRun) return { plan, applied: false, outcomes: [], ok: true };
      return this.#run(loaded.definition.name, loaded.hash, actor.principal, async (report) => {
        report({ step: 'PLANNED', service: null, container: null, message: planSummary(plan) });
        const outcomes = await swarm.apply(loaded, plan, report);
        const ok = allReached(outcomes);
        return {
          result: { plan, applied: true, outcomes, ok },
          history: { action: 'DEPLOY', ok, summary: outcomeSummary(outcomes, false) },
          save: recordOf(loaded, actor.principal),
        };
      });
    });
  }

  #load(request: Pick<DeployRequest, 'name' | 'compose' | 'env' | 'profiles' | 'files'>): LoadedStack {
    validateStackName(request.name);
    return loadStack({
      name: request.name,
      compose: request.compose,
      env: request.env,
      ...(request.profiles !== undefined && { profiles: request.profiles }),
      ...filesOptions(request.files),
    });
  }

  /** The stack as its record says, read with its files when it has them. */
  #loadRecord(record: StackRecord): LoadedStack {
    return loadStack({
      name: record.name,
      compose: record.compose,
      env: record.env,
      ...filesOptions(this.#sources?.filesOf(record.name)),
    });
  }

  /** One change of a stack at a time: a second one is refused, not queued behind the first. */
  async #exclusive<T>(stack: string, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(stack)) throw new StackBusyError(stack);
    this.#busy.add(stack);
    try {
      return await work();
    } finally {
      this.#busy.delete(stack);
    }
  }

  /** Runs a change with its progress on the board and its outcome in the stack's history. */
  async #run<T>(
    stack: string,
    hash: string,
    actor: string,
    work: (report: (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void) => Promise<{
      result: T;
      history: Pick<StackHistoryEntry, 'action' | 'ok' | 'summary'>;
      save?: StackRecord | undefined;
    }>,
    action: StackHistoryEntry['action'] = 'DEPLOY',
    note = '',
  ): Promise<T> {
    this.#board.begin(stack);
    const report = (step: Omit<StackDeployProgress, 'stack' | 'at'>) => this.#board.publish(stack, step);
    try {
      const { result, history, save } = await work(report);
      this.store.record({ stack, hash, actor, at: new Date(), ...history }, save);
      report({
        step: history.ok ? 'DONE' : 'FAILED',
        service: null,
        container: null,
        message: history.summary,
      });
      return result;
    } catch (error) {
      const summary = noted(note, error instanceof Error ? error.message : String(error));
      this.store.record({ stack, hash, actor, action, ok: false, summary, at: new Date() });
      report({ step: 'FAILED', service: null, container: null, message: summary });
      throw error;
    }
  }

  #replicas(stack: string): Map<string, Replica[]> {
    return replicasOf(stack, this.containers.list({ label: projectLabel(stack) }));
  }

  async #plan(
    loaded: LoadedStack,
    current: Map<string, Replica[]>,
    options: { removeOrphans: boolean; images?: ReadonlyMap<string, string> },
  ): Promise<StackPlan> {
    const { definition } = loaded;
    const networkNames = new Set<string>();
    for (const network of definition.networks) {
      const found = await this.networks.find(network.name);
      if (found) networkNames.add(network.name);
      else if (network.external) throw new NetworkNotFoundError(network.name);
    }
    const volumeNames = new Set<string>();
    for (const volume of definition.volumes) {
      const found = await this.volumes.find(volume.name);
      if (found) volumeNames.add(volume.name);
      else if (volume.external) throw new VolumeNotFoundError(volume.name);
    }
    return planStack(
      definition,
      loaded.hash,
      current,
      { networks: networkNames, volumes: volumeNames },
      options,
    );
  }

  /**
   * The create policy and the container quota, for every container the plan makes, before any is
   * made: a deploy the policy refuses changes nothing.
   */
  #admit(definition: StackDefinition, plan: StackPlan, bindRoot: string | undefined): void {
    const policy = withBindRoot(this.policy(), bindRoot);
    for (const service of definition.services) {
      enforcePolicy(
        replicaSpec(definition, service, 1, { aliases: true }),
        policy,
        `services.${service.name}.`,
      );
    }
    if (policy.maxContainers === null) return;
    const adding = plan.services.reduce(
      (sum, service) =>
        sum +
        (service.action === 'REMOVE'
          ? -service.currentReplicas
          : service.action === 'RECREATE'
            ? service.desiredReplicas
            : service.desiredReplicas - service.currentReplicas),
      0,
    );
    if (this.containers.list().length + adding > policy.maxContainers) {
      throw new QuotaExceededError(
        `the create policy allows at most ${policy.maxContainers} containers; this deploy would need ${adding} more`,
      );
    }
  }

  /** Creates the networks and volumes the plan lacks, adding their names to `made` as it goes. */
  async #resources(
    definition: StackDefinition,
    plan: StackPlan,
    report: (step: Omit<StackDeployProgress, 'stack' | 'at'>) => void,
    made: { networks: string[]; volumes: string[] },
  ): Promise<void> {
    const labels = (kind: string, key: string) => [
      { name: COMPOSE_LABELS.project, value: definition.name },
      { name: kind, value: key },
      { name: COMPOSE_LABELS.version, value: COMPOSE_VERSION },
    ];
    for (const resource of plan.resources) {
      if (resource.action !== 'CREATE') continue;
      if (resource.kind === 'NETWORK') {
        const network = definition.networks.find((candidate) => candidate.key === resource.key)!;
        await this.networks.create({
          name: network.name,
          driver: 'BRIDGE',
          internal: network.internal,
          attachable: network.attachable,
          labels: [...network.labels, ...labels(COMPOSE_LABELS.network, network.key)],
          ipam: network.subnet ? { subnet: network.subnet, gateway: network.gateway } : null,
        });
        made.networks.push(network.name);
        report({ step: 'NETWORK_CREATED', service: null, container: null, message: network.name });
      } else {
        const volume = definition.volumes.find((candidate) => candidate.key === resource.key)!;
        await this.volumes.create(volume.name, [
          ...volume.labels,
          ...labels(COMPOSE_LABELS.volume, volume.key),
        ]);
        made.volumes.push(volume.name);
        report({ step: 'VOLUME_CREATED', service: null, container: null, message: volume.name });
      }
    }
  }

  /** Removes what a failed first deploy made: its containers, then the networks and volumes it created. */
  async #undo(stack: string, made: { networks: string[]; volumes: string[] }): Promise<void> {
    for (const container of this.containers.list({ label: projectLabel(stack) })) {
      await this.containers
        .remove(container.id, { force: true, removeVolumes: true })
        .catch((error: unknown) => {
          this.log.warn(
            `could not remove ${container.name} after the failed first deploy of ${stack}: ${String(error)}`,
          );
        });
    }
    for (const network of made.networks) await this.networks.remove(network).catch(() => undefined);
    for (const volume of made.volumes) await this.volumes.remove(volume, true).catch(() => undefined);
  }

  /** The definition berth last deployed the stack from, for a rollback; null when it has none. */
  #previous(stack: string): StackDefinition | null {
    const record = this.store.get(stack);
    if (!record) return null;
    try {
      return this.#loadRecord(record).definition;
    } catch {
      return null;
    }
  }

  /** Sets a service's replica count (until the next deploy of its file). */
  async scale(
    stack: string,
    serviceName: string,
    replicas: number,
    actor: CreateActor & { principal: string },
  ): Promise<StackState> {
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 100) {
      throw new InvalidInputError('replicas', 'must be an integer from 0 to 100');
    }
    if (
      this.swarm &&
      (await this.#isManager(true)) &&
      (await this.swarm.stacks.list()).some((s) => s.name === stack)
    ) {
      await this.swarm.stacks.scale(stack, serviceName, replicas);
      this.store.record({
        stack,
        hash: this.store.get(stack)?.hash ?? '',
        actor: actor.principal,
        action: 'SCALE',
        ok: true,
        summary: `${serviceName} to ${replicas}`,
        at: new Date(),
      });
      return this.get(stack);
    }
    const current = this.#replicas(stack);
    const running = current.get(serviceName);
    const record = this.store.get(stack);
    if (!record && !running) throw new StackNotFoundError(stack);
    await this.#exclusive(stack, () =>
      this.#run(stack, record?.hash ?? '', actor.principal, async (report) => {
        const options = {
          actor,
          timeoutMs: 120_000,
          settleMs: this.#settleMs,
          pollMs: this.#pollMs,
          drainMs: this.#drainMs,
          signal: this.#aborts.signal,
          report,
          previous: null,
          bindRoot: this.#sources?.filesOf(stack)?.root,
        };
        if (record) {
          const { definition } = this.#loadRecord(record);
          const service = definition.services.find((candidate) => candidate.name === serviceName);
          if (!service)
            throw new InvalidInputError('service', `stack ${stack} has no service ${serviceName}`);
          const fixed = service.ports.find(
            (port) => port.published && port.published.end - port.published.start + 1 < replicas,
          );
          if (fixed && replicas > 1) {
            throw new InvalidInputError(
              'replicas',
              `service ${serviceName} publishes host port ${fixed.published!.start}${fixed.published!.end > fixed.published!.start ? `-${fixed.published!.end}` : ''}, which ${replicas} replicas cannot share`,
            );
          }
          await this.#applier.scale(definition, { ...service, replicas }, running ?? [], replicas, options);
          this.store.save({ ...record, scales: { ...record.scales, [serviceName]: replicas } });
        } else {
          // A stack the Compose CLI started: berth has no file to make replicas from, only those to remove.
          const list = running ?? [];
          if (replicas > list.length) {
            throw new InvalidInputError(
              'replicas',
              `berth has no compose file for stack ${stack} (it was not deployed through berth), so it can only scale it down; deploy its file with deployStack to scale up`,
            );
          }
          for (const replica of list.slice(replicas).reverse()) {
            await this.containers.stop(replica.container.id).catch(() => undefined);
            await this.containers.remove(replica.container.id, { force: true, removeVolumes: true });
            report({
              step: 'REMOVED',
              service: serviceName,
              container: replica.container.name,
              message: 'removed',
            });
          }
        }
        return {
          result: undefined,
          history: { action: 'SCALE', ok: true, summary: `${serviceName} to ${replicas}` },
        };
      }),
    );
    return this.get(stack);
  }

  async start(stack: string, actor: { principal: string }): Promise<StackState> {
    const containers = this.#containersOf(stack);
    // Level by level in dependency order; the containers of one level together.
    for (const group of this.#inOrder(stack, containers)) {
      await Promise.all(group.map((container) => this.containers.start(container.id)));
    }
    this.#history(stack, actor, 'START', `${containers.length} container(s) started`);
    return this.get(stack);
  }

  async stop(stack: string, actor: { principal: string }): Promise<StackState> {
    const containers = this.#containersOf(stack);
    for (const group of this.#inOrder(stack, containers).reverse()) {
      await Promise.all(group.map((container) => this.containers.stop(container.id)));
    }
    this.#history(stack, actor, 'STOP', `${containers.length} container(s) stopped`);
    return this.get(stack);
  }

  /** Removes the stack's containers and networks (and its volumes when asked); its history stays. */
  async remove(stack: string, removeVolumes: boolean, actor: { principal: string }): Promise<StackState> {
    const before = await this.get(stack);
    await this.#exclusive(stack, async () => {
      if (
        this.swarm &&
        (await this.#isManager(true)) &&
        (await this.swarm.stacks.list()).some((s) => s.name === stack)
      ) {
        await this.swarm.stacks.remove(stack);
      }
      for (const group of this.#inOrder(stack, this.#containersOf(stack, false)).reverse()) {
        await Promise.all(
          group.map(async (container) => {
            await this.containers.stop(container.id).catch(() => undefined);
            await this.containers.remove(container.id, { force: true, removeVolumes: true });
          }),
        );
      }
      for (const network of await this.networks.list({ label: projectLabel(stack) })) {
        await this.networks.remove(network.id);
      }
      if (removeVolumes) {
        for (const volume of await this.volumes.list({ label: projectLabel(stack) })) {
          await this.volumes.remove(volume.name, false);
        }
      }
      this.store.delete(stack);
      await this.#sources?.removed(stack);
      this.#history(
        stack,
        actor,
        'REMOVE',
        removeVolumes ? 'removed with its volumes' : 'removed; volumes kept',
      );
    });
    return before;
  }

  #history(
    stack: string,
    actor: { principal: string },
    action: StackHistoryEntry['action'],
    summary: string,
  ): void {
    this.store.record({
      stack,
      hash: this.store.get(stack)?.hash ?? '',
      actor: actor.principal,
      action,
      ok: true,
      summary,
      at: new Date(),
    });
  }

  #containersOf(stack: string, mustExist = true): Container[] {
    const containers = this.containers
      .list({ label: projectLabel(stack) })
      .filter((container) =>
        container.labels.every(
          (label) => label.name !== COMPOSE_LABELS.oneoff || label.value.toLowerCase() !== 'true',
        ),
      );
    if (mustExist && containers.length === 0 && !this.store.get(stack)) throw new StackNotFoundError(stack);
    return containers;
  }

  /** The containers in dependency order when berth has the file; by service name otherwise. */
  #inOrder(stack: string, containers: Container[]): Container[][] {
    const service = (container: Container) =>
      container.labels.find((label) => label.name === COMPOSE_LABELS.service)?.value ?? '';
    const previous = this.#previous(stack);
    const rank = new Map(
      previous
        ? dependencyLevels(previous.services).flatMap((level, i) => level.map((name) => [name, i] as const))
        : [],
    );
    // Without the file, each service is a group of its own, by name.
    const key = (container: Container) => rank.get(service(container)) ?? service(container);
    const groups = new Map<string | number, Container[]>();
    for (const container of containers)
      groups.set(key(container), [...(groups.get(key(container)) ?? []), container]);
    return [...groups]
      .sort(([a], [b]) =>
        typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
      )
      .map(([, group]) => group);
  }

  /**
   * Whether the engine is a swarm manager, asked at most every few seconds: `stacks` and `stack`
   * would otherwise cost an engine call per query. A deploy, scale or removal asks afresh: it decides
   * where the change goes.
   */
  async #isManager(fresh = false): Promise<boolean> {
    if (!this.swarm) return false;
    if (!fresh && this.#manager && Date.now() - this.#manager.at < MANAGER_TTL_MS) return this.#manager.value;
    const value = await this.swarm.isManager();
    this.#manager = { value, at: Date.now() };
    return value;
  }

  /** The swarm's stacks when the engine is a manager; none otherwise. */
  async #swarmStacks(): Promise<Awaited<ReturnType<SwarmStackDeployer['list']>>> {
    if (!this.swarm || !(await this.#isManager())) return [];
    return this.swarm.stacks.list();
  }

  /** Every stack: those berth deployed, those whose containers carry Compose's labels, and a swarm's. */
  async list(): Promise<StackState[]> {
    const names = new Set(this.store.list().map((record) => record.name));
    for (const stack of await this.#swarmStacks()) names.add(stack.name);
    for (const container of this.containers.list({ label: COMPOSE_LABELS.project })) {
      const project = container.labels.find((label) => label.name === COMPOSE_LABELS.project)?.value;
      if (project) names.add(project);
    }
    return Promise.all([...names].sort().map((name) => this.get(name)));
  }

  async get(stack: string): Promise<StackState> {
    const record = this.store.get(stack);
    const fields = {
      name: stack,
      environment: this.store.environment,
      managed: record !== null,
      compose: record?.compose ?? null,
      env: record?.env ?? null,
      hash: record?.hash ?? null,
      deployedAt: record?.deployedAt ?? null,
    };
    const inSwarm = (await this.#swarmStacks()).find((candidate) => candidate.name === stack);
    if (inSwarm) {
      // Its containers are the swarm's tasks on this node, found by the labels the swarm puts on them.
      const tasks = this.containers.list({ label: `${STACK_NAMESPACE_LABEL}=${stack}` });
      return {
        ...fields,
        services: inSwarm.services.map((service) => ({
          name: service.name,
          desiredReplicas: service.desiredReplicas,
          containers: tasks.filter((task) =>
            task.labels.some(
              (label) =>
                label.name === 'com.docker.swarm.service.name' && label.value === service.serviceName,
            ),
          ),
        })),
      };
    }
    const current = this.#replicas(stack);
    if (!record && current.size === 0) throw new StackNotFoundError(stack);
    let desired = new Map<string, number>();
    if (record) {
      try {
        const { definition } = this.#loadRecord(record);
        desired = new Map(
          definition.services.map((service) => [
            service.name,
            record.scales[service.name] ?? service.replicas,
          ]),
        );
      } catch {
        // A file an older berth accepted and this one refuses: the running containers still show.
      }
    }
    const names = new Set([...desired.keys(), ...current.keys()]);
    return {
      ...fields,
      services: [...names].sort().map((name) => ({
        name,
        desiredReplicas: desired.get(name) ?? current.get(name)?.length ?? 0,
        containers: (current.get(name) ?? []).map((replica) => replica.container),
      })),
    };
  }

  /** The record of a stack berth deployed; null for one it did not. */
  record(stack: string): StackRecord | null {
    return this.store.get(stack);
  }

  /** The stacks berth deployed, with the text each came from (what a backup keeps). */
  records(): StackRecord[] {
    return this.store.list();
  }

  history(stack: string, limit = 100): StackHistoryEntry[] {
    return this.store.history(stack, limit);
  }

  watch(stack: string): AsyncIterableIterator<StackDeployProgress> {
    return this.#board.watch(stack);
  }

  watchers(stack: string): number {
    return this.#board.watchers(stack);
  }

  /** Deploys still waiting for a replica give up; a replacement not yet taken into service is removed. */
  close(): void {
    this.#aborts.abort();
  }
}

function filesOptions(files: StackFiles | undefined) {
  return files === undefined
    ? {}
    : {
        workingDir: files.workingDir,
        readFile: (path: string) => files.readFile(path),
        contains: (path: string) => files.contains(path),
      };
}

const noted = (note: string, summary: string) => (note === '' ? summary : `${note}: ${summary}`);

/** Whether every service reached what the file asks. */
const allReached = (outcomes: readonly ServiceOutcome[]) =>
  outcomes.every((outcome) => outcome.outcome === 'APPLIED' || outcome.outcome === 'UNCHANGED');

/** What berth keeps of a deploy: the text it came from, with no scale since. */
function recordOf(loaded: LoadedStack, actor: string): StackRecord {
  return {
    name: loaded.definition.name,
    compose: loaded.compose,
    env: loaded.env,
    hash: loaded.hash,
    deployedAt: new Date(),
    deployedBy: actor,
    scales: {},
  };
}

function planSummary(plan: StackPlan): string {
  const counts = new Map<string, number>();
  for (const service of plan.services) counts.set(service.action, (counts.get(service.action) ?? 0) + 1);
  return (
    [...counts].map(([action, count]) => `${count} ${action.toLowerCase()}`).join(', ') || 'nothing to do'
  );
}

function outcomeSummary(outcomes: readonly ServiceOutcome[], undone: boolean): string {
  const failed = outcomes.filter((outcome) => outcome.outcome === 'FAILED' || outcome.outcome === 'SKIPPED');
  if (failed.length === 0) return `${outcomes.length} service(s) as the file asks`;
  const text = failed
    .map((outcome) => `${outcome.service}: ${outcome.message ?? outcome.outcome.toLowerCase()}`)
    .join('; ');
  return undone ? `${text}; what this first deploy made was removed` : text;
}
