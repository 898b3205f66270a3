import type { RegistryAuth } from '../domain/images/ports.js';
import type Docker from 'dockerode';
import type { HealthcheckSpec, KeyValue, PortProtocol } from '../domain/containers/model.js';
import type { DeployedSpec, ServiceRevision, SwarmEngine } from '../domain/swarm/ports.js';
import { DEFAULT_UPDATE_POLICY } from '../domain/swarm/rules.js';
import {
  FAILURE_ACTIONS,
  NODE_AVAILABILITIES,
  NODE_STATES,
  TASK_STATES,
  UPDATE_STATES,
  type NodeAvailability,
  type NodeState,
  type Service,
  type ServiceDeployment,
  type ServiceMode,
  type ServiceMount,
  type ServiceNetworkAliases,
  type ServiceRestartPolicy,
  type ServicePort,
  type ServiceSpec,
  type ServiceTask,
  type ServiceUpdateStatus,
  type ServiceWrite,
  type SwarmNode,
  type TaskState,
  type UpdatePolicy,
  type UpdateState,
} from '../domain/swarm/model.js';
import type { EngineCalls } from './calls.js';

/**
 * Docker's swarm endpoints (`/nodes`, `/services`, `/tasks`), in berth's terms. Reached through
 * `DockerEngine.swarm`. Only a manager answers them; any other engine says so with a 503. What
 * may change and how a stale write is retried are the domain's (src/domain/swarm/rules.ts and
 * service.ts); this translates.
 */

const NANOS_PER_SECOND = 1_000_000_000;

/** The task and node objects the engine returns (dockerode types them as `any`). */
interface RawTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt: string;
  UpdatedAt: string;
  DesiredState: string;
  Spec?: Docker.ContainerTaskSpec;
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: Docker.PortConfig[] };
  };
}

interface RawNode {
  ID: string;
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string } };
  Spec?: { Role?: string; Availability?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

const upper = (value: string | undefined) => (value ?? '').toUpperCase().replace(/-/g, '_');

function oneOf<T extends string>(values: readonly T[], value: string | undefined, fallback: T): T {
  const candidate = upper(value);
  return (values as readonly string[]).includes(candidate) ? (candidate as T) : fallback;
}

const seconds = (nanos: number | undefined) => (nanos === undefined ? 0 : nanos / NANOS_PER_SECOND);
const nanos = (value: number) => Math.round(value * NANOS_PER_SECOND);
const date = (value: string | undefined) => new Date(value ?? 0);

function toPorts(ports: readonly Docker.PortConfig[] | undefined): ServicePort[] {
  const seen = new Set<string>();
  const result: ServicePort[] = [];
  for (const port of ports ?? []) {
    // A task's port status lists each host-mode binding once per address family.
    const key = `${port.TargetPort}/${port.Protocol}/${port.PublishedPort}/${port.PublishMode}`;
    if (seen.has(key) || port.TargetPort === undefined) continue;
    seen.add(key);
    result.push({
      targetPort: port.TargetPort,
      publishedPort: port.PublishedPort || null,
      protocol: (port.Protocol ?? 'tcp') as PortProtocol,
      publishMode: port.PublishMode === 'host' ? 'HOST' : 'INGRESS',
    });
  }
  return result;
}

function fromPorts(ports: readonly ServicePort[]): Docker.PortConfig[] {
  return ports.map((port) => ({
    TargetPort: port.targetPort,
    Protocol: port.protocol,
    PublishMode: port.publishMode === 'HOST' ? 'host' : 'ingress',
    ...(port.publishedPort !== null && { PublishedPort: port.publishedPort }),
  }));
}

function toKeyValues(entries: readonly string[] | undefined): KeyValue[] {
  return (entries ?? []).map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

function toHealthcheck(check: Docker.HealthConfig | undefined): HealthcheckSpec | null {
  if (!check?.Test?.length) return null;
  return {
    test: check.Test,
    ...(check.Interval && { intervalSeconds: seconds(check.Interval) }),
    ...(check.Timeout && { timeoutSeconds: seconds(check.Timeout) }),
    ...(check.Retries && { retries: check.Retries }),
    ...(check.StartPeriod && { startPeriodSeconds: seconds(check.StartPeriod) }),
  };
}

function fromHealthcheck(check: HealthcheckSpec): Docker.HealthConfig {
  return {
    Test: check.test,
    ...(check.intervalSeconds !== undefined && { Interval: nanos(check.intervalSeconds) }),
    ...(check.timeoutSeconds !== undefined && { Timeout: nanos(check.timeoutSeconds) }),
    ...(check.retries !== undefined && { Retries: check.retries }),
    ...(check.startPeriodSeconds !== undefined && { StartPeriod: nanos(check.startPeriodSeconds) }),
  };
}

function toPolicy(config: Docker.UpdateConfig | undefined): UpdatePolicy | null {
  if (!config) return null;
  return {
    parallelism: config.Parallelism,
    delaySeconds: seconds(config.Delay),
    failureAction: oneOf(FAILURE_ACTIONS, config.FailureAction, 'PAUSE'),
    order: config.Order === 'start-first' ? 'START_FIRST' : 'STOP_FIRST',
    // Left out, the swarm applies its default.
    monitorSeconds:
      config.Monitor === undefined ? DEFAULT_UPDATE_POLICY.monitorSeconds : seconds(config.Monitor),
    maxFailureRatio: config.MaxFailureRatio ?? 0,
  };
}

function fromPolicy(policy: UpdatePolicy): Docker.UpdateConfig {
  return {
    Parallelism: policy.parallelism,
    Delay: nanos(policy.delaySeconds),
    FailureAction: policy.failureAction.toLowerCase(),
    Monitor: nanos(policy.monitorSeconds),
    MaxFailureRatio: policy.maxFailureRatio,
    Order: policy.order === 'START_FIRST' ? 'start-first' : 'stop-first',
  };
}

function toMode(mode: Docker.ServiceMode | undefined): { mode: ServiceMode; replicas: number | null } {
  if (mode?.Global) return { mode: 'GLOBAL', replicas: null };
  if (mode?.ReplicatedJob) return { mode: 'REPLICATED_JOB', replicas: null };
  if (mode?.GlobalJob) return { mode: 'GLOBAL_JOB', replicas: null };
  return { mode: 'REPLICATED', replicas: mode?.Replicated?.Replicas ?? 1 };
}

function toUpdateStatus(status: Docker.UpdateStatus | undefined): ServiceUpdateStatus | null {
  if (!status?.State) return null;
  return {
    state: oneOf<UpdateState>(UPDATE_STATES, status.State, 'UPDATING'),
    startedAt: status.StartedAt ? new Date(status.StartedAt) : null,
    completedAt: status.CompletedAt ? new Date(status.CompletedAt) : null,
    message: status.Message || null,
  };
}

/**
 * A task's container spec as the engine spells it: `Healthcheck`, where dockerode's types say
 * `HealthCheck`. Go's JSON decoding takes either spelling, but the engine answers only its own, so
 * berth reads and writes that one (two spellings in one body would leave the engine to pick).
 */
type EngineContainerSpec = Omit<Docker.ContainerSpec, 'HealthCheck' | 'Mounts'> & {
  Healthcheck?: Docker.HealthConfig;
  Mounts?: EngineMount[];
};

/** A mount as the engine takes it (dockerode's type makes every option's every field required). */
interface EngineMount {
  Type: 'volume' | 'bind' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  VolumeOptions?: { Labels?: Record<string, string>; DriverConfig?: { Name: string } };
  TmpfsOptions?: { SizeBytes: number };
}

function fromMount(mount: ServiceMount): EngineMount {
  const result: EngineMount = {
    Type: mount.type === 'BIND' ? 'bind' : mount.type === 'TMPFS' ? 'tmpfs' : 'volume',
    Target: mount.target,
    ReadOnly: mount.readOnly,
  };
  if (mount.source !== null) result.Source = mount.source;
  if (mount.type === 'VOLUME' && (mount.volumeLabels?.length || mount.volumeDriver !== undefined)) {
    result.VolumeOptions = {
      ...(mount.volumeLabels?.length && { Labels: labelMap(mount.volumeLabels) }),
      ...(mount.volumeDriver !== undefined && { DriverConfig: { Name: mount.volumeDriver } }),
    };
  }
  if (mount.type === 'TMPFS' && mount.tmpfsSizeBytes !== undefined) {
    result.TmpfsOptions = { SizeBytes: mount.tmpfsSizeBytes };
  }
  return result;
}

function labelMap(labels: readonly KeyValue[]): Record<string, string> {
  return Object.fromEntries(labels.map(({ name, value }) => [name, value]));
}

/** `name:address`, as a container's extra hosts are given, in the `/etc/hosts` order the swarm takes. */
function fromExtraHost(entry: string): string {
  const at = entry.indexOf(':');
  return at < 0 ? entry : `${entry.slice(at + 1)} ${entry.slice(0, at)}`;
}

const RESTART_CONDITIONS = { NONE: 'none', ON_FAILURE: 'on-failure', ANY: 'any' } as const;

function fromRestartPolicy(policy: ServiceRestartPolicy): Docker.TaskRestartPolicy {
  return {
    Condition: RESTART_CONDITIONS[policy.condition],
    ...(policy.maxAttempts > 0 && { MaxAttempts: policy.maxAttempts }),
  };
}

function fromNetworks(
  networks: readonly string[],
  aliases: readonly ServiceNetworkAliases[] | null | undefined,
): Docker.NetworkAttachmentConfig[] {
  return networks.map((name) => {
    const names = aliases?.find((entry) => entry.network === name)?.aliases ?? [];
    return { Target: name, ...(names.length > 0 && { Aliases: names }) };
  });
}

/** Sets `key` to `value` translated; null removes it (the engine's default applies); undefined leaves it. */
function assign<T extends object, K extends keyof T, V>(
  target: T,
  key: K,
  value: V | null | undefined,
  translate: (value: V) => T[K],
): void {
  if (value === undefined) return;
  if (value === null) delete target[key];
  else target[key] = translate(value);
}

const same = <V>(value: V) => value;
/** An empty list is no list: the engine's default (the image's, for a command). */
const list =
  <V, W>(translate: (value: V) => W) =>
  (values: readonly V[]): W[] | undefined =>
    values.length > 0 ? values.map(translate) : undefined;

/**
 * What a create or a change writes into the task template: the fields of each task's container
 * beyond image, command, env, healthcheck and stop grace period (written by their callers as before).
 */
function writeTaskFields(
  template: Docker.ContainerTaskSpec,
  container: EngineContainerSpec,
  fields: Omit<ServiceWrite, 'networks'>,
): void {
  assign(container, 'Command', fields.entrypoint, list(same));
  assign(container, 'Labels', fields.containerLabels, (labels) =>
    labels.length > 0 ? labelMap(labels) : undefined,
  );
  assign(container, 'StopSignal', fields.stopSignal, same);
  assign(container, 'User', fields.user, same);
  assign(container, 'Dir', fields.workingDir, same);
  assign(container, 'Hostname', fields.hostname, same);
  assign(container, 'Init', fields.init, same);
  assign(container, 'TTY', fields.tty, same);
  assign(container, 'Hosts', fields.extraHosts, list(fromExtraHost));
  assign(container, 'CapabilityAdd', fields.capAdd, list(same));
  assign(container, 'CapabilityDrop', fields.capDrop, list(same));
  assign(container, 'Mounts', fields.mounts, list(fromMount));
  assign(template, 'RestartPolicy', fields.restartPolicy, fromRestartPolicy);
  assign(template, 'Resources', fields.resources, ({ memoryBytes, cpus }) => ({
    ...template.Resources,
    Limits: {
      ...(memoryBytes !== undefined && { MemoryBytes: memoryBytes }),
      ...(cpus !== undefined && { NanoCPUs: Math.round(cpus * NANOS_PER_SECOND) }),
    },
  }));
  // Undefined-valued keys would be sent as absent anyway; leave none behind for a clean spec.
  for (const target of [container, template] as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(target)) if (value === undefined) delete target[key];
  }
}

function containerSpecOf(spec: Docker.ServiceSpec | undefined): EngineContainerSpec {
  const template = spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined;
  return (template?.ContainerSpec ?? {}) as EngineContainerSpec;
}

export function toTask(raw: RawTask): ServiceTask {
  const status = raw.Status ?? {};
  return {
    id: raw.ID,
    serviceId: raw.ServiceID,
    slot: raw.Slot ?? null,
    nodeId: raw.NodeID || null,
    state: oneOf<TaskState>(TASK_STATES, status.State, 'NEW'),
    desiredState: oneOf<TaskState>(TASK_STATES, raw.DesiredState, 'RUNNING'),
    message: status.Message || null,
    error: status.Err || null,
    containerId: status.ContainerStatus?.ContainerID || null,
    exitCode: status.ContainerStatus?.ContainerID ? (status.ContainerStatus.ExitCode ?? null) : null,
    image: raw.Spec?.ContainerSpec?.Image ?? '',
    ports: toPorts(status.PortStatus?.Ports),
    createdAt: date(raw.CreatedAt),
    updatedAt: date(status.Timestamp ?? raw.UpdatedAt),
  };
}

export function toService(raw: Docker.Service, tasks: readonly ServiceTask[]): Service {
  const spec = raw.Spec ?? {};
  const container = containerSpecOf(spec);
  const template = spec.TaskTemplate as Docker.ContainerTaskSpec | undefined;
  return {
    id: raw.ID,
    name: spec.Name ?? raw.ID,
    image: container.Image ?? '',
    ...toMode(spec.Mode),
    command: container.Args ?? [],
    env: toKeyValues(container.Env),
    labels: Object.entries(spec.Labels ?? {}).map(([name, value]) => ({ name, value })),
    // The endpoint holds what the swarm assigned (ingress ports); the spec what was asked for.
    ports: toPorts(raw.Endpoint?.Ports ?? spec.EndpointSpec?.Ports),
    healthcheck: toHealthcheck(container.Healthcheck),
    updateConfig: toPolicy(spec.UpdateConfig),
    rollbackConfig: toPolicy(spec.RollbackConfig),
    stopGracePeriodSeconds:
      container.StopGracePeriod === undefined ? null : seconds(container.StopGracePeriod),
    networks: (template?.Networks ?? spec.Networks ?? []).flatMap((network) => network.Target ?? []),
    updateStatus: toUpdateStatus(raw.UpdateStatus),
    version: raw.Version?.Index ?? 0,
    createdAt: date(raw.CreatedAt),
    updatedAt: date(raw.UpdatedAt),
    tasks: tasks.filter((task) => task.serviceId === raw.ID),
  };
}

function toNode(raw: RawNode): SwarmNode {
  return {
    id: raw.ID,
    hostname: raw.Description?.Hostname ?? '',
    role: raw.Spec?.Role === 'manager' ? 'MANAGER' : 'WORKER',
    availability: oneOf<NodeAvailability>(NODE_AVAILABILITIES, raw.Spec?.Availability, 'ACTIVE'),
    state: oneOf<NodeState>(NODE_STATES, raw.Status?.State, 'UNKNOWN'),
    leader: raw.ManagerStatus?.Leader ?? false,
    engineVersion: raw.Description?.Engine?.EngineVersion ?? null,
    addr: raw.Status?.Addr || null,
    managerAddr: raw.ManagerStatus?.Addr || null,
  };
}

/** A new service's spec. */
export function toServiceSpec(spec: ServiceDeployment): Docker.ServiceSpec {
  const container: EngineContainerSpec = {
    Image: spec.image,
    Env: spec.env.map(({ name, value }) => `${name}=${value}`),
  };
  if (spec.command) container.Args = spec.command;
  if (spec.healthcheck) container.Healthcheck = fromHealthcheck(spec.healthcheck);
  if (spec.stopGracePeriodSeconds !== undefined)
    container.StopGracePeriod = nanos(spec.stopGracePeriodSeconds);
  const template: Docker.ContainerTaskSpec = { ContainerSpec: container as Docker.ContainerSpec };
  writeTaskFields(template, container, spec);
  if (spec.networks.length > 0) template.Networks = fromNetworks(spec.networks, spec.networkAliases);
  return {
    Name: spec.name,
    Labels: labelMap(spec.labels),
    TaskTemplate: template,
    Mode: { Replicated: { Replicas: spec.replicas } },
    UpdateConfig: fromPolicy(spec.updateConfig),
    RollbackConfig: fromPolicy(spec.rollbackConfig),
    EndpointSpec: { Mode: 'vip', Ports: fromPorts(spec.ports) },
  };
}

/**
 * The deployService request that makes the service again, from its spec: what was asked for (the
 * spec's ports, not the ones the swarm assigned), with networks by name where `networkNames` knows
 * the engine's id (the engine keeps the ids it resolved names to, and ids mean nothing to another
 * swarm). What a deployService request cannot say (placement; and the mounts, user, resources and the
 * like a stack's services are written with, see writeTaskFields) is not in it.
 */
export function toRequestedSpec(
  spec: Docker.ServiceSpec,
  networkNames: ReadonlyMap<string, string>,
): ServiceSpec {
  const container = containerSpecOf(spec);
  const template = spec.TaskTemplate as Docker.ContainerTaskSpec | undefined;
  const healthcheck = toHealthcheck(container.Healthcheck);
  const updateConfig = toPolicy(spec.UpdateConfig);
  const rollbackConfig = toPolicy(spec.RollbackConfig);
  const request: ServiceSpec = {
    name: spec.Name ?? '',
    image: container.Image ?? '',
    replicas: spec.Mode?.Replicated?.Replicas ?? 1,
    env: toKeyValues(container.Env),
    labels: Object.entries(spec.Labels ?? {}).map(([name, value]) => ({ name, value })),
    ports: toPorts(spec.EndpointSpec?.Ports),
    networks: (template?.Networks ?? spec.Networks ?? []).flatMap((network) =>
      network.Target === undefined ? [] : [networkNames.get(network.Target) ?? network.Target],
    ),
  };
  if (container.Args && container.Args.length > 0) request.command = container.Args;
  if (healthcheck) request.healthcheck = healthcheck;
  if (updateConfig) request.updateConfig = updateConfig;
  if (rollbackConfig) request.rollbackConfig = rollbackConfig;
  if (container.StopGracePeriod !== undefined) {
    request.stopGracePeriodSeconds = seconds(container.StopGracePeriod);
  }
  return request;
}

/**
 * The current spec with `change` applied: a field it names is set (null: removed, for the engine's
 * or the image's default), anything else (placement, a CLI user's settings) is carried over untouched.
 */
export function applyChange(current: Docker.ServiceSpec, change: ServiceWrite): Docker.ServiceSpec {
  const spec = structuredClone(current);
  const template = (spec.TaskTemplate ?? {}) as Docker.ContainerTaskSpec;
  spec.TaskTemplate = template;
  const container = (template.ContainerSpec ??= {}) as EngineContainerSpec;
  if (change.image !== undefined) container.Image = change.image;
  assign(container, 'Args', change.command, same);
  if (change.env !== undefined) container.Env = change.env.map(({ name, value }) => `${name}=${value}`);
  assign(container, 'Healthcheck', change.healthcheck, fromHealthcheck);
  assign(container, 'StopGracePeriod', change.stopGracePeriodSeconds, nanos);
  writeTaskFields(template, container, change);
  if (change.labels !== undefined) {
    spec.Labels = Object.fromEntries(change.labels.map(({ name, value }) => [name, value]));
  }
  if (change.replicas !== undefined) {
    // Asked of a service in another mode, this is a mode change, which the swarm refuses.
    spec.Mode = { Replicated: { ...spec.Mode?.Replicated, Replicas: change.replicas } };
  }
  if (change.ports !== undefined) {
    spec.EndpointSpec = { ...spec.EndpointSpec, Ports: fromPorts(change.ports) };
  }
  if (change.networks !== undefined) {
    template.Networks = fromNetworks(change.networks, change.networkAliases);
    // The service-level list is deprecated; two lists would leave the engine to pick one.
    delete spec.Networks;
  }
  if (change.updateConfig !== undefined) spec.UpdateConfig = fromPolicy(change.updateConfig);
  if (change.rollbackConfig !== undefined) spec.RollbackConfig = fromPolicy(change.rollbackConfig);
  if (change.force) template.ForceUpdate = (template.ForceUpdate ?? 0) + 1;
  return spec;
}

export class DockerSwarm implements SwarmEngine<Docker.ServiceSpec> {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async nodes(): Promise<SwarmNode[]> {
    const raw = (await this.#calls.run('node.list', 'nodes', (docker) => docker.listNodes())) as RawNode[];
    return raw.map(toNode);
  }

  /** Every service with its tasks, in two engine calls whatever their number. */
  async services(): Promise<Service[]> {
    const [services, tasks] = await Promise.all([
      this.#calls.run('service.list', 'services', (docker) => docker.listServices()),
      this.#tasks('tasks', {}),
    ]);
    return services.map((raw) => toService(raw, tasks));
  }

  /** One service by id, unique id prefix or name, with its tasks. */
  async service(reference: string): Promise<Service> {
    const raw = await this.#inspect(reference);
    const tasks = await this.#tasks(reference, { filters: { service: [raw.ID] } });
    return toService(raw, tasks);
  }

  /**
   * The deployService requests of the services carrying `label` (`key=value`), each with its
   * mode: what a backup keeps (see toRequestedSpec).
   */
  async specs(label: string): Promise<DeployedSpec[]> {
    const raw = await this.#calls.run('service.list', 'services', (docker) =>
      docker.listServices({ filters: { label: [label] } }),
    );
    const targets = raw.flatMap((service) => {
      const template = service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined;
      return (template?.Networks ?? service.Spec?.Networks ?? []).flatMap((network) => network.Target ?? []);
    });
    const networkNames = new Map<string, string>();
    if (targets.length > 0) {
      const networks = await this.#calls.run('network.list', 'networks', (docker) => docker.listNetworks());
      for (const network of networks) networkNames.set(network.Id, network.Name);
    }
    return raw.map((service) => ({
      mode: toMode(service.Spec?.Mode).mode,
      spec: toRequestedSpec(service.Spec ?? {}, networkNames),
    }));
  }

  async #inspect(reference: string): Promise<Docker.Service> {
    return (await this.#calls.run('service.inspect', reference, (docker) =>
      docker.getService(reference).inspect(),
    )) as Docker.Service;
  }

  async #tasks(subject: string, options: { filters?: Record<string, string[]> }): Promise<ServiceTask[]> {
    const raw = (await this.#calls.run('task.list', subject, (docker) =>
      docker.listTasks(options),
    )) as RawTask[];
    return raw.map(toTask);
  }

  /** Creates the service and answers its id; the swarm schedules its tasks afterwards. */
  async create(deployment: ServiceDeployment, auth?: RegistryAuth | null): Promise<string> {
    // dockerode sends `authconfig` as the X-Registry-Auth header; with none, no header at all.
    const created = await this.#calls.run('service.create', deployment.name, (docker) =>
      // Given as two arguments even without auth: with one, dockerode sends the spec itself as the header.
      docker.createService(
        (auth ? { ...auth } : undefined) as Docker.AuthConfig,
        toServiceSpec(deployment) as Docker.CreateServiceOptions,
      ),
    );
    return created.id;
  }

  async revision(reference: string): Promise<ServiceRevision<Docker.ServiceSpec>> {
    const raw = await this.#inspect(reference);
    const spec = raw.Spec ?? {};
    return {
      reference,
      id: raw.ID,
      version: raw.Version?.Index ?? 0,
      mode: toMode(spec.Mode).mode,
      labels: Object.entries(spec.Labels ?? {}).map(([name, value]) => ({ name, value })),
      updateConfig: toPolicy(spec.UpdateConfig),
      rollbackConfig: toPolicy(spec.RollbackConfig),
      hasPreviousSpec: raw.PreviousSpec != null,
      image: (spec.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Image ?? '',
      spec,
    };
  }

  /** The revision's spec with `write` applied, named by the version read (a stale one is refused). */
  async update(
    revision: ServiceRevision<Docker.ServiceSpec>,
    write: ServiceWrite,
    auth?: RegistryAuth | null,
  ): Promise<void> {
    await this.#calls.run('service.update', revision.reference, (docker) =>
      // dockerode takes the header from `authconfig` beside the request's query and body.
      docker.getService(revision.id).update({
        ...(auth && { authconfig: { ...auth } }),
        _query: { version: revision.version },
        _body: applyChange(revision.spec, write),
      }),
    );
  }

  async rollback(revision: ServiceRevision<Docker.ServiceSpec>): Promise<void> {
    await this.#calls.run('service.rollback', revision.reference, (docker) =>
      docker.getService(revision.id).update({
        _query: { version: revision.version, rollback: 'previous' },
        // The engine restores the previous spec itself; the body only has to be a valid spec.
        _body: revision.spec,
      }),
    );
  }

  async remove(reference: string): Promise<void> {
    await this.#calls.run('service.remove', reference, (docker) => docker.getService(reference).remove());
  }
}
