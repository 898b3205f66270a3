import { graphql } from '../../gql/index.js';

export const EnvironmentFields = graphql(`
  fragment EnvironmentFields on Environment {
    name
    endpoint
    kind
    source
    status
    downSince
    lastError
    engineVersion
    swarmRole
    hostKeySha256
  }
`);

export const ListEnvironments = graphql(`
  query ListEnvironments {
    environments {
      ...EnvironmentFields
    }
  }
`);

export const AddEnvironment = graphql(`
  mutation AddEnvironment(
    $name: String!
    $endpoint: String!
    $tls: EnvironmentTlsInput
    $ssh: EnvironmentSshInput
  ) {
    addEnvironment(name: $name, endpoint: $endpoint, tls: $tls, ssh: $ssh) {
      __typename
      ... on AddEnvironmentSuccess {
        environment {
          ...EnvironmentFields
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

export const RemoveEnvironment = graphql(`
  mutation RemoveEnvironment($name: String!) {
    removeEnvironment(name: $name) {
      __typename
      ... on RemoveEnvironmentSuccess {
        environment {
          ...EnvironmentFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ImportDockerContexts = graphql(`
  mutation ImportDockerContexts {
    importDockerContexts {
      __typename
      ... on ImportDockerContextsSuccess {
        result {
          imported {
            ...EnvironmentFields
          }
          skipped {
            context
            code
            reason
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const EnvironmentChanged = graphql(`
  subscription EnvironmentChanged {
    environmentChanged {
      kind
      at
      environment {
        ...EnvironmentFields
      }
    }
  }
`);
