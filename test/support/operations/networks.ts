import { graphql } from '../../gql/index.js';

/** A network; its containers as references (each one's `networks` says its place there). */
export const NetworkFields = graphql(`
  fragment NetworkFields on Network {
    id
    name
    driver
    scope
    internal
    attachable
    builtIn
    labels {
      name
      value
    }
    createdAt
    ipam {
      subnet
      gateway
    }
    containers {
      id
      name
    }
  }
`);

export const CreateNetwork = graphql(`
  mutation CreateNetwork(
    $name: String!
    $driver: NetworkDriver
    $internal: Boolean
    $attachable: Boolean
    $labels: [KeyValueInput!]
    $subnet: String
    $gateway: String
  ) {
    createNetwork(
      name: $name
      driver: $driver
      internal: $internal
      attachable: $attachable
      labels: $labels
      subnet: $subnet
      gateway: $gateway
    ) {
      __typename
      ... on CreateNetworkSuccess {
        network {
          ...NetworkFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on NetworkExistsError {
        name
      }
      ... on SubnetOverlapError {
        subnet
        networks
      }
    }
  }
`);

// The network is gone: what it was, by id and name.
export const RemoveNetwork = graphql(`
  mutation RemoveNetwork($id: String!) {
    removeNetwork(id: $id) {
      __typename
      ... on RemoveNetworkSuccess {
        network {
          id
          name
        }
      }
      ... on Error {
        code
        message
      }
      ... on NetworkInUseError {
        name
        containers
      }
      ... on BuiltInNetworkError {
        name
      }
      ... on NetworkNotFoundError {
        reference
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const ConnectContainer = graphql(`
  mutation ConnectContainer($network: String!, $container: String!, $aliases: [String!]) {
    connectContainer(network: $network, container: $container, aliases: $aliases) {
      __typename
      ... on NetworkConnection {
        network {
          id
          name
        }
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

export const DisconnectContainer = graphql(`
  mutation DisconnectContainer($network: String!, $container: String!, $force: Boolean) {
    disconnectContainer(network: $network, container: $container, force: $force) {
      __typename
      ... on NetworkConnection {
        network {
          id
          name
        }
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

export const ListNetworks = graphql(`
  query ListNetworks($filter: NetworkFilter) {
    networks(filter: $filter) {
      ...NetworkFields
    }
  }
`);

export const GetNetwork = graphql(`
  query GetNetwork($id: String!) {
    network(id: $id) {
      ...NetworkFields
    }
  }
`);
