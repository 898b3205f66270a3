import {
  AmbiguousIdError,
  BerthError,
  EngineUnavailableError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NameConflictError,
  NotFoundError,
  PortUnavailableError,
  RegistryUnavailableError,
} from '../errors.js';

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
]);

export function engineMessage(error: unknown): string {
  const e = error as ModemError;
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string') return e.json.message;
  if (typeof e.json === 'string' && e.json.trim()) return e.json.trim();
  return e.message ?? String(error);
}

export function statusOf(error: unknown): number | undefined {
  return (error as ModemError).statusCode;
}

/** True when the error says the engine itself could not be reached (not that it refused). */
export function isConnectionError(error: unknown): boolean {
  const e = error as ModemError;
  return (
    e.statusCode === undefined &&
    ((e.code !== undefined && CONNECTION_CODES.has(e.code)) || /socket hang up|connect/i.test(e.message ?? ''))
  );
}

/** Errors that mean "a host port cannot be bound" when starting a container. */
const PORT_PATTERNS = [
  /port is already allocated/i,
  /address already in use/i,
  /cannot assign requested address/i,
];

const REGISTRY_NOT_FOUND = [
  /manifest unknown/i,
  /not found/i,
  /repository does not exist/i,
  /pull access denied/i,
  /name unknown/i,
];

export type Operation = 'inspect' | 'create' | 'start' | 'stop' | 'restart' | 'remove' | 'list' | 'pull';

/**
 * Maps an engine failure for `operation` on `subject` (a container reference or an image)
 * to a typed domain error; anything unrecognised is rethrown as is, to be masked and logged whole.
 */
export function toDomainError(error: unknown, operation: Operation, subject: string): Error {
  if (error instanceof BerthError) return error;
  if (isConnectionError(error)) return new EngineUnavailableError(engineMessage(error));
  const status = statusOf(error);
  const message = engineMessage(error);

  if (operation === 'pull') {
    if (REGISTRY_NOT_FOUND.some((pattern) => pattern.test(message))) {
      return new ImageNotFoundError(subject, message);
    }
    return new RegistryUnavailableError(subject, message);
  }
  if (status === 404) {
    if (operation === 'create' && /image/i.test(message)) return new ImageNotFoundError(subject, message);
    return new NotFoundError(subject);
  }
  if (/multiple ids found/i.test(message)) return new AmbiguousIdError(subject);
  if (status === 409) {
    if (operation === 'create') return new NameConflictError(subject);
    return new InvalidStateError(message);
  }
  if (PORT_PATTERNS.some((pattern) => pattern.test(message))) return new PortUnavailableError(message);
  if (status === 400 && operation === 'create') return new InvalidInputError('input', message);
  if (error instanceof Error) return error;
  return new Error(message);
}
