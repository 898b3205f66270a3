import { BerthError } from '../../shared/errors.js';
import type { RedeployFailure } from './model.js';

/**
 * REDEPLOY_FAILED (in the catalog, src/shared/errors.ts) carries the redeploy's own failure
 * report, so its class lives beside the model it reports.
 */
export class RedeployFailedError extends BerthError {
  readonly code = 'REDEPLOY_FAILED';
  constructor(
    /** The container that keeps serving. */
    readonly containerId: string,
    readonly failure: RedeployFailure,
  ) {
    super(`${failure.message}; the new container was removed and the old one keeps serving`);
  }
}
