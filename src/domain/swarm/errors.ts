import { InvalidStateError } from '../../shared/errors.js';

/**
 * Another writer changed the service after berth read it: the write named a version of the
 * service that is no longer current. SwarmService reads it again and retries; the caller sees
 * INVALID_STATE only when that keeps happening.
 */
export class ServiceVersionConflictError extends InvalidStateError {
  constructor(
    readonly reference: string,
    detail: string,
  ) {
    super(`service "${reference}" changed while it was being written: ${detail}`);
  }
}
