import { graphql } from '../../gql/index.js';

export const ExecInContainer = graphql(`
  mutation ExecInContainer(
    $id: String!
    $command: [String!]!
    $env: [KeyValueInput!]
    $workingDir: String
    $timeoutSeconds: Float
  ) {
    execInContainer(
      id: $id
      command: $command
      env: $env
      workingDir: $workingDir
      timeoutSeconds: $timeoutSeconds
    ) {
      __typename
      ... on ExecInContainerSuccess {
        result {
          exitCode
          stdout
          stderr
          truncated
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on ExecTimeoutError {
        stopped
      }
    }
  }
`);
