import { responsePathAsArray, type ExecutionResult, type GraphQLResolveInfo } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { EngineUnavailableError } from '../../shared/errors.js';

/**
 * A field that spans every environment answers with the environments that answered, at once, and
 * says which did not as one error per missing environment beside its data: code ENGINE_UNAVAILABLE,
 * `extensions.environment` its name, `path` the field. graphql-js has no way for a resolver to
 * return data and an error of its own, so the resolver leaves them here and this plugin adds them
 * to the result.
 */
const gaps = new WeakMap<object, ExecutionResult['errors'] & unknown[]>();

export function reportEnvironmentGap(
  context: object,
  info: GraphQLResolveInfo,
  environment: string,
  error: EngineUnavailableError,
): void {
  const found = gaps.get(context) ?? [];
  found.push(
    createGraphQLError(`environment "${environment}" is left out: ${error.message}`, {
      path: responsePathAsArray(info.path),
      extensions: {
        code: error.code,
        environment,
        ...(error.reason !== undefined && { reason: error.reason }),
      },
    }),
  );
  gaps.set(context, found);
}

export function useEnvironmentGaps(): Plugin {
  return {
    onExecute({ args }) {
      const context = args.contextValue as object;
      return {
        onExecuteDone({ result, setResult }) {
          const found = gaps.get(context);
          if (!found || Symbol.asyncIterator in result) return;
          gaps.delete(context);
          const single = result as ExecutionResult;
          setResult({ ...single, errors: [...(single.errors ?? []), ...found] });
        },
      };
    },
  };
}
