import type { HealthcheckSpec, KeyValue, PortProtocol } from '../containers/model.js';

/**
 * Docker Swarm, in berth's terms: the nodes of the swarm, its services and their tasks. berth
 * schedules nothing itself; the swarm's managers do, and berth talks to one of them.
 */

/** What `docker stack deploy` (and berth's stacks, see domain/stacks) put on everything of a stack in a swarm. */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';

export const NODE_ROLES = ['MANAGER', 'WORKER'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const NODE_AVAILABILITIES = ['ACTIVE', 'PAUSE', 'DRAIN'] as const;
export type NodeAvailability = (typeof NODE_AVAILABILITIES)[number];

export const NODE_STATES = ['UNKNOWN', 'DOWN', 'READY', 'DISCONNECTED'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export interface SwarmNode {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: NodeAvailability;
  state: NodeState;
  /** The manager that leads the swarm's Raft group; workers are never leaders. */
  leader: boolean;
  engineVersion: string | null;
  /** The address the node reaches the swarm from. */
  addr: string | null;
  /** For a manager, the address other nodes join at (`host:2377`). */
  managerAddr: string | null;
}

/** Docker's task states, in the order a task passes through them. */
export const TASK_STATES = [
  'NEW',
  'ALLOCATED',
  'PENDING',
  'ASSIGNED',
  'ACCEPTED',
  'PREPARING',
  'READY',
  'STARTING',
  'RUNNING',
  'COMPLETE',
  'SHUTDOWN',
  'FAILED',
  'REJECTED',
  'REMOVE',
  'ORPHANED',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const UPDATE_STATES = [
  'UPDATING',
  'PAUSED',
  'COMPLETED',
  'ROLLBACK_STARTED',
  'ROLLBACK_PAUSED',
  'ROLLBACK_COMPLETED',
] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

export const PUBLISH_MODES = ['HOST', 'INGRESS'] as const;
export type PublishMode = (typeof PUBLISH_MODES)[number];

export const FAILURE_ACTIONS = ['PAUSE', 'CONTINUE', 'ROLLBACK'] as const;
export type FailureAction = (typeof FAILURE_ACTIONS)[number];

export const UPDATE_ORDERS = ['STOP_FIRST', 'START_FIRST'] as const;
export type UpdateOrder = (typeof UPDATE_ORDERS)[number];

export const SERVICE_MODES = ['REPLICATED', 'GLOBAL', 'REPLICATED_JOB', 'GLOBAL_JOB'] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

export interface ServicePort {
  targetPort: number;
  /** null until the swarm assigns one (a host-mode port left to the engine is set per task). */
  publishedPort: number | null;
  protocol: PortProtocol;
  publishMode: PublishMode;
}

/** How a rolling update (or a rollback) replaces tasks. */
export interface UpdatePolicy {
  /** Tasks replaced at once; 0 means all at once. */
  parallelism: number;
  delaySeconds: number;
  failureAction: FailureAction;
  order: UpdateOrder;
  /** How long each new task is watched for failure after it starts. */
  monitorSeconds: number;
  /** The share of tasks that may fail during the update before `failureAction` applies. */
  maxFailureRatio: number;
}

export interface ServiceUpdateStatus {
  state: UpdateState;
  startedAt: Date | null;
  completedAt: Date | null;
  message: string | null;
}

export interface ServiceTask {
  id: string;
  serviceId: string;
  /** The replica this task fills (replicated services); null for global ones. */
  slot: number | null;
  nodeId: string | null;
  state: TaskState;
  desiredState: TaskState;
  /** The engine's word on the current state, e.g. "started". */
  message: string | null;
  /** Why the task failed or was rejected, e.g. "No such image". */
  error: string | null;
  containerId: string | null;
  exitCode: number | null;
  image: string;
  ports: ServicePort[];
  createdAt: Date;
  /** When the task last changed state. */
  updatedAt: Date;
}

export interface Service {
  id: string;
  name: string;
  image: string;
  mode: ServiceMode;
  /** Replicas asked for (replicated services); null for global services. */
  replicas: number | null;
  command: string[];
  env: KeyValue[];
  labels: KeyValue[];
  ports: ServicePort[];
  healthcheck: HealthcheckSpec | null;
  updateConfig: UpdatePolicy | null;
  rollbackConfig: UpdatePolicy | null;
  stopGracePeriodSeconds: number | null;
  /** The networks the tasks join, by the names or ids the spec gives. */
  networks: string[];
  updateStatus: ServiceUpdateStatus | null;
  /** Raft's version of the service object; an update must name it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Every task the swarm still keeps for the service, current and past, newest first per slot. */
  tasks: ServiceTask[];
}

export const MOUNT_TYPES = ['VOLUME', 'BIND', 'TMPFS'] as const;
export type ServiceMountType = (typeof MOUNT_TYPES)[number];

/** A mount of each task's container, as `docker service create --mount` takes it. */
export interface ServiceMount {
  type: ServiceMountType;
  /** The volume's name or the host path; null for a tmpfs (and for an anonymous volume). */
  source: string | null;
  target: string;
  readOnly: boolean;
  /** A volume the node's engine creates when the task first mounts it: its labels and driver. */
  volumeLabels?: KeyValue[];
  volumeDriver?: string;
  /** A tmpfs's size; no limit when absent. */
  tmpfsSizeBytes?: number;
}

export const RESTART_CONDITIONS = ['NONE', 'ON_FAILURE', 'ANY'] as const;
export type RestartCondition = (typeof RESTART_CONDITIONS)[number];

/** When the swarm replaces a task whose container ended (`--restart-condition`). */
export interface ServiceRestartPolicy {
  condition: RestartCondition;
  /** 0: no limit. */
  maxAttempts: number;
}

/** The names a service's tasks answer to on one of its networks, beside the service's own name. */
export interface ServiceNetworkAliases {
  /** As named in the spec's `networks`. */
  network: string;
  aliases: string[];
}

/** A deployService request, validated. */
export interface ServiceSpec {
  name: string;
  image: string;
  replicas: number;
  /** The arguments (the image's CMD replaced). */
  command?: string[];
  /** The image's entrypoint replaced (`docker service create --entrypoint`). */
  entrypoint?: string[];
  env: KeyValue[];
  /** The service's own labels. */
  labels: KeyValue[];
  /** Labels on each task's container (`--container-label`). */
  containerLabels?: KeyValue[];
  ports: ServicePort[];
  healthcheck?: HealthcheckSpec;
  updateConfig?: Partial<UpdatePolicy>;
  rollbackConfig?: Partial<UpdatePolicy>;
  stopGracePeriodSeconds?: number;
  stopSignal?: string;
  networks: string[];
  /** Extra DNS names on networks named in `networks`; written with them. */
  networkAliases?: ServiceNetworkAliases[];
  /** `user[:group]`. */
  user?: string;
  workingDir?: string;
  hostname?: string;
  /** Runs an init process as PID 1 in each task's container. */
  init?: boolean;
  tty?: boolean;
  /** Extra `/etc/hosts` lines, as `name:address` (as a container's extraHosts). */
  extraHosts?: string[];
  capAdd?: string[];
  capDrop?: string[];
  mounts?: ServiceMount[];
  /** Per task. */
  resources?: { memoryBytes?: number; cpus?: number };
  restartPolicy?: ServiceRestartPolicy;
}

/**
 * What a change may set back to the image's or the engine's default by giving null: a stack
 * deployed again sends its whole spec, and a key the file no longer has must go.
 */
export const RESETTABLE_FIELDS = [
  'command',
  'entrypoint',
  'containerLabels',
  'healthcheck',
  'stopGracePeriodSeconds',
  'stopSignal',
  'networkAliases',
  'user',
  'workingDir',
  'hostname',
  'init',
  'tty',
  'extraHosts',
  'capAdd',
  'capDrop',
  'mounts',
  'resources',
  'restartPolicy',
] as const satisfies readonly (keyof ServiceSpec)[];
type ResettableField = (typeof RESETTABLE_FIELDS)[number];

/**
 * An updateService request, validated: only what is given changes (null: back to the default, for
 * the fields that have one). Lists (env, labels, ports, networks, mounts…) are replaced whole;
 * update and rollback configs change field by field.
 */
export type ServiceChange = {
  [K in Exclude<keyof ServiceSpec, 'name'>]?: K extends ResettableField
    ? Exclude<ServiceSpec[K], undefined> | null
    : Exclude<ServiceSpec[K], undefined>;
} & {
  /** Replace every task even when nothing else changed, as `docker service update --force`. */
  force?: boolean;
};

/** A deployService request as the swarm is sent it: both policies whole (see completePolicy). */
export interface ServiceDeployment extends Omit<ServiceSpec, 'updateConfig' | 'rollbackConfig'> {
  updateConfig: UpdatePolicy;
  rollbackConfig: UpdatePolicy;
}

/**
 * A change as the swarm is sent it (see serviceWrite): the labels the service is to have, all of
 * them; a policy that changes, whole.
 */
export interface ServiceWrite extends Omit<ServiceChange, 'updateConfig' | 'rollbackConfig'> {
  updateConfig?: UpdatePolicy;
  rollbackConfig?: UpdatePolicy;
}

/** Newest first within a slot, slots in order: how `docker service ps` reads. */
export function byRecency(a: ServiceTask, b: ServiceTask): number {
  return (
    (a.slot ?? 0) - (b.slot ?? 0) ||
    (a.nodeId ?? '').localeCompare(b.nodeId ?? '') ||
    b.createdAt.getTime() - a.createdAt.getTime()
  );
}

/** The service with its tasks in the order berth shows them (byRecency). */
export function withTasksInOrder(service: Service): Service {
  return { ...service, tasks: [...service.tasks].sort(byRecency) };
}

/** Tasks the swarm means to keep running: the current generation, not the history. */
export function isCurrentTask(task: ServiceTask): boolean {
  return task.desiredState === 'RUNNING' || task.desiredState === 'READY' || task.desiredState === 'ACCEPTED';
}

export function runningTasks(service: Service): number {
  return service.tasks.filter((task) => task.state === 'RUNNING' && task.desiredState === 'RUNNING').length;
}

/** Tasks the swarm wants running: the replicas, or for a global service one per eligible node. */
export function desiredTasks(service: Service): number {
  if (service.mode === 'REPLICATED' && service.replicas !== null) return service.replicas;
  return service.tasks.filter((task) => task.desiredState === 'RUNNING').length;
}
