import type { Container } from '../containers/model.js';
import { COMPOSE_LABELS, labelValue } from './labels.js';
import { dependencyLevels } from './order.js';
import type {
  ResourcePlan,
  ServicePlan,
  StackDefinition,
  StackPlan,
  StackServiceDefinition,
} from './model.js';

/** A container of a stack as the plan weighs it: found by Compose's labels, whoever made it. */
export interface Replica {
  container: Container;
  service: string;
  number: number;
  configHash: string | null;
}

/** The containers of the stack, by service (one-off `run` containers are not part of it, as in Compose). */
export function replicasOf(stack: string, containers: readonly Container[]): Map<string, Replica[]> {
  const byService = new Map<string, Replica[]>();
  for (const container of containers) {
    if (labelValue(container.labels, COMPOSE_LABELS.project) !== stack) continue;
    if (labelValue(container.labels, COMPOSE_LABELS.oneoff)?.toLowerCase() === 'true') continue;
    const service = labelValue(container.labels, COMPOSE_LABELS.service);
    if (!service) continue;
    const number = Number(labelValue(container.labels, COMPOSE_LABELS.containerNumber) ?? '1');
    const list = byService.get(service) ?? [];
    list.push({
      container,
      service,
      number: Number.isInteger(number) && number > 0 ? number : 1,
      configHash: labelValue(container.labels, COMPOSE_LABELS.configHash) ?? null,
    });
    byService.set(service, list);
  }
  for (const list of byService.values()) list.sort((a, b) => a.number - b.number);
  return byService;
}

/**
 * The replicas a RECREATE replaces: those whose config hash is not the file's, and, when `image` (the
 * id the service's image reference resolves to now) is given, those that run another image.
 */
export function staleReplicas(
  service: StackServiceDefinition,
  replicas: readonly Replica[],
  image?: string,
): Replica[] {
  return replicas.filter(
    (replica) =>
      replica.configHash !== service.configHash ||
      (image !== undefined && replica.container.imageId !== image),
  );
}

const isUp = (replica: Replica) => replica.container.status === 'RUNNING';

/**
 * What a deploy of `definition` changes, service by service, against the containers that run:
 * CREATE (none run), RECREATE (a container's config hash differs, or, when `images` is given, it
 * runs another image than its reference names now: every replica is replaced),
 * SCALE (only the count differs), START (some are stopped), UNCHANGED; services no longer in the
 * file are ORPHAN, or REMOVE with `removeOrphans`. Dependencies come first, removals last.
 */
export function planStack(
  definition: StackDefinition,
  hash: string,
  current: ReadonlyMap<string, Replica[]>,
  resources: { networks: ReadonlySet<string>; volumes: ReadonlySet<string> },
  options: {
    removeOrphans: boolean;
    /**
     * The image id each service's image reference resolves to now, by service; a replica running
     * another image is stale, as Compose recreates a container whose image id differs. Left out, the
     * images are not weighed (a deploy compares the file only).
     */
    images?: ReadonlyMap<string, string>;
  },
): StackPlan {
  const byName = new Map(definition.services.map((service) => [service.name, service]));
  const services: ServicePlan[] = [];
  for (const name of dependencyLevels(definition.services).flat()) {
    const service = byName.get(name);
    if (!service) continue;
    const replicas = current.get(name) ?? [];
    const base = {
      service: name,
      currentReplicas: replicas.length,
      desiredReplicas: service.replicas,
      currentHash: replicas.find((replica) => replica.configHash !== null)?.configHash ?? null,
      desiredHash: service.configHash,
    };
    const stale = staleReplicas(service, replicas);
    const outdated = staleReplicas(service, replicas, options.images?.get(name)).length - stale.length;
    if (replicas.length === 0) {
      services.push({
        ...base,
        action: service.replicas === 0 ? 'UNCHANGED' : 'CREATE',
        reason: service.replicas === 0 ? 'no replicas asked for' : `${service.replicas} new`,
      });
    } else if (stale.length > 0 && service.replicas > 0) {
      services.push({
        ...base,
        action: 'RECREATE',
        reason: `the config hash of ${stale.length} of ${replicas.length} changed`,
      });
    } else if (outdated > 0 && service.replicas > 0) {
      services.push({
        ...base,
        action: 'RECREATE',
        reason: `${outdated} of ${replicas.length} run another image than ${service.container.image} names now`,
      });
    } else if (replicas.length !== service.replicas) {
      const difference = service.replicas - replicas.length;
      services.push({
        ...base,
        action: 'SCALE',
        reason: difference > 0 ? `${difference} more` : `${-difference} fewer`,
      });
    } else if (!replicas.every(isUp)) {
      const stopped = replicas.filter((replica) => !isUp(replica)).length;
      services.push({ ...base, action: 'START', reason: `${stopped} not running` });
    } else {
      services.push({ ...base, action: 'UNCHANGED', reason: 'as the file asks' });
    }
  }
  const known = new Set([...byName.keys(), ...definition.inactive]);
  for (const [name, replicas] of [...current].sort(([a], [b]) => a.localeCompare(b))) {
    if (known.has(name)) continue;
    services.push({
      service: name,
      action: options.removeOrphans ? 'REMOVE' : 'ORPHAN',
      currentReplicas: replicas.length,
      desiredReplicas: options.removeOrphans ? 0 : replicas.length,
      currentHash: replicas[0]?.configHash ?? null,
      desiredHash: null,
      reason: options.removeOrphans
        ? 'no longer in the file'
        : 'no longer in the file; kept (deploy with removeOrphans to remove it)',
    });
  }
  const resourcePlans: ResourcePlan[] = [
    ...definition.networks.map((network) => ({
      kind: 'NETWORK' as const,
      key: network.key,
      name: network.name,
      action: network.external
        ? ('EXTERNAL' as const)
        : resources.networks.has(network.name)
          ? ('EXISTS' as const)
          : ('CREATE' as const),
    })),
    ...definition.volumes.map((volume) => ({
      kind: 'VOLUME' as const,
      key: volume.key,
      name: volume.name,
      action: volume.external
        ? ('EXTERNAL' as const)
        : resources.volumes.has(volume.name)
          ? ('EXISTS' as const)
          : ('CREATE' as const),
    })),
  ];
  return {
    stack: definition.name,
    hash,
    services,
    resources: resourcePlans,
    changes:
      services.some((plan) => plan.action !== 'UNCHANGED' && plan.action !== 'ORPHAN') ||
      resourcePlans.some((plan) => plan.action === 'CREATE'),
  };
}
