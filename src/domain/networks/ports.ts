import type { CreateNetworkSpec, EngineNetwork, NetworkFilter } from './model.js';

/** What the network domain needs of an engine (implemented by src/engine/networks.ts). */
export interface NetworkEngine {
  list(filter?: NetworkFilter): Promise<EngineNetwork[]>;
  inspect(reference: string): Promise<EngineNetwork>;
  create(spec: CreateNetworkSpec): Promise<EngineNetwork>;
  remove(reference: string): Promise<void>;
  connect(reference: string, containerId: string, aliases: readonly string[]): Promise<void>;
  disconnect(reference: string, containerId: string, force: boolean): Promise<void>;
}
