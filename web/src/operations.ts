/**
 * Every GraphQL document the dashboard sends, with the shape of its answer. The documents are
 * validated against the checked-in schema.graphql by test/unit/dashboard-operations.test.ts, so a
 * schema change that breaks the dashboard fails the tests rather than the browser.
 */

export type ContainerStatus =
  'CREATED' | 'RUNNING' | 'PAUSED' | 'RESTARTING' | 'REMOVING' | 'EXITED' | 'DEAD';
export type HealthStatus = 'NONE' | 'STARTING' | 'HEALTHY' | 'UNHEALTHY';
export type RestartPolicyName = 'NO' | 'ALWAYS' | 'ON_FAILURE' | 'UNLESS_STOPPED';
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortBinding {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string | null;
  hostPort: number | null;
}

export interface Container {
  id: string;
  name: string;
  image: string;
  command: string[];
  status: ContainerStatus;
  health: HealthStatus;
  restartCount: number;
  exitCode: number | null;
  createdAt: string;
  startedAt: string | null;
  ports: PortBinding[];
  restartPolicy: { name: RestartPolicyName; maximumRetryCount: number };
}

const CONTAINER_FIELDS = `
  fragment DashboardContainer on Container {
    id name image command status health restartCount exitCode createdAt startedAt
    ports { containerPort protocol hostIp hostPort }
    restartPolicy { name maximumRetryCount }
  }
`;

export const CONTAINERS = `
  query DashboardContainers { containers { ...DashboardContainer } }
  ${CONTAINER_FIELDS}
`;
export interface ContainersResult {
  containers: Container[];
}

/** Asked once, with the token, to tell a refused token from a working one. */
export const WHO_AM_I = `query DashboardSystem { system { engine { up } statsSource } }`;
export interface WhoAmIResult {
  system: { engine: { up: boolean }; statsSource: string };
}

export interface StatsPoint {
  at: string;
  cpuPercent: number | null;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
}

/** The samples berth kept for a container, oldest first: charts open with them. */
export const STATS_HISTORY = `
  query DashboardStatsHistory($id: String!, $from: DateTime, $to: DateTime, $stepSeconds: Int) {
    container(id: $id) {
      statsHistory(from: $from, to: $to, stepSeconds: $stepSeconds) {
        at cpuPercent memoryUsageBytes memoryLimitBytes
      }
    }
  }
`;
export interface StatsHistoryResult {
  container: { statsHistory: StatsPoint[] } | null;
}

/** One message per tick with a sample of every running container: the only stats stream. */
export const STATS_BATCHES = `
  subscription DashboardStats {
    containersStats { at samples { containerId at cpuPercent memoryUsageBytes memoryLimitBytes } }
  }
`;
export interface StatsSample extends StatsPoint {
  containerId: string;
}
export interface StatsBatchResult {
  containersStats: { at: string; samples: StatsSample[] };
}

export type ContainerEventType =
  'CREATE' | 'START' | 'DIE' | 'STOP' | 'RESTART' | 'OOM' | 'DESTROY' | 'HEALTH';

export const CONTAINER_EVENTS = `
  subscription DashboardEvents($after: String) {
    containerEvents(after: $after) {
      cursor type at containerId exitCode health
      container { ...DashboardContainer }
    }
  }
  ${CONTAINER_FIELDS}
`;
export interface ContainerEvent {
  cursor: string;
  type: ContainerEventType;
  at: string;
  containerId: string;
  exitCode: number | null;
  health: HealthStatus | null;
  container: Container | null;
}
export interface ContainerEventsResult {
  containerEvents: ContainerEvent;
}

export type LogStream = 'STDOUT' | 'STDERR' | 'SYSTEM';
export interface LogLine {
  stream: LogStream;
  at: string;
  text: string;
}

export const CONTAINER_LOGS = `
  subscription DashboardLogs($id: String!, $tail: Int, $since: DateTime) {
    containerLogs(id: $id, tail: $tail, since: $since) { stream at text }
  }
`;
export interface ContainerLogsResult {
  containerLogs: LogLine;
}

/** What every mutation answers: its success type, or a typed error (`field` for bad input). */
export type Payload<Success extends string> =
  | ({ __typename: Success } & { container: Container })
  | { __typename: string; code: string; message: string; field?: string };

const PAYLOAD_ERRORS = `
  ... on Error { code message }
  ... on InvalidInputError { field }
`;

export interface CreateContainerInput {
  name?: string;
  image: string;
  command?: string[];
  env?: { name: string; value: string }[];
  labels?: { name: string; value: string }[];
  ports?: { containerPort: number; protocol: PortProtocol; hostPort?: number; hostIp?: string }[];
  restartPolicy?: { name: RestartPolicyName; maximumRetryCount?: number };
}

export const CREATE_CONTAINER = `
  mutation DashboardCreate($input: CreateContainerInput!) {
    createContainer(input: $input) {
      __typename
      ... on CreateContainerSuccess { container { ...DashboardContainer } }
      ${PAYLOAD_ERRORS}
      ... on PolicyViolationError { field }
    }
  }
  ${CONTAINER_FIELDS}
`;
export interface CreateContainerResult {
  createContainer: Payload<'CreateContainerSuccess'>;
}

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'remove';

/** The lifecycle mutations, one document each, all answering `{ action: Payload }`. */
export const LIFECYCLE: Record<LifecycleAction, { document: string; field: string; success: string }> = {
  start: {
    field: 'startContainer',
    success: 'StartContainerSuccess',
    document: `
      mutation DashboardStart($id: String!) {
        startContainer(id: $id) {
          __typename
          ... on StartContainerSuccess { container { ...DashboardContainer } }
          ${PAYLOAD_ERRORS}
        }
      }
      ${CONTAINER_FIELDS}
    `,
  },
  stop: {
    field: 'stopContainer',
    success: 'StopContainerSuccess',
    document: `
      mutation DashboardStop($id: String!) {
        stopContainer(id: $id) {
          __typename
          ... on StopContainerSuccess { container { ...DashboardContainer } }
          ${PAYLOAD_ERRORS}
        }
      }
      ${CONTAINER_FIELDS}
    `,
  },
  restart: {
    field: 'restartContainer',
    success: 'RestartContainerSuccess',
    document: `
      mutation DashboardRestart($id: String!) {
        restartContainer(id: $id) {
          __typename
          ... on RestartContainerSuccess { container { ...DashboardContainer } }
          ${PAYLOAD_ERRORS}
        }
      }
      ${CONTAINER_FIELDS}
    `,
  },
  // Force: the button says it kills a running container, as `docker rm -f` does.
  remove: {
    field: 'removeContainer',
    success: 'RemoveContainerSuccess',
    document: `
      mutation DashboardRemove($id: String!) {
        removeContainer(id: $id, force: true) {
          __typename
          ... on RemoveContainerSuccess { container { ...DashboardContainer } }
          ${PAYLOAD_ERRORS}
        }
      }
      ${CONTAINER_FIELDS}
    `,
  },
};
