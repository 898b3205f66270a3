import type { KeyValue } from '../containers/model.js';
import type { ContainerEngine, ContainerReader } from '../containers/ports.js';
import type { CloneTemplate } from './model.js';

/** An internal network where a replacement that publishes host ports waits for its health. */
export const STAGING_NETWORK = 'berth-redeploy-staging';

export interface CloneRequest {
  name: string;
  image: string;
  env: readonly KeyValue[];
  /**
   * Where it starts: on the old container's networks without their aliases (nobody is sent to it
   * before it is healthy), or alone on the internal staging network, where published host ports
   * are not bound yet.
   */
  placement: 'NETWORKS' | 'STAGING';
  /**
   * Give it a private cgroup namespace even if the old one had the host's (the engine's default on
   * cgroup v1 hosts): what berth's creates ask for unless the create policy allows host namespaces.
   */
  privateCgroupns: boolean;
}

/**
 * The engine calls a redeploy needs beyond the container lifecycle (src/engine/redeploy.ts): the
 * container and images read back (see blueprint.ts for what the domain makes of them), the copy
 * made, renames, and network endpoints moved. `Carried` is the engine's own record of the rest of
 * a container's settings; the domain only hands it back.
 */
export interface RedeployCalls<Carried> extends ContainerReader<Carried> {
  /** Creates the copy (not started) and returns its id. */
  createClone(template: CloneTemplate<Carried>, request: CloneRequest): Promise<string>;
  rename(id: string, name: string): Promise<void>;
  connect(network: string, id: string, aliases: readonly string[]): Promise<void>;
  /** Joins at a fixed address; false, with nothing joined, when the network cannot give one. */
  connectAt(
    network: string,
    id: string,
    aliases: readonly string[],
    ipv4Address: string,
    macAddress: string | null,
  ): Promise<boolean>;
  disconnect(network: string, id: string): Promise<void>;
  /** Makes STAGING_NETWORK when it is missing and returns its name. */
  ensureStagingNetwork(): Promise<string>;
}

export interface RedeployEngine<Carried = unknown> extends ContainerEngine {
  readonly redeploy: RedeployCalls<Carried>;
}
