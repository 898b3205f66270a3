import type { EngineConnection } from '../../platform/config.js';
import type { ContainerIndex } from '../containers/container-index.js';
import type { ContainerEventLog } from '../events/event-log.js';
import type { ExecService } from '../exec/service.js';
import type { ImageService } from '../images/service.js';
import type { ContainerService } from '../lifecycle/service.js';
import type { LogService } from '../logs/service.js';
import type { NetworkService } from '../networks/service.js';
import type { RedeployService } from '../redeploy/service.js';
import type { GitStackService } from '../stacks/git/service.js';
import type { StackService } from '../stacks/service.js';
import type { StackWebhooks } from '../stacks/webhooks.js';
import type { StatsHub } from '../stats/hub.js';
import type { SwarmService } from '../swarm/service.js';
import type { EngineState } from '../system/engine-availability.js';
import type { SystemStatus } from '../system/status.js';
import type { TerminalService } from '../terminal/service.js';
import type { VolumeService } from '../volumes/service.js';

export { LOCAL_ENVIRONMENT } from '../../shared/validation.js';

/** Where an environment was declared: decides who may remove it. */
export type EnvironmentSource = 'LOCAL' | 'API' | 'FILE' | 'DOCKER_CONTEXT';

/** An environment as it is declared: a name and how to reach its engine. */
export interface EnvironmentDefinition {
  readonly name: string;
  /** How DOCKER_HOST would spell it (`unix://…`, `tcp://host:port`, `ssh://user@host:port`): never a secret. */
  readonly endpoint: string;
  readonly connection: EngineConnection;
  readonly source: EnvironmentSource;
}

/**
 * One environment's engine-bound services: each talks to that environment's engine only. What is
 * berth's own (tokens, audit, templates, policy) is not here; it is the same for every environment.
 */
export interface EnvironmentServices {
  readonly name: string;
  readonly containers: ContainerService;
  readonly index: ContainerIndex;
  readonly stats: StatsHub;
  readonly events: ContainerEventLog;
  readonly system: SystemStatus;
  readonly logs: LogService;
  readonly exec: ExecService;
  /** Interactive shells in its running containers. */
  readonly terminal: TerminalService;
  readonly images: ImageService;
  readonly networks: NetworkService;
  readonly volumes: VolumeService;
  readonly swarm: SwarmService;
  readonly redeploy: RedeployService;
  /** Its compose stacks, recorded apart from every other environment's (same name, another stack). */
  readonly stacks: StackService;
  /** Its stacks deployed from git (their sources, checkouts and polling). */
  readonly gitStacks: GitStackService;
  /** The push webhooks of its git stacks. */
  readonly webhooks: StackWebhooks;
}

/** An environment's services and the parts that run them, started and stopped as one. */
export interface EnvironmentRuntime {
  readonly definition: EnvironmentDefinition;
  readonly services: EnvironmentServices;
  /** Starts its parts in order (the index syncs, the event stream connects); a down engine does not fail it. */
  start(): Promise<void>;
  /** Stops its parts in reverse order and closes the engine connection. */
  stop(): Promise<void>;
}

/** Builds an environment's runtime from its definition; nothing runs until `start`. */
export type EnvironmentFactory = (definition: EnvironmentDefinition) => EnvironmentRuntime;

/**
 * How an environment changed: added or removed (the registry), its engine stopped answering
 * (DOWN), answers again (UP), or its version or swarm role changed while it answers (UPDATED).
 */
export type EnvironmentChangeKind = 'ADDED' | 'REMOVED' | 'DOWN' | 'UP' | 'UPDATED';

/** One change of an environment, with its definition and its engine's state right after it. */
export interface EnvironmentChange {
  readonly kind: EnvironmentChangeKind;
  readonly definition: EnvironmentDefinition;
  readonly state: EngineState;
  readonly at: Date;
}
