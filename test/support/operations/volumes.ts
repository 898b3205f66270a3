import { graphql } from '../../gql/index.js';

/** A volume; the containers that use it as references. */
export const VolumeFields = graphql(`
  fragment VolumeFields on Volume {
    name
    driver
    mountpoint
    scope
    labels {
      name
      value
    }
    createdAt
    usedBy {
      id
      name
    }
  }
`);

export const CreateVolume = graphql(`
  mutation CreateVolume($name: String!, $labels: [KeyValueInput!]) {
    createVolume(name: $name, labels: $labels) {
      __typename
      ... on CreateVolumeSuccess {
        volume {
          ...VolumeFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on VolumeExistsError {
        name
      }
    }
  }
`);

// The volume is gone: what it was, by name and labels.
export const RemoveVolume = graphql(`
  mutation RemoveVolume($name: String!, $force: Boolean) {
    removeVolume(name: $name, force: $force) {
      __typename
      ... on RemoveVolumeSuccess {
        volume {
          name
          labels {
            name
            value
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on VolumeInUseError {
        name
        containers
      }
      ... on VolumeNotFoundError {
        name
      }
      ... on InvalidInputError {
        field
      }
    }
  }
`);

export const PruneVolumes = graphql(`
  mutation PruneVolumes($label: String!) {
    pruneVolumes(label: $label) {
      __typename
      ... on PruneVolumesSuccess {
        deleted
        spaceReclaimedBytes
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

export const ListVolumes = graphql(`
  query ListVolumes($filter: VolumeFilter) {
    volumes(filter: $filter) {
      ...VolumeFields
    }
  }
`);

export const GetVolume = graphql(`
  query GetVolume($name: String!) {
    volume(name: $name) {
      ...VolumeFields
    }
  }
`);
