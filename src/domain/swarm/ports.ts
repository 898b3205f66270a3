import type { RegistryAuth } from '../images/ports.js';
import type { KeyValue } from '../containers/model.js';
import type {
  Service,
  ServiceDeployment,
  ServiceMode,
  ServiceSpec,
  ServiceWrite,
  SwarmNode,
  UpdatePolicy,
} from './model.js';

/**
 * A service as read for a write: what berth's rules weigh (rules.ts), and the engine's own spec,
 * which the domain hands back untouched with the write (`Spec` is the engine's type).
 */
export interface ServiceRevision<Spec = unknown> {
  /** The service as the caller named it: what a failure names. */
  reference: string;
  id: string;
  /** The swarm's version of the service: a write names it, and fails once another writer moved it on. */
  version: number;
  mode: ServiceMode;
  labels: KeyValue[];
  updateConfig: UpdatePolicy | null;
  rollbackConfig: UpdatePolicy | null;
  /** Whether it keeps the spec it had before its last update: what a rollback returns to. */
  hasPreviousSpec: boolean;
  /** The image its tasks run, as the spec names it. */
  image: string;
  spec: Spec;
}

/** A service's spec as berth would deploy it again, and the mode the swarm runs it in. */
export interface DeployedSpec {
  mode: ServiceMode;
  spec: ServiceSpec;
}

/** What the swarm domain needs of a swarm manager (implemented by src/engine/swarm.ts). */
export interface SwarmEngine<Spec = unknown> {
  nodes(): Promise<SwarmNode[]>;
  services(): Promise<Service[]>;
  /** By id or name, with its tasks. */
  service(reference: string): Promise<Service>;
  /** The specs of the services carrying `label`, as berth would deploy them again. */
  specs(label: string): Promise<DeployedSpec[]>;
  /**
   * Creates the service and returns its id. `auth` (the image's registry credential) goes to the
   * swarm in the X-Registry-Auth header, which hands it to the nodes that pull for its tasks.
   */
  create(deployment: ServiceDeployment, auth?: RegistryAuth | null): Promise<string>;
  /** The service as it is now, for a write. */
  revision(reference: string): Promise<ServiceRevision<Spec>>;
  /**
   * Writes the revision's spec with `write` applied. ServiceVersionConflictError when another
   * writer changed the service since the revision was read.
   */
  update(revision: ServiceRevision<Spec>, write: ServiceWrite, auth?: RegistryAuth | null): Promise<void>;
  /** Returns the service to its spec before the last update, as `docker service rollback`. */
  rollback(revision: ServiceRevision<Spec>): Promise<void>;
  remove(reference: string): Promise<void>;
}
