import { graphql } from '../../gql/index.js';

export const ServiceFields = graphql(`
  fragment ServiceFields on Service {
    id
    name
    image
    mode
    replicas
    runningTasks
    desiredTasks
    command
    env {
      name
      value
    }
    labels {
      name
      value
    }
    ports {
      targetPort
      publishedPort
      protocol
      publishMode
    }
    healthcheck {
      test
      intervalSeconds
    }
    updateConfig {
      parallelism
      delaySeconds
      failureAction
      order
      monitorSeconds
      maxFailureRatio
    }
    rollbackConfig {
      parallelism
      failureAction
      order
    }
    stopGracePeriodSeconds
    networks
    updateStatus {
      state
      startedAt
      completedAt
      message
    }
    version
    createdAt
    updatedAt
    tasks(history: $history) {
      id
      slot
      nodeId
      state
      desiredState
      message
      error
      containerId
      exitCode
      image
      ports {
        targetPort
        publishedPort
        protocol
        publishMode
      }
      createdAt
      updatedAt
    }
  }
`);

export const SwarmNodes = graphql(`
  query SwarmNodes {
    nodes {
      id
      hostname
      role
      availability
      state
      leader
      engineVersion
      addr
      managerAddr
    }
  }
`);

export const SwarmServices = graphql(`
  query SwarmServices($history: Boolean = false) {
    services {
      ...ServiceFields
    }
  }
`);

export const SwarmService = graphql(`
  query SwarmService($id: String!, $history: Boolean = false) {
    service(id: $id) {
      ...ServiceFields
    }
  }
`);

export const DeployService = graphql(`
  mutation DeployService($input: DeployServiceInput!, $history: Boolean = false) {
    deployService(input: $input) {
      __typename
      ... on DeployServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on ServiceExistsError {
        name
      }
    }
  }
`);

export const UpdateService = graphql(`
  mutation UpdateService($id: String!, $input: UpdateServiceInput!, $history: Boolean = false) {
    updateService(id: $id, input: $input) {
      __typename
      ... on UpdateServiceSuccess {
        service {
          ...ServiceFields
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

export const RollbackService = graphql(`
  mutation RollbackService($id: String!, $history: Boolean = false) {
    rollbackService(id: $id) {
      __typename
      ... on RollbackServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ScaleService = graphql(`
  mutation ScaleService($id: String!, $replicas: Int!, $history: Boolean = false) {
    scaleService(id: $id, replicas: $replicas) {
      __typename
      ... on ScaleServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on ServiceNotFoundError {
        reference
      }
    }
  }
`);

export const RemoveService = graphql(`
  mutation RemoveService($id: String!, $history: Boolean = false) {
    removeService(id: $id) {
      __typename
      ... on RemoveServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on ServiceNotFoundError {
        reference
      }
    }
  }
`);

export const ServiceRolloutSubscription = graphql(`
  subscription ServiceRollout($id: String!) {
    serviceRollout(id: $id) {
      at
      serviceId
      serviceName
      state
      done
      updateStatus {
        state
        startedAt
        completedAt
        message
      }
      transitions {
        taskId
        slot
        nodeId
        image
        from
        to
        desiredState
        error
        at
      }
      service {
        runningTasks
        desiredTasks
        image
        tasks {
          id
          slot
          image
          state
          desiredState
        }
      }
    }
  }
`);
