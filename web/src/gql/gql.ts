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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;