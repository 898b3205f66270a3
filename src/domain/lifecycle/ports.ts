import type { ContainerEngine } from '../containers/ports.js';
import type { NetworkEngine } from '../networks/ports.js';
import type { CreateContainerInput } from './validation.js';

/** What creating and running containers needs of an engine: containers, and the networks they join. */
export interface LifecycleEngine extends ContainerEngine {
  readonly networks: NetworkEngine;
}

/** A container read back from the engine as the createContainer input that would make it again. */
export interface ContainerSpecReading {
  name: string;
  spec: CreateContainerInput;
  running: boolean;
}

/**
 * Reads a container back as its create input: what was asked for, without what its image adds
 * (src/engine/container-specs.ts). Backups keep it; a container is made again from it.
 */
export interface ContainerSpecReader {
  read(reference: string): Promise<ContainerSpecReading>;
}
