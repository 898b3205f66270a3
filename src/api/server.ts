import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaLogger } from 'graphql-yoga';
import type { Config } from '../platform/config.js';
import type { AuthGuard } from '../platform/auth/guard.js';
import type { Principal } from '../platform/auth/principal.js';
import type { Context } from './graphql/builder.js';
import { schema } from './graphql/index.js';
import { useEnvironmentGaps } from './graphql/environment-gaps.js';
import { maskErrors } from './graphql/mask-errors.js';
import { useMutationAudit } from './graphql/mutation-audit.js';
import { useRequestErrorCodes } from './graphql/request-errors.js';
import { principalOf, useAuthentication } from './http/authentication.js';
import { mountAt } from './http/base-path.js';
import { clientAddressOf } from './http/client-address.js';
import {
  corsFor,
  useCrossSiteChecks,
  useGraphQLCsrfPrevention,
  type CrossSitePolicy,
} from './http/cross-site.js';
import { useDashboard } from './http/dashboard.js';
import { useGraphQLEventIds } from './http/event-stream.js';
import { graphiqlOptions, graphiqlRenderer, useGraphiQLHeaders } from './http/graphiql.js';
import {
  serverTimeouts,
  useGraphQLBodyLimit,
  useIntrospectionSwitch,
  useQueryLimits,
} from './http/hardening.js';
import { useHealthCheck } from './http/health.js';
import { useStackWebhooks } from './http/stack-webhooks.js';
import {
  timeRequests,
  useMetricsEndpoint,
  useRequestMetrics,
  useSubscriptionMetrics,
} from './http/metrics.js';
import { attachTerminalWebSocket, TERMINAL_PATH } from './http/terminal.js';
import { routeUpgrades } from './http/upgrades.js';
import { attachGraphQLWebSocket } from './http/websocket.js';
import type { BerthMetrics } from './metrics/berth-metrics.js';
import { useRestShim } from './rest/routes.js';

/** The domain services every request may reach; the principal is added per request. */
export type Services = Omit<Context, 'principal'>;

export interface ApiServer {
  readonly server: Server;
  /** WebSocket clients connected now. */
  websocketClients(): number;
  /** Shared subscription executions running now (shared-executions.ts). */
  sharedExecutions(): number;
  /** Listens on the configured host and port (0 picks a free one) and returns the base URL. */
  listen(): Promise<{ url: string; port: number }>;
  /** Ends subscriptions, drops every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * berth's one HTTP(S) server: GraphQL (and GraphiQL), the REST shim, health, metrics and the
 * dashboard through Yoga, and graphql-ws on the same port.
 */
export function createApiServer(
  config: Config,
  services: Services,
  deps: { guard: AuthGuard; metrics: BerthMetrics; log: YogaLogger },
): ApiServer {
  const { guard, metrics, log } = deps;
  const crossSite: CrossSitePolicy = {
    authEnabled: config.auth.enabled,
    listenHost: config.host,
    ...config.http,
  };
  // GraphiQL's assets are served from berth's own package (Yoga's default loads them from a CDN).
  const graphiql = graphiqlRenderer();
  const { basePath } = config.http;
  const clientAddress = clientAddressOf(config.http.trustedProxies);
  const graphiqlOn = config.graphql.graphiql;
  const yoga = createYoga<Record<string, unknown>>({
    schema,
    // Authentication ran in onRequest (HTTP) or onConnect (WebSocket) and left the principal.
    context: (initial) => ({
      ...services,
      principal:
        // HTTP: the principal useAuthentication attached to the request (a ponyfill Request,
        // so no instanceof); WebSocket: the one onConnect put in the envelope's initial context.
        (initial.request ? principalOf(initial.request) : undefined) ??
        ((initial as { principal?: Principal }).principal as Principal),
    }),
    logging: log,
    batching: false,
    maskedErrors: { maskError: maskErrors },
    // Routes are written without BERTH_BASE_PATH, which mountAt takes off at the door; the page
    // asks for the endpoint as the browser must, with it.
    graphiql: graphiqlOn && graphiqlOptions(`${basePath}/graphql`),
    renderGraphiQL: graphiql.render,
    cors: corsFor(crossSite),
    plugins: [
      useRequestMetrics(metrics),
      useGraphiQLHeaders('/graphql', graphiql.csp),
      // Before authentication: the page and its assets carry no data (the page asks for a token).
      useDashboard(),
      // Before authentication and the cross-site checks: a forge sends no token and no Origin; the
      // delivery's signature is its credential.
      useStackWebhooks(
        (environment) =>
          services.environments.has(environment)
            ? services.environments.get(environment).webhooks
            : undefined,
        { guard, audit: services.audit, clientAddress },
      ),
      useCrossSiteChecks(crossSite, '/graphql'),
      useAuthentication(guard, { graphqlEndpoint: '/graphql', clientAddress, graphiql: graphiqlOn }),
      useGraphQLCsrfPrevention('/graphql', { graphiql: graphiqlOn }),
      useGraphQLBodyLimit('/graphql'),
      ...useQueryLimits(),
      useRequestErrorCodes(),
      ...useIntrospectionSwitch(config.graphql.introspection),
      // /healthz is berth's own and the local engine's: remote ones are in the environments query.
      useHealthCheck(services.environments.local.system),
      useMetricsEndpoint(metrics),
      useSubscriptionMetrics(metrics),
      useGraphQLEventIds('/graphql'),
      useRestShim(services, log),
      useMutationAudit(),
      useEnvironmentGaps(),
    ],
  });

  // HTTPS (and so WSS) when a certificate is configured: TLS 1.2 at least; with a client CA, only
  // clients holding a certificate it signed get through the handshake.
  const server = config.tls
    ? createHttpsServer({
        ...serverTimeouts(config.http.requestTimeoutSeconds),
        cert: config.tls.cert,
        key: config.tls.key,
        minVersion: 'TLSv1.2',
        ...(config.tls.clientCa && {
          ca: config.tls.clientCa,
          requestCert: true,
          rejectUnauthorized: true,
        }),
      })
    : createServer(serverTimeouts(config.http.requestTimeoutSeconds));
  // Before the WebSocket routes, so upgrades lose the prefix before their path is read.
  mountAt(server, basePath, yoga);
  timeRequests(server);
  const websocket = attachGraphQLWebSocket(yoga, {
    maxBufferedBytes: config.websocket.maxBufferedBytes,
    guard,
    crossSite,
    clientAddress,
    log,
    subscriberOpened: () => metrics.subscriptionOpened('websocket'),
  });
  const terminal = attachTerminalWebSocket({
    environments: services.environments,
    audit: services.audit,
    guard,
    crossSite,
    clientAddress,
    log,
  });
  routeUpgrades(server, { '/graphql': websocket.handleUpgrade, [TERMINAL_PATH]: terminal.handleUpgrade });
  metrics.countWebSocketClients(() => websocket.clients());
  metrics.countSharedExecutions(() => websocket.sharedExecutions());

  return {
    server,
    websocketClients: () => websocket.clients(),
    sharedExecutions: () => websocket.sharedExecutions(),
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          const scheme = config.tls ? 'https' : 'http';
          const origin = `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
          resolve({ url: `${origin}${basePath}`, port });
        });
      }),
    async close() {
      await Promise.all([websocket.close(), terminal.close()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
