import { graphql } from '../../gql/index.js';

export const Backup = graphql(`
  query Backup {
    backup
  }
`);

export const Restore = graphql(`
  mutation Restore($document: JSONObject!) {
    restore(document: $document) {
      __typename
      ... on RestoreSuccess {
        report {
          backupCreatedAt
          restored
          skipped
          failed
          notRestorable
          items {
            section
            item
            outcome
            reason
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
