import type { ContainerIndex } from '../containers/container-index.js';
import type { Container } from '../containers/model.js';
import type { EngineHost } from '../system/ports.js';
import type { NetworkEngine } from './ports.js';
import {
  BuiltInNetworkError,
  InvalidInputError,
  NetworkInUseError,
  NetworkNotFoundError,
  NotSwarmManagerError,
  SubnetOverlapError,
} from '../../shared/errors.js';
import type { CreateNetworkSpec, Network, NetworkFilter } from './model.js';
import { overlaps, parseCidr } from './subnet.js';

/** A container's place on a network after connecting or disconnecting it. */
export interface NetworkConnection {
  network: Network;
  container: Container;
}

/**
 * Networks, for GraphQL. Which containers are on a network comes from the container index (running
 * or not, as their own inspect says), so a list costs one engine call whatever the number of
 * networks; berth refreshes a container in the index after it connects or disconnects it.
 */
export class NetworkService {
  constructor(
    private readonly engine: { readonly networks: NetworkEngine } & Pick<EngineHost, 'info'>,
    private readonly index: ContainerIndex,
  ) {}

  /** By name. */
  async list(filter: NetworkFilter = {}): Promise<Network[]> {
    const networks = await this.engine.networks.list(filter);
    return networks.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By full id, unique id prefix or name; null when none matches. */
  async find(reference: string): Promise<Network | null> {
    try {
      return await this.engine.networks.inspect(reference);
    } catch (error) {
      if (error instanceof NetworkNotFoundError) return null;
      throw error;
    }
  }

  /** The containers attached to the network, running or not, newest first. */
  containersOn(networkId: string): Container[] {
    return this.index.list().filter((c) => c.networks.some((n) => n.networkId === networkId));
  }

  /** Overlay networks span a swarm's nodes: only a swarm manager makes them. */
  async create(spec: CreateNetworkSpec): Promise<Network> {
    if (spec.driver === 'OVERLAY') {
      const { swarm } = await this.engine.info();
      if (!swarm.manager) {
        const role = swarm.nodeState === 'active' ? 'a swarm worker' : `not in a swarm (${swarm.nodeState})`;
        throw new NotSwarmManagerError(
          `an OVERLAY network needs a swarm manager, and this engine is ${role}: ` +
            'run `docker swarm init` (or join the swarm as a manager), or create a BRIDGE network',
        );
      }
    }
    try {
      return await this.engine.networks.create(spec);
    } catch (error) {
      if (!(error instanceof SubnetOverlapError)) throw error;
      // The engine does not say which network holds the addresses; its list does.
      throw new SubnetOverlapError(error.subnet, await this.#overlapping(error.subnet), error.detail);
    }
  }

  async #overlapping(subnet: string): Promise<string[]> {
    const wanted = parseCidr(subnet);
    if (typeof wanted === 'string') return [];
    // Best effort: the engine's refusal is what the caller must get, named networks or not.
    const networks = await this.engine.networks.list().catch(() => []);
    return networks
      .filter((network) =>
        network.ipam.some(({ subnet: other }) => {
          const theirs = parseCidr(other, { strict: false });
          return typeof theirs !== 'string' && overlaps(wanted, theirs);
        }),
      )
      .map((network) => network.name)
      .sort();
  }

  /**
   * Removes the network and returns it as it was. The engine itself refuses only while a running
   * container is attached; berth refuses for a stopped one too, which could not start again.
   */
  async remove(reference: string): Promise<Network> {
    const network = await this.engine.networks.inspect(reference);
    if (network.builtIn) throw new BuiltInNetworkError(network.name);
    const attached = this.containersOn(network.id);
    if (attached.length > 0) {
      throw new NetworkInUseError(network.name, attached);
    }
    await this.engine.networks.remove(network.id);
    return network;
  }

  /** `ipv4Address`: a fixed address, which the engine gives only on a network with a subnet its creator chose. */
  async connect(
    reference: string,
    containerRef: string,
    aliases: string[],
    ipv4Address?: string,
  ): Promise<NetworkConnection> {
    const container = this.index.resolve(containerRef);
    const network = await this.engine.networks.inspect(reference);
    if (network.driver === 'host' || network.driver === 'null') {
      throw new InvalidInputError(
        'network',
        `"${network.name}" is a network mode a container is created with, not a network it joins`,
      );
    }
    if (network.name === 'bridge' && aliases.length > 0) {
      throw new InvalidInputError('aliases', 'aliases work on user-defined networks only');
    }
    await this.engine.networks.connect(network.id, container.id, aliases, ipv4Address);
    return { network, container: await this.#current(container.id) };
  }

  async disconnect(reference: string, containerRef: string, force: boolean): Promise<NetworkConnection> {
    const container = this.index.resolve(containerRef);
    const network = await this.engine.networks.inspect(reference);
    await this.engine.networks.disconnect(network.id, container.id, force);
    return { network, container: await this.#current(container.id) };
  }

  /**
   * The engine reports connects and disconnects as network events, which the container index does
   * not follow: berth's own change is made visible to the next query by inspecting the container.
   */
  async #current(id: string): Promise<Container> {
    const container = await this.index.refresh(id);
    if (!container) throw new Error(`container ${id} disappeared while its networks changed`);
    return container;
  }
}
