import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createLogger } from 'graphql-yoga';
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/** A real berth on a free loopback port, against the engine the harness provides. */
export interface RunningBerth {
  url: string;
  app: App;
  /** Runs a typed operation over HTTP and returns the whole GraphQL response. */
  graphql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): Promise<{ data?: TResult | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Like `graphql`, but fails the test on a GraphQL error and returns `data`. */
  query<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables?: TVariables): Promise<TResult>;
  stop(): Promise<void>;
}

/**
 * Starts berth and, unless told the engine is meant to be unreachable, waits until its container
 * index matches the engine, as a long-running server would long have.
 */
export async function startBerth(
  env: Record<string, string> = {},
  options: { waitForEngine?: boolean } = {},
): Promise<RunningBerth> {
  const config = loadConfig({ DOCKER_HOST: inject('dockerHost'), HOST: '127.0.0.1', PORT: '0', ...env });
  const app = buildApp(config, { logger: createLogger(env['LOG_LEVEL'] === 'debug' ? 'debug' : 'error') });
  const { url } = await app.start();
  if (options.waitForEngine !== false) await app.index.whenSynced();

  const graphql: RunningBerth['graphql'] = async (document, variables) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as never;
  };
  return {
    url,
    app,
    graphql,
    async query(document, variables) {
      const result = await graphql(document, variables);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      }
      return result.data as never;
    },
    stop: () => app.stop(),
  };
}

let counter = 0;
/** A container name unique to this run, so parallel test files never collide. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `berth-test-${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

