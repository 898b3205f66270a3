import type { HealthProbe, KeyValue, Privileges } from '../containers/model.js';
import type { ContainerReadBack, OwnSettings } from '../containers/read-back.js';

/** Health-gated redeploys of a standalone container, in berth's own terms. */

export const REDEPLOY_STEPS = [
  /** No redeploy of the container runs: a subscriber waits for the next one. */
  'IDLE',
  'PLANNED',
  'PULLING',
  'CREATING',
  'STARTING',
  'WAITING_HEALTHY',
  'SWAPPING',
  'DRAINING',
  'REMOVING_OLD',
  'DONE',
  'FAILED',
] as const;
export type RedeployStep = (typeof REDEPLOY_STEPS)[number];

/**
 * How traffic moves to the new container. NETWORK_ALIAS: both run side by side and the names the
 * service answers to on its networks move from one to the other. HOST_PORT: the container publishes
 * fixed host ports, which two containers cannot hold at once, so they move in one short step.
 */
export const REDEPLOY_SWAPS = ['NETWORK_ALIAS', 'HOST_PORT'] as const;
export type RedeploySwap = (typeof REDEPLOY_SWAPS)[number];

/** What "ready" means for the new container. */
export const REDEPLOY_HEALTH_GATES = ['HEALTHCHECK', 'RUNNING'] as const;
export type RedeployHealthGate = (typeof REDEPLOY_HEALTH_GATES)[number];

export const REDEPLOY_FAILURE_REASONS = [
  'PULL_FAILED',
  'CREATE_FAILED',
  'START_FAILED',
  'UNHEALTHY',
  'EXITED',
  'TIMEOUT',
  'SWAP_FAILED',
  'ABORTED',
] as const;
export type RedeployFailureReason = (typeof REDEPLOY_FAILURE_REASONS)[number];

export const SPEC_CHANGE_KINDS = ['ADDED', 'REMOVED', 'CHANGED'] as const;
export type SpecChangeKind = (typeof SPEC_CHANGE_KINDS)[number];

/** One difference between the running container's spec and its replacement's. */
export interface SpecChange {
  /** `image`, `imageId`, `command`, `entrypoint`, `healthcheck`, `env.<NAME>`, `labels.<name>`, … */
  field: string;
  kind: SpecChangeKind;
  before: string | null;
  after: string | null;
}

export interface HealthcheckSummary {
  test: string[];
  intervalSeconds: number | null;
  timeoutSeconds: number | null;
  retries: number | null;
  startPeriodSeconds: number | null;
}

/**
 * A container's configuration as it runs (or would run): what it set itself merged with its
 * image's defaults, as the engine merges them.
 */
export interface EffectiveSpec {
  image: string;
  /** null when the image is not on the engine yet (it is pulled first). */
  imageId: string | null;
  env: KeyValue[];
  command: string[];
  entrypoint: string[];
  workingDir: string;
  user: string;
  /** null: no healthcheck (or one disabled with NONE). */
  healthcheck: HealthcheckSummary | null;
  labels: KeyValue[];
  exposedPorts: string[];
}

/** One network the container is attached to. */
export interface AttachedNetwork {
  name: string;
  /** The DNS names asked for on it (Docker's own short-id alias left out). */
  aliases: string[];
  ipv4Address: string | null;
  macAddress: string | null;
  /** User-defined networks have the engine's embedded DNS; the default bridge has none. */
  dns: boolean;
}

export interface FixedHostPort {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

/** How a copy of a container is made (see blueprintOf). */
export interface CloneTemplate<Carried = unknown> {
  /** What the container set itself: the engine merges the new image's defaults in again. */
  own: OwnSettings;
  terminal: ContainerReadBack['terminal'];
  /** null: the engine names the copy's host itself, as it did the container's. */
  hostname: string | null;
  domainname: string | null;
  stopTimeoutSeconds: number | null;
  /** The volumes its image's VOLUMEs made, mounted by name in the copy so that their data carries over. */
  carriedVolumes: { name: string; target: string; readOnly: boolean }[];
  /** The networks it is on, the one it was created on (its network mode) first. */
  networks: readonly string[];
  /** The engine's own record of the rest of the container's settings, handed back untouched. */
  carried: Carried;
}

/** What a redeploy learned of a running container that is to be replaced. */
export interface ContainerBlueprint<Carried = unknown> {
  id: string;
  name: string;
  running: boolean;
  /** How the container reaches the network: its own endpoints, or someone else's namespace. */
  networkMode: 'OWN' | 'HOST' | 'SHARED' | 'NONE';
  networks: AttachedNetwork[];
  fixedHostPorts: FixedHostPort[];
  /** The variables the container was given itself; its image's defaults are not among them. */
  ownEnv: KeyValue[];
  effective: EffectiveSpec;
  /** What the create policy weighs: a replacement gets the same powers, so they are checked again. */
  privileges: Privileges;
  /** How a copy is made. */
  template: CloneTemplate<Carried>;
}

export interface PlannedNetwork {
  name: string;
  /** The names the new container answers to on it: the old one's aliases and its name. */
  aliases: string[];
}

/** What a redeploy will do (a dry run answers only this). */
export interface RedeployPlan {
  containerId: string;
  name: string;
  image: string;
  /** The engine lacks the image: it is pulled first, and its defaults are known only then. */
  pullRequired: boolean;
  swap: RedeploySwap;
  healthGate: RedeployHealthGate;
  networks: PlannedNetwork[];
  fixedHostPorts: FixedHostPort[];
  changes: SpecChange[];
}

/** How the old container left one network at the swap. */
export interface NetworkHandover {
  network: string;
  aliases: string[];
  /**
   * The old container kept its address on this network while it drained (the network has a
   * subnet of its own, so an address can be asked for). false: it was disconnected at the swap.
   */
  addressKept: boolean;
}

export interface RedeployResult {
  dryRun: boolean;
  plan: RedeployPlan;
  /** The id of the container now serving; null for a dry run. */
  containerId: string | null;
  replacedContainerId: string | null;
  handover: NetworkHandover[];
  /** For a HOST_PORT swap: how long the host ports had no container behind them. */
  hostPortGapMs: number | null;
  /** What went wrong after traffic had moved (the redeploy itself succeeded). */
  warnings: string[];
}

/** Why a new container was not taken into service. */
export interface RedeployFailure {
  reason: RedeployFailureReason;
  message: string;
  lastProbe: HealthProbe | null;
  exitCode: number | null;
}

/** One step of a redeploy, as a `redeployProgress` subscriber sees it. */
export interface RedeployProgress {
  /** The container being replaced. */
  containerId: string;
  name: string;
  step: RedeployStep;
  at: Date;
  message: string;
  /** Once it exists. */
  newContainerId: string | null;
  failure: RedeployFailure | null;
}

/** A validated redeploy request. */
export interface RedeployRequest {
  reference: string;
  /** The image to run; the current one (looked up again) when absent. */
  image?: string;
  /** Variables to set or change on top of the container's own ones. */
  setEnv: KeyValue[];
  /** Own variables to drop. */
  unsetEnv: string[];
  dryRun: boolean;
  healthTimeoutSeconds: number;
  drainSeconds: number;
  /** The old container's stop grace period; its own when absent. */
  stopTimeoutSeconds?: number;
}
