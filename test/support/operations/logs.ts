import { graphql } from '../../gql/index.js';

export const ContainerLogs = graphql(`
  query ContainerLogs(
    $id: String!
    $tail: Int
    $since: DateTime
    $until: DateTime
    $stdout: Boolean
    $stderr: Boolean
  ) {
    container(id: $id) {
      id
      logs(tail: $tail, since: $since, until: $until, stdout: $stdout, stderr: $stderr) {
        stream
        at
        text
      }
    }
  }
`);

export const ContainerLogsSubscription = graphql(`
  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime) {
    containerLogs(id: $id, tail: $tail, since: $since) {
      stream
      at
      text
    }
  }
`);
