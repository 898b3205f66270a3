import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Codes for the refusals graphql and Yoga leave uncoded or code apart from the catalog, so every
 * error a client gets names one (docs/errors.md): variables that do not fit their types
 * (INVALID_VARIABLES, over HTTP and WebSocket alike), and a mutation sent over GET, which Yoga
 * answers 405 as BAD_REQUEST (METHOD_NOT_ALLOWED, as the REST shim says it).
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
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
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
 * `data` and without a code: `Variable "$n" got invalid value …`, `… was not provided`.
 */
function codeVariableErrors(result: ExecutionResult, overHttp: boolean): void {
  if ('data' in result || !result.errors) return;
  for (const error of result.errors as GraphQLError[]) {
    if (error.extensions['code'] !== undefined || !error.message.startsWith('Variable "$')) continue;
    Object.assign(error.extensions, {
      code: 'INVALID_VARIABLES',
      // As Yoga answers a validation error: 400 under application/graphql-response+json.
      ...(overHttp && { http: { status: 400, spec: true } }),
    });
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
