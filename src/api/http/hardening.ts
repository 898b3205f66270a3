import type { Server } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';

/** Bodies of every route, GraphQL included, like the REST shim's. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Limits on what one GraphQL operation may ask: depth, aliases, tokens, directives and cost
 * (graphql-armor), and no "did you mean" suggestions that map the schema for a stranger.
 * Deep enough for every operation the schema makes sense for (events carry their container).
 */
export function useQueryLimits(): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: 8 },
      maxAliases: { n: 15 },
      maxTokens: { n: 2000 },
      maxDirectives: { n: 20 },
      costLimit: { maxCost: 5000 },
      blockFieldSuggestion: { enabled: true },
    }) as unknown as Plugin,
  ];
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

/** Slow-loris and stuck uploads: headers within 10 s, a whole request within 30 s. */
export function hardenServer(server: Server): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
}
