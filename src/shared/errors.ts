/**
 * The catalog of every expected failure berth reports. GraphQL exposes each as a type implementing
 * `Error { code message }`; the REST shim maps each code to its HTTP status here, so both surfaces
 * say the same thing for the same cause. A test checks every code is unique and documented.
 */

export const ERROR_CODES = {
  NOT_FOUND: { httpStatus: 404, description: 'No container matches the id, id prefix or name.' },
  AMBIGUOUS_ID: {
    httpStatus: 400,
    description: 'The id prefix matches more than one container; give more characters.',
  },
  NAME_CONFLICT: { httpStatus: 409, description: 'Another container already has that name.' },
  IMAGE_NOT_FOUND: {
    httpStatus: 404,
    description:
      'The image is not on the engine and its registry does not have it (or, to remove it, is not on the engine).',
  },
  IMAGE_IN_USE: {
    httpStatus: 409,
    description: 'A container uses the image: remove the container first, or remove the image with force.',
  },
  REGISTRY_UNAVAILABLE: {
    httpStatus: 502,
    description: 'The image is not on the engine and its registry could not be reached.',
  },
  INVALID_INPUT: {
    httpStatus: 400,
    description: 'A field of the input is malformed or out of range; `field` names it.',
  },
  INVALID_STATE: {
    httpStatus: 409,
    description:
      'The container is in a state that forbids the operation (e.g. removing a running container without force).',
  },
  PORT_UNAVAILABLE: {
    httpStatus: 409,
    description:
      'A published host port could not be bound (in use, or the host address is not local). Nothing is left behind.',
  },
  START_FAILED: {
    httpStatus: 422,
    description:
      "The engine could not run the container's process (e.g. its command does not exist in the image). A container made by this call is removed again.",
  },
  CURSOR_EXPIRED: {
    httpStatus: 410,
    description:
      'The event cursor is older than berth retains (or from before a restart): re-list with `containers`, then subscribe without `after`.',
  },
  SLOW_CONSUMER: {
    httpStatus: 429,
    description:
      'The subscriber fell too far behind and the stream was ended; resume events from the last cursor received.',
  },
  EXEC_TIMEOUT: {
    httpStatus: 504,
    description: 'The command did not finish within its timeout; it was stopped where berth could reach it.',
  },
  POLICY_VIOLATION: {
    httpStatus: 403,
    description:
      "The create request asks for something the admin's create policy does not allow (privileges, host namespaces, host paths, devices, capabilities, unconfined security); `field` names it.",
  },
  QUOTA_EXCEEDED: {
    httpStatus: 409,
    description: 'The policy caps the number of containers, and it is reached.',
  },
  UNAUTHENTICATED: {
    httpStatus: 401,
    description:
      'No valid token: send `Authorization: Bearer <token>` (over WebSocket: connectionParams.authorization).',
  },
  TOKEN_IN_URL: {
    httpStatus: 400,
    description:
      'A token was sent in the URL, where logs and proxies keep it; send it in the Authorization header.',
  },
  FORBIDDEN: {
    httpStatus: 403,
    description:
      "The token's role does not allow this operation; for a deploy token, anything but its one operation on its target.",
  },
  RATE_LIMITED: {
    httpStatus: 429,
    description:
      'Too many requests for this token, or failed authentications from this address; see Retry-After.',
  },
  ENGINE_UNAVAILABLE: {
    httpStatus: 503,
    description:
      'The Docker Engine cannot be reached; `reason` says why and the message how to fix it. berth keeps running and retries on the next call.',
  },
  ENGINE_REFUSED: {
    httpStatus: 422,
    description:
      "The Docker Engine refused the request for a reason berth has no rule of its own for; the message gives the engine's status and words.",
  },
  TOKEN_NOT_FOUND: {
    httpStatus: 404,
    description: 'No API token has that id, and no active token has that name.',
  },
  NETWORK_NOT_FOUND: {
    httpStatus: 404,
    description: 'No network has that id, id prefix or name.',
  },
  NETWORK_EXISTS: { httpStatus: 409, description: 'A network with that name already exists.' },
  NETWORK_IN_USE: {
    httpStatus: 409,
    description: 'Containers (running or not) are attached to the network: disconnect or remove them first.',
  },
  BUILT_IN_NETWORK: {
    httpStatus: 403,
    description: "The engine's own networks (bridge, host, none) cannot be removed.",
  },
  SUBNET_OVERLAP: {
    httpStatus: 409,
    description:
      "The subnet asked for shares addresses with another network's on the engine; `networks` names them. Choose another subnet.",
  },
  NOT_SWARM_MANAGER: {
    httpStatus: 409,
    description:
      'The operation needs a Docker Swarm manager (e.g. an overlay network) and the engine is not one.',
  },
  SERVICE_NOT_FOUND: {
    httpStatus: 404,
    description: 'No swarm service has that id, id prefix or name.',
  },
  SERVICE_EXISTS: { httpStatus: 409, description: 'A swarm service with that name already exists.' },
  VOLUME_NOT_FOUND: { httpStatus: 404, description: 'No volume has that name.' },
  VOLUME_EXISTS: { httpStatus: 409, description: 'A volume with that name already exists.' },
  VOLUME_IN_USE: {
    httpStatus: 409,
    description: 'Containers (running or not) use the volume: remove them first.',
  },
  TEMPLATE_NOT_FOUND: {
    httpStatus: 404,
    description: 'No container template has that name.',
  },
  ALERT_RULE_NOT_FOUND: { httpStatus: 404, description: 'No alert rule has that id.' },
  REDEPLOY_IN_PROGRESS: {
    httpStatus: 409,
    description: 'A redeploy of this container is already running; follow it with redeployProgress.',
  },
  STACK_NOT_FOUND: { httpStatus: 404, description: 'No compose stack has that name.' },
  ENVIRONMENT_NOT_FOUND: {
    httpStatus: 404,
    description: 'No environment (Docker host) has that name.',
  },
  ENVIRONMENT_EXISTS: {
    httpStatus: 409,
    description: 'An environment (Docker host) already has that name.',
  },
  ENVIRONMENT_PROTECTED: {
    httpStatus: 409,
    description:
      'The environment cannot be removed through the API: `local` (DOCKER_HOST) or one BERTH_ENVIRONMENTS_FILE declares.',
  },
  STACK_NOT_REDEPLOYABLE: {
    httpStatus: 409,
    description:
      'redeployStack of a stack berth has no compose file for (the Compose CLI started it) or that runs as Swarm services: deploy its file with deployStack.',
  },
  STACK_BUSY: {
    httpStatus: 409,
    description:
      'A deploy, scale or removal of this stack is already running; follow it with stackDeployProgress and try again after it.',
  },
  REDEPLOY_FAILED: {
    httpStatus: 422,
    description:
      'The new container did not become ready (unhealthy, exited, timed out, or could not be started or swapped in): it was removed, and the old one kept serving under its name.',
  },
  INVALID_COMPOSE: {
    httpStatus: 400,
    description:
      'The compose file or its env is not valid, or uses what berth does not implement; `problems` lists each with its path, line and column.',
  },
  REGISTRY_UNAUTHORIZED: {
    httpStatus: 422,
    description:
      "The image's registry refused the pull for its credentials: none is saved for that registry, or the saved one is wrong (saveRegistryCredential).",
  },
  REGISTRY_CREDENTIAL_NOT_FOUND: {
    httpStatus: 404,
    description: 'No registry credential is saved for that registry.',
  },
  SECRET_KEY_MISSING: {
    httpStatus: 409,
    description:
      'berth has no BERTH_SECRET_KEY (or BERTH_SECRET_KEY_FILE), so it refuses to store a secret or to open a stored one.',
  },
  SECRET_KEY_MISMATCH: {
    httpStatus: 409,
    description:
      'A stored secret does not open with the BERTH_SECRET_KEY berth runs with: another key sealed it (or it was altered). Start berth with the key it was saved under, or save it again.',
  },
  WEBHOOK_SIGNATURE_INVALID: {
    httpStatus: 401,
    description:
      "A push webhook's delivery is not signed with the stack's webhook secret (no signature, a wrong or malformed one), or no stack with a webhook has that name: one answer for all, so names cannot be probed.",
  },
  GIT_FAILED: {
    httpStatus: 422,
    description:
      "git could not fetch the stack's repository: it refused the credentials, has no such branch or tag, could not be reached, or took too long; `reason` says which.",
  },
  TERMINAL_DISABLED: {
    httpStatus: 403,
    description:
      'Terminal sessions are turned off on this berth (BERTH_TERMINAL=off): refused for every token, admins included.',
  },
  SHELL_NOT_FOUND: {
    httpStatus: 422,
    description:
      'The container has no such shell: the one asked for is not in its filesystem, or none was asked for and it has neither /bin/bash nor /bin/sh.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Why the engine cannot be reached (ENGINE_UNAVAILABLE's `reason`), from the socket error the
 * engine gateway saw: each asks for a different fix, which the error's message names.
 */
export const ENGINE_UNAVAILABLE_REASONS = {
  PERMISSION_DENIED: {
    description:
      "berth may not open the engine's socket (EACCES): the user it runs as is not in the socket's group (usually docker).",
  },
  NOT_FOUND: {
    description:
      "Nothing at the engine's address (ENOENT: no socket file there; or a host name that does not resolve): no engine runs, or DOCKER_HOST names the wrong place.",
  },
  REFUSED: {
    description:
      'Something is at the address but nothing listens (ECONNREFUSED): the engine is not running, or left a stale socket behind.',
  },
  TIMEOUT: { description: 'The engine did not answer in time (ETIMEDOUT).' },
  OTHER: {
    description:
      'Any other failure to reach the engine (a connection reset, a swarm manager without its quorum); the message says which.',
  },
} as const;

export type EngineUnavailableReason = keyof typeof ENGINE_UNAVAILABLE_REASONS;

/**
 * Refusals of the HTTP exchange itself, before any operation runs: the REST shim answers them as
 * `{ error: { code } }`, GraphQL (where it meets them) in `errors[].extensions.code`. Not in the
 * ErrorCode enum: no mutation result ever holds one.
 */
export const HTTP_ERROR_CODES = {
  MALFORMED_JSON: { httpStatus: 400, description: 'The request body is not valid JSON.' },
  ROUTE_NOT_FOUND: { httpStatus: 404, description: 'No endpoint at that path.' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, description: 'The endpoint does not take that method; see Allow.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, description: 'The request body is over 1 MiB.' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, description: 'The request body is not application/json.' },
  HOST_NOT_ALLOWED: {
    httpStatus: 403,
    description:
      'With authentication off, the Host header names a host berth does not serve (a DNS-rebinding page); BERTH_ALLOWED_HOSTS adds names.',
  },
  CROSS_SITE_REQUEST: {
    httpStatus: 403,
    description:
      'A request a page on another site could have made a browser send: a GraphQL GET without the x-graphql-yoga-csrf header, or, with authentication off, a change or WebSocket from an Origin berth does not serve (BERTH_CORS_ORIGINS lists more).',
  },
  REQUEST_TIMEOUT: {
    httpStatus: 408,
    description:
      'The request did not arrive whole in time (headers within 10 s, all of it within BERTH_REQUEST_TIMEOUT_SECONDS), or the client gave up sending it; the connection is closed.',
  },
  LENGTH_REQUIRED: {
    httpStatus: 411,
    description:
      'A GraphQL body sent without a Content-Length (chunked): berth never buffers an unbounded body.',
  },
  BAD_REQUEST: {
    httpStatus: 400,
    description: 'Not a GraphQL request: a body that is not JSON, no query, params of the wrong type.',
  },
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, description: 'The document is not GraphQL (a syntax error).' },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    description:
      'The document does not fit the schema: an unknown field or argument, a wrong type, an Int out of range.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    httpStatus: 400,
    description: 'The document holds several operations and operationName names none of them.',
  },
  QUERY_TOO_COMPLEX: {
    httpStatus: 400,
    description:
      'The document passes one of the limits: depth 8, 15 aliases, 20 directives, 2000 tokens, cost 10,000.',
  },
  INVALID_VARIABLES: {
    httpStatus: 400,
    description: 'A variable does not fit its declared type, or a required one is missing.',
  },
  INTERNAL_SERVER_ERROR: {
    httpStatus: 500,
    description: "GraphQL's masked unexpected fault; the server log has the whole story.",
  },
  INTERNAL: {
    httpStatus: 500,
    description: 'An unexpected fault; the client sees only this, the server log has the whole story.',
  },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

/** Base of every expected failure; anything else reaching a client is masked as internal. */
export abstract class BerthError extends Error {
  abstract readonly code: ErrorCode;
}

export class NotFoundError extends BerthError {
  readonly code = 'NOT_FOUND';
  constructor(readonly reference: string) {
    super(`no container "${reference}"`);
  }
}

export class AmbiguousIdError extends BerthError {
  readonly code = 'AMBIGUOUS_ID';
  constructor(readonly reference: string) {
    super(`"${reference}" matches more than one container; use a longer id prefix or the name`);
  }
}

export class NameConflictError extends BerthError {
  readonly code = 'NAME_CONFLICT';
  constructor(readonly containerName: string) {
    super(`the name "${containerName}" is already in use by another container`);
  }
}

export class ImageNotFoundError extends BerthError {
  readonly code = 'IMAGE_NOT_FOUND';
  constructor(
    readonly image: string,
    detail: string,
  ) {
    super(`image "${image}" not found: ${detail}`);
  }
}

export class ImageInUseError extends BerthError {
  readonly code = 'IMAGE_IN_USE';
  constructor(
    readonly image: string,
    detail: string,
  ) {
    super(`image "${image}" is in use: ${detail}`);
  }
}

export class RegistryUnavailableError extends BerthError {
  readonly code = 'REGISTRY_UNAVAILABLE';
  constructor(
    readonly image: string,
    detail: string,
  ) {
    super(`the registry of "${image}" could not be reached: ${detail}`);
  }
}

export class InvalidInputError extends BerthError {
  readonly code = 'INVALID_INPUT';
  /** Dotted path of the offending field, e.g. `input.ports.0.hostPort`. */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class InvalidStateError extends BerthError {
  readonly code = 'INVALID_STATE';
}

export class PortUnavailableError extends BerthError {
  readonly code = 'PORT_UNAVAILABLE';
}

export class StartFailedError extends BerthError {
  readonly code = 'START_FAILED';
  constructor(detail: string) {
    super(`the container's process could not be started: ${detail}`);
  }
}

export class CursorExpiredError extends BerthError {
  readonly code = 'CURSOR_EXPIRED';
  constructor(readonly cursor: string) {
    super(
      `cursor "${cursor}" is outside the retention window; re-list with the containers query, then subscribe without "after"`,
    );
  }
}

export class SlowConsumerError extends BerthError {
  readonly code = 'SLOW_CONSUMER';
  constructor(readonly lastCursor: string | null) {
    super(
      `the subscriber fell too far behind; subscribe again with after: ${JSON.stringify(lastCursor)} to resume`,
    );
  }
}

export class ExecTimeoutError extends BerthError {
  readonly code = 'EXEC_TIMEOUT';
  constructor(
    readonly timeoutSeconds: number,
    readonly stopped: boolean,
  ) {
    super(
      `the command did not finish within ${timeoutSeconds} s; ${stopped ? 'it was killed' : 'it may still be running (the engine is remote)'}`,
    );
  }
}

export class PolicyViolationError extends BerthError {
  readonly code = 'POLICY_VIOLATION';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class QuotaExceededError extends BerthError {
  readonly code = 'QUOTA_EXCEEDED';
}

export class UnauthenticatedError extends BerthError {
  readonly code = 'UNAUTHENTICATED';
}

export class TokenInUrlError extends BerthError {
  readonly code = 'TOKEN_IN_URL';
  constructor() {
    super(ERROR_CODES.TOKEN_IN_URL.description);
  }
}

export class ForbiddenError extends BerthError {
  readonly code = 'FORBIDDEN';
  constructor(
    readonly required: string,
    /** Instead of the default: e.g. what a deploy token may do. */
    message?: string,
  ) {
    super(message ?? `this needs the ${required} role`);
  }
}

export class RateLimitedError extends BerthError {
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfterSeconds: number,
    /** Which limit: a valid token's own requests, or failed authentications from an address. */
    readonly limit: 'token' | 'address' = 'token',
  ) {
    super(
      limit === 'token'
        ? `too many requests; retry after ${retryAfterSeconds} s`
        : `too many failed authentications from this address; retry after ${retryAfterSeconds} s`,
    );
  }
}

export class EngineUnavailableError extends BerthError {
  readonly code = 'ENGINE_UNAVAILABLE';
  constructor(
    /** What berth saw and, where berth knows one, the fix. */
    readonly detail: string,
    /**
     * Why, where the thrower saw the engine's own failure; undefined where it could not (the
     * container index refusing while it is out of step), and GraphQL then answers the reason berth
     * last saw the engine fail with.
     */
    readonly reason?: EngineUnavailableReason,
    /** The environment whose engine it is, where the thrower knows it (the container index does). */
    readonly environment?: string,
  ) {
    super(`the Docker Engine is unavailable: ${detail}`);
  }
}

export class EngineRefusedError extends BerthError {
  readonly code = 'ENGINE_REFUSED';
  constructor(
    /** The engine's HTTP status (4xx). */
    readonly status: number,
    detail: string,
  ) {
    super(`the Docker Engine refused the request (${status}): ${detail}`);
  }
}

export class TokenNotFoundError extends BerthError {
  readonly code = 'TOKEN_NOT_FOUND';
  constructor(readonly reference: string) {
    super(`no API token with id or name "${reference}"`);
  }
}

export class NetworkNotFoundError extends BerthError {
  readonly code = 'NETWORK_NOT_FOUND';
  constructor(readonly reference: string) {
    super(`no network "${reference}"`);
  }
}

export class NetworkExistsError extends BerthError {
  readonly code = 'NETWORK_EXISTS';
  constructor(readonly networkName: string) {
    super(`a network named "${networkName}" already exists`);
  }
}

export class NetworkInUseError extends BerthError {
  readonly code = 'NETWORK_IN_USE';
  /** Ids of the attached containers berth knows of; empty when only the engine could tell. */
  readonly containers: readonly string[];
  constructor(
    readonly network: string,
    attached: readonly { id: string; name: string }[],
    detail?: string,
  ) {
    const names = attached.map((container) => container.name).join(', ');
    super(
      `network "${network}" is in use${names ? ` by ${names}` : ''}: ` +
        (detail ?? 'disconnect or remove its containers first'),
    );
    this.containers = attached.map((container) => container.id);
  }
}

export class BuiltInNetworkError extends BerthError {
  readonly code = 'BUILT_IN_NETWORK';
  constructor(readonly network: string) {
    super(`"${network}" is one of the engine's own networks and cannot be removed`);
  }
}

export class NotSwarmManagerError extends BerthError {
  readonly code = 'NOT_SWARM_MANAGER';
}

export class SubnetOverlapError extends BerthError {
  readonly code = 'SUBNET_OVERLAP';
  constructor(
    readonly subnet: string,
    /** Names of the networks whose subnets overlap it, as far as the engine lists them. */
    readonly networks: readonly string[],
    /** The engine's own words. */
    readonly detail: string,
  ) {
    super(
      `subnet ${subnet} overlaps ${networks.length > 0 ? `the subnet of ${networks.join(', ')}` : "another network's subnet"}: ${detail}`,
    );
  }
}

export class ServiceNotFoundError extends BerthError {
  readonly code = 'SERVICE_NOT_FOUND';
  constructor(readonly reference: string) {
    super(`no swarm service "${reference}"`);
  }
}

export class ServiceExistsError extends BerthError {
  readonly code = 'SERVICE_EXISTS';
  constructor(readonly serviceName: string) {
    super(`a swarm service named "${serviceName}" already exists`);
  }
}

export class VolumeNotFoundError extends BerthError {
  readonly code = 'VOLUME_NOT_FOUND';
  constructor(readonly volumeName: string) {
    super(`no volume "${volumeName}"`);
  }
}

export class VolumeExistsError extends BerthError {
  readonly code = 'VOLUME_EXISTS';
  constructor(readonly volumeName: string) {
    super(`a volume named "${volumeName}" already exists`);
  }
}

export class VolumeInUseError extends BerthError {
  readonly code = 'VOLUME_IN_USE';
  constructor(
    readonly volumeName: string,
    /** Ids of the containers using it, as the engine lists them. */
    readonly containers: readonly string[],
  ) {
    super(
      `volume "${volumeName}" is used by ${containers.length > 0 ? `container(s) ${containers.join(', ')}` : 'a container'}: remove them first`,
    );
  }
}

export class TemplateNotFoundError extends BerthError {
  readonly code = 'TEMPLATE_NOT_FOUND';
  constructor(readonly templateName: string) {
    super(`no container template named "${templateName}"`);
  }
}

export class AlertRuleNotFoundError extends BerthError {
  readonly code = 'ALERT_RULE_NOT_FOUND';
  constructor(readonly ruleId: string) {
    super(`no alert rule with id "${ruleId}"`);
  }
}

export class RedeployInProgressError extends BerthError {
  readonly code = 'REDEPLOY_IN_PROGRESS';
  constructor(readonly containerName: string) {
    super(`a redeploy of "${containerName}" is already running; follow it with redeployProgress`);
  }
}

export class StackNotFoundError extends BerthError {
  readonly code = 'STACK_NOT_FOUND';
  constructor(readonly stackName: string) {
    super(`no stack is named "${stackName}"`);
  }
}

export class EnvironmentNotFoundError extends BerthError {
  readonly code = 'ENVIRONMENT_NOT_FOUND';
  constructor(readonly environment: string) {
    super(`no environment is named "${environment}"`);
  }
}

export class EnvironmentExistsError extends BerthError {
  readonly code = 'ENVIRONMENT_EXISTS';
  constructor(readonly environment: string) {
    super(`an environment is already named "${environment}"`);
  }
}

export class EnvironmentProtectedError extends BerthError {
  readonly code = 'ENVIRONMENT_PROTECTED';
  constructor(
    readonly environment: string,
    reason: string,
  ) {
    super(`environment "${environment}" cannot be removed: ${reason}`);
  }
}

export class StackNotRedeployableError extends BerthError {
  readonly code = 'STACK_NOT_REDEPLOYABLE';
  constructor(
    readonly stackName: string,
    readonly reason: string,
  ) {
    super(`stack "${stackName}" cannot be redeployed: ${reason}`);
  }
}

export class StackBusyError extends BerthError {
  readonly code = 'STACK_BUSY';
  constructor(readonly stackName: string) {
    super(
      `a deploy, scale or removal of stack "${stackName}" is already running; follow it with stackDeployProgress`,
    );
  }
}

/** One thing wrong with a compose file, where it is: every problem of a file is reported in one answer. */
export interface ComposeProblem {
  /** Where in the file, e.g. `services.web.ports[0]`; empty for the file as a whole. */
  path: string;
  /** 1-based, where the file's text locates it (null when it cannot, e.g. a problem of the env). */
  line: number | null;
  column: number | null;
  message: string;
  /** The refused key's name, when the problem is a key berth does not implement; null otherwise. */
  key: string | null;
}

export class InvalidComposeError extends BerthError {
  readonly code = 'INVALID_COMPOSE';
  constructor(readonly problems: readonly ComposeProblem[]) {
    super(summarizeComposeProblems(problems));
  }
}

function summarizeComposeProblems(problems: readonly ComposeProblem[]): string {
  const shown = problems.slice(0, 3).map((problem) => {
    const where = problem.path === '' ? 'the file' : problem.path;
    const at = problem.line === null ? '' : ` (line ${problem.line}, column ${problem.column ?? 1})`;
    return `${where}${at}: ${problem.message}`;
  });
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  return `the compose file is not valid: ${shown.join('; ')}${more}`;
}

export class RegistryUnauthorizedError extends BerthError {
  readonly code = 'REGISTRY_UNAUTHORIZED';
  constructor(
    readonly image: string,
    readonly registry: string,
    detail: string,
  ) {
    super(
      `the registry ${registry} refused to serve "${image}" without valid credentials (save them with saveRegistryCredential): ${detail}`,
    );
  }
}

export class RegistryCredentialNotFoundError extends BerthError {
  readonly code = 'REGISTRY_CREDENTIAL_NOT_FOUND';
  constructor(readonly registry: string) {
    super(`no credential is saved for the registry ${registry}`);
  }
}

export class SecretKeyMissingError extends BerthError {
  readonly code = 'SECRET_KEY_MISSING';
  constructor(what: string) {
    super(`${what} needs BERTH_SECRET_KEY (or BERTH_SECRET_KEY_FILE), and berth runs without one`);
  }
}

export class SecretKeyMismatchError extends BerthError {
  readonly code = 'SECRET_KEY_MISMATCH';
  constructor(what: string) {
    super(
      `${what} does not open with this BERTH_SECRET_KEY: another key sealed it (or it was altered); start berth with that key, or save it again`,
    );
  }
}

export class WebhookSignatureInvalidError extends BerthError {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID';
  constructor() {
    // One message whatever failed: which check it was would tell a prober whether the stack exists.
    super(
      "the delivery is not signed with this stack's webhook secret (X-Hub-Signature-256 or X-Gitlab-Token)",
    );
  }
}

/** Why git could not fetch a stack's repository (GIT_FAILED's `reason`). */
export const GIT_FAILURE_REASONS = [
  'AUTH_REFUSED',
  'REF_NOT_FOUND',
  'UNREACHABLE',
  'TIMEOUT',
  'FAILED',
] as const;
export type GitFailureReason = (typeof GIT_FAILURE_REASONS)[number];

export class GitFailedError extends BerthError {
  readonly code = 'GIT_FAILED';
  /** `detail` is git's own account, with every secret already scrubbed out of it. */
  constructor(
    readonly repository: string,
    readonly reason: GitFailureReason,
    detail: string,
  ) {
    super(`git could not fetch ${repository}: ${detail}`);
  }
}

export class TerminalDisabledError extends BerthError {
  readonly code = 'TERMINAL_DISABLED';
  constructor() {
    super('terminal sessions are turned off on this berth (BERTH_TERMINAL=off)');
  }
}

export class ShellNotFoundError extends BerthError {
  readonly code = 'SHELL_NOT_FOUND';
  constructor(
    readonly container: string,
    /** The shells looked for, in order. */
    readonly shells: readonly string[],
  ) {
    super(
      shells.length === 1
        ? `container "${container}" has no ${shells[0]}`
        : `container "${container}" has none of ${shells.join(', ')}: name a shell it has`,
    );
  }
}
