import type Docker from 'dockerode';
import type { KeyValue } from '../domain/containers/model.js';
import type { ContainerReadBack, ImageDefaults } from '../domain/containers/read-back.js';
import type { CloneTemplate } from '../domain/redeploy/model.js';
import { STAGING_NETWORK, type CloneRequest, type RedeployCalls } from '../domain/redeploy/ports.js';
import { onStatus, type EngineCalls } from './calls.js';
import { engineMessage } from './errors.js';
import { createRequest, inBody } from './mapping.js';
import { fromHealthcheck, type CarriedHostConfig, type DockerReadBack } from './read-back.js';

/**
 * The engine calls a redeploy needs beyond the container lifecycle: the container and images read
 * back (the one read-back, read-back.ts), creating a copy with another image, renaming, and moving
 * network endpoints. What the copy is made of is the domain's (src/domain/redeploy/blueprint.ts).
 * Reached through `DockerEngine.redeploy`.
 */

const STAGING_LABEL = 'berth.managed';

const record = (entries: readonly KeyValue[]) =>
  Object.fromEntries(entries.map(({ name, value }) => [name, value]));
const keys = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, {}]));

/** A copy's config, as the engine takes it: what the container set itself, and no more. */
function cloneConfig(template: CloneTemplate<CarriedHostConfig>): Record<string, unknown> {
  const { own, terminal } = template;
  const config: Record<string, unknown> = {
    Labels: record(own.labels),
    ExposedPorts: keys(own.exposedPorts),
    Volumes: keys(own.volumes),
    Tty: terminal.tty,
    OpenStdin: terminal.openStdin,
    StdinOnce: terminal.stdinOnce,
    AttachStdin: terminal.attachStdin,
    AttachStdout: terminal.attachStdout,
    AttachStderr: terminal.attachStderr,
  };
  if (own.command !== undefined) config['Cmd'] = own.command;
  if (own.entrypoint !== undefined) config['Entrypoint'] = own.entrypoint;
  if (own.healthcheck !== undefined) config['Healthcheck'] = fromHealthcheck(own.healthcheck);
  if (own.workingDir !== undefined) config['WorkingDir'] = own.workingDir;
  if (own.user !== undefined) config['User'] = own.user;
  if (own.stopSignal !== undefined) config['StopSignal'] = own.stopSignal;
  if (own.shell !== undefined) config['Shell'] = own.shell;
  if (template.stopTimeoutSeconds !== null) config['StopTimeout'] = template.stopTimeoutSeconds;
  if (template.hostname !== null) config['Hostname'] = template.hostname;
  if (template.domainname !== null) config['Domainname'] = template.domainname;
  return config;
}

/** The host config for a copy: the same in all but the network mode, plus the volumes it carries. */
function cloneHostConfig(template: CloneTemplate<CarriedHostConfig>): CarriedHostConfig {
  const host = structuredClone(template.carried);
  if (template.carriedVolumes.length > 0) {
    host.Mounts = [
      ...((host.Mounts ?? []) as Docker.MountSettings[]),
      ...template.carriedVolumes.map(({ name, target, readOnly }) => ({
        Type: 'volume' as const,
        Source: name,
        Target: target,
        ReadOnly: readOnly,
      })),
    ];
  }
  return host;
}

// The engine's refusal of a fixed address on a network without a subnet of its own.
const NO_FIXED_ADDRESS = /user configured subnets|user specified ip address is supported/i;

export class DockerRedeploy implements RedeployCalls<CarriedHostConfig> {
  readonly #calls: EngineCalls;
  readonly #readBack: DockerReadBack;

  constructor(calls: EngineCalls, readBack: DockerReadBack) {
    this.#calls = calls;
    this.#readBack = readBack;
  }

  readBack(reference: string): Promise<ContainerReadBack<CarriedHostConfig>> {
    return this.#readBack.readBack(reference);
  }

  imageDefaults(reference: string): Promise<ImageDefaults | null> {
    return this.#readBack.imageDefaults(reference);
  }

  async createClone(template: CloneTemplate<CarriedHostConfig>, request: CloneRequest): Promise<string> {
    const [primary, ...others] = template.networks;
    const options: Docker.ContainerCreateOptions = {
      ...(cloneConfig(template) as Docker.ContainerCreateOptions),
      name: request.name,
      Image: request.image,
      Env: request.env.map(({ name, value }) => `${name}=${value}`),
      HostConfig: {
        ...cloneHostConfig(template),
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
        docker.createNetwork(
          inBody({
            Name: STAGING_NETWORK,
            CheckDuplicate: true,
            Driver: 'bridge',
            Internal: true,
            Labels: { [STAGING_LABEL]: 'redeploy-staging' },
          }),
        ),
      // Another redeploy made it meanwhile.
      { answer: onStatus(409, undefined) },
    );
    return STAGING_NETWORK;
  }
}
