/** berth's own view of a container: what the GraphQL and REST surfaces render, free of Docker's wire shapes. */

export const CONTAINER_STATUSES = [
  'CREATED',
  'RUNNING',
  'PAUSED',
  'RESTARTING',
  'REMOVING',
  'EXITED',
  'DEAD',
] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

export const HEALTH_STATUSES = ['NONE', 'STARTING', 'HEALTHY', 'UNHEALTHY'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const RESTART_POLICIES = ['NO', 'ALWAYS', 'UNLESS_STOPPED', 'ON_FAILURE'] as const;
export type RestartPolicyName = (typeof RESTART_POLICIES)[number];

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export interface KeyValue {
  name: string;
  value: string;
}

export interface PortBinding {
  containerPort: number;
  protocol: PortProtocol;
  /** null when the port is exposed but not published to the host. */
  hostIp: string | null;
  hostPort: number | null;
}

export interface Container {
  /** The environment (Docker host) it lives on; its environment's index stamps it, nothing else. */
  environment: string;
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string[];
  status: ContainerStatus;
  exitCode: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  oomKilled: boolean;
  createdAt: Date;
  health: HealthStatus;
  restartCount: number;
  restartPolicy: { name: RestartPolicyName; maximumRetryCount: number };
  env: KeyValue[];
  ports: PortBinding[];
  labels: KeyValue[];
  /** 0 means "no limit", as Docker reports it. */
  resources: { memoryBytes: number; nanoCpus: number };
  /** The newest healthcheck probe, when the container has a healthcheck and it has run. */
  lastProbe: HealthProbe | null;
  /** The init process on the host while running (for network counters); not exposed. */
  pid: number | null;
  /** Whether it has a terminal: its logs are then raw bytes, not stdout/stderr frames. */
  tty: boolean;
  /** The networks it is attached to, by name; empty addresses while it is not running. */
  networks: ContainerNetwork[];
  mounts: ContainerMount[];
}

/** A container as an engine describes it: it does not know which of berth's environments it is. */
export type EngineContainer = Omit<Container, 'environment'>;

export interface ContainerNetwork {
  name: string;
  networkId: string;
  /** The aliases asked for on this network (Docker's own short-id alias left out). */
  aliases: string[];
  /** null while the container does not run (it has no endpoint then). */
  ipAddress: string | null;
  ipPrefixLength: number | null;
  gateway: string | null;
  macAddress: string | null;
}

export const MOUNT_KINDS = ['BIND', 'VOLUME', 'TMPFS', 'NPIPE', 'OTHER'] as const;
export type MountKind = (typeof MOUNT_KINDS)[number];

export interface ContainerMount {
  type: MountKind;
  /** The volume's name, for a volume mount. */
  name: string | null;
  /** The host path (for a volume, where its data lives on the engine's host). */
  source: string;
  target: string;
  readOnly: boolean;
  /** The volume driver, for a volume mount. */
  driver: string | null;
}

export interface HealthProbe {
  exitCode: number;
  output: string;
  at: Date;
}

export interface HealthcheckSpec {
  test: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
}

export interface PortSpec {
  containerPort: number;
  protocol: PortProtocol;
  /** undefined: the engine picks a free ephemeral port. */
  hostPort?: number;
  hostIp?: string;
}

export const HOST_NAMESPACES = ['NETWORK', 'PID', 'IPC', 'UTS', 'USERNS', 'CGROUP'] as const;
export type HostNamespace = (typeof HOST_NAMESPACES)[number];

/** What gives a container power over its host: only what the create policy allows gets through. */
export interface Privileges {
  privileged: boolean;
  hostNamespaces: HostNamespace[];
  capAdd: string[];
  /** Host device paths, e.g. /dev/fuse. */
  devices: string[];
  securityOpt: string[];
  mounts: { type: 'bind' | 'volume'; source: string; target: string; readOnly: boolean }[];
}

/** A validated create request: every field has passed `validateCreateSpec`. */
export interface CreateContainerSpec {
  name?: string;
  image: string;
  env: KeyValue[];
  ports: PortSpec[];
  command?: string[];
  restartPolicy?: { name: RestartPolicyName; maximumRetryCount: number };
  healthcheck?: HealthcheckSpec;
  labels: KeyValue[];
  resources?: { memoryBytes?: number; cpus?: number };
  tty: boolean;
  start: boolean;
  /** Absent when the request asks for none. */
  privileges?: Privileges;
  /**
   * User networks to join, in order: the first at create, the others before start. Absent or
   * empty: the engine's default bridge. Names are resolved to the network's own before create.
   */
  networks?: NetworkAttachmentSpec[];
  /** Named volumes to mount (created by the engine when missing). Never a host path. */
  volumes?: VolumeMountSpec[];
  /** In-memory file systems (`--tmpfs`). */
  tmpfs?: TmpfsMountSpec[];
  /** Replaces the image's entrypoint (an empty list clears it). */
  entrypoint?: string[];
  /** `user[:group]` the process runs as. */
  user?: string;
  workingDir?: string;
  hostname?: string;
  /** Runs an init process as PID 1 (`--init`): signals reach the command, zombies are reaped. */
  init?: boolean;
  /** Extra `/etc/hosts` lines, as `name:address`. */
  extraHosts?: string[];
  /** Capabilities taken away (adding is a privilege: see `privileges.capAdd`). */
  capDrop?: string[];
  /** The signal `stop` sends first (the image's or SIGTERM otherwise). */
  stopSignal?: string;
  /** How long `stop` waits before it kills, when the caller does not say. */
  stopTimeoutSeconds?: number;
}

export interface TmpfsMountSpec {
  target: string;
  /** No limit when absent (the kernel's default: half the memory). */
  sizeBytes?: number;
}

export interface NetworkAttachmentSpec {
  /** A network name, id or unique id prefix. */
  name: string;
  /** Extra DNS names the container answers to on this network (its name always works). */
  aliases: string[];
  /** A fixed address; only a network with a subnet chosen by its creator gives one. */
  ipv4Address?: string;
}

export interface VolumeMountSpec {
  name: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerFilter {
  status?: ContainerStatus;
  name?: string;
  /** `key` or `key=value`, as `docker ps --filter label=` takes it. */
  label?: string;
  image?: string;
}
