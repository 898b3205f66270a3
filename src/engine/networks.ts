import type Docker from 'dockerode';
import type { KeyValue } from '../domain/containers/model.js';
import { BUILT_IN_NETWORKS } from '../domain/networks/names.js';
import type { CreateNetworkSpec, EngineNetwork, NetworkFilter } from '../domain/networks/model.js';
import { toDomainError, type FailureDetails, type NetworkOperation } from './errors.js';

/** Docker's network endpoints, in berth's terms. Reached through `DockerEngine.networks`. */
export class DockerNetworks {
  readonly #docker: Docker;

  constructor(docker: Docker) {
    this.#docker = docker;
  }

  async #call<T>(
    operation: NetworkOperation,
    subject: string,
    run: () => Promise<T>,
    details?: FailureDetails,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDomainError(error, operation, subject, details);
    }
  }

  async list(filter: NetworkFilter = {}): Promise<EngineNetwork[]> {
    const filters: Record<string, string[]> = {};
    if (filter.name !== undefined) filters['name'] = [filter.name];
    if (filter.label !== undefined) filters['label'] = [filter.label];
    const infos = await this.#call('network.list', 'networks', () => this.#docker.listNetworks({ filters }));
    return infos.map(toNetwork);
  }

  /** By full id, unique id prefix or name, as the engine resolves them. */
  async inspect(reference: string): Promise<EngineNetwork> {
    const info = await this.#call('network.inspect', reference, () =>
      this.#docker.getNetwork(reference).inspect(),
    );
    return toNetwork(info);
  }

  async create(spec: CreateNetworkSpec): Promise<EngineNetwork> {
    const created = await this.#call(
      'network.create',
      spec.name,
      () =>
        this.#docker.createNetwork({
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
      spec.ipam ? { subnet: spec.ipam.subnet } : {},
    );
    return this.inspect(created.id);
  }

  async remove(reference: string): Promise<void> {
    await this.#call('network.remove', reference, () => this.#docker.getNetwork(reference).remove());
  }

  /** Attaches a container (running or not); `aliases` are extra DNS names on this network. */
  async connect(reference: string, containerId: string, aliases: readonly string[]): Promise<void> {
    await this.#call('network.connect', reference, () =>
      this.#docker.getNetwork(reference).connect({
        Container: containerId,
        ...(aliases.length > 0 && { EndpointConfig: { Aliases: [...aliases] } }),
      }),
    );
  }

  /** With `force`, the engine drops the endpoint even when the container's side cannot be cleaned. */
  async disconnect(reference: string, containerId: string, force: boolean): Promise<void> {
    await this.#call('network.disconnect', reference, () =>
      this.#docker.getNetwork(reference).disconnect({ Container: containerId, Force: force }),
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
