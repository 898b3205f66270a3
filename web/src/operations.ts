import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
import type {
  DashboardContainerFragment,
  DashboardEnvironmentFragment,
  DashboardEnvironmentChangedSubscription,
  DashboardImageUpdateFragment,
  DashboardCheckImageUpdatesMutation,
  DashboardRegistryCredentialsQuery,
  DashboardSyncStackMutation,
  DashboardDeployStackFromGitMutation,
  DashboardStackWebhookQuery,
  DashboardEventsSubscription,
  DashboardLogsSubscription,
  DashboardRemoveMutation,
  DashboardRestartMutation,
  DashboardStartMutation,
  DashboardStatsPointFragment,
  DashboardStatsSubscription,
  DashboardStopMutation,
  DashboardStackFragment,
  DashboardStacksQuery,
  DashboardStackHistoryQuery,
  DashboardDeployStackMutation,
  DashboardStackProgressSubscription,
} from './gql/graphql.js';

/**
 * Every GraphQL document the dashboard sends. GraphQL Code Generator (`npm run codegen`) checks
 * them against the checked-in schema.graphql and writes their result types to ./gql/, so a schema
 * change that breaks the dashboard fails codegen and `npm run typecheck` rather than the browser;
 * test/unit/generated.test.ts fails when ./gql/ is not what codegen writes.
 */

export type {
  ContainerEventType,
  ContainerStatus,
  CreateContainerInput,
  HealthStatus,
  LogStream,
  PortProtocol,
  RestartPolicyName,
} from './gql/graphql.js';

graphql(`
  fragment DashboardImageUpdate on ImageUpdate {
    reference
    status
    localDigest
    since
    checkedAt
    error
  }
`);

/** The last check of a tag against its registry, as badges show it. */
export type ImageUpdate = DashboardImageUpdateFragment;

graphql(`
  fragment DashboardContainer on Container {
    id
    name
    environment
    image
    command
    status
    health
    restartCount
    exitCode
    createdAt
    startedAt
    ports {
      containerPort
      protocol
      hostIp
      hostPort
    }
    restartPolicy {
      name
      maximumRetryCount
    }
    # Spelled out, not the DashboardImageUpdate fragment: every fragment counts towards berth's query
    # depth limit, and createContainer's answer reaches it with one more.
    imageUpdate {
      reference
      status
      localDigest
      since
      checkedAt
      error
    }
  }
`);

/** A container as the table and the detail show it. */
export type Container = DashboardContainerFragment;

export const CONTAINERS = graphql(`
  query DashboardContainers($environment: String!, $allEnvironments: Boolean!) {
    containers(environment: $environment, allEnvironments: $allEnvironments) {
      ...DashboardContainer
    }
  }
`);

graphql(`
  fragment DashboardEnvironment on Environment {
    name
    status
    downSince
    lastError
  }
`);

/** The Docker hosts berth drives, `local` first, for the switcher. */
export const ENVIRONMENTS = graphql(`
  query DashboardEnvironments {
    environments {
      ...DashboardEnvironment
    }
  }
`);
export type Environment = DashboardEnvironmentFragment;

/** Each change of an environment the token may use: what keeps the switcher's states current. */
export const ENVIRONMENT_CHANGES = graphql(`
  subscription DashboardEnvironmentChanged {
    environmentChanged {
      kind
      environment {
        ...DashboardEnvironment
      }
    }
  }
`);
export type EnvironmentChange = DashboardEnvironmentChangedSubscription['environmentChanged'];

/** Asked once, with the token, to tell a refused token from a working one. */
export const WHO_AM_I = graphql(`
  query DashboardSystem {
    system {
      engine {
        up
      }
      statsSource
    }
  }
`);

graphql(`
  fragment DashboardStatsPoint on ContainerStats {
    at
    cpuPercent
    memoryUsageBytes
    memoryLimitBytes
  }
`);

/** One point of a chart, from history or from a live tick. */
export type StatsPoint = DashboardStatsPointFragment;

/** The samples berth kept for a container, oldest first: charts open with them. */
export const STATS_HISTORY = graphql(`
  query DashboardStatsHistory(
    $id: String!
    $environment: String!
    $from: DateTime
    $to: DateTime
    $stepSeconds: Int
  ) {
    container(id: $id, environment: $environment) {
      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {
        ...DashboardStatsPoint
      }
    }
  }
`);

/** One message per tick with a sample of every running container: the only stats stream. */
export const STATS_BATCHES = graphql(`
  subscription DashboardStats($environment: String!, $allEnvironments: Boolean!) {
    containersStats(environment: $environment, allEnvironments: $allEnvironments) {
      at
      leftOut
      samples {
        containerId
        ...DashboardStatsPoint
      }
    }
  }
`);
export type StatsSample = DashboardStatsSubscription['containersStats']['samples'][number];

export const CONTAINER_EVENTS = graphql(`
  subscription DashboardEvents($environment: String!, $allEnvironments: Boolean!, $after: String) {
    containerEvents(environment: $environment, allEnvironments: $allEnvironments, after: $after) {
      cursor
      environment
      type
      at
      containerId
      exitCode
      health
      container {
        ...DashboardContainer
      }
    }
  }
`);
export type ContainerEvent = DashboardEventsSubscription['containerEvents'];

export const CONTAINER_LOGS = graphql(`
  subscription DashboardLogs($id: String!, $environment: String!, $tail: Int, $since: DateTime) {
    containerLogs(id: $id, environment: $environment, tail: $tail, since: $since) {
      stream
      at
      text
    }
  }
`);
export type LogLine = DashboardLogsSubscription['containerLogs'];

export const CREATE_CONTAINER = graphql(`
  mutation DashboardCreate($environment: String!, $input: CreateContainerInput!) {
    createContainer(environment: $environment, input: $input) {
      __typename
      ... on CreateContainerSuccess {
        container {
          ...DashboardContainer
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'remove';

/**
 * What any lifecycle mutation answers. Each document names its field `result`, so one type covers
 * all four: the container on success, else a typed error (`field` for bad input).
 */
export type LifecycleResult =
  DashboardStartMutation | DashboardStopMutation | DashboardRestartMutation | DashboardRemoveMutation;

/** The lifecycle mutations, one document each. */
export const LIFECYCLE: Record<
  LifecycleAction,
  TypedDocumentNode<LifecycleResult, { id: string; environment: string }>
> = {
  start: graphql(`
    mutation DashboardStart($id: String!, $environment: String!) {
      result: startContainer(id: $id, environment: $environment) {
        __typename
        ... on StartContainerSuccess {
          container {
            ...DashboardContainer
          }
        }
        ... on Error {
          code
          message
        }
        ... on InvalidInputError {
          field
        }
      }
    }
  `),
  stop: graphql(`
    mutation DashboardStop($id: String!, $environment: String!) {
      result: stopContainer(id: $id, environment: $environment) {
        __typename
        ... on StopContainerSuccess {
          container {
            ...DashboardContainer
          }
        }
        ... on Error {
          code
          message
        }
        ... on InvalidInputError {
          field
        }
      }
    }
  `),
  restart: graphql(`
    mutation DashboardRestart($id: String!, $environment: String!) {
      result: restartContainer(id: $id, environment: $environment) {
        __typename
        ... on RestartContainerSuccess {
          container {
            ...DashboardContainer
          }
        }
        ... on Error {
          code
          message
        }
        ... on InvalidInputError {
          field
        }
      }
    }
  `),
  // Force: the button says it kills a running container, as `docker rm -f` does.
  remove: graphql(`
    mutation DashboardRemove($id: String!, $environment: String!) {
      result: removeContainer(id: $id, environment: $environment, force: true) {
        __typename
        ... on RemoveContainerSuccess {
          container {
            ...DashboardContainer
          }
        }
        ... on Error {
          code
          message
        }
        ... on InvalidInputError {
          field
        }
      }
    }
  `),
};

// Compose stacks (the Stacks page).

export type {
  StackDeployStep,
  StackResourceAction,
  StackServiceAction,
  StackServiceOutcome,
} from './gql/graphql.js';

/** A stack as the list shows it: no file, no containers. */
export const STACKS = graphql(`
  query DashboardStacks {
    stacks {
      name
      status
      managed
      deployedAt
      services {
        name
        desiredReplicas
        runningReplicas
      }
    }
  }
`);
export type StackSummary = DashboardStacksQuery['stacks'][number];

graphql(`
  fragment DashboardStack on Stack {
    name
    status
    managed
    hash
    deployedAt
    compose
    env
    source {
      repository
      ref
      path
      commit
      syncedAt
      pollMinutes
      auth
    }
    services {
      name
      desiredReplicas
      runningReplicas
      healthyReplicas
      imageUpdate {
        reference
        status
        localDigest
        since
        checkedAt
        error
      }
      containers {
        id
        name
        status
        health
      }
    }
  }
`);

/** A stack as its view shows it: its services with their containers, and its file. */
export type Stack = DashboardStackFragment;
export type StackService = Stack['services'][number];

export const STACK = graphql(`
  query DashboardStackView($name: String!) {
    stack(name: $name) {
      ...DashboardStack
    }
  }
`);

export const STACK_HISTORY = graphql(`
  query DashboardStackHistory($name: String!) {
    stackHistory(name: $name, limit: 50) {
      __typename
      ... on StackHistorySuccess {
        data {
          at
          action
          actor
          ok
          hash
          summary
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
export type StackHistoryEntry = Extract<
  DashboardStackHistoryQuery['stackHistory'],
  { __typename: 'StackHistorySuccess' }
>['data'][number];

export const DEPLOY_STACK = graphql(`
  mutation DashboardDeployStack($input: DeployStackInput!) {
    deployStack(input: $input) {
      __typename
      ... on DeployStackResult {
        applied
        ok
        plan {
          stack
          hash
          changes
          services {
            service
            action
            currentReplicas
            desiredReplicas
            reason
          }
          resources {
            kind
            key
            name
            action
          }
        }
        outcomes {
          service
          outcome
          message
        }
      }
      ... on InvalidComposeError {
        problems {
          path
          line
          column
          message
          key
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);
export type DeployStackAnswer = DashboardDeployStackMutation['deployStack'];
export type DeployStackResult = Extract<DeployStackAnswer, { __typename: 'DeployStackResult' }>;
export type StackPlan = DeployStackResult['plan'];
export type ComposeProblem = Extract<
  DeployStackAnswer,
  { __typename: 'InvalidComposeError' }
>['problems'][number];

export const STACK_DEPLOY_PROGRESS = graphql(`
  subscription DashboardStackProgress($name: String!) {
    stackDeployProgress(name: $name) {
      at
      step
      service
      container
      message
    }
  }
`);
export type StackProgress = DashboardStackProgressSubscription['stackDeployProgress'];

export const SCALE_STACK_SERVICE = graphql(`
  mutation DashboardScaleStackService($stack: String!, $service: String!, $replicas: Int!) {
    result: scaleStackService(stack: $stack, service: $service, replicas: $replicas) {
      __typename
      ...DashboardStack
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);

export const START_STACK = graphql(`
  mutation DashboardStartStack($name: String!) {
    result: startStack(name: $name) {
      __typename
      ...DashboardStack
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const STOP_STACK = graphql(`
  mutation DashboardStopStack($name: String!) {
    result: stopStack(name: $name) {
      __typename
      ...DashboardStack
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const REMOVE_STACK = graphql(`
  mutation DashboardRemoveStack($name: String!, $volumes: Boolean!) {
    result: removeStack(name: $name, volumes: $volumes) {
      __typename
      ... on Stack {
        name
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

// Image updates (badges) and registry credentials (the Registries page).

/** Asks every tag's registry now (operator); the answer has one result per tag in use. */
export const CHECK_IMAGE_UPDATES = graphql(`
  mutation DashboardCheckImageUpdates {
    checkImageUpdates {
      __typename
      ... on CheckImageUpdatesSuccess {
        updates {
          ...DashboardImageUpdate
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
export type CheckImageUpdatesAnswer = DashboardCheckImageUpdatesMutation['checkImageUpdates'];

/** Each change a check (scheduled or asked for) finds, for every tag. */
export const IMAGE_UPDATES = graphql(`
  subscription DashboardImageUpdates {
    imageUpdates {
      ...DashboardImageUpdate
    }
  }
`);

/** Admin only: FORBIDDEN for any other token. Never a password. */
export const REGISTRY_CREDENTIALS = graphql(`
  query DashboardRegistryCredentials {
    registryCredentials {
      registry
      username
      createdAt
      updatedAt
      lastUsedAt
    }
  }
`);
export type RegistryCredential = DashboardRegistryCredentialsQuery['registryCredentials'][number];

export const SAVE_REGISTRY_CREDENTIAL = graphql(`
  mutation DashboardSaveRegistryCredential($registry: String!, $username: String!, $password: String!) {
    result: saveRegistryCredential(registry: $registry, username: $username, password: $password) {
      __typename
      ... on SaveRegistryCredentialSuccess {
        credential {
          registry
          username
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const REMOVE_REGISTRY_CREDENTIAL = graphql(`
  mutation DashboardRemoveRegistryCredential($registry: String!) {
    result: removeRegistryCredential(registry: $registry) {
      __typename
      ... on RemoveRegistryCredentialSuccess {
        credential {
          registry
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

// Stacks from git: sync, deploy from a repository, the push webhook.

export type { GitAuthKind } from './gql/graphql.js';

/** Fetches the stack's repository again; deploys only when the commit or the files changed. */
export const SYNC_STACK = graphql(`
  mutation DashboardSyncStack($name: String!) {
    syncStack(name: $name) {
      __typename
      ... on SyncStackSuccess {
        changed
        commit
        previousCommit
        deploy {
          ok
          outcomes {
            service
            outcome
            message
          }
        }
      }
      ... on InvalidComposeError {
        problems {
          path
          line
          column
          message
          key
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);
export type SyncStackAnswer = DashboardSyncStackMutation['syncStack'];

export const DEPLOY_STACK_FROM_GIT = graphql(`
  mutation DashboardDeployStackFromGit($input: DeployStackFromGitInput!) {
    deployStackFromGit(input: $input) {
      __typename
      ... on DeployStackFromGitSuccess {
        source {
          repository
          ref
          path
          commit
        }
        deploy {
          applied
          ok
          plan {
            stack
            hash
            changes
            services {
              service
              action
              currentReplicas
              desiredReplicas
              reason
            }
            resources {
              kind
              key
              name
              action
            }
          }
          outcomes {
            service
            outcome
            message
          }
        }
      }
      ... on InvalidComposeError {
        problems {
          path
          line
          column
          message
          key
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on PolicyViolationError {
        field
      }
    }
  }
`);
export type DeployStackFromGitAnswer = DashboardDeployStackFromGitMutation['deployStackFromGit'];

/** Operator; null when the stack has no webhook yet. */
export const STACK_WEBHOOK = graphql(`
  query DashboardStackWebhook($stack: String!) {
    stackWebhook(stack: $stack) {
      url
      createdAt
      lastDeliveryAt
      lastOutcome
    }
  }
`);
export type StackWebhook = NonNullable<DashboardStackWebhookQuery['stackWebhook']>;

/** Admin: a new secret, answered this once; the old one stops working at once. */
export const ROTATE_STACK_WEBHOOK = graphql(`
  mutation DashboardRotateStackWebhook($stack: String!) {
    result: rotateStackWebhook(stack: $stack) {
      __typename
      ... on RotateStackWebhookSuccess {
        secret
        webhook {
          url
          createdAt
          lastDeliveryAt
          lastOutcome
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);
