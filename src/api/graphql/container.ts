import type {
  Container,
  ContainerMount,
  ContainerNetwork,
  KeyValue,
  PortBinding,
} from '../../domain/containers/model.js';
import {
  CONTAINER_STATUSES,
  HEALTH_STATUSES,
  HOST_NAMESPACES,
  MOUNT_KINDS,
  RESTART_POLICIES,
} from '../../domain/containers/model.js';
import {
  validateContainerRef,
  validateCreateSpec,
  validateFilter,
  validateStopTimeout,
} from '../../domain/lifecycle/validation.js';
import {
  AmbiguousIdError,
  EngineRefusedError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NameConflictError,
  NetworkNotFoundError,
  NotFoundError,
  PortUnavailableError,
  RegistryUnavailableError,
  PolicyViolationError,
  QuotaExceededError,
  StartFailedError,
} from '../../shared/errors.js';
import { builder } from './builder.js';
import { reportEnvironmentGap } from './environment-gaps.js';
import { ALL_ENVIRONMENTS_ARG, ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { CREDENTIAL_ERRORS } from './registry.js';

/** The container domain: its types, queries and lifecycle mutations, beside each other. */

const ContainerStatusEnum = builder.enumType('ContainerStatus', { values: CONTAINER_STATUSES });
export const HealthStatusEnum = builder.enumType('HealthStatus', { values: HEALTH_STATUSES });
const RestartPolicyNameEnum = builder.enumType('RestartPolicyName', { values: RESTART_POLICIES });
const ContainerMountTypeEnum = builder.enumType('ContainerMountType', { values: MOUNT_KINDS });
export const PortProtocolEnum = builder.enumType('PortProtocol', {
  values: { TCP: { value: 'tcp' }, UDP: { value: 'udp' }, SCTP: { value: 'sctp' } } as const,
});

export const KeyValueRef = builder.objectRef<KeyValue>('KeyValue').implement({
  fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
});

const PortBindingRef = builder.objectRef<PortBinding>('PortBinding').implement({
  fields: (t) => ({
    containerPort: t.exposeInt('containerPort'),
    protocol: t.field({ type: PortProtocolEnum, resolve: (port) => port.protocol }),
    hostIp: t.exposeString('hostIp', { nullable: true }),
    hostPort: t.exposeInt('hostPort', { nullable: true, description: 'null when not published.' }),
  }),
});

const RestartPolicyRef = builder.objectRef<Container['restartPolicy']>('RestartPolicy').implement({
  fields: (t) => ({
    name: t.field({ type: RestartPolicyNameEnum, resolve: (policy) => policy.name }),
    maximumRetryCount: t.exposeInt('maximumRetryCount'),
  }),
});

const ResourcesRef = builder.objectRef<Container['resources']>('Resources').implement({
  description: '0 means no limit.',
  fields: (t) => ({
    memoryBytes: t.field({ type: 'SafeInt', resolve: (resources) => resources.memoryBytes }),
    nanoCpus: t.field({ type: 'SafeInt', resolve: (resources) => resources.nanoCpus }),
  }),
});

const ContainerNetworkRef = builder.objectRef<ContainerNetwork>('ContainerNetwork').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    networkId: t.exposeString('networkId'),
    aliases: t.exposeStringList('aliases', {
      description: 'Names it answers to on this network besides its own (which always works).',
    }),
    ipAddress: t.exposeString('ipAddress', { nullable: true, description: 'null while not running.' }),
    ipPrefixLength: t.exposeInt('ipPrefixLength', { nullable: true }),
    gateway: t.exposeString('gateway', { nullable: true }),
    macAddress: t.exposeString('macAddress', { nullable: true }),
  }),
});

const ContainerMountRef = builder.objectRef<ContainerMount>('ContainerMount').implement({
  fields: (t) => ({
    type: t.field({ type: ContainerMountTypeEnum, resolve: (m) => m.type }),
    name: t.exposeString('name', { nullable: true, description: 'The volume, for a VOLUME mount.' }),
    source: t.exposeString('source', {
      description: 'The host path (for a volume, where its data lives on the engine’s host).',
    }),
    target: t.exposeString('target', { description: 'The path in the container.' }),
    readOnly: t.exposeBoolean('readOnly'),
    driver: t.exposeString('driver', {
      nullable: true,
      description: 'The volume driver, for a VOLUME mount.',
    }),
  }),
});

export const ContainerRef = builder.objectRef<Container>('Container').implement({
  fields: (t) => ({
    environment: t.exposeString('environment', {
      description: 'The environment (Docker host) it lives on; its fields are read there.',
    }),
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    image: t.exposeString('image', { description: 'The reference the container was created from.' }),
    imageId: t.exposeString('imageId'),
    command: t.exposeStringList('command'),
    status: t.field({ type: ContainerStatusEnum, resolve: (c) => c.status }),
    exitCode: t.exposeInt('exitCode', {
      nullable: true,
      description: 'Set once the container has exited; null while it was never stopped or runs.',
    }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.finishedAt }),
    oomKilled: t.exposeBoolean('oomKilled'),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    health: t.field({ type: HealthStatusEnum, resolve: (c) => c.health }),
    restartCount: t.exposeInt('restartCount'),
    restartPolicy: t.field({ type: RestartPolicyRef, resolve: (c) => c.restartPolicy }),
    env: t.field({ type: [KeyValueRef], resolve: (c) => c.env }),
    ports: t.field({ type: [PortBindingRef], resolve: (c) => c.ports }),
    labels: t.field({ type: [KeyValueRef], resolve: (c) => c.labels }),
    resources: t.field({ type: ResourcesRef, resolve: (c) => c.resources }),
    tty: t.exposeBoolean('tty'),
    networks: t.field({
      type: [ContainerNetworkRef],
      description: 'The networks it is attached to, by name.',
      resolve: (c) => c.networks,
    }),
    mounts: t.field({ type: [ContainerMountRef], resolve: (c) => c.mounts }),
  }),
});

export const KeyValueInput = builder.inputType('KeyValueInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

export const PortInput = builder.inputType('PortInput', {
  fields: (t) => ({
    containerPort: t.int({ required: true }),
    protocol: t.field({ type: PortProtocolEnum, defaultValue: 'tcp' }),
    hostPort: t.int({ description: 'Omit to let the engine pick a free port.' }),
    hostIp: t.string({ description: 'Host address to bind, e.g. 127.0.0.1; all addresses when omitted.' }),
  }),
});

export const RestartPolicyInput = builder.inputType('RestartPolicyInput', {
  fields: (t) => ({
    name: t.field({ type: RestartPolicyNameEnum, required: true }),
    maximumRetryCount: t.int({ description: 'Only with ON_FAILURE.' }),
  }),
});

export const HealthcheckInput = builder.inputType('HealthcheckInput', {
  fields: (t) => ({
    test: t.stringList({
      required: true,
      description: 'As Docker takes it: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"].',
    }),
    intervalSeconds: t.float(),
    timeoutSeconds: t.float(),
    retries: t.int(),
    startPeriodSeconds: t.float(),
  }),
});

export const ResourcesInput = builder.inputType('ResourcesInput', {
  fields: (t) => ({
    memoryBytes: t.field({ type: 'SafeInt', description: 'At least 6 MiB.' }),
    cpus: t.float({ description: 'Number of CPUs, e.g. 0.5.' }),
  }),
});

export const CreateContainerInput = builder.inputType('CreateContainerInput', {
  fields: (t) => ({
    name: t.string(),
    image: t.string({ required: true, description: 'Pulled first when the engine does not have it.' }),
    env: t.field({ type: [KeyValueInput] }),
    ports: t.field({ type: [PortInput] }),
    command: t.stringList(),
    restartPolicy: t.field({ type: RestartPolicyInput }),
    healthcheck: t.field({ type: HealthcheckInput }),
    labels: t.field({ type: [KeyValueInput] }),
    resources: t.field({ type: ResourcesInput }),
    privileged: t.boolean({ description: 'Refused unless the create policy allows it.' }),
    hostNamespaces: t.field({
      type: [HostNamespaceEnum],
      description: 'Refused unless the create policy allows it.',
    }),
    capAdd: t.stringList({ description: 'Capabilities to add; each must be allowed by the create policy.' }),
    devices: t.stringList({ description: 'Host devices; refused unless the create policy allows them.' }),
    securityOpt: t.stringList({
      description: 'Only no-new-privileges unless the create policy allows unconfined options.',
    }),
    mounts: t.field({
      type: [MountInput],
      description: 'Named volumes; bind mounts only from host paths the create policy allows.',
    }),
    networks: t.field({
      type: [NetworkAttachmentInput],
      description:
        'User networks to join, in order (the default bridge when omitted); containers on one ' +
        'reach each other by name and aliases. `host` is the host’s network namespace, under the ' +
        'create policy.',
    }),
    volumes: t.field({
      type: [VolumeMountInput],
      description: 'Named volumes to mount; the engine creates a missing one. Never a host path.',
    }),
    tty: t.boolean({
      defaultValue: false,
      description: 'Give it a terminal (its logs are then one raw stream).',
    }),
    start: t.boolean({ defaultValue: true }),
  }),
});

const HostNamespaceEnum = builder.enumType('HostNamespace', { values: HOST_NAMESPACES });
const MountTypeEnum = builder.enumType('MountType', { values: ['BIND', 'VOLUME'] as const });
export const MountInput = builder.inputType('MountInput', {
  fields: (t) => ({
    type: t.field({ type: MountTypeEnum, required: true }),
    source: t.string({ required: true, description: 'A volume name, or a host path for BIND.' }),
    target: t.string({ required: true, description: 'An absolute path in the container.' }),
    readOnly: t.boolean({ defaultValue: false }),
  }),
});

export const NetworkAttachmentInput = builder.inputType('NetworkAttachmentInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'A network name, id or unique id prefix.' }),
    aliases: t.stringList({ description: 'More DNS names it answers to on this network.' }),
  }),
});

export const VolumeMountInput = builder.inputType('VolumeMountInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'A volume name (never a path).' }),
    target: t.string({ required: true, description: 'An absolute path in the container.' }),
    readOnly: t.boolean({ defaultValue: false }),
  }),
});

export const ContainerFilterInput = builder.inputType('ContainerFilter', {
  fields: (t) => ({
    status: t.field({ type: ContainerStatusEnum }),
    name: t.string({ description: 'Part of the name.' }),
    label: t.string({ description: '`key` or `key=value`.' }),
    image: t.string({ description: 'The image reference the container was created from.' }),
  }),
});

builder.queryFields((t) => ({
  containers: t.field({
    type: [ContainerRef],
    description:
      'Newest first. With allEnvironments, those of every environment the token may use, each ' +
      "environment's in turn (`local` first); an environment whose engine does not answer is left " +
      'out at once, and the answer carries one error per such environment beside the data ' +
      '(code ENGINE_UNAVAILABLE, extensions.environment its name).',
    args: {
      filter: t.arg({ type: ContainerFilterInput }),
      environment: t.arg.string(ENVIRONMENT_ARG),
      allEnvironments: t.arg.boolean(ALL_ENVIRONMENTS_ARG),
    },
    resolve: (_, { filter, environment, allEnvironments }, context, info) => {
      const parsed = validateFilter(filter);
      if (!allEnvironments) return environmentOf(context, environment).containers.list(parsed);
      return context.environments.list(context.principal).flatMap(({ name, containers }) => {
        try {
          return containers.list(parsed);
        } catch (error) {
          if (!(error instanceof EngineUnavailableError)) throw error;
          reportEnvironmentGap(context, info, name, error);
          return [];
        }
      });
    },
  }),
  container: t.field({
    type: ContainerRef,
    nullable: true,
    description: 'By full id, unique id prefix or name; null when nothing matches.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { id, environment }, context) => {
      const { containers } = environmentOf(context, environment);
      try {
        return await containers.get(validateContainerRef(id));
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },
  }),
}));

const referenceErrors = [
  InvalidInputError,
  NotFoundError,
  AmbiguousIdError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
];
const containerResult = { dataField: { name: 'container' } } as const;

builder.mutationFields((t) => ({
  createContainer: t.field({
    type: ContainerRef,
    args: {
      input: t.arg({ type: CreateContainerInput, required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      ...containerResult,
      types: [
        InvalidInputError,
        NameConflictError,
        ImageNotFoundError,
        RegistryUnavailableError,
        ...CREDENTIAL_ERRORS,
        PortUnavailableError,
        StartFailedError,
        PolicyViolationError,
        QuotaExceededError,
        NetworkNotFoundError,
        EngineUnavailableError,
        EngineRefusedError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: (_, { input, environment }, context) =>
      environmentOf(context, environment).containers.create(validateCreateSpec(input, ['input']), {
        fieldPrefix: 'input.',
        actor: {
          tokenId: context.principal?.tokenId ?? null,
          tokenName: context.principal?.name ?? null,
          action: 'createContainer',
        },
      }),
  }),
  startContainer: t.field({
    type: ContainerRef,
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: {
      ...containerResult,
      types: [...referenceErrors, PortUnavailableError, StartFailedError, InvalidStateError],
    },
    resolve: (_, { id, environment }, context) =>
      environmentOf(context, environment).containers.start(validateContainerRef(id)),
  }),
  stopContainer: t.field({
    type: ContainerRef,
    args: {
      id: t.arg.string({ required: true }),
      timeoutSeconds: t.arg.int({
        description: 'Grace period before SIGKILL; the container’s own default when omitted.',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { ...containerResult, types: [...referenceErrors, InvalidStateError] },
    resolve: (_, { id, timeoutSeconds, environment }, context) =>
      environmentOf(context, environment).containers.stop(
        validateContainerRef(id),
        validateStopTimeout(timeoutSeconds),
      ),
  }),
  restartContainer: t.field({
    type: ContainerRef,
    args: {
      id: t.arg.string({ required: true }),
      timeoutSeconds: t.arg.int(),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      ...containerResult,
      types: [...referenceErrors, PortUnavailableError, StartFailedError, InvalidStateError],
    },
    resolve: (_, { id, timeoutSeconds, environment }, context) =>
      environmentOf(context, environment).containers.restart(
        validateContainerRef(id),
        validateStopTimeout(timeoutSeconds),
      ),
  }),
  removeContainer: t.field({
    type: ContainerRef,
    description: 'Returns the container as it was just before removal.',
    args: {
      id: t.arg.string({ required: true }),
      force: t.arg.boolean({ defaultValue: false, description: 'Kill and remove a running container.' }),
      removeVolumes: t.arg.boolean({ defaultValue: false }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { ...containerResult, types: [...referenceErrors, InvalidStateError] },
    resolve: (_, { id, force, removeVolumes, environment }, context) =>
      environmentOf(context, environment).containers.remove(validateContainerRef(id), {
        force: force ?? false,
        removeVolumes: removeVolumes ?? false,
      }),
  }),
}));
