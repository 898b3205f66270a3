import { graphql } from '../../gql/index.js';

export const RedeployContainer = graphql(`
  mutation RedeployContainer(
    $id: String!
    $image: String
    $env: [KeyValueInput!]
    $unsetEnv: [String!]
    $dryRun: Boolean
    $healthTimeoutSeconds: Int
    $drainSeconds: Float
    $stopTimeoutSeconds: Int
  ) {
    redeployContainer(
      id: $id
      image: $image
      env: $env
      unsetEnv: $unsetEnv
      dryRun: $dryRun
      healthTimeoutSeconds: $healthTimeoutSeconds
      drainSeconds: $drainSeconds
      stopTimeoutSeconds: $stopTimeoutSeconds
    ) {
      __typename
      ... on RedeployContainerSuccess {
        dryRun
        plan {
          containerId
          name
          image
          pullRequired
          swap
          healthGate
          networks {
            name
            aliases
          }
          fixedHostPorts {
            containerPort
            protocol
            hostIp
            hostPort
          }
          changes {
            field
            kind
            before
            after
          }
        }
        container {
          ...ContainerFields
        }
        replacedContainerId
        handover {
          network
          aliases
          addressKept
        }
        hostPortGapMs
        warnings
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on RedeployFailedError {
        containerId
        reason
        exitCode
        lastProbe {
          exitCode
          output
        }
      }
      ... on RedeployInProgressError {
        name
      }
    }
  }
`);

export const RedeployProgressSubscription = graphql(`
  subscription RedeployProgress($id: String!) {
    redeployProgress(id: $id) {
      containerId
      name
      step
      at
      message
      newContainerId
      failure {
        reason
        message
        exitCode
        lastProbe {
          exitCode
          output
        }
      }
    }
  }
`);
