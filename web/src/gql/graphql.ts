/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type ContainerEventType =
  | 'CREATE'
  | 'DESTROY'
  | 'DIE'
  | 'HEALTH'
  | 'OOM'
  | 'RESTART'
  | 'START'
  | 'STOP';

export type ContainerStatus =
  | 'CREATED'
  | 'DEAD'
  | 'EXITED'
  | 'PAUSED'
  | 'REMOVING'
  | 'RESTARTING'
  | 'RUNNING';

export type CreateContainerInput = {
  /** Capabilities to add; each must be allowed by the create policy. */
  capAdd?: Array<string> | null | undefined;
  command?: Array<string> | null | undefined;
  /** Host devices; refused unless the create policy allows them. */
  devices?: Array<string> | null | undefined;
  env?: Array<KeyValueInput> | null | undefined;
  healthcheck?: HealthcheckInput | null | undefined;
  /** Refused unless the create policy allows it. */
  hostNamespaces?: Array<HostNamespace> | null | undefined;
  /** Pulled first when the engine does not have it. */
  image: string;
  labels?: Array<KeyValueInput> | null | undefined;
  /** Named volumes; bind mounts only from host paths the create policy allows. */
  mounts?: Array<MountInput> | null | undefined;
  name?: string | null | undefined;
  /** User networks to join, in order (the default bridge when omitted); containers on one reach each other by name and aliases. `host` is the host’s network namespace, under the create policy. */
  networks?: Array<NetworkAttachmentInput> | null | undefined;
  ports?: Array<PortInput> | null | undefined;
  /** Refused unless the create policy allows it. */
  privileged?: boolean | null | undefined;
  resources?: ResourcesInput | null | undefined;
  restartPolicy?: RestartPolicyInput | null | undefined;
  /** Only no-new-privileges unless the create policy allows unconfined options. */
  securityOpt?: Array<string> | null | undefined;
  start?: boolean | null | undefined;
  /** Give it a terminal (its logs are then one raw stream). */
  tty?: boolean | null | undefined;
  /** Named volumes to mount; the engine creates a missing one. Never a host path. */
  volumes?: Array<VolumeMountInput> | null | undefined;
};

export type DeployStackFromGitInput = {
  /** Omitted on a stack deployed from the same repository before: its stored credential stays. */
  auth?: GitAuthInput | null | undefined;
  /** Fetch and answer the plan; change nothing. */
  dryRun?: boolean | null | undefined;
  /** A `.env` text, over the repository's own .env beside the compose file. */
  env?: string | null | undefined;
  /** The stack (Compose project) name. */
  name: string;
  /** The compose file, from the repository's top; when omitted, the first of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml. */
  path?: string | null | undefined;
  /** Minutes between polls of the repository; 0: none; BERTH_GIT_POLL_MINUTES when omitted. */
  pollMinutes?: number | null | undefined;
  /** A branch or tag; the remote's default branch when omitted. */
  ref?: string | null | undefined;
  removeOrphans?: boolean | null | undefined;
  /** https://, http://, git://, ssh:// or user@host:path; never a local path. */
  repository: string;
  timeoutSeconds?: number | null | undefined;
};

export type DeployStackInput = {
  /** The compose file, as text (at most 1 MiB). */
  compose: string;
  /** Answer the plan and change nothing. */
  dryRun?: boolean | null | undefined;
  /** A `.env` text for interpolation; berth never reads its own environment for it. */
  env?: string | null | undefined;
  /** The stack (Compose project) name. */
  name: string;
  /** Profiles to enable; COMPOSE_PROFILES of the env text when omitted. */
  profiles?: Array<string> | null | undefined;
  /** Remove the containers of services no longer in the file. */
  removeOrphans?: boolean | null | undefined;
  /** How long a replica may take to be ready, and a service to wait for what it depends on. */
  timeoutSeconds?: number | null | undefined;
};

/** ADDED (addEnvironment, importDockerContexts), REMOVED (removeEnvironment), DOWN (its engine stopped answering: downSince, lastError), UP (its engine answers, the first time or again; engineVersion and swarmRole as it says now), UPDATED (its engineVersion or swarmRole changed while it answers). */
export type EnvironmentChangeKind =
  | 'ADDED'
  | 'DOWN'
  | 'REMOVED'
  | 'UP'
  | 'UPDATED';

/** UP while its engine’s event stream is connected, DOWN while it cannot be, CONNECTING before the first try ends. */
export type EnvironmentStatus =
  | 'CONNECTING'
  | 'DOWN'
  | 'UP';

export type ErrorCode =
  /** No alert rule has that id. */
  | 'ALERT_RULE_NOT_FOUND'
  /** The id prefix matches more than one container; give more characters. */
  | 'AMBIGUOUS_ID'
  /** The engine's own networks (bridge, host, none) cannot be removed. */
  | 'BUILT_IN_NETWORK'
  /** The event cursor is older than berth retains (or from before a restart): re-list with `containers`, then subscribe without `after`. */
  | 'CURSOR_EXPIRED'
  /** The Docker Engine refused the request for a reason berth has no rule of its own for; the message gives the engine's status and words. */
  | 'ENGINE_REFUSED'
  /** The Docker Engine cannot be reached; `reason` says why and the message how to fix it. berth keeps running and retries on the next call. */
  | 'ENGINE_UNAVAILABLE'
  /** An environment (Docker host) already has that name. */
  | 'ENVIRONMENT_EXISTS'
  /** No environment (Docker host) has that name. */
  | 'ENVIRONMENT_NOT_FOUND'
  /** The environment cannot be removed through the API: `local` (DOCKER_HOST) or one BERTH_ENVIRONMENTS_FILE declares. */
  | 'ENVIRONMENT_PROTECTED'
  /** The command did not finish within its timeout; it was stopped where berth could reach it. */
  | 'EXEC_TIMEOUT'
  /** The token's role does not allow this operation; for a deploy token, anything but its one operation on its target. */
  | 'FORBIDDEN'
  /** git could not fetch the stack's repository: it refused the credentials, has no such branch or tag, could not be reached, or took too long; `reason` says which. */
  | 'GIT_FAILED'
  /** A container uses the image: remove the container first, or remove the image with force. */
  | 'IMAGE_IN_USE'
  /** The image is not on the engine and its registry does not have it (or, to remove it, is not on the engine). */
  | 'IMAGE_NOT_FOUND'
  /** The compose file or its env is not valid, or uses what berth does not implement; `problems` lists each with its path, line and column. */
  | 'INVALID_COMPOSE'
  /** A field of the input is malformed or out of range; `field` names it. */
  | 'INVALID_INPUT'
  /** The container is in a state that forbids the operation (e.g. removing a running container without force). */
  | 'INVALID_STATE'
  /** Another container already has that name. */
  | 'NAME_CONFLICT'
  /** A network with that name already exists. */
  | 'NETWORK_EXISTS'
  /** Containers (running or not) are attached to the network: disconnect or remove them first. */
  | 'NETWORK_IN_USE'
  /** No network has that id, id prefix or name. */
  | 'NETWORK_NOT_FOUND'
  /** No container matches the id, id prefix or name. */
  | 'NOT_FOUND'
  /** The operation needs a Docker Swarm manager (e.g. an overlay network) and the engine is not one. */
  | 'NOT_SWARM_MANAGER'
  /** The create request asks for something the admin's create policy does not allow (privileges, host namespaces, host paths, devices, capabilities, unconfined security); `field` names it. */
  | 'POLICY_VIOLATION'
  /** A published host port could not be bound (in use, or the host address is not local). Nothing is left behind. */
  | 'PORT_UNAVAILABLE'
  /** The policy caps the number of containers, and it is reached. */
  | 'QUOTA_EXCEEDED'
  /** Too many requests for this token, or failed authentications from this address; see Retry-After. */
  | 'RATE_LIMITED'
  /** The new container did not become ready (unhealthy, exited, timed out, or could not be started or swapped in): it was removed, and the old one kept serving under its name. */
  | 'REDEPLOY_FAILED'
  /** A redeploy of this container is already running; follow it with redeployProgress. */
  | 'REDEPLOY_IN_PROGRESS'
  /** No registry credential is saved for that registry. */
  | 'REGISTRY_CREDENTIAL_NOT_FOUND'
  /** The image's registry refused the pull for its credentials: none is saved for that registry, or the saved one is wrong (saveRegistryCredential). */
  | 'REGISTRY_UNAUTHORIZED'
  /** The image is not on the engine and its registry could not be reached. */
  | 'REGISTRY_UNAVAILABLE'
  /** A stored secret does not open with the BERTH_SECRET_KEY berth runs with: another key sealed it (or it was altered). Start berth with the key it was saved under, or save it again. */
  | 'SECRET_KEY_MISMATCH'
  /** berth has no BERTH_SECRET_KEY (or BERTH_SECRET_KEY_FILE), so it refuses to store a secret or to open a stored one. */
  | 'SECRET_KEY_MISSING'
  /** A swarm service with that name already exists. */
  | 'SERVICE_EXISTS'
  /** No swarm service has that id, id prefix or name. */
  | 'SERVICE_NOT_FOUND'
  /** The container has no such shell: the one asked for is not in its filesystem, or none was asked for and it has neither /bin/bash nor /bin/sh. */
  | 'SHELL_NOT_FOUND'
  /** The subscriber fell too far behind and the stream was ended; resume events from the last cursor received. */
  | 'SLOW_CONSUMER'
  /** A deploy, scale or removal of this stack is already running; follow it with stackDeployProgress and try again after it. */
  | 'STACK_BUSY'
  /** No compose stack has that name. */
  | 'STACK_NOT_FOUND'
  /** redeployStack of a stack berth has no compose file for (the Compose CLI started it) or that runs as Swarm services: deploy its file with deployStack. */
  | 'STACK_NOT_REDEPLOYABLE'
  /** The engine could not run the container's process (e.g. its command does not exist in the image). A container made by this call is removed again. */
  | 'START_FAILED'
  /** The subnet asked for shares addresses with another network's on the engine; `networks` names them. Choose another subnet. */
  | 'SUBNET_OVERLAP'
  /** No container template has that name. */
  | 'TEMPLATE_NOT_FOUND'
  /** Terminal sessions are turned off on this berth (BERTH_TERMINAL=off): refused for every token, admins included. */
  | 'TERMINAL_DISABLED'
  /** A token was sent in the URL, where logs and proxies keep it; send it in the Authorization header. */
  | 'TOKEN_IN_URL'
  /** No API token has that id, and no active token has that name. */
  | 'TOKEN_NOT_FOUND'
  /** No valid token: send `Authorization: Bearer <token>` (over WebSocket: connectionParams.authorization). */
  | 'UNAUTHENTICATED'
  /** A volume with that name already exists. */
  | 'VOLUME_EXISTS'
  /** Containers (running or not) use the volume: remove them first. */
  | 'VOLUME_IN_USE'
  /** No volume has that name. */
  | 'VOLUME_NOT_FOUND'
  /** A push webhook's delivery is not signed with the stack's webhook secret (no signature, a wrong or malformed one), or no stack with a webhook has that name: one answer for all, so names cannot be probed. */
  | 'WEBHOOK_SIGNATURE_INVALID';

/** A token (HTTPS, sent as HTTP Basic with `username`) or an SSH deploy key; sealed with BERTH_SECRET_KEY, never shown again. */
export type GitAuthInput = {
  /** A deploy key without a passphrase (PEM or OpenSSH); the repository must be ssh:// or user@host:path. */
  sshPrivateKey?: string | null | undefined;
  /** An access token; the repository must be https://. */
  token?: string | null | undefined;
  /** The user the token is sent as; `git` when omitted (forges accept any). */
  username?: string | null | undefined;
};

/** How berth authenticates to the repository: NONE, TOKEN (HTTPS), SSH_KEY (a deploy key). */
export type GitAuthKind =
  | 'NONE'
  | 'SSH_KEY'
  | 'TOKEN';

export type HealthStatus =
  | 'HEALTHY'
  | 'NONE'
  | 'STARTING'
  | 'UNHEALTHY';

export type HealthcheckInput = {
  intervalSeconds?: number | null | undefined;
  retries?: number | null | undefined;
  startPeriodSeconds?: number | null | undefined;
  /** As Docker takes it: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"]. */
  test: Array<string>;
  timeoutSeconds?: number | null | undefined;
};

export type HostNamespace =
  | 'CGROUP'
  | 'IPC'
  | 'NETWORK'
  | 'PID'
  | 'USERNS'
  | 'UTS';

export type ImageUpdateStatus =
  /** The registry has a different image under the tag: a pull would change it. */
  | 'AVAILABLE'
  /** Not known: the image has no digest from a registry (built or imported here), or the registry did not answer, refused or lacks the tag; `error` says which. */
  | 'UNKNOWN'
  /** The registry’s digest for the tag is the one the engine pulled. */
  | 'UP_TO_DATE';

export type KeyValueInput = {
  name: string;
  value: string;
};

export type LogStream =
  | 'STDERR'
  | 'STDOUT'
  /** A note from berth in the stream, e.g. lines dropped for a slow reader. */
  | 'SYSTEM';

export type MountInput = {
  readOnly?: boolean | null | undefined;
  /** A volume name, or a host path for BIND. */
  source: string;
  /** An absolute path in the container. */
  target: string;
  type: MountType;
};

export type MountType =
  | 'BIND'
  | 'VOLUME';

export type NetworkAttachmentInput = {
  /** More DNS names it answers to on this network. */
  aliases?: Array<string> | null | undefined;
  /** A network name, id or unique id prefix. */
  name: string;
};

export type PortInput = {
  containerPort: number;
  /** Host address to bind, e.g. 127.0.0.1; all addresses when omitted. */
  hostIp?: string | null | undefined;
  /** Omit to let the engine pick a free port. */
  hostPort?: number | null | undefined;
  protocol?: PortProtocol | null | undefined;
};

export type PortProtocol =
  | 'SCTP'
  | 'TCP'
  | 'UDP';

export type ResourcesInput = {
  /** Number of CPUs, e.g. 0.5. */
  cpus?: number | null | undefined;
  /** At least 6 MiB. */
  memoryBytes?: number | null | undefined;
};

export type RestartPolicyInput = {
  /** Only with ON_FAILURE. */
  maximumRetryCount?: number | null | undefined;
  name: RestartPolicyName;
};

export type RestartPolicyName =
  | 'ALWAYS'
  | 'NO'
  | 'ON_FAILURE'
  | 'UNLESS_STOPPED';

/** IDLE is only ever first (no deploy running; the next one is followed); DONE and FAILED are last. */
export type StackDeployStep =
  | 'CREATING'
  | 'DONE'
  | 'FAILED'
  | 'IDLE'
  | 'NETWORK_CREATED'
  | 'PLANNED'
  | 'PULLING'
  | 'READY'
  | 'REMOVED'
  | 'REPLACED'
  | 'SERVICE_DONE'
  | 'SERVICE_FAILED'
  | 'STARTING'
  | 'VOLUME_CREATED'
  | 'WAITING';

export type StackResourceAction =
  | 'CREATE'
  | 'EXISTS'
  | 'EXTERNAL';

/** CREATE (none run), RECREATE (the config hash changed: every replica is replaced, health-gated), SCALE (only the count), START (some are stopped), UNCHANGED, REMOVE (no longer in the file, removeOrphans), ORPHAN (no longer in the file, kept). */
export type StackServiceAction =
  | 'CREATE'
  | 'ORPHAN'
  | 'RECREATE'
  | 'REMOVE'
  | 'SCALE'
  | 'START'
  | 'UNCHANGED';

export type StackServiceOutcome =
  | 'APPLIED'
  | 'FAILED'
  | 'SKIPPED'
  | 'UNCHANGED';

export type VolumeMountInput = {
  /** A volume name (never a path). */
  name: string;
  readOnly?: boolean | null | undefined;
  /** An absolute path in the container. */
  target: string;
};

export type DashboardImageUpdateFragment = { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null };

export type DashboardContainerFragment = { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null };

export type DashboardContainersQueryVariables = Exact<{
  environment: string;
  allEnvironments: boolean;
}>;


export type DashboardContainersQuery = { containers: Array<{ id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null }> };

export type DashboardEnvironmentFragment = { name: string, status: EnvironmentStatus, downSince: string | null, lastError: string | null };

export type DashboardEnvironmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardEnvironmentsQuery = { environments: Array<{ name: string, status: EnvironmentStatus, downSince: string | null, lastError: string | null }> };

export type DashboardEnvironmentChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardEnvironmentChangedSubscription = { environmentChanged: { kind: EnvironmentChangeKind, environment: { name: string, status: EnvironmentStatus, downSince: string | null, lastError: string | null } } };

export type DashboardSystemQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSystemQuery = { system: { statsSource: string, engine: { up: boolean } } };

export type DashboardStatsPointFragment = { at: string, cpuPercent: number | null, memoryUsageBytes: number, memoryLimitBytes: number };

export type DashboardStatsHistoryQueryVariables = Exact<{
  id: string;
  environment: string;
  from?: string | null | undefined;
  to?: string | null | undefined;
  stepSeconds?: number | null | undefined;
}>;


export type DashboardStatsHistoryQuery = { container: { statsHistory: Array<{ at: string, cpuPercent: number | null, memoryUsageBytes: number, memoryLimitBytes: number }> } | null };

export type DashboardStatsSubscriptionVariables = Exact<{
  environment: string;
  allEnvironments: boolean;
}>;


export type DashboardStatsSubscription = { containersStats: { at: string, leftOut: Array<string>, samples: Array<{ containerId: string, at: string, cpuPercent: number | null, memoryUsageBytes: number, memoryLimitBytes: number }> } };

export type DashboardEventsSubscriptionVariables = Exact<{
  environment: string;
  allEnvironments: boolean;
  after?: string | null | undefined;
}>;


export type DashboardEventsSubscription = { containerEvents: { cursor: string, environment: string, type: ContainerEventType, at: string, containerId: string, exitCode: number | null, health: HealthStatus | null, container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } | null } };

export type DashboardLogsSubscriptionVariables = Exact<{
  id: string;
  environment: string;
  tail?: number | null | undefined;
  since?: string | null | undefined;
}>;


export type DashboardLogsSubscription = { containerLogs: { stream: LogStream, at: string, text: string } };

export type DashboardCreateMutationVariables = Exact<{
  environment: string;
  input: CreateContainerInput;
}>;


export type DashboardCreateMutation = { createContainer:
    | { __typename: 'CreateContainerSuccess', container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } }
    | { __typename: 'EngineRefusedError', code: ErrorCode, message: string }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'ImageNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'NameConflictError', code: ErrorCode, message: string }
    | { __typename: 'NetworkNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'PolicyViolationError', code: ErrorCode, message: string, field: string }
    | { __typename: 'PortUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'QuotaExceededError', code: ErrorCode, message: string }
    | { __typename: 'RegistryUnauthorizedError', code: ErrorCode, message: string }
    | { __typename: 'RegistryUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMismatchError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMissingError', code: ErrorCode, message: string }
    | { __typename: 'StartFailedError', code: ErrorCode, message: string }
   };

export type DashboardStartMutationVariables = Exact<{
  id: string;
  environment: string;
}>;


export type DashboardStartMutation = { result:
    | { __typename: 'AmbiguousIdError', code: ErrorCode, message: string }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'InvalidStateError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'PortUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'StartContainerSuccess', container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } }
    | { __typename: 'StartFailedError', code: ErrorCode, message: string }
   };

export type DashboardStopMutationVariables = Exact<{
  id: string;
  environment: string;
}>;


export type DashboardStopMutation = { result:
    | { __typename: 'AmbiguousIdError', code: ErrorCode, message: string }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'InvalidStateError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'StopContainerSuccess', container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } }
   };

export type DashboardRestartMutationVariables = Exact<{
  id: string;
  environment: string;
}>;


export type DashboardRestartMutation = { result:
    | { __typename: 'AmbiguousIdError', code: ErrorCode, message: string }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'InvalidStateError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'PortUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'RestartContainerSuccess', container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } }
    | { __typename: 'StartFailedError', code: ErrorCode, message: string }
   };

export type DashboardRemoveMutationVariables = Exact<{
  id: string;
  environment: string;
}>;


export type DashboardRemoveMutation = { result:
    | { __typename: 'AmbiguousIdError', code: ErrorCode, message: string }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'InvalidStateError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'RemoveContainerSuccess', container: { id: string, name: string, environment: string, image: string, command: Array<string>, status: ContainerStatus, health: HealthStatus, restartCount: number, exitCode: number | null, createdAt: string, startedAt: string | null, ports: Array<{ containerPort: number, protocol: PortProtocol, hostIp: string | null, hostPort: number | null }>, restartPolicy: { name: RestartPolicyName, maximumRetryCount: number }, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null } }
   };

export type DashboardStacksQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardStacksQuery = { stacks: Array<{ name: string, status: string, managed: boolean, deployedAt: string | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number }> }> };

export type DashboardStackFragment = { name: string, status: string, managed: boolean, hash: string | null, deployedAt: string | null, compose: string | null, env: string | null, source: { repository: string, ref: string, path: string, commit: string | null, syncedAt: string | null, pollMinutes: number, auth: GitAuthKind } | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number, healthyReplicas: number, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null, containers: Array<{ id: string, name: string, status: ContainerStatus, health: HealthStatus }> }> };

export type DashboardStackViewQueryVariables = Exact<{
  name: string;
}>;


export type DashboardStackViewQuery = { stack: { name: string, status: string, managed: boolean, hash: string | null, deployedAt: string | null, compose: string | null, env: string | null, source: { repository: string, ref: string, path: string, commit: string | null, syncedAt: string | null, pollMinutes: number, auth: GitAuthKind } | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number, healthyReplicas: number, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null, containers: Array<{ id: string, name: string, status: ContainerStatus, health: HealthStatus }> }> } | null };

export type DashboardStackHistoryQueryVariables = Exact<{
  name: string;
}>;


export type DashboardStackHistoryQuery = { stackHistory:
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'StackHistorySuccess', data: Array<{ at: string, action: string, actor: string, ok: boolean, hash: string, summary: string }> }
   };

export type DashboardDeployStackMutationVariables = Exact<{
  input: DeployStackInput;
}>;


export type DashboardDeployStackMutation = { deployStack:
    | { __typename: 'DeployStackResult', applied: boolean, ok: boolean, plan: { stack: string, hash: string, changes: boolean, services: Array<{ service: string, action: StackServiceAction, currentReplicas: number, desiredReplicas: number, reason: string }>, resources: Array<{ kind: string, key: string, name: string, action: StackResourceAction }> }, outcomes: Array<{ service: string, outcome: StackServiceOutcome, message: string | null }> }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidComposeError', code: ErrorCode, message: string, problems: Array<{ path: string, line: number | null, column: number | null, message: string, key: string | null }> }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'NetworkNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'NotSwarmManagerError', code: ErrorCode, message: string }
    | { __typename: 'PolicyViolationError', code: ErrorCode, message: string, field: string }
    | { __typename: 'QuotaExceededError', code: ErrorCode, message: string }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'SubnetOverlapError', code: ErrorCode, message: string }
    | { __typename: 'VolumeNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardStackProgressSubscriptionVariables = Exact<{
  name: string;
}>;


export type DashboardStackProgressSubscription = { stackDeployProgress: { at: string, step: StackDeployStep, service: string | null, container: string | null, message: string } };

export type DashboardScaleStackServiceMutationVariables = Exact<{
  stack: string;
  service: string;
  replicas: number;
}>;


export type DashboardScaleStackServiceMutation = { result:
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'PolicyViolationError', code: ErrorCode, message: string, field: string }
    | { __typename: 'QuotaExceededError', code: ErrorCode, message: string }
    | { __typename: 'ServiceNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'Stack', name: string, status: string, managed: boolean, hash: string | null, deployedAt: string | null, compose: string | null, env: string | null, source: { repository: string, ref: string, path: string, commit: string | null, syncedAt: string | null, pollMinutes: number, auth: GitAuthKind } | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number, healthyReplicas: number, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null, containers: Array<{ id: string, name: string, status: ContainerStatus, health: HealthStatus }> }> }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardStartStackMutationVariables = Exact<{
  name: string;
}>;


export type DashboardStartStackMutation = { result:
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'Stack', name: string, status: string, managed: boolean, hash: string | null, deployedAt: string | null, compose: string | null, env: string | null, source: { repository: string, ref: string, path: string, commit: string | null, syncedAt: string | null, pollMinutes: number, auth: GitAuthKind } | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number, healthyReplicas: number, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null, containers: Array<{ id: string, name: string, status: ContainerStatus, health: HealthStatus }> }> }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardStopStackMutationVariables = Exact<{
  name: string;
}>;


export type DashboardStopStackMutation = { result:
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'Stack', name: string, status: string, managed: boolean, hash: string | null, deployedAt: string | null, compose: string | null, env: string | null, source: { repository: string, ref: string, path: string, commit: string | null, syncedAt: string | null, pollMinutes: number, auth: GitAuthKind } | null, services: Array<{ name: string, desiredReplicas: number, runningReplicas: number, healthyReplicas: number, imageUpdate: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } | null, containers: Array<{ id: string, name: string, status: ContainerStatus, health: HealthStatus }> }> }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardRemoveStackMutationVariables = Exact<{
  name: string;
  volumes: boolean;
}>;


export type DashboardRemoveStackMutation = { result:
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'Stack', name: string }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardCheckImageUpdatesMutationVariables = Exact<{ [key: string]: never; }>;


export type DashboardCheckImageUpdatesMutation = { checkImageUpdates:
    | { __typename: 'CheckImageUpdatesSuccess', updates: Array<{ reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null }> }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
   };

export type DashboardImageUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardImageUpdatesSubscription = { imageUpdates: { reference: string, status: ImageUpdateStatus, localDigest: string | null, since: string | null, checkedAt: string, error: string | null } };

export type DashboardRegistryCredentialsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardRegistryCredentialsQuery = { registryCredentials: Array<{ registry: string, username: string, createdAt: string, updatedAt: string, lastUsedAt: string | null }> };

export type DashboardSaveRegistryCredentialMutationVariables = Exact<{
  registry: string;
  username: string;
  password: string;
}>;


export type DashboardSaveRegistryCredentialMutation = { result:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'SaveRegistryCredentialSuccess', credential: { registry: string, username: string } }
    | { __typename: 'SecretKeyMissingError', code: ErrorCode, message: string }
   };

export type DashboardRemoveRegistryCredentialMutationVariables = Exact<{
  registry: string;
}>;


export type DashboardRemoveRegistryCredentialMutation = { result:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'RegistryCredentialNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'RemoveRegistryCredentialSuccess', credential: { registry: string } }
   };

export type DashboardSyncStackMutationVariables = Exact<{
  name: string;
}>;


export type DashboardSyncStackMutation = { syncStack:
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'GitFailedError', code: ErrorCode, message: string }
    | { __typename: 'InvalidComposeError', code: ErrorCode, message: string, problems: Array<{ path: string, line: number | null, column: number | null, message: string, key: string | null }> }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'NetworkNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'NotSwarmManagerError', code: ErrorCode, message: string }
    | { __typename: 'PolicyViolationError', code: ErrorCode, message: string, field: string }
    | { __typename: 'QuotaExceededError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMismatchError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMissingError', code: ErrorCode, message: string }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'SubnetOverlapError', code: ErrorCode, message: string }
    | { __typename: 'SyncStackSuccess', changed: boolean, commit: string, previousCommit: string | null, deploy: { ok: boolean, outcomes: Array<{ service: string, outcome: StackServiceOutcome, message: string | null }> } | null }
    | { __typename: 'VolumeNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardDeployStackFromGitMutationVariables = Exact<{
  input: DeployStackFromGitInput;
}>;


export type DashboardDeployStackFromGitMutation = { deployStackFromGit:
    | { __typename: 'DeployStackFromGitSuccess', source: { repository: string, ref: string, path: string, commit: string | null }, deploy: { applied: boolean, ok: boolean, plan: { stack: string, hash: string, changes: boolean, services: Array<{ service: string, action: StackServiceAction, currentReplicas: number, desiredReplicas: number, reason: string }>, resources: Array<{ kind: string, key: string, name: string, action: StackResourceAction }> }, outcomes: Array<{ service: string, outcome: StackServiceOutcome, message: string | null }> } }
    | { __typename: 'EngineUnavailableError', code: ErrorCode, message: string }
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'GitFailedError', code: ErrorCode, message: string }
    | { __typename: 'InvalidComposeError', code: ErrorCode, message: string, problems: Array<{ path: string, line: number | null, column: number | null, message: string, key: string | null }> }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'NetworkNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'NotSwarmManagerError', code: ErrorCode, message: string }
    | { __typename: 'PolicyViolationError', code: ErrorCode, message: string, field: string }
    | { __typename: 'QuotaExceededError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMismatchError', code: ErrorCode, message: string }
    | { __typename: 'SecretKeyMissingError', code: ErrorCode, message: string }
    | { __typename: 'StackBusyError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'SubnetOverlapError', code: ErrorCode, message: string }
    | { __typename: 'VolumeNotFoundError', code: ErrorCode, message: string }
   };

export type DashboardStackWebhookQueryVariables = Exact<{
  stack: string;
}>;


export type DashboardStackWebhookQuery = { stackWebhook: { url: string, createdAt: string, lastDeliveryAt: string | null, lastOutcome: string | null } | null };

export type DashboardRotateStackWebhookMutationVariables = Exact<{
  stack: string;
}>;


export type DashboardRotateStackWebhookMutation = { result:
    | { __typename: 'EnvironmentNotFoundError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, field: string }
    | { __typename: 'RotateStackWebhookSuccess', secret: string, webhook: { url: string, createdAt: string, lastDeliveryAt: string | null, lastOutcome: string | null } }
    | { __typename: 'SecretKeyMissingError', code: ErrorCode, message: string }
    | { __typename: 'StackNotFoundError', code: ErrorCode, message: string }
   };

export const DashboardImageUpdateFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardImageUpdate"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ImageUpdate"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<DashboardImageUpdateFragment, unknown>;
export const DashboardContainerFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardContainerFragment, unknown>;
export const DashboardEnvironmentFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardEnvironment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Environment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"downSince"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}}]}}]} as unknown as DocumentNode<DashboardEnvironmentFragment, unknown>;
export const DashboardStatsPointFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStatsPoint"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContainerStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"cpuPercent"}},{"kind":"Field","name":{"kind":"Name","value":"memoryUsageBytes"}},{"kind":"Field","name":{"kind":"Name","value":"memoryLimitBytes"}}]}}]} as unknown as DocumentNode<DashboardStatsPointFragment, unknown>;
export const DashboardStackFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStack"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"compose"}},{"kind":"Field","name":{"kind":"Name","value":"env"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pollMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"auth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"healthyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}},{"kind":"Field","name":{"kind":"Name","value":"containers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStackFragment, unknown>;
export const DashboardContainersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardContainers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"allEnvironments"},"value":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardContainersQuery, DashboardContainersQueryVariables>;
export const DashboardEnvironmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardEnvironments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardEnvironment"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardEnvironment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Environment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"downSince"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}}]}}]} as unknown as DocumentNode<DashboardEnvironmentsQuery, DashboardEnvironmentsQueryVariables>;
export const DashboardEnvironmentChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardEnvironmentChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environmentChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardEnvironment"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardEnvironment"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Environment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"downSince"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}}]}}]} as unknown as DocumentNode<DashboardEnvironmentChangedSubscription, DashboardEnvironmentChangedSubscriptionVariables>;
export const DashboardSystemDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardSystem"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"system"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"engine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"up"}}]}},{"kind":"Field","name":{"kind":"Name","value":"statsSource"}}]}}]}}]} as unknown as DocumentNode<DashboardSystemQuery, DashboardSystemQueryVariables>;
export const DashboardStatsHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardStatsHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stepSeconds"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statsHistory"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"stepSeconds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stepSeconds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStatsPoint"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStatsPoint"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContainerStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"cpuPercent"}},{"kind":"Field","name":{"kind":"Name","value":"memoryUsageBytes"}},{"kind":"Field","name":{"kind":"Name","value":"memoryLimitBytes"}}]}}]} as unknown as DocumentNode<DashboardStatsHistoryQuery, DashboardStatsHistoryQueryVariables>;
export const DashboardStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containersStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"allEnvironments"},"value":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"leftOut"}},{"kind":"Field","name":{"kind":"Name","value":"samples"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerId"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStatsPoint"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStatsPoint"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContainerStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"cpuPercent"}},{"kind":"Field","name":{"kind":"Name","value":"memoryUsageBytes"}},{"kind":"Field","name":{"kind":"Name","value":"memoryLimitBytes"}}]}}]} as unknown as DocumentNode<DashboardStatsSubscription, DashboardStatsSubscriptionVariables>;
export const DashboardEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"allEnvironments"},"value":{"kind":"Variable","name":{"kind":"Name","value":"allEnvironments"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"containerId"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardEventsSubscription, DashboardEventsSubscriptionVariables>;
export const DashboardLogsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardLogs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tail"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"tail"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tail"}}},{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]} as unknown as DocumentNode<DashboardLogsSubscription, DashboardLogsSubscriptionVariables>;
export const DashboardCreateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardCreate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateContainerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createContainer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateContainerSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PolicyViolationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardCreateMutation, DashboardCreateMutationVariables>;
export const DashboardStartDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardStart"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"startContainer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StartContainerSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardStartMutation, DashboardStartMutationVariables>;
export const DashboardStopDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardStop"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"stopContainer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StopContainerSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardStopMutation, DashboardStopMutationVariables>;
export const DashboardRestartDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardRestart"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"restartContainer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RestartContainerSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardRestartMutation, DashboardRestartMutationVariables>;
export const DashboardRemoveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardRemove"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environment"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"removeContainer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"environment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environment"}}},{"kind":"Argument","name":{"kind":"Name","value":"force"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RemoveContainerSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"container"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardContainer"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardContainer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Container"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"image"}},{"kind":"Field","name":{"kind":"Name","value":"command"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"restartCount"}},{"kind":"Field","name":{"kind":"Name","value":"exitCode"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"ports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"containerPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"hostIp"}},{"kind":"Field","name":{"kind":"Name","value":"hostPort"}}]}},{"kind":"Field","name":{"kind":"Name","value":"restartPolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maximumRetryCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<DashboardRemoveMutation, DashboardRemoveMutationVariables>;
export const DashboardStacksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardStacks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stacks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStacksQuery, DashboardStacksQueryVariables>;
export const DashboardStackViewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardStackView"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStack"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStack"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"compose"}},{"kind":"Field","name":{"kind":"Name","value":"env"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pollMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"auth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"healthyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}},{"kind":"Field","name":{"kind":"Name","value":"containers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStackViewQuery, DashboardStackViewQueryVariables>;
export const DashboardStackHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardStackHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stackHistory"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StackHistorySuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"data"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStackHistoryQuery, DashboardStackHistoryQueryVariables>;
export const DashboardDeployStackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardDeployStack"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeployStackInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployStack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeployStackResult"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applied"}},{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stack"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"changes"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"currentReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"resources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"action"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"outcomes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidComposeError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"problems"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"line"}},{"kind":"Field","name":{"kind":"Name","value":"column"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PolicyViolationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardDeployStackMutation, DashboardDeployStackMutationVariables>;
export const DashboardStackProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardStackProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stackDeployProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"container"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<DashboardStackProgressSubscription, DashboardStackProgressSubscriptionVariables>;
export const DashboardScaleStackServiceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardScaleStackService"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stack"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"service"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"replicas"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"scaleStackService"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"stack"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stack"}}},{"kind":"Argument","name":{"kind":"Name","value":"service"},"value":{"kind":"Variable","name":{"kind":"Name","value":"service"}}},{"kind":"Argument","name":{"kind":"Name","value":"replicas"},"value":{"kind":"Variable","name":{"kind":"Name","value":"replicas"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStack"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PolicyViolationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStack"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"compose"}},{"kind":"Field","name":{"kind":"Name","value":"env"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pollMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"auth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"healthyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}},{"kind":"Field","name":{"kind":"Name","value":"containers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardScaleStackServiceMutation, DashboardScaleStackServiceMutationVariables>;
export const DashboardStartStackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardStartStack"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"startStack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStack"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStack"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"compose"}},{"kind":"Field","name":{"kind":"Name","value":"env"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pollMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"auth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"healthyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}},{"kind":"Field","name":{"kind":"Name","value":"containers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStartStackMutation, DashboardStartStackMutationVariables>;
export const DashboardStopStackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardStopStack"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"stopStack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardStack"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardStack"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"managed"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"deployedAt"}},{"kind":"Field","name":{"kind":"Name","value":"compose"}},{"kind":"Field","name":{"kind":"Name","value":"env"}},{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pollMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"auth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"runningReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"healthyReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"imageUpdate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}},{"kind":"Field","name":{"kind":"Name","value":"containers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"health"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardStopStackMutation, DashboardStopStackMutationVariables>;
export const DashboardRemoveStackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardRemoveStack"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"volumes"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"removeStack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"volumes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"volumes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stack"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardRemoveStackMutation, DashboardRemoveStackMutationVariables>;
export const DashboardCheckImageUpdatesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardCheckImageUpdates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checkImageUpdates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CheckImageUpdatesSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardImageUpdate"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardImageUpdate"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ImageUpdate"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<DashboardCheckImageUpdatesMutation, DashboardCheckImageUpdatesMutationVariables>;
export const DashboardImageUpdatesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DashboardImageUpdates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"imageUpdates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DashboardImageUpdate"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DashboardImageUpdate"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ImageUpdate"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDigest"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]} as unknown as DocumentNode<DashboardImageUpdatesSubscription, DashboardImageUpdatesSubscriptionVariables>;
export const DashboardRegistryCredentialsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardRegistryCredentials"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registryCredentials"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registry"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}}]}}]} as unknown as DocumentNode<DashboardRegistryCredentialsQuery, DashboardRegistryCredentialsQueryVariables>;
export const DashboardSaveRegistryCredentialDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardSaveRegistryCredential"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"registry"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"username"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"saveRegistryCredential"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"registry"},"value":{"kind":"Variable","name":{"kind":"Name","value":"registry"}}},{"kind":"Argument","name":{"kind":"Name","value":"username"},"value":{"kind":"Variable","name":{"kind":"Name","value":"username"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SaveRegistryCredentialSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"credential"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registry"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardSaveRegistryCredentialMutation, DashboardSaveRegistryCredentialMutationVariables>;
export const DashboardRemoveRegistryCredentialDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardRemoveRegistryCredential"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"registry"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"removeRegistryCredential"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"registry"},"value":{"kind":"Variable","name":{"kind":"Name","value":"registry"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RemoveRegistryCredentialSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"credential"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registry"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardRemoveRegistryCredentialMutation, DashboardRemoveRegistryCredentialMutationVariables>;
export const DashboardSyncStackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardSyncStack"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncStack"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SyncStackSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changed"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}},{"kind":"Field","name":{"kind":"Name","value":"previousCommit"}},{"kind":"Field","name":{"kind":"Name","value":"deploy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"outcomes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidComposeError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"problems"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"line"}},{"kind":"Field","name":{"kind":"Name","value":"column"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PolicyViolationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardSyncStackMutation, DashboardSyncStackMutationVariables>;
export const DashboardDeployStackFromGitDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardDeployStackFromGit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeployStackFromGitInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployStackFromGit"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeployStackFromGitSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repository"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"commit"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deploy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applied"}},{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stack"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"changes"}},{"kind":"Field","name":{"kind":"Name","value":"services"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"currentReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"desiredReplicas"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"resources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"action"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"outcomes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"service"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidComposeError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"problems"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"line"}},{"kind":"Field","name":{"kind":"Name","value":"column"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PolicyViolationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardDeployStackFromGitMutation, DashboardDeployStackFromGitMutationVariables>;
export const DashboardStackWebhookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardStackWebhook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stack"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stackWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"stack"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stack"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDeliveryAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastOutcome"}}]}}]}}]} as unknown as DocumentNode<DashboardStackWebhookQuery, DashboardStackWebhookQueryVariables>;
export const DashboardRotateStackWebhookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DashboardRotateStackWebhook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stack"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"result"},"name":{"kind":"Name","value":"rotateStackWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"stack"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stack"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RotateStackWebhookSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"webhook"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDeliveryAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastOutcome"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DashboardRotateStackWebhookMutation, DashboardRotateStackWebhookMutationVariables>;