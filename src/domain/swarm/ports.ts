import type { Service, ServiceChange, ServiceSpec, SwarmNode } from './model.js';

/** What the swarm domain needs of a swarm manager (implemented by src/engine/swarm.ts). */
export interface SwarmEngine {
  nodes(): Promise<SwarmNode[]>;
  services(): Promise<Service[]>;
  /** By id or name, with its tasks. */
  service(reference: string): Promise<Service>;
  /** The specs of the services carrying `label`, as berth would deploy them again. */
  specs(label: string): Promise<ServiceSpec[]>;
  /** Creates the service and returns its id. */
  create(spec: ServiceSpec): Promise<string>;
  update(reference: string, change: ServiceChange): Promise<void>;
  rollback(reference: string): Promise<void>;
  remove(reference: string): Promise<void>;
}
