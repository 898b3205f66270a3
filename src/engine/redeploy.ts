import { isDeepStrictEqual } from 'node:util';
import type Docker from 'dockerode';
import { createRequest } from './mapping.js';
import type { HostNamespace, KeyValue, Privileges } from '../domain/containers/model.js';
import type {
  AttachedNetwork,
  ContainerBlueprint,
  EffectiveSpec,
  FixedHostPort,
  HealthcheckSummary,
} from '../domain/redeploy/model.js';
import { STAGING_NETWORK, type CloneRequest, type RedeployCalls } from '../domain/redeploy/ports.js';
import { onStatus, type EngineCalls } from './calls.js';
import { engineMessage } from './errors.js';

/**
 * The engine calls a redeploy needs beyond the container lifecycle: reading a container back as
 * the create options that would make it again, creating that copy with another image, renaming,
 * and moving network endpoints. Reached through `DockerEngine.redeploy`.
 */

const NANOS_PER_SECOND = 1_000_000_000;
const BUILT_IN = new Set(['bridge', 'host', 'none', 'default']);
const STAGING_LABEL = 'berth.managed';

type HostConfig = Docker.HostConfig & Record<string, unknown>;
type ContainerConfig = Omit<Docker.ContainerInspectInfo['Config'], 'Healthcheck' | 'Entrypoint'> & {
  Entrypoint?: string | string[] | null;
  Healthcheck?: DockerHealthcheck | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
};
type ImageConfig = Partial<ContainerConfig>;
interface DockerHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/**
 * What the container was created with, its image's defaults left out (the engine reports them
 * merged), so the replacement takes the new image's defaults: the engine merges them again.
 */
export interface CloneTemplate {
  readonly config: Record<string, unknown>;
  readonly hostConfig: HostConfig;
  /** The networks it is on, the one it was created on (its network mode) first. */
  readonly networks: readonly string[];
}

const list = (value: string | string[] | null | undefined): string[] =>
  value == null ? [] : typeof value === 'string' ? [value] : value;

function splitEnv(entries: readonly string[] | null | undefined): KeyValue[] {
  return (entries ?? []).map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

function toHealthcheck(check: DockerHealthcheck | null | undefined): HealthcheckSummary | null {
  const test = check?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return null;
  const seconds = (nanos: number | undefined) => (nanos ? nanos / NANOS_PER_SECOND : null);
  return {
    test,
    intervalSeconds: seconds(check?.Interval),
    timeoutSeconds: seconds(check?.Timeout),
    retries: check?.Retries ? check.Retries : null,
    startPeriodSeconds: seconds(check?.StartPeriod),
  };
}

function labelsOf(labels: Record<string, string> | null | undefined): KeyValue[] {
  return Object.entries(labels ?? {})
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function effectiveOf(config: ImageConfig, image: string, imageId: string | null): EffectiveSpec {
  return {
    image,
    imageId,
    env: splitEnv(config.Env),
    command: list(config.Cmd),
    entrypoint: list(config.Entrypoint),
    workingDir: config.WorkingDir ?? '',
    user: config.User ?? '',
    healthcheck: toHealthcheck(config.Healthcheck),
    labels: labelsOf(config.Labels),
    exposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
  };
}

/** The engine's own merge of a container's config with its image's (daemon `merge`), for a preview. */
function mergeWithImage(own: Record<string, unknown>, image: ImageConfig): ImageConfig {
  const ownEnv = (own['Env'] as string[] | undefined) ?? [];
  const ownNames = new Set(splitEnv(ownEnv).map(({ name }) => name));
  const env = [...ownEnv, ...(image.Env ?? []).filter((entry) => !ownNames.has(splitEnv([entry])[0]!.name))];
  const ownEntrypoint = own['Entrypoint'] as string[] | undefined;
  const ownCmd = own['Cmd'] as string[] | undefined;
  const inheritsCommand = list(ownEntrypoint).length === 0;
  const ownCheck = own['Healthcheck'] as DockerHealthcheck | undefined;
  let healthcheck = ownCheck ?? image.Healthcheck ?? null;
  if (ownCheck && (ownCheck.Test ?? []).length === 0 && image.Healthcheck) {
    healthcheck = {
      ...image.Healthcheck,
      ...Object.fromEntries(Object.entries(ownCheck).filter(([key, value]) => key !== 'Test' && value)),
    };
  }
  return {
    Env: env,
    Cmd: inheritsCommand && list(ownCmd).length === 0 ? (image.Cmd ?? []) : (ownCmd ?? []),
    Entrypoint: inheritsCommand ? (image.Entrypoint ?? []) : (ownEntrypoint ?? []),
    WorkingDir: (own['WorkingDir'] as string | undefined) || image.WorkingDir || '',
    User: (own['User'] as string | undefined) || image.User || '',
    Healthcheck: healthcheck,
    Labels: { ...(image.Labels ?? {}), ...((own['Labels'] as Record<string, string> | undefined) ?? {}) },
    ExposedPorts: {
      ...(image.ExposedPorts ?? {}),
      ...((own['ExposedPorts'] as Record<string, object> | undefined) ?? {}),
    },
  };
}

/** The container's own config: each field the engine merged in from the old image is left out. */
function ownConfigOf(info: Docker.ContainerInspectInfo, image: ImageConfig): Record<string, unknown> {
  const config = info.Config as ContainerConfig;
  const fromImage = <K extends keyof ContainerConfig>(key: K) =>
    isDeepStrictEqual(config[key] ?? null, (image as ContainerConfig)[key] ?? null);
  const imageEnv = new Set(image.Env ?? []);
  const imageLabels = image.Labels ?? {};
  const imagePorts = image.ExposedPorts ?? {};
  const bound = (info.HostConfig?.PortBindings ?? {}) as Record<string, unknown>;
  const imageVolumes = (image as { Volumes?: Record<string, object> }).Volumes ?? {};
  const own: Record<string, unknown> = {
    Env: (config.Env ?? []).filter((entry) => !imageEnv.has(entry)),
    Labels: Object.fromEntries(
      Object.entries(config.Labels ?? {}).filter(([name, value]) => imageLabels[name] !== value),
    ),
    ExposedPorts: Object.fromEntries(
      Object.entries(config.ExposedPorts ?? {}).filter(([port]) => !(port in imagePorts) || port in bound),
    ),
    Volumes: Object.fromEntries(
      Object.entries((config as { Volumes?: Record<string, object> }).Volumes ?? {}).filter(
        ([path]) => !(path in imageVolumes),
      ),
    ),
    Tty: config.Tty,
    OpenStdin: config.OpenStdin,
    StdinOnce: config.StdinOnce,
    AttachStdin: config.AttachStdin,
    AttachStdout: config.AttachStdout,
    AttachStderr: config.AttachStderr,
  };
  if (!fromImage('Cmd')) own['Cmd'] = config.Cmd;
  if (!fromImage('Entrypoint')) own['Entrypoint'] = list(config.Entrypoint);
  if (!fromImage('Healthcheck') && config.Healthcheck) own['Healthcheck'] = config.Healthcheck;
  if (!fromImage('WorkingDir')) own['WorkingDir'] = config.WorkingDir;
  if (!fromImage('User')) own['User'] = config.User;
  if (!fromImage('StopSignal') && config.StopSignal) own['StopSignal'] = config.StopSignal;
  if (config.StopTimeout !== undefined) own['StopTimeout'] = config.StopTimeout;
  if (!fromImage('Shell') && config.Shell) own['Shell'] = config.Shell;
  // The engine names a container's host after its short id unless told otherwise.
  if (config.Hostname && config.Hostname !== info.Id.slice(0, 12)) own['Hostname'] = config.Hostname;
  if (config.Domainname) own['Domainname'] = config.Domainname;
  return own;
}

/** Inspect writes legacy links as `/db:/web/alias`; create takes `db:alias`. */
function createLinks(links: readonly string[] | null | undefined): string[] | undefined {
  if (!links || links.length === 0) return undefined;
  return links.map((link) => {
    const [target = '', alias = ''] = link.split(':');
    return `${target.replace(/^\//, '')}:${alias.slice(alias.lastIndexOf('/') + 1)}`;
  });
}

/**
 * The host config for a copy: the same in all but the network mode, plus the anonymous volumes
 * the old container had (from its image's VOLUMEs), mounted by name so their data carries over.
 */
function cloneHostConfig(info: Docker.ContainerInspectInfo): HostConfig {
  const host = structuredClone(info.HostConfig ?? {}) as HostConfig;
  const mounts = (host['Mounts'] as { Target?: string }[] | undefined) ?? [];
  const covered = new Set([
    ...mounts.map((mount) => mount.Target),
    ...((host.Binds ?? []) as string[]).map((bind) => bind.split(':')[1]),
  ]);
  const carried = (info.Mounts ?? [])
    .filter((mount) => mount.Type === 'volume' && mount.Name && !covered.has(mount.Destination))
    .map((mount) => ({ Type: 'volume', Source: mount.Name, Target: mount.Destination, ReadOnly: !mount.RW }));
  if (carried.length > 0) host.Mounts = [...mounts, ...carried] as Docker.MountSettings[];
  const links = createLinks(host.Links as string[] | undefined);
  if (links) host.Links = links;
  else delete host.Links;
  return host;
}

const NAMESPACE_KEYS: [HostNamespace, string][] = [
  ['NETWORK', 'NetworkMode'],
  ['PID', 'PidMode'],
  ['IPC', 'IpcMode'],
  ['UTS', 'UTSMode'],
  ['USERNS', 'UsernsMode'],
  // The cgroup namespace is not weighed: a copy gets a private one unless asked otherwise (see
  // CloneRequest.privateCgroupns), as berth's own creates do.
];

function privilegesOf(host: HostConfig): Privileges {
  const binds = ((host.Binds ?? []) as string[])
    .map((bind) => bind.split(':'))
    .filter(([source]) => source?.startsWith('/'))
    .map(([source = '', target = '', mode = '']) => ({
      type: 'bind' as const,
      source,
      target,
      readOnly: mode.split(',').includes('ro'),
    }));
  const mounts = (
    (host['Mounts'] ?? []) as { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }[]
  )
    .filter((mount) => mount.Type === 'bind' || mount.Type === 'volume')
    .map((mount) => ({
      type: mount.Type as 'bind' | 'volume',
      source: mount.Source ?? '',
      target: mount.Target ?? '',
      readOnly: mount.ReadOnly === true,
    }));
  return {
    privileged: host.Privileged === true,
    hostNamespaces: NAMESPACE_KEYS.filter(([, key]) => host[key] === 'host').map(([namespace]) => namespace),
    capAdd: (host.CapAdd ?? []) as string[],
    devices: ((host.Devices ?? []) as { PathOnHost: string }[]).map((device) => device.PathOnHost),
    securityOpt: (host.SecurityOpt ?? []) as string[],
    mounts: [...binds, ...mounts],
  };
}

function networkModeOf(mode: string | undefined): ContainerBlueprint['networkMode'] {
  if (mode === 'host') return 'HOST';
  if (mode === 'none') return 'NONE';
  if (mode?.startsWith('container:')) return 'SHARED';
  return 'OWN';
}

/** The container's networks, the one it was created on first (the others joined later). */
function networksOf(info: Docker.ContainerInspectInfo): AttachedNetwork[] {
  const shortId = info.Id.slice(0, 12);
  const mode = info.HostConfig?.NetworkMode === 'default' ? 'bridge' : info.HostConfig?.NetworkMode;
  return Object.entries(info.NetworkSettings?.Networks ?? {})
    .map(([name, endpoint]) => ({
      name,
      aliases: ((endpoint.Aliases as string[] | null) ?? []).filter((alias) => alias !== shortId),
      ipv4Address: endpoint.IPAddress || null,
      macAddress: endpoint.MacAddress || null,
      dns: !BUILT_IN.has(name),
    }))
    .sort((a, b) => (a.name === mode ? -1 : b.name === mode ? 1 : a.name.localeCompare(b.name)));
}

function fixedHostPortsOf(host: HostConfig): FixedHostPort[] {
  const bindings = (host.PortBindings ?? {}) as Record<
    string,
    { HostIp?: string; HostPort?: string }[] | null
  >;
  return Object.entries(bindings).flatMap(([key, bound]) => {
    const [port = '0', protocol = 'tcp'] = key.split('/');
    return (bound ?? [])
      .filter((binding) => binding.HostPort && binding.HostPort !== '0')
      .map((binding) => ({
        containerPort: Number(port),
        protocol,
        hostIp: binding.HostIp ?? '',
        hostPort: Number(binding.HostPort),
      }));
  });
}

// The engine's refusal of a fixed address on a network without a subnet of its own.
const NO_FIXED_ADDRESS = /user configured subnets|user specified ip address is supported/i;

export class DockerRedeploy implements RedeployCalls<CloneTemplate> {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  /** The image's own configuration, or null when the engine does not have it. */
  async #imageConfig(reference: string): Promise<{ id: string; config: ImageConfig } | null> {
    const info = await this.#calls.run<Docker.ImageInspectInfo | null>(
      'image.inspect',
      reference,
      (docker) => docker.getImage(reference).inspect(),
      { answer: onStatus(404, null) },
    );
    return info === null ? null : { id: info.Id, config: (info.Config ?? {}) as ImageConfig };
  }

  async #inspect(reference: string): Promise<Docker.ContainerInspectInfo> {
    return this.#calls.run('inspect', reference, (docker) => docker.getContainer(reference).inspect());
  }

  /** Reads a container back as what a replacement needs. */
  async blueprint(reference: string): Promise<ContainerBlueprint<CloneTemplate>> {
    const info = await this.#inspect(reference);
    // An image removed with force leaves nothing to tell its defaults from the container's own.
    const image = (await this.#imageConfig(info.Image))?.config ?? {};
    const own = ownConfigOf(info, image);
    const networks = networksOf(info);
    const hostConfig = cloneHostConfig(info);
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      running: info.State.Running || info.State.Restarting,
      networkMode: networkModeOf(info.HostConfig?.NetworkMode),
      networks,
      fixedHostPorts: fixedHostPortsOf(hostConfig),
      ownEnv: splitEnv(own['Env'] as string[]),
      effective: effectiveOf(info.Config as ContainerConfig, info.Config.Image, info.Image),
      privileges: privilegesOf(hostConfig),
      template: { config: own, hostConfig, networks: networks.map(({ name }) => name) },
    };
  }

  /**
   * The replacement's configuration as the engine will merge it with `image`'s defaults; with
   * the image absent (it is pulled first) only what the container sets itself is known.
   */
  async preview(
    template: CloneTemplate,
    image: string,
    env: readonly KeyValue[],
    options: { imageDefaults: boolean } = { imageDefaults: true },
  ): Promise<{ effective: EffectiveSpec; present: boolean }> {
    const found = await this.#imageConfig(image);
    const own = { ...template.config, Env: env.map(({ name, value }) => `${name}=${value}`) };
    const defaults = found && options.imageDefaults ? found.config : {};
    return {
      effective: effectiveOf(mergeWithImage(own, defaults), image, found?.id ?? null),
      present: found !== null,
    };
  }

  /** Creates the copy (not started) and returns its id. */
  async createClone(template: CloneTemplate, request: CloneRequest): Promise<string> {
    const [primary, ...others] = template.networks;
    const options: Docker.ContainerCreateOptions = {
      ...(template.config as Docker.ContainerCreateOptions),
      name: request.name,
      Image: request.image,
      Env: request.env.map(({ name, value }) => `${name}=${value}`),
      HostConfig: {
        ...template.hostConfig,
        ...(primary && primary !== 'bridge' && { NetworkMode: primary }),
        ...(request.privateCgroupns && { CgroupnsMode: 'private' }),
      },
      // No aliases yet: nothing is sent to the copy by name before it is healthy.
      ...(primary && { NetworkingConfig: { EndpointsConfig: { [primary]: {} } } }),
    };
    const { id } = await this.#calls.run('create', request.name, (docker) =>
      docker.createContainer(createRequest(options)),
    );
    try {
      if (request.placement === 'STAGING') {
        // Ports are bound when a container joins its first network that is not internal; off
        // that network until the swap, the copy can start while the old one holds the ports.
        if (primary) await this.disconnect(primary, id);
        await this.connect(await this.ensureStagingNetwork(), id, []);
      } else {
        // Engines before API 1.44 take one network at create; the others are joined before start.
        for (const network of others) await this.connect(network, id, []);
      }
    } catch (error) {
      await this.#calls
        .run('remove', id, (docker) => docker.getContainer(id).remove({ force: true }))
        .catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** The container's network endpoints now (addresses appear once it runs). */
  async endpoints(id: string): Promise<AttachedNetwork[]> {
    return networksOf(await this.#inspect(id));
  }

  async rename(id: string, name: string): Promise<void> {
    await this.#calls.run('rename', id, (docker) => docker.getContainer(id).rename({ name }), {
      details: { name },
    });
  }

  async connect(network: string, id: string, aliases: readonly string[]): Promise<void> {
    await this.#calls.run('network.connect', network, (docker) =>
      docker.getNetwork(network).connect({
        Container: id,
        EndpointConfig: aliases.length > 0 ? { Aliases: [...aliases] } : {},
      }),
    );
  }

  /**
   * Joins with a fixed address (the one the container just had there), so connections to it
   * survive the moment it was off the network. false, with nothing joined, when the network has
   * no subnet of its own: the engine gives fixed addresses only on such networks.
   */
  async connectAt(
    network: string,
    id: string,
    aliases: readonly string[],
    ipv4Address: string,
    macAddress: string | null,
  ): Promise<boolean> {
    return this.#calls.run(
      'network.connect',
      network,
      async (docker) => {
        await docker.getNetwork(network).connect({
          Container: id,
          EndpointConfig: {
            ...(aliases.length > 0 && { Aliases: [...aliases] }),
            IPAMConfig: { IPv4Address: ipv4Address },
            // Engines before API 1.44 derive the MAC from the address; later ones take it here,
            // and the same MAC keeps the clients' ARP caches right.
            ...(macAddress && { MacAddress: macAddress }),
          },
        });
        return true;
      },
      { answer: (refusal) => (NO_FIXED_ADDRESS.test(engineMessage(refusal)) ? { value: false } : undefined) },
    );
  }

  async disconnect(network: string, id: string): Promise<void> {
    await this.#calls.run('network.disconnect', network, (docker) =>
      docker.getNetwork(network).disconnect({ Container: id, Force: false }),
    );
  }

  /** The staging network, made the first time it is needed and kept for the next redeploy. */
  async ensureStagingNetwork(): Promise<string> {
    const found = await this.#calls.run(
      'network.inspect',
      STAGING_NETWORK,
      async (docker) => {
        await docker.getNetwork(STAGING_NETWORK).inspect();
        return true;
      },
      { answer: onStatus(404, false) },
    );
    if (found) return STAGING_NETWORK;
    await this.#calls.run(
      'network.create',
      STAGING_NETWORK,
      (docker) =>
        docker.createNetwork({
          Name: STAGING_NETWORK,
          CheckDuplicate: true,
          Driver: 'bridge',
          Internal: true,
          Labels: { [STAGING_LABEL]: 'redeploy-staging' },
        }),
      // Another redeploy made it meanwhile.
      { answer: onStatus(409, undefined) },
    );
    return STAGING_NETWORK;
  }
}
