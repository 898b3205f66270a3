import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Client, ClientOptions } from 'graphql-ws';
import { createLogger, type YogaLogger } from 'graphql-yoga';
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { Role } from '../../src/platform/auth/tokens.js';
import { loadConfig } from '../../src/platform/config.js';
import { TEST_LABEL } from '../harness/docker.js';
import { CreateContainer } from './operations/index.js';
import { wsClient } from './subscriptions.js';

export interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * berth as one client reaches it: over HTTP with `Authorization: Bearer <token>`, over graphql-ws
 * with the token in connection_init. The berth itself is the client that sends no token (for
 * authentication off); `berth.as(token)` and `berth.asRole(role)` are the others.
 */
export interface BerthClient {
  readonly url: string;
  /** The token this client sends; undefined when it sends none. */
  readonly token: string | undefined;
  /** Runs a typed operation over HTTP and returns the whole GraphQL response. */
  graphql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): Promise<GraphQLResponse<TResult>>;
  /** Like `graphql`, but fails the test on a GraphQL error and returns `data`. */
  query<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): Promise<TResult>;
  /** Any route (REST, /metrics, a /graphql body made by hand) at `path`, with this client's token. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A graphql-ws client that presents the token; `options` override. Disposed when berth stops. */
  ws(options?: Partial<ClientOptions>): Client;
}

/** A real berth on a free loopback port, against the engine the harness provides. */
export interface RunningBerth extends BerthClient {
  app: App;
  /** This berth, as a client that sends `token`. */
  as(token: string): BerthClient;
  /** A new token of `role` (named `name`, `test-<role>` by default), and a client that sends it. */
  asRole(role: Role, name?: string): BerthClient & { readonly token: string };
  /**
   * Creates a container through berth (the test image, the file's label, a unique name unless
   * given) and returns it; any error payload fails the test.
   */
  create(input: Record<string, unknown>): Promise<CreatedContainer>;
  stop(): Promise<void>;
}

/** The client that sends `token` (none when undefined); its WebSocket clients go into `sockets`. */
/** A client of a berth this process did not start (one in a container, say) at `url`. */
export function remoteBerth(url: string, token: string): BerthClient {
  return clientOf(url, token, new Set());
}

function clientOf(url: string, token: string | undefined, sockets: Set<Client>): BerthClient {
  const authorization = token === undefined ? undefined : `Bearer ${token}`;
  const fetchAs: BerthClient['fetch'] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (authorization) headers.set('authorization', authorization);
    return fetch(`${url}${path}`, { ...init, headers });
  };
  const graphql: BerthClient['graphql'] = async (document, variables) => {
    const response = await fetchAs('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as never;
  };
  return {
    url,
    token,
    graphql,
    async query(document, variables) {
      const result = await graphql(document, variables);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      }
      return result.data as never;
    },
    fetch: fetchAs,
    ws(options = {}) {
      const client = wsClient(url, {
        ...(authorization && { connectionParams: { authorization } }),
        ...options,
      });
      sockets.add(client);
      return client;
    },
  };
}

export type CreatedContainer = Extract<
  Awaited<ReturnType<typeof executeCreate>>['createContainer'],
  { __typename: 'CreateContainerSuccess' }
>['container'];

function executeCreate(berth: Pick<BerthClient, 'query'>, input: Record<string, unknown>) {
  return berth.query(CreateContainer, { input: input as never });
}

/**
 * Starts berth and, unless told the engine is meant to be unreachable, waits until its container
 * index matches the engine, as a long-running server would long have.
 */
export async function startBerth(
  env: Record<string, string> = {},
  options: {
    waitForEngine?: boolean;
    label?: string;
    logger?: YogaLogger;
    /** How long a minute of a git stack's pollMinutes lasts (the git stacks' polling test). */
    gitPollMinuteMs?: number;
    /** How often each engine's version and swarm role are read again (the engine-facts test). */
    engineFactsRefreshMs?: number;
  } = {},
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
    ...(options.gitPollMinuteMs !== undefined && { gitPollMinuteMs: options.gitPollMinuteMs }),
    ...(options.engineFactsRefreshMs !== undefined && { engineFactsRefreshMs: options.engineFactsRefreshMs }),
  });
  const { url } = await app.start();
  if (options.waitForEngine !== false) await app.index.whenSynced();

  const sockets = new Set<Client>();
  const berth: RunningBerth = {
    ...clientOf(url, undefined, sockets),
    app,
    as: (token) => clientOf(url, token, sockets),
    asRole(role, name = `test-${role}`) {
      const { token } = app.tokens.create({ name, role });
      return { ...clientOf(url, token, sockets), token };
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
      await Promise.all([...sockets].map((client) => client.dispose()));
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
