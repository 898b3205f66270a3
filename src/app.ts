import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, createLogger, createYoga, maskError, type YogaLogger } from 'graphql-yoga';
import type { Config } from './config.js';
import { ContainerService } from './containers/service.js';
import { DockerEngine } from './docker/engine.js';
import { BerthError } from './errors.js';
import { useHealthCheck } from './http/health.js';
import { attachGraphQLWebSocket } from './http/websocket.js';
import { useRestShim } from './rest/routes.js';
import type { Context } from './schema/builder.js';
import { schema } from './schema/index.js';

export interface App {
  /** Listens on the configured host and port (0 picks a free one) and returns the base URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  readonly server: Server;
}

/**
 * Expected failures that escape a resolver (queries have no error unions) keep their code;
 * anything else is masked for the client and logged whole.
 */
function maskErrors(log: YogaLogger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = rootCause(error);
    if (original instanceof BerthError) {
      const located = error as Partial<Pick<GraphQLError, 'nodes' | 'path'>>;
      return createGraphQLError(original.message, {
        ...(located.nodes && { nodes: located.nodes }),
        ...(located.path && { path: located.path }),
        extensions: { code: original.code, ...('field' in original && { field: original.field }) },
      });
    }
    if (original !== error || !isGraphQLErrorLike(error)) log.error('unexpected fault in a resolver', original);
    return maskError(error, message, isDev);
  };
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

export function buildApp(config: Config, options: { logger?: YogaLogger } = {}): App {
  const log = options.logger ?? createLogger(config.logLevel);
  const engine = new DockerEngine(config.engine);
  const containers = new ContainerService(engine, log);
  const context: Context = { containers };

  const yoga = createYoga<Record<string, unknown>>({
    schema,
    context: () => context,
    logging: log,
    batching: false,
    maskedErrors: { maskError: maskErrors(log) },
    plugins: [useHealthCheck(engine), useRestShim(containers, log)],
  });

  const server = createServer(yoga);
  const websocket = attachGraphQLWebSocket(server, yoga);

  return {
    server,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve({ url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port });
        });
      }),
    async stop() {
      await websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
