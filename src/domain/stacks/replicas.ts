import type { CreateContainerSpec, KeyValue, PortSpec } from '../containers/model.js';
import { COMPOSE_LABELS, COMPOSE_VERSION, replicaName } from './labels.js';
import type { StackDefinition, StackServiceDefinition } from './model.js';

/**
 * The networks a replica joins and the names it answers to on each, as a label on the replica: the
 * alias guard (aliases.ts) takes a replica's aliases away while it is unhealthy and gives them back
 * from here, whether or not berth still has the stack's file.
 */
export const ALIASES_LABEL = 'berth.stack.aliases';

/** Where the Compose CLI would find the project's files; berth keeps a stack's file in its database. */
export const WORKING_DIR = 'berth://stacks';

/** The names one replica answers to on each of its networks: the service's own, then its aliases. */
export function serviceAliases(
  definition: StackDefinition,
  service: StackServiceDefinition,
): Record<string, string[]> {
  const aliases: Record<string, string[]> = {};
  for (const attachment of service.networks) {
    const network = definition.networks.find((candidate) => candidate.key === attachment.key);
    if (!network) continue;
    aliases[network.name] = [service.name, ...attachment.aliases.filter((alias) => alias !== service.name)];
  }
  return aliases;
}

/**
 * The host ports of the replica in `slot`: a fixed port as it is, a range's `slot`-th port (the loader
 * refused ranges shorter than the replica count), or one the engine picks.
 */
function replicaPorts(service: StackServiceDefinition, slot: number): PortSpec[] {
  return service.ports.map((port) => {
    const spec: PortSpec = { containerPort: port.target, protocol: port.protocol };
    if (port.hostIp !== null) spec.hostIp = port.hostIp;
    if (port.published) spec.hostPort = Math.min(port.published.start + slot - 1, port.published.end);
    return spec;
  });
}

/**
 * The create request of replica `number` of a service: its template, Compose's labels and name,
 * its networks with the service's aliases (or none, for a replacement that must not take traffic
 * before it is ready), and its share of a port range.
 */
export function replicaSpec(
  definition: StackDefinition,
  service: StackServiceDefinition,
  number: number,
  /** `slot`: whose share of a port range it takes (a replacement takes the old replica's). */
  options: { aliases: boolean; slot?: number },
): CreateContainerSpec {
  const aliases = serviceAliases(definition, service);
  const composeLabels: KeyValue[] = [
    { name: COMPOSE_LABELS.project, value: definition.name },
    { name: COMPOSE_LABELS.service, value: service.name },
    { name: COMPOSE_LABELS.containerNumber, value: String(number) },
    { name: COMPOSE_LABELS.oneoff, value: 'False' },
    { name: COMPOSE_LABELS.configHash, value: service.configHash },
    { name: COMPOSE_LABELS.workingDir, value: `${WORKING_DIR}/${definition.name}` },
    { name: COMPOSE_LABELS.configFiles, value: 'docker-compose.yml' },
    { name: COMPOSE_LABELS.version, value: COMPOSE_VERSION },
    {
      name: COMPOSE_LABELS.dependsOn,
      value: service.dependsOn
        .map((dependency) => `${dependency.service}:${dependency.condition.toLowerCase()}:false`)
        .join(','),
    },
    { name: ALIASES_LABEL, value: JSON.stringify(aliases) },
  ];
  const reserved = new Set(composeLabels.map((label) => label.name));
  return {
    ...service.container,
    labels: [...service.container.labels.filter((label) => !reserved.has(label.name)), ...composeLabels],
    name: replicaName(definition.name, service.name, number),
    ports: replicaPorts(service, options.slot ?? number),
    start: true,
    networks: service.networks.flatMap((attachment) => {
      const network = definition.networks.find((candidate) => candidate.key === attachment.key);
      if (!network) return [];
      return [
        {
          name: network.name,
          aliases: options.aliases ? (aliases[network.name] ?? []) : [],
          ...(attachment.ipv4Address !== null && { ipv4Address: attachment.ipv4Address }),
        },
      ];
    }),
  };
}

/**
 * Whether a replacement must wait for the old replica to stop: what only one container can hold
 * (a fixed host port or address) cannot be shared while both run.
 */
export function holdsExclusive(service: StackServiceDefinition): boolean {
  return (
    service.ports.some((port) => port.published !== null) ||
    service.networks.some((network) => network.ipv4Address !== null)
  );
}
