import { graphql } from '../gql/index.js';

/** The operations the tests send, typed by GraphQL Code Generator (npm run codegen). */

export const ContainerFields = graphql(`
  fragment ContainerFields on Container {
    id
    name
    image
    imageId
    command
    status
    exitCode
    startedAt
    finishedAt
    oomKilled
    createdAt
    health
    restartCount
    restartPolicy {
      name
      maximumRetryCount
    }
    env {
      name
      value
    }
    ports {
      containerPort
      protocol
      hostIp
      hostPort
    }
    labels {
      name
      value
    }
    resources {
      memoryBytes
      nanoCpus
    }
    cpu
    memory
  }
`);

export const CreateContainer = graphql(`
  mutation CreateContainer($input: CreateContainerInput!) {
    createContainer(input: $input) {
      __typename
      ... on CreateContainerSuccess {
        container {
          ...ContainerFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on NameConflictError {
        name
      }
      ... on ImageNotFoundError {
        image
      }
      ... on RegistryUnavailableError {
        image
      }
    }
  }
`);

export const StartContainer = graphql(`
  mutation StartContainer($id: String!) {
    startContainer(id: $id) {
      __typename
      ... on StartContainerSuccess {
        container {
          id
          status
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const StopContainer = graphql(`
  mutation StopContainer($id: String!, $timeoutSeconds: Int) {
    stopContainer(id: $id, timeoutSeconds: $timeoutSeconds) {
      __typename
      ... on StopContainerSuccess {
        container {
          id
          status
          exitCode
          finishedAt
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

export const RestartContainer = graphql(`
  mutation RestartContainer($id: String!, $timeoutSeconds: Int) {
    restartContainer(id: $id, timeoutSeconds: $timeoutSeconds) {
      __typename
      ... on RestartContainerSuccess {
        container {
          id
          status
          startedAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const RemoveContainer = graphql(`
  mutation RemoveContainer($id: String!, $force: Boolean, $removeVolumes: Boolean) {
    removeContainer(id: $id, force: $force, removeVolumes: $removeVolumes) {
      __typename
      ... on RemoveContainerSuccess {
        container {
          id
          name
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

export const GetContainer = graphql(`
  query GetContainer($id: String!) {
    container(id: $id) {
      ...ContainerFields
    }
  }
`);

export const ListContainers = graphql(`
  query ListContainers($filter: ContainerFilter) {
    containers(filter: $filter) {
      id
      name
      status
      image
      labels {
        name
        value
      }
    }
  }
`);

export const ContainerStatsSubscription = graphql(`
  subscription ContainerStats($id: String!, $intervalSeconds: Float) {
    containerStats(id: $id, intervalSeconds: $intervalSeconds) {
      containerId
      at
      cpuPercent
      memoryUsageBytes
      memoryLimitBytes
      memoryPercent
      networkRxBytes
      networkTxBytes
      blockReadBytes
      blockWriteBytes
      pids
    }
  }
`);

export const ContainersStatsSubscription = graphql(`
  subscription ContainersStats($filter: ContainerFilter) {
    containersStats(filter: $filter) {
      at
      samples {
        containerId
        cpuPercent
        memoryUsageBytes
      }
    }
  }
`);

export const ContainerEventsSubscription = graphql(`
  subscription ContainerEvents($filter: ContainerEventFilter, $after: String) {
    containerEvents(filter: $filter, after: $after) {
      cursor
      type
      at
      containerId
      exitCode
      health
      container {
        id
        status
        restartCount
        health
      }
    }
  }
`);

export const HealthChangedSubscription = graphql(`
  subscription HealthChanged($containerId: String) {
    healthChanged(containerId: $containerId) {
      previous
      current
      at
      container {
        id
        health
      }
      lastProbe {
        exitCode
        output
        at
      }
    }
  }
`);

export const ContainerFigures = graphql(`
  query ContainerFigures($id: String!) {
    container(id: $id) {
      id
      restartCount
      cpu
      memory
      stats {
        cpuPercent
        memoryUsageBytes
        pids
      }
    }
  }
`);

export const ContainerStatsFigures = graphql(`
  query ContainerStatsFigures($id: String!) {
    container(id: $id) {
      id
      status
      health
      restartCount
      stats {
        at
        cpuPercent
        memoryUsageBytes
        memoryLimitBytes
        networkRxBytes
        networkTxBytes
        blockReadBytes
        blockWriteBytes
        pids
      }
    }
  }
`);

export const SystemQuery = graphql(`
  query System {
    system {
      engine {
        up
        dockerHost
      }
      statsSource
      statsCollectors
      indexedContainers
    }
  }
`);

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

export const ImagesQuery = graphql(`
  query Images {
    images {
      id
      tags
      sizeBytes
      createdAt
      containers
    }
  }
`);

export const PullImage = graphql(`
  mutation PullImage($reference: String!) {
    pullImage(reference: $reference) {
      __typename
      ... on PullImageSuccess {
        image {
          id
          tags
          sizeBytes
          createdAt
          containers
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

export const ServiceFields = graphql(`
  fragment ServiceFields on Service {
    id
    name
    image
    mode
    replicas
    runningTasks
    desiredTasks
    command
    env {
      name
      value
    }
    labels {
      name
      value
    }
    ports {
      targetPort
      publishedPort
      protocol
      publishMode
    }
    healthcheck {
      test
      intervalSeconds
    }
    updateConfig {
      parallelism
      delaySeconds
      failureAction
      order
      monitorSeconds
      maxFailureRatio
    }
    rollbackConfig {
      parallelism
      failureAction
      order
    }
    stopGracePeriodSeconds
    networks
    updateStatus {
      state
      startedAt
      completedAt
      message
    }
    version
    createdAt
    updatedAt
    tasks(history: $history) {
      id
      slot
      nodeId
      state
      desiredState
      message
      error
      containerId
      exitCode
      image
      ports {
        targetPort
        publishedPort
        protocol
        publishMode
      }
      createdAt
      updatedAt
    }
  }
`);

export const SwarmNodes = graphql(`
  query SwarmNodes {
    nodes {
      id
      hostname
      role
      availability
      state
      leader
      engineVersion
      addr
      managerAddr
    }
  }
`);

export const SwarmServices = graphql(`
  query SwarmServices($history: Boolean = false) {
    services {
      ...ServiceFields
    }
  }
`);

export const SwarmService = graphql(`
  query SwarmService($id: String!, $history: Boolean = false) {
    service(id: $id) {
      ...ServiceFields
    }
  }
`);

export const DeployService = graphql(`
  mutation DeployService($input: DeployServiceInput!, $history: Boolean = false) {
    deployService(input: $input) {
      __typename
      ... on DeployServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on ServiceExistsError {
        name
      }
    }
  }
`);

export const UpdateService = graphql(`
  mutation UpdateService($id: String!, $input: UpdateServiceInput!, $history: Boolean = false) {
    updateService(id: $id, input: $input) {
      __typename
      ... on UpdateServiceSuccess {
        service {
          ...ServiceFields
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

export const RollbackService = graphql(`
  mutation RollbackService($id: String!, $history: Boolean = false) {
    rollbackService(id: $id) {
      __typename
      ... on RollbackServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const ScaleService = graphql(`
  mutation ScaleService($id: String!, $replicas: Int!, $history: Boolean = false) {
    scaleService(id: $id, replicas: $replicas) {
      __typename
      ... on ScaleServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        field
      }
      ... on ServiceNotFoundError {
        reference
      }
    }
  }
`);

export const RemoveService = graphql(`
  mutation RemoveService($id: String!, $history: Boolean = false) {
    removeService(id: $id) {
      __typename
      ... on RemoveServiceSuccess {
        service {
          ...ServiceFields
        }
      }
      ... on Error {
        code
        message
      }
      ... on ServiceNotFoundError {
        reference
      }
    }
  }
`);

export const ServiceRolloutSubscription = graphql(`
  subscription ServiceRollout($id: String!) {
    serviceRollout(id: $id) {
      at
      serviceId
      serviceName
      state
      done
      updateStatus {
        state
        startedAt
        completedAt
        message
      }
      transitions {
        taskId
        slot
        nodeId
        image
        from
        to
        desiredState
        error
        at
      }
      service {
        runningTasks
        desiredTasks
        image
        tasks {
          id
          slot
          image
          state
          desiredState
        }
      }
    }
  }
`);

export const AlertRuleFields = graphql(`
  fragment AlertRuleFields on AlertRule {
    id
    name
    kind
    thresholdPercent
    forSeconds
    restarts
    windowSeconds
    scope {
      container
      label
    }
    enabled
    createdAt
    updatedAt
  }
`);

export const AlertRules = graphql(`
  query AlertRules {
    alertRules {
      ...AlertRuleFields
      webhook {
        url
        lastDelivery {
          at
          alertId
          state
          ok
          attempts
          statusCode
          error
        }
      }
    }
  }
`);

export const CreateAlertRule = graphql(`
  mutation CreateAlertRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      __typename
      ... on CreateAlertRuleSuccess {
        rule {
          ...AlertRuleFields
          webhook {
            url
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

export const UpdateAlertRule = graphql(`
  mutation UpdateAlertRule($id: String!, $input: AlertRulePatch!) {
    updateAlertRule(id: $id, input: $input) {
      __typename
      ... on UpdateAlertRuleSuccess {
        rule {
          ...AlertRuleFields
          webhook {
            url
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

export const DeleteAlertRule = graphql(`
  mutation DeleteAlertRule($id: String!) {
    deleteAlertRule(id: $id) {
      __typename
      ... on DeleteAlertRuleSuccess {
        rule {
          id
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const AlertEventFields = graphql(`
  fragment AlertEventFields on AlertEvent {
    id
    rule {
      id
      name
      kind
    }
    containerId
    containerName
    state
    at
    value
    message
  }
`);

export const ActiveAlerts = graphql(`
  query ActiveAlerts {
    activeAlerts {
      ...AlertEventFields
    }
  }
`);

export const AlertsSubscription = graphql(`
  subscription Alerts($ruleId: String) {
    alerts(ruleId: $ruleId) {
      ...AlertEventFields
    }
  }
`);

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
          id
          name
          image
          status
          health
          env {
            name
            value
          }
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
