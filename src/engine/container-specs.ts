import type Docker from 'dockerode';
import type { HostNamespace } from '../domain/containers/model.js';
import type { ContainerSpecReader, ContainerSpecReading } from '../domain/lifecycle/ports.js';
import type { CreateContainerInput } from '../domain/lifecycle/validation.js';
import { onStatus, type EngineCalls } from './calls.js';
import { BUILT_IN_NETWORKS } from '../domain/networks/names.js';
import { RESTART_FROM_DOCKER } from './mapping.js';

/**
 * Reads back, from the engine, the createContainer input that would make a container again: what
 * a backup keeps. Reached through `DockerEngine.containerSpecs`.
 *
 * The engine reports a container's configuration merged with its image's (the image's ENV, CMD,
 * labels and healthcheck appear as the container's own), so what equals the image's is left out:
 * the spec says what was asked for, and a newer image's defaults apply when it is recreated.
 */

const NANOS_PER_SECOND = 1_000_000_000;

const NAMESPACE_MODES: [HostNamespace, keyof Docker.HostConfig | 'CgroupnsMode'][] = [
  ['NETWORK', 'NetworkMode'],
  ['PID', 'PidMode'],
  ['IPC', 'IpcMode'],
  ['UTS', 'UTSMode'],
  ['USERNS', 'UsernsMode'],
  ['CGROUP', 'CgroupnsMode'],
];

type ImageConfig = Partial<Docker.ImageInspectInfo['Config']>;

export class DockerContainerSpecs implements ContainerSpecReader {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async read(reference: string): Promise<ContainerSpecReading> {
    const info = await this.#calls.run('inspect', reference, (docker) =>
      docker.getContainer(reference).inspect(),
    );
    const image = await this.#imageConfig(info.Image);
    return {
      name: info.Name.replace(/^\//, ''),
      spec: toSpec(info, image),
      running: info.State.Running || info.State.Restarting,
    };
  }

  /** The image's own configuration; empty when the image is gone (removed with force). */
  async #imageConfig(imageId: string): Promise<ImageConfig> {
    const info = await this.#calls.run<Docker.ImageInspectInfo | null>(
      'image.inspect',
      imageId,
      (docker) => docker.getImage(imageId).inspect(),
      { answer: onStatus(404, null) },
    );
    return info?.Config ?? {};
  }
}

function toSpec(info: Docker.ContainerInspectInfo, image: ImageConfig): CreateContainerInput {
  const config = info.Config;
  const host = (info.HostConfig ?? {}) as Docker.HostConfig & { CgroupnsMode?: string };
  const imageEnv = new Set(image.Env ?? []);
  const env = (config.Env ?? [])
    .filter((entry) => !imageEnv.has(entry))
    .map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
    });
  const imageLabels = image.Labels ?? {};
  const labels = Object.entries(config.Labels ?? {})
    .filter(([name, value]) => imageLabels[name] !== value)
    .map(([name, value]) => ({ name, value }));
  const ports = Object.entries(host.PortBindings ?? {}).flatMap(([key, bindings]) => {
    const [port = '0', protocol = 'tcp'] = key.split('/');
    return ((bindings ?? []) as { HostIp?: string; HostPort?: string }[]).map((binding) => ({
      containerPort: Number(port),
      protocol,
      ...(binding.HostPort && { hostPort: Number(binding.HostPort) }),
      ...(binding.HostIp && { hostIp: binding.HostIp }),
    }));
  });
  const spec: CreateContainerInput = {
    name: info.Name.replace(/^\//, ''),
    image: config.Image,
    env,
    ports,
    labels,
    tty: config.Tty === true,
  };
  const command = config.Cmd ?? [];
  if (command.length > 0 && !sameList(command, image.Cmd ?? [])) spec.command = command;
  const restart = RESTART_FROM_DOCKER[host.RestartPolicy?.Name ?? ''] ?? 'NO';
  if (restart !== 'NO') {
    spec.restartPolicy = {
      name: restart,
      ...(restart === 'ON_FAILURE' && { maximumRetryCount: host.RestartPolicy?.MaximumRetryCount ?? 0 }),
    };
  }
  const check = config.Healthcheck;
  if (check?.Test && check.Test.length > 0 && JSON.stringify(check) !== JSON.stringify(image.Healthcheck)) {
    const seconds = (nanos: number | undefined) => (nanos ? nanos / NANOS_PER_SECOND : undefined);
    const interval = seconds(check.Interval);
    const timeout = seconds(check.Timeout);
    const startPeriod = seconds(check.StartPeriod);
    spec.healthcheck = {
      test: check.Test,
      ...(interval !== undefined && { intervalSeconds: interval }),
      ...(timeout !== undefined && { timeoutSeconds: timeout }),
      ...(check.Retries ? { retries: check.Retries } : {}),
      ...(startPeriod !== undefined && { startPeriodSeconds: startPeriod }),
    };
  }
  if ((host.Memory ?? 0) > 0 || (host.NanoCpus ?? 0) > 0) {
    spec.resources = {
      ...((host.Memory ?? 0) > 0 && { memoryBytes: host.Memory }),
      ...((host.NanoCpus ?? 0) > 0 && { cpus: (host.NanoCpus ?? 0) / NANOS_PER_SECOND }),
    };
  }
  if (host.Privileged) spec.privileged = true;
  const namespaces = NAMESPACE_MODES.filter(([, key]) => host[key as keyof typeof host] === 'host').map(
    ([namespace]) => namespace,
  );
  if (namespaces.length > 0) spec.hostNamespaces = namespaces;
  const capAdd = (host.CapAdd ?? []) as string[];
  if (capAdd.length > 0) spec.capAdd = capAdd;
  const devices = ((host.Devices ?? []) as { PathOnHost: string }[]).map((device) => device.PathOnHost);
  if (devices.length > 0) spec.devices = devices;
  const securityOpt = (host.SecurityOpt ?? []) as string[];
  if (securityOpt.length > 0) spec.securityOpt = securityOpt;
  const mounts = (host.Mounts ?? []) as {
    Type?: string;
    Source?: string;
    Target?: string;
    ReadOnly?: boolean;
  }[];
  const binds = mounts.filter((mount) => mount.Type === 'bind');
  if (binds.length > 0) {
    spec.mounts = binds.map((mount) => ({
      type: 'BIND' as const,
      source: mount.Source ?? '',
      target: mount.Target ?? '',
      readOnly: mount.ReadOnly === true,
    }));
  }
  const volumes = mounts.filter((mount) => mount.Type === 'volume');
  if (volumes.length > 0) {
    spec.volumes = volumes.map((mount) => ({
      name: mount.Source ?? '',
      target: mount.Target ?? '',
      readOnly: mount.ReadOnly === true,
    }));
  }
  const networks = userNetworks(info);
  if (networks.length > 0) spec.networks = networks;
  return spec;
}

/**
 * The user networks it is on, the one it was created on (its network mode) first, with the
 * aliases asked for: Docker adds the short id (and, on newer engines, the name) by itself.
 */
function userNetworks(info: Docker.ContainerInspectInfo): { name: string; aliases: string[] }[] {
  const own = new Set([info.Id.slice(0, 12), info.Name.replace(/^\//, '')]);
  const mode = info.HostConfig?.NetworkMode ?? '';
  return Object.entries(info.NetworkSettings?.Networks ?? {})
    .filter(([name]) => !BUILT_IN_NETWORKS.has(name))
    .sort(([a], [b]) => (a === mode ? -1 : b === mode ? 1 : a.localeCompare(b)))
    .map(([name, endpoint]) => ({
      name,
      aliases: ((endpoint.Aliases as string[] | null | undefined) ?? []).filter((alias) => !own.has(alias)),
    }));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
