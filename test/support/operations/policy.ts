import { graphql } from '../../gql/index.js';

export const CreatePolicyFields = graphql(`
  fragment CreatePolicyFields on CreatePolicy {
    allowPrivileged
    allowHostNamespaces
    bindMountPrefixes
    allowDockerSocket
    allowDevices
    allowedCapabilities
    allowUnconfined
    defaultMemoryBytes
    defaultCpus
    maxContainers
  }
`);

export const GetCreatePolicy = graphql(`
  query GetCreatePolicy {
    createPolicy {
      ...CreatePolicyFields
    }
  }
`);

export const SetCreatePolicy = graphql(`
  mutation SetCreatePolicy($input: CreatePolicyInput!) {
    setCreatePolicy(input: $input) {
      __typename
      ... on SetCreatePolicySuccess {
        policy {
          ...CreatePolicyFields
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
