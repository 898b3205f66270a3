import { graphql } from '../../gql/index.js';

/** One sample, as the subscriptions, the `stats` field and the history answer it. */
export const StatsFields = graphql(`
  fragment StatsFields on ContainerStats {
    containerId
    at
    cpuPercent
    memoryUsageBytes
    memoryLimitBytes
    memoryPercent
    networkRxBytes
    networkTxBytes
    blockReadBytes
    blockWriteBytes
    pids
  }
`);

export const ContainerStatsSubscription = graphql(`
  subscription ContainerStats($id: String!, $intervalSeconds: Float, $environment: String! = "local") {
    containerStats(id: $id, intervalSeconds: $intervalSeconds, environment: $environment) {
      ...StatsFields
    }
  }
`);

export const ContainersStatsSubscription = graphql(`
  subscription ContainersStats(
    $filter: ContainerFilter
    $environment: String! = "local"
    $allEnvironments: Boolean! = false
  ) {
    containersStats(filter: $filter, environment: $environment, allEnvironments: $allEnvironments) {
      at
      leftOut
      samples {
        ...StatsFields
      }
    }
  }
`);

/**
 * A container's figures beside what they are checked against (status, health, restarts). On a
 * running container, reading them starts its collector, or keeps it warm a while.
 */
export const ContainerFigures = graphql(`
  query ContainerFigures($id: String!) {
    container(id: $id) {
      id
      status
      health
      restartCount
      cpu
      memory
      stats {
        ...StatsFields
      }
    }
  }
`);
