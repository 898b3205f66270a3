import { graphql } from '../../gql/index.js';

export const ContainerEventsSubscription = graphql(`
  subscription ContainerEvents(
    $filter: ContainerEventFilter
    $after: String
    $environment: String! = "local"
    $allEnvironments: Boolean! = false
  ) {
    containerEvents(
      filter: $filter
      after: $after
      environment: $environment
      allEnvironments: $allEnvironments
    ) {
      environment
      cursor
      type
      at
      containerId
      exitCode
      health
      container {
        ...ContainerFields
      }
    }
  }
`);

export const HealthChangedSubscription = graphql(`
  subscription HealthChanged($containerId: String, $environment: String! = "local") {
    healthChanged(containerId: $containerId, environment: $environment) {
      previous
      current
      at
      container {
        ...ContainerFields
      }
      lastProbe {
        exitCode
        output
        at
      }
    }
  }
`);
