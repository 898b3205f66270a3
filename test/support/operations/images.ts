import { graphql } from '../../gql/index.js';

export const ImageFields = graphql(`
  fragment ImageFields on Image {
    id
    tags
    sizeBytes
    createdAt
    containers
  }
`);

export const ImagesQuery = graphql(`
  query Images {
    images {
      ...ImageFields
    }
  }
`);

export const PullImage = graphql(`
  mutation PullImage($reference: String!) {
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
      ... on InvalidInputError {
        field
      }
      # PullImageSuccess.image is the Image; the error's is the reference it could not find.
      ... on ImageNotFoundError {
        missing: image
      }
    }
  }
`);

export const RemoveImage = graphql(`
  mutation RemoveImage($reference: String!, $force: Boolean) {
    removeImage(reference: $reference, force: $force) {
      __typename
      ... on RemoveImageSuccess {
        untagged
        deleted
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

export const PruneImages = graphql(`
  mutation PruneImages {
    pruneImages {
      __typename
      ... on PruneImagesSuccess {
        deleted
        spaceReclaimedBytes
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ImagePullProgressSubscription = graphql(`
  subscription ImagePullProgress($reference: String!) {
    imagePullProgress(reference: $reference) {
      reference
      state
      currentBytes
      totalBytes
      layers {
        id
        status
        currentBytes
        totalBytes
      }
    }
  }
`);
