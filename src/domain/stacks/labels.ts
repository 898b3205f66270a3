import { InvalidInputError } from '../../shared/errors.js';
import type { KeyValue } from '../containers/model.js';

/**
 * The labels and names Docker Compose writes, so that the Compose CLI and berth see the same
 * stacks: a stack berth deployed is listed by `docker-compose -p NAME ps`, and one the CLI started
 * is found by berth. Compose finds its containers by these labels, never by their names.
 */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  dependsOn: 'com.docker.compose.depends_on',
} as const;

export { STACK_NAMESPACE_LABEL } from '../swarm/model.js';

/**
 * The Compose version the labels say made the container. Compose 1.29 reads it (and warns about
 * containers from a newer one), so berth claims the version whose label format it writes.
 */
export const COMPOSE_VERSION = '1.29.2';

/** Compose v2's container name; v1 wrote `<project>_<service>_<n>`, and both find them by labels. */
export function replicaName(stack: string, service: string, number: number): string {
  return `${stack}-${service}-${number}`;
}

/** A network or volume of the file on the engine: `<project>_<key>`, as Compose names them. */
export function resourceName(stack: string, key: string): string {
  return `${stack}_${key}`;
}

/** Compose's project name rule: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export const STACK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** A stack's name as every operation takes it; INVALID_INPUT naming `field` otherwise. */
export function validateStackName(value: string, field = 'name'): string {
  if (value.length > 63 || !STACK_NAME_PATTERN.test(value)) {
    throw new InvalidInputError(
      field,
      'a stack name is lowercase letters, digits, dashes and underscores, starting with a letter or digit (at most 63)',
    );
  }
  return value;
}

export function labelValue(labels: readonly KeyValue[], name: string): string | undefined {
  return labels.find((label) => label.name === name)?.value;
}
