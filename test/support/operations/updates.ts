import { graphql } from '../../gql/index.js';

export const ImageUpdateFields = graphql(`
  fragment ImageUpdateFields on ImageUpdate {
    reference
    status
    localDigest
    remoteDigest
    checkedAt
    since
    error
  }
`);

export const CheckImageUpdates = graphql(`
  mutation CheckImageUpdates {
    checkImageUpdates {
      __typename
      ... on CheckImageUpdatesSuccess {
        updates {
          ...ImageUpdateFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ContainerImageUpdate = graphql(`
  query ContainerImageUpdate($id: String!) {
    container(id: $id) {
      id
      image
      imageUpdate {
        ...ImageUpdateFields
      }
    }
  }
`);

export const ImageUpdatesSubscription = graphql(`
  subscription ImageUpdates($reference: String) {
    imageUpdates(reference: $reference) {
      ...ImageUpdateFields
    }
  }
`);

export const StackImageUpdates = graphql(`
  query StackImageUpdates($name: String!) {
    stack(name: $name) {
      name
      services {
        name
        imageUpdate {
          ...ImageUpdateFields
        }
      }
    }
  }
`);

export const ImageAutoUpdateFields = graphql(`
  fragment ImageAutoUpdateFields on ImageAutoUpdate {
    kind
    name
    enabled
    window {
      days
      start
      end
      timeZone
    }
    windowOpen
    running
    lastRun
    lastOutcome {
      at
      result
      message
      reference
      toDigest
    }
  }
`);

export const SetImageAutoUpdate = graphql(`
  mutation SetImageAutoUpdate($input: SetImageAutoUpdateInput!) {
    setImageAutoUpdate(input: $input) {
      __typename
      ... on SetImageAutoUpdateSuccess {
        autoUpdate {
          ...ImageAutoUpdateFields
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

export const ImageAutoUpdates = graphql(`
  query ImageAutoUpdates {
    imageAutoUpdates {
      ...ImageAutoUpdateFields
    }
  }
`);

export const ImageAutoUpdateChanges = graphql(`
  subscription ImageAutoUpdateChanges {
    imageAutoUpdateChanges {
      ...ImageAutoUpdateFields
    }
  }
`);
