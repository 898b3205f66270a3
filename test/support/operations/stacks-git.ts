import { graphql } from '../../gql/index.js';

export const StackGitSourceFields = graphql(`
  fragment StackGitSourceFields on StackGitSource {
    repository
    ref
    path
    commit
    syncedAt
    pollMinutes
    auth
  }
`);

export const DeployStackFromGit = graphql(`
  mutation DeployStackFromGit($input: DeployStackFromGitInput!, $environment: String! = "local") {
    deployStackFromGit(input: $input, environment: $environment) {
      __typename
      ... on DeployStackFromGitSuccess {
        source {
          ...StackGitSourceFields
        }
        deploy {
          applied
          ok
          plan {
            changes
            services {
              service
              action
              reason
            }
          }
          outcomes {
            service
            outcome
            message
          }
        }
      }
      ... on GitFailedError {
        repository
        reason
      }
      ... on InvalidComposeError {
        problems {
          path
          line
          column
          message
        }
      }
      ... on InvalidInputError {
        field
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const SyncStack = graphql(`
  mutation SyncStack($name: String!, $environment: String! = "local") {
    syncStack(name: $name, environment: $environment) {
      __typename
      ... on SyncStackSuccess {
        changed
        commit
        previousCommit
        deploy {
          applied
          ok
          plan {
            changes
            services {
              service
              action
              reason
            }
          }
          outcomes {
            service
            outcome
            message
          }
        }
      }
      ... on GitFailedError {
        repository
        reason
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StackSource = graphql(`
  query StackSource($name: String!, $environment: String! = "local") {
    stack(name: $name, environment: $environment) {
      name
      env
      source {
        ...StackGitSourceFields
      }
    }
  }
`);
