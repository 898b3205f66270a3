import type Docker from 'dockerode';
import type { HostNamespace, KeyValue } from '../domain/containers/model.js';
import type { ContainerReader } from '../domain/containers/ports.js';
import type {
  ContainerReadBack,
  HealthcheckSetting,
  ImageDefaults,
  RunSettings,
} from '../domain/containers/read-back.js';
import { onStatus, type EngineCalls } from './calls.js';
import { NAMESPACE_MODES, RESTART_FROM_DOCKER, splitEnv } from './mapping.js';

/**
 * The one place a container's inspect (Config, HostConfig, NetworkSettings, Mounts) and an image's
 * Config are read into berth's types, for whoever makes a container again: backups and redeploys
 * derive what each needs in the domain (see src/domain/containers/read-back.ts). Reached through
 * `DockerEngine.readBack`, and by the redeploy calls.
 */

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * The engine's host config, handed back untouched for a copy: everything berth does not model
 * (log driver, ulimits, DNS, extra hosts…) is made again as it was.
 */
export type CarriedHostConfig = Docker.HostConfig & Record<string, unknown>;

/** A healthcheck as the engine spells it (`StartInterval` from API 1.44). */
export interface EngineHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

/** The fields of a container's (or an image's) Config read here. */
interface WireConfig {
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  WorkingDir?: string;
  User?: string;
  Healthcheck?: EngineHealthcheck | null;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  Shell?: string[] | null;
}

type WireContainerConfig = WireConfig & {
  Image: string;
  Hostname?: string;
  Domainname?: string;
  StopTimeout?: number | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
};

const list = (value: string | string[] | null | undefined): string[] =>
  value == null ? [] : typeof value === 'string' ? [value] : value;

const keyValues = (record: Record<string, string> | null | undefined): KeyValue[] =>
  Object.entries(record ?? {}).map(([name, value]) => ({ name, value }));

function toHealthcheck(check: EngineHealthcheck | null | undefined): HealthcheckSetting | null {
  if (!check) return null;
  const seconds = (nanos: number | undefined) => (nanos == null ? undefined : nanos / NANOS_PER_SECOND);
  const interval = seconds(check.Interval);
  const timeout = seconds(check.Timeout);
  const startPeriod = seconds(check.StartPeriod);
  const startInterval = seconds(check.StartInterval);
  return {
    test: check.Test ?? [],
    ...(interval !== undefined && { intervalSeconds: interval }),
    ...(timeout !== undefined && { timeoutSeconds: timeout }),
    ...(check.Retries != null && { retries: check.Retries }),
    ...(startPeriod !== undefined && { startPeriodSeconds: startPeriod }),
    ...(startInterval !== undefined && { startIntervalSeconds: startInterval }),
  };
}

/** The other way, for a copy's create. */
export function fromHealthcheck(check: HealthcheckSetting): EngineHealthcheck {
  const nanos = (seconds: number) => Math.round(seconds * NANOS_PER_SECOND);
  return {
    Test: check.test,
    ...(check.intervalSeconds !== undefined && { Interval: nanos(check.intervalSeconds) }),
    ...(check.timeoutSeconds !== undefined && { Timeout: nanos(check.timeoutSeconds) }),
    ...(check.retries !== undefined && { Retries: check.retries }),
    ...(check.startPeriodSeconds !== undefined && { StartPeriod: nanos(check.startPeriodSeconds) }),
    ...(check.startIntervalSeconds !== undefined && { StartInterval: nanos(check.startIntervalSeconds) }),
  };
}

function toRunSettings(config: WireConfig): RunSettings {
  return {
    env: splitEnv(config.Env),
    command: list(config.Cmd),
    entrypoint: list(config.Entrypoint),
    workingDir: config.WorkingDir ?? '',
    user: config.User ?? '',
    healthcheck: toHealthcheck(config.Healthcheck),
    labels: keyValues(config.Labels),
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
    volumes: Object.keys(config.Volumes ?? {}),
    stopSignal: config.StopSignal ?? '',
    shell: list(config.Shell),
  };
}

/** Inspect writes legacy links as `/db:/web/alias`; create takes `db:alias`. */
function createLinks(links: readonly string[] | null | undefined): string[] | undefined {
  if (!links || links.length === 0) return undefined;
  return links.map((link) => {
    const [target = '', alias = ''] = link.split(':');
    return `${target.replace(/^\//, '')}:${alias.slice(alias.lastIndexOf('/') + 1)}`;
  });
}

/** The host config as a create takes it again. */
function carriedHostConfig(info: Docker.ContainerInspectInfo): CarriedHostConfig {
  const host = structuredClone(info.HostConfig ?? {}) as CarriedHostConfig;
  const links = createLinks(host.Links as string[] | undefined);
  if (links) host.Links = links;
  else delete host.Links;
  return host;
}

type WireMount = { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean };
type WireBindings = Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined>;

export function toReadBack(info: Docker.ContainerInspectInfo): ContainerReadBack<CarriedHostConfig> {
  const config = info.Config as unknown as WireContainerConfig;
  const host = (info.HostConfig ?? {}) as CarriedHostConfig;
  const namespaces = Object.entries(NAMESPACE_MODES) as [HostNamespace, string][];
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    running: info.State.Running || info.State.Restarting,
    image: config.Image,
    imageId: info.Image,
    settings: toRunSettings(config),
    terminal: {
      tty: config.Tty === true,
      openStdin: config.OpenStdin === true,
      stdinOnce: config.StdinOnce === true,
      attachStdin: config.AttachStdin === true,
      attachStdout: config.AttachStdout === true,
      attachStderr: config.AttachStderr === true,
    },
    hostname: config.Hostname ?? '',
    domainname: config.Domainname ?? '',
    stopTimeoutSeconds: config.StopTimeout ?? null,
    restartPolicy: {
      name: RESTART_FROM_DOCKER[host.RestartPolicy?.Name ?? ''] ?? 'NO',
      maximumRetryCount: host.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    resources: { memoryBytes: host.Memory ?? 0, nanoCpus: host.NanoCpus ?? 0 },
    privileged: host.Privileged === true,
    hostNamespaces: namespaces.filter(([, key]) => host[key] === 'host').map(([namespace]) => namespace),
    capAdd: (host.CapAdd ?? []) as string[],
    devices: ((host.Devices ?? []) as { PathOnHost: string }[]).map((device) => device.PathOnHost),
    securityOpt: (host.SecurityOpt ?? []) as string[],
    binds: ((host.Binds ?? []) as string[]).map((bind) => {
      const [source = '', target = '', options = ''] = bind.split(':');
      return { source, target, readOnly: options.split(',').includes('ro') };
    }),
    mounts: ((host.Mounts ?? []) as WireMount[]).map((mount) => ({
      type: mount.Type ?? '',
      source: mount.Source ?? '',
      target: mount.Target ?? '',
      readOnly: mount.ReadOnly === true,
    })),
    volumesMounted: (info.Mounts ?? []).flatMap((mount) =>
      mount.Type === 'volume' && mount.Name
        ? [{ name: mount.Name, source: mount.Source, target: mount.Destination, readOnly: !mount.RW }]
        : [],
    ),
    portBindings: Object.entries((host.PortBindings ?? {}) as WireBindings).map(([port, bindings]) => ({
      port,
      bindings: (bindings ?? []).map((binding) => ({
        hostIp: binding.HostIp ?? '',
        hostPort: binding.HostPort ? Number(binding.HostPort) : null,
      })),
    })),
    networkMode: host.NetworkMode ?? '',
    networks: Object.entries(info.NetworkSettings?.Networks ?? {}).map(([name, endpoint]) => ({
      name,
      aliases: (endpoint.Aliases as string[] | null | undefined) ?? [],
      ipv4Address: endpoint.IPAddress || null,
      macAddress: endpoint.MacAddress || null,
    })),
    carried: carriedHostConfig(info),
  };
}

export class DockerReadBack implements ContainerReader<CarriedHostConfig> {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async readBack(reference: string): Promise<ContainerReadBack<CarriedHostConfig>> {
    const info = await this.#calls.run('inspect', reference, (docker) =>
      docker.getContainer(reference).inspect(),
    );
    return toReadBack(info);
  }

  async imageDefaults(reference: string): Promise<ImageDefaults | null> {
    const info = await this.#calls.run<Docker.ImageInspectInfo | null>(
      'image.inspect',
      reference,
      (docker) => docker.getImage(reference).inspect(),
      { answer: onStatus(404, null) },
    );
    if (info === null) return null;
    return { id: info.Id, settings: toRunSettings((info.Config ?? {}) as unknown as WireConfig) };
  }
}
