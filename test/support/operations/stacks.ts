import { graphql } from '../../gql/index.js';

export const StackFields = graphql(`
  fragment StackFields on Stack {
    name
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
  mutation DeployStack($input: DeployStackInput!) {
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
  query Stacks {
    stacks {
      ...StackFields
    }
  }
`);

export const StackQuery = graphql(`
  query Stack($name: String!) {
    stack(name: $name) {
      ...StackFields
    }
  }
`);

export const StackHistory = graphql(`
  query StackHistory($name: String!) {
    stackHistory(name: $name) {
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
  mutation ScaleStackService($stack: String!, $service: String!, $replicas: Int!) {
    scaleStackService(stack: $stack, service: $service, replicas: $replicas) {
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
  mutation StartStack($name: String!) {
    startStack(name: $name) {
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
  mutation StopStack($name: String!) {
    stopStack(name: $name) {
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
  mutation RemoveStack($name: String!, $volumes: Boolean) {
    removeStack(name: $name, volumes: $volumes) {
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
  subscription StackDeployProgress($name: String!) {
    stackDeployProgress(name: $name) {
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
  mutation RedeployStack($name: String!, $pull: Boolean) {
    redeployStack(name: $name, pull: $pull) {
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
