import type { ContainerEngine } from '../containers/ports.js';
import type { NetworkEngine } from '../networks/ports.js';

/** What creating and running containers needs of an engine: containers, and the networks they join. */
export interface LifecycleEngine extends ContainerEngine {
  readonly networks: NetworkEngine;
}
