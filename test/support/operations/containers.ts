import { graphql } from '../../gql/index.js';

/**
 * A container as every document that returns one reads it: all of its own fields. Not its figures
 * (`cpu`, `memory`, `stats`): reading those of a running container starts its stats collector, so a
 * document asks for them by name where the test means to (see ContainerFigures in stats.ts).
 */
export const ContainerFields = graphql(`
  fragment ContainerFields on Container {
    environment
    id
    name
    image
    imageId
    command
    status
    exitCode
    startedAt
    finishedAt
    oomKilled
    createdAt
    health
    restartCount
    tty
    restartPolicy {
      name
      maximumRetryCount
    }
    env {
      name
      value
    }
    ports {
      containerPort
      protocol
      hostIp
      hostPort
    }
    labels {
      name
      value
    }
    resources {
      memoryBytes
      nanoCpus
    }
    networks {
      name
      networkId
      aliases
      ipAddress
      ipPrefixLength
      gateway
      macAddress
    }
    mounts {
      type
      name
      source
      target
      readOnly
      driver
    }
  }
`);

// With its figures, which are null until the first sample: a created container's are read at once.
export const CreateContainer = graphql(`
  mutation CreateContainer($input: CreateContainerInput!, $environment: String! = "local") {
    createContainer(input: $input, environment: $environment) {
      __typename
      ... on CreateContainerSuccess {
        container {
          ...ContainerFields
          cpu
          memory
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
      ... on NameConflictError {
        name
      }
      ... on ImageNotFoundError {
        image
      }
      ... on RegistryUnavailableError {
        image
      }
      ... on NetworkNotFoundError {
        reference
      }
    }
  }
`);

export const StartContainer = graphql(`
  mutation StartContainer($id: String!, $environment: String! = "local") {
    startContainer(id: $id, environment: $environment) {
      __typename
      ... on StartContainerSuccess {
        container {
          ...ContainerFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StopContainer = graphql(`
  mutation StopContainer($id: String!, $timeoutSeconds: Int, $environment: String! = "local") {
    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds, environment: $environment) {
      __typename
      ... on StopContainerSuccess {
        container {
          ...ContainerFields
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

export const RestartContainer = graphql(`
  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {
    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {
      __typename
      ... on RestartContainerSuccess {
        container {
          ...ContainerFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RemoveContainer = graphql(`
  mutation RemoveContainer(
    $id: String!
    $force: Boolean
    $removeVolumes: Boolean
    $environment: String! = "local"
  ) {
    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes, environment: $environment) {
      __typename
      ... on RemoveContainerSuccess {
        container {
          ...ContainerFields
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

export const GetContainer = graphql(`
  query GetContainer($id: String!, $environment: String! = "local") {
    container(id: $id, environment: $environment) {
      ...ContainerFields
      cpu
      memory
    }
  }
`);

export const ListContainers = graphql(`
  query ListContainers(
    $filter: ContainerFilter
    $environment: String! = "local"
    $allEnvironments: Boolean! = false
  ) {
    containers(filter: $filter, environment: $environment, allEnvironments: $allEnvironments) {
      ...ContainerFields
    }
  }
`);
