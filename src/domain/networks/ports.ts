import type { CreateNetworkSpec, EngineNetwork, NetworkFilter } from './model.js';

/** What the network domain needs of an engine (implemented by src/engine/networks.ts). */
export interface NetworkEngine {
  list(filter?: NetworkFilter): Promise<EngineNetwork[]>;
  inspect(reference: string): Promise<EngineNetwork>;
  create(spec: CreateNetworkSpec): Promise<EngineNetwork>;
  remove(reference: string): Promise<void>;
  /** `ipv4Address`: a fixed address on the network (one with a subnet its creator chose). */
  connect(
    reference: string,
    containerId: string,
    aliases: readonly string[],
    ipv4Address?: string,
  ): Promise<void>;
  disconnect(reference: string, containerId: string, force: boolean): Promise<void>;
}
