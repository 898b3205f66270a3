import type { Container, CreateContainerSpec, KeyValue, PortProtocol } from '../containers/model.js';
import type { FailureAction, UpdateOrder } from '../swarm/model.js';

/**
 * Compose stacks in berth's terms. A stack is what one compose file describes (a Compose "project"):
 * `compose/load.ts` turns the file's text into a `StackDefinition`, `plan.ts` compares it with the
 * containers that run, and `service.ts` applies the difference.
 */

export const DEPENDENCY_CONDITIONS = [
  'SERVICE_STARTED',
  'SERVICE_HEALTHY',
  'SERVICE_COMPLETED_SUCCESSFULLY',
] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

export interface StackDependency {
  service: string;
  condition: DependencyCondition;
}

/** `deploy.update_config`, with Compose's defaults filled in. */
export interface StackUpdateConfig {
  /** Replicas replaced at a time; 0 means all at once. */
  parallelism: number;
  delaySeconds: number;
  order: UpdateOrder;
  failureAction: FailureAction;
}

export interface StackPort {
  /** The port in the container. */
  target: number;
  protocol: PortProtocol;
  /**
   * The host ports: one (fixed), a range spread over the replicas (replica n takes `start + n - 1`),
   * or null for a port the engine picks per replica.
   */
  published: { start: number; end: number } | null;
  hostIp: string | null;
  /**
   * How a swarm publishes it (`mode` of the long syntax): on the routing mesh, or on the node
   * that runs the task. A standalone engine publishes every port on its host either way.
   */
  mode?: 'INGRESS' | 'HOST';
}

export interface StackServiceNetwork {
  /** The key of a network in `StackDefinition.networks`. */
  key: string;
  /** Beside the service's own name, which every replica answers to on each of its networks. */
  aliases: string[];
  ipv4Address: string | null;
}

/** What every replica of a service is made from; the stack adds its names and labels per replica. */
export type ReplicaTemplate = Omit<CreateContainerSpec, 'name' | 'start' | 'networks' | 'ports'>;

export interface StackServiceDefinition {
  name: string;
  replicas: number;
  dependsOn: StackDependency[];
  update: StackUpdateConfig;
  container: ReplicaTemplate;
  ports: StackPort[];
  networks: StackServiceNetwork[];
  /**
   * A digest of everything the containers are made from (not the replica count): a container whose
   * `com.docker.compose.config-hash` differs is recreated.
   */
  configHash: string;
}

export interface StackNetworkDefinition {
  /** The key in the file's `networks` (`default` for the one Compose makes). */
  key: string;
  /** On the engine: `<stack>_<key>` unless the file says `name`. */
  name: string;
  external: boolean;
  driver: string | null;
  internal: boolean;
  attachable: boolean;
  labels: KeyValue[];
  /** From `ipam.config[0]`, when the file chooses one. */
  subnet: string | null;
  gateway: string | null;
}

export interface StackVolumeDefinition {
  key: string;
  /** On the engine: `<stack>_<key>` unless the file says `name`. */
  name: string;
  external: boolean;
  driver: string | null;
  labels: KeyValue[];
}

export interface StackDefinition {
  name: string;
  /** The services that run: those without `profiles`, and those of an enabled profile. By name. */
  services: StackServiceDefinition[];
  /** The networks the running services use (and every external one named), by key. */
  networks: StackNetworkDefinition[];
  volumes: StackVolumeDefinition[];
  /** Services left out because none of their profiles is enabled. */
  inactive: string[];
}

/** A deploy request as loaded: the definition, and the text it came from, kept for history. */
export interface LoadedStack {
  definition: StackDefinition;
  compose: string;
  env: string;
  /** SHA-256 of the file and its env, as `stackHistory` names a deploy. */
  hash: string;
}

export const SERVICE_ACTIONS = [
  'CREATE',
  'RECREATE',
  'SCALE',
  'START',
  'UNCHANGED',
  'REMOVE',
  'ORPHAN',
] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export interface ServicePlan {
  service: string;
  action: ServiceAction;
  currentReplicas: number;
  desiredReplicas: number;
  /** The hash the running containers carry (null when none run). */
  currentHash: string | null;
  desiredHash: string | null;
  /** Why, for people: e.g. "the config hash changed", "2 replicas more". */
  reason: string;
}

export const RESOURCE_ACTIONS = ['CREATE', 'EXISTS', 'EXTERNAL'] as const;
export type ResourceAction = (typeof RESOURCE_ACTIONS)[number];

export interface ResourcePlan {
  kind: 'NETWORK' | 'VOLUME';
  key: string;
  name: string;
  action: ResourceAction;
}

export interface StackPlan {
  stack: string;
  hash: string;
  /** In the order they are applied: dependencies first, removals last. */
  services: ServicePlan[];
  resources: ResourcePlan[];
  /** Whether applying it changes anything. */
  changes: boolean;
}

export const DEPLOY_STEPS = [
  'IDLE',
  'PLANNED',
  'NETWORK_CREATED',
  'VOLUME_CREATED',
  'PULLING',
  'CREATING',
  'STARTING',
  'WAITING',
  'READY',
  'REPLACED',
  'REMOVED',
  'SERVICE_DONE',
  'SERVICE_FAILED',
  'DONE',
  'FAILED',
] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

export interface StackDeployProgress {
  stack: string;
  step: DeployStep;
  /** null for the steps of the whole stack (PLANNED, DONE, FAILED, networks and volumes). */
  service: string | null;
  /** The container's name, when the step is about one. */
  container: string | null;
  message: string;
  at: Date;
}

export const SERVICE_OUTCOMES = ['APPLIED', 'UNCHANGED', 'FAILED', 'SKIPPED'] as const;
export type ServiceOutcomeKind = (typeof SERVICE_OUTCOMES)[number];

export interface ServiceOutcome {
  service: string;
  outcome: ServiceOutcomeKind;
  /** Why it failed or was skipped (e.g. "its dependency db failed"); null otherwise. */
  message: string | null;
}

export interface StackDeployResult {
  plan: StackPlan;
  /** false for a dry run. */
  applied: boolean;
  /** One per service in the plan, when applied. */
  outcomes: ServiceOutcome[];
  /** Whether every service reached what the file asks. */
  ok: boolean;
}

/** A stack as it runs: found from the Compose labels of containers, whoever made them. */
export interface StackState {
  name: string;
  /** The environment (Docker host) the stack is on. */
  environment: string;
  /** Whether berth deployed it (it has the file); a stack the Compose CLI started has none. */
  managed: boolean;
  services: StackServiceState[];
  /** The deployed file and env text, when berth deployed it. */
  compose: string | null;
  env: string | null;
  hash: string | null;
  deployedAt: Date | null;
}

export interface StackServiceState {
  name: string;
  desiredReplicas: number;
  containers: Container[];
}

export interface StackHistoryEntry {
  stack: string;
  hash: string;
  actor: string;
  /**
   * REDEPLOY: the stored file applied again after its images were pulled (redeployStack). SYNC: a
   * deploy from git by syncStack or a poll.
   */
  action: 'DEPLOY' | 'REDEPLOY' | 'SCALE' | 'START' | 'STOP' | 'REMOVE' | 'SYNC';
  ok: boolean;
  summary: string;
  at: Date;
}

/**
 * The files beside a stack's compose file (a git checkout): its `env_file`s and relative bind
 * sources resolve in `workingDir`, and never lead out of the files.
 */
export interface StackFiles {
  /** Absolute: the top of the files; bind mounts may come from under it whatever the create policy's prefixes. */
  root: string;
  /** Absolute: the compose file's directory. */
  workingDir: string;
  readFile(relativePath: string): string | null | { problem: string };
  contains(absolutePath: string): boolean;
}
