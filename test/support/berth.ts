import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createLogger, type YogaLogger } from 'graphql-yoga';
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { TEST_LABEL } from '../harness/docker.js';
import { CreateContainer } from './operations/index.js';

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
  query<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): Promise<TResult>;
  /**
   * Creates a container through berth (the test image, the file's label, a unique name unless
   * given) and returns it; any error payload fails the test.
   */
  create(input: Record<string, unknown>): Promise<CreatedContainer>;
  stop(): Promise<void>;
}

export type CreatedContainer = Extract<
  Awaited<ReturnType<typeof executeCreate>>['createContainer'],
  { __typename: 'CreateContainerSuccess' }
>['container'];

function executeCreate(berth: Pick<RunningBerth, 'query'>, input: Record<string, unknown>) {
  return berth.query(CreateContainer, { input: input as never });
}

/**
 * Starts berth and, unless told the engine is meant to be unreachable, waits until its container
 * index matches the engine, as a long-running server would long have.
 */
export async function startBerth(
  env: Record<string, string> = {},
  options: { waitForEngine?: boolean; label?: string; logger?: YogaLogger } = {},
): Promise<RunningBerth> {
  // Each berth has its own data directory; tests that are not about security run with
  // authentication off (loopback only), the security tests turn it on.
  const ownDataDir = env['BERTH_DATA_DIR'] === undefined;
  const dataDir = env['BERTH_DATA_DIR'] ?? (await mkdtemp(join(tmpdir(), 'berth-data-')));
  const config = loadConfig({
    DOCKER_HOST: inject('dockerHost'),
    HOST: '127.0.0.1',
    PORT: '0',
    BERTH_AUTH: 'off',
    BERTH_DATA_DIR: dataDir,
    ...env,
  });
  const app = buildApp(config, {
    logger: options.logger ?? createLogger(env['LOG_LEVEL'] === 'debug' ? 'debug' : 'error'),
  });
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
  const berth: RunningBerth = {
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
    async create(input) {
      const { createContainer } = await executeCreate(berth, {
        name: uniqueName(options.label ?? 'c'),
        image: inject('testImage'),
        labels: [{ name: TEST_LABEL, value: options.label ?? 'unlabelled' }],
        ...input,
      });
      if (createContainer.__typename !== 'CreateContainerSuccess') {
        throw new Error(`create failed: ${JSON.stringify(createContainer)}`);
      }
      return createContainer.container;
    },
    async stop() {
      await app.stop();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return berth;
}

let counter = 0;
/** A container name unique to this run, so parallel test files never collide. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `berth-test-${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
