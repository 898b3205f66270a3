import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../../shared/errors.js';
import type { CreateContainerSpec, KeyValue, RestartPolicyName } from '../../containers/model.js';
import { enforcePolicy, type CreatePolicy } from '../../policy/policy.js';
import type {
  PublishMode,
  RestartCondition,
  ServiceMount,
  ServicePort,
  ServiceSpec,
  UpdatePolicy,
} from '../../swarm/model.js';
import { DEFAULT_UPDATE_POLICY } from '../../swarm/rules.js';
import { validateServiceSpec } from '../../swarm/validation.js';
import { STACK_NAMESPACE_LABEL } from '../labels.js';
import type { StackDefinition, StackNetworkDefinition, StackPort, StackServiceDefinition } from '../model.js';

/**
 * A stack's services as a swarm runs them, as `docker stack deploy` makes them from the same file:
 * services named `<stack>_<service>`, labelled with the stack's namespace (the service and each
 * task's container), on the stack's overlay networks under their service name. Pure: the plan and
 * the apply (stacks.ts) call the swarm.
 *
 * What the swarm cannot do is refused by name (InvalidInputError), never dropped: a fixed address,
 * a host address or a range of host ports on a port, an empty entrypoint, a network of another
 * driver than overlay, `depends_on` with `service_completed_successfully`, and (should a definition
 * carry them) privileged mode, host namespaces, devices and security options. `depends_on` with
 * `service_started` or `service_healthy` is accepted and said in the plan (see `swarmNotes`).
 */

/** The config hash a stack's service was last written with (see `specHash`). */
export const CONFIG_HASH_LABEL = 'berth.stack.config-hash';
/** What `docker stack deploy` writes beside the namespace: the image as the file names it. */
export const STACK_IMAGE_LABEL = 'com.docker.stack.image';

/** Labels Compose writes on a standalone stack's containers: never on a swarm task's. */
const COMPOSE_LABEL_PREFIX = 'com.docker.compose.';

/** The engine's own rule for a service name: a DNS label. */
const MAX_SERVICE_NAME = 63;

export function swarmServiceName(stack: string, service: string): string {
  return `${stack}_${service}`;
}

/**
 * A port of the file, with the long syntax's `mode` when the definition carries it. StackPort has no
 * `mode` yet (a standalone container's port is always a host binding); until the loader sets it,
 * every port is published as Docker's default, INGRESS.
 */
export type SwarmStackPort = StackPort & { mode?: PublishMode | 'host' | 'ingress' };

/** One service of the file as the swarm is asked for it. */
export interface SwarmServiceTarget {
  /** The service's name in the file. */
  service: string;
  definition: StackServiceDefinition;
  spec: ServiceSpec;
  /** The digest of `spec` without its replicas: what tells a changed service from one unchanged. */
  hash: string;
}

interface Refusal {
  field: string;
  message: string;
}

/** Every refusal of a file collected, and thrown as one answer naming the first field and counting the rest. */
class Refusals {
  readonly #list: Refusal[] = [];

  add(field: string, message: string): void {
    this.#list.push({ field, message });
  }

  throwIfAny(): void {
    const [first, ...rest] = this.#list;
    if (first === undefined) return;
    const more = rest.length === 0 ? '' : `; and ${rest.map((r) => `${r.field}: ${r.message}`).join('; ')}`;
    throw new InvalidInputError(first.field, `${first.message}${more}`);
  }
}

const RESTART_CONDITIONS: Record<RestartPolicyName, RestartCondition> = {
  NO: 'NONE',
  ON_FAILURE: 'ON_FAILURE',
  // A swarm has no "stopped by hand": a task someone stops is replaced, as with `always`.
  ALWAYS: 'ANY',
  UNLESS_STOPPED: 'ANY',
};

/** Unspecified addresses: every interface, which is what a swarm's host-mode port binds anyway. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

/**
 * The swarm services of the definition, or an InvalidInputError naming every key the swarm cannot
 * honour. `policy` is the create policy each task's container passes, as a standalone one does.
 */
export function toSwarmServices(definition: StackDefinition, policy: CreatePolicy): SwarmServiceTarget[] {
  const refusals = new Refusals();
  const networks = new Map(definition.networks.map((network) => [network.key, network]));
  for (const network of definition.networks) checkNetwork(network, refusals);
  const targets = definition.services.map((service) =>
    toTarget(definition, service, networks, policy, refusals),
  );
  refusals.throwIfAny();
  // The rules a deployService request passes, on what the two share (image, env, labels, ports…).
  for (const target of targets) validateServiceSpec(target.spec, ['services', target.service]);
  // What a task's container may ask of its node, as for a standalone container: POLICY_VIOLATION.
  for (const service of definition.services) {
    const spec: CreateContainerSpec = { ...service.container, ports: [], start: false };
    enforcePolicy(spec, policy, `services.${service.name}.`);
  }
  return targets;
}

function checkNetwork(network: StackNetworkDefinition, refusals: Refusals): void {
  if (network.external) return;
  if (network.driver !== null && network.driver !== 'overlay') {
    refusals.add(
      `networks.${network.key}.driver`,
      `"${network.driver}": a swarm service joins overlay networks only (leave the driver out, or say overlay)`,
    );
  }
}

function toTarget(
  definition: StackDefinition,
  service: StackServiceDefinition,
  networks: ReadonlyMap<string, StackNetworkDefinition>,
  policy: CreatePolicy,
  refusals: Refusals,
): SwarmServiceTarget {
  const stack = definition.name;
  const at = (key: string) => `services.${service.name}.${key}`;
  const template = service.container;
  const name = swarmServiceName(stack, service.name);
  if (name.length > MAX_SERVICE_NAME) {
    refusals.add(
      `services.${service.name}`,
      `the swarm service "${name}" would be longer than ${MAX_SERVICE_NAME} characters (a DNS label)`,
    );
  }

  for (const dependency of service.dependsOn) {
    if (dependency.condition === 'SERVICE_COMPLETED_SUCCESSFULLY') {
      refusals.add(
        at(`depends_on.${dependency.service}.condition`),
        'service_completed_successfully needs a one-off container run to its end first; a swarm starts ' +
          'every service at once and restarts what exits',
      );
    }
  }

  const privileges = template.privileges;
  if (privileges?.privileged) refusals.add(at('privileged'), 'a swarm service cannot run privileged');
  for (const namespace of privileges?.hostNamespaces ?? []) {
    const key =
      namespace === 'NETWORK'
        ? 'network_mode'
        : namespace === 'USERNS'
          ? 'userns_mode'
          : namespace.toLowerCase();
    refusals.add(at(key), `a swarm service cannot share the host's ${namespace.toLowerCase()} namespace`);
  }
  if (privileges?.devices.length) refusals.add(at('devices'), 'a swarm service cannot be given host devices');
  if (privileges?.securityOpt.length)
    refusals.add(at('security_opt'), 'a swarm service takes no security options');
  if (template.entrypoint?.length === 0) {
    refusals.add(at('entrypoint'), "an empty entrypoint (clearing the image's) cannot be said to a swarm");
  }

  const ports = service.ports.flatMap((port, i) => toPort(port, at(`ports[${i}]`), refusals));

  const serviceNetworks = service.networks.flatMap((attachment) => {
    if (attachment.ipv4Address !== null) {
      refusals.add(
        at(`networks.${attachment.key}.ipv4_address`),
        'a swarm gives each task an address of its own: a fixed address cannot be kept',
      );
    }
    const network = networks.get(attachment.key);
    if (network === undefined) {
      refusals.add(at(`networks.${attachment.key}`), `the network "${attachment.key}" is not in the stack`);
      return [];
    }
    return [
      {
        name: network.name,
        aliases: [service.name, ...attachment.aliases.filter((a) => a !== service.name)],
      },
    ];
  });

  const mounts: ServiceMount[] = [
    ...(template.volumes ?? []).map((volume): ServiceMount => {
      const declared = definition.volumes.find((candidate) => candidate.name === volume.name);
      const mount: ServiceMount = {
        type: 'VOLUME',
        source: volume.name,
        target: volume.target,
        readOnly: volume.readOnly,
      };
      if (declared && !declared.external) {
        // Each node's engine makes the volume when a task first mounts it: labelled as the stack's.
        mount.volumeLabels = [...declared.labels, { name: STACK_NAMESPACE_LABEL, value: stack }];
        if (declared.driver !== null) mount.volumeDriver = declared.driver;
      }
      return mount;
    }),
    ...(privileges?.mounts ?? []).map((bind): ServiceMount => ({
      type: bind.type === 'bind' ? 'BIND' : 'VOLUME',
      source: bind.source,
      target: bind.target,
      readOnly: bind.readOnly,
    })),
    ...(template.tmpfs ?? []).map((tmpfs): ServiceMount => ({
      type: 'TMPFS',
      source: null,
      target: tmpfs.target,
      readOnly: false,
      ...(tmpfs.sizeBytes !== undefined && { tmpfsSizeBytes: tmpfs.sizeBytes }),
    })),
  ];

  const update: Partial<UpdatePolicy> = {
    parallelism: service.update.parallelism,
    delaySeconds: service.update.delaySeconds,
    order: service.update.order,
    failureAction: service.update.failureAction,
  };
  // A rollback replaces tasks as the update does; one that fails can only pause.
  const rollback: Partial<UpdatePolicy> = {
    parallelism: service.update.parallelism,
    delaySeconds: service.update.delaySeconds,
    order: service.update.order,
    failureAction: 'PAUSE',
  };

  const namespace: KeyValue = { name: STACK_NAMESPACE_LABEL, value: stack };
  const spec: ServiceSpec = {
    name,
    image: template.image,
    replicas: service.replicas,
    env: template.env,
    labels: [namespace, { name: STACK_IMAGE_LABEL, value: template.image }],
    containerLabels: [
      ...template.labels.filter(
        (label) => !label.name.startsWith(COMPOSE_LABEL_PREFIX) && label.name !== STACK_NAMESPACE_LABEL,
      ),
      namespace,
    ],
    ports,
    networks: serviceNetworks.map((network) => network.name),
    networkAliases: serviceNetworks.map((network) => ({ network: network.name, aliases: network.aliases })),
    updateConfig: { ...DEFAULT_UPDATE_POLICY, ...update },
    rollbackConfig: { ...DEFAULT_UPDATE_POLICY, ...rollback },
  };
  if (template.command !== undefined) spec.command = template.command;
  if (template.entrypoint !== undefined && template.entrypoint.length > 0)
    spec.entrypoint = template.entrypoint;
  if (template.healthcheck !== undefined) spec.healthcheck = template.healthcheck;
  if (template.stopTimeoutSeconds !== undefined) spec.stopGracePeriodSeconds = template.stopTimeoutSeconds;
  if (template.stopSignal !== undefined) spec.stopSignal = template.stopSignal;
  if (template.user !== undefined) spec.user = template.user;
  if (template.workingDir !== undefined) spec.workingDir = template.workingDir;
  if (template.hostname !== undefined) spec.hostname = template.hostname;
  if (template.init !== undefined) spec.init = template.init;
  if (template.tty) spec.tty = true;
  if (template.extraHosts?.length) spec.extraHosts = template.extraHosts;
  if (privileges?.capAdd.length) spec.capAdd = privileges.capAdd;
  if (template.capDrop?.length) spec.capDrop = template.capDrop;
  if (mounts.length > 0) spec.mounts = mounts;
  const resources = resourcesOf(template.resources, policy);
  if (resources !== undefined) spec.resources = resources;
  if (template.restartPolicy !== undefined) {
    spec.restartPolicy = {
      condition: RESTART_CONDITIONS[template.restartPolicy.name],
      maxAttempts:
        template.restartPolicy.name === 'ON_FAILURE' ? template.restartPolicy.maximumRetryCount : 0,
    };
  }

  const hash = specHash(spec);
  spec.labels.push({ name: CONFIG_HASH_LABEL, value: hash });
  return { service: service.name, definition: service, spec, hash };
}

/** The policy's default limits fill what the file leaves out, as for a standalone container. */
function resourcesOf(
  resources: CreateContainerSpec['resources'],
  policy: CreatePolicy,
): ServiceSpec['resources'] {
  const memoryBytes = resources?.memoryBytes ?? policy.defaultMemoryBytes ?? undefined;
  const cpus = resources?.cpus ?? policy.defaultCpus ?? undefined;
  if (memoryBytes === undefined && cpus === undefined) return undefined;
  return { ...(memoryBytes !== undefined && { memoryBytes }), ...(cpus !== undefined && { cpus }) };
}

function toPort(port: SwarmStackPort, field: string, refusals: Refusals): ServicePort[] {
  if (port.hostIp !== null && !ANY_ADDRESS.has(port.hostIp)) {
    refusals.add(
      `${field}.host_ip`,
      `a swarm publishes a port on every address of a node, not on ${port.hostIp}`,
    );
  }
  if (port.published !== null && port.published.start !== port.published.end) {
    refusals.add(
      `${field}.published`,
      `a range of host ports (${port.published.start}-${port.published.end}) for one port is spread over ` +
        'the replicas by a standalone deploy; a swarm service publishes one port (or leave it to the swarm)',
    );
  }
  const mode = port.mode?.toUpperCase() === 'HOST' ? 'HOST' : 'INGRESS';
  return [
    {
      targetPort: port.target,
      publishedPort: port.published?.start ?? null,
      protocol: port.protocol,
      publishMode: mode,
    },
  ];
}

/** The digest of everything the swarm is asked for, but the replica count (and the hash itself). */
export function specHash(spec: ServiceSpec): string {
  const { replicas: _replicas, labels, ...rest } = spec;
  const kept = labels.filter((label) => label.name !== CONFIG_HASH_LABEL);
  return createHash('sha256')
    .update(canonicalJson({ ...rest, labels: kept }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * What the swarm does differently from a standalone deploy of the same service, for the plan's
 * reason: `depends_on` orders nothing in a swarm (every service starts at once; one whose dependency
 * is not ready yet fails and is restarted by the swarm until it is), as `docker stack deploy` warns.
 */
export function swarmNotes(service: StackServiceDefinition): string[] {
  const waits = service.dependsOn.filter(
    (dependency) => dependency.condition !== 'SERVICE_COMPLETED_SUCCESSFULLY',
  );
  if (waits.length === 0) return [];
  return [
    `depends_on (${waits.map((dependency) => dependency.service).join(', ')}) is not waited for in a swarm: ` +
      'services start together and are restarted until what they need answers',
  ];
}
