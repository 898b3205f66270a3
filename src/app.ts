import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, createLogger, createYoga, maskError, type YogaLogger } from 'graphql-yoga';
import type { Config } from './platform/config.js';
import { useMutationAudit } from './api/graphql/mutation-audit.js';
import { AuditLog } from './platform/audit/log.js';
import { AuthGuard } from './platform/auth/guard.js';
import { UNAUTHENTICATED_LOCAL, type Principal } from './platform/auth/principal.js';
import { TokenService } from './platform/auth/tokens.js';
import { ContainerIndex } from './domain/containers/container-index.js';
import { principalOf, useAuthentication } from './api/http/authentication.js';
import {
  hardenServer,
  useGraphQLBodyLimit,
  useIntrospectionSwitch,
  useQueryLimits,
} from './api/http/hardening.js';
import { PolicyStore } from './domain/policy/policy.js';
import { BerthDatabase } from './platform/store/database.js';
import { ContainerService } from './domain/lifecycle/service.js';
import { ContainerEventLog } from './domain/events/event-log.js';
import { ImageService } from './domain/images/service.js';
import { NetworkService } from './domain/networks/service.js';
import { VolumeService } from './domain/volumes/service.js';
import { SwarmService } from './domain/swarm/service.js';
import { ExecService } from './domain/exec/service.js';
import { LogService } from './domain/logs/service.js';
import { StatsHub } from './domain/stats/hub.js';
import { RunningContainersWatch } from './domain/stats/running-watch.js';
import { StatsHistory } from './domain/history/service.js';
import { AlertService } from './domain/alerts/service.js';
import { chooseStatsSource } from './engine/stats-source.js';
import { SystemStatus } from './domain/system/status.js';
import { TemplateService } from './domain/templates/service.js';
import { BackupService } from './domain/backup/service.js';
import { RedeployService } from './domain/redeploy/service.js';
import { templatesSection } from './domain/backup/sections/templates.js';
import { policySection } from './domain/backup/sections/policy.js';
import { tokensSection } from './domain/backup/sections/tokens.js';
import { containersSection } from './domain/backup/sections/containers.js';
import { alertRulesSection } from './domain/backup/sections/alert-rules.js';
import { swarmServicesSection } from './domain/backup/sections/swarm-services.js';
import { DockerEngine } from './engine/engine.js';
import { BerthError } from './shared/errors.js';
import { useHealthCheck } from './api/http/health.js';
import { useDashboard } from './api/http/dashboard.js';
import {
  timeRequests,
  useMetricsEndpoint,
  useRequestMetrics,
  useSubscriptionMetrics,
} from './api/http/metrics.js';
import { BerthMetrics } from './api/metrics/berth-metrics.js';
import { attachGraphQLWebSocket } from './api/http/websocket.js';
import { useRestShim } from './api/rest/routes.js';
import type { Context } from './api/graphql/builder.js';
import { schema } from './api/graphql/index.js';

export interface App {
  /** Listens on the configured host and port (0 picks a free one) and returns the base URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  readonly server: Server;
  /** The container index, for tests and benchmarks that wait for it to match the engine. */
  readonly index: ContainerIndex;
  /** The stats hub, for tests and benchmarks that count its collectors. */
  readonly stats: StatsHub;
  /** What resolvers receive (as a local admin), for tests that execute the schema in process. */
  readonly context: Context;
  /** berth's tokens, for tests and the first-start admin token. */
  readonly tokens: TokenService;
  /** WebSocket clients connected now. */
  websocketClients(): number;
}

/**
 * Expected failures that escape a resolver (queries have no error unions) keep their message and
 * carry their code; anything else is masked for the client, and Yoga logs it whole.
 */
function maskErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = rootCause(error);
  if (!(original instanceof BerthError)) return maskError(error, message, isDev);
  const extensions = { code: original.code, ...('field' in original && { field: original.field }) };
  if (isGraphQLErrorLike(error)) {
    // Returned as is, so Yoga knows it was not masked and does not log an expected failure.
    Object.assign(error.extensions, extensions);
    return error;
  }
  return createGraphQLError(original.message, { extensions });
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
  const database = BerthDatabase.open({ dataDir: config.dataDir });
  const tokens = new TokenService(database);
  const audit = new AuditLog(database);
  const guard = new AuthGuard(tokens, audit, config.auth);
  const metrics = new BerthMetrics();
  const engine = new DockerEngine(config.engine, { onCall: (call) => metrics.recordEngineCall(call) });
  const index = new ContainerIndex(engine, engine.eventStream(log), log);
  const images = new ImageService(engine.images, index, log);
  const networks = new NetworkService(engine, index);
  const volumes = new VolumeService(engine.volumes, index);
  const swarm = new SwarmService(engine.swarm, log);
  const policy = new PolicyStore(database);
  const containers = new ContainerService(engine, index, log, images, () => policy.get());
  const templates = new TemplateService(database, containers);
  const redeploy = new RedeployService(engine, index, images, () => policy.get(), log);
  // Restored in this order: the create policy before the containers it governs.
  const backup = new BackupService();
  backup.register(templatesSection(templates));
  backup.register(policySection(policy));
  backup.register(tokensSection(tokens));
  backup.register(containersSection(containers, engine.containerSpecs));
  const stats = new StatsHub(log, { pidOf: (id) => index.peek(id)?.pid ?? null });
  const watch = new RunningContainersWatch(index, stats);
  const history = new StatsHistory(database, {
    retention: {
      rawMs: config.history.rawRetentionSeconds * 1000,
      minutesMs: config.history.retentionSeconds * 1000,
    },
    log,
  });
  metrics.watchContainers(index, stats);
  const events = new ContainerEventLog(index);
  const alerts = new AlertService(database, index, stats, log);
  // Registered once the alert service exists, so restored after the containers.
  backup.register(alertRulesSection(alerts));
  backup.register(swarmServicesSection(swarm));
  const system = new SystemStatus(engine, index, stats, config.dockerHost);
  const logs = new LogService(engine);
  const exec = new ExecService(engine, {
    maxOutputBytes: config.exec.maxOutputBytes,
    canSignalHostProcesses: config.engine.kind === 'socket',
    log,
  });
  const services: Omit<Context, 'principal'> = {
    containers,
    stats,
    history,
    events,
    system,
    logs,
    exec,
    images,
    networks,
    volumes,
    swarm,
    tokens,
    audit,
    policy,
    alerts,
    templates,
    backup,
    redeploy,
  };

  // A removed container's collector goes with it, whoever still holds a lease.
  index.on('change', (change) => {
    if (change.action === 'destroy') stats.drop(change.containerId);
  });
  // The stats source is chosen once the engine answers (it may be down at start); a failed try
  // is tried again at the next sync.
  let choosing = false;
  index.on('synced', () => {
    if (choosing || stats.sourceKind !== 'undetected') return;
    choosing = true;
    const running = index.list({ status: 'RUNNING' })[0]?.id;
    chooseStatsSource(config, engine, log, running)
      .then(
        (source) => stats.useSource(source),
        (error: unknown) =>
          log.warn(
            `choosing the stats source failed (${String(error)}); trying again when the engine is back`,
          ),
      )
      .finally(() => {
        choosing = false;
      });
  });

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
    graphiql: config.graphql.graphiql,
    plugins: [
      useRequestMetrics(metrics),
      // Before authentication: the page and its assets carry no data (the page asks for a token).
      useDashboard(),
      useAuthentication(guard, '/graphql'),
      useGraphQLBodyLimit('/graphql'),
      ...useQueryLimits(),
      ...useIntrospectionSwitch(config.graphql.introspection),
      useHealthCheck(system),
      useMetricsEndpoint(metrics),
      useSubscriptionMetrics(metrics),
      useRestShim({ containers, stats, logs, audit }, log),
      useMutationAudit(),
    ],
  });

  // HTTPS (and so WSS) when a certificate is configured: TLS 1.2 at least; with a client CA, only
  // clients holding a certificate it signed get through the handshake.
  const server = config.tls
    ? createHttpsServer(
        {
          cert: config.tls.cert,
          key: config.tls.key,
          minVersion: 'TLSv1.2',
          ...(config.tls.clientCa && {
            ca: config.tls.clientCa,
            requestCert: true,
            rejectUnauthorized: true,
          }),
        },
        yoga,
      )
    : createServer(yoga);
  hardenServer(server);
  timeRequests(server);
  const websocket = attachGraphQLWebSocket(server, yoga, {
    maxBufferedBytes: config.websocket.maxBufferedBytes,
    guard,
    log,
  });
  metrics.countWebSocketClients(() => websocket.clients());

  return {
    server,
    index,
    stats,
    context: { ...services, principal: UNAUTHENTICATED_LOCAL },
    tokens,
    websocketClients: () => websocket.clients(),
    start: () => {
      index.start();
      if (config.stats.sample === 'all') watch.start();
      alerts.start();
      history.start({ stats, index });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          const scheme = config.tls ? 'https' : 'http';
          resolve({ url: `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port });
        });
      });
    },
    async stop() {
      // A redeploy still waiting for its new container removes it and leaves the old one serving.
      await redeploy.close();
      watch.stop();
      history.stop();
      index.stop();
      stats.close();
      swarm.close();
      await websocket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Before the database closes: deliveries that end while stopping record how they ended.
      await alerts.stop();
      database.close();
    },
  };
}
