import type { GraphQLError } from 'graphql';
import { createGraphQLError, maskError } from 'graphql-yoga';
import { BerthError, EngineUnavailableError } from '../../shared/errors.js';

/**
 * Expected failures that escape a resolver (queries have no error unions) keep their message and
 * carry their code; anything else is masked for the client, and Yoga logs it whole.
 */
export function maskErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = rootCause(error);
  if (!(original instanceof BerthError)) return maskError(error, message, isDev);
  const extensions = {
    code: original.code,
    ...('field' in original && { field: original.field }),
    // Which engine does not answer, where berth knows: a subscription or spanning answer names it.
    ...(original instanceof EngineUnavailableError &&
      original.environment !== undefined && { environment: original.environment }),
  };
  if (isGraphQLErrorLike(error)) {
    // Returned as is, so Yoga knows it was not masked and does not log an expected failure.
    Object.assign(error.extensions, extensions);
    return error;
  }
  return createGraphQLError(original.message, { extensions });
}

/**
 * Execution and Yoga may each wrap a thrown error in a GraphQLError. Checked by shape, not
 * `instanceof`: graphql ships CommonJS and ESM builds, and a dependency may load the other one.
 */
function isGraphQLErrorLike(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

function rootCause(error: unknown): unknown {
  let cause = error;
  while (isGraphQLErrorLike(cause) && cause.originalError) cause = cause.originalError;
  return cause;
}
