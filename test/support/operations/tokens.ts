import { graphql } from '../../gql/index.js';

export const TokenFields = graphql(`
  fragment TokenFields on Token {
    id
    name
    role
    createdAt
    lastUsedAt
    revokedAt
    scope {
      operation
      target
    }
    environments
  }
`);

export const ListTokens = graphql(`
  query ListTokens($active: Boolean) {
    tokens(active: $active) {
      ...TokenFields
    }
  }
`);

export const CreateToken = graphql(`
  mutation CreateToken($name: String!, $role: Role!, $environments: [String!]) {
    createToken(name: $name, role: $role, environments: $environments) {
      __typename
      ... on CreateTokenSuccess {
        created {
          secret
          token {
            ...TokenFields
          }
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

export const RevokeToken = graphql(`
  mutation RevokeToken($reference: String!) {
    revokeToken(reference: $reference) {
      __typename
      ... on RevokeTokenSuccess {
        token {
          ...TokenFields
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

export const CreateDeployToken = graphql(`
  mutation CreateDeployToken(
    $name: String!
    $operation: DeployOperation!
    $target: String!
    $environment: String! = "local"
  ) {
    createDeployToken(name: $name, operation: $operation, target: $target, environment: $environment) {
      __typename
      ... on CreateDeployTokenSuccess {
        created {
          secret
          token {
            ...TokenFields
          }
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
