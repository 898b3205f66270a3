import { isIP } from 'node:net';
import type { StackDefinition, StackNetworkDefinition, StackServiceDefinition } from '../model.js';
import { dependencyCycles } from './graph.js';
import { canonicalJson, sha256 } from './hash.js';
import { checkPortsForReplicas } from './ports.js';
import type { ProblemList } from './problems.js';
import { defaultNetwork, networkDefinition, volumeDefinition } from './resources.js';
import { serviceDraft, type ServiceContext, type ServiceDraft } from './service.js';

export interface StackContext extends ServiceContext {
  stack: string;
  /** The enabled profiles; `*` enables every one. */
  profiles: ReadonlySet<string>;
}

type Entry = Record<string, unknown>;

/**
 * The schema-valid, supported file as a `StackDefinition`, with Compose's rules across fields:
 * dependencies that exist, run and make no cycle; networks and volumes that are declared; host ports
 * and fixed addresses that several replicas cannot share.
 */
export function normalize(file: Entry, context: StackContext, problems: ProblemList): StackDefinition {
  const declaredNetworks = new Map(
    Object.entries((file['networks'] ?? {}) as Entry).map(([key, raw]) => [
      key,
      networkDefinition(context.stack, key, raw, problems),
    ]),
  );
  const declaredVolumes = new Map(
    Object.entries((file['volumes'] ?? {}) as Entry).map(([key, raw]) => [
      key,
      volumeDefinition(context.stack, key, raw, problems),
    ]),
  );
  const drafts = Object.entries((file['services'] ?? {}) as Entry).map(([name, raw]) =>
    serviceDraft(name, (raw ?? {}) as Entry, context, problems),
  );
  const enabled = (draft: ServiceDraft): boolean =>
    draft.profiles.length === 0 ||
    context.profiles.has('*') ||
    draft.profiles.some((profile) => context.profiles.has(profile));
  const active = drafts.filter(enabled);
  const inactive = drafts.filter((draft) => !enabled(draft)).map((draft) => draft.name);

  const usedNetworks = new Set<string>();
  const usedVolumes = new Set<string>();
  const network = (key: string): StackNetworkDefinition | undefined =>
    declaredNetworks.get(key) ?? (key === 'default' ? defaultNetwork(context.stack) : undefined);

  const services = active.map((draft): StackServiceDefinition => {
    checkDependencies(draft, drafts, active, problems);
    checkPortsForReplicas(draft.ports, draft.replicas, problems);
    const networks = draft.networks.flatMap((attachment) => {
      const definition = network(attachment.key);
      if (definition === undefined) {
        problems.add(
          attachment.path,
          `the network "${attachment.key}" is not declared in the top-level networks`,
        );
        return [];
      }
      usedNetworks.add(attachment.key);
      checkAddress(attachment, definition, draft.replicas, problems);
      return [
        {
          key: attachment.key,
          aliases: attachment.aliases,
          ipv4Address: attachment.ipv4Address,
          name: definition.name,
        },
      ];
    });
    const volumes = draft.mounts.volumes.flatMap(({ name: key, target, readOnly, path }) => {
      const definition = declaredVolumes.get(key);
      if (definition === undefined) {
        problems.add(path, `the volume "${key}" is not declared in the top-level volumes`);
        return [];
      }
      usedVolumes.add(key);
      return [{ name: definition.name, target, readOnly }];
    });
    const container = volumes.length > 0 ? { ...draft.container, volumes } : draft.container;
    const ports = draft.ports.map(({ port }) => port);
    return {
      name: draft.name,
      replicas: draft.replicas,
      dependsOn: draft.dependsOn.map(({ service, condition }) => ({ service, condition })),
      update: draft.update,
      container,
      ports,
      networks: networks.map(({ key, aliases, ipv4Address }) => ({ key, aliases, ipv4Address })),
      // What the containers are made from, networks by the engine names they resolve to; not the
      // replica count, update config or dependencies, which change no container.
      configHash: sha256(canonicalJson({ container, ports, networks })),
    };
  });

  for (const cycle of dependencyCycles(active))
    problems.add(
      ['services', cycle[0] ?? '', 'depends_on'],
      `the dependencies make a cycle: ${cycle.join(' -> ')}`,
    );

  return {
    name: context.stack,
    services,
    networks: [...declaredNetworksWith(declaredNetworks, usedNetworks, network)],
    volumes: [...declaredVolumes.values()].filter((volume) => usedVolumes.has(volume.key) || volume.external),
    inactive,
  };
}

/** The networks used, in the file's order (`default` last when Compose made it), and every external one. */
function declaredNetworksWith(
  declared: ReadonlyMap<string, StackNetworkDefinition>,
  used: ReadonlySet<string>,
  network: (key: string) => StackNetworkDefinition | undefined,
): StackNetworkDefinition[] {
  const list = [...declared.values()].filter((definition) => used.has(definition.key) || definition.external);
  if (used.has('default') && !declared.has('default')) {
    const made = network('default');
    if (made !== undefined) list.push(made);
  }
  return list;
}

function checkDependencies(
  draft: ServiceDraft,
  all: readonly ServiceDraft[],
  active: readonly ServiceDraft[],
  problems: ProblemList,
): void {
  for (const dependency of draft.dependsOn) {
    if (active.some((service) => service.name === dependency.service)) continue;
    problems.add(
      dependency.path,
      all.some((service) => service.name === dependency.service)
        ? `depends on "${dependency.service}", which no enabled profile runs`
        : `depends on "${dependency.service}", which is not a service of the file`,
    );
  }
}

function checkAddress(
  attachment: ServiceDraft['networks'][number],
  network: StackNetworkDefinition,
  replicas: number,
  problems: ProblemList,
): void {
  const address = attachment.ipv4Address;
  if (address === null) return;
  const path = [...attachment.path, 'ipv4_address'];
  if (isIP(address) !== 4) problems.add(path, `"${address}" is not an IPv4 address`);
  else if (replicas > 1) problems.add(path, `a fixed address cannot be shared by ${replicas} replicas`);
  else if (!network.external && network.subnet === null)
    problems.add(
      path,
      `the network "${network.key}" needs a subnet (ipam.config[0].subnet) to give fixed addresses`,
    );
}
