import type { KeyValue } from '../containers/model.js';

/** berth's view of networks: what the schema renders, free of Docker's wire shapes. */

export const NETWORK_DRIVERS = ['BRIDGE', 'OVERLAY'] as const;
/** The drivers berth creates networks with; the engine may list others (host, null, macvlan…). */
export type NetworkDriver = (typeof NETWORK_DRIVERS)[number];

/** A network as the engine describes it. */
export interface EngineNetwork {
  id: string;
  name: string;
  /** The engine's word: `bridge`, `overlay`, `host`, `null`, … */
  driver: string;
  /** `local`, or `swarm` for a network that spans a swarm's nodes. */
  scope: string;
  /** No route out: its containers reach each other only. */
  internal: boolean;
  /** Standalone containers may join it (meaningful for overlay networks). */
  attachable: boolean;
  labels: KeyValue[];
  createdAt: Date;
  /** One of the engine's own networks (bridge, host, none), which cannot be removed. */
  builtIn: boolean;
  /** Its address ranges: the ones it was created with, or those the engine picked from its pools. */
  ipam: NetworkIpam[];
}

/** One address range of a network. */
export interface NetworkIpam {
  /** CIDR, e.g. `10.10.0.0/24`. */
  subnet: string;
  /** Null when a subnet was given without one (the engine then takes the first host address). */
  gateway: string | null;
}

export type Network = EngineNetwork;

export interface CreateNetworkSpec {
  name: string;
  driver: NetworkDriver;
  internal: boolean;
  attachable: boolean;
  labels: KeyValue[];
  /**
   * A subnet of the caller's choosing; null leaves the choice to the engine. Only on such a
   * network does the engine give a container an address it asks for (see the redeploy's swap).
   */
  ipam: NetworkIpam | null;
}

export interface NetworkFilter {
  /** Part of the name. */
  name?: string;
  /** `key` or `key=value`. */
  label?: string;
}
