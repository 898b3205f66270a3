import { graphql } from '../../gql/index.js';

export const StackWebhookFields = graphql(`
  fragment StackWebhookFields on StackWebhook {
    url
    createdAt
    lastDeliveryAt
    lastOutcome
  }
`);

export const StackWebhookQuery = graphql(`
  query StackWebhook($stack: String!) {
    stackWebhook(stack: $stack) {
      ...StackWebhookFields
    }
  }
`);

export const RotateStackWebhook = graphql(`
  mutation RotateStackWebhook($stack: String!) {
    rotateStackWebhook(stack: $stack) {
      __typename
      ... on RotateStackWebhookSuccess {
        secret
        webhook {
          ...StackWebhookFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
