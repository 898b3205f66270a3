import { graphql } from '../../gql/index.js';

export const StackFields = graphql(`
  fragment StackFields on Stack {
    name
    environment
    managed
    status
    compose
    env
    hash
    deployedAt
    services {
      name
      desiredReplicas
      runningReplicas
      healthyReplicas
      containers {
        id
        name
        status
        health
        labels {
          name
          value
        }
        networks {
          name
          aliases
          ipAddress
        }
      }
    }
  }
`);

export const DeployStack = graphql(`
  mutation DeployStack($input: DeployStackInput!, $environment: String! = "local") {
    deployStack(input: $input, environment: $environment) {
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
            currentHash
            desiredHash
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
    }
  }
`);

export const Stacks = graphql(`
  query Stacks($environment: String! = "local", $allEnvironments: Boolean! = false) {
    stacks(environment: $environment, allEnvironments: $allEnvironments) {
      ...StackFields
    }
  }
`);

export const StackQuery = graphql(`
  query Stack($name: String!, $environment: String! = "local") {
    stack(name: $name, environment: $environment) {
      ...StackFields
    }
  }
`);

export const StackHistory = graphql(`
  query StackHistory($name: String!, $environment: String! = "local") {
    stackHistory(name: $name, environment: $environment) {
      __typename
      ... on StackHistorySuccess {
        data {
          stack
          hash
          actor
          action
          ok
          summary
          at
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ScaleStackService = graphql(`
  mutation ScaleStackService(
    $stack: String!
    $service: String!
    $replicas: Int!
    $environment: String! = "local"
  ) {
    scaleStackService(stack: $stack, service: $service, replicas: $replicas, environment: $environment) {
      __typename
      ... on Stack {
        ...StackFields
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StartStack = graphql(`
  mutation StartStack($name: String!, $environment: String! = "local") {
    startStack(name: $name, environment: $environment) {
      __typename
      ... on Stack {
        ...StackFields
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StopStack = graphql(`
  mutation StopStack($name: String!, $environment: String! = "local") {
    stopStack(name: $name, environment: $environment) {
      __typename
      ... on Stack {
        ...StackFields
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RemoveStack = graphql(`
  mutation RemoveStack($name: String!, $volumes: Boolean, $environment: String! = "local") {
    removeStack(name: $name, volumes: $volumes, environment: $environment) {
      __typename
      ... on Stack {
        name
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StackDeployProgressSubscription = graphql(`
  subscription StackDeployProgress($name: String!, $environment: String! = "local") {
    stackDeployProgress(name: $name, environment: $environment) {
      stack
      step
      service
      container
      message
      at
    }
  }
`);

export const RedeployStack = graphql(`
  mutation RedeployStack($name: String!, $pull: Boolean, $environment: String! = "local") {
    redeployStack(name: $name, pull: $pull, environment: $environment) {
      __typename
      ... on DeployStackResult {
        applied
        ok
        plan {
          changes
          services {
            service
            action
            reason
          }
        }
        outcomes {
          service
          outcome
          message
        }
      }
      ... on StackNotRedeployableError {
        reason
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
