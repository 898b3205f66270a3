import { graphql } from '../../gql/index.js';

export const RegistryCredentialFields = graphql(`
  fragment RegistryCredentialFields on RegistryCredential {
    registry
    username
    createdAt
    updatedAt
    lastUsedAt
  }
`);

export const RegistryCredentials = graphql(`
  query RegistryCredentials {
    registryCredentials {
      ...RegistryCredentialFields
    }
  }
`);

export const SaveRegistryCredential = graphql(`
  mutation SaveRegistryCredential($registry: String!, $username: String!, $password: String!) {
    saveRegistryCredential(registry: $registry, username: $username, password: $password) {
      __typename
      ... on SaveRegistryCredentialSuccess {
        credential {
          ...RegistryCredentialFields
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

export const RemoveRegistryCredential = graphql(`
  mutation RemoveRegistryCredential($registry: String!) {
    removeRegistryCredential(registry: $registry) {
      __typename
      ... on RemoveRegistryCredentialSuccess {
        credential {
          ...RegistryCredentialFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on RegistryCredentialNotFoundError {
        registry
      }
    }
  }
`);

/** A pull, with what a registry that wants credentials answers. */
export const PullPrivateImage = graphql(`
  mutation PullPrivateImage($reference: String!) {
    pullImage(reference: $reference) {
      __typename
      ... on PullImageSuccess {
        image {
          ...ImageFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on RegistryUnauthorizedError {
        registry
      }
    }
  }
`);
