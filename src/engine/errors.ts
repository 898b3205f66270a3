import {
  AmbiguousIdError,
  BerthError,
  BuiltInNetworkError,
  EngineRefusedError,
  EngineUnavailableError,
  type EngineUnavailableReason,
  ImageInUseError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NameConflictError,
  NetworkExistsError,
  NetworkInUseError,
  NetworkNotFoundError,
  NotFoundError,
  NotSwarmManagerError,
  PortUnavailableError,
  RegistryUnauthorizedError,
  RegistryUnavailableError,
  StartFailedError,
  ServiceExistsError,
  ServiceNotFoundError,
  SubnetOverlapError,
  VolumeExistsError,
  VolumeInUseError,
  VolumeNotFoundError,
} from '../shared/errors.js';
import { registryHostOf } from '../domain/registries/host.js';
import { ServiceVersionConflictError } from '../domain/swarm/errors.js';
import { describeEngineFailure, type EnginePlace } from '../domain/system/engine-availability.js';
import {
  isNetworkOperation,
  isSwarmOperation,
  isVolumeOperation,
  type NetworkOperation,
  type Operation,
  type SwarmOperation,
  type VolumeOperation,
} from './operations.js';

/**
 * The one place Docker's errors become berth's. docker-modem rejects with plain Errors that carry
 * `statusCode` and `json.message`, or with a socket error `code` when the engine cannot be reached.
 */

interface ModemError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | string | null;
  reason?: string;
  message?: string;
  /** A socket error's: the unix socket's path, or the IP it dialled (with `port`). */
  address?: string;
  port?: number;
  /** A failed name lookup's host. */
  hostname?: string;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EACCES',
  // The SSH transport's own (src/engine/ssh-transport.ts): the way to the engine, not the engine.
  'ESSHHOSTKEY',
  'ESSHAUTH',
  'ESSHKEY',
  'ESSHDIALSTDIO',
  'ESSHCLOSED',
  'ESSHCHANNEL',
  'ESSHPROTOCOL',
]);

// Node's codes for a server certificate it does not trust (node:tls, from OpenSSL's verify results).
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A TLS failure on the way to a `tcp://` engine, said as what to fix rather than OpenSSL's text;
 * undefined when `error` is not one.
 */
function tlsFailure(error: ModemError): string | undefined {
  const code = error.code ?? '';
  if (/CERTIFICATE_REQUIRED/.test(code)) {
    return 'the engine demands a client certificate (TLS) and berth offered none';
  }
  if (/BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR/.test(code)) {
    return "the engine refused berth's client certificate (TLS): no CA it trusts signed it";
  }
  if (TLS_VERIFY_CODES.has(code)) {
    return `the engine's TLS certificate is not trusted (${code}): check the CA berth was given and the address the certificate names`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS failed (${code})`;
  return undefined;
}

export function engineMessage(error: unknown): string {
  const e = error as ModemError;
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string') return e.json.message;
  if (typeof e.json === 'string' && e.json.trim()) return e.json.trim();
  return e.message ?? String(error);
}

export function statusOf(error: unknown): number | undefined {
  return (error as ModemError).statusCode;
}

/** The socket error's code, as the reason an operator can act on; anything unlisted is OTHER. */
const REASONS: Readonly<Record<string, EngineUnavailableReason>> = {
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  ENOENT: 'NOT_FOUND',
  ENOTFOUND: 'NOT_FOUND',
  ECONNREFUSED: 'REFUSED',
  ETIMEDOUT: 'TIMEOUT',
};

/**
 * A failure to reach the engine, translated: the socket error's code becomes the reason, and its
 * address the place the message names with the fix (see describeEngineFailure).
 */
export function unreachable(error: unknown): EngineUnavailableError {
  const e = error as ModemError;
  const reason = (e.code !== undefined && REASONS[e.code]) || 'OTHER';
  const place: EnginePlace =
    e.hostname !== undefined
      ? { kind: 'tcp', address: e.hostname }
      : e.address !== undefined && e.port === undefined
        ? { kind: 'socket', path: e.address }
        : { kind: 'tcp', address: e.address === undefined ? 'its address' : `${e.address}:${e.port}` };
  const seen = tlsFailure(e) ?? engineMessage(error);
  return new EngineUnavailableError(describeEngineFailure(reason, place, seen), reason);
}

/** True when the error says the engine itself could not be reached (not that it refused). */
export function isConnectionError(error: unknown): boolean {
  const e = error as ModemError;
  return (
    e.statusCode === undefined &&
    ((e.code !== undefined && CONNECTION_CODES.has(e.code)) ||
      tlsFailure(e) !== undefined ||
      /socket hang up|connect/i.test(e.message ?? ''))
  );
}

/** Errors that mean "a host port cannot be bound" when starting a container. */
const PORT_PATTERNS = [
  /port is already allocated/i,
  /address already in use/i,
  /cannot assign requested address/i,
  // The proxy or the NAT rules for a published port (e.g. sctp, which the userland proxy lacks).
  /driver failed programming external connectivity/i,
  /error starting userland proxy/i,
];

/**
 * A fixed address (NetworkAttachmentSpec.ipv4Address) the engine cannot give. Engines before API
 * 1.44 take it at create and refuse it only when the container starts (or, for a network joined
 * later, at the connect): taken by another container ("Address already in use", 403, which is not
 * a host port's "bind: address already in use"), outside the network's subnets (500), or on a
 * network that gives none (400).
 */
function fixedAddressFailure(operation: Operation, message: string): Error | undefined {
  if (operation !== 'start' && operation !== 'restart' && operation !== 'network.connect') return undefined;
  const field = operation === 'network.connect' ? 'ipv4Address' : 'input.networks';
  if (/^address already in use$/i.test(message.trim())) {
    return new InvalidStateError(
      `a fixed address asked for is taken on its network by another container: ${message}`,
    );
  }
  if (
    /does not belong to any of this network's subnets|user specified ip address is supported|invalid ipv4 address/i.test(
      message,
    )
  ) {
    return new InvalidInputError(field, message);
  }
  return undefined;
}

/** The engine made the container but could not run its process (a missing command, a bad binary). */
const START_PATTERNS = [
  /OCI runtime (create|exec|start) failed/i,
  /executable file not found/i,
  /exec format error/i,
];

const REGISTRY_NOT_FOUND = [
  /manifest unknown/i,
  /not found/i,
  /repository does not exist/i,
  /pull access denied/i,
  /name unknown/i,
];

/**
 * A registry that wants credentials: none were sent ("no basic auth credentials"), or they were
 * wrong ("unauthorized: authentication required", "incorrect username or password"). Docker Hub's
 * "pull access denied … may require 'docker login'" stays IMAGE_NOT_FOUND: Hub says it for a
 * repository that does not exist as well.
 */
const REGISTRY_UNAUTHORIZED = [
  /no basic auth credentials/i,
  /unauthorized/i,
  /authentication required/i,
  /incorrect username or password/i,
];

/**
 * A pull that failed, from the engine's words alone: a failure inside the progress stream comes
 * with no status code, and its text ("dial tcp …: connect: connection refused") is the registry's
 * trouble, never the engine's.
 */
export function pullFailure(reference: string, message: string): BerthError {
  if (REGISTRY_UNAUTHORIZED.some((pattern) => pattern.test(message)))
    return new RegistryUnauthorizedError(reference, registryHostOf(reference), message);
  if (REGISTRY_NOT_FOUND.some((pattern) => pattern.test(message)))
    return new ImageNotFoundError(reference, message);
  return new RegistryUnavailableError(reference, message);
}

/** What the request asked for beyond its subject, where an engine's answer does not repeat it. */
export interface FailureDetails {
  /** The subnet a network was to be created with. */
  subnet?: string;
  /** The name a container was to take. */
  name?: string;
}

/**
 * A network call's failure; `subject` is the network as the caller named it. The engine's
 * statuses differ by version (a network in use is 403 on 20.10, 409 later), so its words decide.
 */
function networkFailure(
  operation: NetworkOperation,
  subject: string,
  status: number | undefined,
  message: string,
  details: FailureDetails,
): Error | undefined {
  // "Pool overlaps with other one on this address space" (403 on 20.10; "invalid pool request: …" later).
  if (operation === 'network.create' && details.subnet !== undefined && /pool overlaps/i.test(message)) {
    return new SubnetOverlapError(details.subnet, [], message);
  }
  // "could not find an available, non-overlapping IPv4 address pool among the defaults to assign
  // to the network" (a 404 on 20.10, which would read as NETWORK_NOT_FOUND): every range of the
  // engine's default pools is taken, by its own networks or by the host's routes.
  if (operation === 'network.create' && /non-overlapping .*address pool/i.test(message)) {
    return new InvalidStateError(
      `the engine has no free address range left for a network: give it a subnet, or remove networks no longer used (${message})`,
    );
  }
  const container = /no such container:\s*(\S+)/i.exec(message)?.[1];
  if (container !== undefined) return new NotFoundError(container);
  if (status === 404) return new NetworkNotFoundError(subject);
  if (/not a swarm manager/i.test(message)) return new NotSwarmManagerError(message);
  if (/pre-defined network/i.test(message)) return new BuiltInNetworkError(subject);
  if (operation === 'network.create' && status === 409) return new NetworkExistsError(subject);
  if (operation === 'network.remove' && (status === 409 || /active endpoints/i.test(message))) {
    return new NetworkInUseError(subject, [], message);
  }
  // Already connected, not connected, or a container sharing another's (or the host's) namespace.
  if (
    (operation === 'network.connect' || operation === 'network.disconnect') &&
    /already exists in network|is not connected to|sharing network namespace|host network|private \(none\) mode/i.test(
      message,
    )
  ) {
    return new InvalidStateError(message);
  }
  if (/ambiguous/i.test(message)) return new InvalidInputError('network', message);
  if (status === 400) {
    return new InvalidInputError(/alias/i.test(message) ? 'aliases' : 'network', message);
  }
  return undefined;
}

/** A volume call's failure; `subject` is the volume's name. */
function volumeFailure(
  operation: VolumeOperation,
  subject: string,
  status: number | undefined,
  message: string,
): Error | undefined {
  if (status === 404) return new VolumeNotFoundError(subject);
  // "remove data: volume is in use - [3f1c…, 9ab2…]"
  if (operation === 'volume.remove' && status === 409) {
    const ids = /\[([^\]]*)\]/.exec(message)?.[1] ?? '';
    return new VolumeInUseError(
      subject,
      ids
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter(Boolean),
    );
  }
  if (operation === 'volume.create' && status === 409) return new VolumeExistsError(subject);
  if (status === 400) return new InvalidInputError(operation === 'volume.prune' ? 'label' : 'name', message);
  return undefined;
}

/**
 * A swarm call's failure; `subject` is the service as the caller named it. The engine answers 503
 * when it is not a manager (standalone, or a worker), and wraps the swarm's gRPC verdicts in its
 * message ("rpc error: code = …").
 */
function swarmFailure(
  operation: SwarmOperation,
  subject: string,
  status: number | undefined,
  message: string,
): Error | undefined {
  if (/not a swarm manager|not part of a swarm/i.test(message)) {
    return new NotSwarmManagerError(
      `the engine is not a swarm manager: ${message} (berth must talk to a manager of the swarm)`,
    );
  }
  // A manager that lost its quorum: the swarm is there but cannot decide anything until it returns.
  if (status === 503) return new EngineUnavailableError(message, 'OTHER');
  if (/update out of sequence/i.test(message)) return new ServiceVersionConflictError(subject, message);
  const network = /network (\S+) not found/i.exec(message)?.[1];
  if (network !== undefined) return new InvalidInputError('input.networks', `no network "${network}"`);
  if (status === 404) return new ServiceNotFoundError(subject);
  if (operation === 'service.create' && status === 409) return new ServiceExistsError(subject);
  if (/does not have a previous spec/i.test(message)) {
    return new InvalidStateError(
      `service "${subject}" has never been updated: there is nothing to roll back to`,
    );
  }
  const detail = message.replace(/^rpc error: code = \w+ desc = /, '');
  if (status === 400) {
    if (/name must be valid/i.test(detail)) return new InvalidInputError('input.name', detail);
    if (/ContainerSpec: .*(repository|reference)/i.test(detail)) {
      return new InvalidInputError('input.image', detail);
    }
    return new InvalidInputError('input', detail);
  }
  // "service mode change is not allowed", "renaming services is not supported": a spec the swarm keeps.
  if (status === 501) return new InvalidStateError(detail);
  return undefined;
}

/**
 * What no rule names. A refusal (4xx) is still the engine's verdict on the request: ENGINE_REFUSED
 * with its status and words, never an internal error. Anything else is a fault, passed on whole to
 * be masked for the client and logged.
 */
function unmatched(error: unknown, status: number | undefined, message: string): Error {
  if (status !== undefined && status >= 400 && status < 500) return new EngineRefusedError(status, message);
  return error instanceof Error ? error : new Error(message);
}

/**
 * Maps an engine failure for `operation` on `subject` (a container reference or an image)
 * to a typed domain error; an unrecognised refusal is ENGINE_REFUSED, any other failure is rethrown
 * as is, to be masked and logged whole.
 */
export function toDomainError(
  error: unknown,
  operation: Operation,
  subject: string,
  details: FailureDetails = {},
): Error {
  if (error instanceof BerthError) return error;
  if (isConnectionError(error)) return unreachable(error);
  const status = statusOf(error);
  const message = engineMessage(error);

  const specific =
    fixedAddressFailure(operation, message) ??
    (isNetworkOperation(operation)
      ? networkFailure(operation, subject, status, message, details)
      : isVolumeOperation(operation)
        ? volumeFailure(operation, subject, status, message)
        : isSwarmOperation(operation)
          ? swarmFailure(operation, subject, status, message)
          : undefined);
  if (specific) return specific;
  if (isNetworkOperation(operation) || isVolumeOperation(operation) || isSwarmOperation(operation)) {
    return unmatched(error, status, message);
  }
  // "invalid reference format": the engine's verdict on a reference berth's own check let through.
  if (status === 400 && (operation === 'image.pull' || operation === 'image.remove')) {
    return new InvalidInputError('reference', message);
  }
  if (operation === 'image.pull') return pullFailure(subject, message);
  if (operation === 'image.remove') {
    if (status === 404) return new ImageNotFoundError(subject, message);
    // "conflict: unable to remove repository reference … - container … is using its referenced image"
    if (status === 409 && /container/i.test(message)) return new ImageInUseError(subject, message);
  }
  if (status === 404) {
    if (operation === 'create' && /image/i.test(message)) return new ImageNotFoundError(subject, message);
    // A network removed between berth's look and the create.
    const network = /network (\S+) not found/i.exec(message)?.[1];
    if (operation === 'create' && network !== undefined) return new NetworkNotFoundError(network);
    return new NotFoundError(subject);
  }
  if (/multiple ids found/i.test(message)) return new AmbiguousIdError(subject);
  if (status === 409) {
    if (operation === 'create') return new NameConflictError(subject);
    if (operation === 'rename') return new NameConflictError(details.name ?? subject);
    if (operation.startsWith('exec.') && /not running|paused|restarting/i.test(message)) {
      return new InvalidStateError(`container "${subject}" is not running: ${message}`);
    }
    return new InvalidStateError(message);
  }
  if (PORT_PATTERNS.some((pattern) => pattern.test(message))) return new PortUnavailableError(message);
  if (
    (operation === 'start' || operation === 'restart') &&
    START_PATTERNS.some((pattern) => pattern.test(message))
  ) {
    return new StartFailedError(message);
  }
  if (status === 400 && operation === 'create') {
    // The engine checks what only it knows: how many CPUs the host has.
    if (/range of cpus/i.test(message)) return new InvalidInputError('input.resources.cpus', message);
    return new InvalidInputError('input', message);
  }
  return unmatched(error, status, message);
}
