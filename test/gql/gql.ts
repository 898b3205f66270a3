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
    "\n  fragment ContainerFields on Container {\n    id\n    name\n    image\n    imageId\n    command\n    status\n    exitCode\n    startedAt\n    finishedAt\n    oomKilled\n    createdAt\n    health\n    restartCount\n    restartPolicy { name maximumRetryCount }\n    env { name value }\n    ports { containerPort protocol hostIp hostPort }\n    labels { name value }\n    resources { memoryBytes nanoCpus }\n    cpu\n    memory\n  }\n": typeof types.ContainerFieldsFragmentDoc,
    "\n  mutation CreateContainer($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess { container { ...ContainerFields } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on NameConflictError { name }\n      ... on ImageNotFoundError { image }\n      ... on RegistryUnavailableError { image }\n    }\n  }\n": typeof types.CreateContainerDocument,
    "\n  mutation StartContainer($id: String!) {\n    startContainer(id: $id) {\n      __typename\n      ... on StartContainerSuccess { container { id status } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.StartContainerDocument,
    "\n  mutation StopContainer($id: String!, $timeoutSeconds: Int) {\n    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on StopContainerSuccess { container { id status exitCode finishedAt } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": typeof types.StopContainerDocument,
    "\n  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {\n    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on RestartContainerSuccess { container { id status startedAt } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RestartContainerDocument,
    "\n  mutation RemoveContainer($id: String!, $force: Boolean, $removeVolumes: Boolean) {\n    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes) {\n      __typename\n      ... on RemoveContainerSuccess { container { id name } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": typeof types.RemoveContainerDocument,
    "\n  query GetContainer($id: String!) {\n    container(id: $id) { ...ContainerFields }\n  }\n": typeof types.GetContainerDocument,
    "\n  query ListContainers($filter: ContainerFilter) {\n    containers(filter: $filter) { id name status image labels { name value } }\n  }\n": typeof types.ListContainersDocument,
    "\n  subscription ContainerStats($id: String!, $intervalSeconds: Float) {\n    containerStats(id: $id, intervalSeconds: $intervalSeconds) {\n      containerId\n      at\n      cpuPercent\n      memoryUsageBytes\n      memoryLimitBytes\n      memoryPercent\n      networkRxBytes\n      networkTxBytes\n      blockReadBytes\n      blockWriteBytes\n      pids\n    }\n  }\n": typeof types.ContainerStatsDocument,
    "\n  subscription ContainersStats($filter: ContainerFilter) {\n    containersStats(filter: $filter) {\n      at\n      samples { containerId cpuPercent memoryUsageBytes }\n    }\n  }\n": typeof types.ContainersStatsDocument,
    "\n  subscription ContainerEvents($filter: ContainerEventFilter, $after: String) {\n    containerEvents(filter: $filter, after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container { id status restartCount health }\n    }\n  }\n": typeof types.ContainerEventsDocument,
    "\n  subscription HealthChanged($containerId: String) {\n    healthChanged(containerId: $containerId) {\n      previous\n      current\n      at\n      container { id health }\n      lastProbe { exitCode output at }\n    }\n  }\n": typeof types.HealthChangedDocument,
    "\n  query ContainerFigures($id: String!) {\n    container(id: $id) {\n      id\n      restartCount\n      cpu\n      memory\n      stats { cpuPercent memoryUsageBytes pids }\n    }\n  }\n": typeof types.ContainerFiguresDocument,
    "\n  query System {\n    system { engine { up dockerHost } statsSource statsCollectors indexedContainers }\n  }\n": typeof types.SystemDocument,
    "\n  query ContainerLogs($id: String!, $tail: Int, $since: DateTime, $until: DateTime, $stdout: Boolean, $stderr: Boolean) {\n    container(id: $id) {\n      id\n      logs(tail: $tail, since: $since, until: $until, stdout: $stdout, stderr: $stderr) { stream at text }\n    }\n  }\n": typeof types.ContainerLogsDocument,
    "\n  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) { stream at text }\n  }\n": typeof types.FollowLogsDocument,
    "\n  mutation ExecInContainer($id: String!, $command: [String!]!, $env: [KeyValueInput!], $workingDir: String, $timeoutSeconds: Float) {\n    execInContainer(id: $id, command: $command, env: $env, workingDir: $workingDir, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on ExecInContainerSuccess { result { exitCode stdout stderr truncated } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on ExecTimeoutError { stopped }\n    }\n  }\n": typeof types.ExecInContainerDocument,
    "\n  query Images {\n    images { id tags sizeBytes createdAt containers }\n  }\n": typeof types.ImagesDocument,
    "\n  mutation PullImage($reference: String!) {\n    pullImage(reference: $reference) {\n      __typename\n      ... on PullImageSuccess { image { id tags sizeBytes createdAt containers } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      # PullImageSuccess.image is the Image; the error's is the reference it could not find.\n      ... on ImageNotFoundError { missing: image }\n    }\n  }\n": typeof types.PullImageDocument,
    "\n  mutation RemoveImage($reference: String!, $force: Boolean) {\n    removeImage(reference: $reference, force: $force) {\n      __typename\n      ... on RemoveImageSuccess { untagged deleted }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": typeof types.RemoveImageDocument,
    "\n  mutation PruneImages {\n    pruneImages {\n      __typename\n      ... on PruneImagesSuccess { deleted spaceReclaimedBytes }\n      ... on Error { code message }\n    }\n  }\n": typeof types.PruneImagesDocument,
    "\n  subscription ImagePullProgress($reference: String!) {\n    imagePullProgress(reference: $reference) {\n      reference\n      state\n      currentBytes\n      totalBytes\n      layers { id status currentBytes totalBytes }\n    }\n  }\n": typeof types.ImagePullProgressDocument,
};
const documents: Documents = {
    "\n  fragment ContainerFields on Container {\n    id\n    name\n    image\n    imageId\n    command\n    status\n    exitCode\n    startedAt\n    finishedAt\n    oomKilled\n    createdAt\n    health\n    restartCount\n    restartPolicy { name maximumRetryCount }\n    env { name value }\n    ports { containerPort protocol hostIp hostPort }\n    labels { name value }\n    resources { memoryBytes nanoCpus }\n    cpu\n    memory\n  }\n": types.ContainerFieldsFragmentDoc,
    "\n  mutation CreateContainer($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess { container { ...ContainerFields } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on NameConflictError { name }\n      ... on ImageNotFoundError { image }\n      ... on RegistryUnavailableError { image }\n    }\n  }\n": types.CreateContainerDocument,
    "\n  mutation StartContainer($id: String!) {\n    startContainer(id: $id) {\n      __typename\n      ... on StartContainerSuccess { container { id status } }\n      ... on Error { code message }\n    }\n  }\n": types.StartContainerDocument,
    "\n  mutation StopContainer($id: String!, $timeoutSeconds: Int) {\n    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on StopContainerSuccess { container { id status exitCode finishedAt } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": types.StopContainerDocument,
    "\n  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {\n    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on RestartContainerSuccess { container { id status startedAt } }\n      ... on Error { code message }\n    }\n  }\n": types.RestartContainerDocument,
    "\n  mutation RemoveContainer($id: String!, $force: Boolean, $removeVolumes: Boolean) {\n    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes) {\n      __typename\n      ... on RemoveContainerSuccess { container { id name } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": types.RemoveContainerDocument,
    "\n  query GetContainer($id: String!) {\n    container(id: $id) { ...ContainerFields }\n  }\n": types.GetContainerDocument,
    "\n  query ListContainers($filter: ContainerFilter) {\n    containers(filter: $filter) { id name status image labels { name value } }\n  }\n": types.ListContainersDocument,
    "\n  subscription ContainerStats($id: String!, $intervalSeconds: Float) {\n    containerStats(id: $id, intervalSeconds: $intervalSeconds) {\n      containerId\n      at\n      cpuPercent\n      memoryUsageBytes\n      memoryLimitBytes\n      memoryPercent\n      networkRxBytes\n      networkTxBytes\n      blockReadBytes\n      blockWriteBytes\n      pids\n    }\n  }\n": types.ContainerStatsDocument,
    "\n  subscription ContainersStats($filter: ContainerFilter) {\n    containersStats(filter: $filter) {\n      at\n      samples { containerId cpuPercent memoryUsageBytes }\n    }\n  }\n": types.ContainersStatsDocument,
    "\n  subscription ContainerEvents($filter: ContainerEventFilter, $after: String) {\n    containerEvents(filter: $filter, after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container { id status restartCount health }\n    }\n  }\n": types.ContainerEventsDocument,
    "\n  subscription HealthChanged($containerId: String) {\n    healthChanged(containerId: $containerId) {\n      previous\n      current\n      at\n      container { id health }\n      lastProbe { exitCode output at }\n    }\n  }\n": types.HealthChangedDocument,
    "\n  query ContainerFigures($id: String!) {\n    container(id: $id) {\n      id\n      restartCount\n      cpu\n      memory\n      stats { cpuPercent memoryUsageBytes pids }\n    }\n  }\n": types.ContainerFiguresDocument,
    "\n  query System {\n    system { engine { up dockerHost } statsSource statsCollectors indexedContainers }\n  }\n": types.SystemDocument,
    "\n  query ContainerLogs($id: String!, $tail: Int, $since: DateTime, $until: DateTime, $stdout: Boolean, $stderr: Boolean) {\n    container(id: $id) {\n      id\n      logs(tail: $tail, since: $since, until: $until, stdout: $stdout, stderr: $stderr) { stream at text }\n    }\n  }\n": types.ContainerLogsDocument,
    "\n  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) { stream at text }\n  }\n": types.FollowLogsDocument,
    "\n  mutation ExecInContainer($id: String!, $command: [String!]!, $env: [KeyValueInput!], $workingDir: String, $timeoutSeconds: Float) {\n    execInContainer(id: $id, command: $command, env: $env, workingDir: $workingDir, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on ExecInContainerSuccess { result { exitCode stdout stderr truncated } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on ExecTimeoutError { stopped }\n    }\n  }\n": types.ExecInContainerDocument,
    "\n  query Images {\n    images { id tags sizeBytes createdAt containers }\n  }\n": types.ImagesDocument,
    "\n  mutation PullImage($reference: String!) {\n    pullImage(reference: $reference) {\n      __typename\n      ... on PullImageSuccess { image { id tags sizeBytes createdAt containers } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      # PullImageSuccess.image is the Image; the error's is the reference it could not find.\n      ... on ImageNotFoundError { missing: image }\n    }\n  }\n": types.PullImageDocument,
    "\n  mutation RemoveImage($reference: String!, $force: Boolean) {\n    removeImage(reference: $reference, force: $force) {\n      __typename\n      ... on RemoveImageSuccess { untagged deleted }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n": types.RemoveImageDocument,
    "\n  mutation PruneImages {\n    pruneImages {\n      __typename\n      ... on PruneImagesSuccess { deleted spaceReclaimedBytes }\n      ... on Error { code message }\n    }\n  }\n": types.PruneImagesDocument,
    "\n  subscription ImagePullProgress($reference: String!) {\n    imagePullProgress(reference: $reference) {\n      reference\n      state\n      currentBytes\n      totalBytes\n      layers { id status currentBytes totalBytes }\n    }\n  }\n": types.ImagePullProgressDocument,
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
export function graphql(source: "\n  fragment ContainerFields on Container {\n    id\n    name\n    image\n    imageId\n    command\n    status\n    exitCode\n    startedAt\n    finishedAt\n    oomKilled\n    createdAt\n    health\n    restartCount\n    restartPolicy { name maximumRetryCount }\n    env { name value }\n    ports { containerPort protocol hostIp hostPort }\n    labels { name value }\n    resources { memoryBytes nanoCpus }\n    cpu\n    memory\n  }\n"): (typeof documents)["\n  fragment ContainerFields on Container {\n    id\n    name\n    image\n    imageId\n    command\n    status\n    exitCode\n    startedAt\n    finishedAt\n    oomKilled\n    createdAt\n    health\n    restartCount\n    restartPolicy { name maximumRetryCount }\n    env { name value }\n    ports { containerPort protocol hostIp hostPort }\n    labels { name value }\n    resources { memoryBytes nanoCpus }\n    cpu\n    memory\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateContainer($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess { container { ...ContainerFields } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on NameConflictError { name }\n      ... on ImageNotFoundError { image }\n      ... on RegistryUnavailableError { image }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateContainer($input: CreateContainerInput!) {\n    createContainer(input: $input) {\n      __typename\n      ... on CreateContainerSuccess { container { ...ContainerFields } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on NameConflictError { name }\n      ... on ImageNotFoundError { image }\n      ... on RegistryUnavailableError { image }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartContainer($id: String!) {\n    startContainer(id: $id) {\n      __typename\n      ... on StartContainerSuccess { container { id status } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation StartContainer($id: String!) {\n    startContainer(id: $id) {\n      __typename\n      ... on StartContainerSuccess { container { id status } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StopContainer($id: String!, $timeoutSeconds: Int) {\n    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on StopContainerSuccess { container { id status exitCode finishedAt } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"): (typeof documents)["\n  mutation StopContainer($id: String!, $timeoutSeconds: Int) {\n    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on StopContainerSuccess { container { id status exitCode finishedAt } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {\n    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on RestartContainerSuccess { container { id status startedAt } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {\n    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on RestartContainerSuccess { container { id status startedAt } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveContainer($id: String!, $force: Boolean, $removeVolumes: Boolean) {\n    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes) {\n      __typename\n      ... on RemoveContainerSuccess { container { id name } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveContainer($id: String!, $force: Boolean, $removeVolumes: Boolean) {\n    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes) {\n      __typename\n      ... on RemoveContainerSuccess { container { id name } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetContainer($id: String!) {\n    container(id: $id) { ...ContainerFields }\n  }\n"): (typeof documents)["\n  query GetContainer($id: String!) {\n    container(id: $id) { ...ContainerFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListContainers($filter: ContainerFilter) {\n    containers(filter: $filter) { id name status image labels { name value } }\n  }\n"): (typeof documents)["\n  query ListContainers($filter: ContainerFilter) {\n    containers(filter: $filter) { id name status image labels { name value } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ContainerStats($id: String!, $intervalSeconds: Float) {\n    containerStats(id: $id, intervalSeconds: $intervalSeconds) {\n      containerId\n      at\n      cpuPercent\n      memoryUsageBytes\n      memoryLimitBytes\n      memoryPercent\n      networkRxBytes\n      networkTxBytes\n      blockReadBytes\n      blockWriteBytes\n      pids\n    }\n  }\n"): (typeof documents)["\n  subscription ContainerStats($id: String!, $intervalSeconds: Float) {\n    containerStats(id: $id, intervalSeconds: $intervalSeconds) {\n      containerId\n      at\n      cpuPercent\n      memoryUsageBytes\n      memoryLimitBytes\n      memoryPercent\n      networkRxBytes\n      networkTxBytes\n      blockReadBytes\n      blockWriteBytes\n      pids\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ContainersStats($filter: ContainerFilter) {\n    containersStats(filter: $filter) {\n      at\n      samples { containerId cpuPercent memoryUsageBytes }\n    }\n  }\n"): (typeof documents)["\n  subscription ContainersStats($filter: ContainerFilter) {\n    containersStats(filter: $filter) {\n      at\n      samples { containerId cpuPercent memoryUsageBytes }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ContainerEvents($filter: ContainerEventFilter, $after: String) {\n    containerEvents(filter: $filter, after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container { id status restartCount health }\n    }\n  }\n"): (typeof documents)["\n  subscription ContainerEvents($filter: ContainerEventFilter, $after: String) {\n    containerEvents(filter: $filter, after: $after) {\n      cursor\n      type\n      at\n      containerId\n      exitCode\n      health\n      container { id status restartCount health }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HealthChanged($containerId: String) {\n    healthChanged(containerId: $containerId) {\n      previous\n      current\n      at\n      container { id health }\n      lastProbe { exitCode output at }\n    }\n  }\n"): (typeof documents)["\n  subscription HealthChanged($containerId: String) {\n    healthChanged(containerId: $containerId) {\n      previous\n      current\n      at\n      container { id health }\n      lastProbe { exitCode output at }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContainerFigures($id: String!) {\n    container(id: $id) {\n      id\n      restartCount\n      cpu\n      memory\n      stats { cpuPercent memoryUsageBytes pids }\n    }\n  }\n"): (typeof documents)["\n  query ContainerFigures($id: String!) {\n    container(id: $id) {\n      id\n      restartCount\n      cpu\n      memory\n      stats { cpuPercent memoryUsageBytes pids }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query System {\n    system { engine { up dockerHost } statsSource statsCollectors indexedContainers }\n  }\n"): (typeof documents)["\n  query System {\n    system { engine { up dockerHost } statsSource statsCollectors indexedContainers }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContainerLogs($id: String!, $tail: Int, $since: DateTime, $until: DateTime, $stdout: Boolean, $stderr: Boolean) {\n    container(id: $id) {\n      id\n      logs(tail: $tail, since: $since, until: $until, stdout: $stdout, stderr: $stderr) { stream at text }\n    }\n  }\n"): (typeof documents)["\n  query ContainerLogs($id: String!, $tail: Int, $since: DateTime, $until: DateTime, $stdout: Boolean, $stderr: Boolean) {\n    container(id: $id) {\n      id\n      logs(tail: $tail, since: $since, until: $until, stdout: $stdout, stderr: $stderr) { stream at text }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) { stream at text }\n  }\n"): (typeof documents)["\n  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime) {\n    containerLogs(id: $id, tail: $tail, since: $since) { stream at text }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExecInContainer($id: String!, $command: [String!]!, $env: [KeyValueInput!], $workingDir: String, $timeoutSeconds: Float) {\n    execInContainer(id: $id, command: $command, env: $env, workingDir: $workingDir, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on ExecInContainerSuccess { result { exitCode stdout stderr truncated } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on ExecTimeoutError { stopped }\n    }\n  }\n"): (typeof documents)["\n  mutation ExecInContainer($id: String!, $command: [String!]!, $env: [KeyValueInput!], $workingDir: String, $timeoutSeconds: Float) {\n    execInContainer(id: $id, command: $command, env: $env, workingDir: $workingDir, timeoutSeconds: $timeoutSeconds) {\n      __typename\n      ... on ExecInContainerSuccess { result { exitCode stdout stderr truncated } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      ... on ExecTimeoutError { stopped }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Images {\n    images { id tags sizeBytes createdAt containers }\n  }\n"): (typeof documents)["\n  query Images {\n    images { id tags sizeBytes createdAt containers }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PullImage($reference: String!) {\n    pullImage(reference: $reference) {\n      __typename\n      ... on PullImageSuccess { image { id tags sizeBytes createdAt containers } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      # PullImageSuccess.image is the Image; the error's is the reference it could not find.\n      ... on ImageNotFoundError { missing: image }\n    }\n  }\n"): (typeof documents)["\n  mutation PullImage($reference: String!) {\n    pullImage(reference: $reference) {\n      __typename\n      ... on PullImageSuccess { image { id tags sizeBytes createdAt containers } }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n      # PullImageSuccess.image is the Image; the error's is the reference it could not find.\n      ... on ImageNotFoundError { missing: image }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveImage($reference: String!, $force: Boolean) {\n    removeImage(reference: $reference, force: $force) {\n      __typename\n      ... on RemoveImageSuccess { untagged deleted }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveImage($reference: String!, $force: Boolean) {\n    removeImage(reference: $reference, force: $force) {\n      __typename\n      ... on RemoveImageSuccess { untagged deleted }\n      ... on Error { code message }\n      ... on InvalidInputError { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PruneImages {\n    pruneImages {\n      __typename\n      ... on PruneImagesSuccess { deleted spaceReclaimedBytes }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation PruneImages {\n    pruneImages {\n      __typename\n      ... on PruneImagesSuccess { deleted spaceReclaimedBytes }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ImagePullProgress($reference: String!) {\n    imagePullProgress(reference: $reference) {\n      reference\n      state\n      currentBytes\n      totalBytes\n      layers { id status currentBytes totalBytes }\n    }\n  }\n"): (typeof documents)["\n  subscription ImagePullProgress($reference: String!) {\n    imagePullProgress(reference: $reference) {\n      reference\n      state\n      currentBytes\n      totalBytes\n      layers { id status currentBytes totalBytes }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;