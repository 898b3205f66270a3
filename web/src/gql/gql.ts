/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment DashboardContainer on Container {\n    id\n    name\n    image\n    command\n    status\n    health\n    restartCount\n    exitCode\n    createdAt\n    startedAt\n    ports {\n      containerPort\n      protocol\n      hostIp\n      hostPort\n    }\n    restartPolicy {\n      name\n      maximumRetryCount\n    }\n  }\n": typeof types.DashboardContainerFragmentDoc,
    "\n  query DashboardContainers {\n    containers {\n      ...DashboardContainer\n    }\n  }\n": typeof types.DashboardContainersDocument,
    "\n  query DashboardSystem {\n    system {\n      engine {\n        up\n      }\n      statsSource\n    }\n  }\n": typeof types.DashboardSystemDocument,
    "\n  fragment DashboardStatsPoint on ContainerStats {\n    at\n    cpuPercent\n    memoryUsageBytes\n    memoryLimitBytes\n  }\n": typeof types.DashboardStatsPointFragmentDoc,
    "\n  query DashboardStatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {\n    container(id: $id) {\n      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {\n        ...DashboardStatsPoint\n      }\n    }\n  }\n": typeof types.DashboardStatsHistoryDocument,
    "\n  subscription DashboardStats {\n    containersStats {\n      at\n      samples {\n        containerId\n        ...DashboardStatsPoint\n      }\n    }\n  }\n": typeof types.DashboardStatsDocument,
    "\n  subscription DashboardEvents($after: String) {\n    containerEvents(after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container {\n        ...DashboardContainer\n      }\n    }\n  }\n": typeof types.DashboardEventsDocument,
    "\n  subscription DashboardLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) {\n      stream\n      at\n      text\n    }\n  }\n": typeof types.DashboardLogsDocument,
    "\n  mutation DashboardCreate($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess {\n        container {\n          ...DashboardContainer\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardCreateDocument,
    "\n    mutation DashboardStart($id: String!) {\n      result: startContainer(id: $id) {\n        __typename\n        ... on StartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": typeof types.DashboardStartDocument,
    "\n    mutation DashboardStop($id: String!) {\n      result: stopContainer(id: $id) {\n        __typename\n        ... on StopContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": typeof types.DashboardStopDocument,
    "\n    mutation DashboardRestart($id: String!) {\n      result: restartContainer(id: $id) {\n        __typename\n        ... on RestartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": typeof types.DashboardRestartDocument,
    "\n    mutation DashboardRemove($id: String!) {\n      result: removeContainer(id: $id, force: true) {\n        __typename\n        ... on RemoveContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": typeof types.DashboardRemoveDocument,
    "\n  query DashboardStacks {\n    stacks {\n      name\n      status\n      managed\n      deployedAt\n      services {\n        name\n        desiredReplicas\n        runningReplicas\n      }\n    }\n  }\n": typeof types.DashboardStacksDocument,
    "\n  fragment DashboardStack on Stack {\n    name\n    status\n    managed\n    hash\n    deployedAt\n    compose\n    env\n    services {\n      name\n      desiredReplicas\n      runningReplicas\n      healthyReplicas\n      containers {\n        id\n        name\n        status\n        health\n      }\n    }\n  }\n": typeof types.DashboardStackFragmentDoc,
    "\n  query DashboardStackView($name: String!) {\n    stack(name: $name) {\n      ...DashboardStack\n    }\n  }\n": typeof types.DashboardStackViewDocument,
    "\n  query DashboardStackHistory($name: String!) {\n    stackHistory(name: $name, limit: 50) {\n      __typename\n      ... on StackHistorySuccess {\n        data {\n          at\n          action\n          actor\n          ok\n          hash\n          summary\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.DashboardStackHistoryDocument,
    "\n  mutation DashboardDeployStack($input: DeployStackInput!) {\n    deployStack(input: $input) {\n      __typename\n      ... on DeployStackResult {\n        applied\n        ok\n        plan {\n          stack\n          hash\n          changes\n          services {\n            service\n            action\n            currentReplicas\n            desiredReplicas\n            reason\n          }\n          resources {\n            kind\n            key\n            name\n            action\n          }\n        }\n        outcomes {\n          service\n          outcome\n          message\n        }\n      }\n      ... on InvalidComposeError {\n        problems {\n          path\n          line\n          column\n          message\n          key\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardDeployStackDocument,
    "\n  subscription DashboardStackProgress($name: String!) {\n    stackDeployProgress(name: $name) {\n      at\n      step\n      service\n      container\n      message\n    }\n  }\n": typeof types.DashboardStackProgressDocument,
    "\n  mutation DashboardScaleStackService($stack: String!, $service: String!, $replicas: Int!) {\n    result: scaleStackService(stack: $stack, service: $service, replicas: $replicas) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardScaleStackServiceDocument,
    "\n  mutation DashboardStartStack($name: String!) {\n    result: startStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardStartStackDocument,
    "\n  mutation DashboardStopStack($name: String!) {\n    result: stopStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardStopStackDocument,
    "\n  mutation DashboardRemoveStack($name: String!, $volumes: Boolean!) {\n    result: removeStack(name: $name, volumes: $volumes) {\n      __typename\n      ... on Stack {\n        name\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.DashboardRemoveStackDocument,
};
const documents: Documents = {
    "\n  fragment DashboardContainer on Container {\n    id\n    name\n    image\n    command\n    status\n    health\n    restartCount\n    exitCode\n    createdAt\n    startedAt\n    ports {\n      containerPort\n      protocol\n      hostIp\n      hostPort\n    }\n    restartPolicy {\n      name\n      maximumRetryCount\n    }\n  }\n": types.DashboardContainerFragmentDoc,
    "\n  query DashboardContainers {\n    containers {\n      ...DashboardContainer\n    }\n  }\n": types.DashboardContainersDocument,
    "\n  query DashboardSystem {\n    system {\n      engine {\n        up\n      }\n      statsSource\n    }\n  }\n": types.DashboardSystemDocument,
    "\n  fragment DashboardStatsPoint on ContainerStats {\n    at\n    cpuPercent\n    memoryUsageBytes\n    memoryLimitBytes\n  }\n": types.DashboardStatsPointFragmentDoc,
    "\n  query DashboardStatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {\n    container(id: $id) {\n      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {\n        ...DashboardStatsPoint\n      }\n    }\n  }\n": types.DashboardStatsHistoryDocument,
    "\n  subscription DashboardStats {\n    containersStats {\n      at\n      samples {\n        containerId\n        ...DashboardStatsPoint\n      }\n    }\n  }\n": types.DashboardStatsDocument,
    "\n  subscription DashboardEvents($after: String) {\n    containerEvents(after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container {\n        ...DashboardContainer\n      }\n    }\n  }\n": types.DashboardEventsDocument,
    "\n  subscription DashboardLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) {\n      stream\n      at\n      text\n    }\n  }\n": types.DashboardLogsDocument,
    "\n  mutation DashboardCreate($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess {\n        container {\n          ...DashboardContainer\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": types.DashboardCreateDocument,
    "\n    mutation DashboardStart($id: String!) {\n      result: startContainer(id: $id) {\n        __typename\n        ... on StartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": types.DashboardStartDocument,
    "\n    mutation DashboardStop($id: String!) {\n      result: stopContainer(id: $id) {\n        __typename\n        ... on StopContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": types.DashboardStopDocument,
    "\n    mutation DashboardRestart($id: String!) {\n      result: restartContainer(id: $id) {\n        __typename\n        ... on RestartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": types.DashboardRestartDocument,
    "\n    mutation DashboardRemove($id: String!) {\n      result: removeContainer(id: $id, force: true) {\n        __typename\n        ... on RemoveContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  ": types.DashboardRemoveDocument,
    "\n  query DashboardStacks {\n    stacks {\n      name\n      status\n      managed\n      deployedAt\n      services {\n        name\n        desiredReplicas\n        runningReplicas\n      }\n    }\n  }\n": types.DashboardStacksDocument,
    "\n  fragment DashboardStack on Stack {\n    name\n    status\n    managed\n    hash\n    deployedAt\n    compose\n    env\n    services {\n      name\n      desiredReplicas\n      runningReplicas\n      healthyReplicas\n      containers {\n        id\n        name\n        status\n        health\n      }\n    }\n  }\n": types.DashboardStackFragmentDoc,
    "\n  query DashboardStackView($name: String!) {\n    stack(name: $name) {\n      ...DashboardStack\n    }\n  }\n": types.DashboardStackViewDocument,
    "\n  query DashboardStackHistory($name: String!) {\n    stackHistory(name: $name, limit: 50) {\n      __typename\n      ... on StackHistorySuccess {\n        data {\n          at\n          action\n          actor\n          ok\n          hash\n          summary\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.DashboardStackHistoryDocument,
    "\n  mutation DashboardDeployStack($input: DeployStackInput!) {\n    deployStack(input: $input) {\n      __typename\n      ... on DeployStackResult {\n        applied\n        ok\n        plan {\n          stack\n          hash\n          changes\n          services {\n            service\n            action\n            currentReplicas\n            desiredReplicas\n            reason\n          }\n          resources {\n            kind\n            key\n            name\n            action\n          }\n        }\n        outcomes {\n          service\n          outcome\n          message\n        }\n      }\n      ... on InvalidComposeError {\n        problems {\n          path\n          line\n          column\n          message\n          key\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": types.DashboardDeployStackDocument,
    "\n  subscription DashboardStackProgress($name: String!) {\n    stackDeployProgress(name: $name) {\n      at\n      step\n      service\n      container\n      message\n    }\n  }\n": types.DashboardStackProgressDocument,
    "\n  mutation DashboardScaleStackService($stack: String!, $service: String!, $replicas: Int!) {\n    result: scaleStackService(stack: $stack, service: $service, replicas: $replicas) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n": types.DashboardScaleStackServiceDocument,
    "\n  mutation DashboardStartStack($name: String!) {\n    result: startStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.DashboardStartStackDocument,
    "\n  mutation DashboardStopStack($name: String!) {\n    result: stopStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.DashboardStopStackDocument,
    "\n  mutation DashboardRemoveStack($name: String!, $volumes: Boolean!) {\n    result: removeStack(name: $name, volumes: $volumes) {\n      __typename\n      ... on Stack {\n        name\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.DashboardRemoveStackDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardContainer on Container {\n    id\n    name\n    image\n    command\n    status\n    health\n    restartCount\n    exitCode\n    createdAt\n    startedAt\n    ports {\n      containerPort\n      protocol\n      hostIp\n      hostPort\n    }\n    restartPolicy {\n      name\n      maximumRetryCount\n    }\n  }\n"): (typeof documents)["\n  fragment DashboardContainer on Container {\n    id\n    name\n    image\n    command\n    status\n    health\n    restartCount\n    exitCode\n    createdAt\n    startedAt\n    ports {\n      containerPort\n      protocol\n      hostIp\n      hostPort\n    }\n    restartPolicy {\n      name\n      maximumRetryCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardContainers {\n    containers {\n      ...DashboardContainer\n    }\n  }\n"): (typeof documents)["\n  query DashboardContainers {\n    containers {\n      ...DashboardContainer\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSystem {\n    system {\n      engine {\n        up\n      }\n      statsSource\n    }\n  }\n"): (typeof documents)["\n  query DashboardSystem {\n    system {\n      engine {\n        up\n      }\n      statsSource\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardStatsPoint on ContainerStats {\n    at\n    cpuPercent\n    memoryUsageBytes\n    memoryLimitBytes\n  }\n"): (typeof documents)["\n  fragment DashboardStatsPoint on ContainerStats {\n    at\n    cpuPercent\n    memoryUsageBytes\n    memoryLimitBytes\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardStatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {\n    container(id: $id) {\n      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {\n        ...DashboardStatsPoint\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardStatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {\n    container(id: $id) {\n      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {\n        ...DashboardStatsPoint\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardStats {\n    containersStats {\n      at\n      samples {\n        containerId\n        ...DashboardStatsPoint\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription DashboardStats {\n    containersStats {\n      at\n      samples {\n        containerId\n        ...DashboardStatsPoint\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardEvents($after: String) {\n    containerEvents(after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container {\n        ...DashboardContainer\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription DashboardEvents($after: String) {\n    containerEvents(after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container {\n        ...DashboardContainer\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) {\n      stream\n      at\n      text\n    }\n  }\n"): (typeof documents)["\n  subscription DashboardLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) {\n      stream\n      at\n      text\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardCreate($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess {\n        container {\n          ...DashboardContainer\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardCreate($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess {\n        container {\n          ...DashboardContainer\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardStart($id: String!) {\n      result: startContainer(id: $id) {\n        __typename\n        ... on StartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "): (typeof documents)["\n    mutation DashboardStart($id: String!) {\n      result: startContainer(id: $id) {\n        __typename\n        ... on StartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardStop($id: String!) {\n      result: stopContainer(id: $id) {\n        __typename\n        ... on StopContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "): (typeof documents)["\n    mutation DashboardStop($id: String!) {\n      result: stopContainer(id: $id) {\n        __typename\n        ... on StopContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardRestart($id: String!) {\n      result: restartContainer(id: $id) {\n        __typename\n        ... on RestartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "): (typeof documents)["\n    mutation DashboardRestart($id: String!) {\n      result: restartContainer(id: $id) {\n        __typename\n        ... on RestartContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation DashboardRemove($id: String!) {\n      result: removeContainer(id: $id, force: true) {\n        __typename\n        ... on RemoveContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "): (typeof documents)["\n    mutation DashboardRemove($id: String!) {\n      result: removeContainer(id: $id, force: true) {\n        __typename\n        ... on RemoveContainerSuccess {\n          container {\n            ...DashboardContainer\n          }\n        }\n        ... on Error {\n          code\n          message\n        }\n        ... on InvalidInputError {\n          field\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardStacks {\n    stacks {\n      name\n      status\n      managed\n      deployedAt\n      services {\n        name\n        desiredReplicas\n        runningReplicas\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardStacks {\n    stacks {\n      name\n      status\n      managed\n      deployedAt\n      services {\n        name\n        desiredReplicas\n        runningReplicas\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardStack on Stack {\n    name\n    status\n    managed\n    hash\n    deployedAt\n    compose\n    env\n    services {\n      name\n      desiredReplicas\n      runningReplicas\n      healthyReplicas\n      containers {\n        id\n        name\n        status\n        health\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment DashboardStack on Stack {\n    name\n    status\n    managed\n    hash\n    deployedAt\n    compose\n    env\n    services {\n      name\n      desiredReplicas\n      runningReplicas\n      healthyReplicas\n      containers {\n        id\n        name\n        status\n        health\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardStackView($name: String!) {\n    stack(name: $name) {\n      ...DashboardStack\n    }\n  }\n"): (typeof documents)["\n  query DashboardStackView($name: String!) {\n    stack(name: $name) {\n      ...DashboardStack\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardStackHistory($name: String!) {\n    stackHistory(name: $name, limit: 50) {\n      __typename\n      ... on StackHistorySuccess {\n        data {\n          at\n          action\n          actor\n          ok\n          hash\n          summary\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardStackHistory($name: String!) {\n    stackHistory(name: $name, limit: 50) {\n      __typename\n      ... on StackHistorySuccess {\n        data {\n          at\n          action\n          actor\n          ok\n          hash\n          summary\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardDeployStack($input: DeployStackInput!) {\n    deployStack(input: $input) {\n      __typename\n      ... on DeployStackResult {\n        applied\n        ok\n        plan {\n          stack\n          hash\n          changes\n          services {\n            service\n            action\n            currentReplicas\n            desiredReplicas\n            reason\n          }\n          resources {\n            kind\n            key\n            name\n            action\n          }\n        }\n        outcomes {\n          service\n          outcome\n          message\n        }\n      }\n      ... on InvalidComposeError {\n        problems {\n          path\n          line\n          column\n          message\n          key\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardDeployStack($input: DeployStackInput!) {\n    deployStack(input: $input) {\n      __typename\n      ... on DeployStackResult {\n        applied\n        ok\n        plan {\n          stack\n          hash\n          changes\n          services {\n            service\n            action\n            currentReplicas\n            desiredReplicas\n            reason\n          }\n          resources {\n            kind\n            key\n            name\n            action\n          }\n        }\n        outcomes {\n          service\n          outcome\n          message\n        }\n      }\n      ... on InvalidComposeError {\n        problems {\n          path\n          line\n          column\n          message\n          key\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardStackProgress($name: String!) {\n    stackDeployProgress(name: $name) {\n      at\n      step\n      service\n      container\n      message\n    }\n  }\n"): (typeof documents)["\n  subscription DashboardStackProgress($name: String!) {\n    stackDeployProgress(name: $name) {\n      at\n      step\n      service\n      container\n      message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardScaleStackService($stack: String!, $service: String!, $replicas: Int!) {\n    result: scaleStackService(stack: $stack, service: $service, replicas: $replicas) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardScaleStackService($stack: String!, $service: String!, $replicas: Int!) {\n    result: scaleStackService(stack: $stack, service: $service, replicas: $replicas) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n      ... on PolicyViolationError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardStartStack($name: String!) {\n    result: startStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardStartStack($name: String!) {\n    result: startStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardStopStack($name: String!) {\n    result: stopStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardStopStack($name: String!) {\n    result: stopStack(name: $name) {\n      __typename\n      ...DashboardStack\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardRemoveStack($name: String!, $volumes: Boolean!) {\n    result: removeStack(name: $name, volumes: $volumes) {\n      __typename\n      ... on Stack {\n        name\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DashboardRemoveStack($name: String!, $volumes: Boolean!) {\n    result: removeStack(name: $name, volumes: $volumes) {\n      __typename\n      ... on Stack {\n        name\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;