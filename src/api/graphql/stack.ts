import {
  EngineUnavailableError,
  EnvironmentNotFoundError,
  ImageNotFoundError,
  InvalidComposeError,
  InvalidInputError,
  NetworkNotFoundError,
  NotSwarmManagerError,
  PolicyViolationError,
  QuotaExceededError,
  RegistryUnavailableError,
  ServiceNotFoundError,
  StackBusyError,
  StackNotFoundError,
  StackNotRedeployableError,
  SubnetOverlapError,
  VolumeNotFoundError,
  type ComposeProblem,
} from '../../shared/errors.js';
import {
  DEPLOY_STEPS,
  RESOURCE_ACTIONS,
  SERVICE_ACTIONS,
  SERVICE_OUTCOMES,
  type ResourcePlan,
  type ServiceOutcome,
  type ServicePlan,
  type StackDeployProgress,
  type StackDeployResult,
  type StackHistoryEntry,
  type StackPlan,
  type StackServiceState,
  type StackState,
} from '../../domain/stacks/model.js';
import { validateStackName } from '../../domain/stacks/labels.js';
import { maskSecrets } from '../../domain/stacks/secrets.js';
import { hasRole } from '../../platform/auth/principal.js';
import type { CreateActor } from '../../domain/lifecycle/journal.js';
import { builder, deployable, type Context } from './builder.js';
import { ContainerRef } from './container.js';
import { ErrorInterface } from './errors.js';
import { reportEnvironmentGap } from './environment-gaps.js';
import { ALL_ENVIRONMENTS_ARG, ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { CREDENTIAL_ERRORS } from './registry.js';

/** Compose stacks: deploy a file (plan, then apply what changed), scale, start, stop, remove, follow. */

export const MAX_COMPOSE_BYTES = 1024 * 1024;

const enumOf = <T extends string>(name: string, values: readonly T[], description?: string) =>
  builder.enumType(name, {
    values: Object.fromEntries(values.map((value) => [value, { value }])) as Record<T, { value: T }>,
    ...(description !== undefined && { description }),
  });

const ServiceActionEnum = enumOf(
  'StackServiceAction',
  SERVICE_ACTIONS,
  'CREATE (none run), RECREATE (the config hash changed: every replica is replaced, health-gated), SCALE (only the count), START (some are stopped), UNCHANGED, REMOVE (no longer in the file, removeOrphans), ORPHAN (no longer in the file, kept).',
);
const ResourceActionEnum = enumOf('StackResourceAction', RESOURCE_ACTIONS);
const DeployStepEnum = enumOf(
  'StackDeployStep',
  DEPLOY_STEPS,
  'IDLE is only ever first (no deploy running; the next one is followed); DONE and FAILED are last.',
);
const OutcomeEnum = enumOf('StackServiceOutcome', SERVICE_OUTCOMES);

const ComposeProblemRef = builder.objectRef<ComposeProblem>('ComposeProblem').implement({
  description: 'One thing wrong with a compose file, where it is.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'e.g. services.web.ports[0]; empty for the whole file.' }),
    line: t.exposeInt('line', { nullable: true, description: '1-based, in the compose text.' }),
    column: t.exposeInt('column', { nullable: true }),
    message: t.exposeString('message'),
    key: t.exposeString('key', {
      nullable: true,
      description: 'For a key berth does not implement: its name.',
    }),
  }),
});

builder.objectType(InvalidComposeError, {
  name: 'InvalidComposeError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    problems: t.field({ type: [ComposeProblemRef], resolve: (error) => [...error.problems] }),
  }),
});
builder.objectType(StackNotFoundError, {
  name: 'StackNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ stack: t.exposeString('stackName') }),
});
builder.objectType(StackNotRedeployableError, {
  name: 'StackNotRedeployableError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ stack: t.exposeString('stackName'), reason: t.exposeString('reason') }),
});
builder.objectType(StackBusyError, {
  name: 'StackBusyError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ stack: t.exposeString('stackName') }),
});

const ServicePlanRef = builder.objectRef<ServicePlan>('StackServicePlan').implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    action: t.field({ type: ServiceActionEnum, resolve: (plan) => plan.action }),
    currentReplicas: t.exposeInt('currentReplicas'),
    desiredReplicas: t.exposeInt('desiredReplicas'),
    currentHash: t.exposeString('currentHash', { nullable: true }),
    desiredHash: t.exposeString('desiredHash', { nullable: true }),
    reason: t.exposeString('reason'),
  }),
});

const ResourcePlanRef = builder.objectRef<ResourcePlan>('StackResourcePlan').implement({
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'NETWORK or VOLUME.' }),
    key: t.exposeString('key', { description: 'Its key in the file.' }),
    name: t.exposeString('name', { description: 'Its name on the engine.' }),
    action: t.field({ type: ResourceActionEnum, resolve: (plan) => plan.action }),
  }),
});

const StackPlanRef = builder.objectRef<StackPlan>('StackPlan').implement({
  fields: (t) => ({
    stack: t.exposeString('stack'),
    hash: t.exposeString('hash', { description: 'SHA-256 of the file and its env text.' }),
    services: t.field({
      type: [ServicePlanRef],
      description: 'In the order they are applied: dependencies first, removals last.',
      resolve: (plan) => plan.services,
    }),
    resources: t.field({ type: [ResourcePlanRef], resolve: (plan) => plan.resources }),
    changes: t.exposeBoolean('changes', { description: 'Whether applying it changes anything.' }),
  }),
});

const ServiceOutcomeRef = builder.objectRef<ServiceOutcome>('StackServiceOutcomeEntry').implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    outcome: t.field({ type: OutcomeEnum, resolve: (outcome) => outcome.outcome }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

export const StackServiceRef = builder.objectRef<StackServiceState>('StackService').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    desiredReplicas: t.exposeInt('desiredReplicas'),
    runningReplicas: t.int({
      resolve: (service) => service.containers.filter((container) => container.status === 'RUNNING').length,
    }),
    healthyReplicas: t.int({
      resolve: (service) => service.containers.filter((container) => container.health === 'HEALTHY').length,
    }),
    containers: t.field({ type: [ContainerRef], resolve: (service) => service.containers }),
  }),
});

/** Viewers see the file and env with secret-looking values masked. */
const forRole = (text: string | null, context: Context) =>
  text === null || hasRole(context.principal, 'operator') ? text : maskSecrets(text);

export const StackRef = builder.objectRef<StackState>('Stack').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    environment: t.exposeString('environment', {
      description:
        'The environment (Docker host) the stack is on: the same name on another host is another stack.',
    }),
    managed: t.exposeBoolean('managed', {
      description: 'Whether berth deployed it (it has the file); false for a stack the Compose CLI started.',
    }),
    status: t.string({
      description: 'RUNNING (every desired replica runs), PARTIAL, STOPPED, or EMPTY (no containers).',
      resolve: (stack) => stackStatus(stack),
    }),
    services: t.field({ type: [StackServiceRef], resolve: (stack) => stack.services }),
    compose: t.string({
      nullable: true,
      description: 'The deployed file; secret-looking values masked for viewers.',
      resolve: (stack, _, context) => forRole(stack.compose, context),
    }),
    env: t.string({
      nullable: true,
      description: 'The deployed env text; secret-looking values masked for viewers.',
      resolve: (stack, _, context) => forRole(stack.env, context),
    }),
    hash: t.exposeString('hash', { nullable: true }),
    deployedAt: t.field({ type: 'DateTime', nullable: true, resolve: (stack) => stack.deployedAt }),
  }),
});

function stackStatus(stack: StackState): string {
  const containers = stack.services.flatMap((service) => service.containers);
  if (containers.length === 0) return 'EMPTY';
  const running = containers.filter((container) => container.status === 'RUNNING').length;
  if (running === 0) return 'STOPPED';
  const desired = stack.services.reduce((sum, service) => sum + service.desiredReplicas, 0);
  return running >= desired && running === containers.length ? 'RUNNING' : 'PARTIAL';
}

export const DeployResultRef = builder.objectRef<StackDeployResult>('DeployStackResult').implement({
  fields: (t) => ({
    plan: t.field({ type: StackPlanRef, resolve: (result) => result.plan }),
    applied: t.exposeBoolean('applied', { description: 'false for a dry run.' }),
    ok: t.exposeBoolean('ok', { description: 'Whether every service reached what the file asks.' }),
    outcomes: t.field({ type: [ServiceOutcomeRef], resolve: (result) => result.outcomes }),
  }),
});

const HistoryRef = builder.objectRef<StackHistoryEntry>('StackHistoryEntry').implement({
  fields: (t) => ({
    stack: t.exposeString('stack'),
    hash: t.exposeString('hash'),
    actor: t.exposeString('actor', { description: 'The token that did it.' }),
    action: t.exposeString('action', {
      description: 'DEPLOY, REDEPLOY, SCALE, START, STOP, REMOVE, or SYNC (syncStack, or a poll, from git).',
    }),
    ok: t.exposeBoolean('ok'),
    summary: t.exposeString('summary'),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
  }),
});

const ProgressRef = builder.objectRef<StackDeployProgress>('StackDeployProgress').implement({
  fields: (t) => ({
    stack: t.exposeString('stack'),
    step: t.field({ type: DeployStepEnum, resolve: (progress) => progress.step }),
    service: t.exposeString('service', { nullable: true }),
    container: t.exposeString('container', { nullable: true }),
    message: t.exposeString('message'),
    at: t.field({ type: 'DateTime', resolve: (progress) => progress.at }),
  }),
});

export const actorOf = (context: Context, action: string): CreateActor & { principal: string } => ({
  tokenId: context.principal?.tokenId ?? null,
  tokenName: context.principal?.name ?? null,
  action,
  principal: context.principal?.name ?? 'unknown',
});

const DeployStackInput = builder.inputType('DeployStackInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The stack (Compose project) name.' }),
    compose: t.string({ required: true, description: 'The compose file, as text (at most 1 MiB).' }),
    env: t.string({
      description: 'A `.env` text for interpolation; berth never reads its own environment for it.',
    }),
    dryRun: t.boolean({ defaultValue: false, description: 'Answer the plan and change nothing.' }),
    removeOrphans: t.boolean({
      defaultValue: false,
      description: 'Remove the containers of services no longer in the file.',
    }),
    profiles: t.stringList({
      description: 'Profiles to enable; COMPOSE_PROFILES of the env text when omitted.',
    }),
    timeoutSeconds: t.int({
      defaultValue: 120,
      description: 'How long a replica may take to be ready, and a service to wait for what it depends on.',
    }),
  }),
});

export const stackErrors = [
  InvalidInputError,
  StackNotFoundError,
  StackBusyError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
];

builder.queryFields((t) => ({
  stacks: t.field({
    type: [StackRef],
    description:
      'Every compose stack of the environment: those berth deployed and those whose containers carry Compose’s labels ' +
      '(started by the Compose CLI). With allEnvironments, those of every environment the token may use, `local`’s ' +
      'first, each with its environment; an environment whose engine does not answer is left out at once, and the ' +
      'answer carries one error per such environment beside the data (code ENGINE_UNAVAILABLE, extensions.environment its name).',
    args: {
      environment: t.arg.string(ENVIRONMENT_ARG),
      allEnvironments: t.arg.boolean(ALL_ENVIRONMENTS_ARG),
    },
    resolve: async (_, { environment, allEnvironments }, context, info) => {
      if (!allEnvironments) return environmentOf(context, environment).stacks.list();
      // Asked of every environment at once: a host that does not answer holds no other back.
      const answers = await Promise.all(
        context.environments.list(context.principal).map(async ({ name, stacks }) => {
          try {
            return await stacks.list();
          } catch (error) {
            if (!(error instanceof EngineUnavailableError)) throw error;
            reportEnvironmentGap(context, info, name, error);
            return [];
          }
        }),
      );
      return answers.flat();
    },
  }),
  stack: t.field({
    type: StackRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { name, environment }, context) => {
      const { stacks } = environmentOf(context, environment);
      try {
        return await stacks.get(validateStackName(name));
      } catch (error) {
        if (error instanceof StackNotFoundError || error instanceof InvalidInputError) return null;
        throw error;
      }
    },
  }),
  stackHistory: t.field({
    type: [HistoryRef],
    description: 'Who deployed, scaled, started, stopped or removed the stack and when, newest first.',
    args: {
      name: t.arg.string({ required: true }),
      limit: t.arg.int({ defaultValue: 100 }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { types: [InvalidInputError, EnvironmentNotFoundError] },
    resolve: (_, { name, limit: asked, environment }, context) => {
      const limit = asked ?? 100;
      if (limit < 1 || limit > 1000) throw new InvalidInputError('limit', 'must be from 1 to 1000');
      return environmentOf(context, environment).stacks.history(validateStackName(name), limit);
    },
  }),
}));

builder.mutationFields((t) => ({
  deployStack: t.field({
    type: DeployResultRef,
    description:
      'Deploys a compose file as a stack: validated (the compose-spec schema, and every key berth does not implement ' +
      'refused by name), planned per service against what runs (by config hash), and, unless dryRun, applied: only what ' +
      'changed, in dependency order, each replaced replica health-gated (the old one keeps serving when the new one ' +
      'fails; `outcomes` says why). On a swarm manager the file deploys as Swarm services. Follow it with stackDeployProgress.',
    args: {
      input: t.arg({ type: DeployStackInput, required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      directResult: true,
      types: [
        InvalidComposeError,
        PolicyViolationError,
        QuotaExceededError,
        NetworkNotFoundError,
        VolumeNotFoundError,
        SubnetOverlapError,
        NotSwarmManagerError,
        ...stackErrors,
      ],
    },
    resolve: (_, { input, environment }, context) => {
      if (Buffer.byteLength(input.compose, 'utf8') > MAX_COMPOSE_BYTES) {
        throw new InvalidInputError('input.compose', 'must be at most 1 MiB');
      }
      if (Buffer.byteLength(input.env ?? '', 'utf8') > MAX_COMPOSE_BYTES) {
        throw new InvalidInputError('input.env', 'must be at most 1 MiB');
      }
      const timeoutSeconds = input.timeoutSeconds ?? 120;
      if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
        throw new InvalidInputError('input.timeoutSeconds', 'must be from 1 to 3600');
      }
      return environmentOf(context, environment).stacks.deploy(
        {
          name: validateStackName(input.name, 'input.name'),
          compose: input.compose,
          env: input.env ?? '',
          dryRun: input.dryRun ?? false,
          removeOrphans: input.removeOrphans ?? false,
          ...(input.profiles && { profiles: input.profiles }),
          timeoutSeconds,
        },
        actorOf(context, 'deployStack'),
      );
    },
  }),
  redeployStack: t.field({
    ...deployable<{ name: string }>(({ name }) => ({ operation: 'REDEPLOY_STACK', target: name })),
    type: DeployResultRef,
    description:
      'Applies the file berth last deployed the stack from again, after pulling every service’s image (with pull; saved ' +
      'registry credentials apply): a service whose containers run another image than its reference names now is ' +
      'recreated (health-gated, as deployStack), the others are left alone. History action REDEPLOY. A stack the Compose ' +
      'CLI started, or one that runs as Swarm services, is STACK_NOT_REDEPLOYABLE. Follow it with stackDeployProgress. ' +
      'Operator, or a deploy token scoped REDEPLOY_STACK on this stack (of the environment the token is limited to).',
    args: {
      name: t.arg.string({ required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
      pull: t.arg.boolean({ defaultValue: true, description: 'Pull every service’s image first.' }),
    },
    errors: {
      directResult: true,
      types: [
        StackNotRedeployableError,
        PolicyViolationError,
        QuotaExceededError,
        NetworkNotFoundError,
        VolumeNotFoundError,
        ImageNotFoundError,
        RegistryUnavailableError,
        ...CREDENTIAL_ERRORS,
        ...stackErrors,
      ],
    },
    resolve: (_, { name, pull, environment }, context) =>
      environmentOf(context, environment).stacks.redeploy(
        validateStackName(name),
        actorOf(context, 'redeployStack'),
        {
          pull: pull ?? true,
        },
      ),
  }),
  scaleStackService: t.field({
    type: StackRef,
    description:
      'Sets how many replicas a service of the stack runs (until its file is deployed again). New replicas take the ' +
      'lowest free numbers; surplus ones go from the highest. A stack the Compose CLI started can be scaled down only.',
    args: {
      stack: t.arg.string({ required: true }),
      service: t.arg.string({ required: true }),
      replicas: t.arg.int({ required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      directResult: true,
      types: [...stackErrors, PolicyViolationError, QuotaExceededError, ServiceNotFoundError],
    },
    resolve: (_, args, context) =>
      environmentOf(context, args.environment).stacks.scale(
        validateStackName(args.stack, 'stack'),
        args.service,
        args.replicas,
        actorOf(context, 'scaleStackService'),
      ),
  }),
  startStack: t.field({
    type: StackRef,
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: { directResult: true, types: stackErrors },
    resolve: (_, { name, environment }, context) =>
      environmentOf(context, environment).stacks.start(
        validateStackName(name),
        actorOf(context, 'startStack'),
      ),
  }),
  stopStack: t.field({
    type: StackRef,
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: { directResult: true, types: stackErrors },
    resolve: (_, { name, environment }, context) =>
      environmentOf(context, environment).stacks.stop(validateStackName(name), actorOf(context, 'stopStack')),
  }),
  removeStack: t.field({
    type: StackRef,
    description:
      'Removes the stack’s containers and networks, and its volumes when asked; answers it as it was.',
    args: {
      name: t.arg.string({ required: true }),
      volumes: t.arg.boolean({ defaultValue: false }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { directResult: true, types: stackErrors },
    resolve: (_, { name, volumes, environment }, context) =>
      environmentOf(context, environment).stacks.remove(
        validateStackName(name),
        volumes ?? false,
        actorOf(context, 'removeStack'),
      ),
  }),
}));

builder.subscriptionFields((t) => ({
  stackDeployProgress: t.field({
    type: ProgressRef,
    description:
      'Follows the stack’s deploy (or scale) step by step and ends after DONE or FAILED. One in progress is replayed ' +
      'from its first step; with none, the first message is IDLE and the next one is followed (subscribe, take IDLE, ' +
      'then deploy, and nothing is missed).',
    args: { name: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    subscribe: (_, { name, environment }, context) =>
      environmentOf(context, environment).stacks.watch(validateStackName(name)),
    resolve: (progress) => progress,
  }),
}));
