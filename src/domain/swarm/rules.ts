import { InvalidInputError, InvalidStateError } from '../../shared/errors.js';
import type { ServiceChange, ServiceDeployment, ServiceSpec, ServiceWrite, UpdatePolicy } from './model.js';
import type { ServiceRevision } from './ports.js';

/**
 * What a write to a swarm service must satisfy, and how a change becomes the write the swarm is
 * sent. The engine gateway only translates the result.
 */

/** What the engine applies when a spec leaves its update or rollback config out (as the CLI sends). */
export const DEFAULT_UPDATE_POLICY: Readonly<UpdatePolicy> = {
  parallelism: 1,
  delaySeconds: 0,
  failureAction: 'PAUSE',
  order: 'STOP_FIRST',
  monitorSeconds: 5,
  maxFailureRatio: 0,
};

/**
 * A write names the service version it read; a concurrent writer makes it stale. A handful of
 * re-reads is plenty: each retry only loses to a write that landed in the last few milliseconds.
 */
export const MAX_WRITE_ATTEMPTS = 5;

/** The whole policy, from what the service had (or the engine's defaults) and what changes. */
export function completePolicy(base: UpdatePolicy | null, change: Partial<UpdatePolicy> = {}): UpdatePolicy {
  return { ...(base ?? DEFAULT_UPDATE_POLICY), ...change };
}

/** A new service's request, complete: update and rollback configs are spelled out, as the CLI does. */
export function deploymentOf(spec: ServiceSpec): ServiceDeployment {
  return {
    ...spec,
    updateConfig: completePolicy(null, spec.updateConfig),
    rollbackConfig: completePolicy(null, spec.rollbackConfig),
  };
}

/**
 * The write that makes `change` to the service as `revision` found it. Only a replicated service
 * has a number of replicas to change; new labels replace the old ones except those named in
 * `keep`; a policy changes field by field.
 */
export function serviceWrite(
  revision: ServiceRevision,
  change: ServiceChange,
  keep: readonly string[] = [],
): ServiceWrite {
  if (change.replicas !== undefined && revision.mode !== 'REPLICATED') {
    throw new InvalidStateError(
      `service "${revision.reference}" is not replicated: it runs one task per node`,
    );
  }
  if (change.networkAliases != null && change.networks === undefined) {
    // The swarm keeps the ids it resolved network names to: aliases are matched to the names given with them.
    throw new InvalidInputError('networkAliases', 'are written with the networks they are for');
  }
  const { labels, updateConfig, rollbackConfig, ...rest } = change;
  const write: ServiceWrite = { ...rest };
  if (labels !== undefined) {
    write.labels = [...labels, ...revision.labels.filter((label) => keep.includes(label.name))];
  }
  if (updateConfig !== undefined) write.updateConfig = completePolicy(revision.updateConfig, updateConfig);
  if (rollbackConfig !== undefined) {
    write.rollbackConfig = completePolicy(revision.rollbackConfig, rollbackConfig);
  }
  return write;
}

/** Only a service that has been updated has a spec to roll back to. */
export function assertRollbackPossible(revision: ServiceRevision): void {
  if (!revision.hasPreviousSpec) {
    throw new InvalidStateError(
      `service "${revision.reference}" has never been updated: there is nothing to roll back to`,
    );
  }
}
