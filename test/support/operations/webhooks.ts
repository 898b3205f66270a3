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
  query StackWebhook($stack: String!, $environment: String! = "local") {
    stackWebhook(stack: $stack, environment: $environment) {
      ...StackWebhookFields
    }
  }
`);

export const RotateStackWebhook = graphql(`
  mutation RotateStackWebhook($stack: String!, $environment: String! = "local") {
    rotateStackWebhook(stack: $stack, environment: $environment) {
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
