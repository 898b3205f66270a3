import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import {
  AmbiguousIdError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NotFoundError,
  PolicyViolationError,
  RedeployInProgressError,
  RegistryUnavailableError,
} from '../../shared/errors.js';
import { RedeployFailedError } from '../../domain/redeploy/errors.js';
import {
  REDEPLOY_FAILURE_REASONS,
  REDEPLOY_HEALTH_GATES,
  REDEPLOY_STEPS,
  REDEPLOY_SWAPS,
  SPEC_CHANGE_KINDS,
  type FixedHostPort,
  type NetworkHandover,
  type PlannedNetwork,
  type RedeployFailure,
  type RedeployPlan,
  type RedeployProgress,
  type RedeployResult,
  type SpecChange,
} from '../../domain/redeploy/model.js';
import { validateRedeploy } from '../../domain/redeploy/validation.js';
import { builder, deployable } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf, inEnvironment, type InEnvironment } from './environment-scope.js';
import { ContainerRef, KeyValueInput } from './container.js';
import { ErrorInterface } from './errors.js';
import { HealthProbeRef } from './events.js';

/** Health-gated redeploys: the plan, the mutation, its progress and its typed failures. */

const RedeployStepEnum = builder.enumType('RedeployStep', {
  values: {
    IDLE: {
      description: 'No redeploy of the container runs; the next one will be followed. Only ever first.',
    },
    PLANNED: { description: 'The plan is made (the request passed its checks).' },
    PULLING: { description: 'The new image is being pulled (only when the engine lacks it).' },
    CREATING: {
      description: 'The new container is being created beside the old one, under a temporary name.',
    },
    STARTING: {},
    WAITING_HEALTHY: {
      description:
        'Waiting for its healthcheck to pass (or, without one, for it to stay running a few seconds).',
    },
    SWAPPING: {
      description: 'Traffic moves: names and aliases (or the host ports) go to the new container.',
    },
    DRAINING: { description: 'The old container, no longer named, finishes what was sent to it.' },
    REMOVING_OLD: {},
    DONE: { description: 'The new container serves under the old name. The last message.' },
    FAILED: {
      description:
        'The new container was removed and the old one kept serving; see `failure`. The last message.',
    },
  } satisfies Record<(typeof REDEPLOY_STEPS)[number], unknown>,
});

const RedeploySwapEnum = builder.enumType('RedeploySwap', {
  values: {
    NETWORK_ALIAS: {
      description:
        'Both containers run side by side; the names and aliases the service has on its networks move from the old one to the new one.',
    },
    HOST_PORT: {
      description:
        'The container publishes fixed host ports, which only one container can hold: they move in one step, and nothing answers on them for the (measured) moment between.',
    },
  } satisfies Record<(typeof REDEPLOY_SWAPS)[number], unknown>,
});

const RedeployHealthGateEnum = builder.enumType('RedeployHealthGate', {
  values: {
    HEALTHCHECK: { description: 'The new container must report HEALTHY.' },
    RUNNING: { description: 'It has no healthcheck: it must stay running, without a restart, for 3 s.' },
  } satisfies Record<(typeof REDEPLOY_HEALTH_GATES)[number], unknown>,
});

const RedeployFailureReasonEnum = builder.enumType('RedeployFailureReason', {
  values: REDEPLOY_FAILURE_REASONS,
});
const SpecChangeKindEnum = builder.enumType('SpecChangeKind', { values: SPEC_CHANGE_KINDS });

const SpecChangeRef = builder.objectRef<SpecChange>('RedeploySpecChange').implement({
  description: 'One field the replacement changes. Lists and objects are shown as JSON.',
  fields: (t) => ({
    field: t.exposeString('field', {
      description:
        '`image`, `imageId`, `command`, `entrypoint`, `workingDir`, `user`, `healthcheck`, `exposedPorts`, `env.<NAME>` or `labels.<name>`.',
    }),
    kind: t.field({ type: SpecChangeKindEnum, resolve: (c) => c.kind }),
    before: t.exposeString('before', { nullable: true }),
    after: t.exposeString('after', { nullable: true }),
  }),
});

const PlannedNetworkRef = builder.objectRef<PlannedNetwork>('RedeployPlannedNetwork').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    aliases: t.exposeStringList('aliases', {
      description:
        'The DNS names the new container answers to there: the old one’s aliases and its name (empty on the default bridge, which has no DNS).',
    }),
  }),
});

const FixedHostPortRef = builder.objectRef<FixedHostPort>('RedeployHostPort').implement({
  fields: (t) => ({
    containerPort: t.exposeInt('containerPort'),
    protocol: t.exposeString('protocol'),
    hostIp: t.exposeString('hostIp', { description: 'Empty: every address.' }),
    hostPort: t.exposeInt('hostPort'),
  }),
});

const RedeployPlanRef = builder.objectRef<RedeployPlan>('RedeployPlan').implement({
  fields: (t) => ({
    containerId: t.exposeString('containerId', { description: 'The container that would be replaced.' }),
    name: t.exposeString('name'),
    image: t.exposeString('image', { description: 'The image the new container runs.' }),
    pullRequired: t.exposeBoolean('pullRequired', {
      description:
        'The engine lacks the image: it is pulled first. Until then its defaults (ENV, CMD, healthcheck, …) are unknown, and `changes` compares only what the container sets itself.',
    }),
    swap: t.field({ type: RedeploySwapEnum, resolve: (p) => p.swap }),
    healthGate: t.field({ type: RedeployHealthGateEnum, resolve: (p) => p.healthGate }),
    networks: t.field({ type: [PlannedNetworkRef], resolve: (p) => p.networks }),
    fixedHostPorts: t.field({ type: [FixedHostPortRef], resolve: (p) => p.fixedHostPorts }),
    changes: t.field({
      type: [SpecChangeRef],
      description:
        'The running container’s configuration against its replacement’s, image defaults included.',
      resolve: (p) => p.changes,
    }),
  }),
});

const NetworkHandoverRef = builder.objectRef<NetworkHandover>('RedeployNetworkHandover').implement({
  fields: (t) => ({
    network: t.exposeString('network'),
    aliases: t.exposeStringList('aliases'),
    addressKept: t.exposeBoolean('addressKept', {
      description:
        'The old container kept its address there while it drained, so nothing sent to it was lost (the network has a subnet of its own). false: it left the network at the swap, and a request in flight to it then could fail.',
    }),
  }),
});

const RedeployFailureRef = builder.objectRef<RedeployFailure>('RedeployFailure').implement({
  fields: (t) => ({
    reason: t.field({ type: RedeployFailureReasonEnum, resolve: (f) => f.reason }),
    message: t.exposeString('message'),
    lastProbe: t.field({
      type: HealthProbeRef,
      nullable: true,
      description: 'The new container’s last healthcheck probe, when it had run.',
      resolve: (f) => f.lastProbe,
    }),
    exitCode: t.exposeInt('exitCode', { nullable: true, description: 'When the new container exited.' }),
  }),
});

const RedeployProgressRef = builder.objectRef<RedeployProgress>('RedeployProgress').implement({
  fields: (t) => ({
    containerId: t.exposeString('containerId', { description: 'The container being replaced.' }),
    name: t.exposeString('name'),
    step: t.field({ type: RedeployStepEnum, resolve: (p) => p.step }),
    at: t.field({ type: 'DateTime', resolve: (p) => p.at }),
    message: t.exposeString('message'),
    newContainerId: t.exposeString('newContainerId', { nullable: true }),
    failure: t.field({ type: RedeployFailureRef, nullable: true, resolve: (p) => p.failure }),
  }),
});

const RedeployContainerSuccessRef = builder
  .objectRef<InEnvironment<RedeployResult>>('RedeployContainerSuccess')
  .implement({
    fields: (t) => ({
      dryRun: t.exposeBoolean('dryRun'),
      plan: t.field({ type: RedeployPlanRef, resolve: (r) => r.plan }),
      container: t.field({
        type: ContainerRef,
        nullable: true,
        description: 'The container now serving under the name; null for a dry run.',
        resolve: (r, _, { environments }) => {
          if (r.containerId === null) return null;
          try {
            return environments.get(r.environment).containers.get(r.containerId);
          } catch (error) {
            if (error instanceof NotFoundError) return null;
            throw error;
          }
        },
      }),
      replacedContainerId: t.exposeString('replacedContainerId', { nullable: true }),
      handover: t.field({
        type: [NetworkHandoverRef],
        description: 'How the old container left each network that has DNS.',
        resolve: (r) => r.handover,
      }),
      hostPortGapMs: t.exposeInt('hostPortGapMs', {
        nullable: true,
        description: 'HOST_PORT swaps: how long the host ports had no container behind them.',
      }),
      warnings: t.exposeStringList('warnings', {
        description:
          'What went wrong after the new container took over (e.g. the old one could not be removed).',
      }),
    }),
  });

builder.objectType(RedeployInProgressError, {
  name: 'RedeployInProgressError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('containerName') }),
});

builder.objectType(RedeployFailedError, {
  name: 'RedeployFailedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    containerId: t.exposeString('containerId', { description: 'The old container, which kept serving.' }),
    reason: t.field({ type: RedeployFailureReasonEnum, resolve: (e) => e.failure.reason }),
    lastProbe: t.field({
      type: HealthProbeRef,
      nullable: true,
      description: 'The new container’s last healthcheck probe, when it had run.',
      resolve: (e) => e.failure.lastProbe,
    }),
    exitCode: t.int({ nullable: true, resolve: (e) => e.failure.exitCode }),
  }),
});

builder.mutationFields((t) => ({
  redeployContainer: t.field({
    // A deploy token redeploys its container as it is: another image or environment is more power.
    ...deployable<{ id: string; image?: string | null | undefined; env?: unknown; unsetEnv?: unknown }>(
      (args) =>
        args.image == null && args.env == null && args.unsetEnv == null
          ? { operation: 'REDEPLOY_CONTAINER', target: args.id }
          : null,
    ),
    type: RedeployContainerSuccessRef,
    description:
      'Replaces a running container with a copy of it (same ports, networks, mounts, limits, restart policy, labels, …) ' +
      'on another image and/or environment. The copy starts beside the old one under a temporary name and takes traffic ' +
      'only once HEALTHY (or, without a healthcheck, running for 3 s); then it takes the old one’s names, the old one ' +
      'drains and is removed. If the copy does not become ready it is removed and the old one never stopped serving ' +
      '(REDEPLOY_FAILED says why). With dryRun, answers the plan and changes nothing. Answers when it is over; the ' +
      'redeploy goes on if the client leaves. Follow it with redeployProgress. Operator, or a deploy token scoped ' +
      'REDEPLOY_CONTAINER on this container (id: its name; without image, env or unsetEnv).',
    args: {
      id: t.arg.string({ required: true, description: 'A full id, unique id prefix or name.' }),
      image: t.arg.string({
        description: 'The image to run; the current reference (looked up again) when omitted.',
      }),
      env: t.arg({
        type: [KeyValueInput],
        description: 'Variables to set or change; the container’s other own variables are kept.',
      }),
      unsetEnv: t.arg.stringList({ description: 'Own variables to drop.' }),
      dryRun: t.arg.boolean({ defaultValue: false }),
      healthTimeoutSeconds: t.arg.int({
        description: 'How long the new container has to become ready (default 60).',
      }),
      drainSeconds: t.arg.float({
        description:
          'How long the old container keeps serving what was already sent to it, after the swap (default 5).',
      }),
      stopTimeoutSeconds: t.arg.int({
        description: 'Grace period of the old container’s stop; its own default when omitted.',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      directResult: true,
      types: [
        InvalidInputError,
        NotFoundError,
        AmbiguousIdError,
        InvalidStateError,
        PolicyViolationError,
        RedeployInProgressError,
        RedeployFailedError,
        ImageNotFoundError,
        RegistryUnavailableError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: async (_, { environment, ...args }, context) =>
      inEnvironment(
        await environmentOf(context, environment).redeploy.redeploy(validateRedeploy(args)),
        environment,
      ),
  }),
}));

builder.subscriptionFields((t) => ({
  redeployProgress: t.field({
    type: RedeployProgressRef,
    description:
      'Follows the container’s redeploy step by step and ends after DONE or FAILED. A redeploy in progress is ' +
      'replayed from its first step; with none, the first message is IDLE and the next redeploy is followed ' +
      '(subscribe, take IDLE, then call redeployContainer, and nothing is missed). Ends when the container is removed meanwhile.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    subscribe: (_, { id, environment }, context) =>
      environmentOf(context, environment).redeploy.watch(validateContainerRef(id)),
    resolve: (progress) => progress,
  }),
}));
