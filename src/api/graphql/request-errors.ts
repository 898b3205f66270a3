import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ERROR_CODES } from '../../shared/errors.js';

/**
 * Codes for the refusals graphql and Yoga leave uncoded or code apart from the catalog, so every
 * error a client gets names one (docs/errors.md): variables that do not fit their types
 * (INVALID_VARIABLES, over HTTP and WebSocket alike), and a mutation sent over GET, which Yoga
 * answers 405 as BAD_REQUEST (METHOD_NOT_ALLOWED, as the REST shim says it). And the HTTP status
 * of a subscription the domain refused: not a 500.
 */
export function useRequestErrorCodes(): Plugin {
  return {
    onExecute({ args }) {
      const overHttp = 'request' in (args.contextValue as object);
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) codeVariableErrors(result, overHttp);
        },
      };
    },
    onSubscribe({ args }) {
      const overHttp = 'request' in (args.contextValue as object);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) codeVariableErrors(result, overHttp);
        },
      };
    },
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      if (!Array.isArray(result) && refusedByTheDomain(result)) {
        // A subscription whose stream could not start (an unknown container) ends before any
        // `data`, which Yoga takes for a fault and answers 500. It is an expected refusal: a
        // 200 stream with the error, then complete, as graphql-ws sends it.
        setResult({ ...result, extensions: { ...result.extensions, http: { status: 200 } } });
      }
      for (const error of [result].flat().flatMap((one) => one.errors ?? [])) {
        const extensions = error.extensions as Record<string, unknown> & { http?: { status?: number } };
        if (extensions['code'] === 'BAD_REQUEST' && extensions.http?.status === 405) {
          extensions['code'] = 'METHOD_NOT_ALLOWED';
        }
      }
    },
  };
}

/**
 * graphql coerces variables before executing anything and answers the failures alone, without
 * `data` and without a code (`Variable "$n" got invalid value …`, `… was not provided`), or, for a
 * subscription, with Yoga's BAD_USER_INPUT, which the catalog does not know.
 */
function codeVariableErrors(result: ExecutionResult, overHttp: boolean): void {
  if ('data' in result || !result.errors) return;
  for (const error of result.errors as GraphQLError[]) {
    // graphql leaves them uncoded; Yoga's executor codes a subscription's BAD_USER_INPUT.
    const code = error.extensions['code'];
    if ((code !== undefined && code !== 'BAD_USER_INPUT') || !error.message.startsWith('Variable "$'))
      continue;
    Object.assign(error.extensions, {
      code: 'INVALID_VARIABLES',
      // As Yoga answers a validation error: 400 under application/graphql-response+json.
      ...(overHttp && { http: { status: 400, spec: true } }),
    });
  }
}

/** No `data`, and every error a typed failure of the domain (NOT_FOUND, …), none a fault. */
function refusedByTheDomain(result: ExecutionResult): boolean {
  return (
    !('data' in result) &&
    (result.errors?.length ?? 0) > 0 &&
    (result.errors ?? []).every((error) => String(error.extensions?.['code']) in ERROR_CODES)
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
