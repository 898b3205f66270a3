import { graphql } from '../../gql/index.js';

export const ContainerLogs = graphql(`
  query ContainerLogs(
    $id: String!
    $tail: Int
    $since: DateTime
    $until: DateTime
    $stdout: Boolean
    $stderr: Boolean
    $environment: String! = "local"
  ) {
    container(id: $id, environment: $environment) {
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
  subscription FollowLogs($id: String!, $tail: Int, $since: DateTime, $environment: String! = "local") {
    containerLogs(id: $id, tail: $tail, since: $since, environment: $environment) {
      stream
      at
      text
    }
  }
`);
