import type { HealthcheckSpec } from '../../domain/containers/model.js';
import {
  EngineUnavailableError,
  EnvironmentNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NotSwarmManagerError,
  ServiceExistsError,
  ServiceNotFoundError,
} from '../../shared/errors.js';
import { StreamFailure } from '../../shared/stream-failure.js';
import {
  NODE_AVAILABILITIES,
  NODE_ROLES,
  NODE_STATES,
  PUBLISH_MODES,
  SERVICE_MODES,
  TASK_STATES,
  UPDATE_ORDERS,
  UPDATE_STATES,
  desiredTasks,
  isCurrentTask,
  runningTasks,
  type Service,
  type ServicePort,
  type ServiceTask,
  type ServiceUpdateStatus,
  type SwarmNode,
  type UpdatePolicy,
} from '../../domain/swarm/model.js';
import { ROLLOUT_STATES, type RolloutUpdate, type TaskTransition } from '../../domain/swarm/rollout.js';
import {
  validateReplicas,
  validateServiceChange,
  validateServiceRef,
  validateServiceSpec,
} from '../../domain/swarm/validation.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { HealthcheckInput, KeyValueInput, KeyValueRef, PortProtocolEnum } from './container.js';
import { ErrorInterface } from './errors.js';

/**
 * Docker Swarm: the swarm's nodes, its services and their tasks, rolling updates and rollbacks,
 * and a subscription that follows a rollout task by task. Needs an engine that is a swarm
 * manager; any other engine answers NOT_SWARM_MANAGER.
 */

const NodeRoleEnum = builder.enumType('SwarmNodeRole', { values: NODE_ROLES });
const NodeAvailabilityEnum = builder.enumType('SwarmNodeAvailability', {
  values: NODE_AVAILABILITIES,
  description:
    'ACTIVE takes new tasks; PAUSE keeps its tasks but takes no new ones; DRAIN moves its tasks away.',
});
const NodeStateEnum = builder.enumType('SwarmNodeState', { values: NODE_STATES });
const TaskStateEnum = builder.enumType('ServiceTaskState', {
  values: TASK_STATES,
  description: 'Docker’s task states; a task moves forward through them and never back.',
});
const ServiceModeEnum = builder.enumType('ServiceMode', {
  values: SERVICE_MODES,
  description: 'berth deploys REPLICATED services; the others appear when made by other tools.',
});
const PublishModeEnum = builder.enumType('PublishMode', {
  values: PUBLISH_MODES,
  description:
    'INGRESS: the routing mesh answers on the port on every node and balances over the tasks. ' +
    'HOST: each task binds the port on its own node (one task per node per published port).',
});
const FailureActionEnum = builder.enumType('UpdateFailureAction', {
  values: ['PAUSE', 'CONTINUE', 'ROLLBACK'] as const,
});
const RollbackFailureActionEnum = builder.enumType('RollbackFailureAction', {
  values: ['PAUSE', 'CONTINUE'] as const,
});
const UpdateOrderEnum = builder.enumType('UpdateOrder', {
  values: UPDATE_ORDERS,
  description: 'STOP_FIRST stops an old task before starting its replacement; START_FIRST overlaps them.',
});
const UpdateStateEnum = builder.enumType('ServiceUpdateState', { values: UPDATE_STATES });
const RolloutStateEnum = builder.enumType('RolloutState', {
  values: ROLLOUT_STATES,
  description:
    'The service’s update state as the swarm reports it; NONE before its first update, REMOVED once the service is gone.',
});

const SwarmNodeRef = builder.objectRef<SwarmNode>('SwarmNode').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    hostname: t.exposeString('hostname'),
    role: t.field({ type: NodeRoleEnum, resolve: (node) => node.role }),
    availability: t.field({ type: NodeAvailabilityEnum, resolve: (node) => node.availability }),
    state: t.field({ type: NodeStateEnum, resolve: (node) => node.state }),
    leader: t.exposeBoolean('leader', { description: 'The manager leading the swarm now.' }),
    engineVersion: t.exposeString('engineVersion', { nullable: true }),
    addr: t.exposeString('addr', { nullable: true, description: 'The node’s address in the swarm.' }),
    managerAddr: t.exposeString('managerAddr', {
      nullable: true,
      description: 'For a manager: where other nodes join, `host:2377`.',
    }),
  }),
});

const ServicePortRef = builder.objectRef<ServicePort>('ServicePort').implement({
  fields: (t) => ({
    targetPort: t.exposeInt('targetPort', { description: 'The port in the task’s container.' }),
    publishedPort: t.exposeInt('publishedPort', {
      nullable: true,
      description: 'null until assigned; a HOST port left to the engine is set per task.',
    }),
    protocol: t.field({ type: PortProtocolEnum, resolve: (port) => port.protocol }),
    publishMode: t.field({ type: PublishModeEnum, resolve: (port) => port.publishMode }),
  }),
});

const ServiceHealthcheckRef = builder.objectRef<HealthcheckSpec>('ServiceHealthcheck').implement({
  fields: (t) => ({
    test: t.exposeStringList('test'),
    intervalSeconds: t.float({ nullable: true, resolve: (check) => check.intervalSeconds ?? null }),
    timeoutSeconds: t.float({ nullable: true, resolve: (check) => check.timeoutSeconds ?? null }),
    retries: t.int({ nullable: true, resolve: (check) => check.retries ?? null }),
    startPeriodSeconds: t.float({ nullable: true, resolve: (check) => check.startPeriodSeconds ?? null }),
  }),
});

const UpdatePolicyRef = builder.objectRef<UpdatePolicy>('ServiceUpdatePolicy').implement({
  fields: (t) => ({
    parallelism: t.exposeInt('parallelism', { description: 'Tasks replaced at once; 0 is all at once.' }),
    delaySeconds: t.exposeFloat('delaySeconds', { description: 'Pause between batches.' }),
    failureAction: t.field({ type: FailureActionEnum, resolve: (policy) => policy.failureAction }),
    order: t.field({ type: UpdateOrderEnum, resolve: (policy) => policy.order }),
    monitorSeconds: t.exposeFloat('monitorSeconds', {
      description: 'How long each new task is watched for failure.',
    }),
    maxFailureRatio: t.exposeFloat('maxFailureRatio', {
      description: 'Share of tasks that may fail before failureAction applies.',
    }),
  }),
});

const UpdateStatusRef = builder.objectRef<ServiceUpdateStatus>('ServiceUpdateStatus').implement({
  fields: (t) => ({
    state: t.field({ type: UpdateStateEnum, resolve: (status) => status.state }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (status) => status.startedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (status) => status.completedAt }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

const ServiceTaskRef = builder.objectRef<ServiceTask>('ServiceTask').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    slot: t.exposeInt('slot', {
      nullable: true,
      description: 'The replica it fills; null for global services.',
    }),
    nodeId: t.exposeString('nodeId', { nullable: true, description: 'null until the swarm assigns a node.' }),
    state: t.field({ type: TaskStateEnum, resolve: (task) => task.state }),
    desiredState: t.field({ type: TaskStateEnum, resolve: (task) => task.desiredState }),
    message: t.exposeString('message', { nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed or was rejected.' }),
    containerId: t.exposeString('containerId', { nullable: true }),
    exitCode: t.exposeInt('exitCode', { nullable: true }),
    image: t.exposeString('image'),
    ports: t.field({
      type: [ServicePortRef],
      description: 'Ports this task published on its node (HOST mode).',
      resolve: (task) => task.ports,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => task.createdAt }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When it last changed state.',
      resolve: (task) => task.updatedAt,
    }),
  }),
});

const ServiceRef = builder.objectRef<Service>('Service').implement({
  description: 'A Docker Swarm service: a spec the swarm keeps running as tasks on its nodes.',
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    image: t.exposeString('image'),
    mode: t.field({ type: ServiceModeEnum, resolve: (service) => service.mode }),
    replicas: t.exposeInt('replicas', {
      nullable: true,
      description: 'Replicas asked for; null for global services.',
    }),
    runningTasks: t.int({
      description: 'Tasks running now that the swarm wants running.',
      resolve: (service) => runningTasks(service),
    }),
    desiredTasks: t.int({
      description: 'Tasks the swarm wants running: the replicas, or one per eligible node.',
      resolve: (service) => desiredTasks(service),
    }),
    command: t.exposeStringList('command', {
      description: 'Arguments to the image’s command; empty for its own.',
    }),
    env: t.field({ type: [KeyValueRef], resolve: (service) => service.env }),
    labels: t.field({ type: [KeyValueRef], resolve: (service) => service.labels }),
    ports: t.field({ type: [ServicePortRef], resolve: (service) => service.ports }),
    healthcheck: t.field({
      type: ServiceHealthcheckRef,
      nullable: true,
      description: 'null: the image’s own.',
      resolve: (service) => service.healthcheck,
    }),
    updateConfig: t.field({
      type: UpdatePolicyRef,
      nullable: true,
      description: 'null: the engine’s defaults (parallelism 1, no delay, PAUSE, STOP_FIRST, 5 s monitor).',
      resolve: (service) => service.updateConfig,
    }),
    rollbackConfig: t.field({
      type: UpdatePolicyRef,
      nullable: true,
      resolve: (service) => service.rollbackConfig,
    }),
    stopGracePeriodSeconds: t.float({
      nullable: true,
      description: 'null: the engine’s default (10 s).',
      resolve: (service) => service.stopGracePeriodSeconds,
    }),
    networks: t.exposeStringList('networks'),
    updateStatus: t.field({
      type: UpdateStatusRef,
      nullable: true,
      description: 'The last (or current) rolling update or rollback; null before the first.',
      resolve: (service) => service.updateStatus,
    }),
    version: t.exposeInt('version', { description: 'The swarm’s version of the service object.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (service) => service.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (service) => service.updatedAt }),
    tasks: t.field({
      type: [ServiceTaskRef],
      description: 'By slot, newest first within a slot.',
      args: {
        history: t.arg.boolean({
          defaultValue: false,
          description: 'Also the tasks the swarm has shut down or that failed, as far as it keeps them.',
        }),
      },
      resolve: (service, { history }) => (history ? service.tasks : service.tasks.filter(isCurrentTask)),
    }),
  }),
});

const TaskTransitionRef = builder.objectRef<TaskTransition>('TaskTransition').implement({
  description: 'One task’s step between two looks at the service.',
  fields: (t) => ({
    taskId: t.string({ resolve: (step) => step.task.id }),
    slot: t.int({ nullable: true, resolve: (step) => step.task.slot }),
    nodeId: t.string({ nullable: true, resolve: (step) => step.task.nodeId }),
    image: t.string({ resolve: (step) => step.task.image }),
    from: t.field({
      type: TaskStateEnum,
      nullable: true,
      description: 'null for a task that is new since the last message.',
      resolve: (step) => step.previousState,
    }),
    to: t.field({ type: TaskStateEnum, resolve: (step) => step.task.state }),
    desiredState: t.field({ type: TaskStateEnum, resolve: (step) => step.task.desiredState }),
    error: t.string({ nullable: true, resolve: (step) => step.task.error }),
    at: t.field({ type: 'DateTime', resolve: (step) => step.task.updatedAt }),
  }),
});

const ServiceRolloutRef = builder.objectRef<RolloutUpdate>('ServiceRollout').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (update) => update.at }),
    serviceId: t.string({ resolve: (update) => update.service.id }),
    serviceName: t.string({ resolve: (update) => update.service.name }),
    state: t.field({ type: RolloutStateEnum, resolve: (update) => update.state }),
    updateStatus: t.field({
      type: UpdateStatusRef,
      nullable: true,
      resolve: (update) => update.service.updateStatus,
    }),
    transitions: t.field({
      type: [TaskTransitionRef],
      description: 'Tasks that changed since the previous message; empty in the first.',
      resolve: (update) => update.transitions,
    }),
    service: t.field({
      type: ServiceRef,
      description: 'The service as last seen, with all its tasks (for REMOVED: just before).',
      resolve: (update) => update.service,
    }),
    done: t.exposeBoolean('done', { description: 'The last message: the rollout reached a final state.' }),
  }),
});

builder.objectType(ServiceNotFoundError, {
  name: 'ServiceNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ reference: t.exposeString('reference') }),
});
builder.objectType(ServiceExistsError, {
  name: 'ServiceExistsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('serviceName') }),
});

const ServicePortInput = builder.inputType('ServicePortInput', {
  fields: (t) => ({
    targetPort: t.int({ required: true }),
    publishedPort: t.int({
      description: 'Omit to let the swarm pick (30000-32767 for INGRESS, any free port for HOST).',
    }),
    protocol: t.field({ type: PortProtocolEnum, defaultValue: 'tcp' }),
    publishMode: t.field({ type: PublishModeEnum, defaultValue: 'INGRESS' }),
  }),
});

const UpdateConfigInput = builder.inputType('ServiceUpdateConfigInput', {
  description: 'Fields left out keep their value (the engine’s default for a new service).',
  fields: (t) => ({
    parallelism: t.int(),
    delaySeconds: t.float(),
    failureAction: t.field({ type: FailureActionEnum }),
    order: t.field({ type: UpdateOrderEnum }),
    monitorSeconds: t.float(),
    maxFailureRatio: t.float(),
  }),
});

const RollbackConfigInput = builder.inputType('ServiceRollbackConfigInput', {
  description: 'Fields left out keep their value (the engine’s default for a new service).',
  fields: (t) => ({
    parallelism: t.int(),
    delaySeconds: t.float(),
    failureAction: t.field({ type: RollbackFailureActionEnum }),
    order: t.field({ type: UpdateOrderEnum }),
    monitorSeconds: t.float(),
    maxFailureRatio: t.float(),
  }),
});

const DeployServiceInput = builder.inputType('DeployServiceInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'A DNS name component: letters, digits, "-", "_".' }),
    image: t.string({
      required: true,
      description: 'Each node pulls it (or uses its own copy) when it starts a task.',
    }),
    replicas: t.int({ defaultValue: 1 }),
    command: t.stringList({ description: 'Arguments to the image’s command (its CMD).' }),
    env: t.field({ type: [KeyValueInput] }),
    labels: t.field({ type: [KeyValueInput], description: 'Labels of the service.' }),
    ports: t.field({ type: [ServicePortInput] }),
    healthcheck: t.field({ type: HealthcheckInput }),
    updateConfig: t.field({ type: UpdateConfigInput }),
    rollbackConfig: t.field({ type: RollbackConfigInput }),
    stopGracePeriodSeconds: t.float({ description: 'Before SIGKILL when a task stops; 10 s when omitted.' }),
    networks: t.stringList({ description: 'Overlay networks (by name or id) the tasks join.' }),
  }),
});

const UpdateServiceInput = builder.inputType('UpdateServiceInput', {
  description:
    'Only what is given changes. Lists (env, labels, ports, networks, command) are replaced whole; ' +
    'updateConfig and rollbackConfig change field by field.',
  fields: (t) => ({
    image: t.string(),
    replicas: t.int(),
    command: t.stringList(),
    env: t.field({ type: [KeyValueInput] }),
    labels: t.field({ type: [KeyValueInput] }),
    ports: t.field({ type: [ServicePortInput] }),
    healthcheck: t.field({ type: HealthcheckInput }),
    updateConfig: t.field({ type: UpdateConfigInput }),
    rollbackConfig: t.field({ type: RollbackConfigInput }),
    stopGracePeriodSeconds: t.float(),
    networks: t.stringList(),
    force: t.boolean({
      description: 'Replace every task even if nothing else changes, as `docker service update --force`.',
    }),
  }),
});

const swarmErrors = [NotSwarmManagerError, EngineUnavailableError, EnvironmentNotFoundError];
const serviceErrors = [InvalidInputError, ServiceNotFoundError, ...swarmErrors];
const serviceResult = { dataField: { name: 'service' } } as const;

builder.queryFields((t) => ({
  nodes: t.field({
    type: [SwarmNodeRef],
    description:
      'The swarm’s nodes, managers and workers. NOT_SWARM_MANAGER when the engine is not a manager.',
    args: { environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { environment }, context) => environmentOf(context, environment).swarm.nodes(),
  }),
  services: t.field({
    type: [ServiceRef],
    description:
      'Every swarm service, by name, with its tasks. NOT_SWARM_MANAGER when the engine is not a manager.',
    args: { environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { environment }, context) => environmentOf(context, environment).swarm.list(),
  }),
  service: t.field({
    type: ServiceRef,
    nullable: true,
    description: 'By id, unique id prefix or name; null when none matches.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: (_, { id, environment }, context) =>
      environmentOf(context, environment).swarm.find(validateServiceRef(id)),
  }),
}));

builder.mutationFields((t) => ({
  deployService: t.field({
    type: ServiceRef,
    description:
      'Creates a replicated service. Answers once the swarm has it; its tasks are scheduled right ' +
      'after (query `tasks`, or follow `serviceRollout` for later updates).',
    args: {
      input: t.arg({ type: DeployServiceInput, required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { ...serviceResult, types: [InvalidInputError, ServiceExistsError, ...swarmErrors] },
    resolve: (_, { input, environment }, context) =>
      environmentOf(context, environment).swarm.deploy(validateServiceSpec(input, ['input'])),
  }),
  updateService: t.field({
    type: ServiceRef,
    description:
      'Changes the service. A change to its tasks (image, env, command, …) is a rolling update, ' +
      'done by the swarm as updateConfig says; this answers when it has begun. The service’s version ' +
      'is read and re-read when another writer got in first.',
    args: {
      id: t.arg.string({ required: true }),
      input: t.arg({ type: UpdateServiceInput, required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { ...serviceResult, types: [...serviceErrors, InvalidStateError] },
    resolve: (_, { id, input, environment }, context) =>
      environmentOf(context, environment).swarm.update(
        validateServiceRef(id),
        validateServiceChange(input, ['input']),
      ),
  }),
  rollbackService: t.field({
    type: ServiceRef,
    description:
      'Rolls the service back to its spec before the last update (as `docker service rollback`), ' +
      'task by task as rollbackConfig says. INVALID_STATE when it was never updated.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: { ...serviceResult, types: [...serviceErrors, InvalidStateError] },
    resolve: (_, { id, environment }, context) =>
      environmentOf(context, environment).swarm.rollback(validateServiceRef(id)),
  }),
  scaleService: t.field({
    type: ServiceRef,
    description: 'Sets the number of replicas (0 stops every task, keeping the service).',
    args: {
      id: t.arg.string({ required: true }),
      replicas: t.arg.int({ required: true }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { ...serviceResult, types: [...serviceErrors, InvalidStateError] },
    resolve: (_, { id, replicas, environment }, context) =>
      environmentOf(context, environment).swarm.scale(validateServiceRef(id), validateReplicas(replicas)),
  }),
  removeService: t.field({
    type: ServiceRef,
    description: 'Removes the service; the swarm stops its tasks. Returns it as it was just before.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    errors: { ...serviceResult, types: serviceErrors },
    resolve: (_, { id, environment }, context) =>
      environmentOf(context, environment).swarm.remove(validateServiceRef(id)),
  }),
}));

/** A failure ends the stream as this message's error (with its code). */
function unwrap(update: RolloutUpdate | StreamFailure): RolloutUpdate {
  if (update instanceof StreamFailure) throw update.error;
  return update;
}

builder.subscriptionFields((t) => ({
  serviceRollout: t.field({
    type: ServiceRolloutRef,
    description:
      'Follows a rolling update or rollback of the service, task by task, to its final state ' +
      '(COMPLETED, PAUSED, ROLLBACK_COMPLETED, ROLLBACK_PAUSED, or REMOVED), then completes. The ' +
      'first message says where things stand: when no rollout is in progress, the stream waits for ' +
      'the next one, so subscribe first, then update. Errors (SERVICE_NOT_FOUND, NOT_SWARM_MANAGER) ' +
      'arrive in errors[].extensions.code. berth looks at the service once a second while anyone follows it.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    subscribe: (_, { id, environment }, context) =>
      environmentOf(context, environment).swarm.watchRollout(validateServiceRef(id)),
    resolve: unwrap,
  }),
}));
