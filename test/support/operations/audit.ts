import { graphql } from '../../gql/index.js';

export const AuditLog = graphql(`
  query AuditLog($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      entries {
        cursor
        at
        action
        target
        result
        tokenId
        tokenName
        detail
        count
      }
      endCursor
      hasNextPage
    }
  }
`);
