import type Docker from 'dockerode';
import type { KeyValue } from '../domain/containers/model.js';
import { BUILT_IN_NETWORKS } from '../domain/networks/names.js';
import type { CreateNetworkSpec, EngineNetwork, NetworkFilter } from '../domain/networks/model.js';
import type { EngineCalls } from './calls.js';
import { endpointConfig, inBody } from './mapping.js';

/** Docker's network endpoints, in berth's terms. Reached through `DockerEngine.networks`. */
export class DockerNetworks {
  readonly #calls: EngineCalls;

  constructor(calls: EngineCalls) {
    this.#calls = calls;
  }

  async list(filter: NetworkFilter = {}): Promise<EngineNetwork[]> {
    const filters: Record<string, string[]> = {};
    if (filter.name !== undefined) filters['name'] = [filter.name];
    if (filter.label !== undefined) filters['label'] = [filter.label];
    const infos = await this.#calls.run('network.list', 'networks', (docker) =>
      docker.listNetworks({ filters }),
    );
    return infos.map(toNetwork);
  }

  /** By full id, unique id prefix or name, as the engine resolves them. */
  async inspect(reference: string): Promise<EngineNetwork> {
    const info: Docker.NetworkInspectInfo = await this.#calls.run('network.inspect', reference, (docker) =>
      docker.getNetwork(reference).inspect(),
    );
    return toNetwork(info);
  }

  async create(spec: CreateNetworkSpec): Promise<EngineNetwork> {
    const created = await this.#calls.run(
      'network.create',
      spec.name,
      (docker) =>
        docker.createNetwork(
          inBody({
            Name: spec.name,
            // Engines before API 1.44 make a second network of the same name unless told to check.
            CheckDuplicate: true,
            Driver: spec.driver === 'OVERLAY' ? 'overlay' : 'bridge',
            Internal: spec.internal,
            Attachable: spec.attachable,
            Labels: Object.fromEntries(spec.labels.map(({ name, value }) => [name, value])),
            ...(spec.ipam && {
              IPAM: {
                Driver: 'default',
                Config: [
                  { Subnet: spec.ipam.subnet, ...(spec.ipam.gateway && { Gateway: spec.ipam.gateway }) },
                ],
              },
              // An IPv6 subnet gives no container an address unless IPv6 is on; the engine adds an IPv4 one of its own.
              ...(spec.ipam.subnet.includes(':') && { EnableIPv6: true }),
            }),
          }),
        ),
      { details: spec.ipam ? { subnet: spec.ipam.subnet } : {} },
    );
    return this.inspect(created.id);
  }

  async remove(reference: string): Promise<void> {
    await this.#calls.run('network.remove', reference, (docker) => docker.getNetwork(reference).remove());
  }

  /**
   * Attaches a container (running or not); `aliases` are extra DNS names on this network, and
   * `ipv4Address` a fixed address in its subnet (the engine refuses one on a network without a
   * subnet chosen by its creator, and one already taken).
   */
  async connect(
    reference: string,
    containerId: string,
    aliases: readonly string[],
    ipv4Address?: string,
  ): Promise<void> {
    const endpoint = endpointConfig({ aliases, ipv4Address });
    await this.#calls.run('network.connect', reference, (docker) =>
      docker.getNetwork(reference).connect({
        Container: containerId,
        ...(Object.keys(endpoint).length > 0 && { EndpointConfig: endpoint }),
      }),
    );
  }

  /** With `force`, the engine drops the endpoint even when the container's side cannot be cleaned. */
  async disconnect(reference: string, containerId: string, force: boolean): Promise<void> {
    await this.#calls.run('network.disconnect', reference, (docker) =>
      docker.getNetwork(reference).disconnect({ Container: containerId, Force: force }),
    );
  }
}

function toLabels(labels: Record<string, string> | null | undefined): KeyValue[] {
  return Object.entries(labels ?? {}).map(([name, value]) => ({ name, value }));
}

function toNetwork(info: Docker.NetworkInspectInfo): EngineNetwork {
  return {
    id: info.Id,
    name: info.Name,
    driver: info.Driver,
    scope: info.Scope,
    internal: info.Internal === true,
    attachable: info.Attachable === true,
    labels: toLabels(info.Labels),
    createdAt: new Date(info.Created),
    builtIn: BUILT_IN_NETWORKS.has(info.Name) && info.Scope === 'local',
    ipam: (info.IPAM?.Config ?? []).flatMap((config) =>
      config.Subnet ? [{ subnet: config.Subnet, gateway: config.Gateway || null }] : [],
    ),
  };
}
