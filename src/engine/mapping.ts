import type Docker from 'dockerode';
import type {
  EngineContainer,
  ContainerMount,
  ContainerNetwork,
  MountKind,
  ContainerStatus,
  CreateContainerSpec,
  HealthStatus,
  HostNamespace,
  KeyValue,
  PortBinding,
  PortProtocol,
  Privileges,
  RestartPolicyName,
} from '../domain/containers/model.js';
import { CONTAINER_STATUSES, PORT_PROTOCOLS } from '../domain/containers/model.js';

/** Translations between Docker's wire shapes and berth's model, in both directions. */

const NANOS_PER_SECOND = 1_000_000_000;

const RESTART_TO_DOCKER: Record<RestartPolicyName, string> = {
  NO: 'no',
  ALWAYS: 'always',
  UNLESS_STOPPED: 'unless-stopped',
  ON_FAILURE: 'on-failure',
};

export const RESTART_FROM_DOCKER: Record<string, RestartPolicyName> = {
  '': 'NO',
  no: 'NO',
  always: 'ALWAYS',
  'unless-stopped': 'UNLESS_STOPPED',
  'on-failure': 'ON_FAILURE',
};

/**
 * A container create as docker-modem should send it: the name in the query, as the Docker CLI
 * does, and the config in the body alone. Handed the config itself, docker-modem copies every field
 * into the URL as well (env values and labels included), where socket proxies and the engine's
 * debug log keep them, and where the engine refuses a request line over 1 MiB (431).
 */
export function createRequest(options: Docker.ContainerCreateOptions): Docker.ContainerCreateOptions {
  const { name, ...config } = options;
  return inBody(config, name === undefined ? {} : { name });
}

/**
 * Options docker-modem sends in the JSON body only (and `query` in the URL), for the creates whose
 * dockerode path ends in `?` (containers, networks, volumes): without this it copies every field,
 * labels included, into the URL too.
 */
export function inBody<T extends object>(body: T, query: Record<string, string> = {}): T {
  // docker-modem's own keys: `_query` becomes the query string, `_body` the JSON body.
  return { _query: query, _body: body } as unknown as T;
}

export function toCreateOptions(spec: CreateContainerSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({
      HostIp: port.hostIp ?? '',
      // An empty HostPort asks the engine for a free ephemeral port.
      HostPort: port.hostPort === undefined ? '' : String(port.hostPort),
    });
  }
  // Docker's own default on cgroup v1 hosts is the host's cgroup namespace; berth asks for a
  // private one unless the create policy let the request have the host's.
  const hostConfig: Docker.HostConfig & { CgroupnsMode?: string } = {
    PortBindings: bindings,
    CgroupnsMode: 'private',
  };
  if (spec.restartPolicy) {
    hostConfig.RestartPolicy = {
      Name: RESTART_TO_DOCKER[spec.restartPolicy.name],
      MaximumRetryCount: spec.restartPolicy.maximumRetryCount,
    };
  }
  if (spec.privileges) Object.assign(hostConfig, privilegedHostConfig(spec.privileges));
  const mounts = [
    ...(spec.volumes ?? []).map((volume) => ({
      Type: 'volume' as const,
      Source: volume.name,
      Target: volume.target,
      ReadOnly: volume.readOnly,
    })),
    ...(spec.privileges?.mounts ?? []).map((mount) => ({
      Type: mount.type,
      Source: mount.source,
      Target: mount.target,
      ReadOnly: mount.readOnly,
    })),
    // In memory, no host path: the engine refuses a Source for these, so none is sent.
    ...(spec.tmpfs ?? []).map(
      (mount) =>
        ({
          Type: 'tmpfs' as const,
          Target: mount.target,
          ...(mount.sizeBytes !== undefined && { TmpfsOptions: { SizeBytes: mount.sizeBytes } }),
        }) as Docker.MountSettings,
    ),
  ];
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  if (spec.init !== undefined) hostConfig.Init = spec.init;
  if (spec.extraHosts && spec.extraHosts.length > 0) hostConfig.ExtraHosts = [...spec.extraHosts];
  if (spec.capDrop && spec.capDrop.length > 0) hostConfig.CapDrop = [...spec.capDrop];
  // Engines before API 1.44 take one network at create; DockerEngine.create connects the others
  // before the container starts. The first one is also its network mode, as `docker run --network`.
  const [first] = spec.networks ?? [];
  if (first) hostConfig.NetworkMode = first.name;
  if (spec.resources?.memoryBytes !== undefined) hostConfig.Memory = spec.resources.memoryBytes;
  if (spec.resources?.cpus !== undefined) {
    hostConfig.NanoCpus = Math.round(spec.resources.cpus * NANOS_PER_SECOND);
  }

  const options: Docker.ContainerCreateOptions = {
    Image: spec.image,
    Env: spec.env.map(({ name, value }) => `${name}=${value}`),
    Labels: Object.fromEntries(spec.labels.map(({ name, value }) => [name, value])),
    ExposedPorts: exposed,
    HostConfig: hostConfig,
  };
  if (first) options.NetworkingConfig = { EndpointsConfig: { [first.name]: endpointConfig(first) } };
  if (spec.name !== undefined) options.name = spec.name;
  if (spec.tty) options.Tty = true;
  if (spec.command) options.Cmd = spec.command;
  // An empty list is sent as is: the engine then runs no entrypoint, not the image's.
  if (spec.entrypoint) options.Entrypoint = [...spec.entrypoint];
  if (spec.user !== undefined) options.User = spec.user;
  if (spec.workingDir !== undefined) options.WorkingDir = spec.workingDir;
  if (spec.hostname !== undefined) options.Hostname = spec.hostname;
  if (spec.stopSignal !== undefined) options.StopSignal = spec.stopSignal;
  if (spec.stopTimeoutSeconds !== undefined) options.StopTimeout = spec.stopTimeoutSeconds;
  if (spec.healthcheck) {
    const check = spec.healthcheck;
    const nanos = (seconds: number | undefined) =>
      seconds === undefined ? undefined : Math.round(seconds * NANOS_PER_SECOND);
    options.Healthcheck = {
      Test: check.test,
      ...(check.intervalSeconds !== undefined && { Interval: nanos(check.intervalSeconds) }),
      ...(check.timeoutSeconds !== undefined && { Timeout: nanos(check.timeoutSeconds) }),
      ...(check.retries !== undefined && { Retries: check.retries }),
      ...(check.startPeriodSeconds !== undefined && { StartPeriod: nanos(check.startPeriodSeconds) }),
    };
  }
  return options;
}

/**
 * A network endpoint as a create (EndpointsConfig) or a connect (EndpointConfig) takes it: the
 * aliases and the fixed address, when asked for.
 */
export function endpointConfig(attachment: {
  aliases: readonly string[];
  ipv4Address?: string | undefined;
}): Docker.EndpointSettings {
  return {
    ...(attachment.aliases.length > 0 && { Aliases: [...attachment.aliases] }),
    ...(attachment.ipv4Address !== undefined && { IPAMConfig: { IPv4Address: attachment.ipv4Address } }),
  };
}

/** Where the host config says a namespace is the host's (`host`): one table, for creates and read-backs. */
export const NAMESPACE_MODES: Readonly<Record<HostNamespace, string>> = {
  NETWORK: 'NetworkMode',
  PID: 'PidMode',
  IPC: 'IpcMode',
  UTS: 'UTSMode',
  USERNS: 'UsernsMode',
  CGROUP: 'CgroupnsMode',
};

/** What the create policy let through, in the engine's terms. */
function privilegedHostConfig(privileges: Privileges): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (privileges.privileged) config['Privileged'] = true;
  for (const namespace of privileges.hostNamespaces) config[NAMESPACE_MODES[namespace]] = 'host';
  if (privileges.capAdd.length > 0) config['CapAdd'] = privileges.capAdd;
  if (privileges.devices.length > 0) {
    config['Devices'] = privileges.devices.map((path) => ({
      PathOnHost: path,
      PathInContainer: path,
      CgroupPermissions: 'rwm',
    }));
  }
  if (privileges.securityOpt.length > 0) config['SecurityOpt'] = privileges.securityOpt;
  return config;
}

/** Docker writes the zero time for "never"; berth says null. */
function optionalDate(value: string | undefined): Date | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toStatus(value: string): ContainerStatus {
  const upper = value.toUpperCase();
  return (CONTAINER_STATUSES as readonly string[]).includes(upper) ? (upper as ContainerStatus) : 'DEAD';
}

function toHealth(value: string | undefined): HealthStatus {
  switch (value) {
    case 'starting':
      return 'STARTING';
    case 'healthy':
      return 'HEALTHY';
    case 'unhealthy':
      return 'UNHEALTHY';
    default:
      return 'NONE';
  }
}

export function splitEnv(entries: readonly string[] | null | undefined): KeyValue[] {
  return (entries ?? []).map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

function parsePortKey(key: string): { containerPort: number; protocol: PortProtocol } {
  const [port = '0', protocol = 'tcp'] = key.split('/');
  return {
    containerPort: Number(port),
    protocol: (PORT_PROTOCOLS as readonly string[]).includes(protocol) ? (protocol as PortProtocol) : 'tcp',
  };
}

type Bindings = Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined>;

/**
 * The live bindings while the container runs (with the ports the engine picked), otherwise the
 * requested ones; exposed but unpublished ports appear with no host side.
 */
function toPorts(info: Docker.ContainerInspectInfo): PortBinding[] {
  const live = (info.NetworkSettings?.Ports ?? {}) as Bindings;
  const requested = (info.HostConfig?.PortBindings ?? {}) as Bindings;
  const source = Object.keys(live).length > 0 ? live : requested;
  const keys = new Set([...Object.keys(info.Config?.ExposedPorts ?? {}), ...Object.keys(source)]);
  const ports: PortBinding[] = [];
  for (const key of [...keys].sort()) {
    const base = parsePortKey(key);
    const bound = source[key];
    if (!bound || bound.length === 0) {
      ports.push({ ...base, hostIp: null, hostPort: null });
      continue;
    }
    for (const binding of bound) {
      const hostPort = binding.HostPort ? Number(binding.HostPort) : null;
      ports.push({ ...base, hostIp: binding.HostIp || null, hostPort });
    }
  }
  return ports;
}

export function toContainer(info: Docker.ContainerInspectInfo): EngineContainer {
  const status = toStatus(info.State.Status);
  const restart = info.HostConfig?.RestartPolicy;
  // Docker reports 0 for a container that never exited; only a stopped one has a real exit code.
  const exited = status === 'EXITED' || status === 'DEAD' || status === 'RESTARTING';
  const state = info.State as Docker.ContainerInspectInfo['State'] & {
    Health?: { Status?: string; Log?: { ExitCode?: number; Output?: string; End?: string }[] | null };
  };
  const probe = state.Health?.Log?.at(-1);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    imageId: info.Image,
    command: info.Config.Cmd ?? [],
    status,
    exitCode: exited ? info.State.ExitCode : null,
    startedAt: optionalDate(info.State.StartedAt),
    finishedAt: optionalDate(info.State.FinishedAt),
    oomKilled: info.State.OOMKilled,
    createdAt: new Date(info.Created),
    health: toHealth(state.Health?.Status),
    restartCount: info.RestartCount,
    restartPolicy: {
      name: RESTART_FROM_DOCKER[restart?.Name ?? ''] ?? 'NO',
      maximumRetryCount: restart?.MaximumRetryCount ?? 0,
    },
    env: splitEnv(info.Config.Env),
    ports: toPorts(info),
    labels: Object.entries(info.Config.Labels ?? {}).map(([name, value]) => ({ name, value })),
    resources: {
      memoryBytes: info.HostConfig?.Memory ?? 0,
      nanoCpus: info.HostConfig?.NanoCpus ?? 0,
    },
    lastProbe: probe
      ? {
          exitCode: probe.ExitCode ?? -1,
          output: probe.Output ?? '',
          at: optionalDate(probe.End) ?? new Date(0),
        }
      : null,
    pid: info.State.Pid > 0 ? info.State.Pid : null,
    tty: info.Config.Tty === true,
    networks: toNetworks(info),
    mounts: toMounts(info),
  };
}

/** What an empty address or a zero prefix means in inspect: none yet (the container is not running). */
const present = (value: string | undefined): string | null => (value ? value : null);

function toNetworks(info: Docker.ContainerInspectInfo): ContainerNetwork[] {
  // Docker adds the short id as an alias on user networks by itself; berth shows what was asked for.
  const shortId = info.Id.slice(0, 12);
  return Object.entries(info.NetworkSettings?.Networks ?? {})
    .map(([name, network]) => ({
      name,
      networkId: network.NetworkID,
      aliases: ((network.Aliases as string[] | null | undefined) ?? []).filter((alias) => alias !== shortId),
      ipAddress: present(network.IPAddress),
      ipPrefixLength: network.IPPrefixLen > 0 ? network.IPPrefixLen : null,
      gateway: present(network.Gateway),
      macAddress: present(network.MacAddress),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const MOUNT_TYPES: Record<string, MountKind> = {
  bind: 'BIND',
  volume: 'VOLUME',
  tmpfs: 'TMPFS',
  npipe: 'NPIPE',
};

function toMounts(info: Docker.ContainerInspectInfo): ContainerMount[] {
  return (info.Mounts ?? []).map((mount) => ({
    type: MOUNT_TYPES[mount.Type] ?? 'OTHER',
    name: present(mount.Name),
    source: mount.Source,
    target: mount.Destination,
    readOnly: !mount.RW,
    driver: present(mount.Driver),
  }));
}
