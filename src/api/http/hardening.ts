import type { ServerOptions } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Bodies of every route, GraphQL included, like the REST shim's. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The limits, as docs/security.md states them. The cost of a field is 2 (1 for a scalar) plus 1.5
 * times its selections', times its `first`: a full auditLog page (first: 200, every field) costs
 * 5,200, the most any one field of the schema asks.
 */
export const QUERY_LIMITS = { depth: 8, aliases: 15, tokens: 2000, directives: 20, cost: 10_000 } as const;

/** A limit's refusal as the catalog's QUERY_TOO_COMPLEX (armor words it as a "Syntax Error"). */
function tooComplex(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'QUERY_TOO_COMPLEX' },
  });
}

/** Reported like any validation error, rather than thrown out of validation untyped. */
const reportTooComplex = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(tooComplex(error)),
  ],
};

/**
 * Limits on what one GraphQL operation may ask: depth, aliases, tokens, directives and cost
 * (graphql-armor), and no "did you mean" suggestions that map the schema for a stranger.
 * Deep enough for every operation the schema makes sense for (events carry their container).
 * Every refusal is a QUERY_TOO_COMPLEX error.
 */
export function useQueryLimits(): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: QUERY_LIMITS.depth, ...reportTooComplex },
      maxAliases: { n: QUERY_LIMITS.aliases, ...reportTooComplex },
      // Counted while parsing, where there is no validation to report to: thrown, typed.
      maxTokens: {
        n: QUERY_LIMITS.tokens,
        onReject: [
          (_, error) => {
            throw tooComplex(error);
          },
        ],
      },
      maxDirectives: { n: QUERY_LIMITS.directives, ...reportTooComplex },
      costLimit: { maxCost: QUERY_LIMITS.cost, ...reportTooComplex },
      blockFieldSuggestion: { enabled: true },
    }) as unknown as Plugin,
    useInvalidDocumentsFirst(),
  ];
}

/**
 * A document that breaks graphql's own rules gets those errors alone. The cost is counted from
 * the literal `first`, so `first: 99999999999` would otherwise read as a cost refusal when the
 * value is simply no Int.
 */
function useInvalidDocumentsFirst(): Plugin {
  const isLimit = (error: Error) =>
    (error as Partial<GraphQLError>).extensions?.['code'] === 'QUERY_TOO_COMPLEX';
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.some(isLimit) && !result.every(isLimit))
          setResult(result.filter((error) => !isLimit(error)));
      };
    },
  };
}

export function useIntrospectionSwitch(enabled: boolean): Plugin[] {
  return enabled ? [] : [useDisableIntrospection() as unknown as Plugin];
}

/**
 * GraphQL requests declare their size: over 1 MiB is 413 before Yoga reads a byte, and a body with
 * no length (chunked) is refused with 411, so nothing unbounded is ever buffered.
 */
export function useGraphQLBodyLimit(graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || request.method !== 'POST') return;
      const length = request.headers.get('content-length');
      const fail = (status: number, code: string, message: string) =>
        endResponse(fetchAPI.Response.json({ errors: [{ message, extensions: { code } }] }, { status }));
      if (length === null) fail(411, 'LENGTH_REQUIRED', 'send the body with a Content-Length');
      else if (Number(length) > MAX_BODY_BYTES) fail(413, 'PAYLOAD_TOO_LARGE', 'the body is over 1 MiB');
    },
  };
}

/**
 * Slow-loris and stuck uploads: headers within 10 s (or the request timeout, if shorter), a whole
 * request within `requestTimeoutSeconds`, then Node answers 408 and closes the connection. Node
 * looks for such requests every `connectionsCheckingInterval`, 30 s by default, which held them up
 * to twice the limit: once a second cuts them within a second of it. Responses that stream (SSE,
 * followed logs) are not affected: the limit is on receiving the request.
 */
export function serverTimeouts(requestTimeoutSeconds: number): ServerOptions {
  const requestTimeout = requestTimeoutSeconds * 1000;
  return {
    requestTimeout,
    headersTimeout: Math.min(10_000, requestTimeout),
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
  };
}
